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
    " m.status, m.sequence"
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


def meeting(db: Unit, meeting_id: int) -> Meeting | None:
    row = db.execute(f"{_MEETING_SELECT} WHERE m.id = ?", [meeting_id]).fetchone()
    return Meeting(**dict(row)) if row else None


def planned_meetings(db: Unit, group_id: int, since: datetime) -> list[Meeting]:
    """The group's planned sessions that start at or after `since`, soonest first."""
    rows = db.execute(
        f"{_MEETING_SELECT} WHERE m.group_id = ? AND m.status = ? AND m.starts_at >= ? ORDER BY m.starts_at, m.id",
        [group_id, MeetingStatus.PLANNED.value, _iso(since)],
    )
    return [Meeting(**dict(row)) for row in rows]


def planned_meetings_between(db: Unit, since: datetime, until: datetime) -> list[Meeting]:
    """Every group's planned sessions that start after `since` and no later than `until`."""
    rows = db.execute(
        f"{_MEETING_SELECT} WHERE m.status = ? AND m.starts_at > ? AND m.starts_at <= ? ORDER BY m.starts_at, m.id",
        [MeetingStatus.PLANNED.value, _iso(since), _iso(until)],
    )
    return [Meeting(**dict(row)) for row in rows]


def meetings_since(db: Unit, group_id: int, since: datetime) -> list[Meeting]:
    """The group's sessions of any status that start at or after `since`, in time order (a calendar feed)."""
    rows = db.execute(
        f"{_MEETING_SELECT} WHERE m.group_id = ? AND m.starts_at >= ? ORDER BY m.starts_at, m.id",
        [group_id, _iso(since)],
    )
    return [Meeting(**dict(row)) for row in rows]


def move_meeting(db: Unit, meeting_id: int, starts_at: datetime, minutes: int) -> None:
    """A new start and length; the change count goes up, so calendars take this version over the last."""
    db.execute(
        "UPDATE meetings SET starts_at = ?, minutes = ?, sequence = sequence + 1 WHERE id = ?",
        [_iso(starts_at), minutes, meeting_id],
    )


def cancel_meeting(db: Unit, meeting_id: int) -> None:
    """The session is called off; a case chosen for it stays chosen, for whichever session comes next."""
    db.execute(
        "UPDATE meetings SET status = ?, sequence = sequence + 1 WHERE id = ?",
        [MeetingStatus.CANCELLED.value, meeting_id],
    )
    db.execute("UPDATE cases SET meeting_id = NULL WHERE meeting_id = ?", [meeting_id])
