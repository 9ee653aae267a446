"""Groups, their contract, and who is in them in which role since when."""

from __future__ import annotations

import json
import unicodedata
from datetime import datetime
from typing import NamedTuple

from intervision.database import Unit
from intervision.errors import Missing
from intervision.models import (
    Group,
    GroupInput,
    GroupRole,
    Language,
    Member,
    MembershipChange,
    MembershipEvent,
)
from intervision.store._sql import _iso


class GroupMembership(NamedTuple):
    """A group someone is in, and their role there. Named fields; it still unpacks as (group, role)."""

    group: Group
    group_role: GroupRole


def name_key(name: str) -> str:
    """A group's name as compared for uniqueness: Unicode-normalised and case-folded ("Één team" is "één team")."""
    return unicodedata.normalize("NFC", name).casefold()


def _group_columns(group: GroupInput) -> dict:
    contract = group.contract
    return {
        "name": group.name,
        "name_key": name_key(group.name),
        "description": group.description,
        "label": group.label,
        "meets_every_weeks": contract.meets_every_weeks,
        "session_minutes": contract.session_minutes,
        "confidentiality": contract.confidentiality,
        "attendance_rule": contract.attendance_rule,
        "reported_to_organisation": json.dumps([item.value for item in contract.reported_to_organisation]),
        "start_date": contract.start_date.isoformat(),
        "development_phase": contract.development_phase.value,
        "language": group.language.value,
    }


def group_name_taken(db: Unit, name: str, except_group_id: int | None = None) -> bool:
    row = db.execute(
        "SELECT 1 FROM groups WHERE name_key = ? AND id IS DISTINCT FROM ?", [name_key(name), except_group_id]
    ).fetchone()
    return row is not None


def add_group(db: Unit, group: GroupInput, now: datetime) -> int:
    columns = _group_columns(group) | {"created_at": _iso(now)}
    names = ", ".join(columns)
    marks = ", ".join("?" for _ in columns)
    return db.execute(f"INSERT INTO groups ({names}) VALUES ({marks}) RETURNING id", list(columns.values())).scalar()


def update_group(db: Unit, group_id: int, group: GroupInput) -> None:
    """Write the group's name, description and contract (the columns of _group_columns); Missing when it is gone."""
    columns = _group_columns(group)
    assignments = ", ".join(f"{name} = ?" for name in columns)
    cursor = db.execute(f"UPDATE groups SET {assignments} WHERE id = ?", [*columns.values(), group_id])
    if cursor.rowcount == 0:
        raise Missing(f"group {group_id}")


def set_group_language(db: Unit, group_id: int, language: Language) -> None:
    """The language the group's sessions speak on the projector."""
    db.execute("UPDATE groups SET language = ? WHERE id = ?", [language.value, group_id])


def group(db: Unit, group_id: int) -> Group | None:
    row = db.execute("SELECT * FROM groups WHERE id = ?", [group_id]).fetchone()
    return Group.from_row(dict(row)) if row else None


def all_groups(db: Unit) -> list[Group]:
    rows = db.execute("SELECT * FROM groups ORDER BY lower(name)")
    return [Group.from_row(dict(row)) for row in rows]


def groups_of(db: Unit, person_id: int) -> list[GroupMembership]:
    rows = db.execute(
        "SELECT g.*, m.group_role FROM groups g JOIN memberships m ON m.group_id = g.id"
        " WHERE m.person_id = ? ORDER BY lower(g.name)",
        [person_id],
    )
    return [GroupMembership(Group.from_row(dict(row)), GroupRole(row["group_role"])) for row in rows]


def delete_group(db: Unit, group_id: int) -> None:
    db.execute("DELETE FROM groups WHERE id = ?", [group_id])


def group_role(db: Unit, group_id: int, person_id: int) -> GroupRole | None:
    row = db.execute(
        "SELECT group_role FROM memberships WHERE group_id = ? AND person_id = ?",
        [group_id, person_id],
    ).fetchone()
    return GroupRole(row[0]) if row else None


