"""Survey waves, responses and answers, and how a closed wave may reach the organisation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from intervision.database import Row, Unit
from intervision.models import (
    PRIVACY_FLOOR,
    GroupRole,
    ReportItem,
    SessionStatus,
    WaveRelease,
)
from intervision.store._sql import _iso, _maybe_moment, _moment


@dataclass(frozen=True)
class StoredWave:
    """A survey wave as stored: the instrument's text as it was when the wave opened (parsed by the core)."""

    id: int
    group_id: int
    group_name: str
    instrument_id: str
    instrument_definition: str
    instrument_version: int
    moment: str
    opened_by: int | None
    opened_at: datetime
    closed_at: datetime | None
    release: WaveRelease | None  # settled when the wave closes
    closes_at: datetime | None = None  # when it is planned to close (none for waves from before 0016)


@dataclass(frozen=True)
class WaveResponse:
    """One response of a wave, without who gave it: its answer (or None, skipped) per item."""

    id: int
    answers: dict[str, int | None]


@dataclass(frozen=True)
class ClosedWaveDefinition:
    """A closed wave and the instrument text its answers are scored with."""

    wave_id: int
    instrument_definition: str


@dataclass(frozen=True)
class SurveySchedule:
    """A group's plan: a wave of this instrument every so many closed sessions."""

    instrument_id: str
    every_sessions: int


def loaded_instrument_definitions(db: Unit) -> list[str]:
    return [row[0] for row in db.execute("SELECT definition FROM loaded_instruments ORDER BY id")]


def load_instrument(db: Unit, instrument_id: str, definition: str, person_id: int, now: datetime) -> None:
    db.execute(
        "INSERT INTO loaded_instruments (id, definition, loaded_by, loaded_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (id) DO UPDATE SET definition = excluded.definition, loaded_by = excluded.loaded_by,"
        " loaded_at = excluded.loaded_at",
        [instrument_id, definition, person_id, _iso(now)],
    )


def add_wave(
    db: Unit,
    group_id: int,
    instrument_id: str,
    definition: str,
    moment: str,
    person_id: int | None,
    now: datetime,
    *,
    version: int,
    closes_at: datetime | None = None,
) -> int:
    return db.execute(
        "INSERT INTO survey_waves (group_id, instrument_id, instrument_definition, instrument_version, moment,"
        " opened_by, opened_at, closes_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [
            group_id,
            instrument_id,
            definition,
            version,
            moment,
            person_id,
            _iso(now),
            _iso(closes_at) if closes_at else None,
        ],
    ).scalar()


_WAVE_COLUMNS = (
    "w.id, w.group_id, g.name AS group_name, w.instrument_id, w.instrument_definition, w.instrument_version,"
    " w.moment, w.opened_by, w.opened_at, w.closed_at, w.release, w.closes_at"
)


def _stored_wave(row: Row) -> StoredWave:
    return StoredWave(
        id=row["id"],
        group_id=row["group_id"],
        group_name=row["group_name"],
        instrument_id=row["instrument_id"],
        instrument_definition=row["instrument_definition"],
        instrument_version=row["instrument_version"],
        moment=row["moment"],
        opened_by=row["opened_by"],
        opened_at=_moment(row["opened_at"]),
        closed_at=_maybe_moment(row["closed_at"]),
        release=None if row["release"] is None else WaveRelease(row["release"]),
        closes_at=_maybe_moment(row["closes_at"]),
    )


def wave(db: Unit, wave_id: int) -> StoredWave | None:
    row = db.execute(
        f"SELECT {_WAVE_COLUMNS} FROM survey_waves w JOIN groups g ON g.id = w.group_id WHERE w.id = ?",
        [wave_id],
    ).fetchone()
    return _stored_wave(row) if row else None


def waves_of_group(db: Unit, group_id: int) -> list[StoredWave]:
    rows = db.execute(
        f"SELECT {_WAVE_COLUMNS} FROM survey_waves w JOIN groups g ON g.id = w.group_id"
        " WHERE w.group_id = ? ORDER BY w.opened_at, w.id",
        [group_id],
    )
    return [_stored_wave(row) for row in rows]


def open_waves_for_member(db: Unit, person_id: int) -> list[StoredWave]:
    rows = db.execute(
        f"SELECT {_WAVE_COLUMNS} FROM survey_waves w JOIN groups g ON g.id = w.group_id"
        " JOIN memberships m ON m.group_id = w.group_id AND m.person_id = ? AND m.group_role = ?"
        " WHERE w.closed_at IS NULL ORDER BY w.opened_at",
        [person_id, GroupRole.MEMBER.value],
    )
    return [_stored_wave(row) for row in rows]


# A response counts only when at least one item is answered (an empty one may be left from before that rule).
_ANSWERED = "EXISTS (SELECT 1 FROM survey_answers a WHERE a.response_id = r.id AND a.value IS NOT NULL)"

# How a closed wave may reach the organisation, settled once when it closes (see overview.py): on its own
# when enough people answered, in its half-year's pool when too few did, never when the group's contract
# did not report survey results at that moment.
_WAVE_RELEASE = f"""
    CASE WHEN NOT EXISTS (
        SELECT 1 FROM groups g
        WHERE g.id = survey_waves.group_id AND g.reported_to_organisation LIKE :reports_surveys
    ) THEN :private
    WHEN (SELECT count(*) FROM survey_responses r WHERE r.wave_id = survey_waves.id AND {_ANSWERED})
        >= coalesce((SELECT CASE WHEN privacy_threshold > :floor THEN privacy_threshold
            ELSE :floor END FROM organisation), :floor) THEN :alone
    ELSE :pool END
"""


