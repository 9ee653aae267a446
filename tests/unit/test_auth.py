"""Signing in and out: server-side sessions, growing waits after failures, cookie tickets bound to a browser,
password changes, and no write lock while a password is hashed or checked."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

import argon2
import pytest
from unit_support import NOW, PASSWORD, SQLITE_FILE, audit_actions, count_rows, group_form

from intervision import accounts, auth, db, groups, invitations, store
from intervision.config import SESSION_LIFETIME, SIGN_IN_TICKET_LIFETIME
from intervision.errors import DomainError
from intervision.models import (
    FirstRunInput,
    InvitationInput,
    JoinInput,
    Language,
    NewAccountInput,
    PasswordChangeInput,
    Role,
    SignInInput,
)

EMAIL = "pat@example.org"
SECOND = timedelta(seconds=1)
HOME = "198.51.100.7"  # where the owner of the account signs in from
ELSEWHERE = "::ffff:203.0.113.9"  # somebody else, trying passwords
BROWSER = "the random value of this browser's binding cookie"


@pytest.fixture
def pat(make_person):
    return make_person("Pat", Role.PARTICIPANT, email=EMAIL)


def _sign_in(path, password=PASSWORD, email=EMAIL, now=NOW, address=HOME):
    return auth.sign_in(path, SignInInput(email=email, password=password), address, now=now)


def _refused(path, password=PASSWORD, email=EMAIL, now=NOW, address=HOME) -> DomainError:
    with pytest.raises(DomainError) as refused:
        _sign_in(path, password, email, now, address)
    return refused.value


def test_sign_in_returns_a_token_that_identifies_the_person(path, pat):
    token = _sign_in(path)
    signed_in = auth.signed_in_person(path, token, now=NOW)
    assert signed_in is not None
    assert signed_in.id == pat.id
    assert signed_in.email == EMAIL


def test_sign_in_accepts_the_email_in_any_case(path, pat):
    assert auth.signed_in_person(path, _sign_in(path, email=" PAT@Example.org "), now=NOW).id == pat.id


def test_the_token_itself_is_not_stored(path, pat):
    token = _sign_in(path)
    with db.reading(path) as conn:
        stored = [row[0] for row in conn.execute("SELECT token_hash FROM sign_in_sessions")]
    assert len(stored) == 1
    assert token not in stored[0]


def test_every_sign_in_gets_its_own_token(path, pat):
    assert _sign_in(path) != _sign_in(path)


@pytest.mark.parametrize("token", [None, "", "made-up-token"])
def test_no_or_unknown_token_is_nobody(path, pat, token):
    assert auth.signed_in_person(path, token, now=NOW) is None


def test_wrong_password_and_unknown_email_fail_alike(path, pat):
    """No account enumeration: the two failures cannot be told apart."""
    failures = {
        "wrong password": _refused(path, "wrong password"),
        "unknown e-mail": _refused(path, PASSWORD, email="nobody@example.org"),
    }
    seen = {
        reason: (type(failure), failure.key, failure.field, failure.params, str(failure))
        for reason, failure in failures.items()
    }
    assert seen == dict.fromkeys(failures, (DomainError, "sign_in_failed", None, {}, "sign_in_failed"))


def test_an_unknown_email_is_checked_against_a_hash_as_costly_as_a_real_one():
    """So that a miss takes as long as a wrong password and timing does not reveal who has an account."""
    assert argon2.extract_parameters(auth._DUMMY_HASH) == argon2.extract_parameters(
        auth.hash_password("anything at all")
    )


# --- growing waits instead of a lock --------------------------------------------------------------------


def _seconds(refusal: DomainError) -> int:
    assert refusal.key in ("sign_in_wait_seconds", "sign_in_wait_minutes"), refusal.key
    return refusal.params["seconds"]


def _fail_as_fast_as_allowed(path, times, now=NOW, email=EMAIL, address=HOME) -> datetime:
    """Wrong passwords, each as soon as the wait before it allows; returns the moment of the last failure."""
    moment = now
    for attempt in range(times):
        if attempt:
            moment += timedelta(seconds=_seconds(_refused(path, "guess", email=email, now=moment, address=address)))
        assert _refused(path, "guess", email=email, now=moment, address=address).key == "sign_in_failed"
    return moment


@pytest.fixture
def checks(monkeypatch):
    """How many passwords were checked against a hash."""
    counted = []
    real = auth._hasher

    class Counting:
        def hash(self, password):
            return real.hash(password)

        def verify(self, hashed, password):
            counted.append(1)
            return real.verify(hashed, password)

    monkeypatch.setattr(auth, "_hasher", Counting())
    return counted


def test_a_failure_makes_that_address_wait_before_its_next_attempt_is_even_checked(path, pat, checks):
    _refused(path, "wrong password")
    checked = len(checks)

    waiting = _refused(path, PASSWORD, now=NOW + SECOND / 2)

    assert (waiting.key, waiting.field, waiting.params) == ("sign_in_wait_seconds", None, {"seconds": 1, "minutes": 1})
    assert len(checks) == checked, "the password was not checked during the wait"
    assert auth.signed_in_person(path, _sign_in(path, now=NOW + SECOND), now=NOW + SECOND).id == pat.id


def test_the_waits_grow_one_two_four_seconds_up_to_fifteen_minutes(path, pat):
    moment, waits = NOW, []
    for _ in range(13):
        _refused(path, "guess", now=moment)
        waits.append(_seconds(_refused(path, "guess", now=moment)))
        moment += timedelta(seconds=waits[-1])
    assert waits == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900]
    _refused(path, "guess", now=moment)
    told = _refused(path, PASSWORD, now=moment)
    assert (told.key, told.params) == ("sign_in_wait_minutes", {"seconds": 900, "minutes": 15})


def test_attempts_during_a_wait_do_not_make_it_longer(path, pat):
    _refused(path, "wrong password")
    for tenth in range(1, 10):
        _refused(path, PASSWORD, now=NOW + tenth * SECOND / 10)
    assert _sign_in(path, now=NOW + SECOND)


def test_an_attacker_elsewhere_cannot_keep_the_owner_out(path, pat):
    """The attacker's failures slow the attacker's address; the owner, from home, waits half a minute at most."""
    last_failure = _fail_as_fast_as_allowed(path, 20, address=ELSEWHERE)

    told = _refused(path, PASSWORD, now=last_failure, address=HOME)
    assert told.key == "sign_in_wait_seconds" and _seconds(told) <= 30
    owner_back = last_failure + timedelta(seconds=_seconds(told))
    assert auth.signed_in_person(path, _sign_in(path, now=owner_back), now=owner_back).id == pat.id
    # Meanwhile the attacker's address waits minutes, even with the right password.
    assert _refused(path, PASSWORD, now=owner_back, address=ELSEWHERE).key == "sign_in_wait_minutes"


def test_one_address_trying_many_e_mail_addresses_is_slowed_down(path, pat):
    moment = NOW
    for number in range(15):
        moment += 20 * SECOND
        _refused(path, "guess", email=f"someone{number}@example.org", now=moment, address=ELSEWHERE)

    assert _refused(path, PASSWORD, now=moment + SECOND, address=ELSEWHERE).key == "sign_in_wait_seconds"
    assert _sign_in(path, now=moment + SECOND, address=HOME), "other addresses are not slowed down"


def test_a_wait_reads_the_same_for_an_address_with_and_without_an_account(path, pat):
    _refused(path, "guess")
    _refused(path, "guess", email="nobody@example.org")
    known = _refused(path, PASSWORD, now=NOW + SECOND / 2)
    unknown = _refused(path, PASSWORD, email="nobody@example.org", now=NOW + SECOND / 2)
    assert (known.key, known.params) == (unknown.key, unknown.params) == ("sign_in_wait_seconds", known.params)


def test_a_success_clears_the_failures_of_that_e_mail_address_from_that_address(path, pat):
    last_failure = _fail_as_fast_as_allowed(path, 3)
    assert _seconds(_refused(path, PASSWORD, now=last_failure)) == 4
    moment = last_failure + 60 * SECOND
    assert _sign_in(path, now=moment)
    _refused(path, "guess", now=moment)
    assert _seconds(_refused(path, "guess", now=moment)) == 1


def test_after_signing_in_the_owner_starts_afresh_also_without_a_client_address(path, pat):
    """The owner who just signed in is not made to wait for the failures before it on their next typo."""
    for _ in range(3):  # the first three failures on an e-mail address cost no wait
        _refused(path, "guess", address=None)
    last_failure = _fail_as_fast_as_allowed(path, 4, now=NOW + SECOND, address=None)
    moment = last_failure + 60 * SECOND
    assert _sign_in(path, now=moment, address=None)
    assert _refused(path, "typo", now=moment, address=None).key == "sign_in_failed"
    assert _refused(path, "typo", now=moment, address=None).key == "sign_in_failed"


def test_without_a_client_address_only_the_small_account_wide_wait_applies(path, pat):
    """Behind a proxy that is not trusted every visitor shares one address: nobody may be kept out for long."""
    for _ in range(3):  # the first three failures on an e-mail address cost no wait
        assert _refused(path, "guess", address=None).key == "sign_in_failed"
    _refused(path, "guess", address=None)
    assert _seconds(_refused(path, PASSWORD, address=None)) == 1
    last_failure = _fail_as_fast_as_allowed(path, 20, now=NOW + SECOND, address=None)
    assert _seconds(_refused(path, PASSWORD, now=last_failure, address=None)) == 30


def test_the_audit_log_records_sign_ins_and_failures_of_real_accounts(path, pat):
    _sign_in(path)
    _refused(path, "guess")
    _refused(path, PASSWORD, now=NOW + SECOND / 2)  # during the wait: refused unchecked, no failure
    _refused(path, "guess", now=NOW + SECOND)
    assert audit_actions(path) == ["sign_in", "sign_in_failed", "sign_in_failed"]


def test_failures_are_forgotten_after_a_day_and_their_rows_cleared(path, pat):
    _fail_as_fast_as_allowed(path, 6, address=ELSEWHERE)
    _refused(path, "guess", email="nobody@example.org", address=HOME)
    a_day_later = NOW + timedelta(days=1, hours=1)

    _refused(path, "guess", now=a_day_later)

    assert count_rows(path, "sign_in_delays") == 3  # this one failure's: address and e-mail, address, e-mail
    assert _seconds(_refused(path, "guess", now=a_day_later)) == 1


def test_waits_are_kept_without_the_address_or_e_mail_in_plain(path, pat):
    _refused(path, "guess", address=ELSEWHERE)
    with db.reading(path) as conn:
        stored = " ".join(str(value) for row in conn.execute("SELECT * FROM sign_in_delays") for value in tuple(row))
    assert EMAIL not in stored and ELSEWHERE not in stored


# --- no write lock while a password is hashed or checked ---------------------------------------------


def _write_lock_is_free(path) -> bool:
    """Whether another connection can take the write lock right now, without waiting."""
    connection = sqlite3.connect(path.path, timeout=0)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.rollback()
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        connection.close()


def _watch_the_lock(path, monkeypatch) -> list[bool]:
    """From now on, every hash and check of a password notes whether the write lock was free meanwhile."""
    free = []
    real = auth._hasher

    class Watching:
        def hash(self, password):
            free.append(_write_lock_is_free(path))
            return real.hash(password)

        def verify(self, hashed, password):
            free.append(_write_lock_is_free(path))
            return real.verify(hashed, password)

    monkeypatch.setattr(auth, "_hasher", Watching())
    return free


def _change_password(path, person):
    new = "a brand new password"
    form = PasswordChangeInput(current_password=PASSWORD, new_password=new, new_password_again=new)
    auth.change_password(path, person.id, form, now=NOW)


def _join_with_a_new_account(path, person):
    coordinator = accounts.person(path, person.id)
    with db.writing(path) as conn:
        store.set_role(conn, coordinator.id, Role.COORDINATOR)
    coordinator = accounts.person(path, person.id)
    group_id = groups.create_group(path, coordinator, group_form("Team South"), now=NOW)
    invitation = invitations.create_invitation(path, coordinator, InvitationInput(group_id=group_id), now=NOW)
    newcomer = NewAccountInput(name="Noor", email="noor@example.org", password=PASSWORD, password_again=PASSWORD)
    invitations.create_account_with_code(path, newcomer, JoinInput(code=invitation.code), now=NOW)


LOCKED_ACTIONS = {
    "right password": lambda path, person: _sign_in(path),
    "wrong password": lambda path, person: _refused(path, "guess"),
    "unknown e-mail": lambda path, person: _refused(path, email="nobody@example.org"),
    "password change": _change_password,
    "account with an invitation": _join_with_a_new_account,
}


@SQLITE_FILE
@pytest.mark.parametrize("action", list(LOCKED_ACTIONS))
def test_no_write_lock_is_held_while_a_password_is_hashed_or_checked(path, pat, monkeypatch, action):
    """Argon2 takes up to a second under load; other people's writes must not wait for it."""
    free = _watch_the_lock(path, monkeypatch)
    LOCKED_ACTIONS[action](path, pat)
    assert free and all(free), free


