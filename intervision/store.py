"""Every SQL statement of the product, behind functions named for what they mean.

Functions take an open database from `db.reading()` or `db.writing()`; the caller decides the unit of
work. Times are stored as ISO 8601 text in UTC.
"""

from __future__ import annotations

import json
import secrets
from datetime import UTC, date, datetime

from intervision.database import Unit as Database
from intervision.db import name_key
from intervision.models import (
    CASE_TEXT_FIELDS,
    PRIVACY_FLOOR,
    ActionItem,
    AuditEvent,
    BoardItem,
    Case,
    CaseCount,
    CaseStatus,
    Goal,
    Group,
    GroupInput,
    GroupInvitation,
    GroupRole,
    Invitation,
    LiveSession,
    Meeting,
    Member,
    MembershipChange,
    MembershipEvent,
    Observation,
    Organisation,
    Person,
    Role,
    SignInDelay,
)


def _iso(moment: datetime) -> str:
    # Always UTC, so that comparing the stored text compares the moments.
    return moment.astimezone(UTC).isoformat(timespec="seconds")


# --- organisation ------------------------------------------------------------------------------


def organisation(db: Database) -> Organisation | None:
    row = db.execute("SELECT name, is_demo, privacy_threshold FROM organisation").fetchone()
    return Organisation(**dict(row)) if row else None


def create_organisation(db: Database, name: str, is_demo: bool, now: datetime) -> None:
    db.execute(
        "INSERT INTO organisation (id, name, is_demo, created_at) VALUES (1, ?, ?, ?)",
        [name, int(is_demo), _iso(now)],
    )


def count_people(db: Database) -> int:
    return db.execute("SELECT count(*) FROM people").fetchone()[0]


# --- people ------------------------------------------------------------------------------------

_PERSON_COLUMNS = "id, name, email, role, language"


def add_person(
    db: Database,
    name: str,
    email: str,
    role: Role,
    password_hash: str | None,
    language: str | None,
    now: datetime,
) -> int:
    return db.execute(
        "INSERT INTO people (name, email, role, language, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)"
        " RETURNING id",
        [name, email, role.value, language, password_hash, _iso(now)],
    ).scalar()


def person(db: Database, person_id: int) -> Person | None:
    row = db.execute(f"SELECT {_PERSON_COLUMNS} FROM people WHERE id = ?", [person_id]).fetchone()
    return Person(**dict(row)) if row else None


def person_id_by_email(db: Database, email: str) -> int | None:
    row = db.execute("SELECT id FROM people WHERE email = ?", [email]).fetchone()
    return row[0] if row else None


def everyone(db: Database) -> list[Person]:
    rows = db.execute(f"SELECT {_PERSON_COLUMNS} FROM people ORDER BY lower(name)")
    return [Person(**dict(row)) for row in rows]


def count_coordinators(db: Database) -> int:
    return db.execute("SELECT count(*) FROM people WHERE role = 'coordinator'").fetchone()[0]


def update_profile(db: Database, person_id: int, name: str, email: str, language: str) -> None:
    db.execute(
        "UPDATE people SET name = ?, email = ?, language = ? WHERE id = ?",
        [name, email, language, person_id],
    )


def set_language(db: Database, person_id: int, language: str) -> None:
    db.execute("UPDATE people SET language = ? WHERE id = ?", [language, person_id])


def set_role(db: Database, person_id: int, role: Role) -> None:
    db.execute("UPDATE people SET role = ? WHERE id = ?", [role.value, person_id])


def credentials(db: Database, email: str) -> tuple[int, str | None] | None:
    """The id and password hash of the account with this e-mail address."""
    row = db.execute("SELECT id, password_hash FROM people WHERE email = ?", [email]).fetchone()
    return (row[0], row[1]) if row else None


def password_hash(db: Database, person_id: int) -> str | None:
    row = db.execute("SELECT password_hash FROM people WHERE id = ?", [person_id]).fetchone()
    return row[0] if row else None


def set_password_hash(db: Database, person_id: int, hashed: str) -> None:
    db.execute("UPDATE people SET password_hash = ? WHERE id = ?", [hashed, person_id])


def _iso_precise(moment: datetime) -> str:
    # Waits are as short as a second: keep the microseconds (the same width everywhere, so text compares).
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def sign_in_delays(db: Database, keys: list[str]) -> dict[str, SignInDelay]:
    """The failures counted against each of these keys, by key."""
    marks = ", ".join("?" * len(keys))
    rows = db.execute(
        f"SELECT key, failures, last_failed_at, wait_until FROM sign_in_delays WHERE key IN ({marks})", keys
    )
    return {
        row["key"]: SignInDelay(
            failures=row["failures"],
            last_failed_at=datetime.fromisoformat(row["last_failed_at"]),
            wait_until=datetime.fromisoformat(row["wait_until"]),
        )
        for row in rows
    }


def set_sign_in_delay(db: Database, key: str, delay: SignInDelay) -> None:
    db.execute(
        "INSERT INTO sign_in_delays (key, failures, last_failed_at, wait_until) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (key) DO UPDATE SET failures = excluded.failures,"
        " last_failed_at = excluded.last_failed_at, wait_until = excluded.wait_until",
        [key, delay.failures, _iso_precise(delay.last_failed_at), _iso_precise(delay.wait_until)],
    )


def drop_sign_in_delay(db: Database, key: str) -> None:
    db.execute("DELETE FROM sign_in_delays WHERE key = ?", [key])


def uncount_sign_in_failure(db: Database, key: str) -> None:
    """One failure fewer against this key (an attempt counted in advance that succeeded)."""
    db.execute("UPDATE sign_in_delays SET failures = failures - 1 WHERE key = ?", [key])
    db.execute("DELETE FROM sign_in_delays WHERE key = ? AND failures <= 0", [key])


def forget_sign_in_failures_before(db: Database, moment: datetime) -> None:
    db.execute("DELETE FROM sign_in_delays WHERE last_failed_at < ?", [_iso_precise(moment)])


# --- sign-in sessions --------------------------------------------------------------------------


def add_sign_in_session(db: Database, token_hash: str, person_id: int, now: datetime, expires_at: datetime) -> None:
    db.execute(
        "INSERT INTO sign_in_sessions (token_hash, person_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
        [token_hash, person_id, _iso(now), _iso(expires_at)],
    )


def person_of_sign_in_session(db: Database, token_hash: str, now: datetime) -> Person | None:
    row = db.execute(
        "SELECT p.id, p.name, p.email, p.role, p.language"
        " FROM sign_in_sessions s JOIN people p ON p.id = s.person_id"
        " WHERE s.token_hash = ? AND s.expires_at > ?",
        [token_hash, _iso(now)],
    ).fetchone()
    return Person(**dict(row)) if row else None


def end_sign_in_session(db: Database, token_hash: str) -> None:
    db.execute("DELETE FROM sign_in_sessions WHERE token_hash = ?", [token_hash])


def end_all_sign_in_sessions(db: Database, person_id: int) -> None:
    db.execute("DELETE FROM sign_in_sessions WHERE person_id = ?", [person_id])


def end_other_sign_in_sessions(db: Database, person_id: int, keep_token_hash: str) -> None:
    db.execute("DELETE FROM sign_in_sessions WHERE person_id = ? AND token_hash != ?", [person_id, keep_token_hash])


def end_every_sign_in(db: Database) -> None:
    """Nobody stays signed in, and nobody waits after failed sign-ins: after a restore, nothing from the file
    (or from before it) signs a browser in, and the failures it holds are from another time."""
    db.execute("DELETE FROM sign_in_sessions")
    db.execute("DELETE FROM sign_in_tickets")
    db.execute("DELETE FROM sign_in_delays")


def add_sign_in_ticket(db: Database, ticket_hash: str, token: str, browser_hash: str, expires_at: datetime) -> None:
    db.execute(
        "INSERT INTO sign_in_tickets (ticket_hash, session_token, browser_hash, expires_at) VALUES (?, ?, ?, ?)",
        [ticket_hash, token, browser_hash, _iso(expires_at)],
    )


def take_sign_in_ticket(db: Database, ticket_hash: str, browser_hash: str, now: datetime) -> str | None:
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


# --- groups ------------------------------------------------------------------------------------


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
    }


def group_name_taken(db: Database, name: str, except_group_id: int | None = None) -> bool:
    row = db.execute(
        "SELECT 1 FROM groups WHERE name_key = ? AND id IS NOT ?", [name_key(name), except_group_id]
    ).fetchone()
    return row is not None


def add_group(db: Database, group: GroupInput, now: datetime) -> int:
    columns = _group_columns(group) | {"created_at": _iso(now)}
    names = ", ".join(columns)
    marks = ", ".join("?" for _ in columns)
    return db.execute(f"INSERT INTO groups ({names}) VALUES ({marks}) RETURNING id", list(columns.values())).scalar()


