"""The server is killed (SIGKILL) while phones send to the board and the facilitator logs observations:
the database is intact, nothing a page showed as saved is lost or doubled, and a restarted server shows
the same phase, timer and board.

Why in a browser: "saved" means what a person saw. A question counts as acknowledged only once the phone
showed "Sent to the board." and emptied its text box (the page does that only after the core committed
it); an observation only once the console's "Noted: <level> …" line names the level just pressed. What
is stored is read back through the core, never with SQL of our own.
"""

from __future__ import annotations

import os
import re
import signal
import time
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import PHONE, PROJECTOR
from e2e_support import WELCOME, Server, button_name, either, goto, main, settle, signed_in_page, text
from live_support import (
    FACILITATOR,
    INFORMATION_ROUND,
    LiveSetup,
    clock_seconds,
    open_session,
    wait_until,
)
from playwright.sync_api import Locator, Page, expect

pytestmark = pytest.mark.browser

# Members of the group who follow on their phones. Hans Kuipers, who brings the case, is left out: his
# phone lists the board to mark what helped, a screen of its own.
MEMBERS = ("Fatima El Amrani", "Sofie Claes", "Ingrid Smit", "Mohamed Bouzid")
LEVELS = ("content", "procedure", "interaction", "feelings")  # the console's observation buttons, in turn
PHASE_STARTED_SECONDS_AGO = 90  # far enough into the phase that a countdown reset to its full time shows
WARM_UP = 2  # questions each phone has seen saved before the burst the server dies in
PROJECTED = 8  # the beamer shows the newest eight items, then "+ N more"
SETTLED = '[data-testid="stApp"][data-test-script-state="notRunning"]'
CONNECTED = '[data-testid="stApp"][data-test-connection-state="CONNECTED"]'
FIRST_DRAW_MS = 45_000  # a first drawing (or a reconnection) while other pages draw too, on a busy machine
COUNTDOWN = re.compile(r"^−?\d+:\d{2}$")


# --- people writing, and what their pages showed as saved ---------------------------------------------


@dataclass
class Writer(ABC):
    """A page that writes one thing at a time: `sent` is every tap, `acknowledged` what the page showed
    as saved; `pending` was tapped and not (yet) shown as saved."""

    page: Page
    sent: list[str] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)
    pending: str | None = None

    @abstractmethod
    def next_write(self) -> str:
        """What this person writes next (unique, so that it can be found again)."""

    @abstractmethod
    def write(self, what: str) -> None:
        """Type and tap, without waiting for the server."""

    @abstractmethod
    def shows_saved(self, what: str) -> bool:
        """Whether the page shows `what` as saved, right now."""

    def send(self) -> None:
        what = self.next_write()
        self.write(what)
        self.sent.append(what)
        self.pending = what

    def check(self) -> bool:
        """Whether the pending write has just shown as saved."""
        if self.pending is not None and self.shows_saved(self.pending):
            self.acknowledged.append(self.pending)
            self.pending = None
            return True
        return False

    def ready(self) -> bool:
        """Nothing pending, and the page finished drawing: the person can write the next one."""
        self.check()
        return self.pending is None and self.page.locator(SETTLED).count() == 1


@dataclass
class Phone(Writer):
    """A member's phone on the follow page, sending questions to the board."""

    name: str = ""

    def next_write(self) -> str:
        return f"{self.name.split()[0]} vraagt ({len(self.sent) + 1}): wat gebeurde er daarna?"

    def write(self, what: str) -> None:
        main(self.page).get_by_label(either("live.text")).fill(what)
        main(self.page).get_by_role("button", name=either("live.send")).click()

    def shows_saved(self, what: str) -> bool:
        """The text box is empty again and "Sent to the board." shows. The box empties only in the same
        redraw that brings the confirmation, after the core committed the question."""
        try:
            emptied = main(self.page).get_by_label(either("live.text")).input_value(timeout=500) == ""
        except Exception:  # noqa: BLE001 - the page may be redrawing this very moment
            return False
        return emptied and visible_now(main(self.page).get_by_text(either("live.sent")))


