"""The live session in real Chromium: the projector follows the console, phones send to the board, the
session survives a server restart, and screenshots of every live screen.

The session is set up through the core (`intervision.live`) on the server's own SQLite file; the pages
only show it and act on it as people would.
"""

from __future__ import annotations

import os
import re
import signal
import statistics
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import PHONE, PROJECTOR
from e2e_support import (
    EXCEPTION_TEXT,
    Server,
    button_name,
    either,
    error_boxes,
    goto,
    main,
    redrawn,
    settle,
    sign_in,
    start_server,
    text,
    visible_text,
)
from live_support import (
    FACILITATOR,
    INFORMATION_ROUND,
    MEMBER,
    LiveSetup,
    clock_seconds,
    open_session,
    shows,
    the_open_session,
    wait_until,
)
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

pytestmark = pytest.mark.browser

# The countdown's element: the deepest one in the main area whose whole text is "12:05" or "−1:30".
CLOCK_JS = """main => {
  const re = /^−?\\d+:\\d{2}$/;
  const hits = [...main.querySelectorAll('*')].filter(
    e => re.test(e.textContent.trim()) && ![...e.children].some(c => re.test(c.textContent.trim())));
  return hits.map(e => ({text: e.textContent.trim(), color: getComputedStyle(e).color}));
}"""
DISCONNECTED = '[data-testid="stApp"]:not([data-test-connection-state="CONNECTED"])'
H1_JS = "main => [...main.querySelectorAll('h1')].map(h => h.textContent.trim())"


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A demo server of this module's own: the sessions opened here stay out of the shared one."""
    server = start_server(tmp_path_factory.mktemp("live"), demo=True)
    yield server
    server.stop()
    if "Traceback" in server.log():
        print(f"--- server log {server.log_path} ---\n{server.log()}")


@pytest.fixture
def session(live_server: Server) -> Iterator[LiveSetup]:
    """A session of Leidinggevenden Zorg in its check-in; closed afterwards so the next test can open one."""
    setup = open_session(live_server.database)
    yield setup
    setup.close()


def headings(page: Page) -> list[str]:
    try:
        return main(page).evaluate(H1_JS)
    except Exception:  # noqa: BLE001 - the page may be between two drawings
        return []


def projector_clock(page: Page) -> dict:
    clocks = main(page).evaluate(CLOCK_JS)
    assert len(clocks) == 1, f"expected one countdown on the projector, found {clocks}"
    return clocks[0]


def rgb(colour: str) -> tuple[int, int, int]:
    red, green, blue = (int(part) for part in re.findall(r"\d+", colour)[:3])
    return red, green, blue


def board_texts(page: Page) -> str:
    return main(page).inner_text()


def check_screen(page: Page, name: str) -> None:
    shown = visible_text(page)
    assert "⟦" not in shown, f"{name}: a missing translation: {re.findall(r'⟦[^⟧]*⟧', shown)}"
    assert not EXCEPTION_TEXT.search(shown), f"{name}: exception text on the screen:\n{shown}"
    assert not error_boxes(page), f"{name}: error boxes: {error_boxes(page)}"
    assert not page.js_errors, f"{name}: JavaScript errors: {page.js_errors}"


def shoot(page: Page, folder: Path, name: str) -> None:
    """Check the screen, then save <name>.png (what the room or the phone sees) and, when the page is
    longer, <name>-full.png."""
    settle(page, pause_ms=400)
    check_screen(page, name)
    page.screenshot(path=folder / f"{name}.png")
    viewport = page.viewport_size
    length = page.locator('[data-testid="stMain"]').evaluate("main => main.scrollHeight")
    if length > viewport["height"] + 10:
        page.set_viewport_size({"width": viewport["width"], "height": min(length, 6000)})
        redrawn(page)
        page.screenshot(path=folder / f"{name}-full.png")
        page.set_viewport_size(viewport)


def console_page(open_page, server: Server, viewport: dict[str, int] = PROJECTOR) -> Page:
    page = open_page(locale="en-US", viewport=viewport)
    sign_in(page, server, FACILITATOR[1])
    goto(page, server.url("/session"))
    return page


