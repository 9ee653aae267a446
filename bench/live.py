"""A live session on a real server, in real Chromium: how fast the projector follows the console, what
many phones and survey answers at once do to the server, and how much memory open sessions hold.

    make bench          # or: .venv/bin/python bench/live.py [--participants 30] [--sessions 50] [--moves 20]

Builds a fresh database through the core (one organisation, one group with a facilitator and
max(participants, sessions) members, a live session of the ten-step method, an open survey wave), starts
`streamlit run app.py` on it (tests/e2e/e2e_support.start_server) and drives Playwright's Chromium with
one browser context per person, signed in with a sign-in session from `intervision.auth` in the app's own
cookie. Three measurements, in this order:

1. memory: the server's VmRSS (with any children) idle after startup, with one and with N signed-in
   sessions on the home page, and after they closed;
2. latency: the facilitator clicks "Next phase" on the console; the clock stops when the projector
   (a second page, opened by the link the console shows) draws the new phase's title;
3. load: every participant sends a question from the follow page and saves the open survey, all clicks
   spread over ten seconds; each time runs from the click to the page's confirmation. Afterwards the
   database is read to check that every submission was stored exactly once, and the server log for
   "database is locked" and tracebacks.

Writes its section ("live") of bench/RESULTS.md. Exits non-zero when a check fails (a page that did not
open, a submission not confirmed or not stored exactly once, a lock error or traceback in the log, a
click that moved the session by other than one phase); the latency target is reported, not enforced.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Protocol

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "e2e")]

import streamlit  # noqa: E402
from e2e_support import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    SESSION_COOKIE,
    SETTLED,
    Server,
    button_name,
    start_server,
    text,
)
from playwright.async_api import Browser, Locator, Page, async_playwright, expect  # noqa: E402
from playwright.async_api import TimeoutError as PlaywrightTimeoutError  # noqa: E402

from bench.results import write_section  # noqa: E402
from intervision import accounts, auth, db, groups, invitations, live, store, surveys  # noqa: E402
from intervision.database import Database  # noqa: E402
from intervision.models import (  # noqa: E402
    Contract,
    FirstRunInput,
    GroupInput,
    GroupRole,
    InvitationInput,
    JoinInput,
    Language,
    LiveSession,
    NewAccountInput,
    Person,
    StartSessionInput,
)

PASSWORD = "bench-intervisie"
METHOD = "ten_step"  # ten phases with distinct names; phase 1 collects questions
QUESTIONS_PHASE = 1
INSTRUMENT = "session_evaluation"
LATENCY_TARGET = 1.5  # seconds, from the issue
WINDOW = 10.0  # seconds within which every participant's clicks must fall
# The clicks are spread over the window's first nine seconds: with sixty pages open, the driver itself can
# be a moment late, and a click it sent late would fall outside the window without the server being slow.
SPREAD = WINDOW - 1.0
WAIT_MS = 30_000  # for a heading, a script run to finish
CONFIRM_MS = 60_000  # for a confirmation after a click: slow is measured, only never is a failure
OPEN_MS = 120_000  # for a page to load: on a busy machine with many sessions polling, loading is slow
DESKTOP = {"width": 1280, "height": 900}
PROJECTOR = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}
TITLE = '[data-testid="stMain"] h1'
CONFIRMATION = '[data-testid="stMain"] [data-testid="stAlertContentSuccess"] [data-testid="stMarkdownContainer"]'
# Times are taken inside the browser, so a busy test driver does not add to them: the click's moment by a
# listener, the moment a text is drawn by a MutationObserver. Date.now() is the machine's clock, the same
# in every page, so a click on one page and a text on another can be compared.
SHOWN = """([selector, wanted]) => [...document.querySelectorAll(selector)].some(
    element => element.textContent.trim() === wanted && element.getClientRects().length > 0)"""
WATCH_CLICK = """() => {
  window.__benchClicked = null;
  document.addEventListener('click', () => { window.__benchClicked = Date.now(); }, {capture: true, once: true});
}"""
WATCH_TEXT = """([selector, wanted]) => {
  const shown = () => [...document.querySelectorAll(selector)].some(
    element => element.textContent.trim() === wanted && element.getClientRects().length > 0);
  window.__benchShown = shown() ? -1 : null;  // -1: there before the click, so nothing to time
  const observer = new MutationObserver(() => {
    if (window.__benchShown === null && shown()) {
      window.__benchShown = Date.now();
      observer.disconnect();
    }
  });
  observer.observe(document.body, {childList: true, subtree: true, characterData: true, attributes: true});
}"""
ERRORS = '[data-testid="stAlertContentError"]'


# --- the organisation, through the core ------------------------------------------------------------


@dataclass(frozen=True)
class Seeded:
    """What the measurements need to know about the data built for them."""

    db_path: Path
    facilitator: Person
    members: tuple[Person, ...]
    session_id: int
    wave_id: int

    def session(self) -> LiveSession:
        with db.reading(self.db_path) as conn:
            return store.live_session(conn, self.session_id)

    def phase_names(self) -> list[str]:
        method = live.session_method(db.database_at(self.db_path), self.session())
        return [phase.name(Language.EN) for phase in method.phases]

    def follow_path(self) -> str:
        return f"/follow?code={self.session().join_code}"

    def go_to_phase(self, index: int) -> None:
        """Move the session to phase `index` as the facilitator, through the core (not measured)."""
        session = self.session()
        if session.phase_index != index:
            live.move(
                db.database_at(self.db_path),
                self.facilitator,
                self.session_id,
                session.revision,
                index - session.phase_index,
            )


def _account(db_path: Path, code: str, name: str, email: str) -> Person:
    form = NewAccountInput(name=name, email=email, password=PASSWORD, password_again=PASSWORD, language=Language.EN)
    person_id = invitations.create_account_with_code(db.database_at(db_path), form, JoinInput(code=code))
    return accounts.person(db.database_at(db_path), person_id)


def _invitation(db_path: Path, coordinator: Person, group_id: int, role: GroupRole, uses: int) -> str:
    form = InvitationInput(group_id=group_id, group_role=role, max_uses=uses)
    return invitations.create_invitation(db.database_at(db_path), coordinator, form).code


def seed(db_path: Path | Database, people: int) -> Seeded:
    """A fresh database: one group of `people` members and its facilitator, a session under way in its
    questions phase, and an open survey wave, everything through the core as the pages would do it."""
    db.migrate(db_path)
    first = FirstRunInput(
        organisation_name="Bench organisation",
        name="Bench Coordinator",
        email="coordinator@bench.example",
        password=PASSWORD,
        password_again=PASSWORD,
        language=Language.EN,
    )
    coordinator = accounts.person(
        db.database_at(db_path), accounts.create_first_coordinator(db.database_at(db_path), first)
    )
    contract = Contract(
        meets_every_weeks=4,
        session_minutes=120,
        confidentiality="What is said here stays here.",
        start_date=date.today(),
    )
    # The group speaks English on the projector (a group's setting, Dutch unless chosen): the bench reads it.
    group = GroupInput(name="Bench group", contract=contract, language=Language.EN)
    group_id = groups.create_group(db.database_at(db_path), coordinator, group)
    code = _invitation(db_path, coordinator, group_id, GroupRole.FACILITATOR, 1)
    facilitator = _account(db_path, code, "Bench Facilitator", "facilitator@bench.example")
    members: list[Person] = []
    while len(members) < people:
        uses = min(100, people - len(members))
        code = _invitation(db_path, coordinator, group_id, GroupRole.MEMBER, uses)
        for _ in range(uses):
            number = len(members) + 1
            members.append(
                _account(db_path, code, f"Participant {number:02d}", f"participant{number:02d}@bench.example")
            )
    start = StartSessionInput(group_id=group_id, spot_case_title="A colleague who never says no", method_id=METHOD)
    session_id = live.start_session(db.database_at(db_path), facilitator, start)
    wave_id = surveys.open_wave(db.database_at(db_path), facilitator, group_id, INSTRUMENT, "after_session")
    seeded = Seeded(db_path, facilitator, tuple(members), session_id, wave_id)
    live.begin_phases(db.database_at(db_path), facilitator, session_id, seeded.session().revision)
    seeded.go_to_phase(QUESTIONS_PHASE)
    return seeded


# --- the server's memory ---------------------------------------------------------------------------


def _with_descendants(pid: int) -> list[int]:
    found = [pid]
    for process in found:  # grows while it is walked: children, grandchildren, …
        for children in Path(f"/proc/{process}/task").glob("*/children"):
            try:
                found += [int(child) for child in children.read_text().split()]
            except FileNotFoundError:
                continue
    return found


def resident_mb(pid: int) -> float:
    """VmRSS of the process and its descendants, in MiB, as /proc/<pid>/status reports it."""
    kilobytes = 0
    for process in _with_descendants(pid):
        try:
            status = Path(f"/proc/{process}/status").read_text()
        except FileNotFoundError:
            continue
        if match := re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE):
            kilobytes += int(match.group(1))
    return kilobytes / 1024


def cpu_seconds(pid: int) -> float:
    """User and system time the process and its descendants have used (/proc/<pid>/stat)."""
    ticks = 0
    for process in _with_descendants(pid):
        try:
            fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime: fields 14 and 15 of stat(5)
    return ticks / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Reading:
    """The server's memory (median and highest VmRSS, MiB) and its CPU use (share of one core) over a few seconds."""

    median: float = 0.0
    highest: float = 0.0
    cpu: float = 0.0

    def row(self, state: str) -> str:
        return f"| {state} | {self.median:.0f} | {self.highest:.0f} | {self.cpu:.0%} |"


