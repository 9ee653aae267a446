"""Speaking rounds: in a phase where each member speaks in turn, a fair order, a timer per speaker, "next".

The order is drawn with the system's random source among those present who take part in the phase, and
whoever opened fewest rounds of the session so far opens this one: nobody always goes first. The phase's
minutes are shared out over the speakers. Who speaks now and since when is stored the moment it changes,
so every screen (consoles, the projector, the phones) computes the same speaker and countdown from the
stored times, also after a restart. A press about a speaker who no longer has the turn does nothing.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from intervision import store
from intervision.database import Database, Unit
from intervision.errors import DomainError
from intervision.live import Countdown, SessionView, _session_for, session_method
from intervision.methods import Phase, Speaker
from intervision.models import GroupRole, LiveSession, Person, SessionRole, SessionStatus, SpeakingRound, SpeakingTurn
from intervision.permissions import Action

# The system's source (os.urandom): an order nobody can predict or steer from the outside.
_CHANCE = random.SystemRandom()


# --- who speaks, in which order (pure) -------------------------------------------------------------


def takes_part(
    phase: Phase,
    members: Iterable[int],
    presence: dict[int, bool],
    case_bringers: set[int],
    facilitator_id: int | None,
) -> list[int]:
    """Who speaks in the phase's round: the members not marked absent (not asked yet counts as here),
    without the case bringer when the phase has them listen or speak on their own (before or after the
    round), and the facilitator only when the phase has the facilitator speak."""
    bringer_apart = (
        Speaker.CASE_BRINGER in phase.speakers
        or Speaker.CASE_BRINGER in phase.listeners
        or Speaker.CASE_BRINGER_OUTSIDE in phase.listeners
    )
    facilitator_speaks = Speaker.FACILITATOR in phase.speakers
    people = [
        person_id
        for person_id in members
        if presence.get(person_id) is not False
        and not (bringer_apart and person_id in case_bringers)
        and (person_id != facilitator_id or facilitator_speaks)
    ]
    if facilitator_speaks and facilitator_id is not None and facilitator_id not in people:
        people.append(facilitator_id)
    return people


def draw_order(people: list[int], earlier_starters: list[int], chance: random.Random = _CHANCE) -> list[int]:
    """A random order in which whoever opened fewest earlier rounds opens this one."""
    order = list(dict.fromkeys(people))  # nobody twice
    chance.shuffle(order)
    if order:
        opened = Counter(earlier_starters)
        fewest = min(opened[person_id] for person_id in order)
        starter = next(person_id for person_id in order if opened[person_id] == fewest)
        order.remove(starter)
        order.insert(0, starter)
    return order


def share_seconds(phase: Phase, session: LiveSession, speakers: int) -> float:
    """Each speaker's part of the phase's minutes (with any minutes added)."""
    return (phase.minutes + session.extra_minutes) * 60 / max(1, speakers)


def _paused_so_far(session: LiveSession, now: datetime) -> float:
    paused = session.paused_seconds
    if session.paused_at is not None:
        paused += (now - session.paused_at).total_seconds()
    return paused


def speaker_clock(session: LiveSession, speaking: SpeakingRound, share: float, now: datetime) -> Countdown | None:
    """The current speaker's countdown: their share, less the time they have had (pauses not counted)."""
    if speaking.speaker_id is None or speaking.turn_started_at is None:
        return None
    started, paused_before = speaking.turn_started_at, speaking.turn_paused_base
    if session.phase_started_at is not None and session.phase_started_at > started:
        # The session left the phase and came back: the turn goes on from the return, with the phase's pauses.
        started, paused_before = session.phase_started_at, 0.0
    paused = _paused_so_far(session, now) - paused_before
    elapsed = max(0.0, (now - started).total_seconds() - paused)
    return Countdown(share, elapsed, started=True, running=session.paused_at is None)


@dataclass(frozen=True)
class RoundView:
    """A phase's round as every screen shows it."""

    phase_index: int
    order: list[SpeakingTurn]  # everyone in the round, in order, also who spoke or was left out
    speaker: SpeakingTurn | None
    waiting: list[SpeakingTurn]  # who still speaks after the current speaker, in order
    share_seconds: float
    clock: Countdown | None  # the current speaker's
    finished: bool

    @property
    def next_speaker(self) -> SpeakingTurn | None:
        return self.waiting[0] if self.waiting else None

    @property
    def started(self) -> bool:
        return self.speaker is not None or self.finished or any(turn.spoke_at for turn in self.order)


