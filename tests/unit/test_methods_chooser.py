"""Choosing a method: the chooser ranks the library for a case, a time, a group, and says why; the library's
filters let through what fits."""

from __future__ import annotations

import pytest

from intervision.methods import (
    Need,
    QuestionType,
    Reason,
    Recommendation,
    Want,
    built_in_library,
    matches,
    recommend,
)
from intervision.models import DevelopmentPhase

FORMING, STORMING, NORMING, PERFORMING = (
    DevelopmentPhase.FORMING,
    DevelopmentPhase.STORMING,
    DevelopmentPhase.NORMING,
    DevelopmentPhase.PERFORMING,
)


def _methods():
    return list(built_in_library().methods.values())


def _method(method_id: str):
    return built_in_library().methods[method_id]


def _need(
    question_type: QuestionType = QuestionType.OWN_BEHAVIOUR,
    wants: tuple[Want, ...] = (),
    minutes: int = 90,
    size: int = 6,
    phase: DevelopmentPhase = NORMING,
) -> Need:
    return Need(
        question_type=question_type,
        wants=list(wants),
        minutes_available=minutes,
        group_size=size,
        group_phase=phase,
    )


def _ranked(need: Need) -> list[Recommendation]:
    return recommend(_methods(), need)


def _for(method_id: str, need: Need) -> Recommendation:
    (recommendation,) = recommend([_method(method_id)], need)
    return recommendation


def _reasons(method_id: str, need: Need) -> dict[str, Reason]:
    return {reason.key: reason for reason in _for(method_id, need).reasons}


def _order(need: Need) -> list[str]:
    return [recommendation.method.id for recommendation in _ranked(need)]


# --- ranking -----------------------------------------------------------------------------------


def test_every_method_is_ranked_once():
    ranked = _order(_need())

    assert sorted(ranked) == sorted(method.id for method in _methods())


def test_methods_that_fit_come_before_methods_that_do_not():
    # 50 minutes, 4 people, a forming group: the long methods and the ones needing safety drop out.
    ranked = _ranked(_need(minutes=50, size=4, phase=FORMING))
    fits = [recommendation.fits for recommendation in ranked]

    assert True in fits and False in fits
    assert fits == sorted(fits, reverse=True)
    fitting_scores = [recommendation.score for recommendation in ranked if recommendation.fits]
    assert fitting_scores == sorted(fitting_scores, reverse=True)


def test_a_method_that_does_not_fit_ranks_below_even_a_weaker_one_that_does():
    need = _need(QuestionType.VALUES, minutes=90)
    ranked = _ranked(need)
    socratic = next(r for r in ranked if r.method.id == "socratic")
    weaker = next(r for r in ranked if r.fits and r.score < socratic.score)

    assert not socratic.fits
    assert ranked.index(weaker) < ranked.index(socratic)


def test_a_behaviour_question_in_an_hour_ranks_the_incident_method_above_six_hats():
    order = _order(_need(QuestionType.OWN_BEHAVIOUR, (Want.QUESTIONS, Want.ADVICE), minutes=60, size=6))

    assert order[0] in {"incident", "five_step"}
    assert order.index("incident") < order.index("six_hats")
    assert order.index("five_step") < order.index("six_hats")
    # The ten-step method and Hendriksen's ten rounds take 90 minutes: not in this hour.
    assert order.index("ten_step") > order.index("six_hats")
    assert order.index("incident_hendriksen") > order.index("six_hats")


def test_a_decision_ranks_six_hats_or_disney_first():
    order = _order(_need(QuestionType.DECISION, (Want.PERSPECTIVES,), minutes=90, size=6))

    assert order[0] in {"six_hats", "disney"}
    assert order.index("disney") < order.index("incident")
    assert order.index("six_hats") < order.index("incident")


def test_a_values_question_ranks_the_socratic_dialogues_first_when_there_is_time():
    assert set(_order(_need(QuestionType.VALUES, minutes=120))[:2]) == {"socratic", "socratic_short"}


def test_a_values_question_without_the_time_for_a_socratic_dialogue_does_not_fit_it():
    recommendation = _for("socratic", _need(QuestionType.VALUES, minutes=90))

    assert not recommendation.fits
    assert "too_long" in {reason.key for reason in recommendation.reasons}


