"""What the chooser knows about a group and its case: one place, so every screen ranks a case alike.

The console's start panel and the method library's chooser both build their `Need` here: the group's
size from its members, its phase and session length from its contract, the question and wants from the
case, and the group's own psychological-safety score when enough members answered.
"""

from __future__ import annotations

from intervision import groups, surveys
from intervision.database import Database
from intervision.errors import NotAllowed
from intervision.methods import MeasuredSafety, Need
from intervision.models import Case, GroupRole, Person, QuestionType

SAFETY_INSTRUMENT = "psychological_safety"
# Without a case (one told on the spot) the chooser starts from the commonest question: a concrete
# incident and one's own behaviour in it. The facilitator can change it.
DEFAULT_QUESTION = QuestionType.OWN_BEHAVIOUR


def group_size(database: Database, viewer: Person, group_id: int) -> int:
    """The people in the circle who work on a case: the members, not the group's facilitator."""
    members = groups.members(database, viewer, group_id)
    return max(2, sum(member.group_role is GroupRole.MEMBER for member in members))


def measured_safety(database: Database, viewer: Person, group_id: int) -> MeasuredSafety | None:
    """The main scale's mean in the group's latest closed safety wave, if enough members answered."""
    try:
        results = surveys.group_results(database, viewer, group_id, SAFETY_INSTRUMENT)
    except NotAllowed:
        return None
    if results is None:
        return None
    latest = results.waves[-1]
    scale = surveys.main_scale(latest.wave.instrument)
    shown = next((s for s in latest.scales if s.scale_id == scale and s.shown and s.mean is not None), None)
    if shown is None:
        return None
    instrument = latest.wave.instrument
    return MeasuredSafety(score=round(shown.mean, 1), lowest=instrument.lowest, highest=instrument.highest)


def chooser_need(
    database: Database,
    viewer: Person,
    group_id: int,
    case: Case | None,
    minutes: int | None = None,
    question_type: QuestionType | None = None,
) -> Need:
    """What a session of this group with this case asks of a method.

    `minutes` overrides the contract's session length (a shorter slot today); `question_type` is what the
    facilitator chose for a case that does not say (one told on the spot).
    """
    group, _ = groups.group_for(database, viewer, group_id)
    available = minutes if minutes is not None else group.contract.session_minutes
    asked = case.question_type if case and case.question_type else question_type
    return Need(
        question_type=asked or DEFAULT_QUESTION,
        wants=list(case.wants) if case else [],
        minutes_available=min(480, max(15, available)),
        group_size=group_size(database, viewer, group_id),
        group_phase=group.contract.development_phase,
        safety=measured_safety(database, viewer, group_id),
    )
