"""Local accounts: password hashing, signing in and out, and server-side sign-in sessions.

A browser holds only a random session token in an HttpOnly cookie; the database holds its hash and
expiry, so signing out (or an expiry) ends the session on the server. Failures never say whether an
e-mail address has an account.

Hashing and checking a password takes argon2 up to a second under load, so it never happens inside a write
transaction: a short write claims the attempt, the password is checked with no transaction open, and a
second short write records the outcome.

There is no account lock (anyone knowing an address could keep its owner out). A failed sign-in makes the
next attempt wait 1, 2, 4 … seconds: for the typed e-mail address from that client address and for that
client address as a whole up to 15 minutes, for the e-mail address from anywhere only up to 30 seconds. An
attempt during a wait is refused without checking the password and says how long to wait. The waits are
keyed on the typed address, whether or not it has an account, so they reveal nothing about accounts.
"""

from __future__ import annotations

import hashlib
import math
import os
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from intervision import store
from intervision.client_address import plain_address
from intervision.config import (
    FAILED_SIGN_INS_FORGOTTEN_AFTER,
    SESSION_LIFETIME,
    SIGN_IN_TICKET_LIFETIME,
    WAIT_PER_ADDRESS,
    WAIT_PER_EMAIL,
    WAIT_PER_EMAIL_AND_ADDRESS,
)
from intervision.database import Database, Unit
from intervision.errors import DomainError
from intervision.models import AuditAction, PasswordChangeInput, Person, SignInDelay, SignInInput