def test_equal_scores_put_the_shorter_method_first():
    # six_hats and solution_focused (50), six_hats_roles (55) and disney (65) serve a decision equally well.
    order = _order(_need(QuestionType.DECISION, (Want.PERSPECTIVES,), minutes=90))

    assert order[:4] == ["six_hats", "solution_focused", "six_hats_roles", "disney"]


# --- reasons -----------------------------------------------------------------------------------


def test_a_question_type_the_method_serves_is_a_reason_for_it():
    reasons = _reasons("incident", _need(QuestionType.OWN_BEHAVIOUR))

    assert reasons["question_fits"] == Reason("question_fits", True, {"question": "own_behaviour"})
    assert "question_other" not in reasons


def test_a_question_type_the_method_is_not_made_for_is_a_reason_against_it():
    need = _need(QuestionType.VALUES)
    reasons = _reasons("incident", need)

    assert reasons["question_other"] == Reason("question_other", False, {"question": "values"})
    assert _for("incident", need).score < _for("incident", _need(QuestionType.OWN_BEHAVIOUR)).score
    # Not a deal breaker: the method can still be used.
    assert _for("incident", need).fits


def test_wants_served_and_missed_are_named_and_weigh_in():
    need = _need(wants=(Want.QUESTIONS, Want.PRACTICE, Want.RECOGNITION))
    reasons = _reasons("incident", need)

    assert reasons["wants_served"] == Reason("wants_served", True, {"wants": ["questions"]})
    assert reasons["wants_missed"] == Reason("wants_missed", False, {"wants": ["practice", "recognition"]})
    served_only = _for("incident", _need(wants=(Want.QUESTIONS,))).score
    nothing_asked = _for("incident", _need()).score
    missed_only = _for("incident", _need(wants=(Want.PRACTICE,))).score
    assert served_only > nothing_asked > missed_only
    assert _for("incident", need).score < served_only


def test_no_wants_gives_neither_served_nor_missed():
    reasons = _reasons("incident", _need(wants=()))

    assert "wants_served" not in reasons and "wants_missed" not in reasons


def test_a_method_longer_than_the_time_available_does_not_fit():
    reasons = _reasons("ten_step", _need(minutes=60))

    assert reasons["too_long"] == Reason("too_long", False, {"minutes": 90, "available": 60})
    assert "fits_time" not in reasons
    assert not _for("ten_step", _need(minutes=60)).fits


def test_a_method_that_takes_exactly_the_time_available_fits():
    reasons = _reasons("ten_step", _need(minutes=90))

    assert reasons["fits_time"] == Reason("fits_time", True, {"minutes": 90, "available": 90})
    assert _for("ten_step", _need(minutes=90)).fits


def test_the_incident_methods_half_minutes_are_shown_as_whole_minutes():
    reasons = _reasons("incident", _need(minutes=60))

    assert reasons["fits_time"].params == {"minutes": 50, "available": 60}


def test_a_group_too_small_for_the_method_does_not_fit():
    # Balint needs at least five members.
    reasons = _reasons("balint", _need(QuestionType.BELIEFS_FEELINGS, minutes=120, size=4))

    assert reasons["too_few_members"] == Reason("too_few_members", False, {"minimum": 5, "size": 4})
    assert not _for("balint", _need(QuestionType.BELIEFS_FEELINGS, minutes=120, size=4)).fits
    assert _for("balint", _need(QuestionType.BELIEFS_FEELINGS, minutes=120, size=5)).fits


def test_a_group_too_large_for_the_method_does_not_fit():
    # Disney works with at most eight.
    reasons = _reasons("disney", _need(QuestionType.DECISION, size=9))

    assert reasons["too_many_members"] == Reason("too_many_members", False, {"maximum": 8, "size": 9})
    assert not _for("disney", _need(QuestionType.DECISION, size=9)).fits
    assert _reasons("disney", _need(QuestionType.DECISION, size=8))["size_fits"].fits


