"""Exercises in a live session: the facilitator adds one to the opening (check-in) or the closing, the projector
shows it while the session is in that slot, and the facilitator can take it off again.

Kept with the session (a restart shows the same), and every change advances the session's change stamp in the same
unit of work, so the projector and a second console follow at once.
"""

from __future__ import annotations

from datetime import datetime

from intervision import store
from intervision.community import weak_aspects_of_group
from intervision.database import Database, Unit
from intervision.errors import DomainError
from intervision.exercises import CommunityAspect, Exercise, SessionExercise, Slot, exercise_library, suggest
from intervision.membership import require_in_circle
from intervision.methods import Lines
from intervision.models import DevelopmentPhase, LiveSession, Person, SessionStatus
from intervision.permissions import Action, require

# The slot the projector is in while a session is at this point; during the method's phases no exercise is shown.
SLOT_OF_STATUS = {SessionStatus.CHECK_IN: Slot.OPENING, SessionStatus.CLOSING: Slot.CLOSING}


def _facilitated_session(db: Unit, viewer: Person, session_id: int) -> LiveSession:
    """The session, if this person runs it (its group's facilitator, in the circle of this session)."""
    session = store.live_session(db, session_id)
    if session is None:
        raise DomainError("session_not_found")
    require(Action.RUN_SESSION, viewer.role, store.group_role(db, session.group_id, viewer.id))
    require_in_circle(db, viewer, session)
    return session


def _open_session(db: Unit, viewer: Person, session_id: int) -> LiveSession:
    session = _facilitated_session(db, viewer, session_id)
    if session.status is SessionStatus.CLOSED:
        # Another console closed it meanwhile: the same answer as any control pressed after the session moved on.
        raise DomainError("session_moved_on")
    return session


def session_exercises(database: Database, viewer: Person, session_id: int) -> dict[Slot, SessionExercise]:
    """The exercises added to this session, by slot (for its facilitator's console)."""
    with database.reading() as db:
        _facilitated_session(db, viewer, session_id)
        return {added.slot: added for added in store.session_exercises(db, session_id)}


def group_phase(database: Database, viewer: Person, session_id: int) -> DevelopmentPhase | None:
    with database.reading() as db:
        session = _facilitated_session(db, viewer, session_id)
        group = store.group(db, session.group_id)
    return group.contract.development_phase if group else None


def weak_aspects(database: Database, viewer: Person, session_id: int) -> frozenset[CommunityAspect]:
    """The community aspects the session's group is weak on over the last year (from its community profile,
    aggregates only), for the exercise chooser."""
    with database.reading() as db:
        session = _facilitated_session(db, viewer, session_id)
    return frozenset(CommunityAspect(name) for name in weak_aspects_of_group(database, session.group_id))


def suggestions(
    database: Database,
    viewer: Person,
    session_id: int,
    slot: Slot,
    weak_aspects: frozenset[CommunityAspect] = frozenset(),
) -> list[Exercise]:
    """The library's exercises for this slot, the one that fits the group best first (its phase and the community
    aspects it is weak on: `weak_aspects`)."""
    phase = group_phase(database, viewer, session_id)
    return suggest(list(exercise_library().exercises.values()), slot, phase, weak_aspects, viewer.language)


def add_exercise(
    database: Database, viewer: Person, session_id: int, slot: Slot, exercise_id: str, now: datetime | None = None
) -> None:
    """Put this exercise in the slot and on the projector (in place of one there before)."""
    exercise = exercise_library().exercises.get(exercise_id)
    # The chooser offers only the library's exercises for the slot; anything else is not a valid choice.
    if exercise is None or not exercise.fits(slot):
        raise DomainError("invalid", field="exercise")
    with database.writing() as db:
        session = _open_session(db, viewer, session_id)
        store.set_session_exercise(db, session.id, slot.value, exercise.id, now or database.clock.now())
        store.session_changed(db, session.id)


def show_on_projector(database: Database, viewer: Person, session_id: int, slot: Slot, shown: bool) -> None:
    """Put the slot's exercise back on the projector, or take it off (it stays added to the session)."""
    with database.writing() as db:
        session = _open_session(db, viewer, session_id)
        if not store.set_session_exercise_shown(db, session.id, slot.value, shown):
            raise DomainError("session_moved_on")  # another console removed it a moment ago
        store.session_changed(db, session.id)


def remove_exercise(database: Database, viewer: Person, session_id: int, slot: Slot) -> None:
    """The slot without an exercise again."""
    with database.writing() as db:
        session = _open_session(db, viewer, session_id)
        if not store.remove_session_exercise(db, session.id, slot.value):
            raise DomainError("session_moved_on")  # another console removed it a moment ago
        store.session_changed(db, session.id)


def projected_exercise(database: Database, token: str) -> Exercise | None:
    """The exercise the beamer shows now: the one added to the slot the session is in, while it is shown.

    The beamer's copy carries no facilitator notes at all, not only a page that leaves them out."""
    with database.reading() as db:
        session = store.live_session_by_projector_token(db, token)
        if session is None or session.status not in SLOT_OF_STATUS:
            return None
        slot = SLOT_OF_STATUS[session.status]
        added = next((added for added in store.session_exercises(db, session.id) if added.slot is slot), None)
    if added is None or not added.shown:
        return None
    exercise = exercise_library().exercises.get(added.exercise_id)
    return exercise.model_copy(update={"notes": Lines()}) if exercise else None
