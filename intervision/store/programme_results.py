"""A programme's report: the measured values of its result goals, and the session ratings of its groups."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel

from intervision.database import Unit
from intervision.models import SessionStatus
from intervision.store._sql import _iso, _moment


class ResultValue(BaseModel):
    id: int
    goal_key: str
    value: float
    measured_on: date
    entered_at: datetime


class SessionRatingCount(BaseModel):
    """How one closed session was rated: how many rated it and the sum of their usefulness (1–5); no person."""

    session_id: int
    group_id: int
    ratings: int
    total: int


def add_result_value(
    db: Unit, programme_id: int, goal_key: str, value: float, measured_on: date, by: int, now: datetime
) -> int:
    return db.execute(
        "INSERT INTO programme_result_values (programme_id, goal_key, value, measured_on, entered_by, entered_at)"
        " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        [programme_id, goal_key, value, measured_on.isoformat(), by, _iso(now)],
    ).scalar()


def delete_result_value(db: Unit, programme_id: int, value_id: int) -> None:
    db.execute("DELETE FROM programme_result_values WHERE id = ? AND programme_id = ?", [value_id, programme_id])


def result_values(db: Unit, programme_id: int) -> list[ResultValue]:
    """Every measured value of a programme's result goals, oldest measurement first."""
    rows = db.execute(
        "SELECT id, goal_key, value, measured_on, entered_at FROM programme_result_values WHERE programme_id = ?"
        " ORDER BY measured_on, id",
        [programme_id],
    )
    return [
        ResultValue(
            id=r["id"],
            goal_key=r["goal_key"],
            value=r["value"],
            measured_on=date.fromisoformat(r["measured_on"]),
            entered_at=_moment(r["entered_at"]),
        )
        for r in rows
    ]


def session_rating_counts(db: Unit, group_ids: list[int], since: datetime, until: datetime) -> list[SessionRatingCount]:
    """Per closed session of these groups that closed in a period and was rated: the count and the sum."""
    if not group_ids:
        return []
    marks = ", ".join("?" for _ in group_ids)
    rows = db.execute(
        "SELECT s.id, s.group_id, count(r.person_id), sum(r.usefulness) FROM live_sessions s"
        " JOIN session_ratings r ON r.live_session_id = s.id"
        f" WHERE s.status = ? AND s.closed_at >= ? AND s.closed_at < ? AND s.group_id IN ({marks})"
        " GROUP BY s.id, s.group_id ORDER BY s.id",
        [SessionStatus.CLOSED.value, _iso(since), _iso(until), *group_ids],
    )
    return [SessionRatingCount(session_id=r[0], group_id=r[1], ratings=int(r[2]), total=int(r[3])) for r in rows]
