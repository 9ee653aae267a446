"""The projector in real Chromium at the beamer sizes the issue names: complete without scrolling, the eight
newest board items readable, the join code on one line, the group's language whatever the browser's, a
flashing clock at time-out, and the zoom and full-screen controls.

Screenshots go to test-artifacts/projector-<width>x<height>.png, to be looked at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from e2e_support import Server, goto, main, redrawn, start_server, text
from live_support import INFORMATION_ROUND, LiveSetup, open_session
from playwright.sync_api import Page, expect

from intervision.models import Language

OVER_TIME = re.compile(r"^−\d+:\d{2}$")
BEAMERS = [(1920, 1080), (1280, 720), (1024, 768), (3840, 2160)]
NEWEST = 8
# Ten questions as people type them, some long enough to wrap; the two oldest are past the eight shown.
QUESTIONS = [
    f"Vraag {number}: wat deed je precies toen de medewerker voor de derde keer die week te laat binnenkwam?"
    if number % 3 == 0
    else f"Vraag {number}: wie wist er nog meer van?"
    for number in range(1, 11)
]
FITS_JS = "() => ({scroll: document.scrollingElement.scrollHeight, inner: window.innerHeight})"
# Smallest text height for the board, as a share of the screen's height: 2.8% is 30 px on a 1080p beamer,
# the size of a slide's body text read from the back of a meeting room.
BOARD_TYPE_SHARE = 0.025


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = start_server(tmp_path_factory.mktemp("projector"), demo=True)
    yield server
    server.stop()


@pytest.fixture
def dutch_session(server: Server) -> Iterator[LiveSetup]:
    """A Dutch group's session in its information round, ten questions on the board."""
    session = open_session(server.database, language="nl")
    session.begin()
    session.go_to(INFORMATION_ROUND)
    for question in QUESTIONS:
        session.add_to_board("question", question)
    yield session
    session.close()


def _open(open_page, server: Server, session: LiveSetup, width: int, height: int) -> Page:
    # The beamer's browser is English: the group's Dutch must win all the same.
    page = open_page(locale="en-US", viewport={"width": width, "height": height})
    goto(page, server.url(session.projector_path))
    expect(main(page).get_by_role("heading", level=1, name=session.phase_name("nl"))).to_be_visible()
    return page


def test_the_projector_is_complete_without_scrolling_at_every_beamer_size(server, dutch_session, open_page, artifacts):
    session = dutch_session
    phase = session.phase()
    for width, height in BEAMERS:
        page = _open(open_page, server, session, width, height)
        name = f"{width}x{height}"
        newest = QUESTIONS[-NEWEST:]
        for question in newest:
            expect(main(page).get_by_text(question, exact=False)).to_be_in_viewport(ratio=1)
        for question in QUESTIONS[:-NEWEST]:
            expect(main(page).get_by_text(question, exact=False)).to_have_count(0)
        expect(main(page).get_by_text(text("live.more", "nl", count=2))).to_be_in_viewport(ratio=1)
        for line in phase.prompts(Language.NL) + phase.rules(Language.NL):
            expect(main(page).get_by_text(line, exact=False)).to_be_in_viewport(ratio=1)
        expect(main(page).get_by_text("Doe mee op je telefoon")).to_be_in_viewport(ratio=1)
        code = main(page).get_by_text(session.join_code, exact=True)
        expect(code).to_be_in_viewport(ratio=1)
        box = code.bounding_box()
        line_height = float(code.evaluate("e => parseFloat(getComputedStyle(e).lineHeight) || e.offsetHeight"))
        assert box is not None and box["height"] < 1.5 * line_height, f"{name}: the join code wraps"
        expect(main(page).locator('[data-testid="stImage"] img')).to_be_in_viewport(ratio=1)
        expect(main(page).get_by_text("Spreekt:", exact=False)).to_be_in_viewport(ratio=1)

        item = main(page).get_by_text(newest[0], exact=False)
        size = float(item.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
        assert size >= BOARD_TYPE_SHARE * min(height, width * 9 / 16), f"{name}: board type {size}px is too small"
        fits = page.evaluate(FITS_JS)
        assert fits["scroll"] <= fits["inner"], f"{name}: the page scrolls ({fits})"
        page.screenshot(path=artifacts / f"projector-{name}.png")
        assert not page.js_errors, page.js_errors
        page.context.close()


def test_at_time_out_the_clock_flashes(server, open_page):
    session = open_session(server.database, language="nl")
    try:
        session.begin()
        session.go_to(INFORMATION_ROUND, seconds_ago=session.phase(INFORMATION_ROUND).minutes * 60 + 5)
        page = _open(open_page, server, session, 1920, 1080)
        clock = main(page).locator(".projector-clock")
        expect(clock).to_have_text(OVER_TIME)
        expect(clock).to_have_css("animation-name", "projector-flash")
    finally:
        session.close()


def test_the_zoom_grows_the_type_and_stays_after_a_reload(server, dutch_session, open_page):
    page = _open(open_page, server, dutch_session, 1280, 720)
    title = main(page).get_by_role("heading", level=1)
    before = float(title.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
    page.get_by_role("button", name="A+").click()
    redrawn(page)
    after = float(title.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
    assert after > before
    goto(page, page.url)
    expect(main(page).get_by_role("heading", level=1)).to_be_visible()
    redrawn(page)
    reloaded = float(
        main(page).get_by_role("heading", level=1).evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    )
    assert reloaded == pytest.approx(after)
    page.get_by_role("button", name="A−").click()
    redrawn(page)
    assert float(title.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) == pytest.approx(before)


def test_the_full_screen_button_fills_the_screen(server, dutch_session, open_page):
    page = _open(open_page, server, dutch_session, 1280, 720)
    page.get_by_role("button", name="Volledig scherm").click()
    page.wait_for_function("() => document.fullscreenElement === document.documentElement")
    page.get_by_role("button", name="Volledig scherm").click()
    page.wait_for_function("() => document.fullscreenElement === null")


def test_the_sound_is_off_until_turned_on_and_then_sounds_once_at_time_out(server, open_page):
    session = open_session(server.database, language="nl")
    try:
        session.begin()
        over = session.phase(INFORMATION_ROUND).minutes * 60 + 5
        session.go_to(INFORMATION_ROUND, seconds_ago=over)
        page = _open(open_page, server, session, 1280, 720)
        expect(main(page).locator(".projector-time-up")).to_be_visible()
        sound = page.get_by_role("button", name=text("projector.sound", "nl"))
        expect(sound).to_have_attribute("aria-pressed", "false")
        assert page.evaluate("() => document.documentElement.dataset.tones") is None, "no sound unless turned on"

        sound.click()
        expect(sound).to_have_attribute("aria-pressed", "true")
        # The next phase, three seconds from its end: the clock stops flashing, then flashes again and sounds once.
        session.go_to(INFORMATION_ROUND + 1, seconds_ago=session.phase(INFORMATION_ROUND + 1).minutes * 60 - 3)
        expect(main(page).get_by_role("heading", level=1, name=session.phase_name("nl"))).to_be_visible()
        page.wait_for_function("() => document.documentElement.dataset.tones === '1'", timeout=20_000)
        clock = main(page).locator(".projector-time-up")
        for _ in range(2):  # two more seconds over time, redrawn each second
            shown = clock.inner_text()
            expect(clock).not_to_have_text(shown, timeout=5_000)
        assert page.evaluate("() => document.documentElement.dataset.tones") == "1", "once, not every second"
    finally:
        session.close()
