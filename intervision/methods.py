"""The method library: intervision methods as validated data, in Dutch and English.

Each built-in method is one TOML file in `methods/`. A file that does not validate is refused with a
message naming the file, the phase and the field, and the rest of the library keeps working.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Annotated

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from intervision.config import PROJECT_ROOT
from intervision.data_files import DataFileError, parse_toml
from intervision.models import DevelopmentPhase, Language, QuestionType, Want

METHODS_DIR = PROJECT_ROOT / "methods"
TEXT_MAX = 1000
SHORT_MAX = 120
MAX_PHASES = 30
MAX_LINES = 12


class Speaker(StrEnum):
    """Who speaks (or only listens) in a phase."""

    CASE_BRINGER = "case_bringer"
    MEMBERS = "members"
    FACILITATOR = "facilitator"
    EVERYONE_IN_TURN = "everyone_in_turn"  # a round: each member in turn, nobody skipped
    CASE_BRINGER_OUTSIDE = "case_bringer_outside"  # the case bringer sits out of the circle


class BoardKind(StrEnum):
    """What the board collects in a phase."""

    QUESTION = "question"
    DIAGNOSIS = "diagnosis"
    ADVICE = "advice"
    ASSOCIATION = "association"
    QUADRANT_CELL = "quadrant_cell"
    LEARY_POSITION = "leary_position"
    STRENGTH = "strength"  # what works: exceptions, compliments, success factors
    INSIGHT = "insight"
    ACTION_ITEM = "action_item"


class Level(StrEnum):
    """The communication level a phase mostly calls on (Remmerswaal)."""

    CONTENT = "content"
    PROCEDURE = "procedure"
    INTERACTION = "interaction"
    FEELINGS = "feelings"


class Safety(StrEnum):
    """How safe the group must be for the method to work."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Hat(StrEnum):
    """De Bono's six thinking hats."""

    BLUE = "blue"
    WHITE = "white"
    RED = "red"
    BLACK = "black"
    YELLOW = "yellow"
    GREEN = "green"


Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=SHORT_MAX)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TEXT_MAX)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Name(_Strict):
    nl: ShortText
    en: ShortText

    def __call__(self, language: Language) -> str:
        return getattr(self, language.value)


class Text(_Strict):
    nl: LongText
    en: LongText

    def __call__(self, language: Language) -> str:
        return getattr(self, language.value)


class Lines(_Strict):
    """A list of short texts (prompts, rules, tips) in both languages, line for line."""

    nl: list[LongText] = Field(default_factory=list, max_length=MAX_LINES)
    en: list[LongText] = Field(default_factory=list, max_length=MAX_LINES)

    @model_validator(mode="after")
    def _same_lines(self) -> Lines:
        if len(self.nl) != len(self.en):
            raise PydanticCustomError(
                "lines_differ",
                "Dutch has {nl} lines and English {en}: give both the same number",
                {"nl": len(self.nl), "en": len(self.en)},
            )
        return self

    def __call__(self, language: Language) -> list[str]:
        return getattr(self, language.value)


class Phase(_Strict):
    id: Slug
    name: Name
    minutes: float = Field(gt=0, le=240)
    speakers: list[Speaker] = Field(min_length=1)
    listeners: list[Speaker] = Field(default_factory=list)
    purpose: Text
    prompts: Lines = Lines()
    rules: Lines = Lines()
    tips: Lines = Lines()  # for the facilitator only: never projected
    collects: list[BoardKind] = Field(default_factory=list)
    level: Level
    hat: Hat | None = None


class Suitability(_Strict):
    """When a method fits: the questions it serves, the group it needs."""

    question_types: list[QuestionType] = Field(min_length=1)
    wants: list[Want] = Field(min_length=1)
    group_phases: list[DevelopmentPhase] = Field(min_length=1)
    safety: Safety
    min_members: int = Field(ge=2, le=20)
    max_members: int = Field(ge=2, le=30)

    @model_validator(mode="after")
    def _size_range(self) -> Suitability:
        if self.min_members > self.max_members:
            raise PydanticCustomError("members_range", "min_members is larger than max_members")
        return self


class Cycle(_Strict):
    """A repeat: after `last_phase`, the group may go back to `first_phase` until the condition holds."""

    first_phase: Slug
    last_phase: Slug
    until: Text
    max_repeats: int = Field(ge=1, le=5)


class Sequence(_Strict):
    """A named order of hats (six thinking hats)."""

    id: Slug
    name: Name
    hats: list[Hat] = Field(min_length=2, max_length=12)


