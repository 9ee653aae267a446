"""Personal learning goals (a learning contract) and their progress notes.

A goal's text and notes leave this module only towards its owner, or, through `shared_learning_goals`,
towards the facilitators of the group it is shared with while that share still holds. Coordinators get
`learning_goal_counts`: numbers, never texts.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel

from intervision.database import Unit
from intervision.store._sql import _iso, _maybe_moment, _moment


class LearningGoalState(StrEnum):
    OPEN = "open"
    REACHED = "reached"
    LET_GO = "let_go"  # the person chose to stop working on it


class ProgressNote(BaseModel):
    id: int
    goal_id: int
    note: str
    how_far: int  # 1 (just begun) to 5 (there)
    noted_at: datetime


class LearningGoal(BaseModel):
    id: int
    person_id: int
    what: str
    why: str
    practice: str
    signs: str
    due: date | None
    state: LearningGoalState
    state_at: datetime | None
    # The group whose facilitators may read it: only while the share still holds (see _SHARE_HOLDS).
    shared_group_id: int | None
    shared_group_name: str | None
    created_at: datetime


class SharedLearningGoal(BaseModel):
    """What a facilitator reads of a goal shared with them: the text and the latest progress, no more."""

    goal_id: int
    owner_name: str
    what: str
    due: date | None
    latest: ProgressNote | None


class GroupLearningGoalCounts(BaseModel):
    """Raw counts for one group over a period; the core decides which of them may be shown."""

    group_id: int
    people_with_goals: int
    goals_reviewed: int
    people_reviewing: int
    goals_reached: int
    people_reaching: int


# A share holds while the owner is in the group and nothing changed in their membership since they shared
# (left, removed, joined again, another role): a membership change ends it.
_SHARE_HOLDS = (
    "lg.shared_group_id IS NOT NULL"
    " AND EXISTS (SELECT 1 FROM memberships m WHERE m.group_id = lg.shared_group_id AND m.person_id = lg.person_id)"
    " AND NOT EXISTS (SELECT 1 FROM membership_events e WHERE e.group_id = lg.shared_group_id"
    " AND e.person_id = lg.person_id AND e.at > lg.shared_at)"
)

_GOAL_COLUMNS = (
    "lg.id, lg.person_id, lg.what, lg.why, lg.practice, lg.signs, lg.due, lg.state, lg.state_at, lg.created_at,"
    f" CASE WHEN {_SHARE_HOLDS} THEN lg.shared_group_id END AS shared_group_id,"
    f" CASE WHEN {_SHARE_HOLDS} THEN g.name END AS shared_group_name"
    " FROM learning_goals lg LEFT JOIN groups g ON g.id = lg.shared_group_id"
)


def _goal(row: dict) -> LearningGoal:
    return LearningGoal(
        id=row["id"],
        person_id=row["person_id"],
        what=row["what"],
        why=row["why"],
        practice=row["practice"],
        signs=row["signs"],
        due=date.fromisoformat(row["due"]) if row["due"] else None,
        state=LearningGoalState(row["state"]),
        state_at=_maybe_moment(row["state_at"]),
        shared_group_id=row["shared_group_id"],
        shared_group_name=row["shared_group_name"],
        created_at=_moment(row["created_at"]),
    )


def _note(row: dict) -> ProgressNote:
    return ProgressNote(
        id=row["id"],
        goal_id=row["goal_id"],
        note=row["note"],
        how_far=row["how_far"],
        noted_at=_moment(row["noted_at"]),
    )


def add_learning_goal(
    db: Unit, person_id: int, what: str, why: str, practice: str, signs: str, due: date | None, now: datetime
) -> int:
    return db.execute(
        "INSERT INTO learning_goals (person_id, what, why, practice, signs, due, state, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [
            person_id,
            what,
            why,
            practice,
            signs,
            due.isoformat() if due else None,
            LearningGoalState.OPEN.value,
            _iso(now),
        ],
    ).scalar()


def learning_goal(db: Unit, goal_id: int) -> LearningGoal | None:
    row = db.execute(f"SELECT {_GOAL_COLUMNS} WHERE lg.id = ?", [goal_id]).fetchone()
    return _goal(dict(row)) if row else None


def learning_goals_of(db: Unit, person_id: int) -> list[LearningGoal]:
    """A person's goals: open ones first, then by date (goals without one last), then as written."""
    rows = db.execute(
        f"SELECT {_GOAL_COLUMNS} WHERE lg.person_id = ? ORDER BY lg.state <> 'open', lg.due IS NULL, lg.due, lg.id",
        [person_id],
    )
    return [_goal(dict(row)) for row in rows]


def progress_notes_of(db: Unit, person_id: int) -> list[ProgressNote]:
    """Every progress note on the person's goals, oldest first."""
    rows = db.execute(
        "SELECT n.id, n.goal_id, n.note, n.how_far, n.noted_at FROM learning_goal_notes n"
        " JOIN learning_goals lg ON lg.id = n.goal_id WHERE lg.person_id = ? ORDER BY n.noted_at, n.id",
        [person_id],
    )
    return [_note(dict(row)) for row in rows]


