"""The demo organisation's live sessions: how each held session ran, with its log and action items.

A facilitator's procedure interventions go down as a group learns to run itself (DOMAIN.md section 1);
the demo shows that, so the coordinator's and the facilitator's charts have something to tell.
"""

from __future__ import annotations

import random
import secrets
from datetime import datetime, timedelta

from sqlite_utils import Database

from intervision import store
from intervision.live import CODE_ALPHABET, OBSERVATION_CATEGORIES
from intervision.methods import parse_method

ACTIONS = (
    "Het gesprek opnieuw voeren en eerst vragen hoe het gaat",
    "Afspraken over de overdracht op papier zetten",
    "Een collega vragen om mee te kijken",
    "De leervraag scherper maken voor de volgende keer",
)


def add_demo_sessions(
    db: Database, rng: random.Random, group_id: int, facilitator_id: int, members: list[int], now: datetime
) -> None:
    held = list(reversed(store.held_meetings(db, group_id)))  # oldest first
    for index, meeting in enumerate(held):
        definition = store.method_version_definition(db, meeting.method_id or "", meeting.method_version or 0)
        if definition is None:
            continue
        method = parse_method(definition, meeting.method_id or "")
        started = meeting.starts_at
        closed = started + timedelta(minutes=meeting.minutes)
        session_id = store.add_live_session(
            db,
            {
                "group_id": group_id,
                "meeting_id": meeting.id,
                "case_title": "",
                "method_id": method.id,
                "method_version": method.version,
                "status": "closed",
                "phase_index": len(method.phases) - 1,
                "join_code": "".join(secrets.choice(CODE_ALPHABET) for _ in range(8)),
                "projector_token": secrets.token_urlsafe(24),
                "facilitator_id": facilitator_id,
                "started_at": started,
                "closed_at": closed,
            },
        )
        moment = started
        progress = index / max(1, len(held) - 1)
        for phase_index, phase in enumerate(method.phases):
            seconds = phase.minutes * 60 * rng.uniform(0.85, 1.3 - 0.2 * progress)
            moment += timedelta(seconds=seconds)
            store.add_phase_visit(db, session_id, phase_index, phase.id, phase.minutes, seconds, False, moment)
        _observe(db, rng, session_id, len(method.phases), started, progress)
        for number in range(rng.randint(1, 2)):
            item_id = store.add_action_item(
                db,
                session_id,
                group_id,
                rng.choice(ACTIONS),
                rng.choice(members),
                (closed + timedelta(days=28)).date(),
                closed,
            )
            store.set_action_item(db, item_id, session_id, confirmed=1, done=int(index < len(held) - 1 and number == 0))


def _observe(
    db: Database, rng: random.Random, session_id: int, phases: int, started: datetime, progress: float
) -> None:
    """Procedure interventions fade as the group matures; the other levels come and go."""
    counts = {
        "procedure": max(0, round(4.5 - 3.5 * progress + rng.gauss(0, 0.6))),
        "content": rng.randint(0, 2),
        "interaction": rng.randint(0, 2),
        "feelings": rng.randint(0, 1 + round(progress)),
    }
    for level, count in counts.items():
        for _ in range(count):
            at = started + timedelta(minutes=rng.uniform(5, 85))
            store.add_observation(
                db, session_id, rng.randrange(phases), level, at, category=rng.choice(OBSERVATION_CATEGORIES[level])
            )