@dataclass
class Console(Writer):
    """The facilitator's console, pressing the four observation buttons in turn."""

    def next_write(self) -> str:
        return LEVELS[len(self.sent) % len(LEVELS)]

    def write(self, what: str) -> None:
        main(self.page).get_by_role("button", name=button_name(either(f"level.{what}"))).click()

    def ready(self) -> bool:
        """Nothing pending: the facilitator presses on as soon as the last press was noted. (The console's
        clock redraws every second, so on a busy machine it is hardly ever quite done drawing.)"""
        self.check()
        return self.pending is None

    def shows_saved(self, what: str) -> bool:
        """Two presses in a row name different levels, so "Noted: <this level>" can only be this press."""
        return visible_now(main(self.page).get_by_text(noted(what)))


def noted(level: str) -> re.Pattern[str]:
    """The console's line after an observation, "Noted: Procedure at 14:05. …", in either language."""
    lines = []
    for language in ("en", "nl"):
        line = text("live.observed", language, level=text(f"level.{level}", language), time="HH:MM")
        lines.append(re.escape(line).replace("HH:MM", r"\d{1,2}:\d{2}"))
    return re.compile(f"^({'|'.join(lines)})$")


def visible_now(locator: Locator) -> bool:
    try:
        return locator.is_visible()
    except Exception:  # noqa: BLE001 - the page may be redrawing this very moment
        return False


# --- the server, killed and started again ------------------------------------------------------------


def kill_hard(server: Server) -> None:
    """SIGKILL the server's whole process group: no shutdown code runs, no transaction is finished."""
    os.killpg(server.process.pid, signal.SIGKILL)
    server.process.wait(timeout=5)


# --- the test ----------------------------------------------------------------------------------------