def update_group(db: Database, group_id: int, group: GroupInput) -> None:
    columns = _group_columns(group)
    assignments = ", ".join(f"{name} = ?" for name in columns)
    db.execute(f"UPDATE groups SET {assignments} WHERE id = ?", [*columns.values(), group_id])


def group(db: Database, group_id: int) -> Group | None:
    row = db.execute("SELECT * FROM groups WHERE id = ?", [group_id]).fetchone()
    return Group.from_row(dict(row)) if row else None


def all_groups(db: Database) -> list[Group]:
    rows = db.execute("SELECT * FROM groups ORDER BY lower(name)")
    return [Group.from_row(dict(row)) for row in rows]


def groups_of(db: Database, person_id: int) -> list[tuple[Group, GroupRole]]:
    rows = db.execute(
        "SELECT g.*, m.group_role FROM groups g JOIN memberships m ON m.group_id = g.id"
        " WHERE m.person_id = ? ORDER BY lower(g.name)",
        [person_id],
    )
    return [(Group.from_row(dict(row)), GroupRole(row["group_role"])) for row in rows]


def delete_group(db: Database, group_id: int) -> None:
    db.execute("DELETE FROM groups WHERE id = ?", [group_id])


# --- memberships -------------------------------------------------------------------------------


def group_role(db: Database, group_id: int, person_id: int) -> GroupRole | None:
    row = db.execute(
        "SELECT group_role FROM memberships WHERE group_id = ? AND person_id = ?",
        [group_id, person_id],
    ).fetchone()
    return GroupRole(row[0]) if row else None


