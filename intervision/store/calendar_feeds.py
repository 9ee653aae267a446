"""Sessions in calendars: who a session's invitations go to, who has a case waiting, and each group's feed."""

from __future__ import annotations

from datetime import datetime

from intervision.database import Unit
from intervision.models import CalendarFeed, CaseStatus, SessionAttendee
from intervision.store._sql import _iso, _moment

# A case waiting for a session: in the group's queue, or already chosen for its next session.
_WAITING_CASES = (CaseStatus.SUBMITTED.value, CaseStatus.CHOSEN.value)


def session_attendees(db: Unit, group_id: int) -> list[SessionAttendee]:
    """The group's facilitators and members today, with the language each reads (None: not chosen)."""
    rows = db.execute(
        "SELECT p.id AS person_id, p.name, p.email, p.language, m.group_role"
        " FROM memberships m JOIN people p ON p.id = m.person_id WHERE m.group_id = ? ORDER BY p.id",
        [group_id],
    )
    return [SessionAttendee(**dict(row)) for row in rows]


def people_with_a_case_waiting(db: Unit, group_id: int) -> set[int]:
    """Who has a case of theirs in the group's queue or chosen for its next session (never which case)."""
    marks = ", ".join("?" for _ in _WAITING_CASES)
    rows = db.execute(
        f"SELECT DISTINCT author_id FROM cases WHERE group_id = ? AND status IN ({marks}) AND author_id IS NOT NULL",
        [group_id, *_WAITING_CASES],
    )
    return {row[0] for row in rows}


def _feed(row: object) -> CalendarFeed:
    values = dict(row)  # type: ignore[call-overload]
    return CalendarFeed(group_id=values["group_id"], token=values["token"], created_at=_moment(values["created_at"]))


def calendar_feed(db: Unit, group_id: int) -> CalendarFeed | None:
    row = db.execute("SELECT group_id, token, created_at FROM calendar_feeds WHERE group_id = ?", [group_id]).fetchone()
    return _feed(row) if row else None


def group_of_feed(db: Unit, token_digest: str) -> int | None:
    """The group whose feed has this token digest (an equality lookup on an index: no byte-by-byte compare)."""
    row = db.execute("SELECT group_id FROM calendar_feeds WHERE token_digest = ?", [token_digest]).fetchone()
    return row[0] if row else None


def replace_calendar_feed(db: Unit, group_id: int, token: str, token_digest: str, now: datetime) -> None:
    """The group's feed gets this token; whatever token it had stops working."""
    db.execute(
        "INSERT INTO calendar_feeds (group_id, token, token_digest, created_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (group_id) DO UPDATE SET token = excluded.token, token_digest = excluded.token_digest,"
        " created_at = excluded.created_at",
        [group_id, token, token_digest, _iso(now)],
    )
