"""The board in real Chromium: the facilitator edits and hides an item from its menu on the console and the
projector follows; a member gives dots on their phone in the choice and the projector counts them.

The console (Jeroen) and the phone (Sofie) speak Dutch, the projector the group's English: both languages.
Screenshots at 1920×1080 (console, projector) and 390×844 (phone).
"""

from __future__ import annotations

from conftest import PHONE, PROJECTOR
from e2e_support import goto, main, settle, signed_in_page, text
from live_support import MEMBER, facilitators_console, open_session, shows, wait_until
from playwright.sync_api import Locator, Page, expect

SOLUTIONS, CHOICE = 4, 5  # the incident method's solutions round (advice) and the choice (three dots each)
ADVICE = ("Spreek één vast mailmoment per week af", "Bel de ouder zelf terug", "Vraag de directeur erbij")


def _menu(console: Page, item_id: int) -> Locator:
    """Open the item's small menu on the console; what it shows."""
    console.locator(f".st-key-board-menu-{item_id} [data-testid='stPopoverButton']").first.click()
    menu = console.get_by_test_id("stPopoverBody")
    expect(menu).to_be_visible()
    return menu


def test_console_edits_and_hides_the_projector_follows_and_a_phone_gives_dots(fresh_demo_server, open_page, artifacts):
    server = fresh_demo_server
    setup = open_session(server.database, language="en")
    setup.begin()
    setup.go_to(SOLUTIONS)
    first, second, third = (setup.add_to_board("advice", advice) for advice in ADVICE)

    projector = open_page(viewport=PROJECTOR)
    goto(projector, server.url(setup.projector_path))
    board = projector.locator(".projector-board")
    expect(board).to_contain_text(ADVICE[2])
    console = facilitators_console(open_page, server, PROJECTOR)
    expect(main(console).get_by_text(ADVICE[0])).to_be_visible()

    # Edit: the menu's wording field, saved; the projector shows the new wording.
    menu = _menu(console, first)
    menu.get_by_label(text("board_edit.wording", "nl")).first.fill("Eén vast mailmoment per week")
    menu.get_by_role("button", name=text("board_edit.save", "nl")).click()
    wait_until(shows(board, "Eén vast mailmoment per week"), timeout=10)
    assert ADVICE[0] not in board.inner_text()

    # Hide: gone from the projector, greyed on the console with "hidden".
    console.keyboard.press("Escape")
    menu = _menu(console, third)
    menu.get_by_role("button", name=text("board_edit.hide", "nl")).click()
    wait_until(lambda: ADVICE[2] not in board.inner_text(), timeout=10)
    hidden_line = console.locator(f".st-key-board-item-{third}")
    expect(hidden_line).to_contain_text(text("board_edit.hidden", "nl"))
    settle(console)
    console.screenshot(path=artifacts / "board-console-1920x1080.png")
    _menu(console, first)
    console.screenshot(path=artifacts / "board-console-menu-1920x1080.png")
    console.keyboard.press("Escape")
    projector.screenshot(path=artifacts / "board-projector-edited-1920x1080.png")

    # The history keeps who did what: the earlier wording is in it.
    history = console.locator(".st-key-board-history")
    history.click()
    expect(history).to_contain_text(ADVICE[0])

    # The choice asks for dots: Sofie gives two to one piece of advice and one to another on her phone.
    setup.go_to(CHOICE)
    phone = signed_in_page(open_page, server, MEMBER[1], viewport=PHONE, phone=True)
    goto(phone, server.url(setup.follow_path))
    expect(phone.get_by_text(text("board_edit.dots_left", "nl", count=3))).to_be_visible()
    assert ADVICE[2] not in main(phone).inner_text()  # hidden: never on a phone
    give_first = phone.locator(f".st-key-dot-give-{first} button")
    give_first.click()
    expect(phone.get_by_text(text("board_edit.dots_left", "nl", count=2))).to_be_visible()
    give_first.click()
    expect(phone.get_by_text(text("board_edit.dots_left", "nl", count=1))).to_be_visible()
    phone.locator(f".st-key-dot-give-{second} button").click()
    expect(phone.get_by_text(text("board_edit.dots_left", "nl", count=0))).to_be_visible()
    expect(phone.locator(f".st-key-dot-give-{second} button")).to_be_disabled()
    phone.locator(f".st-key-dots-{first}").scroll_into_view_if_needed()
    phone.screenshot(path=artifacts / "board-phone-dots-390x844.png")

    # The projector counts the dots (the group's English), never who gave them.
    wait_until(shows(board, text("board_edit.dots", "en", count=2)), timeout=10)
    assert text("board_edit.dots", "en", count=1) in board.inner_text()
    assert MEMBER[0] not in board.inner_text()
    projector.screenshot(path=artifacts / "board-projector-dots-1920x1080.png")

    # Taking one back frees it again.
    phone.locator(f".st-key-dot-take-back-{first} button").click()
    expect(phone.get_by_text(text("board_edit.dots_left", "nl", count=1))).to_be_visible()
    wait_until(lambda: text("board_edit.dots", "en", count=2) not in board.inner_text(), timeout=10)
    assert [item.dots for item in setup.board()] == [1, 1]  # the hidden one is not in a participant's read
    # The console at a smaller screen: the menu still opens beside its item.
    console.set_viewport_size({"width": 1280, "height": 720})
    _menu(console, second)
    console.screenshot(path=artifacts / "board-console-menu-1280x720.png")
    for page in (console, projector, phone):
        assert page.js_errors == []
    setup.close()
