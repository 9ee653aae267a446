"""What the chooser knows about a group: its size, phase and session length, the case's question, and the
group's own safety score only when enough members answered. The console and the method library both ask
`chooser_need`, so they rank the same case alike (tests/app/test_console.py shows it on both screens)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from unit_support import NOW

from intervision import db, store, surveys
from intervision.method_choice import chooser_need
from intervision.methods import MeasuredSafety
from intervision.models import Case, DevelopmentPhase, Person, QuestionType, ReportItem, Role, Want

SAFETY = "psychological_safety"


@pytest.fixture
def group(path: Path, make_person, make_group) -> tuple[int, Person, list[Person]]:
    with db.writing(path) as conn:
        store.create_organisation(conn, "Test Org", is_demo=False, now=NOW)
    facilitator = make_person("Fay Facilitator", Role.FACILITATOR)
    members = [make_person(name) for name in ("Ann", "Bob", "Cas", "Dee", "Eve")]
    group_id = make_group(
        facilitators=(facilitator,),
        members=tuple(members),
        session_minutes=75,
        development_phase=DevelopmentPhase.STORMING,
    )
    return group_id, facilitator, members


def _case(question_type: QuestionType | None, wants: list[Want]) -> Case:
    # Only the question and the wants matter to the chooser; the rest of a case stays out of it.
    return Case.model_construct(question_type=question_type, wants=wants)


def _safety_wave(path: Path, group, answer_value: int, respondents: int, minutes: int = 0, close: bool = True):
    group_id, facilitator, members = group
    instrument = surveys.instruments(path)[SAFETY]
    when = NOW + timedelta(minutes=minutes)
    wave = surveys.open_wave(path, facilitator, group_id, SAFETY, "after_session", now=when)
    answers = {
        item.id: instrument.lowest + instrument.highest - answer_value if item.reverse else answer_value
        for item in instrument.items
    }
    for member in members[:respondents]:
        surveys.answer(path, member, wave, answers, now=when)
    if close:
        surveys.close_wave(path, facilitator, wave, now=when + timedelta(minutes=1))
    return instrument


def test_the_group_gives_size_phase_and_session_length(path, group):
    group_id, facilitator, _ = group

    need = chooser_need(path, facilitator, group_id, None)

    assert need.group_size == 5, "the five members; the facilitator only guides"
    assert need.group_phase is DevelopmentPhase.STORMING
    assert need.minutes_available == 75
    assert chooser_need(path, facilitator, group_id, None, minutes=50).minutes_available == 50


def test_the_case_gives_the_question_and_what_its_bringer_wants(path, group):
    group_id, facilitator, _ = group

    need = chooser_need(path, facilitator, group_id, _case(QuestionType.STUCK, [Want.RECOGNITION]))

    assert need.question_type is QuestionType.STUCK
    assert need.wants == [Want.RECOGNITION]


@pytest.mark.parametrize("case", [None, _case(None, [])], ids=["told on the spot", "no question type"])
def test_without_a_question_type_the_chooser_starts_from_own_behaviour(path, group, case):
    group_id, facilitator, _ = group

    need = chooser_need(path, facilitator, group_id, case)

    assert need.question_type is QuestionType.OWN_BEHAVIOUR
    assert need.wants == []


def test_the_facilitators_pick_counts_only_when_the_case_does_not_say(path, group):
    group_id, facilitator, _ = group

    picked = chooser_need(path, facilitator, group_id, None, question_type=QuestionType.UNCLEAR)
    case_says = chooser_need(
        path, facilitator, group_id, _case(QuestionType.VALUES, []), question_type=QuestionType.UNCLEAR
    )

    assert picked.question_type is QuestionType.UNCLEAR
    assert case_says.question_type is QuestionType.VALUES


def test_no_safety_score_before_a_survey_closed(path, group):
    group_id, facilitator, _ = group
    assert chooser_need(path, facilitator, group_id, None).safety is None

    _safety_wave(path, group, 4, respondents=5, close=False)

    assert chooser_need(path, facilitator, group_id, None).safety is None, "an open survey does not count"


def test_no_safety_score_when_fewer_than_the_threshold_answered(path, group):
    group_id, facilitator, _ = group
    _safety_wave(path, group, 2, respondents=2)

    assert surveys.threshold(path) == 3
    assert chooser_need(path, facilitator, group_id, None).safety is None


def test_the_latest_closed_survey_gives_the_safety_score(path, group):
    group_id, facilitator, _ = group
    _safety_wave(path, group, 2, respondents=4)
    instrument = _safety_wave(path, group, 4, respondents=3, minutes=60)
    _safety_wave(path, group, 1, respondents=5, minutes=120, close=False)

    safety = chooser_need(path, facilitator, group_id, None).safety

    assert safety == MeasuredSafety(score=4.0, lowest=instrument.lowest, highest=instrument.highest)
    assert chooser_need(path, group[2][0], group_id, None).safety == safety, "a member reads it alike"


def test_a_coordinator_the_group_does_not_report_to_ranks_without_its_safety_score(path, group, coordinator):
    group_id, _, _ = group
    _safety_wave(path, group, 4, respondents=5)
    with db.reading(path) as conn:
        assert not store.group(conn, group_id).reports(ReportItem.SURVEY_AGGREGATES)

    need = chooser_need(path, coordinator, group_id, None)

    assert need.safety is None
    assert need.group_size == 5
