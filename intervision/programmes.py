"""Learning programmes (leertrajecten): groups brought together around one concrete problem.

After the HR checklist (seed 001) a coordinator works through eight steps, each saved on its own and open to
come back to: the problem, the goals, the target group, whether learning is the answer at all, time and the
moment in the year, the managers' support, the design and the evaluation plan. Vague answers get hints, never
a block; only what cannot be right (a goal's date in the past, a target equal to its start or outside the
measure's range) is refused, next to its field.

A programme moves through the BLITS phases 0–4 (seed 000, `data/blits.toml`): conditions are ticked with who
and when; moving on with conditions still open, or moving back, needs a reason, and every move is kept.

Privacy: a programme holds no case texts; coordinators own and edit it; the facilitators of its groups may read
it; a group's members see only its name and phase.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from intervision import clock
from intervision.data_files import DataFileError, parse_toml
from intervision.database import Database, Unit
from intervision.errors import DomainError
from intervision.methods import _Strict
from intervision.models import Language, Person
from intervision.permissions import Action, allows, require
from intervision.store import groups as group_store
from intervision.store import programmes as store
from intervision.store.programmes import LinkedGroup, PhaseMove, TickedCondition

# Validation context for what was saved before: a date that has passed since is no error then.
STORED = {"stored": True}
BLITS_FILE = Path(__file__).resolve().parent.parent / "data" / "blits.toml"
PHASES = range(5)


# --- the BLITS phases, as data ----------------------------------------------------------------------------------


class Bilingual(_Strict):
    nl: str = Field(min_length=1, max_length=1000)
    en: str = Field(min_length=1, max_length=1000)

    def __call__(self, language: Language) -> str:
        return getattr(self, language.value)


class Condition(Bilingual):
    id: str = Field(pattern=r"^[a-z_]+\.[a-z_]+$")


class BlitsPhase(_Strict):
    number: int = Field(ge=0, le=4)
    id: str = Field(pattern=r"^[a-z_]+$")
    name: Bilingual
    purpose: Bilingual
    conditions: list[Condition] = Field(min_length=1)
    tips: list[Bilingual] = Field(min_length=1)
    pitfalls: list[Bilingual] = Field(min_length=1)

    @model_validator(mode="after")
    def _conditions_named_for_the_phase(self) -> BlitsPhase:
        strangers = [c.id for c in self.conditions if not c.id.startswith(f"{self.id}.")]
        if strangers:
            raise ValueError(f"conditions {strangers} do not start with the phase's id '{self.id}.'")
        return self


class BlitsFile(_Strict):
    phases: list[BlitsPhase]

    @model_validator(mode="after")
    def _five_phases_in_order(self) -> BlitsFile:
        if [phase.number for phase in self.phases] != list(PHASES):
            raise ValueError("the phases must be numbered 0, 1, 2, 3, 4, in that order")
        ids = [c.id for phase in self.phases for c in phase.conditions]
        if len(ids) != len(set(ids)):
            raise ValueError("every condition needs an id of its own")
        return self


class BlitsFileError(DataFileError):
    """data/blits.toml cannot be used."""


def parse_blits(text: str, source: str = "blits.toml") -> BlitsFile:
    return parse_toml(text, source, BlitsFile, BlitsFileError, "phases", "phase")


@cache
def blits() -> BlitsFile:
    """The phases, read and checked once per process."""
    return parse_blits(BLITS_FILE.read_text(encoding="utf-8"), str(BLITS_FILE.name))


def phase(number: int) -> BlitsPhase:
    return blits().phases[number]


# --- the steps' forms ---------------------------------------------------------------------------------------


class _Input(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")


LongText = Annotated[str, Field(max_length=4000)]
ShortText = Annotated[str, Field(max_length=300)]


class ProgrammeInput(_Input):
    name: str = Field(min_length=1, max_length=120)
    group_ids: list[int] = Field(default_factory=list)


class ProblemStep(_Input):
    description: LongText = ""
    examples: LongText = ""
    how_often: ShortText = ""  # "every week", "12 times last year"
    how_many: int | None = Field(default=None, ge=0, le=1_000_000)  # complaints, incidents, people concerned

    def filled(self) -> bool:
        return bool(self.description)


class GoalKind(StrEnum):
    LEARNING = "learning"  # what people can do afterwards
    RESULT = "result"  # what changes in the work: fewer complaints, shorter waits


def _past(due: date | None) -> date | None:
    if due is not None and due < clock.today():
        raise PydanticCustomError("programme.date_in_past", "a date today or later")
    return due


def _goal_key() -> str:
    return secrets.token_hex(6)


class ProgrammeGoal(_Input):
    # Stable across edits of the list (a position is not): measured values of a result goal point at it.
    key: str = Field(default_factory=_goal_key, pattern=r"^[0-9a-f]{12}$")
    kind: GoalKind
    text: str = Field(min_length=1, max_length=1000)
    measure: ShortText = ""  # what is counted: "complaints about waiting per quarter"
    lowest: float | None = None  # the measure's range, when it has one (a percentage: 0–100)
    highest: float | None = None
    start: float | None = None
    target: float | None = None
    due: date | None = None

    @field_validator("highest")
    @classmethod
    def _range_in_order(cls, highest: float | None, info: ValidationInfo) -> float | None:
        lowest = info.data.get("lowest")
        if highest is not None and lowest is not None and highest < lowest:
            raise PydanticCustomError("programme.range_reversed", "the highest value is below the lowest")
        return highest

    @field_validator("start", "target")
    @classmethod
    def _within_range(cls, value: float | None, info: ValidationInfo) -> float | None:
        lowest, highest = info.data.get("lowest"), info.data.get("highest")
        if value is not None and ((lowest is not None and value < lowest) or (highest is not None and value > highest)):
            raise PydanticCustomError(
                "programme.outside_range",
                "between {lowest} and {highest}",
                {"lowest": _plain(lowest), "highest": _plain(highest)},
            )
        return value

    @field_validator("target")
    @classmethod
    def _moves_from_start(cls, target: float | None, info: ValidationInfo) -> float | None:
        if target is not None and target == info.data.get("start"):
            raise PydanticCustomError("programme.target_is_start", "a target other than the start value")
        return target

    @field_validator("due")
    @classmethod
    def _not_past(cls, due: date | None, info: ValidationInfo) -> date | None:
        # A goal read back after its date has passed is still the goal that was set.
        if info.context and info.context.get("stored"):
            return due
        return _past(due)


def _plain(value: float | None) -> str:
    """A range's end as people write it: 100, not 100.0; "…" for an open end."""
    if value is None:
        return "…"
    return str(int(value)) if value == int(value) else str(value)


