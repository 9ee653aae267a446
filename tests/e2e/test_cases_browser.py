"""Bringing a case in, in a real browser: on a phone the hint shows up as you type, and the draft is kept
in the database, so a reload, a new tab and another device all find it again.

Screenshots of the intake at phone and projector size go to test-artifacts/ (11-case-intake-*.png).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import PHONE, PROJECTOR
from e2e_support import EXCEPTION_TEXT, error_boxes, goto, main, redrawn, settle, sign_in, text, visible_text
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

# A demo participant who reads English, in "Jeugdhulp Gent"; no other browser test uses him.
NAME, EMAIL = "Daniel Okafor", "daniel.okafor@demo.example"
TITLE = "A father who calls me in the evening"
SITUATION = "The father called me on 06-12345678 at nine in the evening and asked for the report. I froze."
PHONE_HINT = "This looks like a phone number: “06-12345678”. Leave it out."
DRAFT_KEPT = re.compile(r"^Draft saved at \d{1,2}:\d{2}\.$")


def _check(page: Page, name: str) -> None:
    shown = visible_text(page)
    assert "⟦" not in shown, f"{name}: a missing translation: {re.findall(r'⟦[^⟧]*⟧', shown)}"
    assert not EXCEPTION_TEXT.search(shown), f"{name}: exception text on the screen:\n{shown}"
    assert not error_boxes(page), f"{name}: error boxes: {error_boxes(page)}"
    assert not page.js_errors, f"{name}: JavaScript errors: {page.js_errors}"


def _shoot(page: Page, folder: Path, name: str) -> None:
    """<name>.png (the first screen) and <name>-full.png (all of the page, as a taller window shows it)."""
    settle(page, pause_ms=400)
    _check(page, name)
    page.screenshot(path=folder / f"{name}.png")
    viewport = page.viewport_size
    assert viewport is not None
    length = page.locator('[data-testid="stMain"]').evaluate("main => main.scrollHeight")
    if length > viewport["height"] + 10:
        page.set_viewport_size({"width": viewport["width"], "height": min(length, 6000)})
        redrawn(page)
        page.screenshot(path=folder / f"{name}-full.png")
        page.set_viewport_size(viewport)


def _open_intake(page: Page, url: str | None = None) -> None:
    """Open the cases page (or, without a URL, wait for the one being loaded): the intake tab is first."""
    if url:
        goto(page, url)
    else:
        settle(page)
    expect(page.get_by_role("heading", level=1, name=text("nav.cases"))).to_be_visible()
    expect(page.get_by_role("tab", name=text("cases.bring"))).to_have_attribute("aria-selected", "true")


def _title(page: Page):
    return main(page).get_by_label(text("cases.title"), exact=True)


def _situation(page: Page):
    return main(page).get_by_label(text("cases.situation"), exact=True)


def _draft_is_there(page: Page) -> None:
    expect(_title(page)).to_have_value(TITLE)
    expect(_situation(page)).to_have_value(SITUATION)
    expect(main(page).get_by_text(PHONE_HINT)).to_be_visible()


def test_a_case_draft_survives_a_reload_a_new_tab_and_another_device(demo_server, open_page, artifacts):
    phone = open_page(locale="en-US", viewport=PHONE, phone=True)
    sign_in(phone, demo_server, EMAIL)
    _open_intake(phone, demo_server.url("/cases"))
    expect(_title(phone)).to_have_value("")

    _title(phone).fill(TITLE)
    _title(phone).press("Enter")
    settle(phone)
    _situation(phone).fill(SITUATION)
    _title(phone).click()  # leaving the text area hands what was typed to the app
    expect(main(phone).get_by_text(PHONE_HINT)).to_be_visible()
    expect(main(phone).get_by_text(DRAFT_KEPT)).to_be_visible()
    # The hint sits under the situation, above the next field.
    hint = main(phone).get_by_text(PHONE_HINT).bounding_box()
    situation = _situation(phone).bounding_box()
    involved = main(phone).get_by_label(text("cases.involved"), exact=True).bounding_box()
    assert hint and situation and involved
    assert situation["y"] + situation["height"] <= hint["y"] < involved["y"], (situation, hint, involved)
    _shoot(phone, artifacts, "11-case-intake-phone")

    phone.reload(wait_until="domcontentloaded")  # a new Streamlit session: only the database remembers
    _open_intake(phone)
    _draft_is_there(phone)

    tab = phone.context.new_page()
    tab.js_errors = []
    tab.on("pageerror", lambda error: tab.js_errors.append(str(error)))
    phone.close()
    _open_intake(tab, demo_server.url("/cases"))
    _draft_is_there(tab)
    _check(tab, "new tab")

    projector = open_page(locale="en-US", viewport=PROJECTOR)
    sign_in(projector, demo_server, EMAIL)
    _open_intake(projector, demo_server.url("/cases"))
    _draft_is_there(projector)
    _shoot(projector, artifacts, "11-case-intake-projector")
