"""Personal learning goals: a participant's own learning contract (seed 001), and who may read what of it.

Each person writes what they want to learn, why, how they will practise, how they will notice progress and,
if they like, by when. The goals are theirs alone: no other member, no coordinator and no administrator reads
them. Per goal the person may share it with the facilitators of one of their groups; the share ends when they
take it back, and by itself with any change in their membership of that group (leaving, being removed,
another role). Coordinators see counts per group only, and only from the organisation's privacy threshold.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from intervision import clock, store
from intervision.database import Database, Unit
from intervision.errors import DomainError, NotAllowed
from intervision.models import Person
from intervision.overview import Period
from intervision.permissions import Action, require
from intervision.store import learning_goals as kept
from intervision.store.learning_goals import LearningGoal, LearningGoalState, ProgressNote, SharedLearningGoal
from intervision.surveys import threshold

__all__ = [
    "GroupLearningGoals",
    "LearningGoal",
    "LearningGoalInput",
    "LearningGoalState",
    "MyLearningGoal",
    "ProgressInput",
    "ProgressNote",
    "SharedLearningGoal",
]

HOW_FAR = (1, 2, 3, 4, 5)  # 1: just begun; 5: there


class LearningGoalInput(BaseModel):
    """One line of the learning contract, as the person writes it."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    what: str = Field(min_length=1, max_length=300)  # what I want to learn
    why: str = Field(default="", max_length=1000)  # why it matters to me
    practice: str = Field(default="", max_length=1000)  # how I will practise
    signs: str = Field(default="", max_length=1000)  # how I will notice progress
    due: date | None = None  # by when; optional

    @field_validator("why", "practice", "signs", mode="before")
    @classmethod
    def _nothing_is_empty(cls, text: object) -> object:
        return "" if text is None else text

    @field_validator("due")
    @classmethod
    def _not_past(cls, due: date | None) -> date | None:
        if due is not None and due < clock.today():
            raise PydanticCustomError("date_in_past", "today or a later day")
        return due


class ProgressInput(BaseModel):
    """A progress note: how far I am (1–5) and, if I like, a few words."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    how_far: int = Field(ge=1, le=5)
    note: str = Field(default="", max_length=500)

    @field_validator("note", mode="before")
    @classmethod
    def _nothing_is_empty(cls, text: object) -> object:
        return "" if text is None else text


@dataclass(frozen=True)
class MyLearningGoal:
    """A goal with its progress notes, oldest first, for its owner."""

    goal: LearningGoal
    notes: tuple[ProgressNote, ...]

    @property
    def latest(self) -> ProgressNote | None:
        return self.notes[-1] if self.notes else None


@dataclass(frozen=True)
class GroupLearningGoals:
    """What a coordinator sees of one group: counts, each None when fewer people than the threshold are behind it."""

    group_id: int
    group_name: str
    people_with_goals: int | None
    goals_reviewed: int | None
    goals_reached: int | None


def _own_goal(db: Unit, viewer: Person, goal_id: int) -> LearningGoal:
    """The viewer's goal; someone else's is refused exactly like one that does not exist."""
    goal = kept.learning_goal(db, goal_id)
    if goal is None or goal.person_id != viewer.id:
        raise NotAllowed(Action.KEEP_LEARNING_GOALS.value)
    return goal


def my_learning_goals(database: Database, viewer: Person) -> list[MyLearningGoal]:
    """The viewer's own goals with their notes: open ones first."""
    require(Action.KEEP_LEARNING_GOALS, viewer.role)
    with database.reading() as db:
        goals = kept.learning_goals_of(db, viewer.id)
        notes = kept.progress_notes_of(db, viewer.id)
    return [MyLearningGoal(goal, tuple(note for note in notes if note.goal_id == goal.id)) for goal in goals]


def add_learning_goal(database: Database, viewer: Person, form: LearningGoalInput, now: datetime | None = None) -> int:
    require(Action.KEEP_LEARNING_GOALS, viewer.role)
    with database.writing() as db:
        return kept.add_learning_goal(
            db, viewer.id, form.what, form.why, form.practice, form.signs, form.due, now or database.clock.now()
        )


