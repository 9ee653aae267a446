"""Surveys in a real browser: a member answers the open survey on a phone by tapping, and the facilitator
shows the group's results on a projector.

Screenshots go to test-artifacts/: 17-survey-phone.png, 17-survey-phone-seven-points.png and
18-survey-results-projector.png (with a -full variant when the page is longer than the screen).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import PHONE, PROJECTOR
from e2e_support import EXCEPTION_TEXT, either, error_boxes, goto, main, redrawn, settle, sign_in, text, visible_text
from playwright.sync_api import Page, expect

from intervision import accounts, groups, membership, surveys
from intervision.instruments import shipped_instruments
from intervision.models import Contract, GroupInput, GroupRole

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
    """The row of options of one statement, found by its text."""
    return main(page).locator('[data-testid="stButtonGroup"]').filter(has_text=english)


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
    expect(main(page).get_by_text(text("surveys.progress", answered=5, total=6), exact=True)).to_be_visible()
    _check(page, "after a reload")


# A seven-point scale whose Dutch labels are long: on a phone they must wrap inside the row, never widen it.
SEVEN_POINTS = ["Helemaal mee oneens", "Mee oneens", "Een beetje mee oneens", "Niet eens, niet oneens, maar neutraal"]
SEVEN_POINTS += ["Een beetje mee eens", "Mee eens", "Helemaal mee eens, zonder enig voorbehoud of twijfel"]
SEVEN_POINT_FILE = (
    """\
id = "seven_points_phone"
version = 1
own = true
citations = []
reverse_scored = []
name = { nl = "Zeven punten", en = "Seven points" }
description = { nl = "Een schaal van zeven.", en = "A scale of seven." }
"""
    + "".join(
        f'[[options]]\nvalue = {value}\nlabel = {{ nl = "{label}", en = "{label}" }}\n'
        for value, label in enumerate(SEVEN_POINTS, start=1)
    )
    + '[[scales]]\nid = "whole"\nname = { nl = "Geheel", en = "Whole" }\n'
    + 'description = { nl = "Het gemiddelde.", en = "The mean." }\n'
    + "".join(
        f'[[items]]\nid = "s_{n}"\nscale = "whole"\ntext = {{ nl = "Uitspraak {n}.", en = "Statement {n}." }}\n'
        for n in range(1, 5)
    )
)
# A member in a group of her own, so that its open survey changes no other test's screens.
PHONE_MEMBER = "Kim Bos"


def _a_group_with_a_seven_point_survey(server) -> int:
    coordinator = accounts.person_by_email(server.database, _email(server, "Marieke van Dijk"))
    member = accounts.person_by_email(server.database, _email(server, PHONE_MEMBER))
    assert coordinator is not None and member is not None
    surveys.load_instrument(server.database, coordinator, SEVEN_POINT_FILE, "seven.toml")
    contract = Contract(
        meets_every_weeks=4,
        session_minutes=90,
        confidentiality="Wat hier gezegd wordt, blijft hier.",
        start_date=server.database.clock.now().date(),
    )
    group_id = groups.create_group(server.database, coordinator, GroupInput(name="Zeven punten", contract=contract))
    invitation = membership.invite(server.database, coordinator, group_id, member.id, GroupRole.MEMBER)
    membership.accept(server.database, member, invitation)
    return surveys.open_wave(server.database, coordinator, group_id, "seven_points_phone", "start")


def _overflowing(page: Page) -> list[str]:
    """Whatever sticks out past the right edge of the screen: the page itself, or an option of a statement."""
    return page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            const found = [];
            if (document.documentElement.scrollWidth > width) found.push('the page scrolls sideways');
            for (const option of document.querySelectorAll('[data-testid="stButtonGroup"] button')) {
                const box = option.getBoundingClientRect();
                if (box.left < 0 || box.right > width + 0.5 || option.scrollWidth > option.clientWidth + 1)
                    found.push(option.innerText);
            }
            return found;
        }"""
    )


def test_a_seven_point_scale_with_long_labels_fits_a_phone_and_saves(demo_server, open_page, artifacts):
    wave_id = _a_group_with_a_seven_point_survey(demo_server)
    page = open_page(locale="en-US", viewport=PHONE, phone=True)
    sign_in(page, demo_server, _email(demo_server, PHONE_MEMBER))  # reads Dutch
    goto(page, demo_server.url("/surveys"))
    survey = main(page).locator(f".st-key-survey_{wave_id}")  # she has another survey open, in her own group
    rows = survey.locator('[data-testid="stButtonGroup"]')
    expect(rows).to_have_count(4)
    expect(rows.first.get_by_role("radio")).to_have_count(7)
    assert _overflowing(page) == []
    heights = [row.get_by_role("radio").first.bounding_box()["height"] for row in rows.all()]
    assert min(heights) >= 44, f"options are thumb-sized targets: {heights}"

    expect(survey.get_by_text(text("surveys.progress", "nl", answered=0, total=4), exact=True)).to_be_visible()
    for index, label in enumerate(SEVEN_POINTS[:3]):
        option = rows.nth(index).get_by_role("radio", name=label, exact=True)
        option.scroll_into_view_if_needed()
        option.tap()
        expect(option).to_be_checked()
    expect(survey.get_by_text(text("surveys.progress", "nl", answered=3, total=4), exact=True)).to_be_visible()
    save = survey.get_by_role("button", name=text("surveys.save", "nl"))
    save.scroll_into_view_if_needed()
    save.tap()
    saved = survey.get_by_text(text("surveys.saved", "nl"))
    expect(saved).to_be_visible()
    assert _overflowing(page) == []
    page.evaluate("window.scrollTo(0, 0)")
    main(page).evaluate("main => main.scrollTo(0, 0)")
    _shoot(page, artifacts, "17-survey-phone-seven-points")

    member = accounts.person_by_email(demo_server.database, _email(demo_server, PHONE_MEMBER))
    assert member is not None
    stored = surveys.my_answers(demo_server.database, member, wave_id)
    assert stored == {"s_1": 1, "s_2": 2, "s_3": 3, "s_4": None}, "the fourth statement skipped"


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
    groups = main(page).locator('[data-testid="stButtonGroup"]')
    expect(groups.first).to_be_visible()
    for index in range(groups.count()):
        option = groups.nth(index).get_by_role("radio").nth(3)
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
