"""Speaking rounds: the drawn order of a phase where everyone speaks in turn, and who speaks now.

Every write of a round is one of the functions below marked "(a write)"; each changes the session's live state.
"""

from __future__ import annotations

from datetime import datetime

from intervision.database import Unit
from intervision.models import SpeakingRound, SpeakingTurn
from intervision.store._sql import _iso


def add_speaking_round(db: Unit, session_id: int, phase_index: int, order: list[int], now: datetime) -> bool:
    """(a write) The round of a phase, in the order drawn; False when it was drawn already (by another console)."""
    round_id = db.execute(
        "INSERT INTO speaking_rounds (live_session_id, phase_index, drawn_at) VALUES (?, ?, ?)"
        " ON CONFLICT (live_session_id, phase_index) DO NOTHING RETURNING id",
        [session_id, phase_index, _iso(now)],
    ).scalar()
    if round_id is None:
        return False
    for position, person_id in enumerate(order):
        add_speaking_turn(db, round_id, person_id, position)
    return True


def add_speaking_turn(db: Unit, round_id: int, person_id: int, position: int) -> None:
    """(a write) Someone into the order at `position`; someone in it already only comes back (not skipped)."""
    db.execute(
        "INSERT INTO speaking_turns (round_id, person_id, position) VALUES (?, ?, ?)"
        " ON CONFLICT (round_id, person_id) DO UPDATE SET skipped = 0",
        [round_id, person_id, position],
    )


def set_speaking_positions(db: Unit, round_id: int, order: list[int]) -> None:
    """(a write) The order as the facilitator adjusted it: each person's new place."""
    for position, person_id in enumerate(order):
        db.execute(
            "UPDATE speaking_turns SET position = ? WHERE round_id = ? AND person_id = ?",
            [position, round_id, person_id],
        )


def set_turn_skipped(db: Unit, round_id: int, person_id: int, skipped: bool) -> None:
    """(a write) Leave someone out of the round (or take them back in)."""
    db.execute(
        "UPDATE speaking_turns SET skipped = ? WHERE round_id = ? AND person_id = ?",
        [int(skipped), round_id, person_id],
    )


def hand_over_turn(
    db: Unit,
    round_id: int,
    speaking: int | None,
    next_speaker: int | None,
    now: datetime,
    paused_base: float,
) -> bool:
    """(a write) The turn passes from `speaking` (None: the round has not started) to `next_speaker` (None: the
    round is over). Only if `speaking` still has the turn: a second press about the same speaker does nothing."""
    changed = db.execute(
        "UPDATE speaking_rounds SET speaker_id = ?, turn_started_at = ?, turn_paused_base = ?, finished_at = ?"
        " WHERE id = ? AND finished_at IS NULL AND speaker_id IS NOT DISTINCT FROM ?",
        [
            next_speaker,
            _iso(now) if next_speaker is not None else None,
            paused_base,
            None if next_speaker is not None else _iso(now),
            round_id,
            speaking,
        ],
    ).rowcount
    if changed != 1:
        return False
    if speaking is not None:
        db.execute(
            "UPDATE speaking_turns SET spoke_at = ? WHERE round_id = ? AND person_id = ?",
            [_iso(now), round_id, speaking],
        )
    return True


def speaking_round(db: Unit, session_id: int, phase_index: int) -> SpeakingRound | None:
    """The round of a phase with its turns in order, or None before it is drawn."""
    row = db.execute(
        "SELECT id, live_session_id, phase_index, drawn_at, speaker_id, turn_started_at, turn_paused_base,"
        " finished_at FROM speaking_rounds WHERE live_session_id = ? AND phase_index = ?",
        [session_id, phase_index],
    ).fetchone()
    if row is None:
        return None
    turns = db.execute(
        "SELECT t.person_id, p.name, t.position, t.skipped, t.spoke_at FROM speaking_turns t"
        " JOIN people p ON p.id = t.person_id WHERE t.round_id = ? ORDER BY t.position, p.name",
        [row[0]],
    )
    return SpeakingRound(**dict(row), turns=[SpeakingTurn(**dict(turn)) for turn in turns])


def round_starters(db: Unit, session_id: int) -> list[int]:
    """Who opened each round of the session so far: the first in its order who was not left out."""
    rows = db.execute(
        "SELECT r.id, t.person_id FROM speaking_rounds r JOIN speaking_turns t ON t.round_id = r.id"
        " WHERE r.live_session_id = ? AND t.skipped = 0 ORDER BY r.id, t.position",
        [session_id],
    )
    starters: dict[int, int] = {}
    for round_id, person_id in rows:
        starters.setdefault(round_id, person_id)
    return list(starters.values())