class GoalsStep(_Input):
    goals: list[ProgrammeGoal] = Field(default_factory=list)

    def filled(self) -> bool:
        return bool(self.goals)


class Level(StrEnum):
    PRACTICAL = "practical"
    INTERMEDIATE = "intermediate"
    HIGHER = "higher"


class Experience(StrEnum):
    NEW = "new"
    MIXED = "mixed"
    EXPERIENCED = "experienced"


class WorkingHours(StrEnum):
    OFFICE = "office"
    SHIFTS = "shifts"
    PART_TIME = "part_time"
    MIXED = "mixed"


class TrainingExperience(StrEnum):
    GOOD = "good"
    MIXED = "mixed"
    POOR = "poor"
    NONE = "none"


class TargetGroupStep(_Input):
    level: Level | None = None
    experience: Experience | None = None
    working_hours: WorkingHours | None = None
    training_experience: TrainingExperience | None = None
    screen_access: bool = True  # can they follow online parts at work?
    notes: LongText = ""

    def filled(self) -> bool:
        return None not in (self.level, self.experience, self.working_hours, self.training_experience)


class Alternative(StrEnum):
    """Cathy Moore's question: would something other than training solve it?"""

    AGREEMENT = "agreement"
    TOOL = "tool"
    WORK_CHANGE = "work_change"
    INFORMATION = "information"
    OBSTACLE = "obstacle"


