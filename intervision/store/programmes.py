"""Learning programmes: their groups, their steps (JSON text, one row per step), ticked conditions and moves."""

from __future__ import annotations

import json
from datetime import datetime

from pydantic import BaseModel

from intervision.database import Unit
from intervision.store._sql import _iso, _moment


class ProgrammeRow(BaseModel):
    id: int
    name: str
    phase: int
    created_at: datetime


class LinkedGroup(BaseModel):
    group_id: int
    name: str
    programme_id: int


class SavedStep(BaseModel):
    step: str
    content: dict
    saved_at: datetime


class TickedCondition(BaseModel):
    condition_id: str
    ticked_by: str | None  # the person's name; None once they were erased
    ticked_at: datetime


class PhaseMove(BaseModel):
    from_phase: int
    to_phase: int
    reason: str
    open_conditions: int
    moved_by: str | None
    moved_at: datetime


def add_programme(db: Unit, name: str, by: int, now: datetime) -> int:
    return db.execute(
        "INSERT INTO programmes (name, phase, created_by, created_at) VALUES (?, 0, ?, ?) RETURNING id",
        [name, by, _iso(now)],
    ).scalar()


def rename_programme(db: Unit, programme_id: int, name: str) -> None:
    db.execute("UPDATE programmes SET name = ? WHERE id = ?", [name, programme_id])


def delete_programme(db: Unit, programme_id: int) -> None:
    db.execute("DELETE FROM programmes WHERE id = ?", [programme_id])


def programme_row(db: Unit, programme_id: int) -> ProgrammeRow | None:
    row = db.execute("SELECT id, name, phase, created_at FROM programmes WHERE id = ?", [programme_id]).fetchone()
    return _programme(row) if row else None


def programme_rows(db: Unit) -> list[ProgrammeRow]:
    rows = db.execute("SELECT id, name, phase, created_at FROM programmes ORDER BY lower(name), id")
    return [_programme(row) for row in rows]


def _programme(row: object) -> ProgrammeRow:
    return ProgrammeRow(id=row["id"], name=row["name"], phase=row["phase"], created_at=_moment(row["created_at"]))


def programme_name_taken(db: Unit, name: str, other_than: int | None) -> bool:
    row = db.execute(
        "SELECT id FROM programmes WHERE lower(name) = lower(?) AND id <> ?", [name, other_than or 0]
    ).fetchone()
    return row is not None


def linked_groups(db: Unit, programme_id: int | None = None) -> list[LinkedGroup]:
    """Groups in a programme: of one programme, or of all."""
    sql = "SELECT pg.group_id, g.name, pg.programme_id FROM programme_groups pg JOIN groups g ON g.id = pg.group_id"
    params: list[object] = []
    if programme_id is not None:
        sql += " WHERE pg.programme_id = ?"
        params.append(programme_id)
    rows = db.execute(sql + " ORDER BY lower(g.name)", params)
    return [LinkedGroup(group_id=r["group_id"], name=r["name"], programme_id=r["programme_id"]) for r in rows]


def set_linked_groups(db: Unit, programme_id: int, group_ids: list[int]) -> None:
    db.execute("DELETE FROM programme_groups WHERE programme_id = ?", [programme_id])
    for group_id in group_ids:
        db.execute("INSERT INTO programme_groups (group_id, programme_id) VALUES (?, ?)", [group_id, programme_id])


def programme_of_group(db: Unit, group_id: int) -> ProgrammeRow | None:
    row = db.execute(
        "SELECT p.id, p.name, p.phase, p.created_at FROM programmes p"
        " JOIN programme_groups pg ON pg.programme_id = p.id WHERE pg.group_id = ?",
        [group_id],
    ).fetchone()
    return _programme(row) if row else None


def save_step(db: Unit, programme_id: int, step: str, content: dict, by: int, now: datetime) -> None:
    text = json.dumps(content, ensure_ascii=False, sort_keys=True)
    db.execute("DELETE FROM programme_steps WHERE programme_id = ? AND step = ?", [programme_id, step])
    db.execute(
        "INSERT INTO programme_steps (programme_id, step, content, saved_by, saved_at) VALUES (?, ?, ?, ?, ?)",
        [programme_id, step, text, by, _iso(now)],
    )


