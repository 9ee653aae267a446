"""What a trained facilitator checks in the method library: the methods users expect besides the first fourteen,
sources cited as the literature has them, and Dutch as a facilitator speaks it."""

from __future__ import annotations

import re

import pytest

from intervision.i18n import catalog
from intervision.methods import METHODS_DIR, BoardKind, Hat, Method, Safety, Speaker, built_in_library
from intervision.models import DevelopmentPhase, Language, QuestionType, Want

LANGUAGES = (Language.NL, Language.EN)
ALL_PHASES = ["forming", "storming", "norming", "performing"]

# id: (question types, wants, group phases, safety, members, minutes)
NEW_METHODS = {
    "solution_focused": (["decision", "stuck"], ["advice", "perspectives"], ALL_PHASES, "low", (3, 10), (45, 60)),
    "u_procedure": (
        ["beliefs_feelings"],
        ["questions", "perspectives", "recognition"],
        ALL_PHASES,
        "low",
        (3, 10),
        (60, 60),
    ),
    "reflecting_team": (
        ["beliefs_feelings", "interaction_pattern"],
        ["perspectives", "recognition"],
        ["norming", "performing"],
        "high",
        (4, 8),
        (60, 60),
    ),
    "alact": (["own_behaviour"], ["questions", "perspectives"], ALL_PHASES, "medium", (3, 10), (60, 60)),
    "core_reflection": (
        ["beliefs_feelings", "personal_pattern"],
        ["questions", "recognition"],
        ["norming", "performing"],
        "high",
        (3, 8),
        (75, 75),
    ),
    "problem_statement": (["unclear"], ["questions", "perspectives", "advice"], ALL_PHASES, "low", (3, 10), (60, 60)),
    "success_method": (["stuck"], ["perspectives", "recognition"], ALL_PHASES, "low", (3, 10), (45, 45)),
    "socratic_short": (
        ["values"],
        ["perspectives", "questions"],
        ["storming", "norming", "performing"],
        "medium",
        (4, 10),
        (75, 75),
    ),
}

# A full citation: an author with initials, a year in brackets, then at least a title.
CITATION = re.compile(r"^[A-Za-z][\w' -]+, [A-Z]\..*\((19|20)\d\d\)\. .{10,}")


def _library() -> dict[str, Method]:
    return built_in_library().methods


def _method(method_id: str) -> Method:
    return _library()[method_id]


def _texts(value: object, language: str) -> list[str]:
    """Every text of one language in a method's data, wherever it sits (names, phases, tips, cycles, sequences)."""
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            if key == language and isinstance(item, str):
                found.append(item)
            elif key == language and isinstance(item, list):
                found.extend(line for line in item if isinstance(line, str))
            else:
                found.extend(_texts(item, language))
        return found
    if isinstance(value, list):
        return [text for item in value for text in _texts(item, language)]
    return []


def _all_text(method: Method, language: Language) -> str:
    return "\n".join(_texts(method.model_dump(mode="json"), language.value))


# --- the new methods ---------------------------------------------------------------------------


@pytest.mark.parametrize("method_id", list(NEW_METHODS))
def test_every_new_method_loads_in_both_languages_with_phases_that_add_up(method_id):
    library = built_in_library()
    assert (METHODS_DIR / f"{method_id}.toml").exists()
    assert method_id in library.methods, [str(error) for error in library.refused]
    method = library.methods[method_id]

    for language in LANGUAGES:
        assert method.name(language).strip() and method.summary(language).strip()
        assert method.notes is not None and method.notes(language).strip()
        for phase in method.phases:
            assert phase.purpose(language).strip() and phase.prompts(language), (phase.id, language)
    assert len(method.phases) >= 5
    assert method.total_minutes == pytest.approx(sum(phase.minutes for phase in method.phases))
    assert all(CITATION.match(source) for source in method.sources), method.sources


@pytest.mark.parametrize("method_id", list(NEW_METHODS))
def test_every_new_method_fits_the_questions_and_groups_it_was_made_for(method_id):
    question_types, wants, phases, safety, (low, high), (shortest, longest) = NEW_METHODS[method_id]
    fit = _method(method_id).suitability

    assert fit.question_types == [QuestionType(value) for value in question_types]
    assert fit.wants == [Want(value) for value in wants]
    assert fit.group_phases == [DevelopmentPhase(value) for value in phases]
    assert fit.safety is Safety(safety)
    assert (fit.min_members, fit.max_members) == (low, high)
    assert shortest <= _method(method_id).total_minutes <= longest


