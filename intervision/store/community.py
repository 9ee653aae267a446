"""The community profile's observation counts, the second observer of a session, and the debrief note.

Counts only leave here for the profile (never notes); the observer's log and the debrief note are read per
session and person, and the rules in `intervision/community.py` decide who may ask.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from intervision.database import Unit
from intervision.models import LiveSession, ObservationKind, SessionStatus
from intervision.store._sql import _iso, _moment
from intervision.store.live_sessions import _LIVE_SELECT


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True)


class CategoryCount(_Record):
    """In one closed session of a group: how many of the facilitator's presses of one kind and category."""

    group_id: int
    session_id: int
    started_at: datetime
    level: str
    category: str | None
    kind: ObservationKind
    count: int


class SessionObserver(_Record):
    session_id: int
    person_id: int
    name: str
    invited_at: datetime


class ObserverObservation(_Record):
    id: int
    session_id: int
    person_id: int
    phase_index: int
    level: str
    category: str | None
    at: datetime


class DebriefNote(_Record):
    session_id: int
    text: str
    edited_by: int | None
    edited_by_name: str | None
    edited_at: datetime


class ObservedSession(_Record):
    """A session someone is the second observer of, as their own list shows it."""

    session_id: int
    group_id: int
    group_name: str
    method_id: str
    status: SessionStatus
    phase_index: int
    started_at: datetime
    facilitator_id: int | None


class PersonalObserverObservation(_Record):
    session_id: int
    phase_index: int
    level: str
    category: str | None
    at: datetime


class PersonalDebriefNote(_Record):
    session_id: int
    text: str
    edited_at: datetime


class PersonalObserverRole(_Record):
    session_id: int
    invited_at: datetime


# --- the profile's counts ------------------------------------------------------------------------------


def category_counts(db: Unit, since: datetime, until: datetime) -> list[CategoryCount]:
    """Per closed session started in [since, until): the facilitator's presses by level, category and kind.
    What the timer logged by itself is left out: it says nothing about how the members talk."""
    rows = db.execute(
        "SELECT s.group_id, s.id AS session_id, s.started_at, o.level, o.category, o.kind, count(o.id) AS count"
        " FROM live_sessions s JOIN observations o ON o.live_session_id = s.id"
        " WHERE s.status = ? AND s.started_at >= ? AND s.started_at < ? AND o.automatic = 0"
        " GROUP BY s.group_id, s.id, s.started_at, o.level, o.category, o.kind ORDER BY s.started_at",
        [SessionStatus.CLOSED.value, _iso(since), _iso(until)],
    )
    return [
        CategoryCount(
            group_id=row["group_id"],
            session_id=row["session_id"],
            started_at=_moment(row["started_at"]),
            level=row["level"],
            category=row["category"],
            kind=ObservationKind(row["kind"]),
            count=int(row["count"]),
        )
        for row in rows
    ]


# --- the second observer ---------------------------------------------------------------------------------


def session_observer(db: Unit, session_id: int) -> SessionObserver | None:
    row = db.execute(
        "SELECT o.live_session_id, o.person_id, p.name, o.invited_at FROM session_observers o"
        " JOIN people p ON p.id = o.person_id WHERE o.live_session_id = ?",
        [session_id],
    ).fetchone()
    return (
        SessionObserver(session_id=row[0], person_id=row[1], name=row[2], invited_at=_moment(row[3])) if row else None
    )


def set_session_observer(db: Unit, session_id: int, person_id: int, by: int, now: datetime) -> None:
    """One second observer per session: choosing another replaces the first."""
    db.execute(
        "INSERT INTO session_observers (live_session_id, person_id, invited_by, invited_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (live_session_id) DO UPDATE SET person_id = excluded.person_id,"
        " invited_by = excluded.invited_by, invited_at = excluded.invited_at",
        [session_id, person_id, by, _iso(now)],
    )


def sessions_run_by(db: Unit, person_id: int, limit: int = 50) -> list[LiveSession]:
    """The latest sessions this person started as facilitator, newest first."""
    rows = db.execute(
        f"{_LIVE_SELECT} WHERE s.facilitator_id = ? ORDER BY s.started_at DESC, s.id DESC LIMIT ?", [person_id, limit]
    )
    return [LiveSession(**dict(row)) for row in rows]


def remove_session_observer(db: Unit, session_id: int) -> None:
    db.execute("DELETE FROM session_observers WHERE live_session_id = ?", [session_id])


