"""A method being written in the editor: flat values as typed, turned into a Method when it is valid.

A draft is plain JSON, so it can be kept in the database at every keystroke. Its `values` are keyed the
way the editor's fields are (`name.nl`, `p.<phase>.minutes`, …); `phases` lists the phases in order.
"""

from __future__ import annotations

from typing import Any

from intervision.methods import Level, Method, Safety, Speaker
from intervision.models import Language

Draft = dict[str, Any]
LINE_FIELDS = ("prompts", "rules", "tips")
LANGUAGES = ("nl", "en")


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _phase_values(key: str, phase: dict) -> dict[str, Any]:
    values: dict[str, Any] = {
        f"p.{key}.minutes": float(phase["minutes"]),
        f"p.{key}.speakers": list(phase["speakers"]),
        f"p.{key}.listeners": list(phase.get("listeners", [])),
        f"p.{key}.collects": list(phase.get("collects", [])),
        f"p.{key}.level": phase["level"],
        f"p.{key}.hat": phase.get("hat"),
        f"p.{key}.dots": phase.get("dots", 0),  # not in the editor's form, but a copy keeps its dots
        f"p.{key}.round": bool(phase.get("round", False)),
    }
    for language in LANGUAGES:
        values[f"p.{key}.name.{language}"] = phase["name"][language]
        values[f"p.{key}.purpose.{language}"] = phase["purpose"][language]
        for field in LINE_FIELDS:
            values[f"p.{key}.{field}.{language}"] = "\n".join(phase.get(field, {}).get(language, []))
    return values


def draft_from_method(method: Method, copy_names: dict[str, str] | None = None) -> Draft:
    """A draft to change `method`: the method itself (its own id), or a copy (no id until it is saved).

    `copy_names` gives the copy's name per language as a pattern, e.g. {"nl": "{name} (kopie)", …}.
    """
    data = method.model_dump(mode="json")
    values: dict[str, Any] = {
        "sources": "\n".join(data["sources"]),
        "question_types": data["suitability"]["question_types"],
        "wants": data["suitability"]["wants"],
        "group_phases": data["suitability"]["group_phases"],
        "safety": data["suitability"]["safety"],
        "min_members": data["suitability"]["min_members"],
        "max_members": data["suitability"]["max_members"],
    }
    for language in LANGUAGES:
        values[f"name.{language}"] = data["name"][language]
        values[f"summary.{language}"] = data["summary"][language]
        values[f"notes.{language}"] = (data.get("notes") or {}).get(language, "")
    if copy_names:
        for language in LANGUAGES:
            values[f"name.{language}"] = copy_names[language].format(name=data["name"][language])[:120]
    for phase in data["phases"]:
        values |= _phase_values(phase["id"], phase)
    return {
        "id": None if copy_names else method.id,
        "variant_of": None if copy_names else method.variant_of,
        "phases": [phase["id"] for phase in data["phases"]],
        "values": values,
        "cycles": data["cycles"],
        "sequences": data["sequences"],
    }


def blank_draft(name: str) -> Draft:
    draft: Draft = {
        "id": None,
        "phases": [],
        "values": {
            "name.nl": name,
            "name.en": name,
            "summary.nl": "",
            "summary.en": "",
            "notes.nl": "",
            "notes.en": "",
            "sources": "",
            "question_types": [],
            "wants": [],
            "group_phases": [],
            "safety": Safety.MEDIUM.value,
            "min_members": 3,
            "max_members": 10,
        },
        "cycles": [],
        "sequences": [],
    }
    return add_phase(draft)


def add_phase(draft: Draft) -> Draft:
    number = len(draft["phases"]) + 1
    while f"phase_{number}" in draft["phases"]:
        number += 1
    key = f"phase_{number}"
    empty = {
        "minutes": 10,
        "speakers": [Speaker.EVERYONE_IN_TURN.value],
        "level": Level.CONTENT.value,
        "name": {"nl": "", "en": ""},
        "purpose": {"nl": "", "en": ""},
    }
    return draft | {"phases": [*draft["phases"], key], "values": draft["values"] | _phase_values(key, empty)}