def add_progress_note(db: Unit, goal_id: int, note: str, how_far: int, now: datetime) -> int:
    return db.execute(
        "INSERT INTO learning_goal_notes (goal_id, note, how_far, noted_at) VALUES (?, ?, ?, ?) RETURNING id",
        [goal_id, note, how_far, _iso(now)],
    ).scalar()


def set_learning_goal_state(db: Unit, goal_id: int, state: LearningGoalState, now: datetime) -> None:
    db.execute(
        "UPDATE learning_goals SET state = ?, state_at = ? WHERE id = ?",
        [state.value, None if state is LearningGoalState.OPEN else _iso(now), goal_id],
    )


def share_learning_goal(db: Unit, goal_id: int, group_id: int | None, now: datetime) -> None:
    db.execute(
        "UPDATE learning_goals SET shared_group_id = ?, shared_at = ? WHERE id = ?",
        [group_id, _iso(now) if group_id is not None else None, goal_id],
    )


def delete_learning_goal(db: Unit, goal_id: int) -> None:
    db.execute("DELETE FROM learning_goal_notes WHERE goal_id = ?", [goal_id])
    db.execute("DELETE FROM learning_goals WHERE id = ?", [goal_id])


def delete_learning_goals_of(db: Unit, person_id: int) -> int:
    """Erasing a person: their goals and notes go (the foreign keys would cascade; said here all the same)."""
    db.execute(
        "DELETE FROM learning_goal_notes WHERE goal_id IN (SELECT id FROM learning_goals WHERE person_id = ?)",
        [person_id],
    )
    return db.execute("DELETE FROM learning_goals WHERE person_id = ?", [person_id]).rowcount


def shared_learning_goals(db: Unit, group_id: int) -> list[SharedLearningGoal]:
    """Open goals shared with this group's facilitators, whose share still holds, with their latest note."""
    rows = db.execute(
        "SELECT lg.id, lg.what, lg.due, p.name AS owner_name FROM learning_goals lg"
        " JOIN people p ON p.id = lg.person_id"
        f" WHERE lg.shared_group_id = ? AND lg.state = 'open' AND {_SHARE_HOLDS}"
        " ORDER BY lower(p.name), lg.id",
        [group_id],
    )
    goals = [dict(row) for row in rows]
    latest: dict[int, ProgressNote] = {}
    if goals:
        marks = ", ".join("?" for _ in goals)
        for row in db.execute(
            f"SELECT id, goal_id, note, how_far, noted_at FROM learning_goal_notes WHERE goal_id IN ({marks})"
            " ORDER BY noted_at, id",
            [goal["id"] for goal in goals],
        ):
            latest[row["goal_id"]] = _note(dict(row))  # the last one read is the latest
    return [
        SharedLearningGoal(
            goal_id=goal["id"],
            owner_name=goal["owner_name"],
            what=goal["what"],
            due=date.fromisoformat(goal["due"]) if goal["due"] else None,
            latest=latest.get(goal["id"]),
        )
        for goal in goals
    ]


def learning_goal_counts(
    db: Unit, group_ids: list[int], since: datetime, until: datetime
) -> dict[int, GroupLearningGoalCounts]:
    """Per group, over its current people: who has goals (written before the period ended), how many goals got
    a progress note in the period and by how many people, how many were reached in it and by how many people."""
    if not group_ids:
        return {}
    marks = ", ".join("?" for _ in group_ids)
    start, end = _iso(since), _iso(until)
    counts = {
        group_id: GroupLearningGoalCounts(
            group_id=group_id,
            people_with_goals=0,
            goals_reviewed=0,
            people_reviewing=0,
            goals_reached=0,
            people_reaching=0,
        )
        for group_id in group_ids
    }
    base = (
        " FROM memberships m JOIN learning_goals lg ON lg.person_id = m.person_id"
        f" WHERE m.group_id IN ({marks}) AND lg.created_at < ?"
    )
    for row in db.execute(
        f"SELECT m.group_id, count(DISTINCT lg.person_id) AS people{base} GROUP BY m.group_id", [*group_ids, end]
    ):
        counts[row["group_id"]].people_with_goals = row["people"]
    for row in db.execute(
        "SELECT m.group_id, count(DISTINCT lg.id) AS goals, count(DISTINCT lg.person_id) AS people"
        f"{base} AND EXISTS (SELECT 1 FROM learning_goal_notes n WHERE n.goal_id = lg.id"
        " AND n.noted_at >= ? AND n.noted_at < ?) GROUP BY m.group_id",
        [*group_ids, end, start, end],
    ):
        counts[row["group_id"]].goals_reviewed = row["goals"]
        counts[row["group_id"]].people_reviewing = row["people"]
    for row in db.execute(
        "SELECT m.group_id, count(DISTINCT lg.id) AS goals, count(DISTINCT lg.person_id) AS people"
        f"{base} AND lg.state = 'reached' AND lg.state_at >= ? AND lg.state_at < ? GROUP BY m.group_id",
        [*group_ids, end, start, end],
    ):
        counts[row["group_id"]].goals_reached = row["goals"]
        counts[row["group_id"]].people_reaching = row["people"]
    return counts