_hasher = PasswordHasher()
# Verified when an e-mail has no account, so that a miss takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))
# Argon2 keeps a core busy for a good part of a second: a burst of sign-in attempts queues here instead of
# taking every core from the people working in the app.
_PASSWORD_WORK = threading.BoundedSemaphore(max(1, (os.cpu_count() or 2) // 2))


def hash_password(password: str) -> str:
    with _PASSWORD_WORK:
        return _hasher.hash(password)


def _password_matches(hashed: str | None, password: str) -> bool:
    try:
        with _PASSWORD_WORK:
            return _hasher.verify(hashed or _DUMMY_HASH, password) and hashed is not None
    except (VerificationError, InvalidHashError):
        return False


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- waits after failed sign-ins ------------------------------------------------------------------


@dataclass(frozen=True)
class WaitRule:
    """How long the next attempt waits after so many failures: nothing at first, then 1, 2, 4 … seconds."""

    free_failures: int
    longest: timedelta

    def after(self, failures: int) -> timedelta:
        doublings = failures - self.free_failures - 1
        if doublings < 0:
            return timedelta(0)
        return min(timedelta(seconds=2 ** min(doublings, 20)), self.longest)


_PER_EMAIL_AND_ADDRESS = WaitRule(*WAIT_PER_EMAIL_AND_ADDRESS)
_PER_ADDRESS = WaitRule(*WAIT_PER_ADDRESS)
_PER_EMAIL = WaitRule(*WAIT_PER_EMAIL)


@dataclass(frozen=True)
class _WaitKeys:
    """The hashed keys an attempt is counted against, each with its rule."""

    account: str
    pair: str | None
    rules: dict[str, WaitRule]


def _wait_keys(email: str, client_address: str | None) -> _WaitKeys:
    def key(*parts: str) -> str:
        return _digest("\0".join(parts))

    account = key("email", email)
    address = plain_address(client_address) if client_address else None
    if not address:
        # Unknown (or every visitor behind one untrusted proxy): a wait per address would keep everyone out.
        return _WaitKeys(account, None, {account: _PER_EMAIL})
    pair = key("email and address", email, address)
    rules = {pair: _PER_EMAIL_AND_ADDRESS, key("address", address): _PER_ADDRESS, account: _PER_EMAIL}
    return _WaitKeys(account, pair, rules)


def _claim_attempt(db: Unit, keys: _WaitKeys, now: datetime) -> timedelta | None:
    """The wait still to go, or None: then the attempt is counted as a failure in advance, so that parallel
    attempts cannot slip through together; a success takes it back."""
    store.forget_sign_in_failures_before(db, now - FAILED_SIGN_INS_FORGOTTEN_AFTER)
    delays = store.sign_in_delays(db, list(keys.rules))
    wait_until = max((delay.wait_until for delay in delays.values()), default=now)
    if wait_until > now:
        return wait_until - now
    for key, rule in keys.rules.items():
        failures = delays[key].failures + 1 if key in delays else 1
        store.set_sign_in_delay(db, key, SignInDelay(failures, now, now + rule.after(failures)))
    return None


def _succeeded(db: Unit, keys: _WaitKeys) -> None:
    """A success clears the failures of this e-mail address (from this client address and from anywhere);
    for the client address as a whole it only takes back its own advance count (an attacker's own account
    must not clear the attacker's address)."""
    for key in keys.rules:
        if key in (keys.pair, keys.account):
            store.drop_sign_in_delay(db, key)
        else:
            store.uncount_sign_in_failure(db, key)


def _wait_error(wait: timedelta) -> DomainError:
    seconds = max(1, math.ceil(wait.total_seconds()))
    unit = "seconds" if seconds < 120 else "minutes"
    return DomainError(f"sign_in_wait_{unit}", seconds=seconds, minutes=math.ceil(seconds / 60))


def sign_in(
    database: Database, form: SignInInput, client_address: str | None = None, now: datetime | None = None
) -> str:
    """Check the credentials and open a sign-in session; return its token.

    Raises DomainError("sign_in_failed") for a wrong password and an unknown e-mail alike, and
    DomainError("sign_in_wait_seconds" or "sign_in_wait_minutes") while an earlier failure makes this
    client wait: then the password is not checked at all.
    """
    now = now or database.clock.now()
    keys = _wait_keys(form.email, client_address)
    with database.writing() as db:
        wait = _claim_attempt(db, keys, now)
        account = store.credentials(db, form.email) if wait is None else None
    if wait is not None:
        raise _wait_error(wait)
    person_id = account.person_id if account else None
    hashed = account.password_hash if account else None
    if not _password_matches(hashed, form.password):  # slow: no transaction open
        if person_id is not None:
            with database.writing() as db:
                store.add_audit_event(db, now, person_id, AuditAction.SIGN_IN_FAILED, "", "")
        raise DomainError("sign_in_failed")
    if not account.confirmed:
        # Said only to whoever knows the password: a new account opens once its owner confirmed the address.
        with database.writing() as db:
            _succeeded(db, keys)
        raise DomainError("account_mail.confirm_first")
    with database.writing() as db:
        _succeeded(db, keys)
        store.add_audit_event(db, now, person_id, AuditAction.SIGN_IN, "", "")
        return _open_session(db, person_id, now)


def _open_session(db: Unit, person_id: int, now: datetime) -> str:
    token = secrets.token_urlsafe(32)
    store.add_sign_in_session(db, _digest(token), person_id, now, now + SESSION_LIFETIME)
    return token


def open_session_for(database: Database, person_id: int, now: datetime | None = None) -> str:
    """A sign-in session for someone whose identity is already established (new account, SSO)."""
    now = now or database.clock.now()
    with database.writing() as db:
        return _open_session(db, person_id, now)


def signed_in_person(database: Database, token: str | None, now: datetime | None = None) -> Person | None:
    """The person whose sign-in session this token opens, if it exists and has not expired."""
    with database.reading() as db:
        return person_of_token(db, token, now or database.clock.now())


def person_of_token(db: Unit, token: str | None, now: datetime) -> Person | None:
    """As signed_in_person, inside the caller's unit of work."""
    return store.person_of_sign_in_session(db, _digest(token), now) if token else None


def sign_out(database: Database, token: str, now: datetime | None = None) -> None:
    now = now or database.clock.now()
    with database.writing() as db:
        signed_in = store.person_of_sign_in_session(db, _digest(token), now)
        store.end_sign_in_session(db, _digest(token))
        if signed_in:
            store.add_audit_event(db, now, signed_in.id, AuditAction.SIGN_OUT, "", "")


def sign_out_everywhere(database: Database, person_id: int, now: datetime | None = None) -> None:
    now = now or database.clock.now()
    with database.writing() as db:
        store.end_all_sign_in_sessions(db, person_id)
        store.add_audit_event(db, now, person_id, AuditAction.SIGN_OUT_EVERYWHERE, "", "")


def issue_cookie_ticket(database: Database, token: str, browser: str, now: datetime | None = None) -> str:
    """A single-use ticket that the cookie route exchanges for the session token, in this browser only.

    The sign-in form runs over Streamlit's websocket, which cannot set an HttpOnly cookie; the browser
    is sent to a small HTTP route with this ticket instead, and that route sets the cookie. `browser` is
    the value of the browser's own binding cookie: a ticket sent to another browser (someone's own ticket
    in a link, to sign a victim into the sender's account) opens nothing there.
    """
    if not browser:
        raise ValueError("a sign-in ticket needs the browser's binding cookie")
    ticket = secrets.token_urlsafe(32)
    now = now or database.clock.now()
    with database.writing() as db:
        store.add_sign_in_ticket(db, _digest(ticket), token, _digest(browser), now + SIGN_IN_TICKET_LIFETIME)
    return ticket


def redeem_cookie_ticket(database: Database, ticket: str, browser: str, now: datetime | None = None) -> str | None:
    """The session token, when the browser that asked for the ticket presents it; the ticket is used up."""
    with database.writing() as db:
        return store.take_sign_in_ticket(db, _digest(ticket), _digest(browser), now or database.clock.now())


def change_password(
    database: Database,
    person_id: int,
    form: PasswordChangeInput,
    current_token: str | None = None,
    now: datetime | None = None,
) -> None:
    """A new password; every other device is signed out, since whoever knew the old one may be there."""
    now = now or database.clock.now()
    with database.reading() as db:
        hashed = store.password_hash(db, person_id)
    # Checked and hashed with no transaction open: argon2 is slow on purpose.
    if not _password_matches(hashed, form.current_password):
        raise DomainError("password_wrong", field="current_password")
    new_hash = hash_password(form.new_password)
    with database.writing() as db:
        if store.password_hash(db, person_id) != hashed:  # changed meanwhile, in another browser
            raise DomainError("password_wrong", field="current_password")
        store.set_password_hash(db, person_id, new_hash)
        store.end_other_sign_in_sessions(db, person_id, _digest(current_token or ""))
        store.add_audit_event(db, now, person_id, AuditAction.PASSWORD_CHANGED, "", "")
