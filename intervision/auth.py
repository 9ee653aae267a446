"""Local accounts: password hashing, signing in and out, and server-side sign-in sessions.

A browser holds only a random session token in an HttpOnly cookie; the database holds its hash and
expiry, so signing out (or an expiry) ends the session on the server. Failures never say whether an
e-mail address has an account.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlite_utils import Database

from intervision import store
from intervision.clock import utcnow  # other modules still import it from here
from intervision.config import (
    LOCKOUT,
    MAX_FAILED_SIGN_INS,
    SESSION_LIFETIME,
    SIGN_IN_TICKET_LIFETIME,
)
from intervision.db import reading, writing
from intervision.errors import DomainError
from intervision.models import AuditAction, PasswordChangeInput, Person, SignInInput

_hasher = PasswordHasher()
# Verified when an e-mail has no account, so that a miss takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _password_matches(hashed: str | None, password: str) -> bool:
    try:
        return _hasher.verify(hashed or _DUMMY_HASH, password) and hashed is not None
    except (VerificationError, InvalidHashError):
        return False


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sign_in(form: SignInInput, now: datetime | None = None, path: Path | None = None) -> str:
    """Check the credentials and open a sign-in session; return its token.

    Raises DomainError("sign_in_failed") for a wrong password, an unknown e-mail and a locked account
    alike. The fifth failure in a row locks the account for a while.
    """
    now = now or utcnow()
    with writing(path) as db:
        # The failure is recorded and committed before it is raised.
        token = _attempt_sign_in(db, form, now)
    if token is None:
        raise DomainError("sign_in_failed")
    return token


def _attempt_sign_in(db: Database, form: SignInInput, now: datetime) -> str | None:
    account = store.credentials(db, form.email)
    matches = _password_matches(account["password_hash"] if account else None, form.password)
    if account is None:
        return None
    person_id = account["id"]
    locked_until = account["locked_until"]
    if locked_until is not None and datetime.fromisoformat(locked_until) > now:
        store.add_audit_event(db, now, person_id, AuditAction.SIGN_IN_FAILED, "", "locked")
        return None
    if not matches:
        failures = account["failed_sign_ins"] + 1
        store.add_audit_event(db, now, person_id, AuditAction.SIGN_IN_FAILED, "", "")
        if failures >= MAX_FAILED_SIGN_INS:
            # Locked for a while; after that the person gets a fresh series of attempts.
            store.set_failed_sign_ins(db, person_id, 0, now + LOCKOUT)
            store.add_audit_event(db, now, person_id, AuditAction.ACCOUNT_LOCKED, "", "")
        else:
            store.set_failed_sign_ins(db, person_id, failures, None)
        return None
    store.set_failed_sign_ins(db, person_id, 0, None)
    store.add_audit_event(db, now, person_id, AuditAction.SIGN_IN, "", "")
    return _open_session(db, person_id, now)


def _open_session(db: Database, person_id: int, now: datetime) -> str:
    token = secrets.token_urlsafe(32)
    store.add_sign_in_session(db, _digest(token), person_id, now, now + SESSION_LIFETIME)
    return token


def open_session_for(person_id: int, now: datetime | None = None, path: Path | None = None) -> str:
    """A sign-in session for someone whose identity is already established (new account, SSO)."""
    now = now or utcnow()
    with writing(path) as db:
        return _open_session(db, person_id, now)


def signed_in_person(token: str | None, now: datetime | None = None, path: Path | None = None) -> Person | None:
    """The person whose sign-in session this token opens, if it exists and has not expired."""
    with reading(path) as db:
        return person_of_token(db, token, now or utcnow())


def person_of_token(db: Database, token: str | None, now: datetime) -> Person | None:
    """As signed_in_person, inside the caller's unit of work."""
    return store.person_of_sign_in_session(db, _digest(token), now) if token else None


def sign_out(token: str, now: datetime | None = None, path: Path | None = None) -> None:
    now = now or utcnow()
    with writing(path) as db:
        signed_in = store.person_of_sign_in_session(db, _digest(token), now)
        store.end_sign_in_session(db, _digest(token))
        if signed_in:
            store.add_audit_event(db, now, signed_in.id, AuditAction.SIGN_OUT, "", "")


def sign_out_everywhere(person_id: int, now: datetime | None = None, path: Path | None = None) -> None:
    now = now or utcnow()
    with writing(path) as db:
        store.end_all_sign_in_sessions(db, person_id)
        store.add_audit_event(db, now, person_id, AuditAction.SIGN_OUT_EVERYWHERE, "", "")


def issue_cookie_ticket(token: str, now: datetime | None = None, path: Path | None = None) -> str:
    """A single-use ticket that the cookie route exchanges for the session token.

    The sign-in form runs over Streamlit's websocket, which cannot set an HttpOnly cookie; the browser
    is sent to a small HTTP route with this ticket instead, and that route sets the cookie.
    """
    ticket = secrets.token_urlsafe(32)
    now = now or utcnow()
    with writing(path) as db:
        store.add_sign_in_ticket(db, _digest(ticket), token, now + SIGN_IN_TICKET_LIFETIME)
    return ticket


def redeem_cookie_ticket(ticket: str, now: datetime | None = None, path: Path | None = None) -> str | None:
    with writing(path) as db:
        return store.take_sign_in_ticket(db, _digest(ticket), now or utcnow())


def change_password(
    person_id: int,
    form: PasswordChangeInput,
    current_token: str | None = None,
    now: datetime | None = None,
    path: Path | None = None,
) -> None:
    """A new password; every other device is signed out, since whoever knew the old one may be there."""
    now = now or utcnow()
    with writing(path) as db:
        if not _password_matches(store.password_hash(db, person_id), form.current_password):
            raise DomainError("password_wrong", field="current_password")
        store.set_password_hash(db, person_id, hash_password(form.new_password))
        store.end_other_sign_in_sessions(db, person_id, _digest(current_token or ""))
        store.add_audit_event(db, now, person_id, AuditAction.PASSWORD_CHANGED, "", "")
