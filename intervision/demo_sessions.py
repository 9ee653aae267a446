"""The demo organisation's live sessions: how each held session ran, with its log and action items.

A facilitator steps in less and the group corrects itself more as it learns to run itself (DOMAIN.md
sections 1 and 6); the demo shows that, so the coordinator's and the facilitator's charts have something to tell.
"""

from __future__ import annotations

import random
import secrets
from datetime import datetime, timedelta

from intervision import store
from intervision.database import Unit
from intervision.live import CODE_ALPHABET
from intervision.methods import Method, parse_method
from intervision.models import SessionStatus
from intervision.observation_log import categories

ACTIONS = (
    "Het gesprek opnieuw voeren en eerst vragen hoe het gaat",
    "Afspraken over de overdracht op papier zetten",
    "Een collega vragen om mee te kijken",
    "De leervraag scherper maken voor de volgende keer",
)


def add_demo_sessions(
    db: Unit, rng: random.Random, group_id: int, facilitator_id: int, members: list[int], now: datetime
) -> None:
    held = list(reversed(store.held_meetings(db, group_id)))  # oldest first
    for index, meeting in enumerate(held):
        definition = store.method_version_definition(db, meeting.method_id or "", meeting.method_version or 0)
        if definition is None:
            continue
        add_closed_session(
            db,
            rng,
            group_id,
            meeting.id,
            parse_method(definition, meeting.method_id or ""),
            meeting.starts_at,
            meeting.minutes,
            facilitator_id,
            members,
            progress=index / max(1, len(held) - 1),
            last=index == len(held) - 1,
        )


def add_closed_session(
    db: Unit,
    rng: random.Random,
    group_id: int,
    meeting_id: int,
    method: Method,
    started: datetime,
    minutes: int,
    facilitator_id: int,
    members: list[int],
    *,
    progress: float,
    last: bool,
    case_id: int | None = None,
    codes: tuple[str, str] | None = None,
) -> int:
    """A held meeting's live session as it ran and closed: its phases, its log and its action items.

    `progress` places it in the group's life (0: its first session, 1: its last). `codes` (join code,
    projector token) may be given to make the result repeatable; otherwise they are secret, as in use.
    """
    join_code, projector_token = codes or (
        "".join(secrets.choice(CODE_ALPHABET) for _ in range(8)),
        secrets.token_urlsafe(24),
    )
    closed = started + timedelta(minutes=minutes)
    session_id = store.add_live_session(
        db,
        store.NewLiveSession(
            group_id=group_id,
            meeting_id=meeting_id,
            case_id=case_id,
            case_title="",
            method_id=method.id,
            method_version=method.version,
            status=SessionStatus.CLOSED,
            phase_index=len(method.phases) - 1,
            join_code=join_code,
            projector_token=projector_token,
            facilitator_id=facilitator_id,
            started_at=started,
            closed_at=closed,
        ),
    )
    moment = started
    visits = []
    for phase_index, phase in enumerate(method.phases):
        seconds = phase.minutes * 60 * rng.uniform(0.85, 1.3 - 0.2 * progress)
        moment += timedelta(seconds=seconds)
        visits.append((phase_index, phase.id, phase.minutes, seconds, False, moment))
    store.add_phase_visits(db, session_id, visits)  # in bulk: the large organisation writes tens of thousands
    _observe(db, rng, session_id, len(method.phases), started, minutes, progress)
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
        # The first action of every session but the last was done by the next one.
        store.set_action_item_confirmed(db, item_id, session_id, True)
        store.set_action_item_done(db, item_id, group_id, not last and number == 0)
    return session_id


def corrections(rng: random.Random, progress: float) -> dict[tuple[str, str], int]:
    """How often the facilitator stepped in and the group corrected itself, per level, at this point of the
    group's life (0: its first session, 1: its last): stepping in fades, self-correction grows. Most of
    both is about procedure, then interaction."""
    levels, weights = ["content", "procedure", "interaction", "feelings"], [0.2, 0.45, 0.25, 0.1]
    totals = {
        "intervention": max(0, round(6.5 - 4.5 * progress + rng.gauss(0, 0.7))),
        "self_correction": max(0, round(0.5 + 4.5 * progress + rng.gauss(0, 0.7))),
    }
    counts: dict[tuple[str, str], int] = {}
    for kind, total in totals.items():
        for level in rng.choices(levels, weights, k=total):
            counts[(level, kind)] = counts.get((level, kind), 0) + 1
    return counts


def observation_counts(rng: random.Random, progress: float) -> dict[str, int]:
    """What the facilitator noticed, per level: it comes and goes, with feelings named more in a mature group."""
    return {
        "procedure": rng.randint(0, 2),
        "content": rng.randint(0, 2),
        "interaction": rng.randint(0, 2),
        "feelings": rng.randint(0, 1 + round(progress)),
    }


def _observe(
    db: Unit, rng: random.Random, session_id: int, phases: int, started: datetime, minutes: int, progress: float
) -> None:
    known = categories()
    logged: list[tuple[int, str, datetime, str | None, str]] = []
    for level, count in observation_counts(rng, progress).items():
        offered = [category.id for category in known.offered(level)]
        for _ in range(count):
            at = started + timedelta(minutes=rng.uniform(5, minutes - 5))
            logged.append((rng.randrange(phases), level, at, rng.choice(offered), "observation"))
    for (level, kind), count in corrections(rng, progress).items():
        for _ in range(count):
            at = started + timedelta(minutes=rng.uniform(5, minutes - 5))
            logged.append((rng.randrange(phases), level, at, None, kind))
    store.add_observations(db, session_id, logged)