def choose(page: Page, label: str | re.Pattern[str], option: str | re.Pattern[str]) -> None:
    """Pick an option in a Streamlit select box (the first tap after a rerun sometimes opens nothing)."""
    box = main(page).get_by_label(label)
    for _ in range(5):
        box.click()
        try:
            page.get_by_role("option", name=option).click(timeout=1500)
        except PlaywrightTimeoutError:
            page.keyboard.press("Escape")
            continue
        expect(box).to_have_value(option if isinstance(option, str) else re.compile(option.pattern))
        return
    raise AssertionError(f"the select box {label} did not open")


# --- 1. the projector follows the console ---------------------------------------------------------


def test_projector_follows_the_console_within_the_target(live_server, session, open_page):
    session.begin()
    projector = open_page(locale="en-US", viewport=PROJECTOR)
    goto(projector, live_server.url(session.projector_path))
    expect(main(projector).get_by_role("heading", level=1, name=session.phase_name("en"))).to_be_visible()

    # Green at the start of a phase, and counting down from the phase's full time.
    clock = projector_clock(projector)
    red, green, blue = rgb(clock["color"])
    assert green > 1.5 * max(red, blue), f"the countdown is not green at the start: {clock}"
    full = session.phase_minutes() * 60
    assert full - 30 < clock_seconds(clock["text"]) <= full, f"not counting down from {full}s: {clock}"

    console = console_page(open_page, live_server)
    latencies = []
    for _ in range(3):
        expect(main(console).get_by_role("heading", name=session.phase_name("nl"))).to_be_visible()
        before = session.session().phase_index
        following = session.phase_name("en", before + 1)
        clicked = time.monotonic()
        main(console).get_by_role("button", name=button_name(either("live.next"))).click()
        wait_until(lambda name=following: name in headings(projector), timeout=10, interval=0.02)
        latencies.append(time.monotonic() - clicked)
        settle(console)
    print(
        f"\nprojector latency after 'Next phase': {', '.join(f'{s:.2f}s' for s in latencies)}"
        f" (median {statistics.median(latencies):.2f}s)"
    )
    # The latency is printed, not asserted: speed is measured by benchmarks, not by timed test assertions.
    assert session.session().phase_index == 3  # three clicks, three phases: no click counted twice
    check_screen(projector, "projector")


# --- 2. a phone sends to the board ----------------------------------------------------------------


def test_a_phone_sends_a_question_and_is_not_offered_advice_in_a_phase_without_it(live_server, session, open_page):
    session.begin()
    session.go_to(INFORMATION_ROUND)
    projector = open_page(locale="en-US", viewport=PROJECTOR)
    goto(projector, live_server.url(session.projector_path))
    expect(main(projector).get_by_role("heading", level=1, name="Information round")).to_be_visible()

    phone = open_page(locale="en-US", viewport=PHONE, phone=True)
    sign_in(phone, live_server, MEMBER[1])
    goto(phone, live_server.url(session.follow_path))
    expect(main(phone).get_by_role("heading", name=session.phase_name("nl"))).to_be_visible()
    choose(phone, either("live.kind"), either("board.question"))
    question = "Wat maakte dat je die ochtend niets zei?"
    main(phone).get_by_label(either("live.text")).fill(question)
    sent = time.monotonic()
    main(phone).get_by_role("button", name=either("live.send")).click()
    took = wait_until(shows(main(projector), question), timeout=5, interval=0.05)
    print(f"\nphone → projector board: {time.monotonic() - sent:.2f}s")
    print(f"\nthe question reached the projector after {took:.2f}s")
    expect(main(phone).get_by_text(either("live.sent"))).to_be_visible()

    # The next phase collects no advice: the phone does not offer it (a send that raced the phase change is
    # refused by the core, tests/app/test_follow.py).
    session.go_to(INFORMATION_ROUND + 1)
    expect(main(phone).get_by_role("heading", name=session.phase_name("nl"))).to_be_visible(timeout=6000)
    settle(phone)
    advice = re.compile(f"^({re.escape(text('board.advice', 'nl'))}|{re.escape(text('board.advice', 'en'))})$")
    kinds = main(phone).get_by_label(either("live.kind"))
    if kinds.count():
        kinds.click()
        expect(phone.get_by_role("option").first).to_be_visible()
        assert phone.get_by_role("option", name=advice).count() == 0
        phone.keyboard.press("Escape")
    assert not phone.js_errors and not projector.js_errors


