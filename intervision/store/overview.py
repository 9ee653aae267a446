"""The coordinator's overview: counts and averages only, never texts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from intervision.database import Unit
from intervision.models import GroupRole, MeetingStatus, ObservationKind, SessionStatus, WaveRelease
from intervision.store._sql import _iso, _moment


@dataclass(frozen=True)
class HeldSession:
    """A session a group held: when it started, and the method it used (if one was recorded)."""

    starts_at: datetime
    method_id: str | None

    @property
    def day(self) -> date:
        return self.starts_at.date()


@dataclass(frozen=True)
class AttendanceCount:
    """Over the held sessions of a period that have attendance: how many were there, of how many recorded."""

    present: int
    recorded: int


@dataclass(frozen=True)
class ActionItemCount:
    """The confirmed action items made in a period, and how many of those are done."""

    confirmed: int
    done: int


@dataclass(frozen=True)
class GroupFacilitator:
    person_id: int
    name: str


@dataclass(frozen=True)
class WaveScore:
    """A wave released on its own: its group, when it closed, its instrument version, how many scored, their mean."""

    group_id: int
    closed_at: datetime
    version: int
    scored: int
    mean: float


@dataclass(frozen=True)
class PooledScore:
    """The pooled waves of one calendar half-year ("2026-1", "2026-2") and instrument version."""

    half_year: str
    version: int
    group_ids: tuple[int, ...]
    scored: int
    mean: float
    people: int  # everyone who has left counts as one


@dataclass(frozen=True)
class ObservationCount:
    """In one closed session: how many presses of one kind on one level (level None: a session without any)."""

    session_id: int
    started_at: datetime
    level: str | None
    kind: ObservationKind | None
    automatic: bool
    count: int


@dataclass(frozen=True)
class CorrectionCount:
    """How often the facilitator stepped in, and how often the group corrected itself."""

    interventions: int
    self_corrections: int


def held_sessions_per_group(db: Unit, since: datetime, until: datetime) -> dict[int, list[HeldSession]]:
    """Per group, its held sessions in a period, oldest first."""
    rows = db.execute(
        "SELECT group_id, starts_at, method_id FROM meetings"
        " WHERE status = ? AND starts_at >= ? AND starts_at < ? ORDER BY starts_at",
        [MeetingStatus.HELD.value, _iso(since), _iso(until)],
    )
    held: dict[int, list[HeldSession]] = {}
    for row in rows:
        held.setdefault(row[0], []).append(HeldSession(_moment(row[1]), row[2]))
    return held


def attendance_per_group(db: Unit, since: datetime, until: datetime) -> dict[int, AttendanceCount]:
    """Per group, over the held sessions of a period that have attendance."""
    rows = db.execute(
        "SELECT m.group_id, sum(a.present), count(*) FROM attendance a JOIN meetings m ON m.id = a.meeting_id"
        " WHERE m.status = ? AND m.starts_at >= ? AND m.starts_at < ? GROUP BY m.group_id",
        [MeetingStatus.HELD.value, _iso(since), _iso(until)],
    )
    return {row[0]: AttendanceCount(int(row[1]), int(row[2])) for row in rows}


def action_item_counts(db: Unit, since: datetime, until: datetime) -> dict[int, ActionItemCount]:
    """Per group: the confirmed action items made in a period, and of those the ones done."""
    rows = db.execute(
        "SELECT group_id, count(*), sum(done) FROM action_items"
        " WHERE confirmed = 1 AND created_at >= ? AND created_at < ? GROUP BY group_id",
        [_iso(since), _iso(until)],
    )
    return {row[0]: ActionItemCount(int(row[1]), int(row[2])) for row in rows}


def facilitators_per_group(db: Unit) -> dict[int, list[GroupFacilitator]]:
    rows = db.execute(
        "SELECT m.group_id, p.id, p.name FROM memberships m JOIN people p ON p.id = m.person_id"
        " WHERE m.group_role = ? ORDER BY lower(p.name)",
        [GroupRole.FACILITATOR.value],
    )
    facilitators: dict[int, list[GroupFacilitator]] = {}
    for row in rows:
        facilitators.setdefault(row[0], []).append(GroupFacilitator(row[1], row[2]))
    return facilitators


def whole_wave_scores(db: Unit, instrument_id: str, since: datetime, until: datetime) -> list[WaveScore]:
    """Per wave released alone and closed in [since, until), oldest first."""
    rows = db.execute(
        "SELECT w.group_id, w.closed_at, w.instrument_version, count(r.main_score), avg(r.main_score)"
        " FROM survey_waves w JOIN survey_responses r ON r.wave_id = w.id"
        " WHERE w.instrument_id = ? AND w.release = ? AND w.closed_at >= ? AND w.closed_at < ?"
        " AND r.main_score IS NOT NULL GROUP BY w.id ORDER BY w.closed_at, w.id",
        [instrument_id, WaveRelease.ALONE.value, _iso(since), _iso(until)],
    )
    return [WaveScore(row[0], _moment(row[1]), row[2], int(row[3]), float(row[4])) for row in rows]


def _distinct_list(db: Unit, column: str) -> str:
    """An aggregate of a column's distinct values as comma-separated text, on either engine."""
    if db.engine == "postgresql":
        return f"string_agg(DISTINCT CAST({column} AS TEXT), ',')"
    return f"group_concat(DISTINCT {column})"


