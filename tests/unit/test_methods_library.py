"""The built-in method library: every file loads, the core methods are there and say what the sources say,
and what is projected or printed shows the group its prompts and rules but never the facilitator's tips."""

from __future__ import annotations

from html import escape

import pytest

from intervision.charts import method_timeline
from intervision.methods import (
    METHODS_DIR,
    Hat,
    Lines,
    Name,
    Safety,
    built_in_library,
    method_to_toml,
    parse_method,
)
from intervision.models import Language
from intervision.reports import method_card_html

FILES = sorted(METHODS_DIR.glob("*.toml"))
LANGUAGES = (Language.NL, Language.EN)


def _library():
    return built_in_library().methods


def _method(method_id: str):
    return _library()[method_id]


# --- every file --------------------------------------------------------------------------------


def test_the_library_has_files_to_load():
    assert len(FILES) >= 11


@pytest.mark.parametrize("file", FILES, ids=[file.stem for file in FILES])
def test_every_method_file_loads_complete_in_both_languages(file):
    method = parse_method(file.read_text(encoding="utf-8"), file.name)

    assert method.id == file.stem
    for language in LANGUAGES:
        assert method.name(language).strip()
        assert method.summary(language).strip()
        if method.notes:
            assert method.notes(language).strip()
    assert method.sources and all(source.strip() for source in method.sources)
    assert method.phases
    for phase in method.phases:
        for language in LANGUAGES:
            assert phase.name(language).strip(), (phase.id, language)
            assert phase.purpose(language).strip(), (phase.id, language)
        for lines in (phase.prompts, phase.rules, phase.tips):
            assert len(lines.nl) == len(lines.en), phase.id
        assert phase.speakers, phase.id
        assert phase.minutes > 0
    assert method.total_minutes == pytest.approx(sum(phase.minutes for phase in method.phases))


@pytest.mark.parametrize("file", FILES, ids=[file.stem for file in FILES])
def test_exporting_a_method_and_importing_it_again_changes_nothing(file):
    method = parse_method(file.read_text(encoding="utf-8"), file.name)

    assert parse_method(method_to_toml(method), f"{method.id}.toml") == method


def test_no_built_in_file_is_refused():
    library = built_in_library()

    assert library.refused == []
    assert set(library.methods) == {file.stem for file in FILES}


def test_the_core_methods_and_the_well_known_ones_are_in_the_library():
    ids = set(_library())

    assert {"incident", "clinic", "six_hats", "disney"} <= ids
    assert {"gossip", "balint", "five_step", "ten_step", "core_quadrants", "leary", "socratic"} <= ids
    assert {
        "solution_focused",
        "u_procedure",
        "reflecting_team",
        "alact",
        "core_reflection",
        "problem_statement",
        "success_method",
        "socratic_short",
    } <= ids


def test_every_variant_names_a_method_that_is_in_the_library():
    library = _library()
    variants = {method.id: method.variant_of for method in library.values() if method.variant_of}

    assert variants  # the library has variants at all
    for variant_of in variants.values():
        assert variant_of in library


# --- the incident method and its variants ------------------------------------------------------


def test_the_incident_method_is_six_steps_in_fifty_minutes():
    incident = _method("incident")

    assert len(incident.phases) == 6
    assert incident.total_minutes == 50
    assert incident.variant_of is None


def test_the_incident_method_has_hendriksens_ten_rounds_and_a_gossip_variant():
    hendriksen = _method("incident_hendriksen")
    gossip = _method("incident_gossip")

    assert hendriksen.variant_of == "incident"
    assert len(hendriksen.phases) == 10
    assert gossip.variant_of == "incident"
    assert "gossip_round" in [phase.id for phase in gossip.phases]


# --- Disney ------------------------------------------------------------------------------------