# --- 3. the server dies in the middle of a phase --------------------------------------------------


def test_the_projector_and_the_console_come_back_after_the_server_is_killed(restartable, open_page):
    server = restartable["start"]()
    setup = open_session(server.database)
    setup.begin()
    setup.go_to(INFORMATION_ROUND, seconds_ago=20)
    items = ["Hoe lang werkt deze medewerker al bij jullie?", "Wat zei je teamleider erover?"]
    for item in items:
        setup.add_to_board("question", item)

    console = console_page(open_page, server)
    expect(main(console).get_by_role("heading", name=setup.phase_name("nl"))).to_be_visible()
    projector = open_page(locale="en-US", viewport=PROJECTOR)
    goto(projector, server.url(setup.projector_path))
    name = setup.phase_name("en")
    expect(main(projector).get_by_role("heading", level=1, name=name)).to_be_visible()
    for item in items:
        expect(main(projector).get_by_text(item)).to_be_visible()
    before = clock_seconds(projector_clock(projector)["text"])
    assert 13 * 60 < before <= 15 * 60 - 20, f"the countdown should be about 20 s in: {before}"

    os.killpg(server.process.pid, signal.SIGKILL)
    server.process.wait(timeout=5)
    killed = time.monotonic()
    # The projector notices: it loses its connection.
    expect(projector.locator(DISCONNECTED)).to_be_attached()
    restartable["start"]()
    print(f"\nserver down and up again in {time.monotonic() - killed:.1f}s")

    # Nobody touches the projector: within ~20 s it shows the session as it was, its countdown ticking
    # on from the stored times (not the frozen picture from before the kill, not reset to the full phase).
    def recovered() -> bool:
        if name not in headings(projector) or not all(item in board_texts(projector) for item in items):
            return False
        clocks = main(projector).evaluate(CLOCK_JS)
        if len(clocks) != 1:
            return False
        shown = clock_seconds(clocks[0]["text"])
        # Ticking again (not the frozen picture from before the kill), and from the stored times: a reset
        # countdown would be minutes off, while a few seconds are the redraw on a busy machine.
        return shown < before - 1 and abs(shown - setup.remaining_seconds()) <= 5

    back = wait_until(recovered, timeout=20, interval=0.25)
    print(f"projector showed the session, ticking, {back:.1f}s after the restart")
    after = clock_seconds(projector_clock(projector)["text"])
    assert after < before - 1, f"the countdown was {before}s before the kill and {after}s after"
    # It reads the database again: what is added now appears on it.
    setup.add_to_board("question", "Wie heeft het nog meer gemerkt?")
    expect(main(projector).get_by_text("Wie heeft het nog meer gemerkt?")).to_be_visible(timeout=5000)
    check_screen(projector, "projector after restart")

    # The facilitator's browser is still signed in (the sign-in sessions are in the database).
    again = console.context.new_page()
    again.js_errors = []
    goto(again, server.url("/session"))
    expect(main(again).get_by_role("heading", name=setup.phase_name("nl"))).to_be_visible()
    expect(main(again).get_by_role("button", name=button_name(either("live.next")))).to_be_visible()


# --- 4. screenshots -------------------------------------------------------------------------------


def test_live_screenshots(live_server, open_page, artifacts):
    """The facilitator opens the session in the console (the console then shows its report after closing);
    the board fills through the core; every live screen is checked and photographed."""
    console = console_page(open_page, live_server)
    expect(main(console).get_by_role("heading", name=either("live.start_title"))).to_be_visible()
    choose(console, either("live.method"), re.compile(r"^([✓✗] )?(Incidentmethode|Incident method) · 50′$"))
    # The projector speaks English this time, chosen as the session starts (the demo's groups speak Dutch).
    main(console).get_by_role("radiogroup", name=either("field.group_language")).get_by_text(
        either("language.en")
    ).click()
    main(console).get_by_role("button", name=either("live.start")).click()
    expect(main(console).get_by_role("heading", name=either("live.check_in"))).to_be_visible()
    expect(main(console).get_by_text(either("live.started"))).to_be_visible()
    session = the_open_session(live_server.database)
    try:
        screens_of_a_session(live_server, session, console, open_page, artifacts)
    finally:
        session.close()