# A wave's calendar half-year, "2026-1" or "2026-2", from its stored UTC closing moment.
_HALF_YEAR = "substr(w.closed_at, 1, 4) || '-' || CASE WHEN substr(w.closed_at, 6, 2) <= '06' THEN 1 ELSE 2 END"


def pooled_wave_scores(db: Unit, instrument_id: str, since: datetime, until: datetime) -> list[PooledScore]:
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
        " WHERE w.instrument_id = ? AND w.release = ? AND w.closed_at >= ? AND w.closed_at < ?"
        " AND r.main_score IS NOT NULL GROUP BY half_year, version ORDER BY half_year, version",
        [instrument_id, WaveRelease.POOL.value, _iso(since), _iso(until)],
    )
    return [
        PooledScore(
            half_year=row["half_year"],
            version=row["version"],
            group_ids=tuple(sorted(int(group_id) for group_id in row["group_ids"].split(","))),
            scored=int(row["scored"]),
            mean=float(row["mean"]),
            people=int(row["people"]),
        )
        for row in rows
    ]


def observation_counts(db: Unit, group_id: int) -> list[ObservationCount]:
    """Per closed session of a group: how many presses of each kind the facilitator logged on each level."""
    rows = db.execute(
        "SELECT s.id AS session_id, s.started_at, o.level, o.kind, o.automatic, count(o.id) AS count"
        " FROM live_sessions s LEFT JOIN observations o ON o.live_session_id = s.id"
        " WHERE s.group_id = ? AND s.status = ?"
        " GROUP BY s.id, o.level, o.kind, o.automatic ORDER BY s.started_at",
        [group_id, SessionStatus.CLOSED.value],
    )
    return [
        ObservationCount(
            session_id=row["session_id"],
            started_at=_moment(row["started_at"]),
            level=row["level"],
            kind=None if row["kind"] is None else ObservationKind(row["kind"]),
            automatic=bool(row["automatic"]),
            count=int(row["count"]),
        )
        for row in rows
    ]


def correction_counts_per_group(db: Unit, since: datetime, until: datetime) -> dict[int, CorrectionCount]:
    """Per group, over its closed sessions started in [since, until)."""
    rows = db.execute(
        "SELECT s.group_id, count(*) FILTER (WHERE o.kind = :intervention),"
        " count(*) FILTER (WHERE o.kind = :self_correction)"
        " FROM live_sessions s JOIN observations o ON o.live_session_id = s.id"
        " WHERE s.status = :closed AND s.started_at >= :since AND s.started_at < :until"
        " AND o.kind IN (:intervention, :self_correction) GROUP BY s.group_id",
        {
            "intervention": ObservationKind.INTERVENTION.value,
            "self_correction": ObservationKind.SELF_CORRECTION.value,
            "closed": SessionStatus.CLOSED.value,
            "since": _iso(since),
            "until": _iso(until),
        },
    )
    return {row[0]: CorrectionCount(int(row[1]), int(row[2])) for row in rows}


def presence(db: Unit, session_id: int) -> dict[int, bool]:
    """Who the facilitator marked present or absent; a member not marked yet has no row."""
    rows = db.execute("SELECT person_id, present FROM session_presence WHERE live_session_id = ?", [session_id])
    return {row[0]: bool(row[1]) for row in rows}


def set_presence(db: Unit, session_id: int, person_id: int, present: bool) -> None:
    db.execute(
        "INSERT INTO session_presence (live_session_id, person_id, present) VALUES (?, ?, ?)"
        " ON CONFLICT (live_session_id, person_id) DO UPDATE SET present = excluded.present",
        [session_id, person_id, int(present)],
    )


def forget_presence(db: Unit, session_id: int, person_id: int) -> None:
    """Back to not known: the facilitator takes a mark back."""
    db.execute("DELETE FROM session_presence WHERE live_session_id = ? AND person_id = ?", [session_id, person_id])
