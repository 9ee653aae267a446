"""A learning programme evaluated on Kirkpatrick's four levels, each held against the programme's goals.

- reaction: how useful the groups' closed sessions were (the members' 1–5 ratings) and session-evaluation releases;
- learning: the groups' self- and collective-efficacy releases with their change, and how many people keep,
  review and reach personal learning goals (counts only);
- behaviour: action items confirmed and done, cases discussed and followed up;
- results: each result goal's measured values, entered by the coordinator over time, against start and target.

Only the programme's own groups, in a period the coordinator picks, as far as each group's contract reports to
the organisation, and never a figure with fewer people behind it than the privacy threshold. A session's
ratings count only as a whole session rated by at least the threshold of people (the mean its members see
after closing), so two periods never differ by a few ratings that would show what one person gave.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from intervision import clock, overview
from intervision.database import Database
from intervision.errors import DomainError
from intervision.learning_goals import GroupLearningGoals, learning_goal_counts
from intervision.models import Person, ReportItem
from intervision.overview import EFFICACY_INSTRUMENTS, Efficacy, GroupFigures, Period, Release
from intervision.permissions import Action, require
from intervision.programmes import GoalKind, ProgrammeGoal, programme
from intervision.store import programme_results as kept
from intervision.store import programmes as programme_store
from intervision.store.programme_results import ResultValue

SESSION_EVALUATION = "session_evaluation"
LEVELS = ("reaction", "learning", "behaviour", "results")


# --- entering a measured value ------------------------------------------------------------------------------


class ResultValueInput(BaseModel):
    """A value of a result goal's measure, as measured on a day."""

    model_config = ConfigDict(extra="forbid")

    value: float = Field(ge=-1_000_000_000, le=1_000_000_000)
    measured_on: date

    @field_validator("measured_on")
    @classmethod
    def _not_future(cls, day: date) -> date:
        if day > clock.today():
            raise PydanticCustomError("programme_report.date_in_future", "today or an earlier day")
        return day


def _plain(value: float | None) -> str:
    if value is None:
        return "…"
    return str(int(value)) if value == int(value) else str(value)


def add_result_value(
    database: Database,
    viewer: Person,
    programme_id: int,
    goal_key: str,
    form: ResultValueInput,
    now: datetime | None = None,
) -> int:
    """Keep a measured value of one of the programme's result goals; it must lie within the measure's range."""
    require(Action.MANAGE_PROGRAMMES, viewer.role)
    goal = _result_goal(database, viewer, programme_id, goal_key)
    if (goal.lowest is not None and form.value < goal.lowest) or (
        goal.highest is not None and form.value > goal.highest
    ):
        raise DomainError(
            "programme_report.outside_range", field="value", lowest=_plain(goal.lowest), highest=_plain(goal.highest)
        )
    with database.writing() as db:
        return kept.add_result_value(
            db, programme_id, goal_key, form.value, form.measured_on, viewer.id, now or database.clock.now()
        )


def remove_result_value(database: Database, viewer: Person, programme_id: int, value_id: int) -> None:
    require(Action.MANAGE_PROGRAMMES, viewer.role)
    with database.writing() as db:
        kept.delete_result_value(db, programme_id, value_id)


def _result_goal(database: Database, viewer: Person, programme_id: int, goal_key: str) -> ProgrammeGoal:
    goals = programme(database, viewer, programme_id).step("goals").goals
    goal = next((g for g in goals if g.key == goal_key and g.kind is GoalKind.RESULT), None)
    if goal is None:
        raise DomainError("programme_report.goal_not_found")
    return goal


# --- the four levels ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupReaction:
    """One group's session ratings in the period: None where its contract does not report survey results."""

    group_id: int
    name: str
    reported: bool
    sessions: int = 0  # closed sessions rated by enough people to be counted
    ratings: int = 0
    total: int = 0
    too_few: int = 0  # rated sessions left out: fewer ratings than the threshold

    @property
    def mean(self) -> float | None:
        return self.total / self.ratings if self.ratings else None


@dataclass(frozen=True)
class Reaction:
    groups: list[GroupReaction]
    releases: list[Release]  # session-evaluation releases of the reporting groups

    @property
    def ratings(self) -> int:
        return sum(group.ratings for group in self.groups)

    @property
    def sessions(self) -> int:
        return sum(group.sessions for group in self.groups)

    @property
    def mean(self) -> float | None:
        ratings = self.ratings
        return sum(group.total for group in self.groups) / ratings if ratings else None


@dataclass(frozen=True)
class GroupLearning:
    group_id: int
    name: str
    efficacy: dict[str, Efficacy | None] | None  # None: survey results not reported
    goals: GroupLearningGoals  # each count None below the threshold