class Decision(StrEnum):
    LEARNING = "learning"
    ALTERNATIVE = "alternative"
    BOTH = "both"


class LearningCheckStep(_Input):
    would_help: list[Alternative] = Field(default_factory=list)
    decision: Decision | None = None
    reason: LongText = ""

    @field_validator("reason")
    @classmethod
    def _reason_with_decision(cls, reason: str, info: ValidationInfo) -> str:
        if info.data.get("decision") is not None and not reason:
            raise PydanticCustomError("programme.decision_reason", "the reason for the decision")
        return reason

    def filled(self) -> bool:
        return self.decision is not None


class TimeStep(_Input):
    session_hours: float | None = Field(default=None, ge=0, le=2000)
    applying_hours: float | None = Field(default=None, ge=0, le=2000)
    moment: ShortText = ""  # "from October, after the summer rush"
    avoid: ShortText = ""  # "not in December: year-end closing"
    measures: LongText = ""  # structural measures taken first, with management: rules, a working group, rotas

    def filled(self) -> bool:
        return self.session_hours is not None and bool(self.moment)


class ManagerRole(StrEnum):
    KICK_OFF = "kick_off"
    AFTER_EACH_BLOCK = "after_each_block"
    EXAMPLE = "example"


class Manager(_Input):
    name: str = Field(min_length=1, max_length=120)  # a name, not necessarily an account
    wish: LongText = ""
    hope: LongText = ""
    concern: LongText = ""
    questions: LongText = ""
    roles: list[ManagerRole] = Field(default_factory=list)


class SupportStep(_Input):
    managers: list[Manager] = Field(default_factory=list)

    def filled(self) -> bool:
        return bool(self.managers)


class Block(_Input):
    name: str = Field(min_length=1, max_length=120)
    weeks: int = Field(default=1, ge=1, le=52)
    content: LongText = ""
    intervision: bool = False


class DesignStep(_Input):
    blocks: list[Block] = Field(default_factory=list)
    kick_off: LongText = ""
    manager_conversations: LongText = ""

    def filled(self) -> bool:
        return bool(self.blocks)


class Level4(StrEnum):
    """Kirkpatrick's four levels."""

    REACTION = "reaction"
    LEARNING = "learning"
    BEHAVIOUR = "behaviour"
    RESULTS = "results"


class EvaluationMoment(_Input):
    when: str = Field(min_length=1, max_length=300)
    level: Level4
    what: str = Field(min_length=1, max_length=1000)
    reported_to: str = Field(min_length=1, max_length=300)


class EvaluationStep(_Input):
    moments: list[EvaluationMoment] = Field(default_factory=list)

    def filled(self) -> bool:
        return bool(self.moments)


STEPS: dict[str, type[_Input]] = {
    "problem": ProblemStep,
    "goals": GoalsStep,
    "target_group": TargetGroupStep,
    "learning_check": LearningCheckStep,
    "time": TimeStep,
    "support": SupportStep,
    "design": DesignStep,
    "evaluation": EvaluationStep,
}
STEP_OF = {model: key for key, model in STEPS.items()}
# The list a step is made of, for the steps that are added to one item at a time.
ITEMS = {"goals": ("goals", ProgrammeGoal), "support": ("managers", Manager), "design": ("blocks", Block),
         "evaluation": ("moments", EvaluationMoment)}  # fmt: skip


# --- hints: the checklist's questions, never a block ------------------------------------------------------

