"""Live sessions: phase and timer, roles, board, action items, observations, presence and ratings."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from enum import StrEnum

from intervision.database import Unit
from intervision.errors import Missing
from intervision.models import (
    ActionItem,
    BoardItem,
    Case,
    ChangeStamp,
    LiveSession,
    MeetingStatus,
    Observation,
    ObservationKind,
    SessionRole,
    SessionStatus,
)
from intervision.store._sql import UNCHANGED, _iso, _Unchanged
from intervision.store.cases import _CASE_SELECT

_LIVE_SELECT = (
    "SELECT s.*, g.name AS group_name, g.language AS group_language"
    " FROM live_sessions s JOIN groups g ON g.id = s.group_id"
)


def _stored(value: object) -> object:
    """A value as its column keeps it."""
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, bool):
        return int(value)
    return value


@dataclass(frozen=True)
class NewLiveSession:
    """What a session starts with; the rest (the clock, the revision, the choice) starts at the schema's default."""

    group_id: int
    case_title: str
    method_id: str
    method_version: int
    status: SessionStatus
    join_code: str
    projector_token: str
    facilitator_id: int | None
    started_at: datetime
    meeting_id: int | None = None
    case_id: int | None = None
    sequence_id: str | None = None
    phase_index: int = 0
    closed_at: datetime | None = None


@dataclass(frozen=True)
class LiveSessionChange:
    """A step of a session: only the fields given are written. The fields are the columns a step may change,
    so no other column name ever reaches the UPDATE."""

    status: SessionStatus | _Unchanged = UNCHANGED
    phase_index: int | _Unchanged = UNCHANGED
    phase_started_at: datetime | None | _Unchanged = UNCHANGED
    paused_at: datetime | None | _Unchanged = UNCHANGED
    paused_seconds: float | _Unchanged = UNCHANGED
    extra_minutes: float | _Unchanged = UNCHANGED
    overrun_logged: bool | _Unchanged = UNCHANGED
    closed_at: datetime | None | _Unchanged = UNCHANGED

    def columns(self) -> dict[str, object]:
        """The columns this change writes, with their stored values."""
        return {
            field.name: _stored(getattr(self, field.name))
            for field in fields(self)
            if getattr(self, field.name) is not UNCHANGED
        }


@dataclass(frozen=True)
class RoleHolder:
    """Someone who holds a role in a session."""

    person_id: int
    name: str


@dataclass(frozen=True)
class RoleHeld:
    """A person in a role: the key of a group's role history."""

    person_id: int
    role: SessionRole


def add_live_session(db: Unit, new: NewLiveSession) -> int:
    columns = {field.name: _stored(getattr(new, field.name)) for field in fields(new)}
    names = ", ".join(columns)
    marks = ", ".join("?" for _ in columns)
    sql = f"INSERT INTO live_sessions ({names}) VALUES ({marks}) RETURNING id"
    return db.execute(sql, list(columns.values())).scalar()


def live_session(db: Unit, session_id: int) -> LiveSession | None:
    row = db.execute(f"{_LIVE_SELECT} WHERE s.id = ?", [session_id]).fetchone()
    return LiveSession(**dict(row)) if row else None


def live_session_by_join_code(db: Unit, join_code: str) -> LiveSession | None:
    row = db.execute(f"{_LIVE_SELECT} WHERE s.join_code = ?", [join_code]).fetchone()
    return LiveSession(**dict(row)) if row else None


def live_session_by_projector_token(db: Unit, token: str) -> LiveSession | None:
    row = db.execute(f"{_LIVE_SELECT} WHERE s.projector_token = ?", [token]).fetchone()
    return LiveSession(**dict(row)) if row else None


def open_live_sessions(db: Unit, group_ids: list[int]) -> list[LiveSession]:
    if not group_ids:
        return []
    marks = ", ".join("?" for _ in group_ids)
    rows = db.execute(
        f"{_LIVE_SELECT} WHERE s.status != ? AND s.group_id IN ({marks}) ORDER BY s.started_at DESC",
        [SessionStatus.CLOSED.value, *group_ids],
    )
    return [LiveSession(**dict(row)) for row in rows]


