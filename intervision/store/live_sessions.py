"""Live sessions: phase and timer, roles, board, action items, observations, presence and ratings."""

from __future__ import annotations

from datetime import date, datetime

from intervision.database import Unit
from intervision.models import (
    ActionItem,
    BoardItem,
    Case,
    LiveSession,
    Observation,
)
from intervision.store._sql import _iso
from intervision.store.cases import _CASE_SELECT

_LIVE_SELECT = "SELECT s.*, g.name AS group_name FROM live_sessions s JOIN groups g ON g.id = s.group_id"


def add_live_session(db: Unit, values: dict) -> int:
    values = {name: (_iso(value) if isinstance(value, datetime) else value) for name, value in values.items()}
    names = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    sql = f"INSERT INTO live_sessions ({names}) VALUES ({marks}) RETURNING id"
    return db.execute(sql, list(values.values())).scalar()


def live_session(db: Unit, session_id: int) -> LiveSession | None:
    row = db.execute(f"{_LIVE_SELECT} WHERE s.id = ?", [session_id]).fetchone()
    return LiveSession(**dict(row)) if row else None


def live_session_by(db: Unit, column: str, value: str) -> LiveSession | None:
    """The session with this join code or projector token (the column is ours, never a person's)."""
    assert column in ("join_code", "projector_token")
    row = db.execute(f"{_LIVE_SELECT} WHERE s.{column} = ?", [value]).fetchone()
    return LiveSession(**dict(row)) if row else None


def open_live_sessions(db: Unit, group_ids: list[int]) -> list[LiveSession]:
    if not group_ids:
        return []
    marks = ", ".join("?" for _ in group_ids)
    rows = db.execute(
        f"{_LIVE_SELECT} WHERE s.status != 'closed' AND s.group_id IN ({marks}) ORDER BY s.started_at DESC", group_ids
    )
    return [LiveSession(**dict(row)) for row in rows]


def closed_live_sessions(db: Unit, group_id: int) -> list[LiveSession]:
    rows = db.execute(
        f"{_LIVE_SELECT} WHERE s.status = 'closed' AND s.group_id = ? ORDER BY s.started_at DESC", [group_id]
    )
    return [LiveSession(**dict(row)) for row in rows]


def update_live_session(db: Unit, session_id: int, expected_revision: int, **columns: object) -> bool:
    """Change the session only if nobody changed it since `expected_revision`; True when it was changed."""
    columns = {name: (_iso(value) if isinstance(value, datetime) else value) for name, value in columns.items()}
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


def set_session_roles(db: Unit, session_id: int, roles: dict[str, list[int]]) -> None:
    db.execute("DELETE FROM session_roles WHERE live_session_id = ?", [session_id])
    for role, people in roles.items():
        for person_id in people:
            db.execute(
                "INSERT INTO session_roles (live_session_id, person_id, role) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                [session_id, person_id, str(role)],
            )


def session_roles(db: Unit, session_id: int) -> dict[str, list[tuple[int, str]]]:
    rows = db.execute(
        "SELECT r.role, p.id, p.name FROM session_roles r JOIN people p ON p.id = r.person_id"
        " WHERE r.live_session_id = ? ORDER BY p.name",
        [session_id],
    )
    roles: dict[str, list[tuple[int, str]]] = {}
    for row in rows:
        roles.setdefault(row[0], []).append((row[1], row[2]))
    return roles


def role_history(db: Unit, group_id: int) -> dict[tuple[int, str], str]:
    """When each person last held each role in this group's sessions."""
    rows = db.execute(
        "SELECT r.person_id, r.role, max(s.started_at) FROM session_roles r"
        " JOIN live_sessions s ON s.id = r.live_session_id WHERE s.group_id = ? GROUP BY r.person_id, r.role",
        [group_id],
    )
    return {(row[0], row[1]): row[2] for row in rows}


def add_board_item(
    db: Unit, session_id: int, phase_index: int, kind: str, text: str, author_id: int | None, now: datetime
) -> int:
    return db.execute(
        "INSERT INTO board_items (live_session_id, phase_index, kind, text, author_id, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        [session_id, phase_index, kind, text, author_id, _iso(now)],
    ).scalar()


def board_items(db: Unit, session_id: int) -> list[BoardItem]:
    rows = db.execute(
        "SELECT b.id, b.phase_index, b.kind, b.text, coalesce(p.name, '') AS author, b.helpful, b.created_at"
        " FROM board_items b LEFT JOIN people p ON p.id = b.author_id WHERE b.live_session_id = ? ORDER BY b.id",
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


def set_action_item(db: Unit, item_id: int, session_id: int, **columns: object) -> None:
    assignments = ", ".join(f"{name} = ?" for name in columns)
    db.execute(
        f"UPDATE action_items SET {assignments} WHERE id = ? AND live_session_id = ?",
        [*columns.values(), item_id, session_id],
    )


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
    kind: str = "observation",
) -> int:
    row = [session_id, phase_index, level, kind, category, int(automatic), _iso(now)]
    return db.execute(f"{_OBSERVATION_INSERT} RETURNING id", row).scalar()


def add_observations(db: Unit, session_id: int, observations: list[tuple[int, str, datetime, str | None, str]]) -> None:
    """Many logged observations at once (phase index, level, at, category, kind), none automatic: bulk loading."""
    db.execute_many(
        _OBSERVATION_INSERT,
        [(session_id, index, level, kind, category, 0, _iso(at)) for index, level, at, category, kind in observations],
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


def set_meeting_status(db: Unit, meeting_id: int, status: str, method_id: str, method_version: int) -> None:
    db.execute(
        "UPDATE meetings SET status = ?, method_id = ?, method_version = ? WHERE id = ?",
        [status, method_id, method_version, meeting_id],
    )


def action_items_to_look_back_on(db: Unit, group_id: int, session_id: int) -> list[ActionItem]:
    """The confirmed action items of the group's previous session, and older ones not done yet."""
    previous = db.execute(
        "SELECT max(id) FROM live_sessions WHERE group_id = ? AND status = 'closed' AND id != ?",
        [group_id, session_id],
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
