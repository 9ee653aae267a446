"""The demo organisation's survey waves: self-efficacy and collective efficacy growing over a year.

The first waves were answered with the questionnaires' first version, the later ones with the current
version: so the demo shows how results read across a change of questions.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from intervision import store
from intervision.database import Unit
from intervision.instruments import Instrument, earlier_version, shipped_instruments
from intervision.surveys import end_wave

WAVE_DAYS_AGO = (330, 220, 110, 20)  # four closed waves across the last year
EARLIER_WAVES = 2  # the first two were answered with version 1 of the questionnaire
GROWTH = 0.25  # how much the group's answers rise, on average, from one wave to the next


def answer_wave(
    db: Unit,
    rng: random.Random,
    wave_id: int,
    instrument: Instrument,
    members: list[int],
    answering: float,
    level: float,
    opened: datetime,
) -> None:
    """Answers from the members who respond (each with `answering` chance), around the group's `level`."""
    for person_id in members:
        if rng.random() < answering:
            answers = _answers(rng, instrument, level + rng.gauss(0, 0.6))
            store.save_response(db, wave_id, person_id, answers, opened + timedelta(days=rng.randint(0, 6)))


def _answers(rng: random.Random, instrument: Instrument, level: float) -> dict[str, int | None]:
    answers: dict[str, int | None] = {}
    for item in instrument.items:
        if rng.random() < 0.04:
            answers[item.id] = None  # now and then someone skips an item
            continue
        raw = round(rng.gauss(level, 0.45))
        value = max(instrument.lowest, min(instrument.highest, raw))
        answers[item.id] = instrument.lowest + instrument.highest - value if item.reverse else value
    return answers


def add_demo_waves(
    db: Unit, rng: random.Random, group_id: int, members: list[int], now: datetime, answering: float
) -> None:
    """Closed waves with answers from most members, and one open wave in the most recent month."""
    shelf = shipped_instruments().instruments
    for instrument_id, start in (("self_efficacy", 3.2), ("collective_efficacy", 3.0)):
        current = shelf.get(instrument_id)
        if current is None:
            continue
        for number, days_ago in enumerate(WAVE_DAYS_AGO):
            instrument = earlier_version(instrument_id, 1) if number < EARLIER_WAVES else current
            opened = now - timedelta(days=days_ago)
            moment = "start" if number == 0 else "every_n_sessions"
            wave_id = store.add_wave(
                db, group_id, instrument_id, instrument.definition(), moment, None, opened, version=instrument.version
            )
            answer_wave(db, rng, wave_id, instrument, members, answering, start + GROWTH * number, opened)
            end_wave(db, wave_id, opened + timedelta(days=14))
    evaluation = shelf.get("session_evaluation")
    if evaluation is not None:
        store.add_wave(
            db,
            group_id,
            evaluation.id,
            evaluation.definition(),
            "after_session",
            None,
            now - timedelta(days=2),
            version=evaluation.version,
        )