def closed_live_sessions(db: Unit, group_id: int) -> list[LiveSession]:
    rows = db.execute(
        f"{_LIVE_SELECT} WHERE s.status = ? AND s.group_id = ? ORDER BY s.started_at DESC",
        [SessionStatus.CLOSED.value, group_id],
    )
    return [LiveSession(**dict(row)) for row in rows]


def update_live_session(db: Unit, session_id: int, expected_revision: int, change: LiveSessionChange) -> bool:
    """Change the session only if nobody changed it since `expected_revision`; True when it was changed."""
    columns = change.columns()
    if not columns:
        raise ValueError("a change of a live session changes something")
    assignments = ", ".join(f"{name} = ?" for name in columns)
    cursor = db.execute(
        f"UPDATE live_sessions SET {assignments}, revision = revision + 1 WHERE id = ? AND revision = ?",
        [*columns.values(), session_id, expected_revision],
    )
    return cursor.rowcount == 1


_PHASE_VISIT_INSERT = (
    "INSERT INTO phase_visits (live_session_id, phase_index, phase_id, planned_minutes, seconds, skipped, ended_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
)


def add_phase_visit(
    db: Unit,
    session_id: int,
    phase_index: int,
    phase_id: str,
    planned: float,
    seconds: float,
    skipped: bool,
    now: datetime,
) -> None:
    db.execute(_PHASE_VISIT_INSERT, [session_id, phase_index, phase_id, planned, seconds, int(skipped), _iso(now)])


def add_phase_visits(db: Unit, session_id: int, visits: list[tuple[int, str, float, float, bool, datetime]]) -> None:
    """Many visits at once (phase index, phase id, planned minutes, seconds, skipped, ended at): bulk loading."""
    db.execute_many(
        _PHASE_VISIT_INSERT,
        [(session_id, index, phase_id, planned, seconds, int(skipped), _iso(ended)) for index, phase_id, planned,
         seconds, skipped, ended in visits],
    )  # fmt: skip


def phase_seconds(db: Unit, session_id: int) -> dict[int, float]:
    """Seconds spent so far in each phase (all visits together)."""
    rows = db.execute(
        "SELECT phase_index, sum(seconds) FROM phase_visits WHERE live_session_id = ? GROUP BY phase_index",
        [session_id],
    )
    return {row[0]: row[1] for row in rows}


def set_session_roles(db: Unit, session_id: int, roles: dict[SessionRole, list[int]]) -> None:
    db.execute("DELETE FROM session_roles WHERE live_session_id = ?", [session_id])
    for role, people in roles.items():
        for person_id in people:
            db.execute(
                "INSERT INTO session_roles (live_session_id, person_id, role) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                [session_id, person_id, SessionRole(role).value],
            )


def session_roles(db: Unit, session_id: int) -> dict[SessionRole, list[RoleHolder]]:
    rows = db.execute(
        "SELECT r.role, p.id, p.name FROM session_roles r JOIN people p ON p.id = r.person_id"
        " WHERE r.live_session_id = ? ORDER BY p.name",
        [session_id],
    )
    roles: dict[SessionRole, list[RoleHolder]] = {}
    for row in rows:
        roles.setdefault(SessionRole(row[0]), []).append(RoleHolder(person_id=row[1], name=row[2]))
    return roles


def role_history(db: Unit, group_id: int) -> dict[RoleHeld, datetime]:
    """When each person last held each role in this group's sessions (when that session started)."""
    rows = db.execute(
        "SELECT r.person_id, r.role, max(s.started_at) FROM session_roles r"
        " JOIN live_sessions s ON s.id = r.live_session_id WHERE s.group_id = ? GROUP BY r.person_id, r.role",
        [group_id],
    )
    return {RoleHeld(person_id=row[0], role=SessionRole(row[1])): datetime.fromisoformat(row[2]) for row in rows}


def add_board_item(
    db: Unit, session_id: int, phase_index: int, kind: str, text: str, author_id: int | None, now: datetime
) -> int:
    return db.execute(
        "INSERT INTO board_items (live_session_id, phase_index, kind, text, author_id, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        [session_id, phase_index, kind, text, author_id, _iso(now)],
    ).scalar()