def round_view(session: LiveSession, phase: Phase, speaking: SpeakingRound, now: datetime) -> RoundView:
    in_round = [turn for turn in speaking.turns if not turn.skipped]
    speaker = next((turn for turn in speaking.turns if turn.person_id == speaking.speaker_id), None)
    waiting = [turn for turn in in_round if turn.spoke_at is None and turn.person_id != speaking.speaker_id]
    share = share_seconds(phase, session, len(in_round))
    return RoundView(
        phase_index=speaking.phase_index,
        order=list(speaking.turns),
        speaker=speaker,
        waiting=waiting,
        share_seconds=share,
        clock=speaker_clock(session, speaking, share, now),
        finished=speaking.finished_at is not None,
    )


# --- reading -------------------------------------------------------------------------------------


def current_round(database: Database, view: SessionView, now: datetime | None = None) -> RoundView | None:
    """The round of the phase a screen shows, or None (no round phase, or not drawn yet).

    `view` comes from live.console_view, participant_view or projector_view, which checked who may see
    the session; the names in a round are those of the group's members, which the projector may show.
    """
    if view.phase is None or not view.phase.round or view.session.status is not SessionStatus.RUNNING:
        return None
    with database.reading() as db:
        speaking = store.speaking_round(db, view.session.id, view.session.phase_index)
    if speaking is None:
        return None
    return round_view(view.session, view.phase, speaking, now or database.clock.now())


# --- the facilitator's moves ---------------------------------------------------------------------


def _round_phase(
    db: Unit, database: Database, viewer: Person, session_id: int, phase_index: int, action: Action
) -> tuple[LiveSession, Phase]:
    session = _session_for(db, viewer, session_id, action)
    if session.status is not SessionStatus.RUNNING or session.phase_index != phase_index:
        raise DomainError("session_moved_on")
    phase = session_method(database, session).phases[phase_index]
    if not phase.round:
        raise DomainError("not_a_round")
    return session, phase


def _stored_round(db: Unit, session_id: int, phase_index: int) -> SpeakingRound:
    speaking = store.speaking_round(db, session_id, phase_index)
    if speaking is None:
        raise DomainError("round_not_drawn")
    return speaking


def draw(database: Database, viewer: Person, session_id: int, now: datetime | None = None) -> None:
    """Draw the order of the current phase's round, once: the console does so when it first shows the phase,
    so that the members marked present then take part; a second console finds it drawn."""
    now = now or database.clock.now()
    with database.reading() as db:
        session = _session_for(db, viewer, session_id, Action.RUN_SESSION)
        if session.status is not SessionStatus.RUNNING or store.speaking_round(db, session.id, session.phase_index):
            return
    phase = session_method(database, session).phases[session.phase_index]
    if not phase.round:
        return
    with database.writing() as db:
        try:
            session, phase = _round_phase(db, database, viewer, session_id, session.phase_index, Action.RUN_SESSION)
        except DomainError as error:
            if error.key == "session_moved_on":
                return  # moved on since the read above (another console, a phone): the next drawing draws its own
            raise
        db.lock("speaking_round")
        members = [m.person_id for m in store.members(db, session.group_id) if m.group_role is GroupRole.MEMBER]
        bringers = {
            holder.person_id for holder in store.session_roles(db, session.id).get(SessionRole.CASE_BRINGER, [])
        }
        people = takes_part(phase, members, store.presence(db, session.id), bringers, session.facilitator_id)
        order = draw_order(people, store.round_starters(db, session.id))
        store.add_speaking_round(db, session.id, session.phase_index, order, now)
        store.session_changed(db, session.id)


def move_speaker(
    database: Database, viewer: Person, session_id: int, phase_index: int, person_id: int, steps: int
) -> None:
    """Move someone up (−1) or down (+1) in the order."""
    with database.writing() as db:
        _round_phase(db, database, viewer, session_id, phase_index, Action.RUN_SESSION)
        db.lock("speaking_round")
        speaking = _stored_round(db, session_id, phase_index)
        order = [turn.person_id for turn in speaking.turns]
        if person_id not in order:
            raise DomainError("not_in_round")
        place = order.index(person_id)
        target = min(max(0, place + steps), len(order) - 1)
        order.insert(target, order.pop(place))
        store.set_speaking_positions(db, speaking.id, order)
        store.session_changed(db, session_id)


