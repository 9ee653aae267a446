"""The exercises added to a live session's opening or closing (one per slot), and whether the projector shows them."""

from __future__ import annotations

from datetime import datetime

from intervision.database import Unit
from intervision.exercises import SessionExercise, Slot
from intervision.store._sql import _iso, _moment


def set_session_exercise(db: Unit, session_id: int, slot: str, exercise_id: str, now: datetime) -> None:
    """(a write) This exercise in this slot, shown on the projector; it takes the place of one there before."""
    db.execute(
        "INSERT INTO session_exercises (live_session_id, slot, exercise_id, shown, added_at) VALUES (?, ?, ?, 1, ?)"
        " ON CONFLICT (live_session_id, slot) DO UPDATE SET exercise_id = excluded.exercise_id, shown = 1,"
        " added_at = excluded.added_at",
        [session_id, slot, exercise_id, _iso(now)],
    )


def set_session_exercise_shown(db: Unit, session_id: int, slot: str, shown: bool) -> bool:
    """(a write) Put the slot's exercise on the projector or take it off; False when the slot has none."""
    changed = db.execute(
        "UPDATE session_exercises SET shown = ? WHERE live_session_id = ? AND slot = ? RETURNING slot",
        [int(shown), session_id, slot],
    ).fetchone()
    return changed is not None


def remove_session_exercise(db: Unit, session_id: int, slot: str) -> bool:
    """(a write) The slot without an exercise again; False when it had none."""
    removed = db.execute(
        "DELETE FROM session_exercises WHERE live_session_id = ? AND slot = ? RETURNING slot", [session_id, slot]
    ).fetchone()
    return removed is not None


def session_exercises(db: Unit, session_id: int) -> list[SessionExercise]:
    rows = db.execute(
        "SELECT slot, exercise_id, shown, added_at FROM session_exercises WHERE live_session_id = ? ORDER BY slot",
        [session_id],
    )
    return [
        SessionExercise(slot=Slot(row[0]), exercise_id=row[1], shown=bool(row[2]), added_at=_moment(row[3]))
        for row in rows
    ]