def saved_steps(db: Unit, programme_id: int) -> list[SavedStep]:
    rows = db.execute(
        "SELECT step, content, saved_at FROM programme_steps WHERE programme_id = ? ORDER BY step", [programme_id]
    )
    return [SavedStep(step=r["step"], content=json.loads(r["content"]), saved_at=_moment(r["saved_at"])) for r in rows]


def tick_condition(db: Unit, programme_id: int, condition_id: str, by: int, now: datetime) -> None:
    db.execute(
        "DELETE FROM programme_conditions WHERE programme_id = ? AND condition_id = ?", [programme_id, condition_id]
    )
    db.execute(
        "INSERT INTO programme_conditions (programme_id, condition_id, ticked_by, ticked_at) VALUES (?, ?, ?, ?)",
        [programme_id, condition_id, by, _iso(now)],
    )


def untick_condition(db: Unit, programme_id: int, condition_id: str) -> None:
    db.execute(
        "DELETE FROM programme_conditions WHERE programme_id = ? AND condition_id = ?", [programme_id, condition_id]
    )


def ticked_conditions(db: Unit, programme_id: int) -> list[TickedCondition]:
    rows = db.execute(
        "SELECT c.condition_id, p.name, c.ticked_at FROM programme_conditions c"
        " LEFT JOIN people p ON p.id = c.ticked_by WHERE c.programme_id = ? ORDER BY c.ticked_at",
        [programme_id],
    )
    return [
        TickedCondition(condition_id=r["condition_id"], ticked_by=r["name"], ticked_at=_moment(r["ticked_at"]))
        for r in rows
    ]


def move_phase(
    db: Unit,
    programme_id: int,
    from_phase: int,
    to_phase: int,
    reason: str,
    open_conditions: int,
    by: int,
    now: datetime,
) -> None:
    db.execute("UPDATE programmes SET phase = ? WHERE id = ?", [to_phase, programme_id])
    db.execute(
        "INSERT INTO programme_moves (programme_id, from_phase, to_phase, reason, open_conditions, moved_by, moved_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [programme_id, from_phase, to_phase, reason, open_conditions, by, _iso(now)],
    )


def phase_moves(db: Unit, programme_id: int) -> list[PhaseMove]:
    rows = db.execute(
        "SELECT m.from_phase, m.to_phase, m.reason, m.open_conditions, p.name, m.moved_at FROM programme_moves m"
        " LEFT JOIN people p ON p.id = m.moved_by WHERE m.programme_id = ? ORDER BY m.id",
        [programme_id],
    )
    return [
        PhaseMove(
            from_phase=r["from_phase"],
            to_phase=r["to_phase"],
            reason=r["reason"],
            open_conditions=r["open_conditions"],
            moved_by=r["name"],
            moved_at=_moment(r["moved_at"]),
        )
        for r in rows
    ]


class PersonalProgrammeAction(BaseModel):
    """Something a person did in a programme, for their own personal-data export."""

    programme: str
    action: str  # created, saved_step, ticked_condition, moved_phase, entered_result_value
    detail: str
    at: datetime


def personal_programme_actions(db: Unit, person_id: int) -> list[PersonalProgrammeAction]:
    rows = db.execute(
        "SELECT p.name AS programme, 'created' AS action, '' AS detail, p.created_at AS at"
        " FROM programmes p WHERE p.created_by = :person"
        " UNION ALL SELECT p.name, 'saved_step', s.step, s.saved_at"
        " FROM programme_steps s JOIN programmes p ON p.id = s.programme_id WHERE s.saved_by = :person"
        " UNION ALL SELECT p.name, 'ticked_condition', c.condition_id, c.ticked_at"
        " FROM programme_conditions c JOIN programmes p ON p.id = c.programme_id WHERE c.ticked_by = :person"
        " UNION ALL SELECT p.name, 'moved_phase', m.from_phase || ' > ' || m.to_phase || ': ' || m.reason, m.moved_at"
        " FROM programme_moves m JOIN programmes p ON p.id = m.programme_id WHERE m.moved_by = :person"
        " UNION ALL SELECT p.name, 'entered_result_value',"
        " v.goal_key || ': ' || v.value || ' (' || v.measured_on || ')', v.entered_at"
        " FROM programme_result_values v JOIN programmes p ON p.id = v.programme_id"
        " WHERE v.entered_by = :person"
        " ORDER BY 4, 2",
        {"person": person_id},
    )
    return [PersonalProgrammeAction(programme=r[0], action=r[1], detail=r[2], at=_moment(r[3])) for r in rows]