def test_core_reflection_and_the_short_socratic_dialogue_are_variants():
    assert _method("core_reflection").variant_of == "alact"
    assert _method("socratic_short").variant_of == "socratic"
    assert _method("socratic_short").total_minutes < _method("socratic").total_minutes


@pytest.mark.parametrize(
    ("method_id", "origin_nl", "origin_en", "names"),
    [
        ("u_procedure", "organisatieontwikkeling", "organisation development", ["NPI", "Glasl", "Lievegoed"]),
        ("reflecting_team", "gezinstherapie", "family therapy", ["Andersen", "1987"]),
        ("solution_focused", "kortdurende therapie", "brief therapy", ["de Shazer", "Insoo Kim Berg"]),
        ("success_method", "organisatieontwikkeling", "organisation development", ["Cooperrider", "Srivastva"]),
    ],
)
def test_a_method_taken_from_another_field_says_it_is_adapted_for_intervision(method_id, origin_nl, origin_en, names):
    notes = _method(method_id).notes
    assert notes is not None

    assert "bewerking voor intervisie" in notes(Language.NL) and origin_nl in notes(Language.NL)
    assert "adaptation for intervision" in notes(Language.EN) and origin_en in notes(Language.EN)
    for name in names:
        assert name in notes(Language.NL) and name in notes(Language.EN)


def test_alact_looks_back_with_the_eight_questions_and_names_the_onion_model():
    alact = _method("alact")
    looking_back = next(phase for phase in alact.phases if phase.id == "looking_back")
    awareness = next(phase for phase in alact.phases if phase.id == "awareness")

    assert [phase.id for phase in alact.phases][:5] == ["action", "looking_back", "awareness", "alternatives", "trial"]
    prompts = looking_back.prompts(Language.EN)
    for who in ("you", "the other"):
        for verb in ("want", "do", "think", "feel"):
            assert any(who in prompt and verb in prompt for prompt in prompts), (who, verb)
    assert "onion model" in " ".join(awareness.tips(Language.EN))
    assert "ui-model" in " ".join(awareness.tips(Language.NL))


def test_core_reflection_goes_through_the_onion_from_the_outer_layers_to_mission():
    reflection = _method("core_reflection")
    text = " ".join(
        phase.purpose(Language.EN) for phase in reflection.phases if phase.id in {"outer_layers", "inner_layers"}
    )

    for layer in ("environment", "behaviour", "competencies", "beliefs", "identity", "mission"):
        assert layer in text
    assert any("Korthagen" in source and "(2005)" in source for source in reflection.sources)


def test_the_problem_statement_method_first_asks_what_the_case_bringer_wants_from_the_group():
    method = _method("problem_statement")
    first = method.phases[0]
    statements = next(phase for phase in method.phases if phase.id == "problem_statements")

    assert first.name(Language.EN) == "What do you want from us?"
    assert first.name(Language.NL) == "Wat wil je van ons?"
    assert Speaker.CASE_BRINGER in first.speakers
    assert "One sentence each." in statements.rules(Language.EN)
    assert any("Hendriksen" in source for source in method.sources)


def test_the_reflecting_team_reflects_while_the_case_bringer_only_listens_and_may_ask_a_second_round():
    team = _method("reflecting_team")
    reflection = next(phase for phase in team.phases if phase.id == "reflection")

    assert reflection.speakers == [Speaker.MEMBERS]
    assert Speaker.CASE_BRINGER in reflection.listeners
    assert "I wonder whether…" in reflection.prompts(Language.EN)
    assert [(cycle.first_phase, cycle.last_phase, cycle.max_repeats) for cycle in team.cycles] == [
        ("reflection", "response", 1)
    ]
    assert any("Family Process" in source and "(1987)" in source for source in team.sources)


def test_what_works_is_a_board_kind_with_a_name_in_both_languages():
    collected = {kind for method_id in NEW_METHODS for phase in _method(method_id).phases for kind in phase.collects}

    assert BoardKind.STRENGTH in collected
    assert catalog(Language.NL)["board.strength"] == "Wat werkt"
    assert catalog(Language.EN)["board.strength"] == "What works"


# --- sources of the first fourteen -------------------------------------------------------------


@pytest.mark.parametrize("method_id", ["incident", "incident_gossip", "incident_hendriksen"])
def test_the_incident_method_and_its_variants_cite_pigors_and_pigors(method_id):
    sources = _method(method_id).sources

    assert any(
        source.startswith("Pigors, P., & Pigors, F. (1961). Case Method in Human Relations: The Incident Process.")
        for source in sources
    )
    assert any(source.startswith("Hendriksen, J.") for source in sources)