class Method(_Strict):
    id: Slug
    version: int = Field(ge=1)
    variant_of: Slug | None = None
    name: Name
    summary: Text
    notes: Text | None = None
    suitability: Suitability
    total_minutes: float = Field(gt=0, le=480)
    sources: list[LongText] = Field(min_length=1, max_length=10)
    phases: list[Phase] = Field(min_length=1, max_length=MAX_PHASES)
    cycles: list[Cycle] = Field(default_factory=list, max_length=3)
    sequences: list[Sequence] = Field(default_factory=list, max_length=8)

    @model_validator(mode="after")
    def _consistent(self) -> Method:
        ids = [phase.id for phase in self.phases]
        duplicates = sorted({phase_id for phase_id in ids if ids.count(phase_id) > 1})
        if duplicates:
            raise ValueError(f"two phases have the same id: {', '.join(duplicates)}")
        total = sum(phase.minutes for phase in self.phases)
        if abs(total - self.total_minutes) > 0.01:
            raise ValueError(f"total_minutes is {self.total_minutes:g} but the phases add up to {total:g}")
        for cycle in self.cycles:
            ends = {"first": cycle.first_phase, "last": cycle.last_phase}
            if cycle.first_phase not in ids or cycle.last_phase not in ids:
                raise PydanticCustomError(
                    "cycle_missing_phase", "a repeat names a phase that does not exist: {first}/{last}", ends
                )
            if ids.index(cycle.first_phase) > ids.index(cycle.last_phase):
                raise PydanticCustomError(
                    "cycle_order", "the repeat from {last} back to {first} needs {first} to come first", ends
                )
        if self.sequences:
            hats = {phase.hat for phase in self.phases if phase.hat}
            for sequence in self.sequences:
                missing = set(sequence.hats) - hats
                if missing:
                    raise ValueError(f"sequence {sequence.id} uses hats without a phase: {sorted(missing)}")
        return self

    def in_sequence(self, sequence_id: str) -> Method:
        """This method with its hat phases in the order of a named sequence (six thinking hats)."""
        sequence = next((s for s in self.sequences if s.id == sequence_id), None)
        if sequence is None:
            raise KeyError(sequence_id)
        # A hat worn twice (blue opens and closes) takes its next phase, or its last one again.
        by_hat: dict[Hat, list[Phase]] = {}
        for phase in self.phases:
            if phase.hat:
                by_hat.setdefault(phase.hat, []).append(phase)
        worn: dict[Hat, int] = {}
        phases = []
        for index, hat in enumerate(sequence.hats):
            options = by_hat[hat]
            phase = options[min(worn.get(hat, 0), len(options) - 1)]
            worn[hat] = worn.get(hat, 0) + 1
            phases.append(phase.model_copy(update={"id": f"{hat.value}_{index + 1}"}))
        return self.model_copy(
            update={
                "phases": phases,
                "total_minutes": sum(phase.minutes for phase in phases),
                "cycles": [],
                "sequences": [sequence],
            }
        )


# --- loading -----------------------------------------------------------------------------------


class MethodFileError(DataFileError):
    """A method file that cannot be used, with every problem spelled out."""


def parse_method(text: str, source: str) -> Method:
    """A method from TOML text; MethodFileError says what is wrong and where (file, phase, field)."""
    return parse_toml(text, source, Method, MethodFileError, "phases", "phase")


def method_to_toml(method: Method) -> str:
    return tomli_w.dumps(method.model_dump(mode="json", exclude_none=True))


@dataclass(frozen=True)
class Library:
    """The built-in methods that loaded, and the files that were refused."""

    methods: dict[str, Method]
    refused: list[MethodFileError]


@cache
def _library(directory: Path, signature: tuple[tuple[str, float], ...]) -> Library:
    methods: dict[str, Method] = {}
    refused: list[MethodFileError] = []
    for file in sorted(directory.glob("*.toml")):
        try:
            method = parse_method(file.read_text(encoding="utf-8"), file.name)
        except (MethodFileError, UnicodeDecodeError, OSError) as error:
            refused.append(error if isinstance(error, MethodFileError) else MethodFileError(file.name, [str(error)]))
            continue
        if method.id != file.stem:
            refused.append(MethodFileError(file.name, [f"id '{method.id}' differs from the file name"]))
            continue
        methods[method.id] = method
    return Library(methods, refused)


def built_in_library(directory: Path = METHODS_DIR) -> Library:
    """Every method in `methods/`, read again only when a file changed."""
    signature = tuple((file.name, file.stat().st_mtime) for file in sorted(directory.glob("*.toml")))
    return _library(directory, signature)