def board_items(db: Unit, session_id: int, including_hidden: bool = False) -> list[BoardItem]:
    """The items on the board with their dot counts; removed and merged ones never. Hidden ones only for the
    facilitator's console: a phone's or the projector's read never fetches them."""
    shown = "" if including_hidden else " AND b.hidden = 0"
    rows = db.execute(
        "SELECT b.id, b.phase_index, b.kind, b.text, coalesce(p.name, '') AS author, b.helpful, b.created_at,"
        " b.hidden, (SELECT count(*) FROM board_dots d WHERE d.board_item_id = b.id) AS dots"
        " FROM board_items b LEFT JOIN people p ON p.id = b.author_id WHERE b.live_session_id = ?"
        f" AND b.removed_at IS NULL AND b.merged_into IS NULL{shown} ORDER BY b.id",
        [session_id],
    )
    return [BoardItem(**dict(row)) for row in rows]


def set_board_item_helpful(db: Unit, session_id: int, item_id: int, helpful: bool) -> None:
    db.execute(
        "UPDATE board_items SET helpful = ? WHERE id = ? AND live_session_id = ?", [int(helpful), item_id, session_id]
    )


def add_action_item(
    db: Unit, session_id: int, group_id: int, text: str, owner_id: int | None, due: date | None, now: datetime
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


def action_items(db: Unit, session_id: int) -> list[ActionItem]:
    rows = db.execute(f"{_ACTION_SELECT} WHERE a.live_session_id = ? ORDER BY a.id", [session_id])
    return [ActionItem(**dict(row)) for row in rows]


def set_action_item_confirmed(db: Unit, item_id: int, session_id: int, confirmed: bool) -> None:
    """Confirm an action item of this session (or take the confirmation back); Missing when it is not one."""
    cursor = db.execute(
        "UPDATE action_items SET confirmed = ? WHERE id = ? AND live_session_id = ?",
        [int(confirmed), item_id, session_id],
    )
    if cursor.rowcount == 0:
        raise Missing(f"action item {item_id} of session {session_id}")


def set_action_item_done(db: Unit, item_id: int, group_id: int, done: bool) -> None:
    db.execute("UPDATE action_items SET done = ? WHERE id = ? AND group_id = ?", [int(done), item_id, group_id])


_OBSERVATION_INSERT = (
    "INSERT INTO observations (live_session_id, phase_index, level, kind, category, automatic, at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
)


def add_observation(
    db: Unit,
    session_id: int,
    phase_index: int,
    level: str,
    now: datetime,
    automatic: bool = False,
    category: str | None = None,
    kind: ObservationKind = ObservationKind.OBSERVATION,
) -> int:
    row = [session_id, phase_index, level, ObservationKind(kind).value, category, int(automatic), _iso(now)]
    return db.execute(f"{_OBSERVATION_INSERT} RETURNING id", row).scalar()


def add_observations(db: Unit, session_id: int, observations: list[tuple[int, str, datetime, str | None, str]]) -> None:
    """Many logged observations at once (phase index, level, at, category, kind), none automatic: bulk loading."""
    db.execute_many(
        _OBSERVATION_INSERT,
        [
            (session_id, index, level, ObservationKind(kind).value, category, 0, _iso(at))
            for index, level, at, category, kind in observations
        ],
    )


def remove_observation(db: Unit, session_id: int, observation_id: int) -> bool:
    """Take back a press; True when there was one to take back."""
    return bool(
        db.execute(
            "DELETE FROM observations WHERE id = ? AND live_session_id = ? AND automatic = 0",
            [observation_id, session_id],
        ).rowcount
    )


def set_observation_details(
    db: Unit, session_id: int, observation_id: int, category: str | None, concerns: str | None, note: str
) -> None:
    db.execute(
        "UPDATE observations SET category = ?, concerns = ?, note = ? WHERE id = ? AND live_session_id = ?",
        [category, concerns, note, observation_id, session_id],
    )


def observations(db: Unit, session_id: int) -> list[Observation]:
    rows = db.execute(
        "SELECT id, phase_index, level, kind, category, concerns, note, automatic, at FROM observations"
        " WHERE live_session_id = ? ORDER BY id",
        [session_id],
    )
    return [Observation(**dict(row)) for row in rows]


def rate_session(db: Unit, session_id: int, person_id: int, usefulness: int, now: datetime) -> None:
    db.execute(
        "INSERT INTO session_ratings (live_session_id, person_id, usefulness, rated_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (live_session_id, person_id) DO UPDATE SET usefulness = excluded.usefulness",
        [session_id, person_id, usefulness, _iso(now)],
    )


def session_ratings(db: Unit, session_id: int) -> list[int]:
    rows = db.execute("SELECT usefulness FROM session_ratings WHERE live_session_id = ?", [session_id])
    return [row[0] for row in rows]


def my_rating(db: Unit, session_id: int, person_id: int) -> int | None:
    row = db.execute(
        "SELECT usefulness FROM session_ratings WHERE live_session_id = ? AND person_id = ?", [session_id, person_id]
    ).fetchone()
    return row[0] if row else None


def set_meeting_status(db: Unit, meeting_id: int, status: MeetingStatus, method_id: str, method_version: int) -> None:
    cursor = db.execute(
        "UPDATE meetings SET status = ?, method_id = ?, method_version = ? WHERE id = ?",
        [MeetingStatus(status).value, method_id, method_version, meeting_id],
    )
    if cursor.rowcount == 0:
        raise Missing(f"meeting {meeting_id}")


def action_items_to_look_back_on(db: Unit, group_id: int, session_id: int) -> list[ActionItem]:
    """The confirmed action items of the group's previous session, and older ones not done yet."""
    previous = db.execute(
        "SELECT max(id) FROM live_sessions WHERE group_id = ? AND status = ? AND id != ?",
        [group_id, SessionStatus.CLOSED.value, session_id],
    ).fetchone()[0]
    rows = db.execute(
        f"{_ACTION_SELECT} WHERE a.group_id = ? AND a.live_session_id != ? AND a.confirmed = 1"
        " AND (a.done = 0 OR a.live_session_id IS NOT DISTINCT FROM ?) ORDER BY a.done, a.id",
        [group_id, session_id, previous],
    )
    return [ActionItem(**dict(row)) for row in rows]


def last_discussed_case(db: Unit, group_id: int) -> Case | None:
    row = db.execute(
        f"{_CASE_SELECT} WHERE c.group_id = ? AND c.discussed_at IS NOT NULL ORDER BY c.discussed_at DESC LIMIT 1",
        [group_id],
    ).fetchone()
    return Case.from_row(dict(row)) if row else None


def mark_overrun_logged(db: Unit, session_id: int, phase_index: int) -> bool:
    """Note that this phase's overrun is logged; False if it was already (so it is logged only once)."""
    cursor = db.execute(
        "UPDATE live_sessions SET overrun_logged = 1 WHERE id = ? AND phase_index = ? AND overrun_logged = 0",
        [session_id, phase_index],
    )
    return cursor.rowcount == 1


def set_bringer_choice(db: Unit, session_id: int, choice: str) -> None:
    db.execute("UPDATE live_sessions SET bringer_choice = ? WHERE id = ?", [choice, session_id])


# --- the change stamp that live screens listen to ----------------------------------------------------------


def session_changed(db: Unit, session_id: int) -> None:
    """Advance the session's change stamp: called by every write that a live screen of it shows, in the
    same unit of work, so that the stamp and what changed become visible together."""
    db.execute("UPDATE live_sessions SET change_stamp = change_stamp + 1 WHERE id = ?", [session_id])


def board_grew(db: Unit, session_id: int) -> None:
    """Advance the change stamp for a participant's question, dot or helpful mark, and say it was only that."""
    db.execute(
        "UPDATE live_sessions SET change_stamp = change_stamp + 1, contribution_stamp = contribution_stamp + 1"
        " WHERE id = ?",
        [session_id],
    )


def change_stamps(db: Unit, session_ids: list[int]) -> dict[int, ChangeStamp]:
    """The change stamps of these sessions, in one query (a session that does not exist is left out)."""
    if not session_ids:
        return {}
    marks = ", ".join("?" for _ in session_ids)
    rows = db.execute(
        f"SELECT id, change_stamp, contribution_stamp FROM live_sessions WHERE id IN ({marks})", list(session_ids)
    )
    return {row[0]: ChangeStamp(row[1], row[2]) for row in rows}