async def read_server(server: Server, seconds: float = 5.0, samples: int = 5) -> Reading:
    """Five readings over five seconds: one reading can catch a rerun half-way."""
    pid = server.process.pid
    readings = []
    started, used = time.monotonic(), cpu_seconds(pid)
    for _ in range(samples):
        readings.append(resident_mb(pid))
        await asyncio.sleep(seconds / samples)
    cpu = (cpu_seconds(pid) - used) / (time.monotonic() - started)
    return Reading(statistics.median(readings), max(readings), cpu)


# --- pages ---------------------------------------------------------------------------------------


def main_area(page: Page) -> Locator:
    return page.locator('[data-testid="stMain"]')


async def settle(page: Page, timeout: int = WAIT_MS) -> None:
    """Streamlit finished its script run, and no new one started in the moment after (as e2e_support)."""
    await page.wait_for_selector(SETTLED, state="attached", timeout=timeout)
    await page.wait_for_timeout(200)
    await page.wait_for_selector(SETTLED, state="attached", timeout=timeout)


async def goto(page: Page, url: str) -> None:
    await page.goto(url, wait_until="domcontentloaded", timeout=OPEN_MS)
    await settle(page, OPEN_MS)


async def new_page(browser: Browser, server: Server, person: Person | None, viewport: dict[str, int]) -> Page:
    """A page in a browser context of its own; signed in as `person` the way the cookie route does it:
    a sign-in session from the core, its token in the app's HttpOnly cookie. A phone-sized one is a phone."""
    phone = viewport == PHONE
    context = await browser.new_context(
        locale="en-US", viewport=viewport, is_mobile=phone, has_touch=phone, device_scale_factor=2 if phone else 1
    )
    context.set_default_timeout(WAIT_MS)
    if person is not None:
        token = auth.open_session_for(db.database_at(server.db_path), person.id)
        cookie = {"name": SESSION_COOKIE, "value": token, "url": server.url("/"), "httpOnly": True, "sameSite": "Lax"}
        await context.add_cookies([cookie])
    return await context.new_page()