def _membership_event(
    db: Database,
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
    db: Database, group_id: int, person_id: int, role: GroupRole, now: datetime, by: int | None = None
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


def remove_membership(db: Database, group_id: int, person_id: int, now: datetime, by: int | None) -> None:
    """Take the person out of the group; whoever joins again starts a new circle (a new joined_at)."""
    current = group_role(db, group_id, person_id)
    if current is None:
        return
    db.execute("DELETE FROM memberships WHERE group_id = ? AND person_id = ?", [group_id, person_id])
    change = MembershipChange.LEFT if by == person_id else MembershipChange.REMOVED
    _membership_event(db, group_id, person_id, change, current, now, by)


def joined_at(db: Database, group_id: int, person_id: int) -> datetime | None:
    """When the person joined the group this time, or None when they are not in it."""
    row = db.execute(
        "SELECT joined_at FROM memberships WHERE group_id = ? AND person_id = ?", [group_id, person_id]
    ).fetchone()
    return datetime.fromisoformat(row[0]) if row else None


def membership_events(db: Database, group_id: int) -> list[MembershipEvent]:
    """The group's membership history, newest first."""
    rows = db.execute(
        "SELECT e.person_id, p.name, e.change, e.group_role, e.at FROM membership_events e"
        " JOIN people p ON p.id = e.person_id WHERE e.group_id = ? ORDER BY e.at DESC, e.id DESC",
        [group_id],
    )
    return [MembershipEvent(**dict(row)) for row in rows]


def members(db: Database, group_id: int) -> list[Member]:
    rows = db.execute(
        "SELECT p.id AS person_id, p.name, p.email, m.group_role, m.joined_at"
        " FROM memberships m JOIN people p ON p.id = m.person_id WHERE m.group_id = ?"
        " ORDER BY m.group_role = 'member', lower(p.name)",
        [group_id],
    )
    return [Member(**dict(row)) for row in rows]


def facilitated_group_ids(db: Database) -> set[int]:
    rows = db.execute("SELECT DISTINCT group_id FROM memberships WHERE group_role = 'facilitator'")
    return {row[0] for row in rows}


def facilitates_any_group(db: Database, person_id: int) -> bool:
    row = db.execute(
        "SELECT 1 FROM memberships WHERE person_id = ? AND group_role = 'facilitator' LIMIT 1", [person_id]
    ).fetchone()
    return row is not None


def member_counts(db: Database) -> dict[int, int]:
    """Members (not facilitators) per group."""
    rows = db.execute("SELECT group_id, count(*) FROM memberships WHERE group_role = 'member' GROUP BY group_id")
    return {row[0]: row[1] for row in rows}


# --- invitations -------------------------------------------------------------------------------

_INVITATION_SELECT = (
    "SELECT i.id, i.code, i.group_id, g.name AS group_name, i.group_role, i.created_at,"
    " i.expires_at, i.max_uses, i.uses, i.revoked_at"
    " FROM invitations i JOIN groups g ON g.id = i.group_id"
)


def add_invitation(
    db: Database,
    code: str,
    group_id: int,
    role: GroupRole,
    created_by: int,
    now: datetime,
    expires_at: datetime,
    max_uses: int,
) -> int:
    return db.execute(
        "INSERT INTO invitations (code, group_id, group_role, created_by, created_at, expires_at,"
        " max_uses) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [code, group_id, role.value, created_by, _iso(now), _iso(expires_at), max_uses],
    ).scalar()


def invitation_by_code(db: Database, code: str) -> Invitation | None:
    row = db.execute(f"{_INVITATION_SELECT} WHERE i.code = ?", [code]).fetchone()
    return Invitation(**dict(row)) if row else None


def invitation(db: Database, invitation_id: int) -> Invitation | None:
    row = db.execute(f"{_INVITATION_SELECT} WHERE i.id = ?", [invitation_id]).fetchone()
    return Invitation(**dict(row)) if row else None


def invitations_for_groups(db: Database, group_ids: list[int]) -> list[Invitation]:
    marks = ", ".join("?" for _ in group_ids)
    rows = db.execute(f"{_INVITATION_SELECT} WHERE i.group_id IN ({marks}) ORDER BY i.created_at DESC", group_ids)
    return [Invitation(**dict(row)) for row in rows]


def count_invitation_use(db: Database, invitation_id: int) -> None:
    db.execute("UPDATE invitations SET uses = uses + 1 WHERE id = ?", [invitation_id])


def revoke_invitation(db: Database, invitation_id: int, now: datetime) -> None:
    db.execute(
        "UPDATE invitations SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
        [_iso(now), invitation_id],
    )


# --- invitations for one person ---------------------------------------------------------------

_GROUP_INVITATION_SELECT = (
    "SELECT i.id, i.group_id, g.name AS group_name, i.person_id, p.name AS person_name, i.group_role,"
    " coalesce(b.name, '') AS invited_by, i.created_at, i.expires_at, i.accepted_at, i.declined_at,"
    " i.withdrawn_at FROM group_invitations i JOIN groups g ON g.id = i.group_id"
    " JOIN people p ON p.id = i.person_id LEFT JOIN people b ON b.id = i.invited_by"
)
_GROUP_INVITATION_OPEN = (
    "i.accepted_at IS NULL AND i.declined_at IS NULL AND i.withdrawn_at IS NULL AND i.expires_at > ?"
)


def add_group_invitation(
    db: Database,
    group_id: int,
    person_id: int,
    role: GroupRole,
    invited_by: int,
    now: datetime,
    expires_at: datetime,
) -> int:
    return db.execute(
        "INSERT INTO group_invitations (group_id, person_id, group_role, invited_by, created_at, expires_at)"
        " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        [group_id, person_id, role.value, invited_by, _iso(now), _iso(expires_at)],
    ).scalar()


def group_invitation(db: Database, invitation_id: int) -> GroupInvitation | None:
    row = db.execute(f"{_GROUP_INVITATION_SELECT} WHERE i.id = ?", [invitation_id]).fetchone()
    return GroupInvitation(**dict(row)) if row else None


def open_group_invitations_for(db: Database, person_id: int, now: datetime) -> list[GroupInvitation]:
    rows = db.execute(
        f"{_GROUP_INVITATION_SELECT} WHERE i.person_id = ? AND {_GROUP_INVITATION_OPEN} ORDER BY i.created_at",
        [person_id, _iso(now)],
    )
    return [GroupInvitation(**dict(row)) for row in rows]


def open_group_invitations_to(db: Database, group_id: int, now: datetime) -> list[GroupInvitation]:
    rows = db.execute(
        f"{_GROUP_INVITATION_SELECT} WHERE i.group_id = ? AND {_GROUP_INVITATION_OPEN} ORDER BY lower(p.name)",
        [group_id, _iso(now)],
    )
    return [GroupInvitation(**dict(row)) for row in rows]


def answer_group_invitation(db: Database, invitation_id: int, column: str, now: datetime) -> None:
    """Mark the invitation accepted, declined or withdrawn (the column is ours, never a person's)."""
    if column not in ("accepted_at", "declined_at", "withdrawn_at"):
        raise ValueError(f"not an answer to an invitation: {column}")
    db.execute(f"UPDATE group_invitations SET {column} = ? WHERE id = ?", [_iso(now), invitation_id])


# --- meetings ----------------------------------------------------------------------------------

_MEETING_SELECT = (
    "SELECT m.id, m.group_id, g.name AS group_name, m.starts_at, m.minutes, m.method_id, m.method_version,"
    " m.status"
    " FROM meetings m JOIN groups g ON g.id = m.group_id"
)


def add_meeting(
    db: Database,
    group_id: int,
    starts_at: datetime,
    minutes: int,
    status: str,
    method_id: str | None = None,
    method_version: int | None = None,
) -> int:
    return db.execute(
        "INSERT INTO meetings (group_id, starts_at, minutes, method_id, method_version, status)"
        " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        [group_id, _iso(starts_at), minutes, method_id, method_version, status],
    ).scalar()


def record_attendance(db: Database, meeting_id: int, person_id: int, present: bool) -> None:
    db.execute(
        "INSERT INTO attendance (meeting_id, person_id, present) VALUES (?, ?, ?)"
        " ON CONFLICT (meeting_id, person_id) DO UPDATE SET present = excluded.present",
        [meeting_id, person_id, int(present)],
    )


def next_meetings(db: Database, group_ids: list[int], now: datetime) -> dict[int, Meeting]:
    """The first planned session from now on, per group."""
    if not group_ids:
        return {}
    marks = ", ".join("?" for _ in group_ids)
    rows = db.execute(
        f"{_MEETING_SELECT} WHERE m.status = 'planned' AND m.starts_at >= ?"
        f" AND m.group_id IN ({marks}) ORDER BY m.starts_at DESC",
        [_iso(now), *group_ids],
    )
    # Ordered latest first, so the earliest planned session per group is written last.
    return {row["group_id"]: Meeting(**dict(row)) for row in rows}


def held_meetings(db: Database, group_id: int) -> list[Meeting]:
    rows = db.execute(
        f"{_MEETING_SELECT} WHERE m.group_id = ? AND m.status = 'held' ORDER BY m.starts_at DESC",
        [group_id],
    )
    return [Meeting(**dict(row)) for row in rows]


def meeting_counts(db: Database, since: datetime) -> dict[int, int]:
    """Sessions held per group since a moment."""
    rows = db.execute(
        "SELECT group_id, count(*) FROM meetings WHERE status = 'held' AND starts_at >= ? GROUP BY group_id",
        [_iso(since)],
    )
    return {row[0]: row[1] for row in rows}


# --- audit log ---------------------------------------------------------------------------------


def add_audit_event(db: Database, now: datetime, actor_id: int | None, action: str, subject: str, detail: str) -> None:
    db.execute(
        "INSERT INTO audit_log (at, actor_id, action, subject, detail) VALUES (?, ?, ?, ?, ?)",
        [_iso(now), actor_id, action, subject, detail],
    )


def audit_events(db: Database, limit: int) -> list[AuditEvent]:
    rows = db.execute(
        "SELECT a.at, coalesce(p.name, '') AS actor, a.action, a.subject, a.detail"
        " FROM audit_log a LEFT JOIN people p ON p.id = a.actor_id"
        " ORDER BY a.id DESC LIMIT ?",
        [limit],
    )
    return [AuditEvent(**dict(row)) for row in rows]


# --- method versions and custom methods --------------------------------------------------------


def method_version_definition(db: Database, method_id: str, version: int) -> str | None:
    row = db.execute(
        "SELECT definition FROM method_versions WHERE method_id = ? AND version = ?", [method_id, version]
    ).fetchone()
    return row[0] if row else None


def keep_method_version(db: Database, method_id: str, version: int, definition: str, now: datetime) -> None:
    """Store a method as it is at this version; a version once stored never changes."""
    db.execute(
        "INSERT INTO method_versions (method_id, version, definition, created_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        [method_id, version, definition, _iso(now)],
    )


def add_custom_method(db: Database, method_id: str, author_id: int, now: datetime) -> None:
    db.execute(
        "INSERT INTO custom_methods (method_id, author_id, current_version, created_at) VALUES (?, ?, 1, ?)",
        [method_id, author_id, _iso(now)],
    )


def set_custom_method_version(db: Database, method_id: str, version: int) -> None:
    db.execute("UPDATE custom_methods SET current_version = ? WHERE method_id = ?", [version, method_id])


def share_custom_method(db: Database, method_id: str, shared: bool) -> None:
    db.execute("UPDATE custom_methods SET shared = ? WHERE method_id = ?", [int(shared), method_id])


def custom_method_row(db: Database, method_id: str) -> dict | None:
    row = db.execute(
        "SELECT c.method_id, c.author_id, coalesce(p.name, '') AS author, c.shared, c.current_version,"
        " v.definition FROM custom_methods c"
        " JOIN method_versions v ON v.method_id = c.method_id AND v.version = c.current_version"
        " LEFT JOIN people p ON p.id = c.author_id WHERE c.method_id = ?",
        [method_id],
    ).fetchone()
    return dict(row) if row else None


def custom_method_rows(db: Database, person_id: int | None) -> list[dict]:
    """Custom methods at their current version: all of them (person_id None), or those this person may use:
    their own, shared ones, and those of anyone who facilitates a group the person is in."""
    select = (
        "SELECT c.method_id, c.author_id, coalesce(p.name, '') AS author, c.shared, c.current_version,"
        " v.definition FROM custom_methods c"
        " JOIN method_versions v ON v.method_id = c.method_id AND v.version = c.current_version"
        " LEFT JOIN people p ON p.id = c.author_id"
    )
    if person_id is None:
        rows = db.execute(f"{select} ORDER BY c.method_id")
    else:
        rows = db.execute(
            f"{select} WHERE c.shared = 1 OR c.author_id = ? OR c.author_id IN ("
            " SELECT f.person_id FROM memberships f JOIN memberships mine ON mine.group_id = f.group_id"
            " WHERE f.group_role = 'facilitator' AND mine.person_id = ?) ORDER BY c.method_id",
            [person_id, person_id],
        )
    return [dict(row) for row in rows]


def custom_method_count(db: Database) -> int:
    return db.execute("SELECT count(*) FROM custom_methods").fetchone()[0]


def save_method_draft(db: Database, person_id: int, body: str, now: datetime) -> None:
    db.execute(
        "INSERT INTO method_drafts (person_id, body, updated_at) VALUES (?, ?, ?)"
        " ON CONFLICT (person_id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
        [person_id, body, _iso(now)],
    )


def method_draft(db: Database, person_id: int) -> str | None:
    row = db.execute("SELECT body FROM method_drafts WHERE person_id = ?", [person_id]).fetchone()
    return row[0] if row else None


def drop_method_draft(db: Database, person_id: int) -> None:
    db.execute("DELETE FROM method_drafts WHERE person_id = ?", [person_id])


# --- cases -------------------------------------------------------------------------------------

_CASE_SELECT = (
    "SELECT c.*, g.name AS group_name, coalesce(p.name, '') AS author, m.starts_at AS meeting_starts_at"
    " FROM cases c JOIN groups g ON g.id = c.group_id LEFT JOIN people p ON p.id = c.author_id"
    " LEFT JOIN meetings m ON m.id = c.meeting_id"
)
_CASE_VALUE_COLUMNS = (
    "title",
    "situation",
    "involved",
    "own_role",
    "evoked",
    "learning_question",
    "question_type",
    "wants",
    "tried",
    "urgency",
    "preferred_method",
    "anonymised",
)


def _case_values(values: dict) -> dict:
    row = {column: values.get(column) for column in _CASE_VALUE_COLUMNS}
    row["wants"] = json.dumps([str(want) for want in values.get("wants") or []])
    row["anonymised"] = int(bool(values.get("anonymised")))
    row["urgency"] = str(values.get("urgency") or "normal")
    for column in ("title", "situation", "involved", "own_role", "evoked", "learning_question", "tried"):
        row[column] = row[column] or ""
    return row


def case(db: Database, case_id: int) -> Case | None:
    row = db.execute(f"{_CASE_SELECT} WHERE c.id = ?", [case_id]).fetchone()
    return Case.from_row(dict(row)) if row else None


def draft_case_id(db: Database, author_id: int) -> int | None:
    row = db.execute(
        "SELECT id FROM cases WHERE author_id = ? AND status = 'draft' ORDER BY id DESC LIMIT 1", [author_id]
    ).fetchone()
    return row[0] if row else None


def add_case(db: Database, group_id: int, author_id: int, status: CaseStatus, values: dict, now: datetime) -> int:
    row = _case_values(values) | {
        "group_id": group_id,
        "author_id": author_id,
        "status": status.value,
        "created_at": _iso(now),
        "submitted_at": _iso(now) if status is CaseStatus.SUBMITTED else None,
    }
    names = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    return db.execute(f"INSERT INTO cases ({names}) VALUES ({marks}) RETURNING id", list(row.values())).scalar()


def update_case_values(db: Database, case_id: int, group_id: int, values: dict) -> None:
    row = _case_values(values) | {"group_id": group_id}
    assignments = ", ".join(f"{name} = ?" for name in row)
    db.execute(f"UPDATE cases SET {assignments} WHERE id = ?", [*row.values(), case_id])


def set_case_status(db: Database, case_id: int, status: CaseStatus, now: datetime, **extra: object) -> None:
    """Move a case on; the moment is kept in the column that belongs to the new status."""
    moments = {
        CaseStatus.SUBMITTED: "submitted_at",
        CaseStatus.CHOSEN: "chosen_at",
        CaseStatus.DISCUSSED: "discussed_at",
        CaseStatus.FOLLOWED_UP: "followed_up_at",
    }
    columns = {"status": status.value} | extra
    if status in moments:
        columns[moments[status]] = _iso(now)
    assignments = ", ".join(f"{name} = ?" for name in columns)
    db.execute(f"UPDATE cases SET {assignments} WHERE id = ?", [*columns.values(), case_id])


def delete_case(db: Database, case_id: int) -> None:
    db.execute("DELETE FROM cases WHERE id = ?", [case_id])


def cases_of_group(db: Database, group_id: int, statuses: tuple[CaseStatus, ...]) -> list[Case]:
    marks = ", ".join("?" for _ in statuses)
    rows = db.execute(
        f"{_CASE_SELECT} WHERE c.group_id = ? AND c.status IN ({marks})"
        " ORDER BY coalesce(c.discussed_at, c.submitted_at, c.created_at) DESC",
        [group_id, *[status.value for status in statuses]],
    )
    return [Case.from_row(dict(row)) for row in rows]


def cases_of_author(db: Database, author_id: int) -> list[Case]:
    rows = db.execute(
        f"{_CASE_SELECT} WHERE c.author_id = ? AND c.status != 'draft' ORDER BY c.created_at DESC",
        [author_id],
    )
    return [Case.from_row(dict(row)) for row in rows]


def last_discussed_by_author(db: Database, group_id: int) -> dict[int, str]:
    """When each member of a group last had a case discussed there."""
    rows = db.execute(
        "SELECT author_id, max(discussed_at) FROM cases WHERE group_id = ? AND discussed_at IS NOT NULL"
        " GROUP BY author_id",
        [group_id],
    )
    return {row[0]: row[1] for row in rows if row[0] is not None}


def add_case_vote(db: Database, group_id: int, voter_id: int, round_id: int, case_id: int, now: datetime) -> None:
    db.execute(
        "INSERT INTO case_votes (group_id, voter_id, round, case_id, cast_at) VALUES (?, ?, ?, ?, ?)",
        [group_id, voter_id, round_id, case_id, _iso(now)],
    )


def drop_case_votes(db: Database, case_id: int) -> None:
    db.execute("DELETE FROM case_votes WHERE case_id = ?", [case_id])


def case_vote_of(db: Database, group_id: int, voter_id: int, round_id: int) -> int | None:
    row = db.execute(
        "SELECT case_id FROM case_votes WHERE group_id = ? AND voter_id = ? AND round = ?",
        [group_id, voter_id, round_id],
    ).fetchone()
    return row[0] if row else None


def case_vote_counts(db: Database, group_id: int, round_id: int) -> dict[int, int]:
    rows = db.execute(
        "SELECT case_id, count(*) FROM case_votes WHERE group_id = ? AND round = ? GROUP BY case_id",
        [group_id, round_id],
    )
    return {row[0]: row[1] for row in rows}


def case_counts(db: Database, since: datetime, until: datetime) -> list[CaseCount]:
    """Per group: cases submitted, discussed and followed up in a period. Counts only, never texts."""
    rows = db.execute(
        "SELECT g.id AS group_id, g.name AS group_name,"
        " count(*) FILTER (WHERE c.submitted_at >= :since AND c.submitted_at < :until) AS submitted,"
        " count(*) FILTER (WHERE c.discussed_at >= :since AND c.discussed_at < :until) AS discussed,"
        " count(*) FILTER (WHERE c.followed_up_at >= :since AND c.followed_up_at < :until) AS followed_up"
        " FROM groups g LEFT JOIN cases c ON c.group_id = g.id AND c.status != 'draft'"
        " GROUP BY g.id ORDER BY lower(g.name)",
        {"since": _iso(since), "until": _iso(until)},
    )
    return [
        CaseCount(
            group_id=row["group_id"],
            group_name=row["group_name"],
            submitted=row["submitted"] or 0,
            discussed=row["discussed"] or 0,
            followed_up=row["followed_up"] or 0,
        )
        for row in rows
    ]


def erase_case_texts_discussed_before(db: Database, moment: datetime, now: datetime) -> int:
    """Blank the texts of cases discussed before `moment`; their counts and dates stay. Returns how many."""
    blanks = ", ".join(f"{column} = ''" for column in CASE_TEXT_FIELDS)
    cursor = db.execute(
        f"UPDATE cases SET {blanks}, chosen_advice = '', follow_up = '', erased_at = ?"
        " WHERE discussed_at IS NOT NULL AND discussed_at < ? AND erased_at IS NULL",
        [_iso(now), _iso(moment)],
    )
    return cursor.rowcount


def set_case_retention(db: Database, days: int | None) -> None:
    db.execute("UPDATE organisation SET case_retention_days = ?", [days])


def case_retention_days(db: Database) -> int | None:
    row = db.execute("SELECT case_retention_days FROM organisation").fetchone()
    return row[0] if row else None


def cases_waiting_for_follow_up(db: Database, author_id: int) -> list[Case]:
    rows = db.execute(f"{_CASE_SELECT} WHERE c.author_id = ? AND c.status = 'discussed'", [author_id])
    return [Case.from_row(dict(row)) for row in rows]


def queue_sizes(db: Database, group_ids: list[int]) -> dict[int, int]:
    if not group_ids:
        return {}
    marks = ", ".join("?" for _ in group_ids)
    rows = db.execute(
        f"SELECT group_id, count(*) FROM cases WHERE status = 'submitted' AND group_id IN ({marks}) GROUP BY group_id",
        group_ids,
    )
    return {row[0]: row[1] for row in rows}


# --- live sessions -------------------------------------------------------------------------------

_LIVE_SELECT = "SELECT s.*, g.name AS group_name FROM live_sessions s JOIN groups g ON g.id = s.group_id"


def add_live_session(db: Database, values: dict) -> int:
    values = {name: (_iso(value) if isinstance(value, datetime) else value) for name, value in values.items()}
    names = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    sql = f"INSERT INTO live_sessions ({names}) VALUES ({marks}) RETURNING id"
    return db.execute(sql, list(values.values())).scalar()


def live_session(db: Database, session_id: int) -> LiveSession | None:
    row = db.execute(f"{_LIVE_SELECT} WHERE s.id = ?", [session_id]).fetchone()
    return LiveSession(**dict(row)) if row else None


def live_session_by(db: Database, column: str, value: str) -> LiveSession | None:
    """The session with this join code or projector token (the column is ours, never a person's)."""
    assert column in ("join_code", "projector_token")
    row = db.execute(f"{_LIVE_SELECT} WHERE s.{column} = ?", [value]).fetchone()
    return LiveSession(**dict(row)) if row else None


def open_live_sessions(db: Database, group_ids: list[int]) -> list[LiveSession]:
    if not group_ids:
        return []
    marks = ", ".join("?" for _ in group_ids)
    rows = db.execute(
        f"{_LIVE_SELECT} WHERE s.status != 'closed' AND s.group_id IN ({marks}) ORDER BY s.started_at DESC", group_ids
    )
    return [LiveSession(**dict(row)) for row in rows]


def closed_live_sessions(db: Database, group_id: int) -> list[LiveSession]:
    rows = db.execute(
        f"{_LIVE_SELECT} WHERE s.status = 'closed' AND s.group_id = ? ORDER BY s.started_at DESC", [group_id]
    )
    return [LiveSession(**dict(row)) for row in rows]


def update_live_session(db: Database, session_id: int, expected_revision: int, **columns: object) -> bool:
    """Change the session only if nobody changed it since `expected_revision`; True when it was changed."""
    columns = {name: (_iso(value) if isinstance(value, datetime) else value) for name, value in columns.items()}
    assignments = ", ".join(f"{name} = ?" for name in columns)
    cursor = db.execute(
        f"UPDATE live_sessions SET {assignments}, revision = revision + 1 WHERE id = ? AND revision = ?",
        [*columns.values(), session_id, expected_revision],
    )
    return cursor.rowcount == 1


def add_phase_visit(
    db: Database,
    session_id: int,
    phase_index: int,
    phase_id: str,
    planned: float,
    seconds: float,
    skipped: bool,
    now: datetime,
) -> None:
    db.execute(
        "INSERT INTO phase_visits (live_session_id, phase_index, phase_id, planned_minutes, seconds, skipped, ended_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [session_id, phase_index, phase_id, planned, seconds, int(skipped), _iso(now)],
    )


def phase_seconds(db: Database, session_id: int) -> dict[int, float]:
    """Seconds spent so far in each phase (all visits together)."""
    rows = db.execute(
        "SELECT phase_index, sum(seconds) FROM phase_visits WHERE live_session_id = ? GROUP BY phase_index",
        [session_id],
    )
    return {row[0]: row[1] for row in rows}


def set_session_roles(db: Database, session_id: int, roles: dict[str, list[int]]) -> None:
    db.execute("DELETE FROM session_roles WHERE live_session_id = ?", [session_id])
    for role, people in roles.items():
        for person_id in people:
            db.execute(
                "INSERT INTO session_roles (live_session_id, person_id, role) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                [session_id, person_id, str(role)],
            )


def session_roles(db: Database, session_id: int) -> dict[str, list[tuple[int, str]]]:
    rows = db.execute(
        "SELECT r.role, p.id, p.name FROM session_roles r JOIN people p ON p.id = r.person_id"
        " WHERE r.live_session_id = ? ORDER BY p.name",
        [session_id],
    )
    roles: dict[str, list[tuple[int, str]]] = {}
    for row in rows:
        roles.setdefault(row[0], []).append((row[1], row[2]))
    return roles


def role_history(db: Database, group_id: int) -> dict[tuple[int, str], str]:
    """When each person last held each role in this group's sessions."""
    rows = db.execute(
        "SELECT r.person_id, r.role, max(s.started_at) FROM session_roles r"
        " JOIN live_sessions s ON s.id = r.live_session_id WHERE s.group_id = ? GROUP BY r.person_id, r.role",
        [group_id],
    )
    return {(row[0], row[1]): row[2] for row in rows}


def add_board_item(
    db: Database, session_id: int, phase_index: int, kind: str, text: str, author_id: int | None, now: datetime
) -> int:
    return db.execute(
        "INSERT INTO board_items (live_session_id, phase_index, kind, text, author_id, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        [session_id, phase_index, kind, text, author_id, _iso(now)],
    ).scalar()


def board_items(db: Database, session_id: int) -> list[BoardItem]:
    rows = db.execute(
        "SELECT b.id, b.phase_index, b.kind, b.text, coalesce(p.name, '') AS author, b.helpful, b.created_at"
        " FROM board_items b LEFT JOIN people p ON p.id = b.author_id WHERE b.live_session_id = ? ORDER BY b.id",
        [session_id],
    )
    return [BoardItem(**dict(row)) for row in rows]


def set_board_item_helpful(db: Database, session_id: int, item_id: int, helpful: bool) -> None:
    db.execute(
        "UPDATE board_items SET helpful = ? WHERE id = ? AND live_session_id = ?", [int(helpful), item_id, session_id]
    )


def add_action_item(
    db: Database, session_id: int, group_id: int, text: str, owner_id: int | None, due: date | None, now: datetime
) -> int:
    return db.execute(
        "INSERT INTO action_items (live_session_id, group_id, text, owner_id, due_date, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        [session_id, group_id, text, owner_id, due.isoformat() if due else None, _iso(now)],
    ).scalar()


_ACTION_SELECT = (
    "SELECT a.id, a.live_session_id, a.text, a.owner_id, coalesce(p.name, '') AS owner, a.due_date,"
    " a.confirmed, a.done FROM action_items a LEFT JOIN people p ON p.id = a.owner_id"
)


def action_items(db: Database, session_id: int) -> list[ActionItem]:
    rows = db.execute(f"{_ACTION_SELECT} WHERE a.live_session_id = ? ORDER BY a.id", [session_id])
    return [ActionItem(**dict(row)) for row in rows]


def set_action_item(db: Database, item_id: int, session_id: int, **columns: object) -> None:
    assignments = ", ".join(f"{name} = ?" for name in columns)
    db.execute(
        f"UPDATE action_items SET {assignments} WHERE id = ? AND live_session_id = ?",
        [*columns.values(), item_id, session_id],
    )


def set_action_item_done(db: Database, item_id: int, group_id: int, done: bool) -> None:
    db.execute("UPDATE action_items SET done = ? WHERE id = ? AND group_id = ?", [int(done), item_id, group_id])


def add_observation(
    db: Database,
    session_id: int,
    phase_index: int,
    level: str,
    now: datetime,
    automatic: bool = False,
    category: str | None = None,
    kind: str = "observation",
) -> int:
    return db.execute(
        "INSERT INTO observations (live_session_id, phase_index, level, kind, category, automatic, at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [session_id, phase_index, level, kind, category, int(automatic), _iso(now)],
    ).scalar()


def remove_observation(db: Database, session_id: int, observation_id: int) -> bool:
    """Take back a press; True when there was one to take back."""
    return bool(
        db.execute(
            "DELETE FROM observations WHERE id = ? AND live_session_id = ? AND automatic = 0",
            [observation_id, session_id],
        ).rowcount
    )


def set_observation_details(
    db: Database, session_id: int, observation_id: int, category: str | None, concerns: str | None, note: str
) -> None:
    db.execute(
        "UPDATE observations SET category = ?, concerns = ?, note = ? WHERE id = ? AND live_session_id = ?",
        [category, concerns, note, observation_id, session_id],
    )


def observations(db: Database, session_id: int) -> list[Observation]:
    rows = db.execute(
        "SELECT id, phase_index, level, kind, category, concerns, note, automatic, at FROM observations"
        " WHERE live_session_id = ? ORDER BY id",
        [session_id],
    )
    return [Observation(**dict(row)) for row in rows]


def rate_session(db: Database, session_id: int, person_id: int, usefulness: int, now: datetime) -> None:
    db.execute(
        "INSERT INTO session_ratings (live_session_id, person_id, usefulness, rated_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (live_session_id, person_id) DO UPDATE SET usefulness = excluded.usefulness",
        [session_id, person_id, usefulness, _iso(now)],
    )


def session_ratings(db: Database, session_id: int) -> list[int]:
    rows = db.execute("SELECT usefulness FROM session_ratings WHERE live_session_id = ?", [session_id])
    return [row[0] for row in rows]


def my_rating(db: Database, session_id: int, person_id: int) -> int | None:
    row = db.execute(
        "SELECT usefulness FROM session_ratings WHERE live_session_id = ? AND person_id = ?", [session_id, person_id]
    ).fetchone()
    return row[0] if row else None


def set_meeting_status(db: Database, meeting_id: int, status: str, method_id: str, method_version: int) -> None:
    db.execute(
        "UPDATE meetings SET status = ?, method_id = ?, method_version = ? WHERE id = ?",
        [status, method_id, method_version, meeting_id],
    )


def action_items_to_look_back_on(db: Database, group_id: int, session_id: int) -> list[ActionItem]:
    """The confirmed action items of the group's previous session, and older ones not done yet."""
    previous = db.execute(
        "SELECT max(id) FROM live_sessions WHERE group_id = ? AND status = 'closed' AND id != ?",
        [group_id, session_id],
    ).fetchone()[0]
    rows = db.execute(
        f"{_ACTION_SELECT} WHERE a.group_id = ? AND a.live_session_id != ? AND a.confirmed = 1"
        " AND (a.done = 0 OR a.live_session_id IS ?) ORDER BY a.done, a.id",
        [group_id, session_id, previous],
    )
    return [ActionItem(**dict(row)) for row in rows]


def last_discussed_case(db: Database, group_id: int) -> Case | None:
    row = db.execute(
        f"{_CASE_SELECT} WHERE c.group_id = ? AND c.discussed_at IS NOT NULL ORDER BY c.discussed_at DESC LIMIT 1",
        [group_id],
    ).fetchone()
    return Case.from_row(dict(row)) if row else None


def mark_overrun_logged(db: Database, session_id: int, phase_index: int) -> bool:
    """Note that this phase's overrun is logged; False if it was already (so it is logged only once)."""
    cursor = db.execute(
        "UPDATE live_sessions SET overrun_logged = 1 WHERE id = ? AND phase_index = ? AND overrun_logged = 0",
        [session_id, phase_index],
    )
    return cursor.rowcount == 1


def set_bringer_choice(db: Database, session_id: int, choice: str) -> None:
    db.execute("UPDATE live_sessions SET bringer_choice = ? WHERE id = ?", [choice, session_id])


# --- surveys -------------------------------------------------------------------------------------


def loaded_instrument_definitions(db: Database) -> list[str]:
    return [row[0] for row in db.execute("SELECT definition FROM loaded_instruments ORDER BY id")]


def load_instrument(db: Database, instrument_id: str, definition: str, person_id: int, now: datetime) -> None:
    db.execute(
        "INSERT INTO loaded_instruments (id, definition, loaded_by, loaded_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (id) DO UPDATE SET definition = excluded.definition, loaded_by = excluded.loaded_by,"
        " loaded_at = excluded.loaded_at",
        [instrument_id, definition, person_id, _iso(now)],
    )


def add_wave(
    db: Database,
    group_id: int,
    instrument_id: str,
    definition: str,
    moment: str,
    person_id: int | None,
    now: datetime,
    *,
    version: int,
) -> int:
    return db.execute(
        "INSERT INTO survey_waves (group_id, instrument_id, instrument_definition, instrument_version, moment,"
        " opened_by, opened_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [group_id, instrument_id, definition, version, moment, person_id, _iso(now)],
    ).scalar()


def wave(db: Database, wave_id: int) -> dict | None:
    row = db.execute(
        "SELECT w.*, g.name AS group_name FROM survey_waves w JOIN groups g ON g.id = w.group_id WHERE w.id = ?",
        [wave_id],
    ).fetchone()
    return dict(row) if row else None


def waves_of_group(db: Database, group_id: int) -> list[dict]:
    rows = db.execute(
        "SELECT w.*, g.name AS group_name FROM survey_waves w JOIN groups g ON g.id = w.group_id"
        " WHERE w.group_id = ? ORDER BY w.opened_at, w.id",
        [group_id],
    )
    return [dict(row) for row in rows]


def open_waves_for_member(db: Database, person_id: int) -> list[dict]:
    rows = db.execute(
        "SELECT w.*, g.name AS group_name FROM survey_waves w JOIN groups g ON g.id = w.group_id"
        " JOIN memberships m ON m.group_id = w.group_id AND m.person_id = ? AND m.group_role = 'member'"
        " WHERE w.closed_at IS NULL ORDER BY w.opened_at",
        [person_id],
    )
    return [dict(row) for row in rows]


# A response counts only when at least one item is answered (an empty one may be left from before that rule).
_ANSWERED = "EXISTS (SELECT 1 FROM survey_answers a WHERE a.response_id = r.id AND a.value IS NOT NULL)"

# How a closed wave may reach the organisation, settled once when it closes (see overview.py): on its own
# when enough people answered, in its half-year's pool when too few did, never when the group's contract
# did not report survey results at that moment.
_WAVE_RELEASE = f"""
    CASE WHEN NOT EXISTS (
        SELECT 1 FROM groups g
        WHERE g.id = survey_waves.group_id AND g.reported_to_organisation LIKE '%"survey_aggregates"%'
    ) THEN 'private'
    WHEN (SELECT count(*) FROM survey_responses r WHERE r.wave_id = survey_waves.id AND {_ANSWERED})
        >= coalesce((SELECT CASE WHEN privacy_threshold > {PRIVACY_FLOOR} THEN privacy_threshold
            ELSE {PRIVACY_FLOOR} END FROM organisation), {PRIVACY_FLOOR}) THEN 'alone'
    ELSE 'pool' END
"""


def close_wave(db: Database, wave_id: int, now: datetime) -> None:
    db.execute(
        f"UPDATE survey_waves SET closed_at = ?, release = {_WAVE_RELEASE} WHERE id = ? AND closed_at IS NULL",
        [_iso(now), wave_id],
    )


def settle_wave_releases(db: Database) -> None:
    """Give closed waves from before releases were settled at closing their release, as things stand now."""
    db.execute(f"UPDATE survey_waves SET release = {_WAVE_RELEASE} WHERE closed_at IS NOT NULL AND release IS NULL")


def save_response(db: Database, wave_id: int, person_id: int, answers: dict[str, int | None], now: datetime) -> None:
    """One response per person per wave: a second answer replaces the first."""
    db.execute(
        "INSERT INTO survey_responses (wave_id, person_id, answered_at) VALUES (?, ?, ?)"
        " ON CONFLICT (wave_id, person_id) DO UPDATE SET answered_at = excluded.answered_at",
        [wave_id, person_id, _iso(now)],
    )
    response_id = db.execute(
        "SELECT id FROM survey_responses WHERE wave_id = ? AND person_id = ?", [wave_id, person_id]
    ).fetchone()[0]
    db.execute("DELETE FROM survey_answers WHERE response_id = ?", [response_id])
    for item_id, value in answers.items():
        db.execute(
            "INSERT INTO survey_answers (response_id, item_id, value) VALUES (?, ?, ?)", [response_id, item_id, value]
        )


def answers_of(db: Database, wave_id: int, person_id: int) -> dict[str, int | None]:
    rows = db.execute(
        "SELECT a.item_id, a.value FROM survey_answers a JOIN survey_responses r ON r.id = a.response_id"
        " WHERE r.wave_id = ? AND r.person_id = ?",
        [wave_id, person_id],
    )
    return {row[0]: row[1] for row in rows}


def wave_answers(db: Database, wave_id: int) -> list[dict[str, int | None]]:
    """Every response of a wave, without who gave it: for aggregates only. An empty response is none."""
    return [answers for answers in wave_responses(db, wave_id).values() if any(v is not None for v in answers.values())]


def wave_responses(db: Database, wave_id: int) -> dict[int, dict[str, int | None]]:
    """Every response of a wave by its id, without who gave it."""
    rows = db.execute(
        "SELECT r.id, a.item_id, a.value FROM survey_responses r JOIN survey_answers a ON a.response_id = r.id"
        " WHERE r.wave_id = ? ORDER BY r.id",
        [wave_id],
    )
    responses: dict[int, dict[str, int | None]] = {}
    for row in rows:
        responses.setdefault(row[0], {})[row[1]] = row[2]
    return responses


def closed_wave_definitions(db: Database, wave_ids: list[int] | None = None) -> list[tuple[int, str]]:
    """(wave id, instrument definition) of closed waves: these ones, or all of them."""
    sql = "SELECT id, instrument_definition FROM survey_waves WHERE closed_at IS NOT NULL"
    if wave_ids is None:
        return [tuple(row) for row in db.execute(sql)]
    marks = ", ".join("?" * len(wave_ids))
    return [tuple(row) for row in db.execute(f"{sql} AND id IN ({marks})", wave_ids)]


def set_main_scores(db: Database, scores: dict[int, float | None]) -> None:
    """Each response's score on its instrument's main scale (None: too few items answered)."""
    db.execute_many("UPDATE survey_responses SET main_score = ? WHERE id = ?", [(s, r) for r, s in scores.items()])


def respondent_count(db: Database, wave_id: int) -> int:
    sql = f"SELECT count(*) FROM survey_responses r WHERE r.wave_id = ? AND {_ANSWERED}"
    return db.execute(sql, [wave_id]).fetchone()[0]


def set_privacy_threshold(db: Database, threshold: int) -> None:
    db.execute("UPDATE organisation SET privacy_threshold = ?", [threshold])


def survey_schedules(db: Database, group_id: int) -> list[tuple[str, int]]:
    rows = db.execute("SELECT instrument_id, every_sessions FROM survey_schedules WHERE group_id = ?", [group_id])
    return [(row[0], row[1]) for row in rows]


def set_survey_schedule(db: Database, group_id: int, instrument_id: str, every: int | None) -> None:
    if every:
        db.execute(
            "INSERT INTO survey_schedules (group_id, instrument_id, every_sessions) VALUES (?, ?, ?)"
            " ON CONFLICT (group_id, instrument_id) DO UPDATE SET every_sessions = excluded.every_sessions",
            [group_id, instrument_id, every],
        )
    else:
        db.execute("DELETE FROM survey_schedules WHERE group_id = ? AND instrument_id = ?", [group_id, instrument_id])


def closed_live_session_count(db: Database, group_id: int) -> int:
    return db.execute(
        "SELECT count(*) FROM live_sessions WHERE group_id = ? AND status = 'closed'", [group_id]
    ).fetchone()[0]


# --- the coordinator's overview: counts and averages only, never texts -----------------------------


def held_sessions_per_group(db: Database, since: datetime, until: datetime) -> dict[int, list[tuple[str, str | None]]]:
    """Per group, its held sessions in a period: (day, method id), oldest first."""
    rows = db.execute(
        "SELECT group_id, starts_at, method_id FROM meetings"
        " WHERE status = 'held' AND starts_at >= ? AND starts_at < ? ORDER BY starts_at",
        [_iso(since), _iso(until)],
    )
    held: dict[int, list[tuple[str, str | None]]] = {}
    for row in rows:
        held.setdefault(row[0], []).append((row[1][:10], row[2]))
    return held


def attendance_per_group(db: Database, since: datetime, until: datetime) -> dict[int, tuple[int, int]]:
    """Per group: (present, recorded) over the held sessions of a period that have attendance."""
    rows = db.execute(
        "SELECT m.group_id, sum(a.present), count(*) FROM attendance a JOIN meetings m ON m.id = a.meeting_id"
        " WHERE m.status = 'held' AND m.starts_at >= ? AND m.starts_at < ? GROUP BY m.group_id",
        [_iso(since), _iso(until)],
    )
    return {row[0]: (row[1], row[2]) for row in rows}


def action_item_counts(db: Database, since: datetime, until: datetime) -> dict[int, tuple[int, int]]:
    """Per group: (confirmed action items made in a period, of those done)."""
    rows = db.execute(
        "SELECT group_id, count(*), sum(done) FROM action_items"
        " WHERE confirmed = 1 AND created_at >= ? AND created_at < ? GROUP BY group_id",
        [_iso(since), _iso(until)],
    )
    return {row[0]: (row[1], row[2]) for row in rows}


def facilitators_per_group(db: Database) -> dict[int, list[tuple[int, str]]]:
    rows = db.execute(
        "SELECT m.group_id, p.id, p.name FROM memberships m JOIN people p ON p.id = m.person_id"
        " WHERE m.group_role = 'facilitator' ORDER BY lower(p.name)"
    )
    facilitators: dict[int, list[tuple[int, str]]] = {}
    for row in rows:
        facilitators.setdefault(row[0], []).append((row[1], row[2]))
    return facilitators


def whole_wave_scores(db: Database, instrument_id: str, since: datetime, until: datetime) -> list[dict]:
    """Per wave released alone and closed in [since, until): its group, when, its instrument version, how many
    scored, their mean."""
    rows = db.execute(
        "SELECT w.group_id, w.closed_at, w.instrument_version AS version,"
        " count(r.main_score) AS scored, avg(r.main_score) AS mean"
        " FROM survey_waves w JOIN survey_responses r ON r.wave_id = w.id"
        " WHERE w.instrument_id = ? AND w.release = 'alone' AND w.closed_at >= ? AND w.closed_at < ?"
        " AND r.main_score IS NOT NULL GROUP BY w.id ORDER BY w.closed_at, w.id",
        [instrument_id, _iso(since), _iso(until)],
    )
    return [dict(row) for row in rows]


def _distinct_list(db: Database, column: str) -> str:
    """An aggregate of a column's distinct values as comma-separated text, on either engine."""
    if db.engine == "postgresql":
        return f"string_agg(DISTINCT CAST({column} AS TEXT), ',')"
    return f"group_concat(DISTINCT {column})"


# A wave's calendar half-year, "2026-1" or "2026-2", from its stored UTC closing moment.
_HALF_YEAR = "substr(w.closed_at, 1, 4) || '-' || CASE WHEN substr(w.closed_at, 6, 2) <= '06' THEN 1 ELSE 2 END"


def pooled_wave_scores(db: Database, instrument_id: str, since: datetime, until: datetime) -> list[dict]:
    """Per calendar half-year and instrument version, the pooled waves closed in [since, until): groups, scored
    answers, mean, people. A pool never mixes versions: each release stands for one set of questions.

    Someone who has left could have answered every wave of a pool: together they count as one person.
    """
    rows = db.execute(
        f"SELECT {_HALF_YEAR} AS half_year, w.instrument_version AS version,"
        f" {_distinct_list(db, 'w.group_id')} AS group_ids,"
        " count(*) AS scored, avg(r.main_score) AS mean,"
        " count(DISTINCT r.person_id) + max(CASE WHEN r.person_id IS NULL THEN 1 ELSE 0 END) AS people"
        " FROM survey_waves w JOIN survey_responses r ON r.wave_id = w.id"
        " WHERE w.instrument_id = ? AND w.release = 'pool' AND w.closed_at >= ? AND w.closed_at < ?"
        " AND r.main_score IS NOT NULL GROUP BY half_year, version ORDER BY half_year, version",
        [instrument_id, _iso(since), _iso(until)],
    )
    return [
        dict(row) | {"group_ids": tuple(sorted(int(group_id) for group_id in row["group_ids"].split(",")))}
        for row in rows
    ]


def observation_counts(db: Database, group_id: int) -> list[dict]:
    """Per closed session of a group: how many presses of each kind the facilitator logged on each level."""
    rows = db.execute(
        "SELECT s.id AS session_id, s.started_at, o.level, o.kind, o.automatic, count(o.id) AS count"
        " FROM live_sessions s LEFT JOIN observations o ON o.live_session_id = s.id"
        " WHERE s.group_id = ? AND s.status = 'closed'"
        " GROUP BY s.id, o.level, o.kind, o.automatic ORDER BY s.started_at",
        [group_id],
    )
    return [dict(row) for row in rows]


def correction_counts_per_group(db: Database, since: datetime, until: datetime) -> dict[int, tuple[int, int]]:
    """Per group, over its closed sessions started in [since, until): (the facilitator stepped in, the group
    corrected itself)."""
    rows = db.execute(
        "SELECT s.group_id, count(*) FILTER (WHERE o.kind = 'intervention'),"
        " count(*) FILTER (WHERE o.kind = 'self_correction')"
        " FROM live_sessions s JOIN observations o ON o.live_session_id = s.id"
        " WHERE s.status = 'closed' AND s.started_at >= ? AND s.started_at < ?"
        " AND o.kind IN ('intervention', 'self_correction') GROUP BY s.group_id",
        [_iso(since), _iso(until)],
    )
    return {row[0]: (int(row[1]), int(row[2])) for row in rows}


def presence(db: Database, session_id: int) -> dict[int, bool]:
    rows = db.execute("SELECT person_id, present FROM session_presence WHERE live_session_id = ?", [session_id])
    return {row[0]: bool(row[1]) for row in rows}


def set_presence(db: Database, session_id: int, person_id: int, present: bool) -> None:
    db.execute(
        "INSERT INTO session_presence (live_session_id, person_id, present) VALUES (?, ?, ?)"
        " ON CONFLICT (live_session_id, person_id) DO UPDATE SET present = excluded.present",
        [session_id, person_id, int(present)],
    )


# --- goals ---------------------------------------------------------------------------------------


def add_goal(db: Database, group_id: int | None, measure: str, target: float, due: date, by: int, now: datetime) -> int:
    return db.execute(
        "INSERT INTO goals (group_id, measure, target, due, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)"
        " RETURNING id",
        [group_id, measure, target, due.isoformat(), by, _iso(now)],
    ).scalar()


def goals(db: Database) -> list[Goal]:
    rows = db.execute(
        "SELECT go.id, go.group_id, g.name AS group_name, go.measure, go.target, go.due, go.created_at"
        " FROM goals go LEFT JOIN groups g ON g.id = go.group_id"
        " ORDER BY go.group_id IS NOT NULL, lower(g.name), go.due, go.id"
    )
    return [Goal(**dict(row)) for row in rows]


def delete_goal(db: Database, goal_id: int) -> None:
    db.execute("DELETE FROM goals WHERE id = ?", [goal_id])


# --- personal data: everything stored about one person, and erasing them ------------------------------
# Which of these the export shows, and what erasing a person removes or keeps, is decided (and explained)
# in intervision/personal_data.py.


def _dicts(db: Database, sql: str, params: list) -> list[dict]:
    return [dict(row) for row in db.execute(sql, params)]


def personal_account(db: Database, person_id: int) -> dict | None:
    """The account as the person may read it: never the password hash or the sign-in failures."""
    row = db.execute(
        "SELECT id, name, email, role, language, created_at FROM people WHERE id = ?", [person_id]
    ).fetchone()
    return dict(row) if row else None


def personal_memberships(db: Database, person_id: int) -> list[dict]:
    return _dicts(
        db,
        "SELECT m.group_id, g.name AS group_name, m.group_role, m.joined_at"
        " FROM memberships m JOIN groups g ON g.id = m.group_id WHERE m.person_id = ? ORDER BY m.joined_at, g.id",
        [person_id],
    )


def personal_membership_events(db: Database, person_id: int) -> list[dict]:
    return _dicts(
        db,
        "SELECT group_id, change, group_role, at FROM membership_events WHERE person_id = ? ORDER BY at, id",
        [person_id],
    )


def personal_group_invitations(db: Database, person_id: int) -> list[dict]:
    """Invitations to join a group that this person received (who sent them is that person's data)."""
    return _dicts(
        db,
        "SELECT group_id, group_role, created_at, expires_at, accepted_at, declined_at, withdrawn_at"
        " FROM group_invitations WHERE person_id = ? ORDER BY created_at",
        [person_id],
    )


def personal_cases(db: Database, person_id: int) -> list[dict]:
    """Every case this person brought, drafts too, with all its columns."""
    return _dicts(
        db,
        "SELECT c.*, g.name AS group_name FROM cases c JOIN groups g ON g.id = c.group_id"
        " WHERE c.author_id = ? ORDER BY c.id",
        [person_id],
    )


def personal_case_votes(db: Database, person_id: int) -> list[dict]:
    return _dicts(
        db,
        "SELECT group_id, round, case_id, cast_at FROM case_votes WHERE voter_id = ? ORDER BY cast_at",
        [person_id],
    )


def personal_board_items(db: Database, person_id: int) -> list[dict]:
    return _dicts(
        db,
        "SELECT b.id, b.live_session_id, s.group_id, b.phase_index, b.kind, b.text, b.helpful, b.created_at"
        " FROM board_items b JOIN live_sessions s ON s.id = b.live_session_id WHERE b.author_id = ? ORDER BY b.id",
        [person_id],
    )


def personal_action_items(db: Database, person_id: int) -> list[dict]:
    return _dicts(
        db,
        "SELECT id, live_session_id, group_id, text, due_date, confirmed, done, created_at"
        " FROM action_items WHERE owner_id = ? ORDER BY id",
        [person_id],
    )


def personal_session_roles(db: Database, person_id: int) -> list[dict]:
    return _dicts(
        db,
        "SELECT r.live_session_id, s.group_id, s.started_at, r.role"
        " FROM session_roles r JOIN live_sessions s ON s.id = r.live_session_id"
        " WHERE r.person_id = ? ORDER BY s.started_at, r.role",
        [person_id],
    )


def personal_session_ratings(db: Database, person_id: int) -> list[dict]:
    return _dicts(
        db,
        "SELECT live_session_id, usefulness, rated_at FROM session_ratings WHERE person_id = ? ORDER BY rated_at",
        [person_id],
    )


def personal_attendance(db: Database, person_id: int) -> list[dict]:
    return _dicts(
        db,
        "SELECT a.meeting_id, m.group_id, m.starts_at, a.present"
        " FROM attendance a JOIN meetings m ON m.id = a.meeting_id WHERE a.person_id = ? ORDER BY m.starts_at",
        [person_id],
    )


def personal_session_presence(db: Database, person_id: int) -> list[dict]:
    return _dicts(
        db,
        "SELECT p.live_session_id, s.group_id, s.started_at, p.present"
        " FROM session_presence p JOIN live_sessions s ON s.id = p.live_session_id"
        " WHERE p.person_id = ? ORDER BY s.started_at",
        [person_id],
    )


def personal_survey_responses(db: Database, person_id: int) -> list[dict]:
    """This person's own responses, each with its answers and the wave's instrument (to name the items)."""
    rows = db.execute(
        "SELECT r.id, r.wave_id, w.group_id, w.instrument_id, w.instrument_definition, w.moment, r.answered_at,"
        " a.item_id, a.value FROM survey_responses r JOIN survey_waves w ON w.id = r.wave_id"
        " LEFT JOIN survey_answers a ON a.response_id = r.id"
        " WHERE r.person_id = ? ORDER BY r.answered_at, r.id, a.item_id",
        [person_id],
    )
    responses: dict[int, dict] = {}
    for row in rows:
        response = responses.setdefault(
            row["id"],
            {
                "wave_id": row["wave_id"],
                "group_id": row["group_id"],
                "instrument_id": row["instrument_id"],
                "instrument_definition": row["instrument_definition"],
                "moment": row["moment"],
                "answered_at": row["answered_at"],
                "answers": {},
            },
        )
        if row["item_id"] is not None:
            response["answers"][row["item_id"]] = row["value"]
    return list(responses.values())


def personal_sign_in_sessions(db: Database, person_id: int) -> list[dict]:
    """When each sign-in session began and ends; never its token (hash)."""
    return _dicts(
        db,
        "SELECT created_at, expires_at FROM sign_in_sessions WHERE person_id = ? ORDER BY created_at",
        [person_id],
    )


def personal_audit_events(db: Database, person_id: int) -> list[dict]:
    """What the audit log holds of this person's own doings."""
    return _dicts(db, "SELECT at, action, subject, detail FROM audit_log WHERE actor_id = ? ORDER BY id", [person_id])


def audit_events_about(db: Database, person_id: int, email: str) -> list[dict]:
    """What others did to this person's account (a role change, being added to a group), without who did it."""
    return _dicts(
        db,
        "SELECT at, action, detail FROM audit_log WHERE subject = ? AND actor_id IS NOT ? ORDER BY id",
        [email, person_id],
    )


def personal_custom_methods(db: Database, person_id: int) -> list[dict]:
    return _dicts(
        db,
        "SELECT c.method_id, c.shared, c.current_version, c.created_at, v.definition FROM custom_methods c"
        " JOIN method_versions v ON v.method_id = c.method_id AND v.version = c.current_version"
        " WHERE c.author_id = ? ORDER BY c.method_id",
        [person_id],
    )


def personal_method_draft(db: Database, person_id: int) -> dict | None:
    row = db.execute("SELECT body, updated_at FROM method_drafts WHERE person_id = ?", [person_id]).fetchone()
    return dict(row) if row else None


def personal_sessions_facilitated(db: Database, person_id: int) -> list[dict]:
    return _dicts(
        db,
        "SELECT id AS live_session_id, group_id, method_id, started_at, closed_at FROM live_sessions"
        " WHERE facilitator_id = ? ORDER BY started_at",
        [person_id],
    )


def personal_invitations_created(db: Database, person_id: int) -> list[dict]:
    """Invitations this person made, without their codes (a code still lets someone in)."""
    return _dicts(
        db,
        "SELECT group_id, group_role, created_at, expires_at, max_uses, uses, revoked_at FROM invitations"
        " WHERE created_by = ? ORDER BY created_at",
        [person_id],
    )


def personal_waves_opened(db: Database, person_id: int) -> list[dict]:
    return _dicts(
        db,
        "SELECT id AS wave_id, group_id, instrument_id, moment, opened_at, closed_at FROM survey_waves"
        " WHERE opened_by = ? ORDER BY opened_at",
        [person_id],
    )


def personal_goals_set(db: Database, person_id: int) -> list[dict]:
    return _dicts(
        db,
        "SELECT group_id, measure, target, due, created_at FROM goals WHERE created_by = ? ORDER BY created_at",
        [person_id],
    )


def forget_case_titles_of(db: Database, person_id: int) -> None:
    """Blank the copied case title of sessions about this person's cases (queued, or told on the spot)."""
    db.execute(
        "UPDATE live_sessions SET case_title = '' WHERE case_id IN (SELECT id FROM cases WHERE author_id = :person)"
        " OR (case_id IS NULL AND id IN (SELECT live_session_id FROM session_roles"
        " WHERE person_id = :person AND role = 'case_bringer'))",
        {"person": person_id},
    )


def delete_cases_of_author(db: Database, person_id: int) -> int:
    """Delete every case this person brought, and the votes cast for them. Returns how many cases."""
    db.execute("DELETE FROM case_votes WHERE case_id IN (SELECT id FROM cases WHERE author_id = ?)", [person_id])
    return db.execute("DELETE FROM cases WHERE author_id = ?", [person_id]).rowcount


def delete_case_votes_of(db: Database, person_id: int) -> None:
    db.execute("DELETE FROM case_votes WHERE voter_id = ?", [person_id])


def anonymise_survey_responses(db: Database, person_id: int) -> int:
    """Keep this person's answers without who gave them. Returns how many responses."""
    return db.execute("UPDATE survey_responses SET person_id = NULL WHERE person_id = ?", [person_id]).rowcount


def unlink_board_items(db: Database, person_id: int) -> int:
    return db.execute("UPDATE board_items SET author_id = NULL WHERE author_id = ?", [person_id]).rowcount


def unlink_action_items(db: Database, person_id: int) -> int:
    return db.execute("UPDATE action_items SET owner_id = NULL WHERE owner_id = ?", [person_id]).rowcount


def pseudonymise_audit_log(db: Database, person_id: int, email: str, pseudonym: str) -> None:
    """Replace this person's e-mail address in the log by a pseudonym, and drop the link to their account.

    Their own events lose the actor (a later account may get the same id) and, where they concern nobody
    else, carry the pseudonym as their subject.
    """
    db.execute("UPDATE audit_log SET subject = ? WHERE subject = ?", [pseudonym, email])
    db.execute("UPDATE audit_log SET detail = ? WHERE detail = ?", [pseudonym, email])
    db.execute(
        "UPDATE audit_log SET subject = CASE WHEN subject = '' THEN ? ELSE subject END, actor_id = NULL"
        " WHERE actor_id = ?",
        [pseudonym, person_id],
    )


def delete_person(db: Database, person_id: int) -> None:
    """Delete the account; memberships, sign-in sessions, drafts, roles, ratings and attendance go with it."""
    db.execute("DELETE FROM people WHERE id = ?", [person_id])