@SQLITE_FILE
def test_no_write_lock_is_held_while_the_first_coordinators_password_is_hashed(path, monkeypatch):
    free = _watch_the_lock(path, monkeypatch)
    accounts.create_first_coordinator(
        path,
        FirstRunInput(
            organisation_name="Stichting Proef",
            name="Carla",
            email="carla@example.org",
            password=PASSWORD,
            password_again=PASSWORD,
            language=Language.EN,
        ),
        now=NOW,
    )
    assert free and all(free), free


def test_an_unknown_email_leaves_no_trace_in_the_database(path, pat):
    _refused(path, email="nobody@example.org")
    assert count_rows(path, "audit_log") == 0
    assert count_rows(path, "sign_in_sessions") == 0


def test_a_session_ends_when_its_lifetime_is_over(path, pat):
    token = _sign_in(path)
    assert auth.signed_in_person(path, token, now=NOW + SESSION_LIFETIME - SECOND) is not None
    assert auth.signed_in_person(path, token, now=NOW + SESSION_LIFETIME) is None


def test_sign_out_ends_the_session_on_the_server(path, pat):
    token = _sign_in(path)
    other_device = _sign_in(path)
    auth.sign_out(path, token, now=NOW)
    assert auth.signed_in_person(path, token, now=NOW) is None
    assert auth.signed_in_person(path, other_device, now=NOW) is not None
    assert audit_actions(path)[-1] == "sign_out"


