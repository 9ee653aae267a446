"""Methods of one's own: the editor's drafts lose nothing, custom methods keep every version, are seen by
the right people only, and a planned session keeps the version it was planned with."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from pydantic import ValidationError
from unit_support import NOW

from intervision import db, groups, membership, method_library
from intervision.errors import DomainError, NotAllowed
from intervision.method_drafts import (
    add_phase,
    blank_draft,
    display_name,
    draft_from_method,
    field_of,
    method_from_draft,
    move_phase,
    remove_phase,
)
from intervision.methods import built_in_library
from intervision.models import GroupRole, Language, MeetingInput, Role

BUILT_IN = sorted(built_in_library().methods)
COPY = {"nl": "{name} (kopie)", "en": "{name} (copy)"}
LATER = NOW + timedelta(hours=1)


def _built_in(method_id: str):
    return built_in_library().methods[method_id]


def _problems(draft) -> list[tuple]:
    with pytest.raises(ValidationError) as refused:
        method_from_draft(draft)
    return [tuple(error["loc"]) for error in refused.value.errors()]


def _set(draft, **values):
    """The draft with some fields typed in (field names use '__' for '.')."""
    return draft | {"values": draft["values"] | {k.replace("__", "."): v for k, v in values.items()}}


# --- drafts ------------------------------------------------------------------------------------


@pytest.mark.parametrize("method_id", BUILT_IN)
def test_the_editor_loses_nothing_of_a_built_in_method(method_id):
    method = _built_in(method_id)

    again = method_from_draft(draft_from_method(method))

    # The version is not the editor's to keep: saving gives the method its next one.
    assert again == method.model_copy(update={"version": 1})


@pytest.mark.parametrize("method_id", BUILT_IN)
def test_a_draft_kept_as_json_loses_nothing_either(method_id):
    method = _built_in(method_id)

    stored = json.loads(json.dumps(draft_from_method(method)))

    assert method_from_draft(stored) == method.model_copy(update={"version": 1})


@pytest.mark.parametrize("method_id", ["incident_gossip", "incident_hendriksen", "six_hats_roles"])
def test_the_editor_keeps_what_a_variant_is_a_variant_of(method_id):
    method = _built_in(method_id)

    assert method_from_draft(draft_from_method(method)).variant_of == method.variant_of


def test_a_copy_has_no_id_and_is_named_a_copy():
    incident = _built_in("incident")

    draft = draft_from_method(incident, copy_names=COPY)

    assert draft["id"] is None
    assert display_name(draft, Language.EN) == "Incident method (copy)"
    assert display_name(draft, Language.NL) == "Incidentmethode (kopie)"
    copy = method_from_draft(draft)
    assert copy.id != "incident"
    assert copy.name.en == "Incident method (copy)"
    assert copy.phases == incident.phases


def test_the_name_of_a_copy_is_cut_to_the_longest_name_allowed():
    incident = _built_in("incident")
    long_name = incident.model_copy(update={"name": incident.name.model_copy(update={"en": "N" * 118})})

    copy = method_from_draft(draft_from_method(long_name, copy_names=COPY))

    assert len(copy.name.en) == 120
    assert copy.name.en.startswith("N" * 118)


def test_a_phase_added_to_a_draft_comes_last_with_its_own_key_and_counts_in_the_total():
    incident = _built_in("incident")
    draft = add_phase(draft_from_method(incident))
    key = draft["phases"][-1]

    assert key not in [phase.id for phase in incident.phases]
    assert len(draft["phases"]) == 7
    draft = _set(
        draft,
        **{
            f"p__{key}__name__nl": "Afronden",
            f"p__{key}__name__en": "Close",
            f"p__{key}__purpose__nl": "We ronden af.",
            f"p__{key}__purpose__en": "We close.",
            f"p__{key}__minutes": 5,
        },
    )
    method = method_from_draft(draft)

    assert [phase.id for phase in method.phases][-1] == key
    assert method.phases[-1].name.en == "Close"
    assert method.total_minutes == 55


def test_added_phases_never_share_a_key():
    draft = blank_draft("Mine")
    for _ in range(3):
        draft = add_phase(draft)
    draft = remove_phase(draft, draft["phases"][1])
    draft = add_phase(draft)

    assert len(set(draft["phases"])) == len(draft["phases"]) == 4


def test_removing_phase_1_leaves_phase_10_alone():
    draft = blank_draft("Mine")
    for _ in range(9):
        draft = add_phase(draft)
    assert draft["phases"][0] == "phase_1" and draft["phases"][-1] == "phase_10"

    draft = remove_phase(draft, "phase_1")

    assert "phase_10" in draft["phases"]
    assert draft["values"]["p.phase_10.minutes"] == 10
    assert not any(key.startswith("p.phase_1.") for key in draft["values"])


def test_moving_a_phase_changes_the_order_of_the_method():
    draft = draft_from_method(_built_in("incident"))

    draft = move_phase(draft, "solutions", -1)
    assert [phase.id for phase in method_from_draft(draft).phases][3:5] == ["solutions", "diagnosis"]

    draft = move_phase(draft, "choose_incident", 1)
    assert draft["phases"][:2] == ["explain_question", "choose_incident"]


def test_moving_a_phase_past_either_end_stops_at_the_end():
    draft = draft_from_method(_built_in("incident"))

    assert move_phase(draft, "choose_incident", -3)["phases"] == draft["phases"]
    assert move_phase(draft, "choice", 5)["phases"] == draft["phases"]
    assert move_phase(draft, "choose_incident", 99)["phases"][-1] == "choose_incident"


def test_removing_a_phase_drops_its_fields_and_its_minutes():
    draft = remove_phase(draft_from_method(_built_in("incident")), "diagnosis")

    method = method_from_draft(draft)

    assert "diagnosis" not in [phase.id for phase in method.phases]
    assert not any(key.startswith("p.diagnosis.") for key in draft["values"])
    assert method.total_minutes == 42.5


@pytest.mark.parametrize("phase", ["dreamer", "critic"])
def test_removing_a_phase_a_cycle_starts_or_ends_at_drops_the_cycle(phase):
    draft = remove_phase(draft_from_method(_built_in("disney")), phase)

    method = method_from_draft(draft)

    assert draft["cycles"] == []
    assert method.cycles == []


def test_removing_a_phase_outside_the_cycle_keeps_the_cycle():
    method = method_from_draft(remove_phase(draft_from_method(_built_in("disney")), "meta_enter"))

    assert [(cycle.first_phase, cycle.last_phase) for cycle in method.cycles] == [("dreamer", "critic")]


def test_removing_a_hat_drops_the_sequences_that_wear_it():
    method = method_from_draft(remove_phase(draft_from_method(_built_in("six_hats")), "red"))

    assert [sequence.id for sequence in method.sequences] == ["identifying_solutions", "quick_feedback"]


def test_a_blank_draft_is_not_a_method_yet_and_every_problem_points_at_a_field():
    draft = blank_draft("My method")

    problems = _problems(draft)

    fields = {field_of(draft, location) for location in problems}
    assert {"summary.nl", "summary.en", "sources", "question_types", "wants", "group_phases"} <= fields
    assert {"p.phase_1.name.nl", "p.phase_1.purpose.en"} <= fields
    assert fields - {""} <= set(draft["values"])


@pytest.mark.parametrize(
    "typed, field",
    [
        ({"p__information_round__name__nl": ""}, "p.information_round.name.nl"),
        ({"p__information_round__purpose__en": "x" * 1001}, "p.information_round.purpose.en"),
        ({"p__diagnosis__minutes": -1}, "p.diagnosis.minutes"),
        ({"p__choice__prompts__en": "Only one line"}, "p.choice.prompts.nl"),
        ({"p__choice__prompts__en": "x" * 1001 + "\nsecond"}, "p.choice.prompts.en"),
        ({"min_members": 1}, "min_members"),
        ({"min_members": 12}, ""),  # more than the maximum: a problem of the suitability as a whole
        ({"sources": ""}, "sources"),
        ({"sources": "y" * 1001}, "sources"),
        ({"name__en": ""}, "name.en"),
        ({"summary__nl": "z" * 1001}, "summary.nl"),
    ],
)
def test_a_problem_is_shown_next_to_the_field_it_is_about(typed, field):
    draft = _set(draft_from_method(_built_in("incident")), **typed)

    problems = _problems(draft)

    assert len(problems) == 1, problems
    assert field_of(draft, problems[0]) == field
    assert field == "" or field in draft["values"]


def test_a_problem_follows_its_phase_when_phases_are_moved():
    draft = _set(draft_from_method(_built_in("incident")), p__diagnosis__minutes=0)
    draft = move_phase(draft, "diagnosis", -3)

    (location,) = _problems(draft)

    assert location[:2] == ("phases", 0)
    assert field_of(draft, location) == "p.diagnosis.minutes"


def test_a_problem_of_the_method_as_a_whole_has_no_field():
    draft = move_phase(draft_from_method(_built_in("disney")), "critic", -3)  # the cycle now runs backwards

    (location,) = _problems(draft)

    assert field_of(draft, location) == ""


# --- custom methods ----------------------------------------------------------------------------


@pytest.fixture
def fay(make_person):
    return make_person("Fay Facilitator", Role.FACILITATOR)


@pytest.fixture
def own_group(make_group, fay, make_person):
    """Fay facilitates Team North; Pim takes part in it."""
    pim = make_person("Pim Participant")
    return make_group("Team North", facilitators=(fay,), members=(pim,)), pim


def _copy_of_incident():
    return method_from_draft(draft_from_method(_built_in("incident"), copy_names=COPY))


def _changed(method, minutes: float = 20):
    """The method with its information round made longer, through the editor."""
    draft = _set(draft_from_method(method), p__information_round__minutes=minutes)
    return method_from_draft(draft)


def _ids(person, path) -> set[str]:
    return {entry.method.id for entry in method_library.available_methods(path, person)}


def _custom_ids(person, path) -> set[str]:
    return {entry.method.id for entry in method_library.available_methods(path, person) if entry.custom}


def test_a_facilitator_saves_a_new_method_as_custom_1_version_1(path, fay):
    saved = method_library.save_custom_method(path, fay, _copy_of_incident(), now=NOW)

    assert (saved.id, saved.version) == ("custom_1", 1)
    entry = method_library.method_entry(path, fay, "custom_1")
    assert entry.custom and entry.author == "Fay Facilitator" and entry.author_id == fay.id
    assert entry.method == saved
    assert entry.method.name.en == "Incident method (copy)"
    assert entry.editable_by(fay)
    assert set(BUILT_IN) <= _ids(fay, path)  # the built-in ones stay available too


def test_a_second_new_method_gets_the_next_id(path, fay):
    method_library.save_custom_method(path, fay, _copy_of_incident(), now=NOW)

    second = method_library.save_custom_method(path, fay, _copy_of_incident(), now=NOW)

    assert (second.id, second.version) == ("custom_2", 1)


def test_a_copy_of_a_variant_is_a_method_of_its_own(path, fay):
    copy = method_from_draft(draft_from_method(_built_in("incident_hendriksen"), copy_names=COPY))

    saved = method_library.save_custom_method(path, fay, copy, now=NOW)

    assert saved.id == "custom_1"
    assert saved.variant_of is None


def test_saving_a_method_again_makes_version_2_and_keeps_version_1(path, fay):
    first = method_library.save_custom_method(path, fay, _copy_of_incident(), now=NOW)

    second = method_library.save_custom_method(path, fay, _changed(first), now=LATER)

    assert (second.id, second.version) == ("custom_1", 2)
    as_first_run = method_library.method_as_run(path, "custom_1", 1)
    as_second_run = method_library.method_as_run(path, "custom_1", 2)
    assert as_first_run == first
    assert as_second_run == second
    assert as_first_run != as_second_run
    assert as_first_run.phases[2].minutes == 15 and as_second_run.phases[2].minutes == 20
    assert as_second_run.total_minutes == 55
    assert method_library.method_entry(path, fay, "custom_1").method.version == 2
    assert method_library.method_as_run(path, "custom_1", 3) is None


def test_another_facilitator_may_not_change_someone_elses_method(path, fay, make_person, make_group):
    first = method_library.save_custom_method(path, fay, _copy_of_incident(), now=NOW)
    gus = make_person("Gus Facilitator", Role.FACILITATOR)
    make_group("Team Gus", facilitators=(gus,))

    with pytest.raises(NotAllowed):
        method_library.save_custom_method(path, gus, _changed(first), now=LATER)

    assert method_library.method_as_run(path, "custom_1", 2) is None
    entry = method_library.method_entry(path, fay, "custom_1")
    assert entry.method == first and entry.author_id == fay.id
    assert not entry.editable_by(gus)


def test_a_refused_save_keeps_the_editors_draft(path, fay, make_person):
    first = method_library.save_custom_method(path, fay, _copy_of_incident(), now=NOW)
    gus = make_person("Gus Facilitator", Role.FACILITATOR)
    draft = draft_from_method(_changed(first))
    method_library.save_draft(path, gus, draft, now=NOW)

    with pytest.raises(NotAllowed):
        method_library.save_custom_method(path, gus, method_from_draft(draft), now=LATER)

    assert method_library.draft_of(path, gus) == draft


def test_another_facilitator_sees_a_method_only_when_in_a_group_its_author_facilitates(
    path, fay, own_group, coordinator, make_person, make_group
):
    group_id, _ = own_group
    method_library.save_custom_method(path, fay, _copy_of_incident(), now=NOW)
    gus = make_person("Gus Facilitator", Role.FACILITATOR)
    make_group("Team Gus", facilitators=(gus,), members=(fay,))  # Fay only takes part in Gus's group

    assert "custom_1" not in _ids(gus, path)
    assert method_library.method_entry(path, gus, "custom_1") is None

    invitation = membership.invite(path, coordinator, group_id, gus.id, GroupRole.MEMBER, now=NOW)
    membership.accept(path, gus, invitation, now=NOW)

    assert "custom_1" in _ids(gus, path)
    assert not method_library.method_entry(path, gus, "custom_1").editable_by(gus)


def test_a_co_facilitator_of_the_authors_group_sees_the_method(path, fay, make_person, make_group):
    gus = make_person("Gus Facilitator", Role.FACILITATOR)
    make_group("Team Both", facilitators=(fay, gus))
    method_library.save_custom_method(path, fay, _copy_of_incident(), now=NOW)

    assert "custom_1" in _ids(gus, path)


def test_a_participant_in_the_authors_group_sees_the_method(path, fay, own_group):
    _, pim = own_group
    method_library.save_custom_method(path, fay, _copy_of_incident(), now=NOW)

    assert "custom_1" in _ids(pim, path)
    entry = method_library.method_entry(path, pim, "custom_1")
    assert not entry.editable_by(pim)


def test_a_stranger_does_not_see_the_method(path, fay, own_group, make_person, make_group):
    method_library.save_custom_method(path, fay, _copy_of_incident(), now=NOW)
    stranger = make_person("Sam Stranger")
    make_group("Team South", members=(stranger,))
    lonely = make_person("Lou Lonely", Role.FACILITATOR)

    assert _custom_ids(stranger, path) == set()
    assert _custom_ids(lonely, path) == set()
    assert set(BUILT_IN) <= _ids(stranger, path)


def test_a_coordinator_sees_every_custom_method(path, fay, coordinator, make_person, make_group):
    gus = make_person("Gus Facilitator", Role.FACILITATOR)
    make_group("Team Gus", facilitators=(gus,))
    method_library.save_custom_method(path, fay, _copy_of_incident(), now=NOW)
    method_library.save_custom_method(path, gus, _copy_of_incident(), now=NOW)

    assert _custom_ids(coordinator, path) == {"custom_1", "custom_2"}
    assert _custom_ids(fay, path) == {"custom_1"}
    assert _custom_ids(gus, path) == {"custom_2"}


def test_a_shared_method_is_seen_by_everyone_and_unsharing_takes_it_back(path, fay, coordinator, make_person):
    method_library.save_custom_method(path, fay, _copy_of_incident(), now=NOW)
    stranger = make_person("Sam Stranger")

    method_library.share_method(path, coordinator, "custom_1", True)

    assert "custom_1" in _ids(stranger, path)
    assert method_library.method_entry(path, stranger, "custom_1").shared
    assert not method_library.method_entry(path, stranger, "custom_1").editable_by(stranger)

    method_library.share_method(path, coordinator, "custom_1", False)

    assert "custom_1" not in _ids(stranger, path)


def test_only_a_coordinator_shares_a_method(path, fay):
    method_library.save_custom_method(path, fay, _copy_of_incident(), now=NOW)

    with pytest.raises(NotAllowed):
        method_library.share_method(path, fay, "custom_1", True)


def test_sharing_a_method_that_does_not_exist_is_refused(path, coordinator):
    with pytest.raises(DomainError) as refused:
        method_library.share_method(path, coordinator, "custom_9", True)

    assert refused.value.key == "method_not_found"


def test_a_participant_without_groups_cannot_create_methods(path, make_person):
    pia = make_person("Pia Participant")

    assert not method_library.may_create_methods(path, pia)
    with pytest.raises(NotAllowed):
        method_library.save_custom_method(path, pia, _copy_of_incident(), now=NOW)
    assert _custom_ids(pia, path) == set()


def test_a_participant_who_only_takes_part_cannot_create_methods(path, own_group):
    _, pim = own_group

    assert not method_library.may_create_methods(path, pim)


def test_a_participant_who_facilitates_a_group_can_create_methods(path, make_person, make_group):
    pia = make_person("Pia Participant")
    make_group("Team Pia", facilitators=(pia,))

    assert method_library.may_create_methods(path, pia)
    assert method_library.save_custom_method(path, pia, _copy_of_incident(), now=NOW).id == "custom_1"


def test_facilitators_and_coordinators_can_create_methods(path, fay, coordinator):
    assert method_library.may_create_methods(path, fay)
    assert method_library.may_create_methods(path, coordinator)


# --- sessions keep the version they were planned with -----------------------------------------


def _plan(path, viewer, group_id, method_id):
    form = MeetingInput(group_id=group_id, starts_at=NOW + timedelta(days=7), minutes=90, method_id=method_id)
    return groups.plan_session(path, viewer, form, now=NOW)


def _next_session(path, group_id):
    return groups.next_sessions(path, [group_id], now=NOW)[group_id]


def test_a_planned_session_keeps_the_version_of_its_method(path, fay, own_group):
    group_id, _ = own_group
    first = method_library.save_custom_method(path, fay, _copy_of_incident(), now=NOW)
    _plan(path, fay, group_id, "custom_1")

    method_library.save_custom_method(path, fay, _changed(first), now=LATER)

    session = _next_session(path, group_id)
    assert (session.method_id, session.method_version) == ("custom_1", 1)
    assert method_library.method_as_run(path, session.method_id, session.method_version) == first


def test_a_session_planned_after_the_change_gets_the_new_version(path, fay, own_group):
    group_id, _ = own_group
    first = method_library.save_custom_method(path, fay, _copy_of_incident(), now=NOW)
    second = method_library.save_custom_method(path, fay, _changed(first), now=LATER)

    _plan(path, fay, group_id, "custom_1")

    session = _next_session(path, group_id)
    assert session.method_version == 2
    assert method_library.method_as_run(path, "custom_1", 2) == second


def test_a_session_with_a_built_in_method_pins_it_too(path, fay, own_group):
    group_id, _ = own_group

    _plan(path, fay, group_id, "disney")

    session = _next_session(path, group_id)
    disney = _built_in("disney")
    assert (session.method_id, session.method_version) == ("disney", disney.version)
    assert method_library.method_as_run(path, "disney", disney.version) == disney


def test_a_version_once_kept_never_changes(path, fay, own_group):
    group_id, _ = own_group
    _plan(path, fay, group_id, "disney")
    disney = _built_in("disney")
    # The library's file is edited without raising its version: what the session ran stays as it was.
    edited = disney.model_copy(update={"summary": disney.summary.model_copy(update={"en": "Changed."})})
    assert edited != disney

    with db.writing(path) as conn:
        assert method_library.pin_version(conn, edited, LATER) == disney.version

    assert method_library.method_as_run(path, "disney", disney.version) == disney


def test_a_session_cannot_be_planned_with_a_method_the_planner_cannot_see(path, fay, make_person, make_group):
    method_library.save_custom_method(path, fay, _copy_of_incident(), now=NOW)
    gus = make_person("Gus Facilitator", Role.FACILITATOR)
    gus_group = make_group("Team Gus", facilitators=(gus,))

    with pytest.raises(DomainError) as refused:
        _plan(path, gus, gus_group, "custom_1")

    assert (refused.value.key, refused.value.field) == ("method_not_found", "method_id")
    assert groups.next_sessions(path, [gus_group], now=NOW) == {}


# --- drafts in the database --------------------------------------------------------------------


def test_a_saved_draft_comes_back_and_is_dropped_once_the_method_is_saved(path, fay):
    draft = _set(draft_from_method(_built_in("clinic"), copy_names=COPY), p__introduction__minutes=7)
    method_library.save_draft(path, fay, draft, now=NOW)

    kept = method_library.draft_of(path, fay)

    assert kept == draft
    assert method_from_draft(kept) == method_from_draft(draft)

    method_library.save_custom_method(path, fay, method_from_draft(kept), now=LATER)

    assert method_library.draft_of(path, fay) is None


def test_a_draft_is_saved_over_and_belongs_to_its_author(path, fay, make_person):
    gus = make_person("Gus Facilitator", Role.FACILITATOR)
    method_library.save_draft(path, fay, blank_draft("First"), now=NOW)
    method_library.save_draft(path, fay, blank_draft("Second"), now=LATER)

    assert display_name(method_library.draft_of(path, fay), Language.NL) == "Second"
    assert method_library.draft_of(path, gus) is None


def test_a_draft_can_be_thrown_away(path, fay):
    method_library.save_draft(path, fay, blank_draft("Mine"), now=NOW)

    method_library.drop_draft(path, fay)

    assert method_library.draft_of(path, fay) is None
