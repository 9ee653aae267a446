"""Planned and held meetings of a group, and who attended."""

from __future__ import annotations

from datetime import datetime

from intervision.database import Unit
from intervision.models import (
    Meeting,
    MeetingStatus,
)
from intervision.store._sql import _iso

_MEETING_SELECT = (
    "SELECT m.id, m.group_id, g.name AS group_name, m.starts_at, m.minutes, m.method_id, m.method_version,"
    " m.status"
    " FROM meetings m JOIN groups g ON g.id = m.group_id"
)


def add_meeting(
    db: Unit,
    group_id: int,
    starts_at: datetime,
    minutes: int,
    status: MeetingStatus,
    method_id: str | None = None,
    method_version: int | None = None,
) -> int:
    return db.execute(
        "INSERT INTO meetings (group_id, starts_at, minutes, method_id, method_version, status)"
        " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        [group_id, _iso(starts_at), minutes, method_id, method_version, MeetingStatus(status).value],
    ).scalar()


_ATTENDANCE_UPSERT = (
    "INSERT INTO attendance (meeting_id, person_id, present) VALUES (?, ?, ?)"
    " ON CONFLICT (meeting_id, person_id) DO UPDATE SET present = excluded.present"
)


def record_attendance(db: Unit, meeting_id: int, person_id: int, present: bool) -> None:
    db.execute(_ATTENDANCE_UPSERT, [meeting_id, person_id, int(present)])


def record_attendances(db: Unit, meeting_id: int, present: dict[int, bool]) -> None:
    """Who was there, for many people at once (bulk loading)."""
    db.execute_many(_ATTENDANCE_UPSERT, [(meeting_id, person_id, int(was)) for person_id, was in present.items()])


def next_meetings(db: Unit, group_ids: list[int], now: datetime) -> dict[int, Meeting]:
    """The first planned session from now on, per group."""
    if not group_ids:
        return {}
    marks = ", ".join("?" for _ in group_ids)
    rows = db.execute(
        f"{_MEETING_SELECT} WHERE m.status = ? AND m.starts_at >= ?"
        f" AND m.group_id IN ({marks}) ORDER BY m.starts_at DESC",
        [MeetingStatus.PLANNED.value, _iso(now), *group_ids],
    )
    # Ordered latest first, so the earliest planned session per group is written last.
    return {row["group_id"]: Meeting(**dict(row)) for row in rows}


def held_meetings(db: Unit, group_id: int) -> list[Meeting]:
    rows = db.execute(
        f"{_MEETING_SELECT} WHERE m.group_id = ? AND m.status = ? ORDER BY m.starts_at DESC",
        [group_id, MeetingStatus.HELD.value],
    )
    return [Meeting(**dict(row)) for row in rows]


def meeting_counts(db: Unit, since: datetime) -> dict[int, int]:
    """Sessions held per group since a moment."""
    rows = db.execute(
        "SELECT group_id, count(*) FROM meetings WHERE status = ? AND starts_at >= ? GROUP BY group_id",
        [MeetingStatus.HELD.value, _iso(since)],
    )
    return {row[0]: row[1] for row in rows}