def test_killing_the_server_during_writes_loses_nothing_it_acknowledged(
    restartable: dict, open_page: Callable[..., Page]
) -> None:
    """Four phones and the console write without pause; the server dies mid-burst. What people saw saved
    must all be there, once; the room must find its session as it was when the server is back."""
    from intervision import accounts, live
    from intervision.backup import integrity_problems
    from intervision.demo import demo_email

    began = time.monotonic()
    server: Server = restartable["start"]()
    setup: LiveSetup = open_session(server.database)
    setup.begin()
    setup.go_to(INFORMATION_ROUND, seconds_ago=PHASE_STARTED_SECONDS_AGO)  # a phase that collects questions

    # Everyone opens their page at once, as in a meeting room. The console first opens the app (a fresh
    # server knows /session once the app ran). Its ticking clock keeps the script busy, so the pages are
    # waited for by what they show, with room for a busy machine drawing five pages side by side.
    console = Console(signed_in_page(open_page, server, FACILITATOR[1]))
    console.page.goto(server.url("/"), wait_until="commit")
    phones = [
        Phone(signed_in_page(open_page, server, demo_email(n), viewport=PHONE, phone=True), name=n) for n in MEMBERS
    ]
    for phone in phones:
        phone.page.goto(server.url(setup.follow_path), wait_until="commit")
    expect(main(console.page).get_by_role("heading", level=1, name=WELCOME)).to_be_visible(timeout=FIRST_DRAW_MS)
    console.page.goto(server.url("/session"), wait_until="commit")
    for page in (console.page, *(phone.page for phone in phones)):
        heading = main(page).get_by_role("heading", name=setup.phase_name("nl"))
        expect(heading).to_be_visible(timeout=FIRST_DRAW_MS)
    writers: list[Writer] = [*phones, console]
    print(f"\nfive people on their pages after {time.monotonic() - began:.1f}s")

    # Everyone keeps writing, each the moment their page has shown the last write as saved.
    def warmed_up() -> bool:
        for writer in writers:
            if writer.ready():
                writer.send()
        return all(len(phone.acknowledged) >= WARM_UP for phone in phones) and console.acknowledged != []

    wait_until(warmed_up, timeout=60, interval=0.02)

    # The burst: every page has a write on its way; the moment the first of them shows as saved, the
    # server is busy with the others, and dies.
    for writer in writers:
        wait_until(writer.ready, timeout=15)
        writer.send()
    wait_until(lambda: any(writer.check() for writer in writers), timeout=15, interval=0.005)
    kill_hard(server)
    killed = time.monotonic()
    wal = Path(f"{server.db_path}-wal")
    left_behind = wal.stat().st_size if wal.exists() else 0  # SQLite removes it when the last connection closes
    for writer in writers:  # what reached a page before the kill was acknowledged too
        writer.check()

    # The file is sound, as the crash left it.
    assert integrity_problems(server.db_path) == []

    # Every acknowledged write is stored exactly once; what each page stored is the start of what it sent,
    # in order (nothing skipped, nothing doubled, nothing invented).
    board = [item.text for item in setup.board()]
    assert [item for item, count in Counter(board).items() if count > 1] == [], f"doubled on the board: {board}"
    assert set(board) <= {question for phone in phones for question in phone.sent}, f"on the board: {board}"
    for phone in phones:
        stored = [item for item in board if item in phone.sent]
        assert stored == phone.sent[: len(stored)], f"{phone.name} sent {phone.sent}; stored: {stored}"
        assert set(phone.acknowledged) <= set(stored), f"{phone.name} saw saved {phone.acknowledged}; stored: {stored}"
    facilitator = accounts.person_by_email(setup.database, FACILITATOR[1])
    logged = [observation.level for observation in live.observations(setup.database, facilitator, setup.session_id)]
    assert logged == console.sent[: len(logged)], f"pressed {console.sent}; logged {logged}"
    assert len(logged) >= len(console.acknowledged), f"saw noted {console.acknowledged}; logged {logged}"
    in_flight = [writer.pending for writer in writers if writer.pending]
    stored_unseen = [what for what in in_flight if what in board] + logged[len(console.acknowledged) :]
    questions = sum(len(phone.acknowledged) for phone in phones)
    print(
        f"killed at {killed - began:.1f}s with {questions} questions and {len(console.acknowledged)}"
        f" observations shown as saved, {len(in_flight)} writes in flight ({len(stored_unseen)} of them stored);"
        f" the write-ahead log left behind: {left_behind} bytes"
    )

    # The phones notice that the server is gone (they reconnect to the new one below, not to a ghost).
    for phone in phones:
        expect(phone.page.locator(CONNECTED)).to_have_count(0)

    # A new server on the same file and address. The projector shows the same phase, the board as stored
    # (newest first), and a countdown that runs on from the stored phase start rather than starting over.
    console.page.close()  # the facilitator's laptop is shut (its own restart is tested in test_live_browser)
    restartable["start"]()
    print(f"server up again {time.monotonic() - killed:.1f}s after the kill")
    projector = open_page(locale="en-US", viewport=PROJECTOR)
    goto(projector, server.url(setup.projector_path))
    expect(main(projector).get_by_role("heading", level=1, name=setup.phase_name("en"))).to_be_visible()
    assert setup.session().phase_index == INFORMATION_ROUND
    newest = board[::-1][:PROJECTED]
    for item in newest:
        expect(main(projector).get_by_text(item, exact=False)).to_be_visible()
    expect(main(projector).get_by_text(either("live.more", count=len(board) - len(newest)))).to_be_visible()
    shown = clock_seconds(main(projector).get_by_text(COUNTDOWN).inner_text())
    remaining = setup.remaining_seconds()
    full = setup.phase_minutes() * 60
    assert abs(shown - remaining) <= 5, f"the projector shows {shown}s left, the stored phase start says {remaining}s"
    assert shown <= full - PHASE_STARTED_SECONDS_AGO + 5, f"the countdown started over: {shown}s of {full}s"

    # The phones that stayed open reconnect by themselves, without sending anything twice, and the meeting
    # goes on: a question sent now is shown as saved and appears on the beamer.
    for phone in phones:
        expect(phone.page.locator(CONNECTED)).to_be_attached(timeout=FIRST_DRAW_MS)
        expect(main(phone.page).get_by_role("heading", name=setup.phase_name("nl"))).to_be_visible()
        settle(phone.page)
    assert [item.text for item in setup.board()] == board, "the board changed when the phones reconnected"
    print(f"phones reconnected {time.monotonic() - killed:.1f}s after the kill")
    again = phones[0]
    again.pending = None  # a question still in its box from before the kill is typed over
    expect(main(again.page).get_by_text(either("live.sent"))).to_have_count(0)  # no confirmation left over
    wait_until(again.ready, timeout=15)
    again.send()
    wait_until(again.check, timeout=15)
    expect(main(projector).get_by_text(again.acknowledged[-1], exact=False)).to_be_visible()
    assert [item.text for item in setup.board()] == [*board, again.acknowledged[-1]]
    print(f"whole test {time.monotonic() - began:.1f}s")
