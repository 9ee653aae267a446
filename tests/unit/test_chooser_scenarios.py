"""The chooser against the judgement of a trained facilitator: scenarios written from the domain guide
(DOMAIN.md sections 2 and 6), each with the methods that must and must not be among the recommended three.

A scenario names the case (question type, what the case bringer wants), the session's minutes, the group
(members working on the case, its phase) and the group's measured psychological safety: SAFE and UNSAFE
are mean scores on a 1–5 safety scale, above and below the chooser's line for "low". "a|b" in `must` means
one form of a method or the other (the top three holds one form of a method, not also its variant).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from intervision.methods import MeasuredSafety, Need, QuestionType, Standing, Want, built_in_library, recommend
from intervision.models import DevelopmentPhase

Q = QuestionType
W = Want
FORMING, STORMING, NORMING, PERFORMING = (
    DevelopmentPhase.FORMING,
    DevelopmentPhase.STORMING,
    DevelopmentPhase.NORMING,
    DevelopmentPhase.PERFORMING,
)
SAFE = MeasuredSafety(score=4.2, lowest=1, highest=5)
UNSAFE = MeasuredSafety(score=2.8, lowest=1, highest=5)
NEED_SAFETY = {"gossip", "balint", "reflecting_team", "core_reflection", "incident_gossip"}


@dataclass(frozen=True)
class Scenario:
    id: str
    question: QuestionType
    minutes: int
    size: int
    phase: DevelopmentPhase
    must: frozenset[str]
    must_not: frozenset[str]
    wants: tuple[Want, ...] = ()
    safety: MeasuredSafety | None = None
    why: str = field(default="", compare=False)

    def need(self) -> Need:
        return Need(
            question_type=self.question,
            wants=list(self.wants),
            minutes_available=self.minutes,
            group_size=self.size,
            group_phase=self.phase,
            safety=self.safety,
        )


def s(
    id: str,
    question: QuestionType,
    minutes: int,
    size: int,
    phase: DevelopmentPhase,
    must: set[str],
    must_not: set[str],
    wants: tuple[Want, ...] = (),
    safety: MeasuredSafety | None = None,
    why: str = "",
) -> Scenario:
    return Scenario(id, question, minutes, size, phase, frozenset(must), frozenset(must_not), wants, safety, why)


# fmt: off
SCENARIOS = [
    # A decision or a plan → six hats, Disney, solution-focused.
    s("decision-forming-45", Q.DECISION, 45, 6, FORMING, {"six_hats|six_hats_roles", "solution_focused"},
      {"gossip", "balint", "disney", "incident"}, why="six hats shortened by 5; Disney's 65 minutes cannot fit 45"),
    s("decision-norming-90-perspectives", Q.DECISION, 90, 6, NORMING, {"six_hats|six_hats_roles", "disney"},
      {"incident", "five_step", "gossip"}, wants=(W.PERSPECTIVES,)),
    s("decision-9-people", Q.DECISION, 90, 9, NORMING, {"six_hats|six_hats_roles", "solution_focused"}, {"disney"},
      why="Disney works with at most 8"),
    s("decision-storming-60-unsafe", Q.DECISION, 60, 6, STORMING, {"six_hats|six_hats_roles", "solution_focused"},
      {"gossip", "balint", "incident"}, safety=UNSAFE),
    s("decision-performing-75-advice", Q.DECISION, 75, 7, PERFORMING, {"disney"}, {"incident", "socratic"},
      wants=(W.ADVICE, W.PERSPECTIVES)),
    # Beliefs and feelings → U-procedure (safe for a young group); gossip, Balint, reflecting team and core
    # reflection only in a safe, mature group.
    s("beliefs-forming-60", Q.BELIEFS_FEELINGS, 60, 6, FORMING, {"u_procedure"}, NEED_SAFETY),
    s("beliefs-storming-120", Q.BELIEFS_FEELINGS, 120, 6, STORMING, {"u_procedure"}, NEED_SAFETY),
    s("beliefs-performing-safe-8-120", Q.BELIEFS_FEELINGS, 120, 8, PERFORMING, {"balint", "gossip"},
      {"incident", "six_hats", "five_step"}, wants=(W.PERSPECTIVES, W.RECOGNITION), safety=SAFE),
    s("beliefs-performing-unsafe-120", Q.BELIEFS_FEELINGS, 120, 8, PERFORMING, {"u_procedure"}, NEED_SAFETY,
      safety=UNSAFE, why="the group's own score outweighs its phase"),
    s("beliefs-performing-4-people", Q.BELIEFS_FEELINGS, 60, 4, PERFORMING, {"gossip"}, {"balint"},
      why="Balint from 5"),
    s("beliefs-norming-45", Q.BELIEFS_FEELINGS, 45, 6, NORMING, {"gossip"}, {"balint", "incident"},
      why="Balint's 110 minutes cannot be shortened to 45"),
    s("beliefs-norming-3-people", Q.BELIEFS_FEELINGS, 60, 3, NORMING, {"u_procedure"},
      {"gossip", "reflecting_team", "balint"}),
    s("beliefs-performing-safe-5-60", Q.BELIEFS_FEELINGS, 60, 5, PERFORMING, {"reflecting_team"},
      {"balint", "incident"}, wants=(W.PERSPECTIVES, W.RECOGNITION), safety=SAFE,
      why="three reflectors besides the interviewer and the case bringer; Balint's 110 minutes do not fit"),
    # A personal pattern → core quadrants.
    s("pattern-norming-60", Q.PERSONAL_PATTERN, 60, 6, NORMING, {"core_quadrants"},
      {"incident", "leary", "six_hats", "gossip"}),
    s("pattern-forming-60", Q.PERSONAL_PATTERN, 60, 6, FORMING, {"core_quadrants"}, {"core_reflection"},
      why="core quadrants asks some trust (a small minus); core reflection needs a safe group"),
    s("pattern-performing-safe-90", Q.PERSONAL_PATTERN, 90, 6, PERFORMING, {"core_quadrants", "core_reflection"},
      {"leary", "incident"}, safety=SAFE),
    s("pattern-9-people", Q.PERSONAL_PATTERN, 60, 9, NORMING, set(), {"core_quadrants", "incident", "six_hats"},
      why="core quadrants works with at most 8: nothing is recommended rather than a method for another question"),
    # An interaction pattern → Leary's rose.
    s("interaction-norming-90", Q.INTERACTION_PATTERN, 90, 6, NORMING, {"leary"}, {"six_hats", "incident"}),
    s("interaction-forming-60", Q.INTERACTION_PATTERN, 60, 6, FORMING, {"leary"}, {"balint", "reflecting_team"}),
    s("interaction-performing-unsafe-120", Q.INTERACTION_PATTERN, 120, 6, PERFORMING, {"leary"},
      {"balint", "reflecting_team"}, safety=UNSAFE),
    # A value or principle → Socratic dialogue.
    s("values-norming-75", Q.VALUES, 75, 6, NORMING, {"socratic_short"}, {"socratic", "six_hats"},
      why="the 105-minute dialogue is more than a quarter over 75"),
    s("values-norming-60", Q.VALUES, 60, 6, NORMING, {"socratic_short"}, {"socratic", "incident"},
      why="the short dialogue's 75 minutes shortened to 60"),
    s("values-performing-120", Q.VALUES, 120, 6, PERFORMING, {"socratic"}, {"incident", "socratic_short"},
      why="the full dialogue when there is time; one form of a method among the top"),
    s("values-norming-55", Q.VALUES, 55, 6, NORMING, set(), {"socratic", "socratic_short", "six_hats", "incident"},
      why="no dialogue fits 55 minutes, and a method for another question is no substitute"),
    # An unclear question → the problem-statement method.
    s("unclear-forming-60", Q.UNCLEAR, 60, 6, FORMING, {"problem_statement"}, {"incident", "gossip", "six_hats"}),
    s("unclear-performing-90", Q.UNCLEAR, 90, 8, PERFORMING, {"problem_statement"}, {"balint", "five_step"},
      wants=(W.QUESTIONS,)),
    # Stuck in what does not work → solution-focused, the success method.
    s("stuck-storming-60", Q.STUCK, 60, 6, STORMING, {"success_method", "solution_focused"},
      {"incident", "gossip", "five_step"}),
    s("stuck-forming-45", Q.STUCK, 45, 5, FORMING, {"success_method", "solution_focused"}, {"incident", "six_hats"}),
    # Own behaviour in a concrete incident → incident method, five-step, clinic (to practise), ALACT.
    s("behaviour-practice-norming-60", Q.OWN_BEHAVIOUR, 60, 6, NORMING, {"clinic"}, {"gossip", "socratic"},
      wants=(W.PRACTICE,)),
    s("behaviour-forming-60-advice", Q.OWN_BEHAVIOUR, 60, 6, FORMING, {"incident", "five_step"},
      {"incident_gossip", "gossip", "ten_step"}, wants=(W.QUESTIONS, W.ADVICE)),
    s("behaviour-forming-40", Q.OWN_BEHAVIOUR, 40, 5, FORMING, {"incident"},
      {"ten_step", "incident_hendriksen", "incident_gossip"}, why="the incident method's 50 minutes shortened to 40"),
    s("behaviour-reflection-norming-60", Q.OWN_BEHAVIOUR, 60, 6, NORMING, {"alact"}, {"gossip", "six_hats"},
      wants=(W.QUESTIONS, W.PERSPECTIVES)),
    s("behaviour-9-people-90", Q.OWN_BEHAVIOUR, 90, 9, NORMING, {"incident|incident_hendriksen", "five_step"},
      {"ten_step", "core_quadrants"}, wants=(W.QUESTIONS, W.ADVICE), why="the ten-step method works with at most 8"),
    s("behaviour-storming-unsafe-60", Q.OWN_BEHAVIOUR, 60, 6, STORMING, {"incident"},
      {"incident_gossip", "gossip"}, safety=UNSAFE),
]
# fmt: on


def _library():
    return list(built_in_library().methods.values())


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[scenario.id for scenario in SCENARIOS])
def test_a_facilitator_would_sign_the_top_three(scenario: Scenario):
    ranked = recommend(_library(), scenario.need())
    top = [r.method.id for r in ranked if r.standing is Standing.RECOMMENDED]

    assert len(top) <= 3
    missing = [wanted for wanted in scenario.must if not set(wanted.split("|")) & set(top)]
    assert not missing, f"{scenario.why or scenario.id}: top three {top}"
    assert not scenario.must_not & set(top), f"{scenario.why or scenario.id}: top three {top}"
    made_for_it = {r.method.id for r in ranked if scenario.question in r.method.suitability.question_types}
    assert set(top) <= made_for_it, "only methods made for this kind of question are recommended"


def test_the_table_covers_every_question_type_phase_and_both_safety_scores():
    assert len(SCENARIOS) >= 30
    assert {scenario.question for scenario in SCENARIOS} == set(QuestionType)
    assert {scenario.phase for scenario in SCENARIOS} >= {FORMING, STORMING, NORMING, PERFORMING}
    assert {scenario.safety for scenario in SCENARIOS} == {None, SAFE, UNSAFE}
    assert SAFE.is_low is False and UNSAFE.is_low is True
    named = {
        name for scenario in SCENARIOS for wanted in scenario.must | scenario.must_not for name in wanted.split("|")
    }
    assert named <= set(built_in_library().methods), sorted(named - set(built_in_library().methods))