async def close_all(pages: list[Page]) -> None:
    await asyncio.gather(*(page.context.close() for page in pages))


@asynccontextmanager
async def closed_on_failure(page: Page) -> AsyncIterator[None]:
    """A person whose page did not open leaves: a half-open page left behind would keep loading the server."""
    try:
        yield
    except BaseException:
        await page.context.close()
        raise


async def shows(page: Page, selector: str, wanted: str, timeout: int = WAIT_MS) -> None:
    """Wait until the page draws `wanted` as the whole text of an element matching `selector`."""
    await page.wait_for_function(SHOWN, arg=[selector, wanted], polling=50, timeout=timeout)


async def arm(button: Locator, watcher: Page, selector: str, wanted: str) -> None:
    """Get ready to time a click on `button` until `watcher` draws `wanted`: the listener, the observer,
    and the driver's own checks (visible, stable) done beforehand, so the click itself is quick."""
    await button.click(trial=True)
    await watcher.evaluate(WATCH_TEXT, [selector, wanted])
    await button.page.evaluate(WATCH_CLICK)


async def click_and_time(button: Locator, watcher: Page, timeout: int) -> tuple[float, float | None]:
    """Click an armed button; the click's moment (epoch seconds) and the seconds until the watcher drew
    its text (None: not within `timeout` ms), both by the browser's clock."""
    # Real mouse events without the driver's checks again (`arm` did them): on a page that redraws every
    # second or two they can hold a click back by seconds, which would spread the clicks out of the window.
    await button.click(force=True)
    clicked = await button.page.evaluate("() => window.__benchClicked")
    if clicked is None:
        raise RuntimeError("the page did not see the click")
    try:
        handle = await watcher.wait_for_function("() => window.__benchShown", polling=100, timeout=timeout)
    except PlaywrightTimeoutError:
        return clicked / 1000, None
    shown = await handle.json_value()
    if shown < 0:
        raise RuntimeError("nothing to time: the text was shown before the click")
    return clicked / 1000, (shown - clicked) / 1000


def _short(problem: BaseException) -> str:
    """An exception in one line, for the report (without Playwright's call log)."""
    message = str(problem).split("Call log:")[0]
    return f"{type(problem).__name__}: {' '.join(message.split())[:200]}"


async def error_texts(page: Page) -> list[str]:
    try:
        return await page.locator(ERRORS).all_inner_texts()
    except Exception:  # noqa: BLE001 - only for the report; the page may be gone
        return []


# --- 1. memory -----------------------------------------------------------------------------------


@dataclass
class Memory:
    idle: Reading = field(default_factory=Reading)
    one: Reading = field(default_factory=Reading)
    many: Reading = field(default_factory=Reading)
    after: Reading = field(default_factory=Reading)
    sessions: int = 0  # asked for
    opened: int = 0  # open when `many` was read
    open_seconds: float = 0.0
    problems: list[str] = field(default_factory=list)
    processes: int = 1  # the server and its descendants at the reading with most sessions open


async def open_follow_page(browser: Browser, server: Server, seeded: Seeded, person: Person, phase: str) -> Page:
    page = await new_page(browser, server, person, PHONE)
    async with closed_on_failure(page):
        await goto(page, server.url(seeded.follow_path()))
        await main_area(page).get_by_role("heading", name=phase, exact=True).wait_for(timeout=OPEN_MS)
    return page


async def warm_up(browser: Browser, server: Server, seeded: Seeded) -> None:
    """One visit to the home page, as a server in use has had, so that the first measurement does not pay
    for the first run's imports."""
    page = await new_page(browser, server, seeded.facilitator, DESKTOP)
    await goto(page, server.url("/"))
    await close_all([page])


async def open_home_page(browser: Browser, server: Server, person: Person) -> Page:
    page = await new_page(browser, server, person, PHONE)
    async with closed_on_failure(page):
        await goto(page, server.url("/"))
        welcome = main_area(page).get_by_role("heading", name=text("home.title", name=person.name))
        await welcome.wait_for(timeout=OPEN_MS)
    return page


