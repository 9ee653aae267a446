"""The room: issue 17's targets for a live session, measured on a real server in real browsers.

    make bench-live   # or: .venv/bin/python bench/room.py [--label "before (polling)"] [--moves 40]
                      #   [--questions 20] [--phones 30] [--idle-seconds 60] [--sessions 30] [--per-session 10]
                      #   [--watched 3]

Four measurements, each of what a person sees (text drawn in a page, a confirmation) or what the server pays
(its CPU time), never of how an update reaches a page, so the same bench measures polling and push alike:

1. phase latency: the facilitator clicks "Next phase" on the console (Chromium); the clock stops when the
   projector (a second page in the same browser) draws the new phase's title;
2. question latency: a phone (the follow page in Chromium) sends a question; the clock stops when the
   projector draws it on its board;
3. idle cost: the server's CPU time over a minute with nobody connected (the baseline), then over a minute
   with `--phones` follow pages open in Chromium, each signed in as another participant, nothing happening;
4. capacity: one fresh server, `--sessions` sessions of `--per-session` participants each, every participant
   a websocket client of Streamlit's own protocol (bench/phones.py) on the follow page; all send a question
   within ten seconds. `--watched` projectors in Chromium watch their board throughout; afterwards every
   session's projector is opened in Chromium and must show its newest items, every item must be stored exactly
   once, every sender must have seen "Sent to the board.", and the server log must hold no traceback.

Measurements 1–3 share one server and one session (a group of `--phones` members, the ten-step method);
measurement 4 has its own server and store. Both servers are `streamlit run app.py` on SQLite, on ports
8720 and 8721 (`--port`). Times are taken in the browser (a click listener, a MutationObserver on the page
that shows the result), or for the websocket phones by the driver's wall clock, which is the browsers' too.

Writes its section ("room") of bench/RESULTS.md: a table of the targets with a column per labelled run (kept
in bench/room-runs.json, so a run "after (push)" sits beside the run "before (polling)"), then the details
of this run. Exits non-zero when a check fails; the targets themselves are reported, not enforced.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from importlib.metadata import version
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "e2e")]

import streamlit  # noqa: E402
from argon2 import PasswordHasher  # noqa: E402
from e2e_support import CHROMIUM, CHROMIUM_ARGS, SESSION_COOKIE, Server, launch_server, text  # noqa: E402
from playwright.async_api import Browser, Page, async_playwright  # noqa: E402
from playwright.async_api import TimeoutError as PlaywrightTimeoutError  # noqa: E402
from streamlit.proto.Alert_pb2 import Alert  # noqa: E402

from bench.live import (  # noqa: E402
    CONFIRMATION,
    DESKTOP,
    METHOD,
    OPEN_MS,
    PROJECTOR,
    QUESTIONS_PHASE,
    SPREAD,
    TITLE,
    WAIT_MS,
    WINDOW,
    Check,
    Latency,
    Reading,
    Seeded,
    _account,
    _invitation,
    _short,
    arm,
    check_board,
    check_log,
    click_and_time,
    close_all,
    code_version,
    cpu_seconds,
    goto,
    load_average,
    load_note,
    machine,
    main_area,
    measure_latency,
    new_page,
    open_follow_page,
    percentile,
    read_server,
    seed,
    settle,
    shows,
    spread,
    wait_until_quiet,
)
from bench.phones import Phone  # noqa: E402
from bench.results import write_section  # noqa: E402
from intervision import accounts, auth, db, groups, live, store  # noqa: E402
from intervision.database import Database  # noqa: E402
from intervision.models import (  # noqa: E402
    Contract,
    FirstRunInput,
    GroupInput,
    GroupRole,
    Language,
    Person,
    StartSessionInput,
)

RUNS = BENCH / "room-runs.json"  # each labelled run's summary, for the table of targets
PORT = 8720  # this bench's ports: 8720 for measurements 1–3, the next one for the capacity server
PHASE_TARGET = 0.5  # seconds, p95: the projector shows the next phase after the click (issue 17)
QUESTION_TARGET = 1.0  # seconds, p95: a phone's question is on the projector
IDLE_TARGET = 0.02  # of one core: 30 idle phones
CAPACITY_TARGET = 300  # participants submitting within ten seconds on one process
# The change stream of the push version (issue 17: server-sent events from an st.App route): where a page on it
# listens. The websocket phones hold it too when the server has it, so that they cost what a browser costs.
CHANGE_STREAM = "/_intervision/live/changes?session={session_id}"
# What a board item is on the projector: a list item in the main area (the board is the only list there).
BOARD_ITEM = '[data-testid="stMain"] li'
# Every board item the projector ever draws, with the moment (Date.now(), the machine's clock) it first did.
WATCH_BOARD = """(selector) => {
  window.__benchSeen = {};
  const look = () => {
    for (const element of document.querySelectorAll(selector)) {
      const shown = element.textContent.trim();
      if (!(shown in window.__benchSeen)) window.__benchSeen[shown] = Date.now();
    }
  };
  look();
  new MutationObserver(look).observe(document.body, {childList: true, subtree: true, characterData: true});
}"""
BOARD_TEXTS = """(selector) => [...document.querySelectorAll(selector)]
  .filter(element => element.getClientRects().length > 0).map(element => element.textContent.trim())"""


# --- the rooms, through the core -------------------------------------------------------------------


@contextmanager
def quick_password_hashing() -> Iterator[None]:
    """Seed hundreds of accounts in seconds: nobody signs in with these passwords (the bench puts a sign-in
    session's token in the cookie), so the bench process hashes them cheaply; the server is untouched."""
    kept = auth._hasher
    auth._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    try:
        yield
    finally:
        auth._hasher = kept


def seed_rooms(database: Database, sessions: int, per_session: int) -> list[Seeded]:
    """One organisation with `sessions` groups of `per_session` members and a facilitator each, every
    group's session under way in its questions phase; everything through the core, as the pages do it."""
    database.migrate()
    first = FirstRunInput(
        organisation_name="Rooms organisation",
        name="Rooms Coordinator",
        email="coordinator@rooms.example",
        password="bench-intervisie",
        password_again="bench-intervisie",
        language=Language.EN,
    )
    coordinator = accounts.person(database, accounts.create_first_coordinator(database, first))
    contract = Contract(
        meets_every_weeks=4, session_minutes=120, confidentiality="Stays here.", start_date=date.today()
    )
    rooms = []
    for room in range(1, sessions + 1):
        form = GroupInput(name=f"Room {room:02d}", contract=contract, language=Language.EN)
        group_id = groups.create_group(database, coordinator, form)
        code = _invitation(database, coordinator, group_id, GroupRole.FACILITATOR, 1)
        facilitator = _account(database, code, f"Facilitator {room:02d}", f"facilitator{room:02d}@rooms.example")
        code = _invitation(database, coordinator, group_id, GroupRole.MEMBER, per_session)
        members = tuple(
            _account(database, code, f"Participant {room:02d}-{number:02d}", f"p{room:02d}-{number:02d}@rooms.example")
            for number in range(1, per_session + 1)
        )
        start = StartSessionInput(group_id=group_id, spot_case_title="A colleague who never says no", method_id=METHOD)
        session_id = live.start_session(database, facilitator, start)
        seeded = Seeded(database, facilitator, members, session_id, wave_id=0)  # type: ignore[arg-type]
        live.begin_phases(database, facilitator, session_id, seeded.session().revision)
        seeded.go_to_phase(QUESTIONS_PHASE)
        rooms.append(seeded)
    return rooms


def projector_path(seeded: Seeded) -> str:
    return f"/projector?token={seeded.session().projector_token}"


# --- 1. phase latency ------------------------------------------------------------------------------


async def console_and_projector(browser: Browser, server: Server, seeded: Seeded) -> tuple[Page, Page]:
    """The facilitator's console, and the projector opened by its token (as the console's button does)."""
    current = seeded.phase_names()[seeded.session().phase_index]
    console = await new_page(browser, server, seeded.facilitator, DESKTOP)
    await goto(console, server.url("/session"))
    await main_area(console).get_by_role("heading", name=current, exact=True).wait_for(timeout=OPEN_MS)
    projector = await new_page(browser, server, None, PROJECTOR)
    await goto(projector, server.url(projector_path(seeded)))
    await shows(projector, TITLE, current, OPEN_MS)
    return console, projector


# --- 2. question latency ---------------------------------------------------------------------------


@dataclass
class Questions:
    seconds: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    asked: int = 0


async def measure_questions(browser: Browser, server: Server, seeded: Seeded, projector: Page, count: int) -> Questions:
    """One phone sends `count` questions, one after the other; each time runs from the click on Send (on the
    phone) to the question on the projector's board."""
    questions = Questions(asked=count)
    names = seeded.phase_names()
    seeded.go_to_phase(QUESTIONS_PHASE)
    await shows(projector, TITLE, names[QUESTIONS_PHASE])
    phone = await open_follow_page(browser, server, seeded, seeded.members[0], names[QUESTIONS_PHASE])
    label = datetime.now(UTC).strftime("%H%M%S")
    for number in range(1, count + 1):
        question = f"[{label}] Question {number:02d}: what did you need at that moment?"
        await main_area(phone).get_by_label(text("live.text"), exact=True).fill(question)
        send = main_area(phone).get_by_role("button", name=text("live.send"), exact=True)
        await arm(send, projector, BOARD_ITEM, question)
        _, took = await click_and_time(send, projector, timeout=10_000)
        if took is None:
            questions.problems.append(f"question {number}: not on the projector within 10 s")
        else:
            questions.seconds.append(took)
        try:
            await shows(phone, CONFIRMATION, text("live.sent"))
            await settle(phone)
        except Exception as problem:  # noqa: BLE001 - a finding for the report; the next question goes on
            questions.problems.append(f"question {number}: the phone did not confirm ({_short(problem)})")
        print(f"questions: {number:2d}/{count} {'—' if took is None else f'{took:.2f} s'}", flush=True)
    await close_all([phone])
    return questions


# --- 3. idle cost ----------------------------------------------------------------------------------


def cpu_pressure() -> float:
    """Seconds in which some task on the machine waited for a CPU (/proc/pressure/cpu, "some … total=" in µs;
    0 where the kernel does not say): other work slowing this run shows here, not in the server's CPU time."""
    try:
        line = Path("/proc/pressure/cpu").read_text().splitlines()[0]
    except (FileNotFoundError, IndexError):
        return 0.0
    return int(line.rsplit("total=", 1)[1]) / 1e6


@dataclass
class Span:
    """Over one stretch of wall time: the server's CPU time (with its children) and the bench process's own, as
    shares of one core, and the machine's CPU pressure (the share of the time some task waited for a CPU)."""

    server: float = 0.0
    bench: float = 0.0
    pressure: float = 0.0


class Measuring:
    """Start a Span now; `done()` ends it."""

    def __init__(self, server: Server) -> None:
        self.pid = server.process.pid
        self.wall, self.cpu, self.own, self.waited = (
            time.monotonic(),
            cpu_seconds(self.pid),
            time.process_time(),
            cpu_pressure(),
        )

    def done(self) -> Span:
        wall = max(1e-9, time.monotonic() - self.wall)
        return Span(
            (cpu_seconds(self.pid) - self.cpu) / wall,
            (time.process_time() - self.own) / wall,
            (cpu_pressure() - self.waited) / wall,
        )


async def cpu_share(server: Server, seconds: float) -> Span:
    """The server's CPU time over `seconds`, as a share of one core (with the machine's pressure beside it)."""
    measuring = Measuring(server)
    await asyncio.sleep(seconds)
    return measuring.done()


@dataclass
class Idle:
    seconds: float = 0.0  # each reading's length
    quiet: Span = field(default_factory=Span)  # nobody connected
    busy: Span = field(default_factory=Span)  # the phones open, nothing happening
    phones: int = 0  # asked for
    opened: int = 0
    still_following: int = 0  # phones that still showed the phase after the reading
    open_seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def baseline(self) -> float:
        return self.quiet.server

    @property
    def with_phones(self) -> float:
        return self.busy.server

    def cost(self) -> float:
        return self.with_phones - self.baseline


async def measure_idle(browser: Browser, server: Server, seeded: Seeded, phones: int, seconds: float) -> Idle:
    """A minute with nobody connected, then a minute with `phones` follow pages open and nothing happening."""
    idle = Idle(seconds=seconds, phones=phones)
    phase = seeded.phase_names()[seeded.session().phase_index]
    idle.quiet = await cpu_share(server, seconds)
    print(f"idle: nobody connected, the server uses {idle.baseline:.2%} of a core", flush=True)
    gate = asyncio.Semaphore(4)  # people arriving in a room, a few at a time

    async def arrive(number: int) -> Page:
        async with gate:
            return await open_follow_page(browser, server, seeded, seeded.members[number], phase)

    started = time.monotonic()
    outcomes = await asyncio.gather(*(arrive(number) for number in range(phones)), return_exceptions=True)
    idle.open_seconds = time.monotonic() - started
    pages = [outcome for outcome in outcomes if isinstance(outcome, Page)]
    idle.problems = [
        f"{seeded.members[number].name}: {_short(outcome)}"
        for number, outcome in enumerate(outcomes)
        if isinstance(outcome, BaseException)
    ]
    idle.opened = len(pages)
    await asyncio.gather(*(settle(page) for page in pages), return_exceptions=True)
    idle.busy = await cpu_share(server, seconds)
    print(f"idle: {idle.opened} phones open, the server uses {idle.with_phones:.2%} of a core", flush=True)

    async def following(page: Page) -> bool:
        try:
            await main_area(page).get_by_role("heading", name=phase, exact=True).wait_for(timeout=5_000)
        except Exception:  # noqa: BLE001 - counted: a phone that no longer shows the session
            return False
        return True

    idle.still_following = sum(await asyncio.gather(*(following(page) for page in pages)))
    await close_all(pages)
    return idle


# --- 4. capacity -----------------------------------------------------------------------------------


@dataclass
class Sender:
    """One participant's phone: the follow page as a websocket client, a question typed."""

    room: int
    person: Person
    phone: Phone
    question: str
    answers: dict[str, int] = field(default_factory=dict)  # none: check_board reads only person and question
    pushed: bool = False  # holds the server's change stream, as a page on the push version does
    clicked_at: float | None = None  # epoch seconds
    seconds: float | None = None  # click → "Sent to the board." on the phone
    problem: str | None = None


@dataclass
class Capacity:
    sessions: int = 0
    per_session: int = 0
    watched: int = 0
    ready: int = 0
    ready_seconds: float = 0.0
    waiting: Reading = field(default_factory=Reading)  # the server with everyone ready, before the clicks
    window: Span = field(default_factory=Span)  # over the ten seconds
    senders: list[Sender] = field(default_factory=list)
    on_projector: list[float] = field(default_factory=list)  # click → drawn on a watched projector
    checks: list[Check] = field(default_factory=list)
    opened_at: float = 0.0  # epoch seconds: the window's start

    def within_window(self) -> int:
        return sum(
            1
            for one in self.senders
            if one.seconds is not None
            and one.clicked_at is not None
            and one.clicked_at - self.opened_at + one.seconds <= WINDOW
        )

    def passed(self) -> bool:
        return bool(self.checks) and all(check.passed for check in self.checks)


async def get_sender(server: Server, room: Seeded, number: int, person: Person) -> Sender:
    cookie = f"{SESSION_COOKIE}={auth.open_session_for(db.database_at(room.db_path), person.id)}"
    phone = Phone(server.url("/"), cookie, room.follow_path())
    try:
        await phone.open(OPEN_MS / 1000)
    except BaseException:
        await phone.close()  # a phone that gave up leaves, as a browser tab closed by its owner
        raise
    question = f"{person.name}: what did you need at that moment?"
    phone.type_text(phone.find("text_area", lambda area: area.label == text("live.text")), question)
    pushed = await phone.follow_changes(CHANGE_STREAM.format(session_id=room.session_id), OPEN_MS / 1000)
    return Sender(number, person, phone, question, pushed=pushed)


async def send(sender: Sender, at: float) -> None:
    """At its moment in the window, press Send and wait for the phone's "Sent to the board."."""
    await asyncio.sleep(max(0.0, at - time.time()))
    phone = sender.phone
    button = phone.find("button", lambda found: found.label == text("live.send") and found.is_form_submitter)
    sender.clicked_at = time.time()
    started = time.perf_counter()
    try:
        await phone.click(button, WAIT_MS / 1000)
        answer = await phone.alert({Alert.SUCCESS, Alert.ERROR}, WAIT_MS / 1000)
    except TimeoutError:
        sender.problem = f"no confirmation within {WAIT_MS // 1000} s"
        return
    except Exception as problem:  # noqa: BLE001 - a closed connection is a finding, not the end of the run
        sender.problem = f"{type(problem).__name__}: {problem}"
        return
    if answer.body != text("live.sent"):
        sender.problem = f"the phone said: {answer.body}"
        return
    sender.seconds = time.perf_counter() - started


async def watched_projector(browser: Browser, server: Server, room: Seeded) -> Page:
    page = await new_page(browser, server, None, PROJECTOR)
    await goto(page, server.url(projector_path(room)))
    await shows(page, TITLE, room.phase_names()[QUESTIONS_PHASE], OPEN_MS)
    await page.evaluate(WATCH_BOARD, BOARD_ITEM)
    return page


async def drawn_up_to_date(projector: Page, room: Seeded) -> None:
    """Wait (half a minute at most) until the projector draws the room's newest stored question."""
    with db.reading(room.db_path) as unit:
        stored = store.board_items(unit, room.session_id)
    if stored:
        with contextlib.suppress(PlaywrightTimeoutError):
            await shows(projector, BOARD_ITEM, stored[-1].text, 30_000)


async def projector_shows(browser: Browser, server: Server, room: Seeded) -> str | None:
    """Open the session's projector afresh: it must draw the newest of the stored items (as many as it has room
    for, at least eight or all) and say how many more there are; None when it does, else what is wrong."""
    with db.reading(room.db_path) as unit:
        stored = [item.text for item in store.board_items(unit, room.session_id)]
    newest = list(reversed(stored))
    page = await new_page(browser, server, None, PROJECTOR)
    try:
        await goto(page, server.url(projector_path(room)))
        if newest:
            await shows(page, BOARD_ITEM, newest[0], OPEN_MS)
        shown: list[str] = await page.evaluate(BOARD_TEXTS, BOARD_ITEM)
        hidden = len(stored) - len(shown)
        if sorted(shown) != sorted(newest[: len(shown)]) or len(shown) < min(8, len(stored)):
            return f"shows {len(shown)} items, not the newest of {len(stored)}"
        if hidden > 0 and not await main_area(page).get_by_text(text("live.more", count=hidden), exact=True).count():
            return f"does not say {text('live.more', count=hidden)!r}"
        return None
    except Exception as problem:  # noqa: BLE001 - a finding for the report
        return _short(problem)
    finally:
        await close_all([page])


async def measure_capacity(browser: Browser, server: Server, rooms: list[Seeded], watched: int) -> Capacity:
    """Every participant of every room sends a question, the clicks shuffled and spread over SPREAD s."""
    capacity = Capacity(len(rooms), len(rooms[0].members), min(watched, len(rooms)))
    projectors = [await watched_projector(browser, server, room) for room in rooms[: capacity.watched]]
    gate = asyncio.Semaphore(8)  # phones open a few at a time, as people arriving in rooms

    async def arrive(number: int, person: Person) -> Sender:
        async with gate:
            return await get_sender(server, rooms[number], number, person)

    started = time.monotonic()
    people = [(number, person) for number, room in enumerate(rooms) for person in room.members]
    outcomes = await asyncio.gather(*(arrive(*one) for one in people), return_exceptions=True)
    capacity.ready_seconds = time.monotonic() - started
    capacity.senders = [outcome for outcome in outcomes if isinstance(outcome, Sender)]
    capacity.ready = len(capacity.senders)
    not_ready = [_short(outcome) for outcome in outcomes if isinstance(outcome, BaseException)]
    capacity.waiting = await read_server(server)
    print(
        f"capacity: {capacity.ready} of {len(people)} phones ready in {capacity.ready_seconds:.0f} s;"
        f" waiting, the server uses {capacity.waiting.cpu:.0%} of a core",
        flush=True,
    )
    order = list(capacity.senders)
    random.Random(20261202).shuffle(order)
    spacing = SPREAD / max(1, len(order))
    capacity.opened_at = time.time() + 0.5
    measuring = Measuring(server)
    await asyncio.gather(*(send(one, capacity.opened_at + index * spacing) for index, one in enumerate(order)))
    capacity.window = measuring.done()
    print(f"capacity: all answered {time.time() - capacity.opened_at:.1f} s after the window opened", flush=True)
    await asyncio.sleep(2)  # anything still on its way to the database
    # A slow projector's late questions count with their real times, not as never drawn: each watched projector
    # gets half a minute more to draw its room's newest question before what it drew is read.
    await asyncio.gather(*(drawn_up_to_date(page, room) for page, room in zip(projectors, rooms, strict=False)))
    seen = [await page.evaluate("() => window.__benchSeen") for page in projectors]
    await close_all(projectors)
    await asyncio.gather(*(one.phone.close() for one in capacity.senders))
    gate = asyncio.Semaphore(4)

    async def look(room: Seeded) -> str | None:
        async with gate:
            return await projector_shows(browser, server, room)

    shown = await asyncio.gather(*(look(room) for room in rooms))
    capacity.checks = capacity_checks(capacity, rooms, seen, shown, not_ready)
    return capacity


def capacity_checks(
    capacity: Capacity, rooms: list[Seeded], seen: list[dict[str, int]], shown: list[str | None], not_ready: list[str]
) -> list[Check]:
    senders, total = capacity.senders, capacity.sessions * capacity.per_session
    clicks = [one.clicked_at - capacity.opened_at for one in senders if one.clicked_at is not None]
    problems = sorted({one.problem for one in senders if one.problem})
    stored = [check_board(room, [one for one in senders if one.room == number]) for number, room in enumerate(rooms)]
    missed = []  # questions a watched projector never drew
    for number, drawn in enumerate(seen):
        for one in senders:
            if one.room != number or one.clicked_at is None:
                continue
            if one.question in drawn:
                capacity.on_projector.append(drawn[one.question] / 1000 - one.clicked_at)
            else:
                missed.append(one.question)
    wrong = [f"room {number + 1}: {problem}" for number, problem in enumerate(shown) if problem]
    confirmed = sum(1 for one in senders if one.seconds is not None)
    return [
        Check(
            "Every participant's phone opened",
            capacity.ready == total,
            f"{capacity.ready} of {total}" + "".join(f"; {one}" for one in not_ready[:3]),
        ),
        Check(
            'Every sender saw "Sent to the board."',
            confirmed == total,
            f"{confirmed} of {total}"
            + (f" ({total - capacity.ready} never opened)" if capacity.ready < total else "")
            + "".join(f"; {one}" for one in problems[:3]),
        ),
        Check(
            f"All clicks within {WINDOW:.0f} s",
            len(clicks) == total and max(clicks, default=WINDOW) < WINDOW,
            f"{len(clicks)} clicks, the last {max(clicks, default=0.0):.1f} s in",
        ),
        Check(
            "Board items stored exactly once, under their sender's name",
            all(check.passed for check in stored),
            f"{sum(check.passed for check in stored)} of {len(stored)} sessions"
            + "".join(f"; room {n + 1}: {check.detail}" for n, check in enumerate(stored) if not check.passed),
        ),
        Check(
            "Every projector shows them (opened afresh after the window)",
            not wrong,
            f"{len(shown) - len(wrong)} of {len(shown)} projectors show their newest items and how many more"
            + "".join(f"; {one}" for one in wrong[:3]),
        ),
        Check(
            "The watched projectors drew every question as it came",
            not missed,
            f"{len(capacity.on_projector)} of {len(capacity.on_projector) + len(missed)} drawn",
        ),
    ]


# --- the report ------------------------------------------------------------------------------------


@dataclass
class Run:
    arguments: argparse.Namespace
    label: str
    chromium: str = ""
    phase: Latency = field(default_factory=Latency)
    questions: Questions = field(default_factory=Questions)
    idle: Idle = field(default_factory=Idle)
    capacity: Capacity = field(default_factory=Capacity)
    checks: list[Check] = field(default_factory=list)
    room_log: list[Check] = field(default_factory=list)  # the server log of measurements 1–3
    errors: list[str] = field(default_factory=list)
    load_average: list[str] = field(default_factory=list)
    took: float = 0.0
    code: str = field(default_factory=code_version)


def p95(values: list[float]) -> float | None:
    return percentile(values, 0.95) if values else None


def summary(run: Run) -> dict[str, str]:
    """This run's line per target, as the table of targets shows it."""

    def seconds(values: list[float], target: float) -> str:
        value = p95(values)
        if value is None:
            return "not measured"
        verdict = "met" if value < target else "NOT met"
        return f"p95 {value:.2f} s ({verdict}; median {percentile(values, 0.5):.2f} s, n={len(values)})"

    idle, capacity = run.idle, run.capacity
    cost = idle.cost()
    return {
        "date": f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {run.code.split(',')[0]}",
        "phase": seconds(run.phase.seconds, PHASE_TARGET),
        "question": seconds(run.questions.seconds, QUESTION_TARGET),
        "question_under_load": (
            seconds(capacity.on_projector, QUESTION_TARGET)
            if capacity.on_projector or not capacity.sessions
            else f"none of the watched rooms' {capacity.watched * capacity.per_session} questions drawn"
        ),
        "idle": (
            f"{cost:.2%} of a core ({'met' if cost < IDLE_TARGET else 'NOT met'}; {idle.with_phones:.2%} with"
            f" {idle.opened} phones − {idle.baseline:.2%} baseline)"
            if idle.opened
            else "not measured"
        ),
        "capacity": (
            f"{capacity.within_window()} of {capacity.sessions * capacity.per_session} within 10 s, checks"
            f" {'passed' if capacity.passed() else 'FAILED'}"
            f" ({'met' if capacity.passed() and capacity.within_window() >= CAPACITY_TARGET else 'NOT met'})"
            if capacity.sessions
            else "not measured"
        ),
        "load": " … ".join(run.load_average),
        "pressure": (
            f"{idle.quiet.pressure:.0%} and {idle.busy.pressure:.0%} in the idle readings,"
            f" {capacity.window.pressure:.0%} in the capacity window"
        ),
    }


def remembered(run: Run) -> dict[str, dict[str, str]]:
    """Every labelled run so far, this one (re)placed under its label."""
    runs = json.loads(RUNS.read_text()) if RUNS.exists() else {}
    runs[run.label] = summary(run)
    RUNS.write_text(json.dumps(runs, indent=2, ensure_ascii=False) + "\n")
    return runs


def _targets(runs: dict[str, dict[str, str]]) -> list[str]:
    labels = list(runs)
    rows = [
        ("phase", 'Phase latency: click on "Next phase" → the projector shows it', f"p95 < {PHASE_TARGET} s"),
        ("question", "Question latency: Send on a phone → on the projector (quiet room)", f"p95 < {QUESTION_TARGET} s"),
        (
            "question_under_load",
            "… the same during the capacity run (watched projectors)",
            f"p95 < {QUESTION_TARGET} s",
        ),
        ("idle", "Idle cost of 30 phones on the follow page", f"< {IDLE_TARGET:.0%} of a core"),
        ("capacity", "Capacity of one process", f"≥ {CAPACITY_TARGET} within 10 s, every check"),
        ("date", "Measured", ""),
        ("load", "Load average (1 min) at the start … end", ""),
        ("pressure", "The machine's CPU pressure (some task waiting for a CPU)", ""),
    ]
    lines = [
        "| target (issue 17) | goal | " + " | ".join(labels) + " |",
        "|---|---|" + "---|" * len(labels),
    ]
    for key, name, goal in rows:
        lines.append(f"| {name} | {goal} | " + " | ".join(runs[label].get(key, "—") for label in labels) + " |")
    return lines


def report(run: Run, runs: dict[str, dict[str, str]]) -> str:
    arguments, idle, capacity = run.arguments, run.idle, run.capacity
    failed = [check.name for check in run.checks if not check.passed]
    board = [one.seconds for one in capacity.senders if one.seconds is not None]
    lines = [
        "# The room: issue 17's live targets (`bench/room.py`, `make bench-live`)",
        "",
        "Each column is one labelled run (`--label`; kept in bench/room-runs.json); the details below are the"
        " latest run's. The bench sees only what a person sees and what the server pays, so it measures polling"
        " and push alike.",
        "",
        *_targets(runs),
        "",
        f"## The latest run: {run.label}",
        "",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; the whole run took {run.took:.0f} s",
        f"- Machine: {machine()}; {load_note(run.load_average)}",
        f"- Python {platform.python_version()}, Streamlit {streamlit.__version__}, Playwright {version('playwright')},"
        f" Chromium {run.chromium} (headless; one browser, a context per person)",
        f"- Code: {run.code}",
        f"- Parameters: --moves {arguments.moves} --questions {arguments.questions} --phones {arguments.phones}"
        f" --idle-seconds {arguments.idle_seconds:.0f} --sessions {arguments.sessions} --per-session"
        f" {arguments.per_session} --watched {arguments.watched}",
        f"- Outcome: {'every check passed' if not failed else 'FAILED: ' + '; '.join(failed)}",
        "",
        "### 1–3 on one server",
        "",
        f"`streamlit run app.py` on a fresh SQLite store built through the core: one group of {arguments.phones}"
        f" members and a facilitator, a session of `{METHOD}` (ten phases, distinct names), English on the"
        " projector. People are signed in with a sign-in session from `intervision.auth` in the app's cookie.",
        "",
        f"- Phase latency: the console (1280×900) and the projector (1920×1080, opened by its token) in one"
        f' Chromium; {len(run.phase.seconds)} clicks on "Next phase", each from the click (a listener on the'
        " console) to the new phase's title on the projector (a MutationObserver), both by the browser's clock."
        f" At the last phase the session went back to the first through the core, untimed ({run.phase.rewinds}×).",
        f"- Question latency: one phone (the follow page at 390×844) sends {run.questions.asked} questions one after"
        " the other in the questions phase; from the click on Send (on the phone) to the question in the"
        " projector's board (a MutationObserver on the projector).",
        f"- Idle cost: the server's CPU time (utime + stime of the process and its children, /proc/<pid>/stat)"
        f" over {idle.seconds:.0f} s with nobody connected, then over {idle.seconds:.0f} s with {idle.opened} follow"
        f" pages open (of {idle.phones}; each a Chromium context at 390×844 signed in as another member; opened in"
        f" {idle.open_seconds:.0f} s, four at a time), nothing happening. {idle.still_following} of them still"
        " showed the phase afterwards.",
        "",
        "| measurement | n | median s | p95 s | min s | max s |",
        "|---|---:|---:|---:|---:|---:|",
        f"| phase: click → projector | {len(run.phase.seconds)} | {spread(run.phase.seconds)} |",
        f"| question: click → projector | {len(run.questions.seconds)} | {spread(run.questions.seconds)} |",
        "",
        f"| over {idle.seconds:.0f} s each | nobody connected | {idle.opened} phones, idle | cost of the phones"
        " | per phone |",
        "|---|---:|---:|---:|---:|",
        f"| the server's CPU, share of one core | {idle.baseline:.2%} | {idle.with_phones:.2%} | {idle.cost():.2%} |"
        f" {idle.cost() / max(1, idle.opened):.3%} |",
        f"| the machine's CPU pressure (some task waiting for a CPU) | {idle.quiet.pressure:.0%}"
        f" | {idle.busy.pressure:.0%} | | |",
        "",
        "### 4. Capacity: one server process",
        "",
        f'A second `streamlit run app.py` on a fresh SQLite store: {capacity.sessions} groups ("rooms") of'
        f" {capacity.per_session} members and a facilitator, each group's session of `{METHOD}` in its questions"
        f" phase. What is simulated and how:",
        "",
        f"- {capacity.sessions * capacity.per_session} participants, each a websocket client of Streamlit's own"
        " protocol (bench/phones.py: BackMsg/ForwardMsg as the browser's frontend sends and receives them, without"
        " drawing), with the app's sign-in cookie, holding the follow page of its room's session: it reruns the"
        " page's fragments when the server asks (`st.fragment(run_every=…)`), types its question and submits the"
        " send form (one rerun with the form's widget values and the button's trigger). All of them run in the"
        " bench's one process, on the same 2-core machine as the server and the browsers.",
        f"- Push: {sum(one.pushed for one in capacity.senders)} of {len(capacity.senders)} phones held the server's"
        f" change stream (`{CHANGE_STREAM}`, server-sent events) and reran the page's fragments each time it said the"
        " session changed, as a browser page on the push version does; 0 means this server has no such stream"
        " (it polls), and the phones followed the fragments' timers alone.",
        f"- The projectors of {capacity.watched} rooms are real Chromium pages (1920×1080), open from before the first"
        " phone arrives to after the last question; a MutationObserver records when each question is first drawn"
        " (after the window each has up to 30 s more to draw its room's newest question before the record is read).",
        "- The facilitators' consoles are not open (a real room would have one each).",
        f"- The {len(capacity.senders)} clicks on Send, shuffled over all rooms, are spread evenly over {SPREAD:.0f} s;"
        " each time runs from the click to the phone's \"Sent to the board.\" (the driver's wall clock). A"
        " participant counts as within 10 s when the confirmation came within the window's ten seconds.",
        "- Afterwards: every room's board in the store holds each question exactly once under its sender's name;"
        " every room's projector, opened afresh in Chromium, draws the newest of its items and says how many more;"
        ' the server log holds no "database is locked" and no traceback.',
        "",
        f"Ready: {capacity.ready} phones in {capacity.ready_seconds:.0f} s (eight at a time). The server's CPU, as a"
        f" share of one core: {capacity.waiting.cpu:.0%} with everyone ready and waiting (over 5 s),"
        f" {capacity.window.server:.0%} during the window, while the bench's own process (all the websocket phones)"
        f" used {capacity.window.bench:.0%} and some task on the machine waited for a CPU"
        f" {capacity.window.pressure:.0%} of the time (/proc/pressure/cpu, other helpers' work included);"
        f" {capacity.waiting.median:.0f} MiB resident while waiting.",
        "",
        "| submissions | n | median s | p95 s | min s | max s |",
        "|---|---:|---:|---:|---:|---:|",
        f'| click → "Sent to the board." on the phone | {len(board)} | {spread(board)} |',
        f"| click → drawn on a watched projector | {len(capacity.on_projector)} | {spread(capacity.on_projector)} |",
        "",
        "### Checks",
        "",
        "| check | outcome | detail |",
        "|---|---|---|",
        *[f"| {check.name} | {'yes' if check.passed else 'NO'} | {check.detail} |" for check in run.checks],
    ]
    return "\n".join(lines)


# --- the run -----------------------------------------------------------------------------------------


def start_on(port: int, folder: Path) -> Server:
    """`streamlit run app.py` on one of this bench's ports, on the store in `folder`."""
    return launch_server(port, folder / "intervision.db", folder / f"server-{port}.log")


async def one_room(browser: Browser, server: Server, seeded: Seeded, run: Run) -> None:
    """Measurements 1–3 on one server: idle first, on a server nobody has used but for one warm-up visit."""
    arguments = run.arguments
    warm = await new_page(browser, server, seeded.facilitator, DESKTOP)
    await goto(warm, server.url("/"))
    await close_all([warm])
    run.idle = await measure_idle(browser, server, seeded, arguments.phones, arguments.idle_seconds)
    console, projector = await console_and_projector(browser, server, seeded)
    run.phase = await measure_latency(console, projector, seeded, arguments.moves)
    run.questions = await measure_questions(browser, server, seeded, projector, arguments.questions)
    await close_all([console, projector])


async def drive(run: Run, folder: Path) -> list[Server]:
    arguments = run.arguments
    servers: list[Server] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        run.chromium = browser.version
        try:
            if arguments.phones or arguments.moves or arguments.questions:
                one = folder / "one-room"
                one.mkdir()
                seeded = seed(one / "intervision.db", max(1, arguments.phones))
                servers.append(start_on(arguments.port, one))
                try:
                    await one_room(browser, server := servers[-1], seeded, run)
                except Exception as problem:  # noqa: BLE001 - reported as a failed check with what was measured
                    traceback.print_exc()
                    run.errors.append(f"1–3: {_short(problem)}")
                finally:
                    server.stop()
                run.room_log = check_log(server.log())
            if arguments.sessions:
                many = folder / "rooms"
                many.mkdir()
                database = Database.for_path(many / "intervision.db")
                started = time.monotonic()
                with quick_password_hashing():
                    rooms = seed_rooms(database, arguments.sessions, arguments.per_session)
                print(f"capacity: seeded {len(rooms)} rooms in {time.monotonic() - started:.0f} s", flush=True)
                servers.append(start_on(arguments.port + 1, many))
                try:
                    run.capacity = await measure_capacity(browser, servers[-1], rooms, arguments.watched)
                except Exception as problem:  # noqa: BLE001 - as above
                    traceback.print_exc()
                    run.errors.append(f"4: {_short(problem)}")
                finally:
                    servers[-1].stop()
                    database.dispose()
                # The capacity run passes only with a clean log: part of its own checks.
                run.capacity.checks += check_log(servers[-1].log())
        finally:
            await browser.close()
    return servers


def all_checks(run: Run) -> list[Check]:
    arguments, idle = run.arguments, run.idle
    checks = [Check("The run completed", not run.errors, "; ".join(run.errors) or "every measurement ran")]
    if arguments.phones:
        detail = f"{idle.opened} of {idle.phones} opened, {idle.still_following} still showed the phase afterwards"
        checks.append(
            Check(
                "Every idle phone opened and kept following",
                idle.opened == idle.still_following == idle.phones,
                detail + "".join(f"; {one}" for one in idle.problems[:3]),
            )
        )
    if arguments.moves:
        moved = len(run.phase.seconds) == arguments.moves and not run.phase.problems
        detail = f"{len(run.phase.seconds)} of {arguments.moves}" + "".join(f"; {one}" for one in run.phase.problems)
        checks.append(Check("Every click moved one phase and reached the projector", moved, detail))
    if arguments.questions:
        asked = len(run.questions.seconds) == arguments.questions and not run.questions.problems
        detail = f"{len(run.questions.seconds)} of {arguments.questions}" + "".join(
            f"; {one}" for one in run.questions.problems
        )
        checks.append(Check("Every question from the phone confirmed and on the projector", asked, detail))
    checks += [Check(f"{check.name}, measurements 1–3", check.passed, check.detail) for check in run.room_log]
    checks += [Check(f"Capacity: {check.name}", check.passed, check.detail) for check in run.capacity.checks]
    return checks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--label", default="", help='this run\'s column in the table, e.g. "after (push)"')
    parser.add_argument("--moves", type=int, default=40, help="timed clicks on Next phase (default 40)")
    parser.add_argument("--questions", type=int, default=20, help="timed questions from one phone (default 20)")
    parser.add_argument("--phones", type=int, default=30, help="idle phones (default 30)")
    parser.add_argument("--idle-seconds", type=float, default=60.0, help="each idle reading's length (default 60)")
    parser.add_argument("--sessions", type=int, default=30, help="rooms in the capacity run (default 30)")
    parser.add_argument("--per-session", type=int, default=10, help="participants per room (default 10)")
    parser.add_argument("--watched", type=int, default=3, help="rooms whose projector Chromium watches (default 3)")
    parser.add_argument("--port", type=int, default=PORT, help=f"first of two ports (default {PORT})")
    arguments = parser.parse_args()
    if not CHROMIUM.exists():
        sys.exit(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    wait_until_quiet()
    label = arguments.label or "latest run"  # unlabelled runs replace each other's column
    run = Run(arguments, label, load_average=[load_average()])
    started = time.monotonic()
    folder = Path(tempfile.mkdtemp(prefix="intervision-bench-room-"))
    os.environ["INTERVISION_DB"] = str(folder / "unused.db")  # no core call here may touch data/ by default
    asyncio.run(drive(run, folder))
    run.load_average.append(load_average())
    run.took = time.monotonic() - started
    run.checks = all_checks(run)
    write_section("room", report(run, remembered(run)))
    for check in run.checks:
        print(f"{'ok    ' if check.passed else 'FAILED'} {check.name}: {check.detail}", flush=True)
    print(json.dumps(summary(run), indent=2, ensure_ascii=False), flush=True)
    if all(check.passed for check in run.checks):
        shutil.rmtree(folder)
        return
    print(f"the server logs and databases are kept in {folder}", flush=True)
    sys.exit(1)


if __name__ == "__main__":
    main()
