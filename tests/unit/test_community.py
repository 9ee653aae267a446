"""A group's community profile, the suggestions for a weak aspect, and the second observer with the debrief note.

The profile is read per quarter from released survey averages and the facilitator's observation log, only as far
as each contract reports them; an aspect without enough behind it says so. The second observer's log and the
debrief note are for the session's facilitator and that observer only.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from test_overview import LATER, YEAR_2025, Org, at, ce_answers

from intervision import community, live, overview, personal_data
from intervision.community import (
    Aspect,
    AspectScore,
    CommunityProfile,
    DebriefInput,
    Gap,
    QuarterProfile,
    suggested_exercise_aspects,
    suggestions,
)
from intervision.errors import DomainError, NotAllowed
from intervision.instruments import shipped_instruments
from intervision.methods import Safety, built_in_library
from intervision.models import DevelopmentPhase, ObservationDetailsInput, ObservationKind, ReportItem, Role
from intervision.store.community import CategoryCount

PS = "psychological_safety"
CE = "collective_efficacy"


@pytest.fixture
def org(path, coordinator, make_person) -> Org:
    return Org(path, coordinator, make_person)


def ps_answers(value: int) -> dict[str, int | None]:
    items = shipped_instruments().instruments[PS].items
    return {item.id: (6 - value if item.reverse else value) for item in items}


def wave(org: Org, group_id: int, instrument: str, answers: list[tuple], closed_on: date) -> None:
    from intervision import surveys

    opened = at(closed_on - timedelta(days=2))
    wave_id = surveys.open_wave(org.path, org.coordinator, group_id, instrument, "after_session", now=opened)
    for person, value in answers:
        surveys.answer(
            org.path, person, wave_id, ps_answers(value) if instrument == PS else ce_answers(value), now=opened
        )
    surveys.close_wave(org.path, org.coordinator, wave_id, now=at(closed_on, 18))


def observe_with(org: Org, lead, group_id: int, day: date, categories: dict[tuple[str, str], int]) -> int:
    """A closed session with observations of the given (level, category) counts."""
    session_id = org.start(lead, group_id, day)
    for (level, category), count in categories.items():
        for _ in range(count):
            logged = live.observe(org.path, lead, session_id, level, now=at(day) + timedelta(minutes=20))
            live.describe_observation(org.path, lead, session_id, logged, ObservationDetailsInput(category=category))
    org.close(lead, session_id, day)
    return session_id


def profile_of(org: Org, group_id: int) -> CommunityProfile:
    comparison = overview.compare_groups(org.path, org.coordinator, YEAR_2025, today=LATER)
    (found,) = [
        p for p in community.community_profiles(org.path, org.coordinator, comparison, LATER) if p.group_id == group_id
    ]
    return found


def quarter(profile: CommunityProfile, name: str) -> dict[Aspect, AspectScore]:
    return next(q for q in profile.quarters if q.quarter == name).scores


# --- the profile ------------------------------------------------------------------------------------------


def test_the_profile_reads_safety_and_trust_from_released_survey_averages_per_quarter(org: Org):
    lead = org.make_person("Fay Facilitator", Role.FACILITATOR)
    members = org.people("Anna Member", "Ben Member", "Chris Member")
    group_id = org.group("Team North", facilitators=(lead,), members=tuple(members))
    wave(org, group_id, PS, [(members[0], 5), (members[1], 5), (members[2], 5)], date(2025, 2, 10))
    wave(org, group_id, CE, [(members[0], 2), (members[1], 2), (members[2], 2)], date(2025, 5, 10))

    profile = profile_of(org, group_id)
    assert [q.quarter for q in profile.quarters] == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]
    first = quarter(profile, "2025-Q1")
    assert first[Aspect.SAFETY].value == pytest.approx(1.0) and first[Aspect.SAFETY].basis == 3
    assert first[Aspect.TRUST].gap is Gap.TOO_LITTLE
    assert quarter(profile, "2025-Q2")[Aspect.TRUST].value == pytest.approx(0.25)  # 2 on 1–5
    # The latest known score per aspect, and what is weak: trust, below the cut-off.
    assert profile.latest(Aspect.SAFETY).value == pytest.approx(1.0)
    assert profile.weak_aspects() == {Aspect.TRUST}


def test_a_wave_below_the_privacy_threshold_gives_no_score_but_too_little_data(org: Org):
    lead = org.make_person("Fay Facilitator", Role.FACILITATOR)
    anna, ben = org.people("Anna Member", "Ben Member")
    group_id = org.group("Team North", facilitators=(lead,), members=(anna, ben))
    wave(org, group_id, PS, [(anna, 1), (ben, 1)], date(2025, 2, 10))  # two answers: under the threshold of 3

    profile = profile_of(org, group_id)
    assert quarter(profile, "2025-Q1")[Aspect.SAFETY] == AspectScore(None, gap=Gap.TOO_LITTLE)
    assert profile.latest(Aspect.SAFETY).gap is Gap.TOO_LITTLE
    # Nothing known: nothing weak, so no suggestions made up from nothing.
    assert profile.weak_aspects() == set()
    assert suggestions(profile) == []


def test_a_contract_that_does_not_report_a_source_leaves_its_aspects_not_reported(org: Org):
    lead = org.make_person("Fay Facilitator", Role.FACILITATOR)
    members = org.people("Anna Member", "Ben Member", "Chris Member")
    group_id = org.group(
        "Team North", reports=(ReportItem.SESSIONS_HELD,), facilitators=(lead,), members=tuple(members)
    )
    wave(org, group_id, PS, [(m, 5) for m in members], date(2025, 2, 10))
    org.hold(lead, group_id, date(2025, 2, 12), intervene={"procedure": 6})

    profile = profile_of(org, group_id)
    for aspect in Aspect:
        assert profile.latest(aspect) == AspectScore(None, gap=Gap.NOT_REPORTED)


def test_shared_responsibility_and_conversation_skills_come_from_the_observation_log(org: Org):
    lead = org.make_person("Fay Facilitator", Role.FACILITATOR)
    group_id = org.group("Team North", facilitators=(lead,), members=tuple(org.people("Anna Member")))
    # Q1: the group corrects itself 6 times, the facilitator steps in twice: 6 of 8.
    org.hold(lead, group_id, date(2025, 2, 12), intervene={"procedure": 2}, self_correct={"interaction": 6})
    # Q1: listening and asking on: 3 open questions, 1 summary, 2 interruptions (6 counted, 4 helpful); a
    # procedure category and an uncategorised press do not count.
    observe_with(
        org,
        lead,
        group_id,
        date(2025, 3, 3),
        {
            ("interaction", "open_question"): 3,
            ("content", "summarising"): 1,
            ("interaction", "interrupting"): 2,
            ("procedure", "time_overrun"): 4,
            ("content", "core_named"): 2,
        },
    )
    # Q2: too few corrections to say anything.
    org.hold(lead, group_id, date(2025, 5, 12), intervene={"feelings": 2})

    profile = profile_of(org, group_id)
    first = quarter(profile, "2025-Q1")
    assert first[Aspect.SHARED_RESPONSIBILITY].value == pytest.approx(6 / 8)
    assert first[Aspect.CONVERSATION_SKILLS].value == pytest.approx(4 / 6)
    assert first[Aspect.CONVERSATION_SKILLS].basis == 6
    second = quarter(profile, "2025-Q2")
    assert second[Aspect.SHARED_RESPONSIBILITY].gap is Gap.TOO_LITTLE
    assert second[Aspect.CONVERSATION_SKILLS].gap is Gap.TOO_LITTLE
    # The latest quarter with a score counts.
    assert profile.latest(Aspect.SHARED_RESPONSIBILITY).value == pytest.approx(0.75)


def test_conversation_counts_leave_out_signals_corrections_and_other_content():
    def count(level: str, category: str | None, n: int, kind=ObservationKind.OBSERVATION) -> CategoryCount:
        return CategoryCount(
            group_id=1,
            session_id=1,
            started_at=at(date(2025, 1, 2)),
            level=level,
            category=category,
            kind=kind,
            count=n,
        )

    counted = community.conversation_counts(
        [
            count("interaction", "building_on_each_other", 2),
            count("interaction", "leading_question", 1),
            count("content", "concrete_example_asked", 1),
            count("content", "theme_unclear", 5),
            count("feelings", "facilitator_signal", 3),
            count("interaction", None, 4),
            count("interaction", "open_question", 7, ObservationKind.INTERVENTION),
        ]
    )
    assert counted == (3, 4)


def test_shared_responsibility_takes_the_mean_of_the_parts_with_enough_behind_them():
    assert community.responsibility_score((6, 8), (1, 5)).value == pytest.approx((0.75 + 0.2) / 2)
    assert community.responsibility_score((6, 8), (1, 2)).value == pytest.approx(0.75)
    assert community.responsibility_score((1, 2), (1, 2)).gap is Gap.TOO_LITTLE


# --- weak aspects and suggestions ----------------------------------------------------------------------------


def made_profile(phase: DevelopmentPhase = DevelopmentPhase.NORMING, **values: float | None) -> CommunityProfile:
    scores = {
        aspect: AspectScore(values.get(aspect.value), 10)
        if values.get(aspect.value) is not None
        else AspectScore(None, gap=Gap.TOO_LITTLE)
        for aspect in Aspect
    }
    return CommunityProfile(1, "Team", phase, [QuarterProfile("2025-Q1", scores)])


def test_an_aspect_below_the_cut_off_is_weak_and_otherwise_the_lowest_is():
    assert made_profile(safety=0.4, trust=0.8, conversation_skills=0.3).weak_aspects() == {
        Aspect.SAFETY,
        Aspect.CONVERSATION_SKILLS,
    }
    assert made_profile(safety=0.9, trust=0.7, shared_responsibility=0.8).weak_aspects() == {Aspect.TRUST}
    # One known aspect well above the cut-off: nothing to compare it with, nothing weak.
    assert made_profile(safety=0.9).weak_aspects() == set()


def test_two_groups_weak_on_different_aspects_get_different_suggestions():
    unsafe = made_profile(safety=0.3, trust=0.8, shared_responsibility=0.8, conversation_skills=0.8)
    quiet = made_profile(safety=0.9, trust=0.8, shared_responsibility=0.8, conversation_skills=0.4)

    (for_unsafe,) = suggestions(unsafe)
    (for_quiet,) = suggestions(quiet)
    assert for_unsafe.aspect is Aspect.SAFETY and for_quiet.aspect is Aspect.CONVERSATION_SKILLS
    assert for_unsafe.methods and for_quiet.methods
    assert set(for_unsafe.methods) != set(for_quiet.methods)
    assert for_unsafe.focus.nl != for_quiet.focus.nl and for_unsafe.focus.en != for_quiet.focus.en
    assert suggested_exercise_aspects(unsafe) == {"safety"}
    assert suggested_exercise_aspects(quiet) == {"conversation_skills"}


def test_a_group_weak_on_safety_is_never_offered_a_method_that_needs_a_safe_group():
    library = built_in_library().methods
    for phase in (DevelopmentPhase.FORMING, DevelopmentPhase.PERFORMING):
        profile = made_profile(phase, safety=0.2, trust=0.3, shared_responsibility=0.3, conversation_skills=0.3)
        offered = [method for suggestion in suggestions(profile) for method in suggestion.methods]
        assert offered, phase
        assert "gossip" not in offered and "balint" not in offered
        assert all(library[m].suitability.safety is not Safety.HIGH for m in offered)
        assert all(phase in library[m].suitability.group_phases for m in offered)


def test_every_suggested_method_exists_in_the_library():
    library = built_in_library().methods
    for entry in community.suggestion_data().values():
        assert set(entry.methods) <= set(library), entry.id


# --- the second observer -------------------------------------------------------------------------------------


@pytest.fixture
def pair(org: Org):
    """A session run by Fay with Carl (a coach from elsewhere in the organisation) as second observer."""
    lead = org.make_person("Fay Facilitator", Role.FACILITATOR)
    coach = org.make_person("Carl Coach", Role.FACILITATOR)
    anna = org.make_person("Anna Member")
    group_id = org.group("Team North", facilitators=(lead,), members=(anna,))
    session_id = org.start(lead, group_id, date(2025, 3, 10))
    community.choose_observer(org.path, lead, session_id, coach.id, now=at(date(2025, 3, 10)))
    return lead, coach, anna, session_id


def test_the_second_observer_logs_observations_that_only_they_and_the_facilitator_see(org: Org, pair):
    lead, coach, anna, session_id = pair
    assert [s.session_id for s in community.sessions_to_observe(org.path, coach)] == [session_id]
    logged = community.observe_as_second(org.path, coach, session_id, "interaction", "open_question")
    community.observe_as_second(org.path, coach, session_id, "feelings")
    for reader in (coach, lead):
        seen = community.second_observations(org.path, reader, session_id)
        assert [(o.level, o.category) for o in seen] == [("interaction", "open_question"), ("feelings", None)]
    # Not the facilitator's own log: their balance and the overview's counts stay theirs.
    assert live.observations(org.path, lead, session_id) == []
    for outsider in (anna, org.coordinator):
        with pytest.raises(NotAllowed):
            community.second_observations(org.path, outsider, session_id)
        with pytest.raises(NotAllowed):
            community.observe_as_second(org.path, outsider, session_id, "content")
    community.take_back_second(org.path, coach, session_id, logged)
    assert len(community.second_observations(org.path, lead, session_id)) == 1


def test_an_unknown_level_or_category_is_refused(org: Org, pair):
    _, coach, _, session_id = pair
    with pytest.raises(DomainError):
        community.observe_as_second(org.path, coach, session_id, "weather")
    with pytest.raises(DomainError) as refused:
        community.observe_as_second(org.path, coach, session_id, "content", "open_question")
    assert refused.value.field == "category"


def test_the_debrief_note_is_for_the_facilitator_and_the_observer_only_and_the_last_edit_wins(org: Org, pair):
    lead, coach, anna, session_id = pair
    community.save_debrief_note(
        org.path, coach, session_id, DebriefInput(text="They listened well"), now=at(date(2025, 3, 10), 13)
    )
    community.save_debrief_note(
        org.path,
        lead,
        session_id,
        DebriefInput(text="Listening well; summarising next time"),
        now=at(date(2025, 3, 10), 14),
    )
    for reader in (lead, coach):
        note = community.debrief_note(org.path, reader, session_id)
        assert note.text == "Listening well; summarising next time"
        assert note.edited_by == lead.id and note.edited_by_name == "Fay Facilitator"
        assert note.edited_at == at(date(2025, 3, 10), 14)
    # Not members, not coordinators (who are administrators too), not a second facilitator of the group.
    co_lead = org.make_person("Gus Facilitator", Role.FACILITATOR)
    from unit_support import JOINED

    from intervision import db, store
    from intervision.models import GroupRole

    with db.writing(org.path) as conn:
        store.set_membership(
            conn, store.live_session(conn, session_id).group_id, co_lead.id, GroupRole.FACILITATOR, JOINED
        )
    for outsider in (anna, org.coordinator, co_lead):
        with pytest.raises(NotAllowed):
            community.debrief_note(org.path, outsider, session_id)
        with pytest.raises(NotAllowed):
            community.save_debrief_note(org.path, outsider, session_id, DebriefInput(text="mine"))


def test_a_removed_observer_loses_access_to_the_log_and_the_note(org: Org, pair):
    lead, coach, _, session_id = pair
    community.observe_as_second(org.path, coach, session_id, "content", "summarising")
    community.save_debrief_note(org.path, coach, session_id, DebriefInput(text="Good start"))
    community.remove_observer(org.path, lead, session_id)
    assert community.sessions_to_observe(org.path, coach) == []
    for step in (
        lambda: community.second_observations(org.path, coach, session_id),
        lambda: community.debrief_note(org.path, coach, session_id),
        lambda: community.observe_as_second(org.path, coach, session_id, "content"),
        lambda: community.save_debrief_note(org.path, coach, session_id, DebriefInput(text="still here?")),
    ):
        with pytest.raises(NotAllowed):
            step()
    assert community.second_observations(org.path, lead, session_id) == []


def test_only_the_sessions_facilitator_chooses_the_observer(org: Org, pair):
    lead, coach, anna, session_id = pair
    for other in (coach, anna, org.coordinator):
        with pytest.raises(NotAllowed):
            community.choose_observer(org.path, other, session_id, other.id)
    with pytest.raises(DomainError) as refused:
        community.choose_observer(org.path, lead, session_id, lead.id)
    assert refused.value.field == "observer"
    assert lead.id not in {c.person_id for c in community.observer_candidates(org.path, lead, session_id)}


def test_the_observers_own_data_export_holds_their_observations_and_the_notes_they_wrote(org: Org, pair):
    lead, coach, _, session_id = pair
    community.observe_as_second(org.path, coach, session_id, "interaction", "building_on_each_other")
    community.save_debrief_note(org.path, coach, session_id, DebriefInput(text="Members built on each other"))
    exported = json.loads(personal_data.export_my_data(org.path, coach))
    assert exported["observer_sessions"][0]["session_id"] == session_id
    assert exported["observer_observations"][0]["category"] == "building_on_each_other"
    assert exported["debrief_notes_written"][0]["text"] == "Members built on each other"
    # The facilitator's export does not hold the note the observer wrote last.
    assert json.loads(personal_data.export_my_data(org.path, lead))["debrief_notes_written"] == []


def test_erasing_the_observer_removes_their_log_and_unlinks_their_note(org: Org, pair):
    lead, coach, _, session_id = pair
    community.observe_as_second(org.path, coach, session_id, "content", "summarising")
    community.save_debrief_note(org.path, coach, session_id, DebriefInput(text="Shared note"))
    personal_data.erase_person(org.path, org.coordinator, coach.id)
    assert community.session_observer(org.path, lead, session_id) is None
    assert community.second_observations(org.path, lead, session_id) == []
    note = community.debrief_note(org.path, lead, session_id)
    assert note.edited_by is None and note.edited_by_name is None


def test_the_coordinator_counts_none_of_the_observers_notes_in_the_overview(org: Org, pair):
    lead, coach, _, session_id = pair
    for level in ("content", "interaction", "feelings"):
        community.observe_as_second(org.path, coach, session_id, level)
    org.close(lead, session_id, date(2025, 3, 10))
    group_id = org.compare().groups[0].group_id
    story = overview.group_story(org.path, org.coordinator, group_id, YEAR_2025, today=LATER)
    assert [sum(session.per_level.values()) for session in story.observations] == [0]
    # After the session the observer notes nothing more, but the pair still keeps the debrief note.
    with pytest.raises(DomainError):
        community.observe_as_second(org.path, coach, session_id, "content")
    community.save_debrief_note(org.path, coach, session_id, DebriefInput(text="After the session"))
    assert community.debrief_note(org.path, lead, session_id).text == "After the session"


def test_the_facilitator_s_exercise_chooser_puts_first_what_works_on_the_group_s_weak_aspect(org: Org):
    """Two groups alike but for what they are weak on are not offered the same exercise first."""
    from intervision import session_exercises
    from intervision.exercises import Slot

    lead = org.make_person("Fay Facilitator", Role.FACILITATOR)
    trusting = org.people("Anna Member", "Ben Member", "Chris Member")
    wary = org.people("Dirk Member", "Eva Member", "Fien Member")
    weak_on_trust = org.group("Team North", facilitators=(lead,), members=tuple(trusting))
    weak_on_safety = org.group("Team South", facilitators=(lead,), members=tuple(wary))
    closed = date(2025, 11, 10)
    wave(org, weak_on_trust, PS, [(person, 5) for person in trusting], closed)
    wave(org, weak_on_trust, CE, [(person, 2) for person in trusting], closed)
    wave(org, weak_on_safety, PS, [(person, 1) for person in wary], closed)
    wave(org, weak_on_safety, CE, [(person, 5) for person in wary], closed)
    assert community.weak_aspects_of_group(org.path, weak_on_trust, today=date(2025, 12, 1)) == {"trust"}
    assert community.weak_aspects_of_group(org.path, weak_on_safety, today=date(2025, 12, 1)) == {"safety"}

    firsts = []
    for group_id in (weak_on_trust, weak_on_safety):
        session_id = org.start(lead, group_id, date(2025, 12, 1))
        weak = frozenset(community.weak_aspects_of_group(org.path, group_id, today=date(2025, 12, 1)))
        first = session_exercises.suggestions(org.path, lead, session_id, Slot.OPENING, weak)[0]
        assert weak & {aspect.value for aspect in first.strengthens}, f"{first.id} works on none of {weak}"
        firsts.append(first.id)
    assert firsts[0] != firsts[1]