def test_no_method_names_flanagan_anywhere():
    for file in sorted(METHODS_DIR.glob("*.toml")):
        assert "flanagan" not in file.read_text(encoding="utf-8").lower(), file.name


def test_the_incident_method_says_where_it_comes_from_and_whose_six_steps_these_are():
    notes = _method("incident").notes
    assert notes is not None

    for language in LANGUAGES:
        assert "Pigors & Pigors (1961)" in notes(language)
        assert "Blankestijn" in notes(language)
    assert "Hendriksen" in _method("incident_hendriksen").notes(Language.EN)


def test_bellersen_and_kohlmann_are_cited_in_full_wherever_they_are_cited():
    cited = [source for method in _library().values() for source in method.sources if "Bellersen" in source]

    assert len(cited) >= 4  # clinic, gossip, five-step, ten-step
    for source in cited:
        assert source.startswith("Bellersen, M., & Kohlmann, I. (2014). Praktijkboek intervisie"), source
        assert "Noordhoff" in source


def test_balint_follows_hendriksens_steps_and_its_group_judgement_gives_no_advice():
    balint = _method("balint")
    judgement = next(phase for phase in balint.phases if phase.id == "group_judgement")

    assert any(source.startswith("Hendriksen, J.") for source in balint.sources)
    assert "Hendriksen" in balint.notes(Language.NL) and "Hendriksen" in balint.notes(Language.EN)
    assert BoardKind.ADVICE not in judgement.collects
    assert any(rule.startswith("No advice") for rule in judgement.rules(Language.EN))
    assert any(rule.startswith("Geen adviezen") for rule in judgement.rules(Language.NL))


def test_leary_cites_van_dijk_and_names_his_eight_positions():
    leary = _method("leary")
    positions = "leidend, helpend, meewerkend, volgend, teruggetrokken, opstandig, aanvallend, concurrerend"

    assert any(
        source.startswith("Van Dijk, B. (2000). Beïnvloed anderen, begin bij jezelf") for source in leary.sources
    )
    assert positions in leary.notes(Language.NL)
    assert "Van Dijk (2000)" in leary.notes(Language.EN)


def test_core_quadrants_use_ofmans_own_example():
    quadrants = _method("core_quadrants")
    dutch, english = _all_text(quadrants, Language.NL), _all_text(quadrants, Language.EN)

    for word in ("daadkracht", "drammerigheid", "geduld", "passiviteit"):
        assert word in dutch
    for word in ("decisiveness", "pushiness", "patience", "passivity"):
        assert word in english
    assert "besluitvaardigheid" not in dutch
    assert "daadkracht" in quadrants.notes(Language.NL)


def test_green_is_optional_when_choosing_between_alternatives():
    six_hats = _method("six_hats")
    sequences = {sequence.id: sequence for sequence in six_hats.sequences}
    with_green = sequences["choosing_alternatives"]
    without_green = sequences["choosing_alternatives_without_green"]

    assert Hat.GREEN in with_green.hats
    assert without_green.hats == [hat for hat in with_green.hats if hat is not Hat.GREEN]
    assert "zonder groen" in without_green.name(Language.NL) and "met groen" in with_green.name(Language.NL)
    assert "without green" in without_green.name(Language.EN)
    assert "optional" in six_hats.notes(Language.EN)
    shorter = six_hats.in_sequence("choosing_alternatives_without_green")
    assert shorter.total_minutes < six_hats.in_sequence("choosing_alternatives").total_minutes


# --- Dutch as a facilitator speaks it ----------------------------------------------------------

STILTED = ["hij of zij", "hem of haar", "zijn of haar", "hij/zij", "zij/hij", "hem/haar", "zijn/haar"]


@pytest.mark.parametrize("method_id", sorted(file.stem for file in METHODS_DIR.glob("*.toml")))
def test_no_method_says_hij_of_zij_in_dutch(method_id):
    dutch = _all_text(_method(method_id), Language.NL).lower()

    assert dutch  # the walk over the method found its Dutch
    for phrase in STILTED:
        assert phrase not in dutch, phrase


def test_the_follow_up_of_a_case_is_called_opvolging():
    mentions = [
        (method.id, dutch)
        for method in _library().values()
        for english, dutch in zip(
            _all_text(method, Language.EN).split("\n"), _all_text(method, Language.NL).split("\n"), strict=True
        )
        if "the follow-up" in english
    ]

    assert mentions
    for method_id, dutch in mentions:
        assert "opvolging" in dutch, (method_id, dutch)