def test_sign_out_with_an_unknown_token_is_harmless(path, pat):
    token = _sign_in(path)
    auth.sign_out(path, "made-up-token", now=NOW)
    assert auth.signed_in_person(path, token, now=NOW) is not None


def test_sign_out_everywhere_ends_every_session_of_that_person_only(path, pat, make_person):
    laptop, phone = _sign_in(path), _sign_in(path)
    make_person("Lou", email="lou@example.org")
    lou = _sign_in(path, email="lou@example.org")

    auth.sign_out_everywhere(path, pat.id, now=NOW)

    assert auth.signed_in_person(path, laptop, now=NOW) is None
    assert auth.signed_in_person(path, phone, now=NOW) is None
    assert auth.signed_in_person(path, lou, now=NOW) is not None
    assert audit_actions(path)[-1] == "sign_out_everywhere"


def test_a_cookie_ticket_gives_the_session_token_once_to_the_browser_that_asked(path, pat):
    token = _sign_in(path)
    ticket = auth.issue_cookie_ticket(path, token, BROWSER, now=NOW)
    assert ticket != token
    assert auth.redeem_cookie_ticket(path, ticket, BROWSER, now=NOW + SECOND) == token
    assert auth.redeem_cookie_ticket(path, ticket, BROWSER, now=NOW + SECOND) is None