def screens_of_a_session(live_server: Server, session: LiveSetup, console: Page, open_page, artifacts: Path) -> None:
    projector = open_page(locale="en-US", viewport=PROJECTOR)
    goto(projector, live_server.url(session.projector_path))
    expect(main(projector).get_by_role("heading", level=1, name=either("projector.check_in"))).to_be_visible()

    main(console).get_by_role("button", name=either("live.begin")).click()
    expect(main(console).get_by_role("heading", name=session.phase_name("nl", 0))).to_be_visible()
    session.go_to(INFORMATION_ROUND)
    session.add_to_board("question", "Wat wilde je op dat moment bereiken?")
    session.add_to_board("question", "Hoe reageerde het team toen het voor de derde keer gebeurde?")
    session.go_to(INFORMATION_ROUND + 1)
    session.add_to_board("diagnosis", "De inbrenger wil aardig gevonden worden en stelt grenzen te laat.")
    session.go_to(INFORMATION_ROUND + 2, seconds_ago=200)
    session.add_to_board("advice", "Maak vooraf met het team afspraken over wat 'op tijd' betekent.")
    session.add_to_board("advice", "Vraag de medewerker eerst wat er speelt, voordat je een oordeel hebt.")

    expect(main(projector).get_by_role("heading", level=1, name=session.phase_name("en"))).to_be_visible()
    expect(main(projector).get_by_text("voordat je een oordeel hebt", exact=False)).to_be_visible()
    shoot(projector, artifacts, "12-projector")

    expect(main(console).get_by_role("heading", name=session.phase_name("nl"))).to_be_visible()
    settle(console)
    main(console).locator(".st-key-observe-procedure button").click()  # its name carries its key, "2"
    settle(console)
    shoot(console, artifacts, "13-console")

    phone = open_page(locale="en-US", viewport=PHONE, phone=True)
    sign_in(phone, live_server, MEMBER[1])
    goto(phone, live_server.url(session.follow_path))
    expect(main(phone).get_by_role("heading", name=session.phase_name("nl"))).to_be_visible()
    shoot(phone, artifacts, "14-follow-phone")

    # The closing round, on the console and the beamer; then the session ends and its report shows.
    session.go_to(INFORMATION_ROUND + 3)  # the last phase; the console follows a change made elsewhere
    expect(main(console).get_by_role("heading", name=session.phase_name("nl"))).to_be_visible()
    settle(console)
    main(console).get_by_role("button", name=button_name(either("live.next"))).click()
    expect(main(console).get_by_role("heading", name=either("live.closing"))).to_be_visible()
    expect(main(projector).get_by_role("heading", level=1, name=either("projector.closing"))).to_be_visible()
    shoot(console, artifacts, "15-closing")
    shoot(projector, artifacts, "15-closing-projector")

    main(console).get_by_role("button", name=either("live.close")).click()
    expect(main(console).get_by_text(either("live.closed"))).to_be_visible()
    report = main(console).get_by_role("heading", name=either("live.report"))
    expect(report).to_be_visible()
    report.scroll_into_view_if_needed()
    shoot(console, artifacts, "16-report")
    expect(main(projector).get_by_role("heading", level=1, name=either("projector.closed"))).to_be_visible()

    with console.expect_download() as download:
        main(console).get_by_role("button", name=either("live.download_markdown")).click()
    markdown = Path(download.value.path()).read_text()
    assert "⟦" not in markdown
    assert "Vraag de medewerker eerst wat er speelt" in markdown
    assert "Een lastig gesprek over ziekteverzuim" in markdown  # the case the console chose by default


# --- bugs found -----------------------------------------------------------------------------------


