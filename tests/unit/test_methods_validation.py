"""Hostile and malformed method files: each is refused with a message that names the file, the phase (by
number and id) and the field, and a refused file never takes the rest of the library down with it."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable

import pytest
import tomli_w

from intervision.methods import METHODS_DIR, MethodFileError, built_in_library, parse_method

INCIDENT_TEXT = (METHODS_DIR / "incident.toml").read_text(encoding="utf-8")
CLINIC_TEXT = (METHODS_DIR / "clinic.toml").read_text(encoding="utf-8")
SOURCE = "hostile.toml"


def _incident() -> dict:
    """The incident method as raw TOML data, to spoil one thing at a time."""
    return tomllib.loads(INCIDENT_TEXT)


def _refusal(raw: dict) -> MethodFileError:
    with pytest.raises(MethodFileError) as refused:
        parse_method(tomli_w.dumps(raw), SOURCE)
    return refused.value


def _set(*path: object, value: object) -> Callable[[dict], None]:
    def spoil(raw: dict) -> None:
        target = raw
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value

    return spoil


def _cycle(first: str, last: str) -> Callable[[dict], None]:
    def spoil(raw: dict) -> None:
        raw["cycles"] = [
            {
                "first_phase": first,
                "last_phase": last,
                "max_repeats": 2,
                "until": {"nl": "Tot het helder is.", "en": "Until it is clear."},
            }
        ]

    return spoil


# Each case: what is spoiled, and the fragments the one problem must contain (where, then what).
CASES = {
    "minutes as a word": (
        _set("phases", 2, "minutes", value="ten"),
        ["phase 3 (information_round)", "minutes", "valid number"],
    ),
    "no phases": (_set("phases", value=[]), ["phases", "at least 1"]),
    "negative minutes": (
        _set("phases", 1, "minutes", value=-5),
        ["phase 2 (explain_question)", "minutes", "greater than 0"],
    ),
    "minutes that are not a number": (
        _set("phases", 0, "minutes", value=float("nan")),
        ["phase 1 (choose_incident)", "minutes"],
    ),
    "a phase of ten hours": (
        _set("phases", 1, "minutes", value=600),
        ["phase 2 (explain_question)", "minutes", "less than or equal to 240"],
    ),
    "a huge purpose": (
        _set("phases", 3, "purpose", "en", value="x" * 1001),
        ["phase 4 (diagnosis)", "purpose", "en", "at most 1000"],
    ),
    "a huge prompt": (
        _set("phases", 0, "prompts", "nl", 1, value="y" * 5000),
        ["phase 1 (choose_incident)", "prompts", "nl", "at most 1000"],
    ),
    "a huge method name": (_set("name", "nl", value="z" * 121), ["name", "nl", "at most 120"]),
    "an empty summary": (_set("summary", "en", value="   "), ["summary", "en", "at least 1"]),
    "an unknown key at the top": (_set("colour", value="red"), ["colour", "Extra inputs"]),
    "an unknown key in a phase": (
        _set("phases", 0, "duration", value=10),
        ["phase 1 (choose_incident)", "duration", "Extra inputs"],
    ),
    "an unknown speaker": (
        _set("phases", 4, "speakers", value=["everyone_in_turn", "audience"]),
        ["phase 5 (solutions)", "speakers", "case_bringer"],
    ),
    "nobody speaks": (
        _set("phases", 4, "speakers", value=[]),
        ["phase 5 (solutions)", "speakers", "at least 1"],
    ),
    "a round in which only the case bringer speaks": (
        _set("phases", 1, "round", value=True),
        ["phase 2 (explain_question)", "a round needs the members or everyone in turn"],
    ),
    "a round that is not true or false": (
        _set("phases", 3, "round", value="sometimes"),
        ["phase 4 (diagnosis)", "round", "valid boolean"],
    ),
    "an unknown level": (
        _set("phases", 5, "level", value="vibes"),
        ["phase 6 (choice)", "level"],
    ),
    "a total that is not the sum": (
        _set("total_minutes", value=60),
        ["total_minutes is 60", "add up to 50"],
    ),
    "Dutch and English rules differ": (
        _set("phases", 2, "rules", "en", value=["No advice yet."]),
        ["phase 3 (information_round)", "rules", "Dutch has 2 lines and English 1"],
    ),
    "too many prompts": (
        _set("phases", 1, "prompts", value={"nl": ["vraag?"] * 13, "en": ["question?"] * 12}),
        ["phase 2 (explain_question)", "prompts", "at most 12"],
    ),
    "an id that is not a slug": (
        _set("phases", 3, "id", value="Diagnose!"),
        ["phase 4 (Diagnose!)", "id", "pattern"],
    ),
    "more minimum than maximum members": (
        _set("suitability", "min_members", value=12),
        ["suitability", "min_members is larger than max_members"],
    ),
    "no sources": (_set("sources", value=[]), ["sources", "at least 1"]),
    "two phases with the same id": (
        _set("phases", 4, "id", value="diagnosis"),
        ["two phases have the same id"],
    ),
    "a cycle through a missing phase": (
        _cycle("diagnosis", "nowhere"),
        ["a repeat names a phase that does not exist", "nowhere"],
    ),
    "a cycle that runs backwards": (
        _cycle("solutions", "diagnosis"),
        ["the repeat from diagnosis back to solutions needs solutions to come first"],
    ),
    "a sequence of hats without phases": (
        _set(
            "sequences",
            value=[{"id": "quick", "name": {"nl": "Snel", "en": "Quick"}, "hats": ["blue", "black"]}],
        ),
        ["sequence quick uses hats without a phase"],
    ),
}


@pytest.mark.parametrize("spoil, expected", list(CASES.values()), ids=list(CASES))
def test_a_malformed_method_is_refused_with_the_file_the_place_and_the_problem(spoil, expected):
    raw = _incident()
    spoil(raw)

    refused = _refusal(raw)

    assert refused.source == SOURCE
    assert str(refused).startswith(f"{SOURCE}: ")
    assert len(refused.problems) == 1, refused.problems
    problem = refused.problems[0]
    for fragment in expected:
        assert fragment in problem, (fragment, problem)
    # The where comes before the what.
    assert problem.index(expected[0]) <= problem.index(expected[-1])


def test_every_problem_in_a_file_is_listed_each_at_its_own_place():
    raw = _incident()
    raw["phases"][0]["minutes"] = "ten"
    raw["phases"][3]["purpose"]["nl"] = ""
    raw["colour"] = "red"

    refused = _refusal(raw)

    assert len(refused.problems) == 3
    joined = "\n".join(refused.problems)
    assert "phase 1 (choose_incident) › minutes" in joined
    assert "phase 4 (diagnosis) › purpose › nl" in joined
    assert "colour" in joined


def test_a_phase_without_an_id_is_still_named_by_its_number():
    raw = _incident()
    del raw["phases"][2]["id"]

    refused = _refusal(raw)

    assert refused.problems == ["phase 3 (?) › id: Field required"]


def test_a_phase_that_is_not_a_table_is_named_by_its_number():
    raw = _incident()
    raw["phases"][1] = "explain the question"

    refused = _refusal(raw)

    assert len(refused.problems) == 1
    assert refused.problems[0].startswith("phase 2 (?)")


def test_a_duplicate_phase_id_is_named_in_the_refusal():
    raw = _incident()
    raw["phases"][4]["id"] = "diagnosis"

    refused = _refusal(raw)

    assert "diagnosis" in refused.problems[0]


def test_a_text_of_exactly_the_maximum_length_is_accepted():
    raw = _incident()
    raw["phases"][3]["purpose"]["en"] = "x" * 1000

    method = parse_method(tomli_w.dumps(raw), SOURCE)

    assert len(method.phases[3].purpose.en) == 1000


def test_text_that_is_not_toml_is_refused_naming_the_file():
    with pytest.raises(MethodFileError) as refused:
        parse_method('id = "incident"\nversion = \n[name\nnl = "x"\n', "broken.toml")

    assert refused.value.source == "broken.toml"
    assert str(refused.value).startswith("broken.toml: not valid TOML")


def test_toml_that_is_not_a_method_at_all_is_refused():
    with pytest.raises(MethodFileError) as refused:
        parse_method('title = "TOML Example"\n', "other.toml")

    joined = "\n".join(refused.value.problems)
    assert "title" in joined and "phases" in joined and "id" in joined


def test_a_file_over_100_kb_is_refused_before_it_is_read():
    text = INCIDENT_TEXT + "\n# " + "x" * 100_000 + "\n"

    with pytest.raises(MethodFileError) as refused:
        parse_method(text, "big.toml")

    assert refused.value.problems == ["the file is larger than 100 kB"]
    assert str(refused.value).startswith("big.toml: ")


def test_the_size_limit_counts_bytes_not_characters():
    padding = "é" * 50_000  # 50 000 characters, 100 000 bytes

    with pytest.raises(MethodFileError, match="larger than 100 kB"):
        parse_method(INCIDENT_TEXT + "\n# " + padding + "\n", "accents.toml")


def test_a_file_just_under_100_kb_loads():
    text = INCIDENT_TEXT + "\n# "
    text += "x" * (100_000 - len(text.encode()) - 1) + "\n"
    assert len(text.encode()) == 100_000

    assert parse_method(text, "incident.toml").id == "incident"


def test_deeply_nested_toml_is_refused_as_a_method_file_error():
    hostile = "a = " + "[" * 1000 + "]" * 1000 + "\n"

    with pytest.raises(MethodFileError) as refused:
        parse_method(hostile, "deep.toml")

    assert refused.value.source == "deep.toml"


# --- the library directory: one bad file, the rest keeps working -------------------------------


def test_a_bad_file_is_refused_and_the_good_ones_still_load(tmp_path):
    (tmp_path / "incident.toml").write_text(INCIDENT_TEXT, encoding="utf-8")
    raw = tomllib.loads(CLINIC_TEXT)
    raw["phases"][1]["minutes"] = -1
    (tmp_path / "clinic.toml").write_text(tomli_w.dumps(raw), encoding="utf-8")

    library = built_in_library(tmp_path)

    assert list(library.methods) == ["incident"]
    assert [refused.source for refused in library.refused] == ["clinic.toml"]
    phase_id = raw["phases"][1]["id"]
    assert f"phase 2 ({phase_id}) › minutes" in library.refused[0].problems[0]


def test_a_file_whose_id_differs_from_its_name_is_refused(tmp_path):
    (tmp_path / "incident.toml").write_text(INCIDENT_TEXT, encoding="utf-8")
    (tmp_path / "my_incident.toml").write_text(INCIDENT_TEXT, encoding="utf-8")

    library = built_in_library(tmp_path)

    assert list(library.methods) == ["incident"]
    assert len(library.refused) == 1
    assert library.refused[0].source == "my_incident.toml"
    assert "id 'incident' differs from the file name" in library.refused[0].problems[0]


def test_a_file_that_is_not_utf8_is_refused_and_the_rest_loads(tmp_path):
    (tmp_path / "incident.toml").write_text(INCIDENT_TEXT, encoding="utf-8")
    (tmp_path / "latin.toml").write_bytes('id = "latin"\nname = "caf\xe9"\n'.encode("latin-1"))

    library = built_in_library(tmp_path)

    assert list(library.methods) == ["incident"]
    assert [refused.source for refused in library.refused] == ["latin.toml"]


def test_a_file_that_is_fixed_is_read_again(tmp_path):
    clinic = tmp_path / "clinic.toml"
    clinic.write_text("this is not toml", encoding="utf-8")
    os.utime(clinic, (1_700_000_000, 1_700_000_000))
    assert built_in_library(tmp_path).methods == {}

    clinic.write_text(CLINIC_TEXT, encoding="utf-8")
    os.utime(clinic, (1_700_000_100, 1_700_000_100))

    library = built_in_library(tmp_path)
    assert list(library.methods) == ["clinic"]
    assert library.refused == []


def test_a_deeply_nested_file_does_not_take_the_library_down(tmp_path):
    (tmp_path / "incident.toml").write_text(INCIDENT_TEXT, encoding="utf-8")
    (tmp_path / "deep.toml").write_text("a = " + "[" * 1000 + "]" * 1000 + "\n", encoding="utf-8")

    library = built_in_library(tmp_path)

    assert list(library.methods) == ["incident"]
    assert [refused.source for refused in library.refused] == ["deep.toml"]
