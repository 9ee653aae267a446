"""Learning programmes: the steps and their hints and refusals, the BLITS phases, and who may see what."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from pydantic import ValidationError
from unit_support import NOW

from intervision import clock, groups, personal_data, programmes
from intervision.errors import DomainError, NotAllowed
from intervision.models import Language, Role
from intervision.programmes import (
    Alternative,
    Block,
    Decision,
    DesignStep,
    EvaluationMoment,
    EvaluationStep,
    Experience,
    GoalKind,
    GoalsStep,
    LearningCheckStep,
    Level,
    Level4,
    Manager,
    ManagerRole,
    ProblemStep,
    ProgrammeGoal,
    ProgrammeInput,
    StepState,
    SupportStep,
    TargetGroupStep,
    TimeStep,
    TrainingExperience,
    WorkingHours,
)

CONCRETE_PROBLEM = ProblemStep(
    description="Last year the library had 12 complaints about unfriendly service at the desk.",
    examples="Long waits at the desk on Saturday; wrong information about renewals.",
    how_often="about once a month",
    how_many=12,
)


def _goal(**changes: object) -> ProgrammeGoal:
    fields = {
        "kind": GoalKind.RESULT,
        "text": "Halve the complaints about service at the desk within three months",
        "measure": "complaints about service per quarter",
        "start": 3.0,
        "target": 1.5,
        "due": clock.today() + timedelta(days=90),
    } | changes
    return ProgrammeGoal(**fields)


def _problem_of(error: ValidationError, field: str) -> str:
    return next(problem["type"] for problem in error.errors() if problem["loc"] == (field,))


@pytest.fixture
def coordinator_programme(path, coordinator, make_group, make_person):
    """A programme with one group, which has a facilitator and a member."""
    facilitator = make_person("Fien Facilitator", Role.FACILITATOR)
    member = make_person("Mo Member")
    group_id = make_group("Balie", facilitators=(facilitator,), members=(member,))
    programme_id = programmes.create_programme(
        path, coordinator, ProgrammeInput(name="Klantgericht aan de balie", group_ids=[group_id]), now=NOW
    )
    return programme_id, group_id, facilitator, member


# --- the problem -----------------------------------------------------------------------------------------


def test_a_concrete_problem_gets_no_hints():
    assert programmes.hints(CONCRETE_PROBLEM) == []


def test_a_vague_problem_gets_hints_for_example_number_and_frequency_but_is_not_refused():
    vague = ProblemStep(description="Customers find that we are not customer-friendly.")
    assert programmes.hints(vague) == ["problem_no_example", "problem_no_number", "problem_no_frequency"]


def test_numbers_and_frequency_written_in_the_text_count_too():
    step = ProblemStep(
        description="Elke week 4 klachten over wachttijden aan de balie.", examples="Zaterdag 2 uur wachten."
    )
    assert programmes.hints(step) == []


# --- the goals ---------------------------------------------------------------------------------------------


def test_a_smart_goal_gets_no_hints():
    assert programmes.goal_hints(_goal()) == []


def test_a_vague_goal_gets_hints_not_specific_not_measurable_no_date():
    vague = ProgrammeGoal(kind=GoalKind.LEARNING, text="More customer-friendly")
    assert programmes.goal_hints(vague) == ["goal_not_specific", "goal_not_measurable", "goal_no_date"]


def test_a_goal_dated_in_the_past_is_refused_at_its_date():
    with pytest.raises(ValidationError) as refused:
        _goal(due=clock.today() - timedelta(days=1))
    assert _problem_of(refused.value, "due") == "programme.date_in_past"


def test_a_goal_dated_today_is_accepted():
    assert _goal(due=clock.today()).due == clock.today()


def test_a_target_equal_to_the_start_is_refused_at_the_target():
    with pytest.raises(ValidationError) as refused:
        _goal(start=3.0, target=3.0)
    assert _problem_of(refused.value, "target") == "programme.target_is_start"


def test_a_target_outside_the_measures_range_is_refused_and_says_the_range():
    with pytest.raises(ValidationError) as refused:
        _goal(measure="share of calls answered (%)", lowest=0, highest=100, start=60, target=120)
    problem = next(p for p in refused.value.errors() if p["loc"] == ("target",))
    assert problem["type"] == "programme.outside_range"
    assert problem["ctx"] == {"lowest": "0", "highest": "100"}


def test_a_measure_without_a_range_takes_any_target():
    assert _goal(start=10, target=1000).target == 1000


def test_goals_of_one_kind_only_get_a_hint_for_the_other_kind():
    assert programmes.hints(GoalsStep(goals=[_goal()])) == ["goals_no_learning"]


# --- target group, learning check, time, support, design, evaluation --------------------------------------


def test_the_target_group_gives_design_advice():
    step = TargetGroupStep(
        level=Level.PRACTICAL,
        experience=Experience.NEW,
        working_hours=WorkingHours.SHIFTS,
        training_experience=TrainingExperience.POOR,
        screen_access=False,
    )
    assert programmes.design_advice(step) == ["shifts", "practical", "new", "poor_training", "no_screen"]


def test_a_learning_decision_needs_its_reason():
    with pytest.raises(ValidationError) as refused:
        LearningCheckStep(decision=Decision.LEARNING, reason="")
    assert _problem_of(refused.value, "reason") == "programme.decision_reason"


def test_choosing_learning_while_an_alternative_would_help_gets_a_hint():
    step = LearningCheckStep(
        would_help=[Alternative.AGREEMENT], decision=Decision.LEARNING, reason="The agreement alone will not hold"
    )
    assert programmes.hints(step) == ["learning_despite_alternatives"]


def test_no_time_booked_for_applying_gets_a_hint():
    step = TimeStep(session_hours=12, applying_hours=0, moment="From October")
    assert programmes.hints(step) == ["time_no_applying"]


def test_managers_without_kick_off_or_conversations_get_hints():
    step = SupportStep(managers=[Manager(name="An Peeters", wish="Fewer complaints", roles=[ManagerRole.EXAMPLE])])
    assert programmes.hints(step) == ["support_no_kick_off", "support_no_conversations", "support_no_concerns"]


def test_a_one_shot_design_without_intervision_gets_hints():
    step = DesignStep(blocks=[Block(name="Training day", weeks=1)])
    assert programmes.hints(step) == [
        "design_one_shot",
        "design_no_intervision",
        "design_no_kick_off",
        "design_no_manager_conversations",
    ]


def test_an_evaluation_on_reaction_only_gets_hints_for_behaviour_and_results():
    step = EvaluationStep(
        moments=[EvaluationMoment(when="After block 1", level=Level4.REACTION, what="Ratings", reported_to="HR")]
    )
    assert programmes.hints(step) == ["evaluation_no_behaviour", "evaluation_no_results"]


# --- saving steps and the status ---------------------------------------------------------------------------


def test_each_step_is_saved_on_its_own_and_the_status_says_done_open_or_hints(path, coordinator, coordinator_programme):
    programme_id = coordinator_programme[0]
    programmes.save_step(path, coordinator, programme_id, CONCRETE_PROBLEM, now=NOW)
    programmes.add_item(path, coordinator, programme_id, "goals", _goal(), now=NOW)
    programme = programmes.programme(path, coordinator, programme_id)
    states = {status.key: status.state for status in programme.status()}
    assert states["problem"] is StepState.DONE
    assert states["goals"] is StepState.HINTS  # a result goal, but no learning goal
    assert states["design"] is StepState.OPEN
    assert programme.step("problem") == CONCRETE_PROBLEM
    assert programme.open_steps() == ["target_group", "learning_check", "time", "support", "design", "evaluation"]


def test_coming_back_to_a_step_replaces_it_and_keeps_the_others(path, coordinator, coordinator_programme):
    programme_id = coordinator_programme[0]
    programmes.save_step(path, coordinator, programme_id, CONCRETE_PROBLEM, now=NOW)
    programmes.save_step(path, coordinator, programme_id, TimeStep(session_hours=8, moment="Spring"), now=NOW)
    programmes.save_step(path, coordinator, programme_id, TimeStep(session_hours=10, moment="Autumn"), now=NOW)
    programme = programmes.programme(path, coordinator, programme_id)
    assert programme.step("time").moment == "Autumn"
    assert programme.step("problem") == CONCRETE_PROBLEM


def test_items_are_added_and_removed_one_by_one(path, coordinator, coordinator_programme):
    programme_id = coordinator_programme[0]
    programmes.add_item(path, coordinator, programme_id, "design", Block(name="Block 1", weeks=3), now=NOW)
    programmes.add_item(path, coordinator, programme_id, "design", Block(name="Block 2", weeks=3), now=NOW)
    programmes.save_design_texts(path, coordinator, programme_id, "Kick-off with managers", "After each block")
    programmes.remove_item(path, coordinator, programme_id, "design", 0, now=NOW)
    design = programmes.programme(path, coordinator, programme_id).step("design")
    assert [block.name for block in design.blocks] == ["Block 2"]
    assert design.kick_off == "Kick-off with managers"


def test_a_goal_whose_date_has_passed_still_opens_and_another_goal_can_be_added(
    path, coordinator, coordinator_programme, set_clock
):
    programme_id = coordinator_programme[0]
    programmes.add_item(path, coordinator, programme_id, "goals", _goal(), now=NOW)
    set_clock(clock.today() + timedelta(days=200))  # the goal's date lies behind us now
    later = _goal(text="Fewer than one complaint a month about the desk by next spring", due=clock.today())
    programmes.add_item(path, coordinator, programme_id, "goals", later, now=NOW)
    goals = programmes.programme(path, coordinator, programme_id).step("goals").goals
    assert [goal.due < clock.today() for goal in goals] == [True, False]


def test_a_programme_without_groups_is_saved_as_a_draft(path, coordinator):
    programme_id = programmes.create_programme(path, coordinator, ProgrammeInput(name="Nog zonder groepen"), now=NOW)
    assert programmes.programme(path, coordinator, programme_id).groups == []


def test_a_group_belongs_to_at_most_one_programme(path, coordinator, coordinator_programme):
    group_id = coordinator_programme[1]
    with pytest.raises(DomainError) as refused:
        programmes.create_programme(path, coordinator, ProgrammeInput(name="Tweede", group_ids=[group_id]), now=NOW)
    assert (refused.value.key, refused.value.field, refused.value.params) == (
        "programme.group_taken",
        "group_ids",
        {"group": "Balie"},
    )
    assert [p.name for p in programmes.programmes(path, coordinator)] == ["Klantgericht aan de balie"]
    assert group_id not in programmes.free_groups(path, coordinator)


# --- the BLITS phases --------------------------------------------------------------------------------------


def test_the_blits_file_has_five_phases_each_with_conditions_tips_and_pitfalls_in_both_languages():
    phases = programmes.blits().phases
    assert [phase.number for phase in phases] == [0, 1, 2, 3, 4]
    for phase in phases:
        assert phase.conditions and phase.tips and phase.pitfalls
        for language in Language:
            assert phase.name(language) and phase.purpose(language)


def test_a_blits_file_with_a_missing_phase_or_language_is_refused_with_where():
    text = programmes.BLITS_FILE.read_text(encoding="utf-8").replace('en = "Context: the problem', 'xx = "C', 1)
    with pytest.raises(programmes.BlitsFileError) as refused:
        programmes.parse_blits(text)
    assert any("phase 1 (context)" in problem for problem in refused.value.problems)


def test_moving_on_with_all_conditions_ticked_needs_no_reason(path, coordinator, coordinator_programme):
    programme_id = coordinator_programme[0]
    for condition in programmes.phase(0).conditions:
        programmes.tick_condition(path, coordinator, programme_id, condition.id, True, now=NOW)
    programmes.move_phase(path, coordinator, programme_id, 1, now=NOW)
    programme = programmes.programme(path, coordinator, programme_id)
    assert programme.phase == 1
    assert programme.ticked["context.problem"].ticked_by == "Cora Coordinator"
    assert programme.ticked["context.problem"].ticked_at == NOW


def test_moving_on_with_an_open_condition_asks_for_a_reason_and_keeps_it(path, coordinator, coordinator_programme):
    programme_id = coordinator_programme[0]
    programmes.tick_condition(path, coordinator, programme_id, "context.problem", True, now=NOW)
    with pytest.raises(DomainError) as refused:
        programmes.move_phase(path, coordinator, programme_id, 1, "  ", now=NOW)
    assert (refused.value.key, refused.value.field, refused.value.params) == (
        "programme.reason_open_conditions",
        "reason",
        {"count": 3},
    )
    assert programmes.programme(path, coordinator, programme_id).phase == 0
    programmes.move_phase(path, coordinator, programme_id, 1, "The sponsor signs next week", now=NOW)
    moves = programmes.programme(path, coordinator, programme_id).moves
    assert [(m.from_phase, m.to_phase, m.reason, m.open_conditions, m.moved_by) for m in moves] == [
        (0, 1, "The sponsor signs next week", 3, "Cora Coordinator")
    ]


def test_moving_back_is_allowed_with_a_reason_and_kept_in_the_history(path, coordinator, coordinator_programme):
    programme_id = coordinator_programme[0]
    programmes.move_phase(path, coordinator, programme_id, 1, "Starting anyway", now=NOW)
    with pytest.raises(DomainError) as refused:
        programmes.move_phase(path, coordinator, programme_id, 0, now=NOW)
    assert refused.value.key == "programme.reason_moving_back"
    programmes.move_phase(path, coordinator, programme_id, 0, "The sponsor left", now=NOW + timedelta(days=1))
    programme = programmes.programme(path, coordinator, programme_id)
    assert programme.phase == 0
    assert [(m.from_phase, m.to_phase, m.reason) for m in programme.moves] == [
        (0, 1, "Starting anyway"),
        (1, 0, "The sponsor left"),
    ]


def test_a_phase_cannot_be_skipped(path, coordinator, coordinator_programme):
    with pytest.raises(DomainError) as refused:
        programmes.move_phase(path, coordinator, coordinator_programme[0], 2, "hurry", now=NOW)
    assert refused.value.key == "programme.one_phase_at_a_time"


def test_unticking_a_condition_opens_it_again(path, coordinator, coordinator_programme):
    programme_id = coordinator_programme[0]
    programmes.tick_condition(path, coordinator, programme_id, "context.sponsor", True, now=NOW)
    programmes.tick_condition(path, coordinator, programme_id, "context.sponsor", False, now=NOW)
    programme = programmes.programme(path, coordinator, programme_id)
    assert "context.sponsor" in [c.id for c in programme.open_conditions()]


# --- who may see and do what -------------------------------------------------------------------------------


def test_a_facilitator_of_a_linked_group_reads_the_programme_but_cannot_edit(path, coordinator_programme):
    programme_id, _, facilitator, _ = coordinator_programme
    programme = programmes.programme(path, facilitator, programme_id)
    assert programme.name == "Klantgericht aan de balie" and not programme.may_edit
    assert [p.id for p in programmes.programmes(path, facilitator)] == [programme_id]
    with pytest.raises(NotAllowed):
        programmes.save_step(path, facilitator, programme_id, CONCRETE_PROBLEM, now=NOW)
    with pytest.raises(NotAllowed):
        programmes.move_phase(path, facilitator, programme_id, 1, "reason", now=NOW)
    with pytest.raises(NotAllowed):
        programmes.tick_condition(path, facilitator, programme_id, "context.problem", True, now=NOW)


def test_a_member_sees_only_the_name_and_phase_on_the_group(path, coordinator_programme):
    programme_id, group_id, _, member = coordinator_programme
    assert programmes.programmes(path, member) == []
    with pytest.raises(DomainError) as refused:
        programmes.programme(path, member, programme_id)
    assert refused.value.key == "not_allowed"
    assert programmes.programme_of_group(path, member, group_id) == programmes.GroupProgramme(
        "Klantgericht aan de balie", 0
    )


def test_a_facilitator_of_another_group_and_an_outsider_see_nothing(
    path, make_person, make_group, coordinator_programme
):
    programme_id, group_id, _, _ = coordinator_programme
    other = make_person("Otto Other", Role.FACILITATOR)
    make_group("Elders", facilitators=(other,))
    assert programmes.programmes(path, other) == []
    with pytest.raises(DomainError):
        programmes.programme(path, other, programme_id)
    with pytest.raises(NotAllowed):
        programmes.programme_of_group(path, other, group_id)


def test_only_coordinators_create_programmes(path, make_person):
    facilitator = make_person("Fien Facilitator", Role.FACILITATOR)
    with pytest.raises(NotAllowed):
        programmes.create_programme(path, facilitator, ProgrammeInput(name="Mijn traject"), now=NOW)


def test_a_programme_holds_no_case_texts():
    # Nothing in a programme's steps is a case: the steps' fields are the checklist's, named here in full.
    fields = {name for model in programmes.STEPS.values() for name in model.model_fields}
    items = {name for _, model in programmes.ITEMS.values() for name in model.model_fields}
    assert not {name for name in fields | items if "case" in name}


def test_erasing_the_coordinator_keeps_the_programme_without_their_name(
    path, coordinator, make_person, coordinator_programme
):
    programme_id = coordinator_programme[0]
    programmes.tick_condition(path, coordinator, programme_id, "context.problem", True, now=NOW)
    programmes.move_phase(path, coordinator, programme_id, 1, "Go", now=NOW)
    other = make_person("Olga Other", Role.COORDINATOR)
    personal_data.erase_person(path, other, coordinator.id)
    programme = programmes.programme(path, other, programme_id)
    assert programme.ticked["context.problem"].ticked_by is None
    assert programme.moves[0].moved_by is None


def test_the_coordinators_export_holds_what_they_did_in_a_programme(path, coordinator, coordinator_programme):
    programme_id = coordinator_programme[0]
    programmes.save_step(path, coordinator, programme_id, CONCRETE_PROBLEM, now=NOW)
    programmes.tick_condition(path, coordinator, programme_id, "context.problem", True, now=NOW)
    programmes.move_phase(path, coordinator, programme_id, 1, "Sponsor found", now=NOW + timedelta(hours=1))
    exported = json.loads(personal_data.export_my_data(path, coordinator))["programme_actions"]
    assert [(row["programme"], row["action"], row["detail"]) for row in exported] == [
        ("Klantgericht aan de balie", "created", ""),
        ("Klantgericht aan de balie", "saved_step", "problem"),
        ("Klantgericht aan de balie", "ticked_condition", "context.problem"),
        ("Klantgericht aan de balie", "moved_phase", "0 > 1: Sponsor found"),
    ]


def test_a_facilitators_export_holds_no_programme_they_only_read(path, coordinator_programme):
    facilitator = coordinator_programme[2]
    assert json.loads(personal_data.export_my_data(path, facilitator))["programme_actions"] == []


def test_deleting_a_programme_frees_its_groups_and_keeps_them(path, coordinator, coordinator_programme):
    programme_id, group_id, facilitator, _ = coordinator_programme
    with pytest.raises(NotAllowed):
        programmes.delete_programme(path, facilitator, programme_id)
    programmes.delete_programme(path, coordinator, programme_id)
    assert programmes.programmes(path, coordinator) == []
    assert group_id in programmes.free_groups(path, coordinator)
    assert programmes.programme_of_group(path, coordinator, group_id) is None


def test_deleting_a_group_takes_it_out_of_its_programme(path, coordinator, coordinator_programme):
    programme_id, group_id, _, _ = coordinator_programme
    groups.delete_group(path, coordinator, group_id, now=NOW)
    assert programmes.programme(path, coordinator, programme_id).groups == []
