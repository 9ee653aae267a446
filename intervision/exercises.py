"""The exercise library: short exercises for a session's opening or closing, as validated data in Dutch and English.

Each exercise is one TOML file in `data/exercises/` (seed 003, "learning by doing", and more of our own). A file
that does not validate is refused with a message naming the file and the field; the rest of the library keeps
working. Which exercise to suggest depends on the group's phase (Tuckman) and on the community aspects the group is
weak on (seed 002: safety, trust, shared responsibility, conversation skills).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import cache
from pathlib import Path

from pydantic import BaseModel, Field, model_validator
from pydantic_core import PydanticCustomError

from intervision.config import PROJECT_ROOT
from intervision.data_files import DataFileError, parse_toml
from intervision.methods import Lines, Name, Slug, Text, _Strict
from intervision.models import DevelopmentPhase, Language

EXERCISES_DIR = PROJECT_ROOT / "data" / "exercises"


class Slot(StrEnum):
    """Where in a session an exercise goes."""

    OPENING = "opening"  # the check-in
    CLOSING = "closing"


class CommunityAspect(StrEnum):
    """What makes a group a learning community besides what it learns (seed 002)."""

    SAFETY = "safety"
    TRUST = "trust"
    SHARED_RESPONSIBILITY = "shared_responsibility"
    CONVERSATION_SKILLS = "conversation_skills"  # listening, summarising, asking on


class SessionExercise(BaseModel):
    """An exercise added to a session's slot, as stored with the session."""

    slot: Slot
    exercise_id: str
    shown: bool  # on the projector now (while the session is in this slot)
    added_at: datetime


class Exercise(_Strict):
    id: Slug
    name: Name
    purpose: Text
    minutes: int = Field(ge=1, le=90)
    min_people: int = Field(ge=2, le=30)
    max_people: int = Field(ge=2, le=30)
    materials: Lines = Lines()
    steps: Lines  # what the facilitator reads out or projects, in order
    notes: Lines = Lines()  # for the facilitator only: what to watch for; never projected
    slots: list[Slot] = Field(min_length=1, max_length=2)
    group_phases: list[DevelopmentPhase] = Field(min_length=1)
    strengthens: list[CommunityAspect] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Exercise:
        if self.min_people > self.max_people:
            raise PydanticCustomError("people_range", "min_people is larger than max_people")
        if not self.steps.nl:
            raise PydanticCustomError("no_steps", "an exercise needs at least one step")
        return self

    def fits(self, slot: Slot) -> bool:
        return slot in self.slots


class ExerciseFileError(DataFileError):
    """An exercise file that cannot be used, with every problem spelled out."""


def parse_exercise(text: str, source: str) -> Exercise:
    """An exercise from TOML text; ExerciseFileError says what is wrong and where (file and field)."""
    return parse_toml(text, source, Exercise, ExerciseFileError, "steps", "step")


@dataclass(frozen=True)
class ExerciseLibrary:
    """The exercises that loaded, and the files that were refused."""

    exercises: dict[str, Exercise]
    refused: list[ExerciseFileError]

    def for_slot(self, slot: Slot) -> list[Exercise]:
        return [exercise for exercise in self.exercises.values() if exercise.fits(slot)]


@cache
def _library(directory: Path, signature: tuple[tuple[str, float], ...]) -> ExerciseLibrary:
    exercises: dict[str, Exercise] = {}
    refused: list[ExerciseFileError] = []
    for file in sorted(directory.glob("*.toml")):
        try:
            exercise = parse_exercise(file.read_text(encoding="utf-8"), file.name)
        except (ExerciseFileError, UnicodeDecodeError, OSError) as error:
            refused.append(
                error if isinstance(error, ExerciseFileError) else ExerciseFileError(file.name, [str(error)])
            )
            continue
        if exercise.id != file.stem:
            refused.append(ExerciseFileError(file.name, [f"id: '{exercise.id}' differs from the file name"]))
            continue
        exercises[exercise.id] = exercise
    return ExerciseLibrary(exercises, refused)


def exercise_library(directory: Path = EXERCISES_DIR) -> ExerciseLibrary:
    """Every exercise in `data/exercises/`, read again only when a file changed."""
    signature = tuple((file.name, file.stat().st_mtime) for file in sorted(directory.glob("*.toml")))
    return _library(directory, signature)


# --- suggesting --------------------------------------------------------------------------------


def _fit(exercise: Exercise, phase: DevelopmentPhase | None, weak: frozenset[CommunityAspect]) -> tuple[int, int]:
    """How well an exercise fits: first the weak aspects it strengthens, then whether it suits the group's phase.

    A weak aspect weighs more than the phase: a group that does not feel safe needs work on safety whatever its
    phase, and most exercises suit more than one phase anyway."""
    strengthened = len(weak & set(exercise.strengthens))
    return strengthened, int(phase is not None and phase in exercise.group_phases)


def suggest(
    exercises: list[Exercise],
    slot: Slot,
    phase: DevelopmentPhase | None,
    weak_aspects: frozenset[CommunityAspect] | set[CommunityAspect] = frozenset(),
    language: Language = Language.NL,
) -> list[Exercise]:
    """The exercises that fit the slot, best first: those that strengthen the group's weak community aspects,
    then those that suit its phase, then the shorter ones (an opening or closing should not eat the case's time),
    then by name."""
    weak = frozenset(weak_aspects)
    fitting = [exercise for exercise in exercises if exercise.fits(slot)]
    return sorted(
        fitting,
        key=lambda exercise: (
            tuple(-score for score in _fit(exercise, phase, weak)),
            exercise.minutes,
            exercise.name(language).lower(),
        ),
    )
