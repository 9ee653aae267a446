"""What a person sees in a real browser: first run, signing in and out, refused deep links, the demo."""

from __future__ import annotations

import re

import pytest
from e2e_support import (
    DEMO_COORDINATOR,
    DEMO_DOMAIN,
    DEMO_GROUPS,
    DEMO_PARTICIPANT_EN,
    DEMO_PARTICIPANT_NL,
    DEMO_PASSWORD,
    SIGN_IN_TITLE,
    SIGN_OUT,
    either,
    error_boxes,
    goto,
    main,
    session_cookie,
    settle,
    sign_in,
    signed_in_page,
    visible_text,
)
from live_support import FACILITATOR
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

ORGANISATION = "Buurtzorg Oost"
COORDINATOR = "Anne-Marie O'Neill (HR)"  # markdown's special characters, shown as typed
EMAIL = "anne-marie.oneill@example.org"
PASSWORD = "a long enough sentence"


def _first_run_form(page: Page, **overrides: str) -> None:
    values = {
        "Name of your organisation": ORGANISATION,
        "Name": COORDINATOR,
        "E-mail address": EMAIL,
        "Password": PASSWORD,
        "Password again": PASSWORD,
    } | overrides
    for label, value in values.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Create my coordinator account").click()


# --- 1. first run -------------------------------------------------------------------------------


def test_first_run_creates_the_coordinator_and_signs_in(fresh_server, open_page):
    page = open_page(locale="en-US")
    goto(page, fresh_server.url("/"))
    expect(page.get_by_role("heading", level=1, name="Welcome to Intervision")).to_be_visible()
    expect(page.get_by_role("heading", name="Set up your organisation")).to_be_visible()

    _first_run_form(page)

    welcome = page.get_by_role("heading", level=1, name=f"Welcome, {COORDINATOR}", exact=True)
    expect(welcome).to_be_visible()
    settle(page)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.get_by_text("Coordinator", exact=True)).to_be_visible()  # the sidebar names the role
    expect(page.get_by_role("heading", name="Welcome to Intervision")).to_have_count(0)
    assert session_cookie(page.context) is not None
    assert not error_boxes(page)


def test_welcome_screen_follows_a_dutch_browser(empty_server, open_page):
    page = open_page(locale="nl-NL")
    goto(page, empty_server.url("/"))
    expect(page.get_by_role("heading", level=1, name="Welkom bij Intervisie")).to_be_visible()
    expect(page.get_by_role("heading", name="Richt je organisatie in")).to_be_visible()
    expect(page.get_by_role("button", name="Maak mijn coördinator-account")).to_be_visible()
    expect(page.get_by_role("button", name="Laad de demo-organisatie")).to_be_visible()
    expect(page.get_by_text("Welcome to Intervision")).to_have_count(0)


# --- 2. mistakes in the first-run form ----------------------------------------------------------


def _below(page: Page, label: str, message: str) -> None:
    """The message is shown right under the field: below its input, above the next input."""
    field = page.get_by_label(label, exact=True)
    box = main(page).locator('[data-testid="stAlertContentError"]', has_text=message)
    expect(box).to_be_visible()
    field_box, message_box = field.bounding_box(), box.bounding_box()
    assert field_box and message_box
    gap = message_box["y"] - (field_box["y"] + field_box["height"])
    assert 0 <= gap < 60, f"{message!r} is {gap:.0f}px below the field {label!r}"


def test_first_run_mistakes_are_shown_next_to_the_fields(empty_server, open_page):
    page = open_page(locale="en-US")
    goto(page, empty_server.url("/"))

    _first_run_form(page, **{"E-mail address": "anna-at-example", "Password again": "another sentence!"})

    settle(page)
    _below(page, "E-mail address", "This is not an e-mail address.")
    _below(page, "Password again", "The two passwords are not the same.")
    # What was typed is still there, and nobody was signed in.
    expect(page.get_by_label("Name", exact=True)).to_have_value(COORDINATOR)
    expect(page.get_by_label("Name of your organisation", exact=True)).to_have_value(ORGANISATION)
    expect(page.get_by_label("E-mail address", exact=True)).to_have_value("anna-at-example")
    expect(page.get_by_role("heading", level=1, name="Welcome to Intervision")).to_be_visible()
    assert session_cookie(page.context) is None


# --- 3. signing in survives a reload; signing out does too ---------------------------------------


def test_sign_in_survives_a_reload_and_sign_out_too(demo_server, open_page):
    name, email = DEMO_PARTICIPANT_EN
    page = open_page(locale="en-US")
    sign_in(page, demo_server, email)
    home = page.get_by_role("heading", level=1, name=f"Welcome, {name}")
    expect(home).to_be_visible()

    cookie = session_cookie(page.context)
    assert cookie is not None, page.context.cookies()
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Lax"
    assert cookie["path"] == "/"

    page.reload(wait_until="domcontentloaded")
    settle(page)
    expect(home).to_be_visible()
    expect(page.get_by_label("Password", exact=True)).to_have_count(0)

    page.get_by_role("button", name=SIGN_OUT).click()
    expect(page.get_by_role("heading", level=1, name=SIGN_IN_TITLE)).to_be_visible()
    settle(page)
    assert session_cookie(page.context) is None

    page.reload(wait_until="domcontentloaded")
    settle(page)
    expect(page.get_by_role("heading", level=1, name=SIGN_IN_TITLE)).to_be_visible()
    expect(page.get_by_label("Password", exact=True)).to_be_visible()
    expect(home).to_have_count(0)
    expect(page.get_by_role("button", name=SIGN_OUT)).to_have_count(0)