def sessions_observed_by(db: Unit, person_id: int) -> list[ObservedSession]:
    rows = db.execute(
        "SELECT s.id, s.group_id, g.name, s.method_id, s.status, s.phase_index, s.started_at, s.facilitator_id"
        " FROM session_observers o JOIN live_sessions s ON s.id = o.live_session_id"
        " JOIN groups g ON g.id = s.group_id WHERE o.person_id = ? ORDER BY s.started_at DESC, s.id DESC",
        [person_id],
    )
    return [
        ObservedSession(
            session_id=row[0],
            group_id=row[1],
            group_name=row[2],
            method_id=row[3],
            status=SessionStatus(row[4]),
            phase_index=row[5],
            started_at=_moment(row[6]),
            facilitator_id=row[7],
        )
        for row in rows
    ]


def add_observer_observation(
    db: Unit, session_id: int, person_id: int, phase_index: int, level: str, category: str | None, now: datetime
) -> int:
    return db.execute(
        "INSERT INTO observer_observations (live_session_id, person_id, phase_index, level, category, at)"
        " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        [session_id, person_id, phase_index, level, category, _iso(now)],
    ).scalar()


def observer_observations(db: Unit, session_id: int, person_id: int) -> list[ObserverObservation]:
    rows = db.execute(
        "SELECT id, live_session_id, person_id, phase_index, level, category, at FROM observer_observations"
        " WHERE live_session_id = ? AND person_id = ? ORDER BY at, id",
        [session_id, person_id],
    )
    return [
        ObserverObservation(
            id=row[0],
            session_id=row[1],
            person_id=row[2],
            phase_index=row[3],
            level=row[4],
            category=row[5],
            at=_moment(row[6]),
        )
        for row in rows
    ]


def remove_observer_observation(db: Unit, session_id: int, person_id: int, observation_id: int) -> bool:
    return (
        db.execute(
            "DELETE FROM observer_observations WHERE id = ? AND live_session_id = ? AND person_id = ?",
            [observation_id, session_id, person_id],
        ).rowcount
        == 1
    )


def forget_observer_observations(db: Unit, session_id: int, person_id: int) -> None:
    db.execute("DELETE FROM observer_observations WHERE live_session_id = ? AND person_id = ?", [session_id, person_id])


def observer_observation_count(db: Unit, session_id: int) -> int:
    return int(
        db.execute("SELECT count(*) FROM observer_observations WHERE live_session_id = ?", [session_id]).scalar()
    )


# --- the debrief note ---------------------------------------------------------------------------------------


def debrief_note(db: Unit, session_id: int) -> DebriefNote | None:
    row = db.execute(
        "SELECT d.live_session_id, d.text, d.edited_by, p.name, d.edited_at FROM debrief_notes d"
        " LEFT JOIN people p ON p.id = d.edited_by WHERE d.live_session_id = ?",
        [session_id],
    ).fetchone()
    if row is None:
        return None
    return DebriefNote(
        session_id=row[0], text=row[1], edited_by=row[2], edited_by_name=row[3], edited_at=_moment(row[4])
    )


def save_debrief_note(db: Unit, session_id: int, text: str, by: int, now: datetime) -> None:
    """The last edit wins: the whole text, who wrote it last and when."""
    db.execute(
        "INSERT INTO debrief_notes (live_session_id, text, edited_by, edited_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (live_session_id) DO UPDATE SET text = excluded.text, edited_by = excluded.edited_by,"
        " edited_at = excluded.edited_at",
        [session_id, text, by, _iso(now)],
    )


# --- a person's own data ------------------------------------------------------------------------------------


def personal_observer_roles(db: Unit, person_id: int) -> list[PersonalObserverRole]:
    rows = db.execute(
        "SELECT live_session_id, invited_at FROM session_observers WHERE person_id = ? ORDER BY invited_at",
        [person_id],
    )
    return [PersonalObserverRole(session_id=row[0], invited_at=_moment(row[1])) for row in rows]


def personal_observer_observations(db: Unit, person_id: int) -> list[PersonalObserverObservation]:
    rows = db.execute(
        "SELECT live_session_id, phase_index, level, category, at FROM observer_observations"
        " WHERE person_id = ? ORDER BY at, id",
        [person_id],
    )
    return [
        PersonalObserverObservation(
            session_id=row[0], phase_index=row[1], level=row[2], category=row[3], at=_moment(row[4])
        )
        for row in rows
    ]


def personal_debrief_notes(db: Unit, person_id: int) -> list[PersonalDebriefNote]:
    """The debrief notes this person edited last: the text as it stands is theirs."""
    rows = db.execute(
        "SELECT live_session_id, text, edited_at FROM debrief_notes WHERE edited_by = ? ORDER BY edited_at",
        [person_id],
    )
    return [PersonalDebriefNote(session_id=row[0], text=row[1], edited_at=_moment(row[2])) for row in rows]