def _membership_event(
    db: Unit,
    group_id: int,
    person_id: int,
    change: MembershipChange,
    role: GroupRole,
    now: datetime,
    by: int | None,
) -> None:
    db.execute(
        "INSERT INTO membership_events (group_id, person_id, change, group_role, at, by_id) VALUES (?, ?, ?, ?, ?, ?)",
        [group_id, person_id, change.value, role.value, _iso(now), by],
    )


def set_membership(
    db: Unit, group_id: int, person_id: int, role: GroupRole, now: datetime, by: int | None = None
) -> None:
    """Add the person to the group in this role, or change their role if they are in it already.

    The group's membership history gets its line in the same transaction, so no way in goes unrecorded.
    A role change keeps the day the person joined: they were in the circle already.
    """
    current = group_role(db, group_id, person_id)
    if current is role:
        return
    db.execute(
        "INSERT INTO memberships (group_id, person_id, group_role, joined_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (group_id, person_id) DO UPDATE SET group_role = excluded.group_role",
        [group_id, person_id, role.value, _iso(now)],
    )
    change = MembershipChange.JOINED if current is None else MembershipChange.ROLE_CHANGED
    _membership_event(db, group_id, person_id, change, role, now, by)


def remove_membership(db: Unit, group_id: int, person_id: int, now: datetime, by: int | None) -> None:
    """Take the person out of the group; whoever joins again starts a new circle (a new joined_at)."""
    current = group_role(db, group_id, person_id)
    if current is None:
        return
    db.execute("DELETE FROM memberships WHERE group_id = ? AND person_id = ?", [group_id, person_id])
    change = MembershipChange.LEFT if by == person_id else MembershipChange.REMOVED
    _membership_event(db, group_id, person_id, change, current, now, by)


def joined_at(db: Unit, group_id: int, person_id: int) -> datetime | None:
    """When the person joined the group this time, or None when they are not in it."""
    row = db.execute(
        "SELECT joined_at FROM memberships WHERE group_id = ? AND person_id = ?", [group_id, person_id]
    ).fetchone()
    return datetime.fromisoformat(row[0]) if row else None


def membership_events(db: Unit, group_id: int) -> list[MembershipEvent]:
    """The group's membership history, newest first."""
    rows = db.execute(
        "SELECT e.person_id, p.name, e.change, e.group_role, e.at FROM membership_events e"
        " JOIN people p ON p.id = e.person_id WHERE e.group_id = ? ORDER BY e.at DESC, e.id DESC",
        [group_id],
    )
    return [MembershipEvent(**dict(row)) for row in rows]


def members(db: Unit, group_id: int) -> list[Member]:
    rows = db.execute(
        "SELECT p.id AS person_id, p.name, p.email, m.group_role, m.joined_at"
        " FROM memberships m JOIN people p ON p.id = m.person_id WHERE m.group_id = ?"
        " ORDER BY m.group_role = ?, lower(p.name)",
        [group_id, GroupRole.MEMBER.value],
    )
    return [Member(**dict(row)) for row in rows]


def facilitated_group_ids(db: Unit) -> set[int]:
    rows = db.execute("SELECT DISTINCT group_id FROM memberships WHERE group_role = ?", [GroupRole.FACILITATOR.value])
    return {row[0] for row in rows}


def facilitates_any_group(db: Unit, person_id: int) -> bool:
    row = db.execute(
        "SELECT 1 FROM memberships WHERE person_id = ? AND group_role = ? LIMIT 1",
        [person_id, GroupRole.FACILITATOR.value],
    ).fetchone()
    return row is not None


def member_counts(db: Unit) -> dict[int, int]:
    """Members (not facilitators) per group."""
    rows = db.execute(
        "SELECT group_id, count(*) FROM memberships WHERE group_role = ? GROUP BY group_id", [GroupRole.MEMBER.value]
    )
    return {row[0]: row[1] for row in rows}