# --- 4. deep links to a coordinators' page are refused -----------------------------------------


def test_deep_link_to_people_as_first_request_is_refused(fresh_demo_server, open_page):
    page = open_page(locale="en-US")
    goto(page, fresh_demo_server.url("/people"))  # the very first request this server answers

    # The router runs from the first request on: /people is not among a signed-out person's screens.
    expect(main(page).get_by_role("heading", level=1, name=SIGN_IN_TITLE)).to_be_visible()
    expect(page.get_by_label("Password", exact=True)).to_be_visible()
    # (The demo's sign-in page lists its accounts to try; the people page's own content is not there.)
    expect(main(page).get_by_role("heading", level=1, name=either("nav.people"))).to_have_count(0)
    expect(page.get_by_role("tab", name="Audit log")).to_have_count(0)
    expect(page.get_by_role("tab", name="Organisation")).to_have_count(0)


def test_a_facilitators_bookmark_opens_the_console_as_the_first_request_after_a_restart(fresh_demo_server, open_page):
    """A facilitator reloads /session right after the server restarted: the console, not Streamlit's
    "Page not found" dialog over it."""
    page = signed_in_page(open_page, fresh_demo_server, FACILITATOR[1])
    goto(page, fresh_demo_server.url("/session"))  # the very first request this server answers

    expect(main(page).get_by_role("heading", level=1, name=either("nav.console"))).to_be_visible()
    settle(page)  # the dialog, when it came, came with the first run's messages
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.get_by_text("Page not found")).to_have_count(0)


def test_deep_link_to_people_as_a_participant_shows_no_people(demo_server, open_page):
    name, email = DEMO_PARTICIPANT_NL
    page = open_page(locale="en-US")
    sign_in(page, demo_server, email)

    goto(page, demo_server.url("/people"))

    expect(page.get_by_role("heading", level=1, name=re.compile(name))).to_be_visible()
    text = visible_text(page)
    assert DEMO_DOMAIN not in text, "a participant sees e-mail addresses on /people"
    assert DEMO_COORDINATOR[0] not in text
    expect(page.get_by_role("link", name=re.compile("^(People|Mensen)$"))).to_have_count(0)


# --- 5. the demo ---------------------------------------------------------------------------------


def test_demo_loads_from_the_welcome_screen_and_the_coordinator_sees_its_groups(fresh_server, open_page):
    page = open_page(locale="en-US")
    goto(page, fresh_server.url("/"))
    page.get_by_role("button", name="Load the demo organisation").click()

    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    settle(page)
    expect(page.get_by_role("heading", name="Try the demo")).to_be_visible()
    expect(main(page).get_by_text(DEMO_PASSWORD, exact=True)).to_be_visible()

    name, email = DEMO_COORDINATOR
    sign_in(page, fresh_server, email)
    expect(page.get_by_role("heading", level=1, name=re.compile(name))).to_be_visible()

    page.get_by_role("link", name=re.compile("^(Groups|Groepen)$")).click()
    expect(page.get_by_role("heading", level=1, name=re.compile("^(Groups|Groepen)$"))).to_be_visible()
    settle(page)
    page.get_by_role("combobox", name=either("field.group")).click()
    options = page.get_by_role("option")
    for group in DEMO_GROUPS:
        expect(options.filter(has_text=group)).to_have_count(1)
    page.keyboard.press("Escape")
    assert not error_boxes(page)


def test_sign_in_screen_lists_the_demo_accounts(demo_server, open_page):
    page = open_page(locale="en-US")
    goto(page, demo_server.url("/"))

    expect(page.get_by_role("heading", name="Try the demo")).to_be_visible()
    expect(main(page).get_by_text(DEMO_PASSWORD, exact=True)).to_be_visible()
    assert not error_boxes(page), error_boxes(page)
    table = main(page).locator('[data-testid="stTable"]')
    expect(table).to_contain_text(DEMO_COORDINATOR[1])
    expect(table).to_contain_text("Coordinator")
    expect(table).to_contain_text(DEMO_PARTICIPANT_NL[1])


# --- invitations ----------------------------------------------------------------------------------


def test_a_new_invitation_invites_a_member_unless_chosen_otherwise(demo_server, open_page):
    page = open_page(locale="en-US")
    sign_in(page, demo_server, DEMO_COORDINATOR[1])
    goto(page, demo_server.url("/invitations"))

    # A coordinator may invite facilitators, but one click on "Create" must not make everyone with the
    # link a facilitator.
    role = page.get_by_role("combobox", name=either("field.group_role"))
    expect(role).to_have_value(either("group_role.member"))
