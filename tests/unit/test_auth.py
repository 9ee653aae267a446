"""Signing in and out: server-side sessions, lockout, cookie tickets and password changes."""

from __future__ import annotations

from datetime import timedelta

import argon2
import pytest
from unit_support import NOW, PASSWORD, audit_actions, count_rows

from intervision import auth, db
from intervision.config import LOCKOUT, MAX_FAILED_SIGN_INS, SESSION_LIFETIME, SIGN_IN_TICKET_LIFETIME
from intervision.errors import DomainError
from intervision.models import PasswordChangeInput, Role, SignInInput

EMAIL = "pat@example.org"
SECOND = timedelta(seconds=1)


@pytest.fixture
def pat(make_person):
    return make_person("Pat", Role.PARTICIPANT, email=EMAIL)


def _sign_in(path, password=PASSWORD, email=EMAIL, now=NOW):
    return auth.sign_in(SignInInput(email=email, password=password), now=now, path=path)


def _refused(path, password=PASSWORD, email=EMAIL, now=NOW) -> DomainError:
    with pytest.raises(DomainError) as refused:
        _sign_in(path, password, email, now)
    return refused.value


def _fail(path, times, now=NOW):
    for _ in range(times):
        _refused(path, "wrong password", now=now)


def test_sign_in_returns_a_token_that_identifies_the_person(path, pat):
    token = _sign_in(path)
    signed_in = auth.signed_in_person(token, now=NOW, path=path)
    assert signed_in is not None
    assert signed_in.id == pat.id
    assert signed_in.email == EMAIL


def test_sign_in_accepts_the_email_in_any_case(path, pat):
    assert auth.signed_in_person(_sign_in(path, email=" PAT@Example.org "), now=NOW, path=path).id == pat.id


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
    assert auth.signed_in_person(token, now=NOW, path=path) is None


