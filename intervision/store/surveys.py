"""Survey waves, responses and answers, and how a closed wave may reach the organisation."""

from __future__ import annotations

from datetime import datetime

from intervision.database import Unit
from intervision.models import (
    PRIVACY_FLOOR,
)
from intervision.store._sql import _iso


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
) -> int:
    return db.execute(
        "INSERT INTO survey_waves (group_id, instrument_id, instrument_definition, instrument_version, moment,"
        " opened_by, opened_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [group_id, instrument_id, definition, version, moment, person_id, _iso(now)],
    ).scalar()


def wave(db: Unit, wave_id: int) -> dict | None:
    row = db.execute(
        "SELECT w.*, g.name AS group_name FROM survey_waves w JOIN groups g ON g.id = w.group_id WHERE w.id = ?",
        [wave_id],
    ).fetchone()
    return dict(row) if row else None


def waves_of_group(db: Unit, group_id: int) -> list[dict]:
    rows = db.execute(
        "SELECT w.*, g.name AS group_name FROM survey_waves w JOIN groups g ON g.id = w.group_id"
        " WHERE w.group_id = ? ORDER BY w.opened_at, w.id",
        [group_id],
    )
    return [dict(row) for row in rows]


def open_waves_for_member(db: Unit, person_id: int) -> list[dict]:
    rows = db.execute(
        "SELECT w.*, g.name AS group_name FROM survey_waves w JOIN groups g ON g.id = w.group_id"
        " JOIN memberships m ON m.group_id = w.group_id AND m.person_id = ? AND m.group_role = 'member'"
        " WHERE w.closed_at IS NULL ORDER BY w.opened_at",
        [person_id],
    )
    return [dict(row) for row in rows]


# A response counts only when at least one item is answered (an empty one may be left from before that rule).
_ANSWERED = "EXISTS (SELECT 1 FROM survey_answers a WHERE a.response_id = r.id AND a.value IS NOT NULL)"

# How a closed wave may reach the organisation, settled once when it closes (see overview.py): on its own
# when enough people answered, in its half-year's pool when too few did, never when the group's contract
# did not report survey results at that moment.
_WAVE_RELEASE = f"""
    CASE WHEN NOT EXISTS (
        SELECT 1 FROM groups g
        WHERE g.id = survey_waves.group_id AND g.reported_to_organisation LIKE '%"survey_aggregates"%'
    ) THEN 'private'
    WHEN (SELECT count(*) FROM survey_responses r WHERE r.wave_id = survey_waves.id AND {_ANSWERED})
        >= coalesce((SELECT CASE WHEN privacy_threshold > {PRIVACY_FLOOR} THEN privacy_threshold
            ELSE {PRIVACY_FLOOR} END FROM organisation), {PRIVACY_FLOOR}) THEN 'alone'
    ELSE 'pool' END
"""


def close_wave(db: Unit, wave_id: int, now: datetime) -> None:
    db.execute(
        f"UPDATE survey_waves SET closed_at = ?, release = {_WAVE_RELEASE} WHERE id = ? AND closed_at IS NULL",
        [_iso(now), wave_id],
    )


def settle_wave_releases(db: Unit) -> None:
    """Give closed waves from before releases were settled at closing their release, as things stand now."""
    db.execute(f"UPDATE survey_waves SET release = {_WAVE_RELEASE} WHERE closed_at IS NOT NULL AND release IS NULL")


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
    for item_id, value in answers.items():
        db.execute(
            "INSERT INTO survey_answers (response_id, item_id, value) VALUES (?, ?, ?)", [response_id, item_id, value]
        )


def answers_of(db: Unit, wave_id: int, person_id: int) -> dict[str, int | None]:
    rows = db.execute(
        "SELECT a.item_id, a.value FROM survey_answers a JOIN survey_responses r ON r.id = a.response_id"
        " WHERE r.wave_id = ? AND r.person_id = ?",
        [wave_id, person_id],
    )
    return {row[0]: row[1] for row in rows}


def wave_answers(db: Unit, wave_id: int) -> list[dict[str, int | None]]:
    """Every response of a wave, without who gave it: for aggregates only. An empty response is none."""
    return [answers for answers in wave_responses(db, wave_id).values() if any(v is not None for v in answers.values())]


def wave_responses(db: Unit, wave_id: int) -> dict[int, dict[str, int | None]]:
    """Every response of a wave by its id, without who gave it."""
    rows = db.execute(
        "SELECT r.id, a.item_id, a.value FROM survey_responses r JOIN survey_answers a ON a.response_id = r.id"
        " WHERE r.wave_id = ? ORDER BY r.id",
        [wave_id],
    )
    responses: dict[int, dict[str, int | None]] = {}
    for row in rows:
        responses.setdefault(row[0], {})[row[1]] = row[2]
    return responses


def closed_wave_definitions(db: Unit, wave_ids: list[int] | None = None) -> list[tuple[int, str]]:
    """(wave id, instrument definition) of closed waves: these ones, or all of them."""
    sql = "SELECT id, instrument_definition FROM survey_waves WHERE closed_at IS NOT NULL"
    if wave_ids is None:
        return [tuple(row) for row in db.execute(sql)]
    marks = ", ".join("?" * len(wave_ids))
    return [tuple(row) for row in db.execute(f"{sql} AND id IN ({marks})", wave_ids)]


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


def survey_schedules(db: Unit, group_id: int) -> list[tuple[str, int]]:
    rows = db.execute("SELECT instrument_id, every_sessions FROM survey_schedules WHERE group_id = ?", [group_id])
    return [(row[0], row[1]) for row in rows]


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
        "SELECT count(*) FROM live_sessions WHERE group_id = ? AND status = 'closed'", [group_id]
    ).fetchone()[0]