_DIGIT = re.compile(r"\d")
_FREQUENCY = re.compile(
    r"\b(per|elke|iedere|elk|keer|maal|dagelijks|wekelijks|maandelijks|jaarlijks|vaak|soms|zelden|"
    r"every|each|times|daily|weekly|monthly|yearly|often|sometimes|rarely)\b",
    re.IGNORECASE,
)
# A goal that only says "more", "better", "less" names a direction, not an end point.
_DIRECTION_ONLY = re.compile(
    r"\b(meer|beter|minder|verbeteren|verhogen|verlagen|versterken|groeien|more|better|less|improve|increase|"
    r"reduce|strengthen|grow)\b",
    re.IGNORECASE,
)


def problem_hints(step: ProblemStep) -> list[str]:
    if not step.filled():
        return []
    text = f"{step.description} {step.examples}"
    hints = []
    if not step.examples:
        hints.append("problem_no_example")
    if step.how_many is None and not _DIGIT.search(text):
        hints.append("problem_no_number")
    if not step.how_often and not _FREQUENCY.search(text):
        hints.append("problem_no_frequency")
    return hints


def goal_hints(goal: ProgrammeGoal) -> list[str]:
    hints = []
    if len(goal.text.split()) < 6 or (_DIRECTION_ONLY.search(goal.text) and not _DIGIT.search(goal.text)):
        hints.append("goal_not_specific")
    if not goal.measure or goal.target is None:
        hints.append("goal_not_measurable")
    if goal.due is None:
        hints.append("goal_no_date")
    return hints


def goals_hints(step: GoalsStep) -> list[str]:
    hints = sorted({hint for goal in step.goals for hint in goal_hints(goal)}, key=_HINT_ORDER.index)
    if step.goals and GoalKind.RESULT not in {goal.kind for goal in step.goals}:
        hints.append("goals_no_result")
    if step.goals and GoalKind.LEARNING not in {goal.kind for goal in step.goals}:
        hints.append("goals_no_learning")
    return hints


def learning_check_hints(step: LearningCheckStep) -> list[str]:
    if step.decision is Decision.LEARNING and step.would_help:
        return ["learning_despite_alternatives"]
    return []


def time_hints(step: TimeStep) -> list[str]:
    if not step.filled():
        return []
    return [] if step.applying_hours else ["time_no_applying"]


def support_hints(step: SupportStep) -> list[str]:
    if not step.managers:
        return []
    roles = {role for manager in step.managers for role in manager.roles}
    hints = []
    if ManagerRole.KICK_OFF not in roles:
        hints.append("support_no_kick_off")
    if ManagerRole.AFTER_EACH_BLOCK not in roles:
        hints.append("support_no_conversations")
    if any(not manager.concern and not manager.questions for manager in step.managers):
        hints.append("support_no_concerns")
    return hints


def design_hints(step: DesignStep) -> list[str]:
    if not step.blocks:
        return []
    hints = []
    if len(step.blocks) == 1:
        hints.append("design_one_shot")
    if not any(block.intervision for block in step.blocks):
        hints.append("design_no_intervision")
    if not step.kick_off:
        hints.append("design_no_kick_off")
    if not step.manager_conversations:
        hints.append("design_no_manager_conversations")
    return hints


def evaluation_hints(step: EvaluationStep) -> list[str]:
    if not step.moments:
        return []
    levels = {moment.level for moment in step.moments}
    hints = []
    if Level4.BEHAVIOUR not in levels:
        hints.append("evaluation_no_behaviour")
    if Level4.RESULTS not in levels:
        hints.append("evaluation_no_results")
    return hints


_HINT_ORDER = ["goal_not_specific", "goal_not_measurable", "goal_no_date"]
_HINTS = {
    "problem": problem_hints,
    "goals": goals_hints,
    "learning_check": learning_check_hints,
    "time": time_hints,
    "support": support_hints,
    "design": design_hints,
    "evaluation": evaluation_hints,
}


def hints(step: BaseModel) -> list[str]:
    """The hints for one step: keys under `programme.hint.`."""
    check = _HINTS.get(STEP_OF[type(step)])
    return check(step) if check else []