async def measure_memory(browser: Browser, server: Server, seeded: Seeded, sessions: int, memory: Memory) -> None:
    """One, then `sessions` signed-in people with the home page open. The home page, not the follow page:
    every follow page reruns a fragment every 2 s, and on a small machine the CPU runs out before 50 of
    them are open (the load measurement shows what 30 of them cost)."""
    memory.sessions = sessions
    people = seeded.members[:sessions]
    await warm_up(browser, server, seeded)
    started = time.monotonic()
    pages = [await open_home_page(browser, server, people[0])]
    memory.one = await read_server(server)
    print(f"memory: 1 session {memory.one.median:.0f} MiB", flush=True)
    gate = asyncio.Semaphore(4)  # open a few at a time: the point is the open sessions, not a stampede

    async def open_one(person: Person) -> Page:
        async with gate:
            return await open_home_page(browser, server, person)

    opened = await asyncio.gather(*(open_one(person) for person in people[1:]), return_exceptions=True)
    memory.problems = [
        f"{person.name}: {_short(page)}"
        for person, page in zip(people[1:], opened, strict=True)
        if isinstance(page, Exception)
    ]
    pages += [page for page in opened if not isinstance(page, Exception)]
    memory.open_seconds = time.monotonic() - started
    memory.opened = len(pages)
    await asyncio.sleep(5)
    memory.many = await read_server(server)
    memory.processes = len(_with_descendants(server.process.pid))
    print(
        f"memory: {len(pages)} sessions {memory.many.median:.0f} MiB, server CPU {memory.many.cpu:.0%}"
        f" (opened in {memory.open_seconds:.0f} s)",
        flush=True,
    )
    await close_all(pages)
    await asyncio.sleep(10)
    memory.after = await read_server(server)
    print(f"memory: 10 s after they closed {memory.after.median:.0f} MiB", flush=True)


# --- 2. latency ----------------------------------------------------------------------------------


@dataclass
class Latency:
    seconds: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    rewinds: int = 0


async def console_and_projector(browser: Browser, server: Server, seeded: Seeded) -> tuple[Page, Page]:
    """The facilitator's console, and the projector opened by the link the console shows."""
    names = seeded.phase_names()
    console = await new_page(browser, server, seeded.facilitator, DESKTOP)
    await goto(console, server.url("/session"))
    current = names[seeded.session().phase_index]
    await main_area(console).get_by_role("heading", name=current, exact=True).wait_for()
    await main_area(console).get_by_text(text("live.join_code", code=seeded.session().join_code)).click()
    link = main_area(console).locator('[data-testid="stCode"]').filter(has_text="/projector?token=")
    url = (await link.inner_text()).strip()
    projector = await new_page(browser, server, None, PROJECTOR)
    await goto(projector, url)
    await shows(projector, TITLE, current)
    return console, projector


async def on_both(console: Page, projector: Page, name: str) -> None:
    """Wait until the console (settled, its buttons drawn for this phase) and the projector show `name`."""
    await main_area(console).get_by_role("heading", name=name, exact=True).wait_for()
    await settle(console)
    await shows(projector, TITLE, name)


async def one_move(console: Page, projector: Page, seeded: Seeded, latency: Latency, number: int) -> float | None:
    """Click "Next phase" once; the seconds until the projector shows the next phase (None: it did not)."""
    names = seeded.phase_names()
    before = seeded.session().phase_index
    following = names[before + 1]
    next_phase = main_area(console).get_by_role("button", name=button_name(text("live.next")))
    await arm(next_phase, projector, TITLE, following)
    _, took = await click_and_time(next_phase, projector, timeout=10_000)
    if took is None:
        latency.problems.append(f"move {number}: the projector did not show {following!r} within 10 s")
    await on_both(console, projector, following)
    after = seeded.session().phase_index
    if after != before + 1:
        latency.problems.append(f"move {number}: one click moved the session from phase {before} to {after}")
    return took


async def measure_latency(console: Page, projector: Page, seeded: Seeded, moves: int) -> Latency:
    """`moves` clicks on "Next phase"; at the last phase the session goes back to the first through the
    core (not timed), so every timed move is a real "next"."""
    latency = Latency()
    names = seeded.phase_names()
    for number in range(1, moves + 1):
        if seeded.session().phase_index + 1 >= len(names):
            seeded.go_to_phase(0)
            latency.rewinds += 1
            await on_both(console, projector, names[0])
        took = await one_move(console, projector, seeded, latency, number)
        if took is not None:
            latency.seconds.append(took)
        print(f"latency: move {number:2d}/{moves} {'—' if took is None else f'{took:.2f} s'}", flush=True)
    return latency


# --- 3. load -------------------------------------------------------------------------------------


@dataclass
class Participant:
    """One person's phone: the follow page with a question typed, and the survey with answers ticked."""

    person: Person
    follow: Page
    survey: Page
    question: str
    answers: dict[str, int]

    def send(self) -> Locator:
        return main_area(self.follow).get_by_role("button", name=text("live.send"), exact=True)

    def save(self) -> Locator:
        return main_area(self.survey).get_by_role("button", name=text("surveys.save"), exact=True)


@dataclass
class Submission:
    participant: Participant
    kind: str  # "board" or "survey"
    clicked_at: float | None = None  # seconds after the window opened, by the browser's clock
    seconds: float | None = None  # click → confirmation visible
    problem: str | None = None


def answers_for(number: int, db_path: Path) -> dict[str, int]:
    """Different answers per person (1–5), so a mix-up between people would show in the check."""
    instrument = surveys.instruments(db.database_at(db_path))[INSTRUMENT]
    return {item.id: 1 + (number + index) % 5 for index, item in enumerate(instrument.items)}


async def tick_answers(page: Page, answers: dict[str, int], db_path: Path) -> None:
    instrument = surveys.instruments(db.database_at(db_path))[INSTRUMENT]
    labels = {option.value: option.label(Language.EN) for option in instrument.options}
    for item in instrument.items:
        statement = main_area(page).locator('[data-testid="stButtonGroup"]').filter(has_text=item.text(Language.EN))
        label = labels[answers[item.id]]
        await statement.get_by_role("radio", name=label, exact=True).click()
        await expect(statement.get_by_role("radio", name=label, exact=True)).to_be_checked(timeout=WAIT_MS)