def test_wrong_password_unknown_email_and_locked_account_fail_alike(path, pat, make_person):
    """No account enumeration: the three failures cannot be told apart."""
    make_person("Lou", email="lou@example.org")
    for _ in range(MAX_FAILED_SIGN_INS):
        _refused(path, "wrong password", email="lou@example.org")
    failures = {
        "wrong password": _refused(path, "wrong password"),
        "unknown e-mail": _refused(path, PASSWORD, email="nobody@example.org"),
        "locked account": _refused(path, PASSWORD, email="lou@example.org"),
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


def test_the_fifth_failure_locks_the_account_even_for_the_right_password(path, pat):
    _fail(path, MAX_FAILED_SIGN_INS - 1)
    assert _sign_in(path)  # four failures: still open (and the count starts again)

    _fail(path, MAX_FAILED_SIGN_INS)
    assert _refused(path, PASSWORD, now=NOW + timedelta(minutes=1)).key == "sign_in_failed"
    assert _refused(path, PASSWORD, now=NOW + LOCKOUT - SECOND).key == "sign_in_failed"

    token = _sign_in(path, now=NOW + LOCKOUT + SECOND)
    assert auth.signed_in_person(token, now=NOW + LOCKOUT + SECOND, path=path).id == pat.id


def test_a_successful_sign_in_resets_the_failure_count(path, pat):
    _fail(path, MAX_FAILED_SIGN_INS - 1)
    _sign_in(path)
    _fail(path, MAX_FAILED_SIGN_INS - 1)
    assert _sign_in(path)


def test_after_a_lockout_a_fresh_series_of_attempts_begins(path, pat):
    _fail(path, MAX_FAILED_SIGN_INS)
    later = NOW + LOCKOUT + SECOND
    _fail(path, MAX_FAILED_SIGN_INS - 1, now=later)
    assert _sign_in(path, now=later)


def test_failures_while_locked_do_not_extend_the_lock(path, pat):
    _fail(path, MAX_FAILED_SIGN_INS)
    _fail(path, 3, now=NOW + LOCKOUT - SECOND)
    assert _sign_in(path, now=NOW + LOCKOUT + SECOND)


def test_the_audit_log_records_sign_ins_failures_and_the_lock(path, pat):
    _sign_in(path)
    _fail(path, MAX_FAILED_SIGN_INS)
    _refused(path, PASSWORD)
    assert audit_actions(path) == [
        "sign_in",
        *["sign_in_failed"] * MAX_FAILED_SIGN_INS,
        "account_locked",
        "sign_in_failed",
    ]


def test_an_unknown_email_leaves_no_trace_in_the_database(path, pat):
    _refused(path, email="nobody@example.org")
    assert count_rows(path, "audit_log") == 0
    assert count_rows(path, "sign_in_sessions") == 0


def test_a_session_ends_when_its_lifetime_is_over(path, pat):
    token = _sign_in(path)
    assert auth.signed_in_person(token, now=NOW + SESSION_LIFETIME - SECOND, path=path) is not None
    assert auth.signed_in_person(token, now=NOW + SESSION_LIFETIME, path=path) is None


def test_sign_out_ends_the_session_on_the_server(path, pat):
    token = _sign_in(path)
    other_device = _sign_in(path)
    auth.sign_out(token, now=NOW, path=path)
    assert auth.signed_in_person(token, now=NOW, path=path) is None
    assert auth.signed_in_person(other_device, now=NOW, path=path) is not None
    assert audit_actions(path)[-1] == "sign_out"


def test_sign_out_with_an_unknown_token_is_harmless(path, pat):
    token = _sign_in(path)
    auth.sign_out("made-up-token", now=NOW, path=path)
    assert auth.signed_in_person(token, now=NOW, path=path) is not None


def test_sign_out_everywhere_ends_every_session_of_that_person_only(path, pat, make_person):
    laptop, phone = _sign_in(path), _sign_in(path)
    make_person("Lou", email="lou@example.org")
    lou = _sign_in(path, email="lou@example.org")

    auth.sign_out_everywhere(pat.id, now=NOW, path=path)

    assert auth.signed_in_person(laptop, now=NOW, path=path) is None
    assert auth.signed_in_person(phone, now=NOW, path=path) is None
    assert auth.signed_in_person(lou, now=NOW, path=path) is not None
    assert audit_actions(path)[-1] == "sign_out_everywhere"


def test_a_cookie_ticket_gives_the_session_token_once(path, pat):
    token = _sign_in(path)
    ticket = auth.issue_cookie_ticket(token, now=NOW, path=path)
    assert ticket != token
    assert auth.redeem_cookie_ticket(ticket, now=NOW + SECOND, path=path) == token
    assert auth.redeem_cookie_ticket(ticket, now=NOW + SECOND, path=path) is None


def test_a_cookie_ticket_expires(path, pat):
    token = _sign_in(path)
    fresh = auth.issue_cookie_ticket(token, now=NOW, path=path)
    stale = auth.issue_cookie_ticket(token, now=NOW, path=path)
    assert auth.redeem_cookie_ticket(fresh, now=NOW + SIGN_IN_TICKET_LIFETIME - SECOND, path=path) == token
    assert auth.redeem_cookie_ticket(stale, now=NOW + SIGN_IN_TICKET_LIFETIME, path=path) is None
    assert count_rows(path, "sign_in_tickets") == 0  # expired tickets are cleared away


def test_an_unknown_cookie_ticket_gives_nothing(path, pat):
    assert auth.redeem_cookie_ticket("made-up-ticket", now=NOW, path=path) is None


def _change(path, person, current, new=None, again=None):
    new = new or "a brand new password"
    form = PasswordChangeInput(current_password=current, new_password=new, new_password_again=again or new)
    auth.change_password(person.id, form, now=NOW, path=path)


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
    assert _sign_in(path, "a brand new password")
    assert "password_changed" in audit_actions(path)


def test_open_session_for_signs_in_an_established_person(path, pat):
    token = auth.open_session_for(pat.id, now=NOW, path=path)
    assert auth.signed_in_person(token, now=NOW, path=path).id == pat.id


def test_utcnow_is_aware_and_in_utc():
    assert auth.utcnow().utcoffset() == timedelta(0)


def test_changing_the_password_signs_out_every_other_device(path, make_person):
    person_id = make_person("Ria", Role.PARTICIPANT).id
    here = auth.open_session_for(person_id, now=NOW, path=path)
    elsewhere = auth.open_session_for(person_id, now=NOW, path=path)
    form = PasswordChangeInput(
        current_password=PASSWORD, new_password="a brand new secret", new_password_again="a brand new secret"
    )
    auth.change_password(person_id, form, current_token=here, now=NOW, path=path)
    assert auth.signed_in_person(here, now=NOW, path=path).id == person_id
    assert auth.signed_in_person(elsewhere, now=NOW, path=path) is None