# What follows from the target group for the design, per answer: keys under `programme.advice.`.
_ADVICE: dict[str, dict[StrEnum, str]] = {
    "working_hours": {
        WorkingHours.SHIFTS: "shifts",
        WorkingHours.PART_TIME: "part_time",
        WorkingHours.MIXED: "mixed_hours",
    },
    "level": {Level.PRACTICAL: "practical", Level.HIGHER: "higher"},
    "experience": {Experience.NEW: "new", Experience.EXPERIENCED: "experienced", Experience.MIXED: "mixed_experience"},
    "training_experience": {TrainingExperience.POOR: "poor_training", TrainingExperience.NONE: "no_training"},
}


def design_advice(step: TargetGroupStep) -> list[str]:
    """What the target group means for the design: keys under `programme.advice.`."""
    advice = [by_answer[answer] for name, by_answer in _ADVICE.items() if (answer := getattr(step, name)) in by_answer]
    return advice if step.screen_access else [*advice, "no_screen"]


# --- a programme as read ----------------------------------------------------------------------------------


class StepState(StrEnum):
    OPEN = "open"
    HINTS = "hints"
    DONE = "done"


@dataclass(frozen=True)
class StepStatus:
    key: str
    state: StepState
    hints: list[str]


@dataclass(frozen=True)
class Programme:
    id: int
    name: str
    phase: int
    groups: list[LinkedGroup]
    steps: dict[str, BaseModel]  # every step, empty where nothing was saved yet
    saved: frozenset[str]
    ticked: dict[str, TickedCondition]
    moves: list[PhaseMove]
    may_edit: bool

    def step(self, key: str) -> BaseModel:
        return self.steps[key]

    def status(self) -> list[StepStatus]:
        result = []
        for key, step in self.steps.items():
            found = hints(step)
            if key not in self.saved or not step.filled():
                state = StepState.OPEN
            else:
                state = StepState.HINTS if found else StepState.DONE
            result.append(StepStatus(key, state, found))
        return result

    def open_steps(self) -> list[str]:
        return [status.key for status in self.status() if status.state is StepState.OPEN]

    def open_conditions(self, number: int | None = None) -> list[Condition]:
        chosen = self.phase if number is None else number
        return [c for c in phase(chosen).conditions if c.id not in self.ticked]


@dataclass(frozen=True)
class ProgrammeSummary:
    id: int
    name: str
    phase: int
    groups: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class GroupProgramme:
    """What a group's page says of its programme: its name and phase, nothing else."""

    name: str
    phase: int


# --- who may ----------------------------------------------------------------------------------------------


def _may_read(db: Unit, viewer: Person, programme_id: int) -> bool:
    """Coordinators, and whoever facilitates one of the programme's groups; members do not."""
    if allows(Action.VIEW_PROGRAMME, viewer.role):
        return True
    return any(
        allows(Action.VIEW_PROGRAMME, viewer.role, group_store.group_role(db, linked.group_id, viewer.id))
        for linked in store.linked_groups(db, programme_id)
    )


# --- reading ----------------------------------------------------------------------------------------------


def programmes(database: Database, viewer: Person) -> list[ProgrammeSummary]:
    """The programmes this person may read: all for a coordinator, those of their groups for a facilitator."""
    with database.reading() as db:
        rows = store.programme_rows(db)
        linked = store.linked_groups(db)
        readable = [row for row in rows if _may_read(db, viewer, row.id)]
    return [
        ProgrammeSummary(row.id, row.name, row.phase, [g.name for g in linked if g.programme_id == row.id])
        for row in readable
    ]