async def prepare(browser: Browser, server: Server, seeded: Seeded, number: int, run: str) -> Participant:
    """Open both pages (two Streamlit sessions in one browser context) and fill them in, unsent."""
    person = seeded.members[number]
    phase = seeded.phase_names()[QUESTIONS_PHASE]
    follow = await open_follow_page(browser, server, seeded, person, phase)
    async with closed_on_failure(follow):
        question = f"[{run}] Question {number + 1:02d}: what did you need at that moment?"
        await main_area(follow).get_by_label(text("live.text"), exact=True).fill(question)
        survey = await follow.context.new_page()
        await goto(survey, server.url("/surveys"))
        answers = answers_for(number, seeded.db_path)
        await tick_answers(survey, answers, seeded.db_path)
        participant = Participant(person, follow, survey, question, answers)
        await arm(participant.send(), follow, CONFIRMATION, text("live.sent"))
        await arm(participant.save(), survey, CONFIRMATION, text("surveys.saved"))
    return participant


async def submit(submission: Submission, opened: float, delay: float) -> None:
    """Wait for this submission's moment in the window (`opened`: epoch seconds), click, and time until
    the confirmation shows."""
    await asyncio.sleep(max(0.0, opened + delay - time.time()))
    participant = submission.participant
    button = participant.send() if submission.kind == "board" else participant.save()
    try:
        clicked, submission.seconds = await click_and_time(button, button.page, CONFIRM_MS)
    except Exception as problem:  # noqa: BLE001 - one failed click is a finding, not the end of the run
        submission.problem = _short(problem)
        return
    submission.clicked_at = clicked - opened
    if submission.seconds is None:
        shown = "; ".join(await error_texts(button.page)) or "no error shown"
        submission.problem = f"no confirmation within {CONFIRM_MS // 1000} s ({shown})"


@dataclass
class Load:
    submissions: list[Submission] = field(default_factory=list)
    before: Reading = field(default_factory=Reading)  # the server with only the console and the projector open
    waiting: Reading = field(default_factory=Reading)  # the server while everyone is ready, before the clicks
    ready: int = 0
    ready_seconds: float = 0.0
    problems: list[str] = field(default_factory=list)  # participants who never got ready, and why


async def get_ready(browser: Browser, server: Server, seeded: Seeded, count: int, run: str, load: Load) -> list:
    """Every participant's two pages open and filled in, four people at a time."""
    gate = asyncio.Semaphore(4)

    async def ready(number: int) -> Participant:
        async with gate:
            return await prepare(browser, server, seeded, number, run)

    started = time.monotonic()
    outcomes = await asyncio.gather(*(ready(number) for number in range(count)), return_exceptions=True)
    load.ready_seconds = time.monotonic() - started
    participants = [outcome for outcome in outcomes if isinstance(outcome, Participant)]
    load.ready = len(participants)
    load.problems = [
        f"{seeded.members[number].name}: {_short(outcome)}"
        for number, outcome in enumerate(outcomes)
        if isinstance(outcome, BaseException)
    ]
    print(f"load: {len(participants)} of {count} participants ready in {load.ready_seconds:.0f} s", flush=True)
    return participants


async def measure_load(browser: Browser, server: Server, seeded: Seeded, count: int, run: str) -> Load:
    """`count` participants each send a question and save the survey; the 2×count clicks, in a shuffled
    order, are spread evenly over SPREAD seconds."""
    seeded.go_to_phase(QUESTIONS_PHASE)
    load = Load(before=await read_server(server))
    print(f"load: with the console and the projector open the server uses {load.before.cpu:.0%} CPU", flush=True)
    participants = await get_ready(browser, server, seeded, count, run, load)
    load.waiting = await read_server(server)
    print(
        f"load: while they wait the server uses {load.waiting.cpu:.0%} CPU, {load.waiting.median:.0f} MiB", flush=True
    )
    load.submissions = [Submission(person, kind) for person in participants for kind in ("board", "survey")]
    random.Random(20240611).shuffle(load.submissions)
    spacing = SPREAD / max(1, len(load.submissions))
    opened = time.time() + 0.5
    await asyncio.gather(*(submit(one, opened, index * spacing) for index, one in enumerate(load.submissions)))
    print(f"load: all answered {time.time() - opened:.1f} s after the window opened", flush=True)
    await asyncio.sleep(2)  # anything still on its way to the database
    await close_all([participant.follow for participant in participants])
    return load


# --- checks ----------------------------------------------------------------------------------------


@dataclass
class Check:
    name: str
    passed: bool
    detail: str


def check_confirmations(seeded: Seeded, submissions: list[Submission]) -> Check:
    """Every click answered by its page; for one that was not, whether it was stored all the same."""
    with db.reading(seeded.db_path) as conn:
        on_board = {item.text for item in store.board_items(conn, seeded.session_id)}
    confirmed = sum(1 for one in submissions if one.seconds is not None)
    problems = []
    for one in submissions:
        if one.problem:
            stored = (
                one.participant.question in on_board
                if one.kind == "board"
                else bool(surveys.my_answers(db.database_at(seeded.db_path), one.participant.person, seeded.wave_id))
            )
            problems.append(
                f"{one.participant.person.name} ({one.kind}, {'stored' if stored else 'not stored'}): {one.problem}"
            )
    detail = f"{confirmed} of {len(submissions)} confirmed on the page" + "".join(f"; {one}" for one in problems)
    return Check("Every submission confirmed", confirmed == len(submissions), detail)