def note_progress(
    database: Database, viewer: Person, goal_id: int, form: ProgressInput, now: datetime | None = None
) -> int:
    """A progress note on an open goal of one's own."""
    require(Action.KEEP_LEARNING_GOALS, viewer.role)
    with database.writing() as db:
        goal = _own_goal(db, viewer, goal_id)
        if goal.state is not LearningGoalState.OPEN:
            raise DomainError("learning_goal_closed")
        return kept.add_progress_note(db, goal_id, form.note, form.how_far, now or database.clock.now())


def set_state(
    database: Database, viewer: Person, goal_id: int, state: LearningGoalState, now: datetime | None = None
) -> None:
    """Mark a goal reached, let it go, or take it up again."""
    require(Action.KEEP_LEARNING_GOALS, viewer.role)
    with database.writing() as db:
        _own_goal(db, viewer, goal_id)
        kept.set_learning_goal_state(db, goal_id, state, now or database.clock.now())


def share(database: Database, viewer: Person, goal_id: int, group_id: int | None, now: datetime | None = None) -> None:
    """Show the goal to the facilitators of one of the viewer's groups, or (None) take it back."""
    require(Action.KEEP_LEARNING_GOALS, viewer.role)
    with database.writing() as db:
        _own_goal(db, viewer, goal_id)
        if group_id is not None and store.group_role(db, group_id, viewer.id) is None:
            raise DomainError("not_in_group", field="group_id")
        kept.share_learning_goal(db, goal_id, group_id, now or database.clock.now())


def remove(database: Database, viewer: Person, goal_id: int) -> None:
    """Delete a goal and its notes for good."""
    require(Action.KEEP_LEARNING_GOALS, viewer.role)
    with database.writing() as db:
        _own_goal(db, viewer, goal_id)
        kept.delete_learning_goal(db, goal_id)


def groups_to_share_with(database: Database, viewer: Person) -> dict[int, str]:
    """The viewer's groups, by id, with their names: where a goal may be shared."""
    require(Action.KEEP_LEARNING_GOALS, viewer.role)
    with database.reading() as db:
        return {membership.group.id: membership.group.name for membership in store.groups_of(db, viewer.id)}


def shared_with_me(database: Database, viewer: Person, group_id: int) -> list[SharedLearningGoal]:
    """The open goals the group's people shared with its facilitators: text and latest progress only.

    Only a current facilitator of the group reads them, and never their own (they have their own page)."""
    with database.reading() as db:
        require(Action.READ_SHARED_LEARNING_GOALS, viewer.role, store.group_role(db, group_id, viewer.id))
        goals = kept.shared_learning_goals(db, group_id)
        mine = {goal.id for goal in kept.learning_goals_of(db, viewer.id)}
    return [goal for goal in goals if goal.goal_id not in mine]


def learning_goal_counts(
    database: Database, viewer: Person, group_ids: list[int], period: Period
) -> list[GroupLearningGoals]:
    """For a coordinator, per group: how many of its people keep learning goals, how many goals got a
    progress note in the period and how many were reached in it.

    Each number shows only when at least the organisation's privacy threshold of people stand behind it
    (the people with goals; the people who reviewed; the people who reached one); otherwise it is None.
    A number about fewer people could point at one person's learning."""
    require(Action.VIEW_OVERVIEW, viewer.role)
    limit = threshold(database)
    since, until = period.bounds
    with database.reading() as db:
        names = {group.id: group.name for group in store.all_groups(db)}
        chosen = [group_id for group_id in group_ids if group_id in names]
        counts = kept.learning_goal_counts(db, chosen, since, until)

    def shown(value: int, people: int) -> int | None:
        return value if people >= limit else None

    return [
        GroupLearningGoals(
            group_id=group_id,
            group_name=names[group_id],
            people_with_goals=shown(counts[group_id].people_with_goals, counts[group_id].people_with_goals),
            goals_reviewed=shown(counts[group_id].goals_reviewed, counts[group_id].people_reviewing),
            goals_reached=shown(counts[group_id].goals_reached, counts[group_id].people_reaching),
        )
        for group_id in chosen
    ]