def programme(database: Database, viewer: Person, programme_id: int) -> Programme:
    with database.reading() as db:
        row = store.programme_row(db, programme_id)
        if row is None:
            raise DomainError("programme.not_found")
        if not _may_read(db, viewer, programme_id):
            raise DomainError("not_allowed", action=Action.VIEW_PROGRAMME.value)
        saved = {found.step: found.content for found in store.saved_steps(db, programme_id)}
        groups = store.linked_groups(db, programme_id)
        ticked = {c.condition_id: c for c in store.ticked_conditions(db, programme_id)}
        moves = store.phase_moves(db, programme_id)
    steps = {key: model.model_validate(saved.get(key, {}), context=STORED) for key, model in STEPS.items()}
    return Programme(
        id=row.id,
        name=row.name,
        phase=row.phase,
        groups=groups,
        steps=steps,
        saved=frozenset(saved),
        ticked=ticked,
        moves=moves,
        may_edit=allows(Action.MANAGE_PROGRAMMES, viewer.role),
    )


def programme_of_group(database: Database, viewer: Person, group_id: int) -> GroupProgramme | None:
    """The programme a group belongs to, for anyone who may open the group: its name and phase only."""
    with database.reading() as db:
        require(Action.VIEW_GROUP, viewer.role, group_store.group_role(db, group_id, viewer.id))
        row = store.programme_of_group(db, group_id)
    return GroupProgramme(row.name, row.phase) if row else None


def free_groups(database: Database, viewer: Person, programme_id: int | None = None) -> dict[int, str]:
    """Groups that can join this programme: in no programme yet, or in this one."""
    require(Action.MANAGE_PROGRAMMES, viewer.role)
    with database.reading() as db:
        taken = {g.group_id for g in store.linked_groups(db) if g.programme_id != programme_id}
        return {group.id: group.name for group in group_store.all_groups(db) if group.id not in taken}


# --- writing ----------------------------------------------------------------------------------------------


def _link_groups(db: Unit, programme_id: int, group_ids: list[int]) -> None:
    taken = {g.group_id: g for g in store.linked_groups(db) if g.programme_id != programme_id}
    for group_id in group_ids:
        group = group_store.group(db, group_id)
        if group is None:
            raise DomainError("group_not_found", field="group_ids")
        if group_id in taken:
            raise DomainError("programme.group_taken", field="group_ids", group=group.name)
    store.set_linked_groups(db, programme_id, list(dict.fromkeys(group_ids)))


def create_programme(database: Database, viewer: Person, form: ProgrammeInput, now: datetime | None = None) -> int:
    """A new programme in phase 0. Without groups it is a draft: allowed, and its status says so."""
    require(Action.MANAGE_PROGRAMMES, viewer.role)
    with database.writing() as db:
        programme_id = store.add_programme(db, form.name, viewer.id, now or database.clock.now())
        _link_groups(db, programme_id, form.group_ids)
    return programme_id


def update_programme(database: Database, viewer: Person, programme_id: int, form: ProgrammeInput) -> None:
    require(Action.MANAGE_PROGRAMMES, viewer.role)
    with database.writing() as db:
        _existing(db, programme_id)
        store.rename_programme(db, programme_id, form.name)
        _link_groups(db, programme_id, form.group_ids)


def delete_programme(database: Database, viewer: Person, programme_id: int) -> None:
    require(Action.MANAGE_PROGRAMMES, viewer.role)
    with database.writing() as db:
        store.delete_programme(db, programme_id)


def _existing(db: Unit, programme_id: int) -> int:
    row = store.programme_row(db, programme_id)
    if row is None:
        raise DomainError("programme.not_found")
    return row.phase


def save_step(
    database: Database, viewer: Person, programme_id: int, step: BaseModel, now: datetime | None = None
) -> None:
    """Save one step as it stands; the other steps are left as they are."""
    require(Action.MANAGE_PROGRAMMES, viewer.role)
    with database.writing() as db:
        _existing(db, programme_id)
        store.save_step(db, programme_id, STEP_OF[type(step)], step.model_dump(mode="json"), viewer.id,
                        now or database.clock.now())  # fmt: skip


def _saved(db: Unit, programme_id: int, key: str) -> BaseModel:
    content = next((s.content for s in store.saved_steps(db, programme_id) if s.step == key), {})
    return STEPS[key].model_validate(content, context=STORED)