def check_window(submissions: list[Submission]) -> Check:
    clicks = [one.clicked_at for one in submissions if one.clicked_at is not None]
    inside = len(clicks) == len(submissions) and max(clicks, default=WINDOW) < WINDOW
    detail = f"{len(clicks)} of {len(submissions)} clicks" + (f", the last {max(clicks):.1f} s in" if clicks else "")
    return Check(f"All clicks within {WINDOW:.0f} s", inside, detail)


class Sender(Protocol):
    """Who sent a question and saved answers: a Chromium participant here, a websocket one in capacity.py."""

    person: Person
    question: str
    answers: dict[str, int]


def check_board(seeded: Seeded, participants: Sequence[Sender]) -> Check:
    """Each question sent on the board exactly once, under its sender's name; nothing else on the board."""
    with db.reading(seeded.db_path) as conn:
        items = store.board_items(conn, seeded.session_id)
    counts = Counter(item.text for item in items)
    authors = {item.text: item.author for item in items}
    expected = {participant.question: participant.person.name for participant in participants}
    missing = [question for question in expected if counts[question] == 0]
    twice = [question for question in expected if counts[question] > 1]
    wrong_author = [question for question, name in expected.items() if counts[question] and authors[question] != name]
    unexpected = [item.text for item in items if item.text not in expected]
    passed = not (missing or twice or wrong_author or unexpected)
    detail = (
        f"{len(expected)} sent, {sum(counts[question] for question in expected)} stored; {len(missing)} missing,"
        f" {len(twice)} more than once, {len(wrong_author)} under another name, {len(unexpected)} unexpected"
    )
    return Check("Board items stored exactly once", passed, detail)


def check_survey(seeded: Seeded, participants: Sequence[Sender]) -> Check:
    """One response per person who saved, holding exactly the answers ticked (read back through the core);
    none from anybody else."""
    with db.reading(seeded.db_path) as conn:
        rows = conn.execute(
            "SELECT person_id, count(*) FROM survey_responses WHERE wave_id = ? GROUP BY person_id", [seeded.wave_id]
        ).fetchall()
    responses = dict(rows)
    expected_ids = {participant.person.id for participant in participants}
    missing = [person_id for person_id in expected_ids if responses.get(person_id, 0) == 0]
    twice = [person_id for person_id, count in responses.items() if count > 1]
    unexpected = [person_id for person_id in responses if person_id not in expected_ids]
    different = [
        participant.person.name
        for participant in participants
        if surveys.my_answers(db.database_at(seeded.db_path), participant.person, seeded.wave_id) != participant.answers
    ]
    passed = not (missing or twice or unexpected or different)
    detail = (
        f"{len(expected_ids)} saved, {sum(responses.values())} responses stored; {len(missing)} missing, "
        f"{len(twice)} more than once, {len(unexpected)} unexpected, {len(different)} with other answers than ticked"
    )
    return Check("Survey responses stored exactly once", passed, detail)


def _exceptions(log: str) -> Counter[str]:
    """The exception that ends each traceback in the log, and whether the app's own code was in it."""
    found: Counter[str] = Counter()
    app = re.compile(rf'File "{re.escape(str(ROOT))}/(?!\.venv/)')
    for block in log.split("Traceback (most recent call last):")[1:]:
        ending = [
            line for line in block.splitlines() if re.match(r"^[A-Za-z_][\w.]*(Error|Exception|Disconnected)\b", line)
        ]
        origin = "the app's code in the stack" if app.search(block) else "only Streamlit/Starlette in the stack"
        found[f"{ending[0][:160] if ending else '(no exception line found)'} ({origin})"] += 1
    return found


def check_log(log: str) -> list[Check]:
    locked = log.count("database is locked")
    tracebacks = log.count("Traceback (most recent call last)")
    shown = "; ".join(f"{count}× {line}" for line, count in _exceptions(log).items())
    return [
        Check('"database is locked" in the server log', locked == 0, f"{locked} occurrences"),
        Check("Tracebacks in the server log", tracebacks == 0, f"{tracebacks}" + (f": {shown}" if shown else "")),
    ]


def check_moves(latency: Latency, moves: int) -> Check:
    passed = not latency.problems and len(latency.seconds) == moves
    detail = f"{len(latency.seconds)} of {moves} moves reached the projector" + (
        f"; {'; '.join(latency.problems)}" if latency.problems else "; each click moved exactly one phase"
    )
    return Check("Every click moved one phase and reached the projector", passed, detail)


# --- the report --------------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    """Nearest rank: the smallest value with at least `fraction` of the values at or below it."""
    ordered = sorted(values)
    rank = math.ceil(round(fraction * len(ordered), 9))  # round: 0.95 × 60 is 56.99999999999999 in floats
    return ordered[max(0, rank - 1)]


def spread(values: list[float]) -> str:
    if not values:
        return "— | — | — | —"
    return f"{statistics.median(values):.2f} | {percentile(values, 0.95):.2f} | {min(values):.2f} | {max(values):.2f}"


def load_average() -> str:
    """The 1-minute load average: other work on the machine slows a server and a browser that share it."""
    return Path("/proc/loadavg").read_text().split()[0]


def code_version() -> str:
    """The commit measured, and whether the product's files differed from it (bench/ aside)."""

    def git(*arguments: str) -> str:
        return subprocess.run(["git", "-C", str(ROOT), *arguments], capture_output=True, text=True).stdout.strip()

    changed = git("status", "--porcelain", "--", ".", ":(exclude)bench").splitlines()
    return f"commit {git('rev-parse', '--short', 'HEAD') or 'unknown'}, " + (
        f"with {len(changed)} uncommitted changes outside bench/"
        if changed
        else "no uncommitted changes outside bench/"
    )


