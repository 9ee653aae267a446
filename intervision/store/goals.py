"""The organisation's goals for its groups."""

from __future__ import annotations

from datetime import date, datetime

from intervision.database import Unit
from intervision.models import (
    Goal,
    GoalMeasure,
)
from intervision.store._sql import _iso, _moment


def add_goal(db: Unit, group_id: int | None, measure: str, target: float, due: date, by: int, now: datetime) -> int:
    return db.execute(
        "INSERT INTO goals (group_id, measure, target, due, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)"
        " RETURNING id",
        [group_id, measure, target, due.isoformat(), by, _iso(now)],
    ).scalar()


def goals(db: Unit) -> list[Goal]:
    rows = db.execute(
        "SELECT go.id, go.group_id, g.name AS group_name, go.measure, go.target, go.due, go.created_at"
        " FROM goals go LEFT JOIN groups g ON g.id = go.group_id"
        " ORDER BY go.group_id IS NOT NULL, lower(g.name), go.due, go.id"
    )
    return [
        Goal(
            id=row["id"],
            group_id=row["group_id"],
            group_name=row["group_name"],
            measure=GoalMeasure(row["measure"]),
            target=row["target"],
            due=date.fromisoformat(row["due"]),
            created_at=_moment(row["created_at"]),
        )
        for row in rows
    ]


def delete_goal(db: Unit, goal_id: int) -> None:
    db.execute("DELETE FROM goals WHERE id = ?", [goal_id])
