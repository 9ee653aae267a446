"""Survey instruments as data files: the shipped ones, the files refused (and how the refusal reads), and an
organisation loading its own licensed instrument.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import tomli_w
from unit_support import NOW, count_rows

from intervision import surveys
from intervision.data_files import MAX_FILE_BYTES
from intervision.errors import NotAllowed
from intervision.instruments import (
    INSTRUMENTS_DIR,
    InstrumentFileError,
    earlier_version,
    parse_instrument,
    shipped_instruments,
)
from intervision.models import Role
from intervision.surveys import main_scale

FILENAME = "team_check.toml"


def _both(text: str) -> dict[str, str]:
    return {"nl": f"{text} (nl)", "en": text}


BASE = {
    "id": "team_check",
    "version": 1,
    "own": True,
    "citations": [],
    "reverse_scored": ["tc_2"],
    "name": _both("Team check"),
    "description": _both("A short check on the team."),
    "options": [{"value": v, "label": _both(f"Option {v}")} for v in range(1, 6)],
    "scales": [{"id": "team", "name": _both("Team"), "description": _both("The mean of the three statements.")}],
    "items": [
        {"id": "tc_1", "scale": "team", "text": _both("We help each other.")},
        {"id": "tc_2", "scale": "team", "reverse": True, "text": _both("We talk around things.")},
        {"id": "tc_3", "scale": "team", "text": _both("We keep to the method.")},
    ],
}


def instrument_data(**changes: object) -> dict:
    data = copy.deepcopy(BASE)
    data.update(copy.deepcopy(changes))
    return data


def instrument_text(**changes: object) -> str:
    return tomli_w.dumps(instrument_data(**changes))


def refusal(text: str, source: str = FILENAME) -> InstrumentFileError:
    with pytest.raises(InstrumentFileError) as caught:
        parse_instrument(text, source)
    assert caught.value.source == source
    assert str(caught.value).startswith(f"{source}: ")
    assert caught.value.problems
    return caught.value


# --- the shipped instruments -----------------------------------------------------------------------


def _languages_of(value: object) -> list[dict]:
    """Every {nl, en} text in a dumped instrument."""
    found = []
    if isinstance(value, dict):
        if set(value) == {"nl", "en"}:
            found.append(value)
        else:
            for inner in value.values():
                found.extend(_languages_of(inner))
    elif isinstance(value, list):
        for inner in value:
            found.extend(_languages_of(inner))
    return found


def test_every_shipped_instrument_file_loads():
    files = sorted(INSTRUMENTS_DIR.glob("*.toml"))
    assert len(files) >= 4
    shelf = shipped_instruments()
    assert shelf.refused == []
    assert sorted(shelf.instruments) == sorted(file.stem for file in files)
    for file in files:
        assert parse_instrument(file.read_text(encoding="utf-8"), file.name).id == file.stem


@pytest.mark.parametrize("instrument_id", sorted(shipped_instruments().instruments))
def test_a_shipped_instrument_is_labelled_as_our_own_and_says_so(instrument_id: str):
    instrument = shipped_instruments().instruments[instrument_id]
    assert instrument.own is True
    assert instrument.citations, "an own instrument still says what it is based on"
    assert "not a validated scale" in " ".join(instrument.citations).lower()
    # Leaders read that we wrote it in the description; a participant's name for it is plain: "(eigen
    # vragenlijst)" would read to them as a questionnaire of their own.
    assert (
        "not a validated scale" in instrument.description.en and "geen gevalideerde schaal" in instrument.description.nl
    )
    for name in (instrument.name.nl, instrument.name.en):
        assert "(" not in name and "eigen vragenlijst" not in name and "own questionnaire" not in name


def test_the_session_evaluation_is_named_after_the_bijeenkomst_as_everywhere_else():
    instrument = shipped_instruments().instruments["session_evaluation"]
    assert instrument.name.nl == "Evaluatie van de bijeenkomst"
    assert instrument.version == 1, "only names and descriptions changed, no item"
    texts = [instrument.name.nl, instrument.description.nl, *(s.description.nl for s in instrument.reported_scales)]
    assert not [text for text in texts if "sessie" in text.lower()]


@pytest.mark.parametrize("instrument_id", sorted(shipped_instruments().instruments))
def test_a_shipped_instrument_has_every_text_in_both_languages(instrument_id: str):
    instrument = shipped_instruments().instruments[instrument_id]
    texts = _languages_of(instrument.model_dump(mode="json"))
    # name, description, each option label, each scale's and facet's name and description, each item's text
    expected = 2 + len(instrument.options) + 2 * len(instrument.reported_scales) + len(instrument.items)
    assert len(texts) == expected
    for text in texts:
        assert text["nl"].strip() and text["en"].strip()


@pytest.mark.parametrize("instrument_id", sorted(shipped_instruments().instruments))
def test_a_shipped_instrument_is_consistent(instrument_id: str):
    instrument = shipped_instruments().instruments[instrument_id]
    assert set(instrument.reverse_scored) == {item.id for item in instrument.items if item.reverse}
    values = [option.value for option in instrument.options]
    assert values == sorted(values) and len(set(values)) == len(values)
    for scale in instrument.scales:
        assert instrument.items_of(scale.id), f"scale {scale.id} has no items"


def test_the_shipped_reverse_scored_items():
    shelf = shipped_instruments().instruments
    assert shelf["collective_efficacy"].reverse_scored == [
        "ce_stuck_when_complex",
        "ce_stuck_when_emotional",
        "ce_cases_too_complex",
        "ce_problems_too_big",
    ]
    # Edmondson's reverse-scored themes: mistakes held against you, rejected for being different, hard to ask.
    assert shelf["psychological_safety"].reverse_scored == [
        "ps_mistakes_held_against",
        "ps_different_belongs_less",
        "ps_asking_help_weak",
    ]
    assert shelf["self_efficacy"].reverse_scored == []


def test_the_test_instrument_itself_is_valid():
    instrument = parse_instrument(instrument_text(), FILENAME)
    assert instrument.id == "team_check"
    assert instrument.lowest == 1 and instrument.highest == 5


# --- refused files ---------------------------------------------------------------------------------


def test_a_reverse_scored_item_that_does_not_exist_is_refused():
    error = refusal(instrument_text(reverse_scored=["tc_2", "tc_9"]))
    assert "tc_9" in str(error)
    assert "reverse-scored item tc_9 does not exist" in str(error)


def test_an_item_naming_a_missing_scale_is_refused():
    items = copy.deepcopy(BASE["items"])
    items[2]["scale"] = "teamwork"
    error = refusal(instrument_text(items=items))
    assert "item tc_3 names a scale that does not exist" in str(error)


def test_duplicate_item_ids_are_refused():
    items = copy.deepcopy(BASE["items"])
    items[2]["id"] = "tc_1"
    error = refusal(instrument_text(items=items))
    assert "appears more than once" in str(error)


def test_the_duplicate_item_refusal_names_the_item():
    items = copy.deepcopy(BASE["items"])
    items[2]["id"] = "tc_1"
    error = refusal(instrument_text(items=items))
    assert "tc_1" in str(error)


def test_duplicate_scale_ids_are_refused():
    scales = [*BASE["scales"], {"id": "team", "name": _both("Team again"), "description": _both("Again.")}]
    refusal(instrument_text(scales=scales))


def test_options_out_of_order_are_refused():
    options = copy.deepcopy(BASE["options"])
    options[1], options[2] = options[2], options[1]
    error = refusal(instrument_text(options=options))
    assert "the answer options must go up" in str(error)


def test_an_option_given_twice_is_refused():
    options = copy.deepcopy(BASE["options"])
    options[1]["value"] = 1
    assert "the answer options must go up" in str(refusal(instrument_text(options=options)))


def test_an_unknown_key_at_the_top_is_refused():
    error = refusal(instrument_text(colour="blue"))
    assert "colour" in str(error)


def test_an_unknown_key_in_an_item_names_the_item():
    items = copy.deepcopy(BASE["items"])
    items[1]["weight"] = 2
    error = refusal(instrument_text(items=items))
    assert "item 2 (tc_2)" in str(error)
    assert "weight" in str(error)


def test_a_missing_text_in_an_item_names_the_item_and_the_field():
    items = copy.deepcopy(BASE["items"])
    items[2]["text"] = {"en": "Only English."}
    error = refusal(instrument_text(items=items))
    assert "item 3 (tc_3)" in str(error)
    assert "nl" in str(error)


def test_a_reverse_flag_without_the_list_is_refused():
    error = refusal(instrument_text(reverse_scored=[]))
    assert "reverse" in str(error)


def test_a_file_that_is_not_toml_is_refused():
    error = refusal('id = "team_check"\nversion = = 1\n')
    assert "not valid TOML" in str(error)


def test_a_file_nested_too_deeply_is_refused_without_crashing():
    error = refusal("x = " + "[" * 5000 + "]" * 5000)
    assert "not valid TOML" in str(error) or "larger" in str(error)


def test_a_file_that_is_too_large_is_refused():
    text = instrument_text() + "\n# " + "x" * MAX_FILE_BYTES + "\n"
    error = refusal(text)
    assert "larger than 100 kB" in str(error)


def test_a_published_instrument_without_its_citation_is_refused():
    error = refusal(instrument_text(own=False, citations=[]))
    assert "citation" in str(error)
    published = parse_instrument(instrument_text(own=False, citations=["Author (2001). Title. Journal."]), FILENAME)
    assert published.own is False


def test_every_problem_with_a_field_is_listed():
    data = instrument_data(version=0)
    data["items"][0]["id"] = "Not A Slug"
    error = refusal(tomli_w.dumps(data))
    assert len(error.problems) == 2
    assert any(problem.startswith("version") for problem in error.problems)
    assert any(problem.startswith("item 1 (Not A Slug) › id") for problem in error.problems)


# --- loading an instrument -------------------------------------------------------------------------


def test_a_coordinator_loads_an_instrument_and_it_becomes_available(path: Path, coordinator):
    text = instrument_text(own=False, citations=["Author (2001). Title. Journal."])
    instrument = surveys.load_instrument(path, coordinator, text, FILENAME, now=NOW)
    assert instrument.id == "team_check"
    available = surveys.instruments(path)
    assert "team_check" in available
    assert available["team_check"] == instrument
    assert set(shipped_instruments().instruments) < set(available)


@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.PARTICIPANT])
def test_only_coordinators_load_instruments(path: Path, make_person, role: Role):
    person = make_person("Pat Person", role)
    with pytest.raises(NotAllowed):
        surveys.load_instrument(path, person, instrument_text(), FILENAME, now=NOW)
    assert count_rows(path, "loaded_instruments") == 0
    assert "team_check" not in surveys.instruments(path)


def test_an_instrument_may_not_take_the_id_of_a_shipped_one(path: Path, coordinator):
    with pytest.raises(InstrumentFileError) as caught:
        surveys.load_instrument(path, coordinator, instrument_text(id="self_efficacy"), FILENAME, now=NOW)
    assert "self_efficacy" in str(caught.value)
    assert FILENAME in str(caught.value)
    assert count_rows(path, "loaded_instruments") == 0
    assert surveys.instruments(path)["self_efficacy"] == shipped_instruments().instruments["self_efficacy"]


@pytest.mark.parametrize(
    "text",
    [
        "not = toml = at all",
        instrument_text(reverse_scored=["tc_9"]),
        instrument_text(own=False, citations=[]),
        instrument_text(colour="blue"),
    ],
    ids=["not_toml", "unknown_reverse_item", "no_citation", "unknown_key"],
)
def test_an_invalid_instrument_is_not_loaded(path: Path, coordinator, text: str):
    with pytest.raises(InstrumentFileError):
        surveys.load_instrument(path, coordinator, text, FILENAME, now=NOW)
    assert count_rows(path, "loaded_instruments") == 0
    assert set(surveys.instruments(path)) == set(shipped_instruments().instruments)


# --- the three own scales measure their construct (DOMAIN.md section 6, "The instruments") ------------

OWN_SCALES = ("self_efficacy", "collective_efficacy", "psychological_safety")
# What a participant reads must be plain words, never the construct's technical name.
JARGON = ("efficacy", "efficacie", "psycholog", "cronbach", "construct", "self-")


def _shipped(instrument_id: str):
    return shipped_instruments().instruments[instrument_id]


@pytest.mark.parametrize("instrument_id", OWN_SCALES)
def test_an_own_scale_has_six_to_eight_items_in_natural_dutch_and_english(instrument_id: str):
    instrument = _shipped(instrument_id)
    assert 6 <= len(instrument.items) <= 8
    for item in instrument.items:
        assert item.scale == instrument_id, "every item counts in the main scale"
        nl, en = item.text.nl, item.text.en
        assert nl != en and nl.endswith(".") and en.endswith(".")
        assert "hij of zij" not in nl and "u " not in f" {nl.lower()}", "je-form, never u or hij of zij"


@pytest.mark.parametrize("instrument_id", OWN_SCALES)
def test_an_own_scale_keeps_its_ids_and_its_new_version_never_reuses_an_item_id_with_a_new_text(instrument_id):
    current = _shipped(instrument_id)
    earlier = earlier_version(instrument_id, 1)
    assert current.version > earlier.version
    assert main_scale(current) == main_scale(earlier) == instrument_id, "other screens read the main scale by id"
    old_texts = {item.id: item.text for item in earlier.items}
    for item in current.items:
        assert old_texts.get(item.id, item.text) == item.text, f"{item.id} was reused with another text"
    assert not set(old_texts) & {item.id for item in current.items}, "version 2 changed every item"


@pytest.mark.parametrize("instrument_id", OWN_SCALES)
def test_what_a_participant_reads_has_no_jargon(instrument_id: str):
    instrument = _shipped(instrument_id)
    shown = [instrument.name, *(scale.name for scale in instrument.reported_scales)]
    shown += [scale.description for scale in instrument.reported_scales] + [item.text for item in instrument.items]
    for text in shown:
        for language_text in (text.nl.lower(), text.en.lower()):
            assert not any(word in language_text for word in JARGON), language_text


@pytest.mark.parametrize(
    ("instrument_id", "model"),
    [
        ("self_efficacy", ["Bandura", "Schwarzer & Jerusalem"]),
        ("collective_efficacy", ["Bandura", "Goddard", "adapted"]),
        ("psychological_safety", ["Edmondson"]),
    ],
)
def test_an_own_scale_says_what_it_adapts_that_its_items_are_its_own_and_whether_the_mean_stays_comparable(
    instrument_id: str, model: list[str]
):
    instrument = _shipped(instrument_id)
    cited = " ".join(instrument.citations)
    for name in model:
        assert name in cited, name
    assert "our own" in cited and "not a validated scale" in cited
    assert "Version 2" in cited
    for text in (instrument.description.en, instrument.description.nl):
        assert "1" in text and "5" in text, "says the mean stays on the same 1 to 5 scale"
    assert "the line continues" in instrument.description.en and "de lijn loopt door" in instrument.description.nl


def test_every_self_efficacy_item_says_what_i_can_do():
    """Bandura: belief in what I can do. Never what I know or usually do."""
    for item in _shipped("self_efficacy").items:
        assert item.text.nl.startswith(("Ik kan ", "Het lukt me ")), item.text.nl
        assert item.text.en.startswith(("I can ", "I am able to ")), item.text.en
        assert not any(word in item.text.nl for word in ("weet", "meestal", "doe ik")), item.text.nl
        assert not any(word in item.text.en for word in ("know", "usually")), item.text.en


def test_psychological_safety_is_a_belief_about_the_group_in_edmondsons_seven_themes():
    instrument = _shipped("psychological_safety")
    assert len(instrument.items) == 7
    for item in instrument.items:
        assert "deze groep" in item.text.nl and "this group" in item.text.en, "about the group"
        assert not item.text.nl.startswith(("Ik ", "Na ")) and not item.text.en.startswith(("I ", "After ")), (
            "not about oneself"
        )
        assert "spijt" not in item.text.nl and "regret" not in item.text.en
    themes = {
        "ps_mistakes_held_against": ("fout", "mistake"),
        "ps_tough_topics": ("problemen", "problems"),
        "ps_different_belongs_less": ("anders", "differently"),
        "ps_room_to_try": ("uitproberen", "try"),
        "ps_asking_help_weak": ("hulp", "help"),
        "ps_nobody_undermines": ("niemand", "nobody"),
        "ps_talents_used": ("benut", "put to use"),
    }
    by_id = {item.id: item for item in instrument.items}
    assert list(by_id) == list(themes), "one item per theme, in Edmondson's order"
    for item_id, (nl, en) in themes.items():
        assert nl in by_id[item_id].text.nl and en in by_id[item_id].text.en, item_id
    # Reverse-keyed as in the original: mistakes held against you, rejected for being different, hard to ask.
    assert {item.id for item in instrument.items if item.reverse} == {
        "ps_mistakes_held_against",
        "ps_different_belongs_less",
        "ps_asking_help_weak",
    }


def test_collective_efficacy_has_both_facets_with_at_least_two_items_and_a_reverse_keyed_one_each():
    instrument = _shipped("collective_efficacy")
    assert [facet.id for facet in instrument.facets] == ["ce_group_competence", "ce_task_analysis"]
    assert all(item.facet for item in instrument.items), "every item belongs to a facet"
    for facet in instrument.facets:
        items = instrument.items_of(facet.id)
        assert len(items) >= 2
        assert any(item.reverse for item in items) and not all(item.reverse for item in items)
    for item in instrument.items_of("ce_group_competence"):
        # What this group can do: its competence, not how it behaves or how much it learns.
        assert any(word in item.text.nl.lower() for word in ("deze groep", "als groep")), item.text.nl
        assert any(word in item.text.en.lower() for word in ("this group", "as a group")), item.text.en
        assert "leren" not in item.text.nl and "learn" not in item.text.en
    task = {item.id: item for item in instrument.items_of("ce_task_analysis")}
    assert task["ce_cases_too_complex"].reverse
    assert task["ce_cases_too_complex"].text.nl == "De casussen die we bespreken zijn te ingewikkeld voor deze groep."


def test_the_facets_score_besides_the_main_scale():
    instrument = _shipped("collective_efficacy")
    answers = {item.id: (1 if item.reverse else 5) for item in instrument.items_of("ce_group_competence")}
    answers |= {item.id: 3 for item in instrument.items_of("ce_task_analysis")}
    assert surveys.scale_score(instrument, "ce_group_competence", answers) == 5
    assert surveys.scale_score(instrument, "ce_task_analysis", answers) == 3
    assert surveys.scale_score(instrument, "collective_efficacy", answers) == 4


def test_an_item_naming_a_missing_facet_or_a_facet_without_items_is_refused():
    facet = {"id": "mood", "name": _both("Mood"), "description": _both("The mood items.")}
    items = copy.deepcopy(BASE["items"])
    items[0]["facet"] = "weather"
    assert "item tc_1 names a facet that does not exist" in str(refusal(instrument_text(facets=[facet], items=items)))
    assert "facet mood has no items" in str(refusal(instrument_text(facets=[facet])))
    items[0]["facet"] = "mood"
    assert parse_instrument(instrument_text(facets=[facet], items=items), FILENAME).items_of("mood")[0].id == "tc_1"


def test_a_kept_definition_round_trips_with_its_facets():
    instrument = _shipped("collective_efficacy")
    assert parse_instrument(instrument.definition(), "wave") == instrument
    assert parse_instrument(_shipped("self_efficacy").definition(), "wave") == _shipped("self_efficacy")