def test_disney_cycles_back_from_the_critic_to_the_dreamer():
    disney = _method("disney")
    ids = [phase.id for phase in disney.phases]

    assert len(disney.cycles) == 1
    cycle = disney.cycles[0]
    assert (cycle.first_phase, cycle.last_phase) == ("dreamer", "critic")
    assert ids.index("dreamer") < ids.index("realist") < ids.index("critic")
    assert cycle.max_repeats >= 1
    assert "critic" in cycle.until(Language.EN).lower()
    assert "criticus" in cycle.until(Language.NL).lower()


def test_disney_says_in_both_languages_that_it_is_an_adaptation_for_intervision():
    notes = _method("disney").notes

    assert notes is not None
    assert "adaptation" in notes(Language.EN).lower()
    assert "bewerking" in notes(Language.NL).lower()
    assert "Dilts" in notes(Language.EN) and "Dilts" in notes(Language.NL)


# --- six thinking hats -------------------------------------------------------------------------

B, W, R, BK, Y, G = Hat.BLUE, Hat.WHITE, Hat.RED, Hat.BLACK, Hat.YELLOW, Hat.GREEN
SEQUENCES = {
    "case": [B, W, R, BK, Y, G, B],
    "problem_solving": [B, W, G, R, Y, BK, G, B],
    "identifying_solutions": [B, W, BK, G, B],
    "choosing_alternatives": [B, W, G, Y, BK, R, B],
    "choosing_alternatives_without_green": [B, W, Y, BK, R, B],
    "quick_feedback": [B, BK, G, B],
}


def test_six_hats_has_the_named_sequences():
    six_hats = _method("six_hats")

    assert {sequence.id: sequence.hats for sequence in six_hats.sequences} == SEQUENCES
    for sequence in six_hats.sequences:
        assert sequence.name(Language.NL) and sequence.name(Language.EN)


@pytest.mark.parametrize("sequence_id", list(SEQUENCES))
def test_a_sequence_puts_the_hat_phases_in_its_order(sequence_id):
    six_hats = _method("six_hats")
    by_id = {phase.id: phase for phase in six_hats.phases}

    ordered = six_hats.in_sequence(sequence_id)

    assert [phase.hat for phase in ordered.phases] == SEQUENCES[sequence_id]
    assert ordered.total_minutes == pytest.approx(sum(phase.minutes for phase in ordered.phases))
    # Blue opens and blue closes: the first blue is the opening phase, the last the closing one.
    assert ordered.phases[0].name == by_id["blue_open"].name
    assert ordered.phases[-1].name == by_id["blue_close"].name
    assert len({phase.id for phase in ordered.phases}) == len(ordered.phases)
    assert ordered.cycles == []


def test_the_problem_solving_sequence_wears_green_twice_and_takes_58_minutes():
    six_hats = _method("six_hats")
    green = next(phase for phase in six_hats.phases if phase.hat is Hat.GREEN)

    ordered = six_hats.in_sequence("problem_solving")

    greens = [phase for phase in ordered.phases if phase.hat is Hat.GREEN]
    assert len(greens) == 2
    assert all(phase.purpose == green.purpose for phase in greens)
    assert ordered.total_minutes == 58
    assert six_hats.total_minutes == 50  # the method itself is untouched
    assert len(six_hats.phases) == 7


def test_an_unknown_sequence_is_refused():
    with pytest.raises(KeyError):
        _method("six_hats").in_sequence("no_such_sequence")


@pytest.mark.parametrize("sequence_id", ["identifying_solutions", "quick_feedback"])
def test_a_method_in_a_short_sequence_is_still_a_valid_method(sequence_id):
    ordered = _method("six_hats").in_sequence(sequence_id)

    assert parse_method(method_to_toml(ordered), "six_hats.toml").phases == ordered.phases


def test_six_hats_in_roles_is_a_variant_of_six_hats():
    roles = _method("six_hats_roles")

    assert roles.variant_of == "six_hats"
    assert {phase.hat for phase in roles.phases if phase.hat} <= set(Hat)


# --- safety ------------------------------------------------------------------------------------


@pytest.mark.parametrize("method_id", ["gossip", "balint"])
def test_gossip_and_balint_need_a_safe_group(method_id):
    method = _method(method_id)

    assert method.suitability.safety is Safety.HIGH
    assert "forming" not in method.suitability.group_phases