@pytest.mark.parametrize("method_id", ["gossip", "balint", "incident_gossip"])
@pytest.mark.parametrize("phase", [FORMING, STORMING], ids=["forming", "storming"])
def test_a_method_needing_safety_does_not_fit_a_group_that_is_not_safe_yet(method_id, phase):
    need = _need(QuestionType.BELIEFS_FEELINGS, minutes=120, size=6, phase=phase)
    recommendation = _for(method_id, need)
    reasons = {reason.key: reason for reason in recommendation.reasons}

    assert reasons["needs_safety"] == Reason("needs_safety", False, {"phase": phase.value})
    assert "phase_fits" not in reasons
    assert not recommendation.fits


@pytest.mark.parametrize("method_id", ["gossip", "balint"])
@pytest.mark.parametrize("phase", [NORMING, PERFORMING], ids=["norming", "performing"])
def test_a_method_needing_safety_fits_a_mature_group(method_id, phase):
    recommendation = _for(method_id, _need(QuestionType.BELIEFS_FEELINGS, minutes=120, size=6, phase=phase))
    reasons = {reason.key: reason for reason in recommendation.reasons}

    assert "needs_safety" not in reasons
    assert reasons["phase_fits"] == Reason("phase_fits", True, {"phase": phase.value})
    assert recommendation.fits


def test_the_incident_method_fits_a_forming_group():
    reasons = _reasons("incident", _need(phase=FORMING))

    assert reasons["phase_fits"].fits
    assert "needs_safety" not in reasons


def test_a_group_phase_the_method_is_not_meant_for_counts_against_it_but_does_not_rule_it_out():
    # The five-step method is for forming to norming groups.
    performing = _for("five_step", _need(phase=PERFORMING))
    norming = _for("five_step", _need(phase=NORMING))

    assert {reason.key for reason in performing.reasons} >= {"phase_other"}
    assert performing.fits
    assert performing.score < norming.score


def test_a_safe_group_gets_the_gossip_method_above_a_forming_one():
    need = _need(QuestionType.BELIEFS_FEELINGS, (Want.RECOGNITION,), minutes=60, size=6)

    safe = _order(need)
    forming = _order(need.model_copy(update={"group_phase": FORMING}))

    assert safe.index("gossip") < forming.index("gossip")
    assert safe[0] == "gossip"


# --- filters -----------------------------------------------------------------------------------


def test_empty_filters_let_every_method_through():
    assert all(matches(method, [], None, None, None) for method in _methods())


def test_the_question_type_filter_keeps_methods_for_any_of_the_chosen_types():
    def kept(types):
        return {method.id for method in _methods() if matches(method, types, None, None, None)}

    assert kept([QuestionType.VALUES]) == {"socratic", "socratic_short"}
    assert kept([QuestionType.VALUES, QuestionType.DECISION]) == {
        "socratic",
        "socratic_short",
        "solution_focused",
        "six_hats",
        "six_hats_roles",
        "disney",
    }
    assert "incident" in kept([QuestionType.OWN_BEHAVIOUR])
    assert "gossip" not in kept([QuestionType.OWN_BEHAVIOUR])


def test_the_time_filter_keeps_methods_that_take_at_most_the_time():
    incident = _method("incident")  # 50 minutes

    assert matches(incident, [], 50, None, None)
    assert not matches(incident, [], 49, None, None)
    assert not matches(_method("socratic"), [], 90, None, None)


def test_the_size_filter_keeps_methods_for_a_group_of_that_size():
    balint = _method("balint")  # five to ten members

    assert not matches(balint, [], None, 4, None)
    assert matches(balint, [], None, 5, None)
    assert matches(balint, [], None, 10, None)
    assert not matches(balint, [], None, 11, None)


def test_the_phase_filter_keeps_methods_for_a_group_in_that_phase():
    gossip = _method("gossip")

    assert not matches(gossip, [], None, None, FORMING)
    assert matches(gossip, [], None, None, NORMING)
    assert matches(_method("incident"), [], None, None, FORMING)


def test_all_filters_must_hold_together():
    disney = _method("disney")  # decision, 65 minutes, 4-8, storming to performing

    assert matches(disney, [QuestionType.DECISION], 90, 6, NORMING)
    assert not matches(disney, [QuestionType.OWN_BEHAVIOUR], 90, 6, NORMING)
    assert not matches(disney, [QuestionType.DECISION], 60, 6, NORMING)
    assert not matches(disney, [QuestionType.DECISION], 90, 9, NORMING)
    assert not matches(disney, [QuestionType.DECISION], 90, 6, FORMING)