def _release_parameters() -> dict[str, str | int]:
    return {
        # The contract's reported items are stored as a JSON list of their names.
        "reports_surveys": f'%"{ReportItem.SURVEY_AGGREGATES.value}"%',
        "private": WaveRelease.PRIVATE.value,
        "alone": WaveRelease.ALONE.value,
        "pool": WaveRelease.POOL.value,
        "floor": PRIVACY_FLOOR,
    }


def close_wave(db: Unit, wave_id: int, now: datetime) -> None:
    db.execute(
        f"UPDATE survey_waves SET closed_at = :now, release = {_WAVE_RELEASE} WHERE id = :wave AND closed_at IS NULL",
        {"now": _iso(now), "wave": wave_id, **_release_parameters()},
    )


def settle_wave_releases(db: Unit) -> None:
    """Give closed waves from before releases were settled at closing their release, as things stand now."""
    db.execute(
        f"UPDATE survey_waves SET release = {_WAVE_RELEASE} WHERE closed_at IS NOT NULL AND release IS NULL",
        _release_parameters(),
    )


def save_response(db: Unit, wave_id: int, person_id: int, answers: dict[str, int | None], now: datetime) -> None:
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
    db.execute_many(
        "INSERT INTO survey_answers (response_id, item_id, value) VALUES (?, ?, ?)",
        [(response_id, item_id, value) for item_id, value in answers.items()],
    )


def answers_of(db: Unit, wave_id: int, person_id: int) -> dict[str, int | None]:
    rows = db.execute(
        "SELECT a.item_id, a.value FROM survey_answers a JOIN survey_responses r ON r.id = a.response_id"
        " WHERE r.wave_id = ? AND r.person_id = ?",
        [wave_id, person_id],
    )
    return {row[0]: row[1] for row in rows}


def wave_answers(db: Unit, wave_id: int) -> list[WaveResponse]:
    """Every response of a wave, without who gave it: for aggregates only. An empty response is none."""
    return [
        response
        for response in wave_responses(db, wave_id)
        if any(value is not None for value in response.answers.values())
    ]


def wave_responses(db: Unit, wave_id: int) -> list[WaveResponse]:
    """Every response of a wave, in the order given, without who gave it."""
    rows = db.execute(
        "SELECT r.id, a.item_id, a.value FROM survey_responses r JOIN survey_answers a ON a.response_id = r.id"
        " WHERE r.wave_id = ? ORDER BY r.id",
        [wave_id],
    )
    answers: dict[int, dict[str, int | None]] = {}
    for row in rows:
        answers.setdefault(row[0], {})[row[1]] = row[2]
    return [WaveResponse(response_id, given) for response_id, given in answers.items()]


def closed_wave_definitions(db: Unit, wave_ids: list[int] | None = None) -> list[ClosedWaveDefinition]:
    """Closed waves with their instrument text: these ones, or all of them."""
    sql = "SELECT id, instrument_definition FROM survey_waves WHERE closed_at IS NOT NULL"
    if wave_ids is None:
        rows = db.execute(sql)
    else:
        marks = ", ".join("?" * len(wave_ids))
        rows = db.execute(f"{sql} AND id IN ({marks})", wave_ids)
    return [ClosedWaveDefinition(row[0], row[1]) for row in rows]


def set_main_scores(db: Unit, scores: dict[int, float | None]) -> None:
    """Each response's score on its instrument's main scale (None: too few items answered)."""
    db.execute_many("UPDATE survey_responses SET main_score = ? WHERE id = ?", [(s, r) for r, s in scores.items()])


def respondent_count(db: Unit, wave_id: int) -> int:
    sql = f"SELECT count(*) FROM survey_responses r WHERE r.wave_id = ? AND {_ANSWERED}"
    return db.execute(sql, [wave_id]).fetchone()[0]


def respondent_counts_of_group(db: Unit, group_id: int) -> dict[int, int]:
    """`respondent_count` of every wave of the group, in one statement (waves nobody answered are left out)."""
    sql = (
        "SELECT r.wave_id, count(*) FROM survey_responses r JOIN survey_waves w ON w.id = r.wave_id"
        f" WHERE w.group_id = ? AND {_ANSWERED} GROUP BY r.wave_id"
    )
    return {row[0]: row[1] for row in db.execute(sql, [group_id])}


def set_privacy_threshold(db: Unit, threshold: int) -> None:
    db.execute("UPDATE organisation SET privacy_threshold = ?", [threshold])


def survey_schedules(db: Unit, group_id: int) -> list[SurveySchedule]:
    rows = db.execute("SELECT instrument_id, every_sessions FROM survey_schedules WHERE group_id = ?", [group_id])
    return [SurveySchedule(row[0], row[1]) for row in rows]


def set_survey_schedule(db: Unit, group_id: int, instrument_id: str, every: int | None) -> None:
    if every:
        db.execute(
            "INSERT INTO survey_schedules (group_id, instrument_id, every_sessions) VALUES (?, ?, ?)"
            " ON CONFLICT (group_id, instrument_id) DO UPDATE SET every_sessions = excluded.every_sessions",
            [group_id, instrument_id, every],
        )
    else:
        db.execute("DELETE FROM survey_schedules WHERE group_id = ? AND instrument_id = ?", [group_id, instrument_id])


def closed_live_session_count(db: Unit, group_id: int) -> int:
    return db.execute(
        "SELECT count(*) FROM live_sessions WHERE group_id = ? AND status = ?", [group_id, SessionStatus.CLOSED.value]
    ).fetchone()[0]
