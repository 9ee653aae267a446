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


MAX_DOTS = 10
# What members give dots to: the board's advice (ideas and alternatives are collected as advice too).
DOTTED_KINDS = (BoardKind.ADVICE,)


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
    # A phase in which the group or the case bringer picks among the advice: each member may give this many
    # dots to advice on the board (0: no dots in this phase).
    dots: int = Field(default=0, ge=0, le=MAX_DOTS)
    # A speaking round: each member taking part speaks in turn, in a drawn order, with the phase's minutes
    # shared out over them (the console's "next speaker", the projector's "now speaking").
    round: bool = False

    @model_validator(mode="after")
    def _round_has_members(self) -> Phase:
        if self.round and not {Speaker.MEMBERS, Speaker.EVERYONE_IN_TURN} & set(self.speakers):
            raise PydanticCustomError(
                "round_without_members", "a round needs the members or everyone in turn among its speakers"
            )
        return self


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
        for index, phase in enumerate(self.phases):
            if phase.dots and not any(
                kind in DOTTED_KINDS for earlier in self.phases[: index + 1] for kind in earlier.collects
            ):
                raise PydanticCustomError(
                    "dots_without_advice",
                    "phase {phase} gives dots but no phase up to it collects advice",
                    {"phase": phase.id},
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

# A facilitator shortens phases: a method up to a quarter longer than the time there is stays a candidate.
MAX_OVERRUN = 0.25
# A measured safety score below this share of its scale's range is low: the mean is not clearly on the
# "agree" side of neutral (below 3.4 on a 1–5 scale, below 4.6 on a 1–7 scale). Methods that need a safe
# group wait until the group itself says it is safe.
LOW_SAFETY_SHARE = 0.6
RECOMMENDED_COUNT = 3
# Minutes a session needs besides the method: the check-in and the closing round.
SPARE_MINUTES = 15
# Andersen's reflecting team: two to four reflectors besides the interviewer and the case bringer.
REFLECTORS = {"reflecting_team": (2, 4)}
_UNSAFE_PHASES = {DevelopmentPhase.FORMING, DevelopmentPhase.STORMING}
_SAFETY_ORDER = [Safety.LOW, Safety.MEDIUM, Safety.HIGH]


class MeasuredSafety(BaseModel):
    """The group's own psychological-safety score: the main scale's mean in its latest closed wave, known
    only when at least the privacy threshold of members answered."""

    model_config = ConfigDict(frozen=True)

    score: float
    lowest: int
    highest: int

    @property
    def low_below(self) -> float:
        """The score under which the group counts as not safe enough yet."""
        return self.lowest + LOW_SAFETY_SHARE * (self.highest - self.lowest)

    @property
    def is_low(self) -> bool:
        return self.score < self.low_below


class Need(BaseModel):
    """What a session asks of a method: the case, the time, the group.

    `group_size` counts the people in the circle who work on the case: the group's members, the case
    bringer included, a facilitator who only guides the procedure not. `safety` is the group's measured
    psychological safety, None when it was not measured or too few answered.
    """

    model_config = ConfigDict(extra="forbid")

    question_type: QuestionType
    wants: list[Want] = Field(default_factory=list)
    minutes_available: int = Field(ge=15, le=480)
    group_size: int = Field(ge=2, le=30)
    group_phase: DevelopmentPhase
    safety: MeasuredSafety | None = None


class Standing(StrEnum):
    """Where a method lands for a need, in the order the screens show them."""

    RECOMMENDED = "recommended"  # made for this kind of question, fits: the top three
    ALSO_POSSIBLE = "also_possible"  # made for this kind of question, but weaker than the recommended ones
    OTHER_QUESTION = "other_question"  # could run, but made for another kind of question
    NOT_YET = "not_yet"  # made for this kind of question, but the group is not safe enough for it yet
    RULED_OUT = "ruled_out"  # cannot fit: far too long, or the group's size does not allow it


@dataclass(frozen=True)
class Reason:
    """One reason for or against a method: a catalog key (`chooser.<key>`) and its values."""

    key: str
    fits: bool
    params: dict[str, object]


@dataclass(frozen=True)
class PlannedPhase:
    phase: Phase
    minutes: int


@dataclass(frozen=True)
class Recommendation:
    method: Method
    score: int
    reasons: list[Reason]
    standing: Standing = Standing.ALSO_POSSIBLE
    plan: list[PlannedPhase] | None = None  # the phases shortened to the time available, when needed

    @property
    def fits(self) -> bool:
        """Whether the method can run in this session at all."""
        return self.standing is not Standing.RULED_OUT

    @property
    def recommended(self) -> bool:
        return self.standing is Standing.RECOMMENDED


# Reasons that rule a method out, not merely make it less suitable.
_DEALBREAKERS = {"too_long", "too_few_members", "too_many_members"}
# Reasons that keep a method out of the top three, however well the rest fits.
_NOT_YET = {"needs_safe_group", "safety_low"}
# Safety reasons that name the group's phase.
_NAMES_PHASE = {"needs_safe_group", "check_safety", "asks_trust"}


def shortened_plan(method: Method, minutes_available: int) -> list[PlannedPhase]:
    """The method's phases in proportion to the time there is, in whole minutes adding up to it."""
    scale = minutes_available / method.total_minutes
    exact = [phase.minutes * scale for phase in method.phases]
    minutes = [max(1, int(value)) for value in exact]
    # Hand out what rounding down left over to the phases that lost the most, then take back from the
    # longest phases if the one-minute floor gave too much.
    by_loss = sorted(range(len(exact)), key=lambda i: (minutes[i] - exact[i], i))
    index = 0
    while sum(minutes) < minutes_available:
        minutes[by_loss[index % len(by_loss)]] += 1
        index += 1
    while sum(minutes) > minutes_available and max(minutes) > 1:
        minutes[minutes.index(max(minutes))] -= 1
    return [PlannedPhase(phase, minute) for phase, minute in zip(method.phases, minutes, strict=True)]


def _question_reason(method: Method, need: Need) -> Reason:
    kinds = method.suitability.question_types
    question = need.question_type.value
    if kinds[0] is need.question_type:
        return Reason("question_made_for", True, {"question": question})
    if need.question_type in kinds:
        return Reason("question_also", True, {"question": question})
    return Reason("question_other", False, {"question": question, "made_for": kinds[0].value})


def _time_reason(method: Method, need: Need) -> Reason:
    minutes = round(method.total_minutes)
    available = need.minutes_available
    if method.total_minutes <= available:
        return Reason("fits_time", True, {"minutes": minutes, "available": available, "spare": available - minutes})
    if method.total_minutes <= available * (1 + MAX_OVERRUN):
        return Reason("shorten", False, {"minutes": minutes, "available": available, "over": minutes - available})
    return Reason("too_long", False, {"minutes": minutes, "available": available})


def _size_reasons(method: Method, need: Need) -> list[Reason]:
    fit = method.suitability
    size = need.group_size
    if size < fit.min_members:
        return [Reason("too_few_members", False, {"minimum": fit.min_members, "size": size})]
    if size > fit.max_members:
        return [Reason("too_many_members", False, {"maximum": fit.max_members, "size": size})]
    reasons = [Reason("size_fits", True, {"size": size})]
    fewest, most = REFLECTORS.get(method.id, REFLECTORS.get(method.variant_of or "", (0, 0)))
    reflectors = size - 2  # besides the case bringer and the one who interviews
    if most and reflectors > most:
        reasons.append(Reason("reflectors_many", False, {"reflectors": reflectors, "most": most, "size": size}))
    elif fewest and reflectors < fewest:
        reasons = [Reason("too_few_members", False, {"minimum": fewest + 2, "size": size})]
    return reasons


def _safety_reasons(method: Method, need: Need) -> list[Reason]:
    safety = method.suitability.safety
    phase = need.group_phase.value
    measured = need.safety
    reasons: list[Reason] = []
    if safety is Safety.HIGH and need.group_phase in _UNSAFE_PHASES:
        reasons.append(Reason("needs_safe_group", False, {"phase": phase}))
    elif safety is Safety.HIGH and need.group_phase is DevelopmentPhase.NORMING and measured is None:
        # A norming group is usually safe enough, but nobody has measured it: check first.
        reasons.append(Reason("check_safety", False, {"phase": phase}))
    elif safety is Safety.MEDIUM and need.group_phase is DevelopmentPhase.FORMING:
        reasons.append(Reason("asks_trust", False, {"phase": phase}))
    if measured is not None and safety is not Safety.LOW:
        score = {"score": measured.score, "highest": measured.highest}
        if measured.is_low:
            reasons.append(Reason("safety_low" if safety is Safety.HIGH else "trust_low", False, score))
        elif safety is Safety.HIGH:
            reasons.append(Reason("safety_measured", True, score))
    return reasons


def _reasons(method: Method, need: Need) -> list[Reason]:
    fit = method.suitability
    reasons = [_question_reason(method, need)]
    served = [want for want in need.wants if want in fit.wants]
    if served:
        reasons.append(Reason("wants_served", True, {"wants": [want.value for want in served]}))
    missed = [want for want in need.wants if want not in fit.wants]
    if missed:
        reasons.append(Reason("wants_missed", False, {"wants": [want.value for want in missed]}))
    reasons.append(_time_reason(method, need))
    reasons.extend(_size_reasons(method, need))
    safety = _safety_reasons(method, need)
    if need.group_phase in fit.group_phases:
        reasons.append(Reason("phase_fits", True, {"phase": need.group_phase.value}))
    elif not any(reason.key in _NAMES_PHASE for reason in safety):
        # A safety reason already says the group's phase is not the method's: say it once.
        reasons.append(Reason("phase_other", False, {"phase": need.group_phase.value}))
    reasons.extend(safety)
    return reasons


# Points per reason. The question type weighs most; the rest spreads the methods that serve it.
_WEIGHTS = {
    "question_made_for": 40,
    "question_also": 28,
    "wants_served": 6,  # per want served
    "wants_missed": -4,  # per want missed
    "size_fits": 10,
    "reflectors_many": -5,
    "phase_fits": 10,
    "needs_safe_group": -35,
    "check_safety": -4,
    "safety_low": -35,
    "asks_trust": -8,
    "trust_low": -8,
}


def _points(reason: Reason) -> int:
    if reason.key == "fits_time":
        # Time left over is time for the check-in and the closing: full marks from a quarter of an hour.
        # More than half an hour idle is a session the case does not use: a point less per five minutes.
        spare = int(reason.params["spare"])
        return 10 + min(SPARE_MINUTES, spare) // 3 - max(0, spare - 2 * SPARE_MINUTES) // 5
    if reason.key == "shorten":
        # The further over, the more the phases are squeezed: from 9 points just over to 3 at a quarter.
        over = int(reason.params["over"]) / int(reason.params["available"])
        return round(9 - 24 * over)
    count = len(reason.params["wants"]) if "wants" in reason.params else 1  # type: ignore[arg-type]
    return _WEIGHTS.get(reason.key, 0) * count


def _score(reasons: list[Reason]) -> int:
    keys = {reason.key for reason in reasons}
    # Two facts saying the group is not safe yet (its phase, its score) count once: the method waits either way.
    counted_twice = _WEIGHTS["safety_low"] if {"needs_safe_group", "safety_low"} <= keys else 0
    counted_twice += _WEIGHTS["trust_low"] if {"asks_trust", "trust_low"} <= keys else 0
    return max(0, min(100, sum(_points(reason) for reason in reasons) - counted_twice))


def _ranked(r: Recommendation, chosen: bool, recommended_forms: dict[str, Method]) -> Recommendation:
    """The recommendation as shown: recommended, or, for another form of a recommended method, saying why a
    higher score may still stand below it."""
    if chosen:
        return Recommendation(r.method, r.score, r.reasons, Standing.RECOMMENDED, r.plan)
    other = recommended_forms.get(r.method.variant_of or r.method.id)
    if r.standing is Standing.ALSO_POSSIBLE and other is not None:
        reason = Reason("other_form_recommended", False, {"form": other})
        return Recommendation(r.method, r.score, [*r.reasons, reason], r.standing, r.plan)
    return r


def recommend(methods: list[Method], need: Need) -> list[Recommendation]:
    """Every method for this need in the order the screens show them, each with its reasons.

    The question type decides first: only a method made for this kind of question can be among the
    (at most three) recommended ones, only when the group is safe enough for it, and only one form of a
    method (not a method and its variant). Then the other methods for this question, then those for
    another kind of question, then those the group is not safe enough for yet, then those that cannot fit.
    """
    scored = []
    for method in methods:
        reasons = _reasons(method, need)
        keys = {reason.key for reason in reasons}
        plan = shortened_plan(method, need.minutes_available) if "shorten" in keys else None
        if keys & _DEALBREAKERS:
            standing = Standing.RULED_OUT
        elif "question_other" in keys:
            standing = Standing.OTHER_QUESTION
        elif keys & _NOT_YET:
            standing = Standing.NOT_YET
        else:
            standing = Standing.ALSO_POSSIBLE
        scored.append(Recommendation(method, _score(reasons), reasons, standing, plan))
    # On equal scores, the method that asks less of the group's safety comes first (the safer choice),
    # then the one that leaves the session's time to the case, besides the check-in and the closing.
    scored.sort(
        key=lambda r: (
            -r.score,
            _SAFETY_ORDER.index(r.method.suitability.safety),
            abs(need.minutes_available - SPARE_MINUTES - r.method.total_minutes),
            r.method.id,
        )
    )
    chosen: set[int] = set()
    families: dict[str, Method] = {}
    for r in scored:
        family = r.method.variant_of or r.method.id
        ready = r.standing is Standing.ALSO_POSSIBLE
        # One form of a method among the recommended: its variants make room for a different method.
        if ready and family not in families and len(chosen) < RECOMMENDED_COUNT:
            chosen.add(id(r))
            families[family] = r.method
    ranked = [_ranked(r, id(r) in chosen, families) for r in scored]
    order = list(Standing)
    return sorted(ranked, key=lambda r: order.index(r.standing))


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