def test_a_sent_text_leaves_the_field_so_a_second_tap_sends_nothing_twice(live_server, session, open_page):
    session.begin()
    session.go_to(INFORMATION_ROUND)
    phone = open_page(locale="en-US", viewport=PHONE, phone=True)
    sign_in(phone, live_server, MEMBER[1])
    goto(phone, live_server.url(session.follow_path))
    field = main(phone).get_by_label(either("live.text"))
    field.fill("Wat had je nodig van je leidinggevende?")
    main(phone).get_by_role("button", name=either("live.send")).click()
    expect(main(phone).get_by_text(either("live.sent"))).to_be_visible()
    settle(phone)
    main(phone).get_by_role("button", name=either("live.send")).click()  # an impatient second tap
    settle(phone)
    sent = [item.text for item in session.board()]
    assert sent == ["Wat had je nodig van je leidinggevende?"], f"on the board: {sent}"
    expect(field).to_have_value("", timeout=2000)


# Whether any element of an open select box's options is cut off (ellipsis or clipped text).
CUT_OPTIONS_JS = """() => [...document.querySelectorAll('[role="option"]')]
  .filter(option => [option, ...option.querySelectorAll('*')].some(e => e.scrollWidth > e.clientWidth + 1))
  .map(option => option.textContent.trim())"""


def test_the_categories_read_whole_at_1280_and_the_undo_sits_by_the_press_on_a_phone(live_server, session, open_page):
    session.begin()
    console = console_page(open_page, live_server, viewport={"width": 1280, "height": 720})
    console.locator(".st-key-observe-interaction button").click()
    settle(console, pause_ms=400)
    box = main(console).get_by_label(either("live.category"))
    for _ in range(5):  # the first tap after a rerun sometimes opens nothing
        box.click()
        try:
            console.get_by_role("option").first.wait_for(timeout=1500)
            break
        except PlaywrightTimeoutError:
            console.keyboard.press("Escape")
    offered = [option.strip() for option in console.get_by_role("option").all_inner_texts()]
    assert any(
        "talking about others" in option.lower() or "praten over anderen" in option.lower() for option in offered
    )
    assert console.evaluate(CUT_OPTIONS_JS) == [], "an option is cut off at 1280 pixels"
    console.keyboard.press("Escape")

    console.set_viewport_size(PHONE)
    console.locator(".st-key-self_correction-interaction button").click()
    settle(console, pause_ms=600)
    pressed = console.locator(".st-key-self_correction-interaction button").bounding_box()
    undo = console.locator(".st-key-take_back button").bounding_box()
    feelings = console.locator(".st-key-observe-feelings button").bounding_box()
    assert pressed and undo and feelings
    assert 0 < undo["y"] - pressed["y"] < 200, "the undo is right under the button just pressed"
    assert undo["y"] < feelings["y"], "not below the next level's block"


def test_the_console_shows_the_report_after_closing_a_session_it_did_not_start(live_server, session, open_page):
    session.begin()
    session.to_closing()
    console = console_page(open_page, live_server)  # a fresh browser session: a reload, a restart
    expect(main(console).get_by_role("heading", name=either("live.closing"))).to_be_visible()
    main(console).get_by_role("button", name=either("live.close")).click()
    expect(main(console).get_by_text(either("live.closed"))).to_be_visible()
    expect(main(console).get_by_role("heading", name=either("live.report"))).to_be_visible(timeout=5000)


def test_the_newest_board_item_and_the_join_code_stay_on_the_beamer(live_server, session, open_page):
    session.begin()
    session.go_to(INFORMATION_ROUND)
    for number in range(1, 11):  # ten questions: two each from five members
        session.add_to_board("question", f"Vraag {number}: wat deed het team toen het opnieuw gebeurde?")
    projector = open_page(locale="en-US", viewport=PROJECTOR)
    goto(projector, live_server.url(session.projector_path))
    expect(main(projector).get_by_text("Vraag 10:", exact=False)).to_be_visible()
    for shown in ("Vraag 10:", session.join_code):
        box = main(projector).get_by_text(shown, exact=False).first.bounding_box()
        assert box is not None and box["y"] + box["height"] <= PROJECTOR["height"], f"{shown!r} is off screen: {box}"