@dataclass(frozen=True)
class GroupBehaviour:
    group_id: int
    name: str
    action_items: tuple[int, int] | None  # (confirmed, done); None: case counts not reported
    cases: tuple[int, int] | None  # (discussed, followed up)


@dataclass(frozen=True)
class ResultGoal:
    goal: ProgrammeGoal
    values: list[ResultValue]  # measured in the period, oldest first

    @property
    def latest(self) -> ResultValue | None:
        return self.values[-1] if self.values else None

    @property
    def reached(self) -> bool | None:
        """Whether the latest value is at or past the target, in the direction from start to target.

        Without a target, or without a start to tell the direction, or without a value: None (cannot say)."""
        goal, latest = self.goal, self.latest
        if latest is None or goal.target is None or goal.start is None:
            return None
        if goal.target >= goal.start:
            return latest.value >= goal.target
        return latest.value <= goal.target


@dataclass(frozen=True)
class ProgrammeReport:
    programme_id: int
    name: str
    period: Period
    threshold: int
    learning_goals: list[ProgrammeGoal]  # the programme's learning goals (the goals step)
    reaction: Reaction
    learning: list[GroupLearning]
    behaviour: list[GroupBehaviour]
    results: list[ResultGoal]

    @property
    def groups(self) -> list[str]:
        return [group.name for group in self.reaction.groups]


def default_period(database: Database, viewer: Person, programme_id: int, today: date | None = None) -> Period:
    """From the day the programme was created to today."""
    require(Action.VIEW_OVERVIEW, viewer.role)
    with database.reading() as db:
        row = programme_store.programme_row(db, programme_id)
    if row is None:
        raise DomainError("programme.not_found")
    today = today or clock.today()
    return Period(min(row.created_at.date(), today), today)


def _reaction(group: GroupFigures, counts: list[kept.SessionRatingCount], limit: int) -> GroupReaction:
    if ReportItem.SURVEY_AGGREGATES not in group.reported:
        return GroupReaction(group.group_id, group.name, reported=False)
    mine = [count for count in counts if count.group_id == group.group_id]
    counted = [count for count in mine if count.ratings >= limit]
    return GroupReaction(
        group.group_id,
        group.name,
        reported=True,
        sessions=len(counted),
        ratings=sum(count.ratings for count in counted),
        total=sum(count.total for count in counted),
        too_few=len(mine) - len(counted),
    )


def programme_report(
    database: Database, viewer: Person, programme_id: int, period: Period, today: date | None = None
) -> ProgrammeReport:
    """The programme on the four levels, for its own groups, in a period (coordinators only)."""
    require(Action.VIEW_OVERVIEW, viewer.role)
    today = today or clock.today()
    found = programme(database, viewer, programme_id)
    linked = {group.group_id for group in found.groups}
    comparison = overview.compare_groups(database, viewer, period, today=today)
    figures = [group for group in comparison.groups if group.group_id in linked]
    limit = comparison.threshold
    since, until = period.bounds
    reporting = {group.group_id for group in figures if ReportItem.SURVEY_AGGREGATES in group.reported}
    with database.reading() as db:
        counts = kept.session_rating_counts(db, sorted(linked), since, until)
        evaluations = overview.releases(db, SESSION_EVALUATION, limit, reporting, period, today)
        values = kept.result_values(db, programme_id)
    goal_counts = {
        counted.group_id: counted
        for counted in learning_goal_counts(database, viewer, [group.group_id for group in figures], period)
    }
    goals = found.step("goals").goals
    return ProgrammeReport(
        programme_id=found.id,
        name=found.name,
        period=period,
        threshold=limit,
        learning_goals=[goal for goal in goals if goal.kind is GoalKind.LEARNING],
        reaction=Reaction(
            [_reaction(group, counts, limit) for group in figures],
            # A pool may hold groups outside the programme: only releases of the programme's groups alone.
            [release for release in evaluations if set(release.group_ids) <= reporting],
        ),
        learning=[
            GroupLearning(
                group.group_id,
                group.name,
                {instrument: group.efficacy.get(instrument) for instrument in EFFICACY_INSTRUMENTS}
                if ReportItem.SURVEY_AGGREGATES in group.reported
                else None,
                goal_counts[group.group_id],
            )
            for group in figures
        ],
        behaviour=[
            GroupBehaviour(
                group.group_id,
                group.name,
                group.action_items,
                (group.cases.discussed, min(group.cases.followed_up, group.cases.discussed)) if group.cases else None,
            )
            for group in figures
        ],
        results=[
            ResultGoal(goal, [v for v in values if v.goal_key == goal.key and period.holds(v.measured_on)])
            for goal in goals
            if goal.kind is GoalKind.RESULT
        ],
    )
