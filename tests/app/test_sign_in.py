"""Sign in with e-mail and password; the demo organisation shows its accounts and password."""

from __future__ import annotations

import re
from datetime import timedelta

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

from intervision import auth, clock, demo
from intervision.database import configured as configured_database
from intervision.errors import DomainError
from intervision.models import Language, SignInInput
from ui import guard

FAILED = "The e-mail address or password is not right."
HOME, NEXT_DOOR = "198.51.100.7", "198.51.100.8"


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
    person = auth.signed_in_person(configured_database(), at.session_state["sign_in_token"])
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


def _failed_until_now(email: str, times: int, address: str) -> None:
    """Wrong passwords from this address, each as soon as the wait before it allowed, the last one just now."""
    waits = [2**n for n in range(times - 1)]  # 1, 2, 4 … seconds
    moment = clock.utcnow() - timedelta(seconds=sum(waits))
    for wait in [*waits, 0]:
        with pytest.raises(DomainError):
            auth.sign_in(
                configured_database(), SignInInput(email=email, password="niet het wachtwoord"), address, now=moment
            )
        moment += timedelta(seconds=wait)


def test_after_failures_the_address_is_told_to_wait_the_same_for_an_unknown_address(organisation_db, monkeypatch):
    """No lock: a failed sign-in makes the next attempt from that address wait, and the page says how long,
    without checking the password; an address without an account reads the same."""
    _failed_until_now(COORDINATOR_EMAIL, 10, HOME)  # the tenth failure: 512 s to wait
    _failed_until_now("niemand@proef.example", 10, NEXT_DOOR)

    monkeypatch.setattr(guard, "client_address", lambda: HOME)
    known = _sign_in(COORDINATOR_EMAIL, COORDINATOR_PASSWORD)
    monkeypatch.setattr(guard, "client_address", lambda: NEXT_DOOR)
    unknown = _sign_in("niemand@proef.example", COORDINATOR_PASSWORD)

    assert_healthy(known)
    assert values(known.error) == values(unknown.error) == ["Too many failed attempts. Try again in 9 min."]
    assert "sign_in_token" not in known.session_state
    assert value_of(known, "sign_in.email") == COORDINATOR_EMAIL
    assert _sign_ins("sign_in_failed") == 10 and _sign_ins("sign_in") == 0
    # From another address the owner waits half a minute at most, however long the attacker's address waits.
    monkeypatch.setattr(guard, "client_address", lambda: "203.0.113.77")
    [told] = values(_sign_in(COORDINATOR_EMAIL, COORDINATOR_PASSWORD).error)
    seconds = re.fullmatch(r"Too many failed attempts\. Try again in (\d+) s\.", told)
    assert seconds and int(seconds[1]) <= 30, told


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