@pytest.mark.parametrize("browser", ["another browser", ""])
def test_a_cookie_ticket_gives_nothing_to_another_browser_and_is_used_up(path, pat, browser):
    """A ticket that leaks (or an attacker's own, sent to someone) signs no other browser in."""
    ticket = auth.issue_cookie_ticket(path, _sign_in(path), BROWSER, now=NOW)
    assert auth.redeem_cookie_ticket(path, ticket, browser, now=NOW + SECOND) is None
    assert auth.redeem_cookie_ticket(path, ticket, BROWSER, now=NOW + SECOND) is None


def test_no_ticket_for_a_browser_that_cannot_be_recognised(path, pat):
    with pytest.raises(ValueError):
        auth.issue_cookie_ticket(path, _sign_in(path), "", now=NOW)
    assert count_rows(path, "sign_in_tickets") == 0


def test_the_browser_binding_is_not_stored_in_plain(path, pat):
    auth.issue_cookie_ticket(path, _sign_in(path), BROWSER, now=NOW)
    with db.reading(path) as conn:
        stored = " ".join(str(value) for row in conn.execute("SELECT * FROM sign_in_tickets") for value in tuple(row))
    assert BROWSER not in stored


def test_a_cookie_ticket_expires(path, pat):
    token = _sign_in(path)
    fresh = auth.issue_cookie_ticket(path, token, BROWSER, now=NOW)
    stale = auth.issue_cookie_ticket(path, token, BROWSER, now=NOW)
    assert auth.redeem_cookie_ticket(path, fresh, BROWSER, now=NOW + SIGN_IN_TICKET_LIFETIME - SECOND) == token
    assert auth.redeem_cookie_ticket(path, stale, BROWSER, now=NOW + SIGN_IN_TICKET_LIFETIME) is None
    assert count_rows(path, "sign_in_tickets") == 0  # expired tickets are cleared away