def move_phase(draft: Draft, key: str, steps: int) -> Draft:
    phases = list(draft["phases"])
    index = phases.index(key)
    target = max(0, min(len(phases) - 1, index + steps))
    phases.insert(target, phases.pop(index))
    return draft | {"phases": phases}


def remove_phase(draft: Draft, key: str) -> Draft:
    """Drop a phase, and the repeats that went through it."""
    values = {name: value for name, value in draft["values"].items() if not name.startswith(f"p.{key}.")}
    cycles = [cycle for cycle in draft["cycles"] if key not in (cycle["first_phase"], cycle["last_phase"])]
    return draft | {"phases": [k for k in draft["phases"] if k != key], "values": values, "cycles": cycles}


def method_data(draft: Draft) -> dict[str, Any]:
    """The draft in the shape a Method validates; minutes are added up, never typed twice."""
    values = draft["values"]

    def text(prefix: str) -> dict[str, str]:
        return {language: values.get(f"{prefix}.{language}") or "" for language in LANGUAGES}

    phases = []
    for key in draft["phases"]:
        phase: dict[str, Any] = {
            "id": key,
            "name": text(f"p.{key}.name"),
            "minutes": values.get(f"p.{key}.minutes"),
            "speakers": values.get(f"p.{key}.speakers") or [],
            "listeners": values.get(f"p.{key}.listeners") or [],
            "purpose": text(f"p.{key}.purpose"),
            "collects": values.get(f"p.{key}.collects") or [],
            "level": values.get(f"p.{key}.level"),
            "dots": values.get(f"p.{key}.dots") or 0,
            "round": bool(values.get(f"p.{key}.round")),
        }
        for field in LINE_FIELDS:
            phase[field] = {language: _lines(values.get(f"p.{key}.{field}.{language}")) for language in LANGUAGES}
        if values.get(f"p.{key}.hat"):
            phase["hat"] = values[f"p.{key}.hat"]
        phases.append(phase)
    hats = {phase.get("hat") for phase in phases}
    data: dict[str, Any] = {
        "id": draft["id"] or "draft",
        "version": 1,
        "variant_of": draft.get("variant_of"),
        "name": text("name"),
        "summary": text("summary"),
        "suitability": {
            "question_types": values.get("question_types") or [],
            "wants": values.get("wants") or [],
            "group_phases": values.get("group_phases") or [],
            "safety": values.get("safety"),
            "min_members": values.get("min_members"),
            "max_members": values.get("max_members"),
        },
        "total_minutes": sum(phase["minutes"] or 0 for phase in phases) or 0,
        "sources": _lines(values.get("sources")),
        "phases": phases,
        "cycles": draft["cycles"],
        # A named order of hats only makes sense while every hat in it still has a phase.
        "sequences": [sequence for sequence in draft["sequences"] if set(sequence["hats"]) <= hats],
    }
    if any(text("notes").values()):
        data["notes"] = text("notes")
    return data


def method_from_draft(draft: Draft) -> Method:
    """The draft as a Method; pydantic's ValidationError says what is still wrong."""
    return Method.model_validate(method_data(draft))


def field_of(draft: Draft, location: tuple) -> str:
    """The editor field a validation problem belongs to, or "" for the method as a whole."""
    parts = list(location)
    if not parts:
        return ""
    head = parts[0]
    if head == "phases" and len(parts) >= 2 and isinstance(parts[1], int) and parts[1] < len(draft["phases"]):
        key = draft["phases"][parts[1]]
        rest = [str(part) for part in parts[2:] if not isinstance(part, int)]
        if not rest:
            return ""
        if rest[0] in ("name", "purpose", *LINE_FIELDS):
            return f"p.{key}.{rest[0]}.{rest[1] if len(rest) > 1 else 'nl'}"
        return f"p.{key}.{rest[0]}"
    if head in ("name", "summary", "notes"):
        return f"{head}.{parts[1] if len(parts) > 1 else 'nl'}"
    if head == "suitability":
        return str(parts[1]) if len(parts) > 1 else ""
    if head == "sources":
        return "sources"
    return ""


def display_name(draft: Draft, language: Language) -> str:
    return draft["values"].get(f"name.{language.value}") or ""
