"""The console's navigation in real Chromium, at projector (1920×1080) and laptop (1280×720) size: the
projector one press away in a new window, the earlier sessions told apart, and the phase controls whole.
Screenshots go to test-artifacts/console-*.png; look at them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import PROJECTOR
from e2e_support import (
    EXCEPTION_TEXT,
    Server,
    error_boxes,
    goto,
    main,
    redrawn,
    settle,
    start_server,
    text,
)
from live_support import LiveSetup, facilitators_console, open_session
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1280, "height": 720}
SIZES = {"1920x1080": PROJECTOR, "1280x720": LAPTOP}
# Jeroen Bakker's console speaks Dutch: the demo chose Dutch for him.
DUTCH = "nl"
LEVELS = ("content", "procedure", "interaction", "feelings")
DAY_METHOD_CASE = re.compile(r"^\d{1,2} \w+ \d{4}, \d\d:\d\d · .+ · .+$")
# Every button or link button whose label no longer fits: Streamlit cuts it with an ellipsis ("P…").
CUT_BUTTONS_JS = """main => [...main.querySelectorAll('button, a[data-testid^="stBaseLinkButton"]')]
    .filter(button => [button, ...button.querySelectorAll('*')]
        .some(part => part.scrollWidth > part.clientWidth + 1 && getComputedStyle(part).overflow !== 'visible'))
    .map(button => button.innerText)"""


@pytest.fixture(scope="module")
def console_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = start_server(tmp_path_factory.mktemp("console"), demo=True)
    yield server
    server.stop()
    if "Traceback" in server.log():
        print(f"--- server log {server.log_path} ---\n{server.log()}")


@pytest.fixture
def session(console_server: Server) -> Iterator[LiveSetup]:
    setup = open_session(console_server.database)
    yield setup
    setup.close()


def _check(page: Page, name: str) -> None:
    shown = page.locator("body").inner_text()
    assert "⟦" not in shown, f"{name}: a missing translation"
    assert not EXCEPTION_TEXT.search(shown), f"{name}: exception text on the screen:\n{shown}"
    assert not error_boxes(page), f"{name}: error boxes: {error_boxes(page)}"
    assert not page.js_errors, f"{name}: JavaScript errors: {page.js_errors}"


def _projector_button(page: Page, session: LiveSetup) -> None:
    button = main(page).get_by_role("link", name=text("live.open_projector", DUTCH))
    expect(button).to_be_visible()
    assert button.get_attribute("href").endswith(session.projector_path)
    assert button.get_attribute("target") == "_blank", "a window of its own, to drag to the beamer"
    box = button.bounding_box()
    assert box is not None and box["y"] + box["height"] <= page.viewport_size["height"], "on the first screen"


def _all_on_one_screen(page: Page, session: LiveSetup) -> None:
    """What a running phase needs, without scrolling: phase, clock, controls, timeline, the board's entry
    field and the four observation buttons."""
    needed = {
        "phase": main(page).get_by_role("heading", name=session.phase_name(DUTCH)),
        "next phase": main(page).get_by_role("button", name=text("live.next", DUTCH)),
        "timeline": main(page).locator('[data-testid="stPlotlyChart"]').first,
        "board field": main(page).get_by_label(text("live.text", DUTCH)),
        **{f"observe {level}": main(page).locator(f'[class*="st-key-observe-{level}"] button') for level in LEVELS},
    }
    height = page.viewport_size["height"]
    for name, part in needed.items():
        box = part.bounding_box()
        assert box is not None, f"{name}: not on the screen"
        assert box["y"] >= 0 and box["y"] + box["height"] <= height, f"{name} ends at {box['y'] + box['height']}"


def _hardest_phases() -> list[tuple[str, int]]:
    """The running phases hardest to fit: the method with the most phases (the tallest timeline) and the phase
    with the most to say (its name, purpose, prompts and rules), each in a phase that collects on the board."""
    from intervision.methods import built_in_library
    from intervision.models import Language

    methods = list(built_in_library().methods.values())

    def words(phase: object) -> int:
        language = Language(DUTCH)
        lines = [phase.name(language), phase.purpose(language), *phase.prompts(language), *phase.rules(language)]
        return sum(len(line) for line in lines)

    longest = max(methods, key=lambda method: len(method.phases))
    wordiest, index = max(
        ((method, index) for method in methods for index in range(len(method.phases))),
        key=lambda pair: words(pair[0].phases[pair[1]]),
    )
    return [(longest.id, len(longest.phases) // 2), (wordiest.id, index)]


@pytest.mark.parametrize(("method_id", "index"), _hardest_phases())
def test_a_running_phase_fits_one_projector_screen_in_the_hardest_methods(
    method_id, index, console_server, open_page, artifacts: Path
):
    setup = open_session(console_server.database, method_id=method_id)
    try:
        setup.begin()
        setup.go_to(index)
        page = facilitators_console(open_page, console_server, PROJECTOR)
        expect(main(page).get_by_role("heading", name=setup.phase_name(DUTCH))).to_be_visible()
        settle(page, pause_ms=400)
        page.screenshot(path=artifacts / f"console-{method_id}-{index}-1920x1080.png")
        _all_on_one_screen(page, setup)
        _check(page, f"{method_id} phase {index}")
    finally:
        setup.close()


def test_the_keys_run_the_session_and_note_observations(console_server, session, open_page, artifacts: Path):
    """Space pauses and resumes, → and ← move between phases, 1–4 note an observation on that level; a key typed
    into a field is only text. The legend says which key does what."""
    session.begin()
    page = facilitators_console(open_page, console_server, PROJECTOR)
    heading = main(page).get_by_role("heading", name=session.phase_name(DUTCH))
    expect(heading).to_be_visible()
    levels = " · ".join(f"{number} {text(f'level.{level}', DUTCH)}" for number, level in enumerate(LEVELS, start=1))
    expect(main(page).get_by_text(text("live.shortcuts", DUTCH, levels=levels))).to_be_visible()
    settle(page)
    page.keyboard.press("Space")
    expect(main(page).get_by_role("button", name=re.compile(text("live.resume", DUTCH)))).to_be_visible()
    assert session.session().paused_at is not None
    settle(page)
    page.keyboard.press("Space")
    expect(main(page).get_by_role("button", name=re.compile(text("live.pause", DUTCH)))).to_be_visible()

    settle(page)
    page.keyboard.press("ArrowRight")
    expect(main(page).get_by_role("heading", name=session.phase_name(DUTCH, index=1))).to_be_visible()
    assert session.session().phase_index == 1
    settle(page)
    page.keyboard.press("ArrowLeft")
    expect(main(page).get_by_role("heading", name=session.phase_name(DUTCH, index=0))).to_be_visible()
    assert session.session().phase_index == 0

    settle(page)  # a key pressed while the page is being drawn again is lost, as a click would be
    page.keyboard.press("2")
    expect(main(page).get_by_role("button", name=re.compile(text("live.take_back", DUTCH)))).to_be_visible()
    assert [o.level for o in _observations(session)] == ["procedure"]

    session.go_to(2)  # a phase that collects questions: the board has its entry field
    goto(page, page.url)
    field = main(page).get_by_label(text("live.text", DUTCH))
    field.fill("Wat heb je 1 keer 4 gedaan?")
    expect(field).to_have_value("Wat heb je 1 keer 4 gedaan?")
    settle(page)
    assert [o.level for o in _observations(session)] == ["procedure"], "typing a digit noted an observation"
    page.screenshot(path=artifacts / "console-keys-1920x1080.png")


def _observations(session: LiveSetup) -> list:
    from intervision import live

    return live.observations(session.database, session.facilitator(), session.session_id)


@pytest.mark.parametrize("size", SIZES)
def test_the_console_at_projector_and_laptop_size(size, console_server, session, open_page, artifacts: Path):
    page = facilitators_console(open_page, console_server, SIZES[size])
    expect(main(page).get_by_role("heading", name=text("live.check_in", DUTCH))).to_be_visible()
    _projector_button(page, session)
    settle(page, pause_ms=400)
    _check(page, f"check-in {size}")
    assert main(page).evaluate(CUT_BUTTONS_JS) == [], "a button's label is cut off"
    page.screenshot(path=artifacts / f"console-check-in-{size}.png")

    session.begin()
    goto(page, console_server.url("/session"))
    expect(main(page).get_by_role("heading", name=session.phase_name(DUTCH))).to_be_visible()
    _projector_button(page, session)
    settle(page, pause_ms=400)
    _check(page, f"running {size}")
    assert main(page).evaluate(CUT_BUTTONS_JS) == [], "a control's label is cut off"
    if size == "1920x1080":
        session.go_to(2)  # the information round: it collects questions, so the board has its entry field
        goto(page, page.url)
        expect(main(page).get_by_role("heading", name=session.phase_name(DUTCH))).to_be_visible()
        settle(page, pause_ms=400)
        page.screenshot(path=artifacts / f"console-collecting-{size}.png")
        _all_on_one_screen(page, session)
    page.screenshot(path=artifacts / f"console-running-{size}.png")
    # Streamlit scrolls inside its main element: the whole console needs a taller window.
    length = page.locator('[data-testid="stMain"]').evaluate("main => main.scrollHeight")
    page.set_viewport_size({"width": SIZES[size]["width"], "height": min(length, 6000)})
    redrawn(page)
    page.screenshot(path=artifacts / f"console-running-{size}-full.png")


def test_earlier_sessions_are_listed_by_day_method_and_case(console_server, open_page, artifacts: Path):
    page = facilitators_console(open_page, console_server, LAPTOP)
    expect(main(page).get_by_role("heading", name=text("live.history", DUTCH))).to_be_visible()
    buttons = main(page).locator('[class*="st-key-report"] button')
    expect(buttons.first).to_be_visible()
    # The last line: before it, the icon's ligature ("description") is text too.
    labels = [label.strip().splitlines()[-1] for label in buttons.all_inner_texts()]
    assert labels and all(DAY_METHOD_CASE.match(label) for label in labels), labels
    buttons.first.scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "console-history-1280x720.png")