def test_the_incident_method_works_in_a_group_that_is_not_safe_yet():
    assert _method("incident").suitability.safety is Safety.LOW


# --- the printed card --------------------------------------------------------------------------


def test_the_library_has_facilitator_tips_to_keep_out_of_the_card():
    assert sum(len(phase.tips.en) for method in _library().values() for phase in method.phases) > 0


@pytest.mark.parametrize("language", LANGUAGES, ids=[language.value for language in LANGUAGES])
@pytest.mark.parametrize("method_id", sorted(file.stem for file in FILES))
def test_the_card_shows_prompts_and_rules_but_never_the_facilitators_tips(method_id, language):
    method = _method(method_id)

    card = method_card_html(method, language)

    assert escape(method.name(language)) in card
    for phase in method.phases:
        assert escape(phase.name(language)) in card
        assert escape(phase.purpose(language)) in card
        for line in phase.prompts(language) + phase.rules(language):
            assert escape(line) in card, line
        for tip in phase.tips(language):
            assert escape(tip) not in card, tip
            assert tip not in card, tip
    for source in method.sources:
        assert escape(source) in card


def test_the_card_escapes_html_in_the_methods_texts():
    incident = _method("incident")
    first = incident.phases[0]
    hostile_phase = first.model_copy(
        update={
            "prompts": Lines(nl=["<script>alert('nl')</script>"], en=["<script>alert('en')</script>"]),
            "rules": Lines(nl=['<img src=x onerror="x()">'], en=['<img src=x onerror="x()">']),
            "tips": Lines(nl=["SECRET TIP"], en=["SECRET TIP"]),
        }
    )
    hostile = incident.model_copy(
        update={
            "name": Name(nl="<b>Incident</b>", en="<b>Incident</b>"),
            "phases": [hostile_phase, *incident.phases[1:]],
        }
    )

    card = method_card_html(hostile, Language.EN)

    assert "<script>" not in card
    assert "&lt;script&gt;alert(&#x27;en&#x27;)&lt;/script&gt;" in card
    assert "<img" not in card
    assert "&lt;img src=x onerror=&quot;x()&quot;&gt;" in card
    assert "<b>Incident</b>" not in card
    assert "&lt;b&gt;Incident&lt;/b&gt;" in card
    assert "SECRET TIP" not in card


def test_the_card_in_dutch_is_in_dutch():
    incident = _method("incident")

    card = method_card_html(incident, Language.NL)

    assert '<html lang="nl">' in card
    assert escape(incident.phases[2].rules(Language.NL)[0]) in card
    assert escape(incident.phases[2].rules(Language.EN)[0]) not in card


# --- the timeline ------------------------------------------------------------------------------


@pytest.mark.parametrize("method_id", ["incident", "disney", "ten_step"])
def test_the_timeline_has_one_bar_per_phase_starting_where_the_last_one_ended(method_id):
    method = _method(method_id)

    figure = method_timeline(method, Language.EN)

    assert len(figure.data) == len(method.phases)
    start = 0.0
    for bar, phase in zip(figure.data, method.phases, strict=True):
        assert list(bar.base) == [pytest.approx(start)]
        assert list(bar.x) == [phase.minutes]
        assert phase.name(Language.EN) in bar.y[0]
        start += phase.minutes
    assert start == pytest.approx(method.total_minutes)
    assert list(figure.layout.xaxis.range) == [0, pytest.approx(method.total_minutes)]


def test_the_incident_timeline_starts_its_phases_at_0_10_15_30_and_so_on():
    figure = method_timeline(_method("incident"), Language.NL)

    assert [bar.base[0] for bar in figure.data] == [0, 10, 15, 30, 37.5, 45]


def test_the_timeline_of_a_sequence_follows_the_sequence():
    ordered = _method("six_hats").in_sequence("quick_feedback")

    figure = method_timeline(ordered, Language.EN)

    assert len(figure.data) == 4
    assert [bar.base[0] for bar in figure.data] == [0, 8, 15, 23]