def machine() -> str:
    memory = re.search(r"MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text())
    total = f", {int(memory.group(1)) / 1024 / 1024:.0f} GiB RAM" if memory else ""
    return f"{platform.platform()}, {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs{total}"


@dataclass
class Run:
    """Everything one run measured and checked, for the report."""

    arguments: argparse.Namespace
    seeded: Seeded
    chromium: str = ""
    memory: Memory = field(default_factory=Memory)
    latency: Latency = field(default_factory=Latency)
    load: Load = field(default_factory=Load)
    checks: list[Check] = field(default_factory=list)
    took: float = 0.0
    error: str | None = None  # what stopped the run before the end, if anything
    load_average: list[str] = field(default_factory=list)  # the 1-minute figure at the start and at the end
    code: str = field(default_factory=code_version)


def wait_until_quiet(longest: float = 180.0) -> None:
    """Start on a quiet machine: wait (a few minutes at most) until the load average is below the CPU count,
    for example after an earlier run's server and browsers stopped."""
    waited = time.monotonic()
    while float(load_average()) >= (os.cpu_count() or 1) and time.monotonic() - waited < longest:
        time.sleep(5)


def load_note(averages: list[str]) -> str:
    """The load average at the start says whether other work shared the machine; at the end it is mostly
    this run's own."""
    start, end = (averages + ["—"])[:2]
    busy = float(start) >= (os.cpu_count() or 1)
    return (
        f"load average (1 min) {start} at the start"
        + (" (at or above the CPU count: other work competed with this run)" if busy else " (otherwise quiet)")
        + f", {end} at the end (this run's own work included)"
    )


def _header(run: Run) -> list[str]:
    arguments = run.arguments
    failed = [check.name for check in run.checks if not check.passed]
    return [
        "# A live session on a real server",
        "",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; the whole run took {run.took:.0f} s",
        f"- Machine: {machine()}; {load_note(run.load_average)}",
        f"- Python {platform.python_version()}, Streamlit {streamlit.__version__}, Playwright {version('playwright')},"
        f" Chromium {run.chromium} (headless; one browser, one context per person)",
        f"- Code: {run.code}",
        f"- Parameters: --participants {arguments.participants} --sessions {arguments.sessions}"
        f" --moves {arguments.moves}",
        f"- Server: `streamlit run app.py` (tests/e2e/e2e_support.start_server) on a fresh database built through the"
        f" core: one group of {len(run.seeded.members)} members and a facilitator, a session of `{METHOD}`,"
        f" an open `{INSTRUMENT}` wave. People are signed in with a sign-in session from `intervision.auth`"
        " in the app's cookie.",
        f"- Outcome: {'every check passed' if not failed else 'FAILED: ' + '; '.join(failed)}",
    ]


def _latency(run: Run) -> list[str]:
    seconds = run.latency.seconds
    p95 = percentile(seconds, 0.95) if seconds else float("inf")
    return [
        "## Projector latency",
        "",
        "From the facilitator's click on \"Next phase\" on the console to the new phase's title on the projector"
        " (a second page, opened by the link on the console), both moments taken in the browser: a click listener"
        " on the console, a MutationObserver on the projector. The projector rereads the session every second"
        " (`st.fragment(run_every=1)`). At the last phase the session went back to the first through the core,"
        f" untimed ({run.latency.rewinds}×).",
        "",
        "| moves | median s | p95 s | min s | max s | target |",
        "|---:|---:|---:|---:|---:|---|",
        f"| {len(seconds)} | {spread(seconds)} | p95 < {LATENCY_TARGET} s:"
        f" {'met' if p95 < LATENCY_TARGET else 'NOT met'} |",
    ]


def _load(run: Run) -> list[str]:
    load, count = run.load, run.arguments.participants
    board = [one.seconds for one in load.submissions if one.kind == "board" and one.seconds is not None]
    survey = [one.seconds for one in load.submissions if one.kind == "survey" and one.seconds is not None]
    statements = len(answers_for(0, run.seeded.db_path))
    per_phone = (load.waiting.cpu - load.before.cpu) / max(1, load.ready)
    return [
        "## Load",
        "",
        f"{count} participants, each a browser context with two pages: the follow page (which rereads the session"
        f" every 2 s) with a question typed, and the surveys page with all {statements} statements ticked."
        f" {load.ready} of them were ready after {load.ready_seconds:.0f} s (four opened at a time). Then they"
        f" clicked Send and Save my answers: {len(load.submissions)} clicks in a shuffled order, spread evenly over"
        f" {SPREAD:.0f} s (all must fall within {WINDOW:.0f} s)."
        f' Time from the click to the page\'s confirmation ("{text("live.sent")}" /'
        f' "{text("surveys.saved")}"), both taken in the browser. The console and the projector stay open.',
        "",
        "| submissions | confirmed | median s | p95 s | min s | max s |",
        "|---|---:|---:|---:|---:|---:|",
        f"| board items (follow page) | {len(board)} | {spread(board)} |",
        f"| survey answers (surveys page) | {len(survey)} | {spread(survey)} |",
        f"| all | {len(board) + len(survey)} | {spread(board + survey)} |",
        "",
        "The server's CPU time as a share of one core, and its memory, over five seconds:",
        "",
        "| open | server CPU | median MiB |",
        "|---|---:|---:|",
        f"| the console and the projector | {load.before.cpu:.0%} | {load.before.median:.0f} |",
        f"| and {load.ready} participants ready (a follow page and a surveys page each), before the first click |"
        f" {load.waiting.cpu:.0%} | {load.waiting.median:.0f} |",
        "",
        f"So each phone on the follow page costs the server about {per_phone:.1%} of a core"
        f" (({load.waiting.cpu:.0%} − {load.before.cpu:.0%}) / {max(1, load.ready)}). The server is one Python"
        " process, so it cannot use much more than one core.",
    ]


def _memory(run: Run) -> list[str]:
    memory = run.memory
    per_session = (memory.many.median - memory.one.median) / max(1, memory.opened - 1)
    return [
        "## Memory",
        "",
        f"VmRSS from /proc/<pid>/status of the server process and its descendants ({memory.processes} process"
        f"{'es' if memory.processes != 1 else ''} in all), in MiB: median and highest of five readings over five"
        " seconds; beside it the CPU time the server used in those seconds, as a share of one core. The sessions"
        " are signed-in people on the home page, which does not poll; what polling costs is in the load section.",
        "",
        "| state | median MiB | highest MiB | server CPU |",
        "|---|---:|---:|---:|",
        memory.idle.row("idle after startup (no session yet)"),
        memory.one.row("1 session (one visit to the home page before it ran the router)"),
        memory.many.row(f"{memory.opened} sessions (of {memory.sessions} asked for)"),
        memory.after.row(f"10 s after those {memory.opened} closed"),
        "",
        f"Per open session: about {per_session:.1f} MiB ((the {memory.opened} sessions − 1 session) /"
        f" {max(1, memory.opened - 1)}). Opening them took {memory.open_seconds:.0f} s, four at a time.",
    ]


def report(run: Run) -> str:
    lines = [*_header(run), "", *_latency(run), "", *_load(run), "", *_memory(run), "", "## Checks", ""]
    lines += ["| check | outcome | detail |", "|---|---|---|"]
    lines += [f"| {check.name} | {'yes' if check.passed else 'NO'} | {check.detail} |" for check in run.checks]
    return "\n".join(lines)


# --- the run -----------------------------------------------------------------------------------------


async def drive(server: Server, run: Run) -> None:
    """The three measurements in one browser: memory first, on a server nobody has used yet."""
    arguments, seeded = run.arguments, run.seeded
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        run.chromium = browser.version
        try:
            await measure_memory(browser, server, seeded, arguments.sessions, run.memory)
            console, projector = await console_and_projector(browser, server, seeded)
            run.latency = await measure_latency(console, projector, seeded, arguments.moves)
            label = datetime.now(UTC).strftime("%H%M%S")
            run.load = await measure_load(browser, server, seeded, arguments.participants, label)
            await close_all([console, projector])
        finally:
            await browser.close()


def _clicked(load: Load, kind: str) -> list[Participant]:
    """The participants whose click of this kind reached their page: what the database should hold."""
    return [one.participant for one in load.submissions if one.kind == kind and one.clicked_at is not None]


def checks(run: Run, log: str) -> list[Check]:
    """Each check judges one thing; participants who never got ready fail the readiness check alone."""
    memory, load, count = run.memory, run.load, run.arguments.participants
    opened = f"{memory.opened} of {memory.sessions} opened" + "".join(f"; {problem}" for problem in memory.problems)
    ready = f"{load.ready} of {count} ready" + "".join(f"; {problem}" for problem in load.problems)
    return [
        Check("The run completed", run.error is None, run.error or "all three measurements ran"),
        Check("Every session for the memory reading opened", memory.opened == memory.sessions, opened),
        check_moves(run.latency, run.arguments.moves),
        Check("Every participant's pages opened and filled in", load.ready == count, ready),
        check_confirmations(run.seeded, load.submissions),
        check_window(load.submissions),
        check_board(run.seeded, _clicked(load, "board")),
        check_survey(run.seeded, _clicked(load, "survey")),
        *check_log(log),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=30, help="people submitting at once (default 30)")
    parser.add_argument("--sessions", type=int, default=50, help="open sessions for the memory reading (default 50)")
    parser.add_argument("--moves", type=int, default=20, help="timed phase moves (default 20)")
    arguments = parser.parse_args()
    if not CHROMIUM.exists():
        sys.exit(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    wait_until_quiet()
    started = time.monotonic()
    folder = Path(tempfile.mkdtemp(prefix="intervision-bench-live-"))
    os.environ["INTERVISION_DB"] = str(folder / "intervision.db")  # no core call here may touch data/ by default
    seeded = seed(folder / "intervision.db", max(arguments.participants, arguments.sessions))
    print(f"seeded {len(seeded.members)} members in {time.monotonic() - started:.0f} s ({folder})", flush=True)
    server = start_server(folder)
    run = Run(arguments, seeded, load_average=[load_average()])
    try:
        run.memory.idle = asyncio.run(read_server(server))
        print(f"memory: idle after startup {run.memory.idle.median:.0f} MiB", flush=True)
        asyncio.run(drive(server, run))
    except Exception as problem:  # noqa: BLE001 - reported as a failed check, with what was measured so far
        traceback.print_exc()
        run.error = _short(problem)
    finally:
        server.stop()
    run.load_average.append(load_average())
    run.checks = checks(run, server.log())
    run.took = time.monotonic() - started
    write_section("live", report(run))
    for check in run.checks:
        print(f"{'ok    ' if check.passed else 'FAILED'} {check.name}: {check.detail}", flush=True)
    if all(check.passed for check in run.checks):
        shutil.rmtree(folder)
        return
    print(f"the server log and database are kept in {folder}", flush=True)
    sys.exit(1)


if __name__ == "__main__":
    main()
