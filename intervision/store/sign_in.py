"""Sign-in sessions and the one-use tickets that hand a session to a browser."""

from __future__ import annotations

import secrets
from datetime import datetime

from intervision.database import Unit
from intervision.models import (
    Person,
)
from intervision.store._sql import _iso


def add_sign_in_session(db: Unit, token_hash: str, person_id: int, now: datetime, expires_at: datetime) -> None:
    db.execute(
        "INSERT INTO sign_in_sessions (token_hash, person_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
        [token_hash, person_id, _iso(now), _iso(expires_at)],
    )


def person_of_sign_in_session(db: Unit, token_hash: str, now: datetime) -> Person | None:
    row = db.execute(
        "SELECT p.id, p.name, p.email, p.role, p.language"
        " FROM sign_in_sessions s JOIN people p ON p.id = s.person_id"
        " WHERE s.token_hash = ? AND s.expires_at > ?",
        [token_hash, _iso(now)],
    ).fetchone()
    return Person(**dict(row)) if row else None


def end_sign_in_session(db: Unit, token_hash: str) -> None:
    db.execute("DELETE FROM sign_in_sessions WHERE token_hash = ?", [token_hash])


def end_all_sign_in_sessions(db: Unit, person_id: int) -> None:
    db.execute("DELETE FROM sign_in_sessions WHERE person_id = ?", [person_id])


def end_other_sign_in_sessions(db: Unit, person_id: int, keep_token_hash: str) -> None:
    db.execute("DELETE FROM sign_in_sessions WHERE person_id = ? AND token_hash != ?", [person_id, keep_token_hash])


def end_every_sign_in(db: Unit) -> None:
    """Nobody stays signed in, and nobody waits after failed sign-ins: after a restore, nothing from the file
    (or from before it) signs a browser in, and the failures it holds are from another time."""
    db.execute("DELETE FROM sign_in_sessions")
    db.execute("DELETE FROM sign_in_tickets")
    db.execute("DELETE FROM sign_in_delays")


def add_sign_in_ticket(db: Unit, ticket_hash: str, token: str, browser_hash: str, expires_at: datetime) -> None:
    db.execute(
        "INSERT INTO sign_in_tickets (ticket_hash, session_token, browser_hash, expires_at) VALUES (?, ?, ?, ?)",
        [ticket_hash, token, browser_hash, _iso(expires_at)],
    )


def take_sign_in_ticket(db: Unit, ticket_hash: str, browser_hash: str, now: datetime) -> str | None:
    """The session token behind a ticket, for the browser it was issued to; the ticket is used up either way,
    and expired tickets are cleared too."""
    row = db.execute(
        "SELECT session_token, browser_hash FROM sign_in_tickets WHERE ticket_hash = ? AND expires_at > ?",
        [ticket_hash, _iso(now)],
    ).fetchone()
    db.execute(
        "DELETE FROM sign_in_tickets WHERE ticket_hash = ? OR expires_at <= ?",
        [ticket_hash, _iso(now)],
    )
    return row["session_token"] if row and secrets.compare_digest(row["browser_hash"], browser_hash) else None