def test_an_unknown_cookie_ticket_gives_nothing(path, pat):
    assert auth.redeem_cookie_ticket(path, "made-up-ticket", BROWSER, now=NOW) is None


def _change(path, person, current, new=None, again=None):
    new = new or "a brand new password"
    form = PasswordChangeInput(current_password=current, new_password=new, new_password_again=again or new)
    auth.change_password(path, person.id, form, now=NOW)


def test_change_password_with_the_wrong_current_password_is_refused(path, pat):
    with pytest.raises(DomainError) as refused:
        _change(path, pat, "not my password")
    assert (refused.value.key, refused.value.field) == ("password_wrong", "current_password")
    assert _sign_in(path)  # the old password still works
    _refused(path, "a brand new password")
    assert "password_changed" not in audit_actions(path)


def test_change_password_replaces_the_password(path, pat):
    _change(path, pat, PASSWORD)
    assert _refused(path, PASSWORD).key == "sign_in_failed"
    assert _sign_in(path, "a brand new password", now=NOW + SECOND)
    assert "password_changed" in audit_actions(path)


def test_open_session_for_signs_in_an_established_person(path, pat):
    token = auth.open_session_for(path, pat.id, now=NOW)
    assert auth.signed_in_person(path, token, now=NOW).id == pat.id


def test_changing_the_password_signs_out_every_other_device(path, make_person):
    person_id = make_person("Ria", Role.PARTICIPANT).id
    here = auth.open_session_for(path, person_id, now=NOW)
    elsewhere = auth.open_session_for(path, person_id, now=NOW)
    form = PasswordChangeInput(
        current_password=PASSWORD, new_password="a brand new secret", new_password_again="a brand new secret"
    )
    auth.change_password(path, person_id, form, current_token=here, now=NOW)
    assert auth.signed_in_person(path, here, now=NOW).id == person_id
    assert auth.signed_in_person(path, elsewhere, now=NOW) is None