# --- choosing ----------------------------------------------------------------------------------


class Need(BaseModel):
    """What a session asks of a method: the case, the time, the group."""

    model_config = ConfigDict(extra="forbid")

    question_type: QuestionType
    wants: list[Want] = Field(default_factory=list)
    minutes_available: int = Field(ge=15, le=480)
    group_size: int = Field(ge=2, le=30)
    group_phase: DevelopmentPhase


@dataclass(frozen=True)
class Reason:
    """One reason for or against a method: a catalog key (`chooser.<key>`) and its values."""

    key: str
    fits: bool
    params: dict[str, object]


@dataclass(frozen=True)
class Recommendation:
    method: Method
    score: int
    reasons: list[Reason]

    @property
    def fits(self) -> bool:
        return all(reason.fits for reason in self.reasons if reason.key in _DEALBREAKERS)


# Reasons that rule a method out, not merely make it less suitable.
_DEALBREAKERS = {"too_long", "too_few_members", "too_many_members", "needs_safety"}
_SAFE_PHASES = {DevelopmentPhase.NORMING, DevelopmentPhase.PERFORMING}


def _reasons(method: Method, need: Need) -> list[Reason]:
    fit = method.suitability
    reasons: list[Reason] = []
    if need.question_type in fit.question_types:
        reasons.append(Reason("question_fits", True, {"question": need.question_type.value}))
    else:
        reasons.append(Reason("question_other", False, {"question": need.question_type.value}))
    served = [want for want in need.wants if want in fit.wants]
    if served:
        reasons.append(Reason("wants_served", True, {"wants": [want.value for want in served]}))
    missed = [want for want in need.wants if want not in fit.wants]
    if missed:
        reasons.append(Reason("wants_missed", False, {"wants": [want.value for want in missed]}))
    minutes = round(method.total_minutes)
    if method.total_minutes <= need.minutes_available:
        reasons.append(Reason("fits_time", True, {"minutes": minutes, "available": need.minutes_available}))
    else:
        reasons.append(Reason("too_long", False, {"minutes": minutes, "available": need.minutes_available}))
    if need.group_size < fit.min_members:
        reasons.append(Reason("too_few_members", False, {"minimum": fit.min_members, "size": need.group_size}))
    elif need.group_size > fit.max_members:
        reasons.append(Reason("too_many_members", False, {"maximum": fit.max_members, "size": need.group_size}))
    else:
        reasons.append(Reason("size_fits", True, {"size": need.group_size}))
    if fit.safety is Safety.HIGH and need.group_phase not in _SAFE_PHASES:
        reasons.append(Reason("needs_safety", False, {"phase": need.group_phase.value}))
    elif need.group_phase in fit.group_phases:
        reasons.append(Reason("phase_fits", True, {"phase": need.group_phase.value}))
    else:
        reasons.append(Reason("phase_other", False, {"phase": need.group_phase.value}))
    return reasons


_WEIGHTS = {
    "question_fits": 40,
    "question_other": 0,
    "wants_served": 10,  # per want served
    "wants_missed": -5,  # per want missed
    "fits_time": 15,
    "size_fits": 10,
    "phase_fits": 15,
    "phase_other": 0,
}


def _score(reasons: list[Reason]) -> int:
    score = 0
    for reason in reasons:
        weight = _WEIGHTS.get(reason.key, 0)
        count = len(reason.params.get("wants", [])) if "wants" in reason.params else 1
        score += weight * count
    return score


def recommend(methods: list[Method], need: Need) -> list[Recommendation]:
    """Every method ranked for this need, those that fit first, each with its reasons."""
    ranked = [
        Recommendation(method, _score(reasons), reasons) for method in methods for reasons in [_reasons(method, need)]
    ]
    return sorted(ranked, key=lambda r: (not r.fits, -r.score, r.method.total_minutes, r.method.id))


def matches(
    method: Method,
    question_types: list[QuestionType],
    minutes_available: int | None,
    group_size: int | None,
    group_phase: DevelopmentPhase | None,
) -> bool:
    """Whether a method passes the library's filters (an empty filter lets everything through)."""
    fit = method.suitability
    return (
        (not question_types or bool(set(question_types) & set(fit.question_types)))
        and (minutes_available is None or method.total_minutes <= minutes_available)
        and (group_size is None or fit.min_members <= group_size <= fit.max_members)
        and (group_phase is None or group_phase in fit.group_phases)
    )