def add_item(
    database: Database, viewer: Person, programme_id: int, key: str, item: BaseModel, now: datetime | None = None
) -> None:
    """Add a goal, a manager, a block or an evaluation moment to its step, and save the step."""
    require(Action.MANAGE_PROGRAMMES, viewer.role)
    listed, model = ITEMS[key]
    if not isinstance(item, model):
        raise TypeError(f"{key} holds {model.__name__}, not {type(item).__name__}")
    with database.writing() as db:
        _existing(db, programme_id)
        step = _saved(db, programme_id, key)
        content = step.model_dump(mode="json")
        content[listed] = [*content[listed], item.model_dump(mode="json")]
        store.save_step(db, programme_id, key, content, viewer.id, now or database.clock.now())


def remove_item(
    database: Database, viewer: Person, programme_id: int, key: str, index: int, now: datetime | None = None
) -> None:
    require(Action.MANAGE_PROGRAMMES, viewer.role)
    listed, _ = ITEMS[key]
    with database.writing() as db:
        _existing(db, programme_id)
        content = _saved(db, programme_id, key).model_dump(mode="json")
        if 0 <= index < len(content[listed]):
            del content[listed][index]
            store.save_step(db, programme_id, key, content, viewer.id, now or database.clock.now())


def save_design_texts(
    database: Database, viewer: Person, programme_id: int, kick_off: str, manager_conversations: str,
    now: datetime | None = None,
) -> None:  # fmt: skip
    """The design's kick-off and manager conversations, keeping its blocks."""
    require(Action.MANAGE_PROGRAMMES, viewer.role)
    with database.writing() as db:
        _existing(db, programme_id)
        blocks = _saved(db, programme_id, "design").blocks
        step = DesignStep(blocks=blocks, kick_off=kick_off, manager_conversations=manager_conversations)
        store.save_step(db, programme_id, "design", step.model_dump(mode="json"), viewer.id,
                        now or database.clock.now())  # fmt: skip


def tick_condition(
    database: Database, viewer: Person, programme_id: int, condition_id: str, done: bool, now: datetime | None = None
) -> None:
    """Tick a condition off (who and when are kept), or untick it."""
    require(Action.MANAGE_PROGRAMMES, viewer.role)
    if condition_id not in {c.id for p in blits().phases for c in p.conditions}:
        raise DomainError("programme.condition_unknown")
    with database.writing() as db:
        _existing(db, programme_id)
        if done:
            store.tick_condition(db, programme_id, condition_id, viewer.id, now or database.clock.now())
        else:
            store.untick_condition(db, programme_id, condition_id)


def move_phase(
    database: Database, viewer: Person, programme_id: int, to_phase: int, reason: str = "", now: datetime | None = None
) -> None:
    """Move to the next phase, or back to an earlier one.

    Moving on with conditions still open asks for a reason; so does moving back. Both are kept in the history.
    """
    require(Action.MANAGE_PROGRAMMES, viewer.role)
    reason = reason.strip()
    with database.writing() as db:
        current = _existing(db, programme_id)
        if to_phase not in PHASES or to_phase == current:
            raise DomainError("programme.phase_invalid", field="to_phase")
        if to_phase > current + 1:
            raise DomainError("programme.one_phase_at_a_time", field="to_phase")
        ticked = {c.condition_id for c in store.ticked_conditions(db, programme_id)}
        still_open = [c for c in phase(current).conditions if c.id not in ticked]
        if to_phase < current and not reason:
            raise DomainError("programme.reason_moving_back", field="reason")
        if to_phase > current and still_open and not reason:
            raise DomainError("programme.reason_open_conditions", field="reason", count=len(still_open))
        open_count = len(still_open) if to_phase > current else 0
        store.move_phase(db, programme_id, current, to_phase, reason, open_count, viewer.id,
                         now or database.clock.now())  # fmt: skip
