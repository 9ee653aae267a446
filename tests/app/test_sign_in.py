"""Sign in with e-mail and password; the demo organisation shows its accounts and password."""

from __future__ import annotations

import pytest
from driving import (
    COORDINATOR_EMAIL,
    COORDINATOR_NAME,
    COORDINATOR_PASSWORD,
    app,
    assert_healthy,
    click,
    fill,
    query,
    value_of,
    values,
)

from intervision import auth, demo
from intervision.models import Language

FAILED = "The e-mail address or password is not right, or the account is locked for a while after too many attempts."


def _sign_in(email: str, password: str, locale: str = "en-GB"):
    at = app(locale=locale).run()
    assert values(at.title) == ["Sign in"] or locale.startswith("nl")
    fill(at, {"sign_in.email": email, "sign_in.password": password})
    return click(at, "Sign in" if not locale.startswith("nl") else "Inloggen")


def _sign_ins(action: str) -> int:
    return query("SELECT count(*) FROM audit_log WHERE action = ?", (action,))[0][0]


def test_correct_credentials_sign_in(organisation_db):
    at = _sign_in(COORDINATOR_EMAIL, COORDINATOR_PASSWORD)

    assert_healthy(at)
    assert values(at.title) == [f"Welcome, {COORDINATOR_NAME}"]
    person = auth.signed_in_person(at.session_state["sign_in_token"])
    assert person is not None and person.email == COORDINATOR_EMAIL
    # The browser is handed a one-time ticket for its HttpOnly cookie.
    assert query("SELECT count(*) FROM sign_in_tickets") == [(1,)]
    assert _sign_ins("sign_in") == 1


def test_email_is_not_case_sensitive(organisation_db):
    at = _sign_in(f"  {COORDINATOR_EMAIL.upper()} ", COORDINATOR_PASSWORD)

    assert_healthy(at)
    assert values(at.title) == [f"Welcome, {COORDINATOR_NAME}"]


def test_wrong_password_gets_the_generic_message(organisation_db):
    at = _sign_in(COORDINATOR_EMAIL, "niet het wachtwoord")

    assert_healthy(at)
    assert values(at.error) == [FAILED]
    assert values(at.title) == ["Sign in"]
    assert "sign_in_token" not in at.session_state
    assert value_of(at, "sign_in.email") == COORDINATOR_EMAIL
    assert _sign_ins("sign_in_failed") == 1


def test_unknown_email_gets_the_same_message(organisation_db):
    wrong_password = _sign_in(COORDINATOR_EMAIL, "niet het wachtwoord")
    unknown = _sign_in("niemand@proef.example", "niet het wachtwoord")

    assert_healthy(unknown)
    assert values(unknown.error) == values(wrong_password.error) == [FAILED]
    # Drawn in the same place, so nothing on screen tells the two apart.
    assert [node.type for node in unknown.main] == [node.type for node in wrong_password.main]
    assert "sign_in_token" not in unknown.session_state


def test_account_is_locked_after_five_failures_with_the_same_message(organisation_db):
    for _ in range(5):
        _sign_in(COORDINATOR_EMAIL, "niet het wachtwoord")
    at = _sign_in(COORDINATOR_EMAIL, COORDINATOR_PASSWORD)

    assert_healthy(at)
    assert values(at.error) == [FAILED]
    assert "sign_in_token" not in at.session_state
    assert _sign_ins("account_locked") == 1


def test_empty_email_is_asked_for(organisation_db):
    at = _sign_in("", "iets")

    assert_healthy(at)
    assert values(at.error) == ["Please fill this in."]


def test_empty_password_is_asked_for(organisation_db):
    at = _sign_in(COORDINATOR_EMAIL, "")

    assert values(at.error) == ["Please fill this in."]


def test_no_demo_accounts_in_a_real_organisation(organisation_db):
    at = app().run()

    assert_healthy(at)
    assert not at.table
    assert "Try the demo" not in values(at.subheader)


def test_demo_sign_in_lists_the_demo_accounts_and_password(demo_db):
    at = app().run()

    assert_healthy(at)
    assert "Try the demo" in values(at.subheader)
    assert [block.value for block in at.code] == [demo.DEMO_PASSWORD]
    listed = at.table[0].value
    accounts = demo.demo_accounts()
    assert list(listed["E-mail address"]) == [account.email for account in accounts]
    who = dict(zip(listed["E-mail address"], listed["Who"], strict=True))
    assert who[accounts[0].email] == "Coordinator"
    assert who["fatima.elamrani@demo.example"] == (
        "facilitator of Wijkverpleging Noord; participant in Leidinggevenden Zorg"
    )
    assert who["sofie.claes@demo.example"] == "participant in Leidinggevenden Zorg, Jeugdhulp Gent"
    assert all(who.values())


@pytest.mark.parametrize("account", range(len(demo.demo_accounts())))
def test_every_listed_demo_account_signs_in_with_the_demo_password(demo_db, account):
    listed = demo.demo_accounts()[account]
    at = _sign_in(listed.email, demo.DEMO_PASSWORD)

    assert_healthy(at)
    assert values(at.title) in (["Welcome, " + listed.name], ["Welkom, " + listed.name])


# --- language ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "title"),
    [("nl-NL", "Inloggen"), ("nl-BE", "Inloggen"), ("de-DE", "Sign in"), (None, "Sign in")],
)
def test_sign_in_speaks_the_browsers_language(demo_db, locale, title):
    at = app(locale=locale).run()

    assert_healthy(at)
    assert values(at.title) == [title]


def test_dutch_browser_signs_in_to_a_dutch_home(demo_db):
    marieke = demo.demo_accounts()[0]
    at = _sign_in(marieke.email, demo.DEMO_PASSWORD, locale="nl-NL")

    assert_healthy(at)
    assert values(at.title) == [f"Welkom, {marieke.name}"]


def test_stored_language_wins_after_signing_in_from_an_english_browser(demo_db):
    marieke = demo.demo_accounts()[0]
    at = _sign_in(marieke.email, demo.DEMO_PASSWORD, locale="en-GB")

    assert_healthy(at)
    assert values(at.title) == [f"Welkom, {marieke.name}"]


def test_sidebar_shows_the_language_of_the_page_after_signing_in(demo_db):
    marieke = demo.demo_accounts()[0]
    at = _sign_in(marieke.email, demo.DEMO_PASSWORD, locale="en-GB")
    assert values(at.title) == [f"Welkom, {marieke.name}"]

    assert at.sidebar.selectbox(key="_language_choice").value == Language.NL