def leave_out(
    database: Database, viewer: Person, session_id: int, phase_index: int, person_id: int, left_out: bool = True
) -> None:
    """Skip someone who is absent or passes (or take them back in). The current speaker passes with "next"."""
    with database.writing() as db:
        _round_phase(db, database, viewer, session_id, phase_index, Action.RUN_SESSION)
        db.lock("speaking_round")
        speaking = _stored_round(db, session_id, phase_index)
        if person_id not in {turn.person_id for turn in speaking.turns}:
            raise DomainError("not_in_round")
        if person_id == speaking.speaker_id:
            raise DomainError("speaking_now")
        store.set_turn_skipped(db, speaking.id, person_id, left_out)
        store.session_changed(db, session_id)


def people_to_add(database: Database, viewer: Person, session_id: int, phase_index: int) -> dict[int, str]:
    """Who could still be added to the round: the group's people (and the facilitator) not in it."""
    with database.reading() as db:
        session = _session_for(db, viewer, session_id, Action.RUN_SESSION)
        speaking = store.speaking_round(db, session.id, phase_index)
        in_round = {turn.person_id for turn in speaking.turns} if speaking else set()
        return {
            member.person_id: member.name
            for member in store.members(db, session.group_id)
            if member.person_id not in in_round
        }


def add_speaker(database: Database, viewer: Person, session_id: int, phase_index: int, person_id: int) -> None:
    """Someone of the group joins the round, at its end (a late arrival, the case bringer after all)."""
    with database.writing() as db:
        session, _ = _round_phase(db, database, viewer, session_id, phase_index, Action.RUN_SESSION)
        if store.group_role(db, session.group_id, person_id) is None:
            raise DomainError("role_outside_group")
        db.lock("speaking_round")
        speaking = _stored_round(db, session_id, phase_index)
        store.add_speaking_turn(db, speaking.id, person_id, len(speaking.turns))
        store.session_changed(db, session_id)


def _hand_over(
    db: Unit, session: LiveSession, speaking: SpeakingRound, speaking_now: int | None, now: datetime
) -> bool:
    if speaking.speaker_id != speaking_now:
        return False  # the turn moved on meanwhile (a second press, another console, the phone): nothing twice
    waiting = [
        turn.person_id
        for turn in speaking.turns
        if not turn.skipped and turn.spoke_at is None and turn.person_id != speaking_now
    ]
    if speaking_now is None and not waiting:
        return False  # nobody to start with, or the round is over already
    following = waiting[0] if waiting else None
    handed_over = store.hand_over_turn(db, speaking.id, speaking_now, following, now, _paused_so_far(session, now))
    if handed_over:
        store.session_changed(db, session.id)
    return handed_over


def next_speaker(
    database: Database,
    viewer: Person,
    session_id: int,
    phase_index: int,
    speaking_now: int | None,
    now: datetime | None = None,
) -> bool:
    """The facilitator's one press: `speaking_now` (as the console showed it; None to start the round) is done
    and the next in order speaks; after the last one the round is over. True when the turn moved."""
    now = now or database.clock.now()
    with database.writing() as db:
        session, _ = _round_phase(db, database, viewer, session_id, phase_index, Action.RUN_SESSION)
        db.lock("speaking_round")
        return _hand_over(db, session, _stored_round(db, session_id, phase_index), speaking_now, now)


def done_speaking(
    database: Database, person: Person, session_id: int, phase_index: int, now: datetime | None = None
) -> bool:
    """The speaker's own "I'm done" from their phone; only while they have the turn (else it does nothing)."""
    now = now or database.clock.now()
    with database.writing() as db:
        session = _session_for(db, person, session_id, Action.TAKE_PART)
        if session.status is not SessionStatus.RUNNING or session.phase_index != phase_index:
            return False
        db.lock("speaking_round")
        speaking = store.speaking_round(db, session_id, phase_index)
        if speaking is None or speaking.speaker_id != person.id:
            return False
        return _hand_over(db, session, speaking, person.id, now)
