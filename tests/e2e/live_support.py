"""Helpers for the live-session browser tests: a session set up through the core, a server on a fixed port.

The server and this test process share one store (a SQLite file, or a PostgreSQL database), so a session
started here is what the server shows; every change carries a revision, read fresh before each step.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from e2e_support import Server, goto, launch_server, signed_in_page
from playwright.sync_api import Locator, Page

from intervision.database import Database

FACILITATOR = ("Jeroen Bakker", "jeroen.bakker@demo.example")  # facilitates Leidinggevenden Zorg; Dutch
MEMBER = ("Sofie Claes", "sofie.claes@demo.example")  # a member of Leidinggevenden Zorg; Dutch
CASE_BRINGER = "hans.kuipers@demo.example"
GROUP = "Leidinggevenden Zorg"
METHOD = "incident"  # choose_incident, explain_question, information_round (questions), diagnosis, solutions …
INFORMATION_ROUND = 2


# --- a session through the core -------------------------------------------------------------------


@dataclass(frozen=True)
class LiveSetup:
    """A session as the test set it up: who runs it, and the keys the browser pages open it with."""

    database: Database
    session_id: int
    facilitator_email: str

    def facilitator(self) -> object:
        from intervision import accounts

        return accounts.person_by_email(self.database, self.facilitator_email)

    def session(self) -> object:
        from intervision import store

        with self.database.reading() as db:
            return store.live_session(db, self.session_id)

    @property
    def join_code(self) -> str:
        return self.session().join_code

    @property
    def projector_path(self) -> str:
        return f"/projector?token={self.session().projector_token}"

    @property
    def follow_path(self) -> str:
        return f"/follow?code={self.join_code}"

    def begin(self, seconds_ago: float = 0.0) -> None:
        """End the check-in: the first phase starts, its countdown `seconds_ago` seconds in."""
        from intervision import live
        from intervision.clock import utcnow

        now = utcnow() - timedelta(seconds=seconds_ago)
        live.begin_phases(self.database, self.facilitator(), self.session_id, self.session().revision, now=now)

    def go_to(self, index: int, seconds_ago: float = 0.0) -> None:
        """Move phase by phase to phase `index`; the last move `seconds_ago` seconds ago."""
        from intervision import live
        from intervision.clock import utcnow

        while self.session().phase_index < index:
            last = self.session().phase_index == index - 1
            now: datetime = utcnow() - timedelta(seconds=seconds_ago if last else 0)
            live.move(self.database, self.facilitator(), self.session_id, self.session().revision, 1, now=now)

    def to_closing(self) -> None:
        from intervision import live

        method = live.session_method(self.database, self.session())
        self.go_to(len(method.phases) - 1)
        live.move(self.database, self.facilitator(), self.session_id, self.session().revision, 1)

    def add_to_board(self, kind: str, text: str) -> int:
        from intervision import live
        from intervision.models import BoardItemInput

        return live.send_to_board(
            self.database, self.facilitator(), self.session_id, BoardItemInput(kind=kind, text=text)
        )

    def board(self) -> list:
        from intervision import store

        with self.database.reading() as db:
            return store.board_items(db, self.session_id)

    def phase(self, index: int | None = None) -> object:
        """The current phase, or the one at `index`."""
        from intervision import live

        session = self.session()
        method = live.session_method(self.database, session)
        return method.phases[session.phase_index if index is None else index]

    def phase_name(self, language: str = "en", index: int | None = None) -> str:
        from intervision.models import Language

        return self.phase(index).name(Language(language))

    def phase_minutes(self) -> float:
        return self.phase().minutes

    def remaining_seconds(self) -> float:
        from intervision import live

        view = live.projector_view(self.database, self.session().projector_token)
        assert view is not None and view.clock is not None
        return view.clock.remaining_seconds

    def close(self) -> None:
        """Close the session if it is still open, so the group can start another one."""
        from intervision import live
        from intervision.models import SessionStatus

        session = self.session()
        if session is not None and session.status is not SessionStatus.CLOSED:
            live.close_session(self.database, self.facilitator(), self.session_id, session.revision)


def open_session(
    database: Database,
    facilitator_email: str = FACILITATOR[1],
    group: str = GROUP,
    method_id: str = METHOD,
    case_title: str = "Een medewerker die steeds te laat komt",
    language: str = "en",
) -> LiveSetup:
    """Open a session (in its check-in) for the group, as its facilitator would, with a case told on the spot.

    The group speaks `language` on the projector (its setting, changed first): English by default, which the
    tests that read the projector in English rely on; the demo's groups speak Dutch.
    """
    from intervision import accounts, groups, live
    from intervision.models import GroupInput, Language, SessionRole, StartSessionInput

    facilitator = accounts.person_by_email(database, facilitator_email)
    bringer = accounts.person_by_email(database, CASE_BRINGER)
    assert facilitator is not None and bringer is not None
    found = next(g for g, _ in groups.visible_groups(database, facilitator) if g.name == group)
    group_id = found.id
    if found.language is not Language(language):
        kept = found.model_dump(include={"name", "description", "label", "contract"})
        groups.update_group(database, facilitator, group_id, GroupInput(**kept, language=Language(language)))
    form = StartSessionInput(
        group_id=group_id,
        spot_case_title=case_title,
        method_id=method_id,
        roles={SessionRole.CASE_BRINGER: [bringer.id]},
    )
    session_id = live.start_session(database, facilitator, form)
    return LiveSetup(database=database, session_id=session_id, facilitator_email=facilitator_email)


def the_open_session(database: Database, facilitator_email: str = FACILITATOR[1], group: str = GROUP) -> LiveSetup:
    """The session under way in the group (one opened in the browser, say)."""
    from intervision import accounts, live

    facilitator = accounts.person_by_email(database, facilitator_email)
    assert facilitator is not None
    sessions = [s for s in live.open_sessions(database, facilitator) if s.group_name == group]
    assert len(sessions) == 1, f"expected one session under way in {group}, found {sessions}"
    return LiveSetup(database=database, session_id=sessions[0].id, facilitator_email=facilitator_email)


# --- a server on a port of our choosing ----------------------------------------------------------


def start_server_on(port: int, db_path: Path, log_path: Path) -> Server:
    """`streamlit run app.py` on this port with this database file (already migrated or seeded)."""
    return launch_server(port, db_path, log_path)


# --- waiting on the page -------------------------------------------------------------------------


def wait_until(condition: Callable[[], bool], timeout: float, interval: float = 0.05) -> float:
    """Poll until the condition holds; the seconds it took. Raises AssertionError on timeout."""
    start = time.monotonic()
    while True:
        if condition():
            return time.monotonic() - start
        if time.monotonic() - start > timeout:
            raise AssertionError(f"not within {timeout}s")
        time.sleep(interval)


def shows(locator: Locator, pattern: str | re.Pattern[str]) -> Callable[[], bool]:
    """A condition: the locator's text contains the string (or matches the pattern) right now."""

    def check() -> bool:
        try:
            text = locator.inner_text(timeout=500)
        except Exception:  # noqa: BLE001 - the fragment may be redrawing this very moment
            return False
        return pattern.search(text) is not None if isinstance(pattern, re.Pattern) else pattern in text

    return check


CLOCK = re.compile(r"(−?)(\d+):(\d{2})")


def clock_seconds(text: str) -> float:
    """12:05 → 725; −1:30 → −90."""
    match = CLOCK.search(text)
    assert match, f"no countdown in {text!r}"
    seconds = int(match.group(2)) * 60 + int(match.group(3))
    return -seconds if match.group(1) else seconds


def facilitators_console(open_page: Callable[..., Page], server: Server, viewport: dict[str, int]) -> Page:
    """The demo facilitator's console, signed in, at this size."""
    page = signed_in_page(open_page, server, FACILITATOR[1], viewport=viewport)
    goto(page, server.url("/session"))
    return page
