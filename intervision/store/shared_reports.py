"""Which session reports a facilitator sent to their group."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel

from intervision.database import Unit
from intervision.store._sql import _iso, _moment


class SharedReport(BaseModel):
    """A closed session whose report its group may read."""

    live_session_id: int
    group_id: int
    group_name: str
    started_at: datetime
    shared_at: datetime


def share_report(db: Unit, session_id: int, person_id: int, now: datetime) -> bool:
    """Record that the report was sent; False when it was sent before."""
    shared = db.execute(
        "INSERT INTO shared_reports (live_session_id, shared_by, shared_at) VALUES (?, ?, ?)"
        " ON CONFLICT (live_session_id) DO NOTHING RETURNING live_session_id",
        [session_id, person_id, _iso(now)],
    ).scalar()
    return shared is not None


def report_shared_at(db: Unit, session_id: int) -> datetime | None:
    row = db.execute("SELECT shared_at FROM shared_reports WHERE live_session_id = ?", [session_id]).fetchone()
    return _moment(row[0]) if row else None


def shared_reports_of_groups(db: Unit, group_ids: list[int]) -> list[SharedReport]:
    """The shared reports of these groups, the latest session first."""
    if not group_ids:
        return []
    marks = ", ".join("?" for _ in group_ids)
    rows = db.execute(
        "SELECT s.id AS live_session_id, s.group_id, g.name AS group_name, s.started_at, r.shared_at"
        " FROM shared_reports r JOIN live_sessions s ON s.id = r.live_session_id JOIN groups g ON g.id = s.group_id"
        f" WHERE s.group_id IN ({marks}) ORDER BY s.started_at DESC, s.id DESC",
        group_ids,
    )
    return [
        SharedReport(
            live_session_id=row["live_session_id"],
            group_id=row["group_id"],
            group_name=row["group_name"],
            started_at=_moment(row["started_at"]),
            shared_at=_moment(row["shared_at"]),
        )
        for row in rows
    ]


class ReportSent(BaseModel):
    """A session whose report this person sent to the group (their own export)."""

    live_session_id: int
    shared_at: datetime


def reports_sent_by(db: Unit, person_id: int) -> list[ReportSent]:
    rows = db.execute(
        "SELECT live_session_id, shared_at FROM shared_reports WHERE shared_by = ? ORDER BY shared_at, live_session_id",
        [person_id],
    )
    return [ReportSent(live_session_id=row[0], shared_at=_moment(row[1])) for row in rows]


def open_action_items_of(db: Unit, person_id: int) -> list[tuple[str, str, date | None]]:
    """Group name, text and due date of the confirmed, not done action items this person owns in their groups."""
    rows = db.execute(
        "SELECT g.name, a.text, a.due_date FROM action_items a JOIN groups g ON g.id = a.group_id"
        " JOIN memberships m ON m.group_id = a.group_id AND m.person_id = a.owner_id"
        " WHERE a.owner_id = ? AND a.confirmed = 1 AND a.done = 0"
        " ORDER BY a.due_date IS NULL, a.due_date, a.id",
        [person_id],
    )
    return [(row[0], row[1], date.fromisoformat(str(row[2])) if row[2] else None) for row in rows]
