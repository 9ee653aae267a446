"""Concrete goals for a group or the organisation, and how far each has come.

A goal is read over the twelve months before today, or before its date once that has passed, from the
same figures the overview shows: what a group's contract does not report cannot count towards a goal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from intervision import clock, store
from intervision.database import Database
from intervision.errors import DomainError
from intervision.models import (
    EFFICACY_MEASURES,
    PERCENT_MEASURES,
    Goal,
    GoalInput,
    GoalMeasure,
    Person,
)
from intervision.overview import Comparison, GroupFigures, Period, compare_groups
from intervision.permissions import Action, require


class GoalStatus(StrEnum):
    MET = "met"
    NOT_YET = "not_yet"  # still before its date
    MISSED = "missed"  # its date has passed
    NO_DATA = "no_data"  # not reported, or too few answers to show


@dataclass(frozen=True)
class GoalProgress:
    goal: Goal
    value: float | None  # in the goal's unit: sessions, percent, or the 1–5 average
    status: GoalStatus
    period: Period

    @property
    def share_of_target(self) -> float:
        """How far towards the target, from 0 to 1: for a progress bar."""
        return 0.0 if self.value is None else max(0.0, min(1.0, self.value / self.goal.target))


def add_goal(database: Database, viewer: Person, form: GoalInput, now: datetime | None = None) -> int:
    require(Action.MANAGE_GOALS, viewer.role)
    with database.writing() as db:
        if form.group_id is not None and store.group(db, form.group_id) is None:
            raise DomainError("group_not_found", field="group_id")
        return store.add_goal(
            db, form.group_id, form.measure.value, form.target, form.due, viewer.id, now or database.clock.now()
        )


def remove_goal(database: Database, viewer: Person, goal_id: int) -> None:
    require(Action.MANAGE_GOALS, viewer.role)
    with database.writing() as db:
        store.delete_goal(db, goal_id)


def _share(parts: list[tuple[int, int] | None]) -> float | None:
    """A percentage over several groups: (numerator, denominator) pairs added up first."""
    counted = [part for part in parts if part is not None]
    denominator = sum(part[1] for part in counted)
    return 100 * min(1.0, sum(part[0] for part in counted) / denominator) if denominator else None


def _value(measure: GoalMeasure, groups: list[GroupFigures], comparison: Comparison, whole: bool) -> float | None:
    """A measure over some groups; `whole` reads the organisation, so averages combine whole releases."""
    if measure is GoalMeasure.SESSIONS_HELD:
        held = [group.sessions_held for group in groups if group.sessions_held is not None]
        return sum(held) / len(held) if held else None
    if measure is GoalMeasure.ATTENDANCE:
        return _share([group.attendance for group in groups])
    if measure is GoalMeasure.ACTION_ITEMS_DONE:
        return _share([(done, confirmed) for confirmed, done in (g.action_items for g in groups if g.action_items)])
    if measure is GoalMeasure.CASES_FOLLOWED_UP:
        return _share([(g.cases.followed_up, g.cases.discussed) for g in groups if g.cases])
    instrument_id = measure.value
    if whole:
        # Every release of the period once, pooled ones included: never a part of one.
        combined = comparison.combined(instrument_id)
        return combined.mean if combined else None
    latest = [group.efficacy.get(instrument_id) for group in groups]
    return latest[0].latest.mean if latest and latest[0] else None


def progress(database: Database, viewer: Person, today: date | None = None) -> list[GoalProgress]:
    """Every goal with its value now and whether it is met."""
    require(Action.MANAGE_GOALS, viewer.role)
    today = today or clock.today()
    with database.reading() as db:
        goals = store.goals(db)
    comparisons: dict[Period, Comparison] = {}
    result = []
    for goal in goals:
        period = Period.year_before(min(today, goal.due))
        if period not in comparisons:
            comparisons[period] = compare_groups(database, viewer, period, today=today)
        comparison = comparisons[period]
        groups = [g for g in comparison.groups if goal.group_id is None or g.group_id == goal.group_id]
        value = _value(goal.measure, groups, comparison, whole=goal.group_id is None)
        if value is None:
            status = GoalStatus.NO_DATA
        elif value >= goal.target:
            status = GoalStatus.MET
        else:
            status = GoalStatus.MISSED if goal.due < today else GoalStatus.NOT_YET
        result.append(GoalProgress(goal, value, status, period))
    return result


def unit_of(measure: GoalMeasure) -> str:
    """How a measure's number reads: "%", "/5" or sessions."""
    if measure in PERCENT_MEASURES:
        return "percent"
    if measure in EFFICACY_MEASURES:
        return "average"
    return "sessions"
