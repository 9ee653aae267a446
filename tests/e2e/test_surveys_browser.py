"""Surveys in a real browser: a member answers the open survey on a phone by tapping, and the facilitator
shows the group's results on a projector.

Screenshots go to test-artifacts/: 17-survey-phone.png and 18-survey-results-projector.png (with a -full
variant when the page is longer than the screen).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import PHONE, PROJECTOR
from e2e_support import EXCEPTION_TEXT, either, error_boxes, goto, main, redrawn, settle, sign_in, text, visible_text
from playwright.sync_api import Page, expect

from intervision.instruments import shipped_instruments

pytestmark = pytest.mark.browser

# A demo member who reads English, in "Onderwijsteam Basisschool De Regenboog"; no other browser test uses her.
MEMBER = "Ana Souza"
# The facilitator of that group (she reads Dutch).
FACILITATOR = "Annelies Verhoeven"
GROUP = "Onderwijsteam Basisschool De Regenboog"
TAPPED = {"use_1": "Mostly", "use_2": "Completely", "proc_1": "Moderately", "proc_2": "Mostly", "proc_3": "A little"}
SKIPPED = "The method we chose suited the case."  # use_3


def _email(server, name: str) -> str:
    with server.database.reading() as db:
        [(email,)] = db.execute("SELECT email FROM people WHERE name = ?", (name,)).fetchall()
    return email


def _check(page: Page, name: str) -> None:
    shown = visible_text(page)
    assert "⟦" not in shown, f"{name}: a missing translation: {re.findall(r'⟦[^⟧]*⟧', shown)}"
    assert not EXCEPTION_TEXT.search(shown), f"{name}: exception text on the screen:\n{shown}"
    assert not error_boxes(page), f"{name}: error boxes: {error_boxes(page)}"
    assert not page.js_errors, f"{name}: JavaScript errors: {page.js_errors}"


def _shoot(page: Page, folder: Path, name: str) -> None:
    """<name>.png (the first screen) and <name>-full.png (all of the page, as a taller window shows it)."""
    settle(page, pause_ms=600)
    _check(page, name)
    page.screenshot(path=folder / f"{name}.png")
    viewport = page.viewport_size
    assert viewport is not None
    length = main(page).evaluate("main => main.scrollHeight")
    if length > viewport["height"] + 10:
        page.set_viewport_size({"width": viewport["width"], "height": min(length, 6000)})
        redrawn(page)
        page.screenshot(path=folder / f"{name}-full.png")
        page.set_viewport_size(viewport)


def _statement(page: Page, english: str):
    """The radio group of one statement, found by its text."""
    return main(page).locator('[data-testid="stRadio"]').filter(has_text=english)


def test_a_member_answers_the_open_survey_on_a_phone(demo_server, open_page, artifacts):
    page = open_page(locale="en-US", viewport=PHONE, phone=True)
    sign_in(page, demo_server, _email(demo_server, MEMBER))
    goto(page, demo_server.url("/surveys"))
    expect(page.get_by_role("heading", level=1, name=text("nav.surveys"))).to_be_visible()
    expect(page.get_by_role("tab", name=text("surveys.to_answer"))).to_have_attribute("aria-selected", "true")
    expect(main(page).get_by_text("Session evaluation", exact=True)).to_be_visible()

    items = {
        "use_1": "The session helped me with my own work.",
        "use_2": "I take something concrete home with me.",
        "proc_1": "The phases of the method were kept to.",
        "proc_2": "Everyone had room to speak.",
        "proc_3": "The time was used well.",
    }
    for item, statement in items.items():
        option = _statement(page, statement).get_by_text(TAPPED[item], exact=True)
        option.scroll_into_view_if_needed()
        option.tap()
        expect(_statement(page, statement).get_by_role("radio", name=TAPPED[item])).to_be_checked()
    save = main(page).get_by_role("button", name=text("surveys.save"))
    save.scroll_into_view_if_needed()
    save.tap()
    settle(page)
    expect(main(page).get_by_text(text("surveys.saved"))).to_be_visible()
    page.evaluate("window.scrollTo(0, 0)")
    main(page).evaluate("main => main.scrollTo(0, 0)")
    _shoot(page, artifacts, "17-survey-phone")

    # A reload (a new session) shows the answers again, and the skipped statement still open.
    page.reload(wait_until="domcontentloaded")
    settle(page)
    for item, statement in items.items():
        expect(_statement(page, statement).get_by_role("radio", name=TAPPED[item])).to_be_checked()
    expect(_statement(page, SKIPPED).get_by_role("radio", checked=True)).to_have_count(0)
    _check(page, "after a reload")


def test_the_facilitator_shows_the_results_on_a_projector(demo_server, open_page, artifacts):
    page = open_page(locale="en-US", viewport=PROJECTOR)  # signs in in English; then her own Dutch
    sign_in(page, demo_server, _email(demo_server, FACILITATOR))
    goto(page, demo_server.url("/surveys"))
    page.get_by_role("tab", name=either("surveys.results")).click()
    settle(page)
    charts = main(page).locator('[data-testid="stPlotlyChart"]')
    expect(charts.first).to_be_visible()
    expect(charts.first.locator(".main-svg").first).to_be_visible()
    # The first questionnaire in the list: a trend per scale and facet, and the distribution; a scale with no
    # wave above the threshold says so in a line instead of empty axes.
    first = next(iter(shipped_instruments().instruments.values()))
    not_drawn = main(page).get_by_text(either("surveys.trend_not_shown", threshold=3)).count()
    assert charts.count() + not_drawn == len(first.reported_scales) + 1
    expect(charts.first.locator("text", has_text=either("surveys.new_questions_marker"))).to_be_visible()
    shown = visible_text(page)
    for language in ("en", "nl"):
        assert text("surveys.my_score", language) not in shown, "a facilitator has no own score in the group"
    assert "n=" in charts.first.inner_text() or charts.first.locator("text", has_text="n=").count() > 0
    _shoot(page, artifacts, "18-survey-results-projector")


def test_on_a_phone_the_member_sees_that_the_answers_are_saved(demo_server, open_page):
    page = open_page(locale="en-US", viewport=PHONE, phone=True)
    sign_in(page, demo_server, _email(demo_server, "Tim van den Berg"))  # reads Dutch; same group as Ana Souza
    goto(page, demo_server.url("/surveys"))
    groups = main(page).locator('[data-testid="stRadio"]')
    expect(groups.first).to_be_visible()
    for index in range(groups.count()):
        option = groups.nth(index).locator("label").nth(3)
        option.scroll_into_view_if_needed()
        option.tap()
    save = main(page).get_by_role("button", name=either("surveys.save"))
    save.scroll_into_view_if_needed()
    save.tap()
    settle(page)
    saved = main(page).get_by_text(either("surveys.saved"))
    expect(saved).to_be_visible()
    expect(saved).to_be_in_viewport(timeout=3_000)


SMALLEST_PROJECTOR_TEXT = 16  # px at 1920×1080; charts.FONT_SIZE asks for 18


def test_the_results_charts_are_readable_on_a_projector(demo_server, open_page):
    page = open_page(locale="en-US", viewport=PROJECTOR)
    sign_in(page, demo_server, _email(demo_server, FACILITATOR))
    goto(page, demo_server.url("/surveys"))
    page.get_by_role("tab", name=either("surveys.results")).click()
    settle(page)
    chart = main(page).locator('[data-testid="stPlotlyChart"]').first
    expect(chart.locator(".xtick text").first).to_be_visible()
    sizes = {
        part: chart.locator(selector).first.evaluate("node => parseFloat(getComputedStyle(node).fontSize)")
        for part, selector in {"x ticks": ".xtick text", "y ticks": ".ytick text", "legend": ".legendtext"}.items()
    }
    assert all(size >= SMALLEST_PROJECTOR_TEXT for size in sizes.values()), sizes
