"""Goals: a target for one measure, for one group or the whole organisation, and how far it has come.

The organisation built here has four groups, all active in 2025 (time injected with `now=`):

- Team North reports everything: three sessions (Ben away once), two cases (one followed up), three action
  items (two confirmed, one of them done), and two whole self-efficacy waves (3.5 in March, 4.5 in October);
  and one more session in January 2026.
- Team South reports everything: one session (all present), one confirmed action item that is done, and a
  small self-efficacy wave (2 people) that is pooled with Team East's for the first half of 2025.
- Team East reports only its survey results: a small wave of one person.
- Team Quiet reports nothing, though it is busy: its numbers never count.

Goals due in the past are added with `GoalInput.model_construct`: the form itself refuses a date that is not
after the clock's today, and these goals live in 2025.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError
from unit_support import JOINED, NOW, count_rows, group_form

from intervision import cases, clock, db, goals, groups, live, store, surveys
from intervision.errors import DomainError, NotAllowed
from intervision.goals import GoalStatus
from intervision.instruments import shipped_instruments
from intervision.models import (
    ActionItemInput,
    CaseInput,
    FollowUpInput,
    GoalInput,
    GoalMeasure,
    GroupInput,
    GroupRole,
    Person,
    QuestionType,
    ReportItem,
    Role,
    SessionRole,
    StartSessionInput,
)
from intervision.overview import Period

M = GoalMeasure
DUE = date(2025, 12, 31)
AFTER = date(2026, 1, 15)  # a today after DUE, and after both half-years of 2025
LATE_DUE = date(2026, 6, 30)  # a date still ahead on AFTER


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), UTC)


def ahead(days: int = 30) -> date:
    return clock.today() + timedelta(days=days)


# --- the form ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("measure", "target"),
    [
        (M.SESSIONS_HELD, 1),
        (M.SESSIONS_HELD, 52),
        (M.ATTENDANCE, 1),
        (M.ATTENDANCE, 100),
        (M.ACTION_ITEMS_DONE, 75.5),
        (M.CASES_FOLLOWED_UP, 100),
        (M.SELF_EFFICACY, 1),
        (M.SELF_EFFICACY, 5),
        (M.COLLECTIVE_EFFICACY, 3.8),
    ],
)
@pytest.mark.date_sensitive
def test_a_target_within_its_measures_range_is_taken(measure: GoalMeasure, target: float):
    form = GoalInput(measure=measure, target=target, due=ahead())
    assert form.target == target
    assert form.group_id is None


@pytest.mark.parametrize(
    ("measure", "target"),
    [
        (M.SESSIONS_HELD, 0),
        (M.SESSIONS_HELD, 0.5),
        (M.SESSIONS_HELD, 53),
        (M.ATTENDANCE, 0),
        (M.ATTENDANCE, 100.5),
        (M.ACTION_ITEMS_DONE, -10),
        (M.CASES_FOLLOWED_UP, 101),
        (M.SELF_EFFICACY, 0.9),
        (M.SELF_EFFICACY, 5.1),
        (M.COLLECTIVE_EFFICACY, 6),
        (M.COLLECTIVE_EFFICACY, float("nan")),
    ],
)
@pytest.mark.date_sensitive
def test_a_target_outside_its_measures_range_is_refused(measure: GoalMeasure, target: float):
    with pytest.raises(ValidationError) as refused:
        GoalInput(measure=measure, target=target, due=ahead())
    (error,) = refused.value.errors()
    assert error["type"] == "target_range"
    assert error["loc"] == ("target",)


@pytest.mark.parametrize("days", [0, -1, -400])
@pytest.mark.date_sensitive
def test_a_goal_is_due_after_today(days: int):
    with pytest.raises(ValidationError) as refused:
        GoalInput(measure=M.ATTENDANCE, target=80, due=clock.today() + timedelta(days=days))
    (error,) = refused.value.errors()
    assert error["type"] == "date_in_future"
    assert error["loc"] == ("due",)
    assert GoalInput(measure=M.ATTENDANCE, target=80, due=ahead(1)).due == ahead(1)


@pytest.mark.date_sensitive
def test_an_unknown_measure_is_refused():
    with pytest.raises(ValidationError) as refused:
        GoalInput(measure="happiness", target=3, due=ahead())
    assert [error["loc"] for error in refused.value.errors()] == [("measure",)]


def test_units_of_the_measures():
    assert goals.unit_of(M.SESSIONS_HELD) == "sessions"
    assert {goals.unit_of(m) for m in (M.ATTENDANCE, M.ACTION_ITEMS_DONE, M.CASES_FOLLOWED_UP)} == {"percent"}
    assert {goals.unit_of(m) for m in (M.SELF_EFFICACY, M.COLLECTIVE_EFFICACY)} == {"average"}


# --- who may set goals ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.PARTICIPANT])
@pytest.mark.date_sensitive
def test_only_coordinators_add_remove_and_follow_goals(path: Path, coordinator: Person, make_person, role: Role):
    someone = make_person("Someone Else", role)
    form = GoalInput(measure=M.ATTENDANCE, target=80, due=ahead())
    goal_id = goals.add_goal(path, coordinator, form, now=NOW)

    with pytest.raises(NotAllowed):
        goals.add_goal(path, someone, form, now=NOW)
    with pytest.raises(NotAllowed):
        goals.remove_goal(path, someone, goal_id)
    with pytest.raises(NotAllowed):
        goals.progress(path, someone, today=date(2025, 6, 1))
    assert count_rows(path, "goals") == 1
    assert [p.goal.id for p in goals.progress(path, coordinator, today=date(2025, 6, 1))] == [goal_id]


@pytest.mark.date_sensitive
def test_a_goal_for_an_unknown_group_is_refused(path: Path, coordinator: Person):
    with pytest.raises(DomainError) as refused:
        goals.add_goal(path, coordinator, GoalInput(group_id=999, measure=M.ATTENDANCE, target=80, due=ahead()))
    assert (refused.value.key, refused.value.field) == ("group_not_found", "group_id")
    assert count_rows(path, "goals") == 0


@pytest.mark.date_sensitive
def test_a_goal_is_added_and_removed(path: Path, coordinator: Person, make_group):
    group_id = make_group("Team North")
    due = ahead(90)
    kept = goals.add_goal(path, coordinator, GoalInput(measure=M.SESSIONS_HELD, target=6, due=due), now=NOW)
    gone = goals.add_goal(
        path, coordinator, GoalInput(group_id=group_id, measure=M.SELF_EFFICACY, target=3.5, due=due), now=NOW
    )
    (org_goal, group_goal) = [p.goal for p in goals.progress(path, coordinator, today=date(2025, 6, 1))]
    assert (org_goal.id, org_goal.group_id, org_goal.group_name, org_goal.measure, org_goal.target, org_goal.due) == (
        kept,
        None,
        None,
        M.SESSIONS_HELD,
        6,
        due,
    )
    assert (group_goal.id, group_goal.group_name, group_goal.measure, group_goal.target) == (
        gone,
        "Team North",
        M.SELF_EFFICACY,
        3.5,
    )
    assert group_goal.created_at == NOW

    goals.remove_goal(path, coordinator, gone)
    assert [p.goal.id for p in goals.progress(path, coordinator, today=date(2025, 6, 1))] == [kept]


# --- progress ------------------------------------------------------------------------------------------


@dataclass
class Org:
    path: Path
    coordinator: Person
    north: int
    south: int
    east: int
    quiet: int

    def goal(self, measure: GoalMeasure, target: float, group_id: int | None = None, due: date = DUE) -> int:
        form = GoalInput.model_construct(group_id=group_id, measure=measure, target=target, due=due)
        return goals.add_goal(self.path, self.coordinator, form, now=NOW)

    def progress(self, today: date = AFTER) -> dict[int, goals.GoalProgress]:
        return {p.goal.id: p for p in goals.progress(self.path, self.coordinator, today=today)}

    def one(self, measure: GoalMeasure, target: float, group_id: int | None = None, due: date = DUE, today=AFTER):
        goal_id = self.goal(measure, target, group_id, due)
        return self.progress(today)[goal_id]


def _revision(path: Path, session_id: int) -> int:
    with db.reading(path) as conn:
        return store.live_session(conn, session_id).revision


def _case(group_id: int) -> CaseInput:
    return CaseInput(
        group_id=group_id,
        title="A parent who mails every week",
        situation="A parent mails long messages every week.",
        learning_question="How do I set limits?",
        question_type=QuestionType.OWN_BEHAVIOUR,
        anonymised=True,
    )


@pytest.fixture
def org(path: Path, coordinator: Person, make_person) -> Org:
    def group(name: str, reports, lead: Person, members: list[Person]) -> int:
        contract = group_form(name, reported_to_organisation=list(reports), meets_every_weeks=2).contract
        group_id = groups.create_group(path, coordinator, GroupInput(name=name, contract=contract), now=NOW)
        with db.writing(path) as conn:
            store.set_membership(conn, group_id, lead.id, GroupRole.FACILITATOR, JOINED)
            for person in members:
                store.set_membership(conn, group_id, person.id, GroupRole.MEMBER, JOINED)
        return group_id

    def session(lead: Person, group_id: int, day: date, absent=(), case_id=None, bringer=None) -> int:
        roles = {SessionRole.CASE_BRINGER: [bringer.id]} if bringer else {}
        form = StartSessionInput(group_id=group_id, method_id="incident", case_id=case_id, roles=roles)
        session_id = live.start_session(path, lead, form, now=at(day))
        gone = {person.id for person in absent}
        for person_id in live.presence(path, lead, session_id):  # the check-in: everyone else is here
            live.set_present(path, lead, session_id, person_id, person_id not in gone)
        return session_id

    def close(lead: Person, session_id: int, day: date) -> None:
        live.close_session(path, lead, session_id, _revision(path, session_id), now=at(day, 12))

    def item(lead: Person, session_id: int, day: date, confirmed: bool) -> int:
        item_id = live.add_action_item(path, lead, session_id, ActionItemInput(text="Call"), now=at(day))
        live.confirm_action_item(path, lead, session_id, item_id, confirmed)
        return item_id

    def wave(group_id: int, answers: list[tuple[Person, int]], closed_on: date) -> None:
        opened = at(closed_on - timedelta(days=2))
        wave_id = surveys.open_wave(path, coordinator, group_id, "self_efficacy", "after_session", now=opened)
        for person, value in answers:
            surveys.answer(
                path,
                person,
                wave_id,
                {item.id: value for item in shipped_instruments().instruments["self_efficacy"].items},
                now=opened,
            )
        surveys.close_wave(path, coordinator, wave_id, now=at(closed_on, 18))

    lead = make_person("Fay Facilitator", Role.FACILITATOR)
    anna, ben, chris, dirk = (make_person(f"{name} North") for name in ("Anna", "Ben", "Chris", "Dirk"))
    eva, finn = make_person("Eva South"), make_person("Finn South")
    gert = make_person("Gert East")
    quiet_people = [make_person(f"Quiet {n}") for n in range(4)]
    everything = tuple(ReportItem)
    north = group("Team North", everything, lead, [anna, ben, chris, dirk])
    south = group("Team South", everything, lead, [eva, finn])
    east = group("Team East", (ReportItem.SURVEY_AGGREGATES,), lead, [gert])
    quiet = group("Team Quiet", (), lead, quiet_people)

    # Team North: three sessions in 2025 (Ben away at the first), one in January 2026.
    first_case = cases.submit_case(path, anna, _case(north), now=at(date(2025, 3, 1)))
    first = session(lead, north, date(2025, 3, 10), absent=(ben,), case_id=first_case, bringer=anna)
    done = item(lead, first, date(2025, 3, 10), confirmed=True)
    item(lead, first, date(2025, 3, 10), confirmed=True)
    item(lead, first, date(2025, 3, 10), confirmed=False)
    close(lead, first, date(2025, 3, 10))
    cases.follow_up(path, anna, first_case, FollowUpInput(text="It went well."), now=at(date(2025, 3, 20)))
    second_case = cases.submit_case(path, ben, _case(north), now=at(date(2025, 5, 1)))
    second = session(lead, north, date(2025, 5, 12), case_id=second_case, bringer=ben)
    live.set_action_item_done(path, lead, second, done, True)
    close(lead, second, date(2025, 5, 12))
    close(lead, session(lead, north, date(2025, 9, 15)), date(2025, 9, 15))
    close(lead, session(lead, north, date(2026, 1, 5)), date(2026, 1, 5))
    wave(north, [(anna, 3), (ben, 3), (chris, 4), (dirk, 4)], date(2025, 3, 20))
    wave(north, [(anna, 4), (ben, 4), (chris, 5), (dirk, 5)], date(2025, 10, 1))

    # Team South: one session, all present; an action item done; a small wave.
    south_session = session(lead, south, date(2025, 4, 7))
    south_item = item(lead, south_session, date(2025, 4, 7), confirmed=True)
    live.set_action_item_done(path, lead, south_session, south_item, True)
    close(lead, south_session, date(2025, 4, 7))
    wave(south, [(eva, 2), (finn, 3)], date(2025, 4, 20))

    # Team East: one answer, which completes the first half-year's pool with Team South's two.
    wave(east, [(gert, 4)], date(2025, 5, 20))

    # Team Quiet: busy, but reports nothing.
    for day in (date(2025, 2, 3), date(2025, 6, 2)):
        quiet_session = session(lead, quiet, day, absent=tuple(quiet_people[:3]))
        item(lead, quiet_session, day, confirmed=True)
        close(lead, quiet_session, day)
    wave(quiet, [(person, 1) for person in quiet_people], date(2025, 6, 10))

    return Org(path, coordinator, north, south, east, quiet)


@pytest.mark.parametrize(
    ("measure", "group", "value"),
    [
        (M.SESSIONS_HELD, "north", 3),
        (M.SESSIONS_HELD, "south", 1),
        (M.SESSIONS_HELD, None, 2),  # per group that reports it: (3 + 1) / 2
        (M.ATTENDANCE, "north", 100 * 11 / 12),
        (M.ATTENDANCE, "south", 100),
        (M.ATTENDANCE, None, 100 * 13 / 14),
        (M.ACTION_ITEMS_DONE, "north", 50),
        (M.ACTION_ITEMS_DONE, "south", 100),
        (M.ACTION_ITEMS_DONE, None, 100 * 2 / 3),
        (M.CASES_FOLLOWED_UP, "north", 50),
        (M.CASES_FOLLOWED_UP, None, 50),
        (M.SELF_EFFICACY, "north", 4.5),  # the latest release of the period
        (M.SELF_EFFICACY, "south", 3.0),  # the pool it shares with Team East
        (M.SELF_EFFICACY, "east", 3.0),
        (M.SELF_EFFICACY, None, (4 * 3.5 + 3 * 3.0 + 4 * 4.5) / 11),  # every release of the period, weighted
    ],
)
def test_progress_values_per_measure(org: Org, measure: GoalMeasure, group: str | None, value: float):
    group_id = getattr(org, group) if group else None
    progress = org.one(measure, 1, group_id)
    assert progress.value == pytest.approx(value)
    assert progress.status is GoalStatus.MET
    assert progress.period == Period(date(2025, 1, 1), DUE)


@pytest.mark.parametrize(
    ("measure", "group"),
    [
        (M.SESSIONS_HELD, "quiet"),
        (M.ATTENDANCE, "quiet"),
        (M.ACTION_ITEMS_DONE, "quiet"),
        (M.CASES_FOLLOWED_UP, "quiet"),
        (M.SELF_EFFICACY, "quiet"),
        (M.SESSIONS_HELD, "east"),  # East reports only its survey results
        (M.ATTENDANCE, "east"),
        (M.CASES_FOLLOWED_UP, "south"),  # reported, but no case was discussed
        (M.COLLECTIVE_EFFICACY, "north"),  # reported, but no release
        (M.COLLECTIVE_EFFICACY, None),
    ],
)
def test_no_data_when_the_contract_does_not_report_it_or_nothing_is_released(
    org: Org, measure: GoalMeasure, group: str | None
):
    group_id = getattr(org, group) if group else None
    progress = org.one(measure, 1, group_id)
    assert progress.value is None
    assert progress.status is GoalStatus.NO_DATA
    assert progress.share_of_target == 0.0


def test_a_pool_not_yet_released_gives_no_data(org: Org):
    # In June 2025 the first half-year is not over: Team South's small wave is not shown, alone or pooled.
    progress = org.one(M.SELF_EFFICACY, 3, org.south, due=DUE, today=date(2025, 6, 20))
    assert progress.status is GoalStatus.NO_DATA
    assert org.one(M.SELF_EFFICACY, 3, org.south, due=DUE, today=date(2025, 7, 1)).value == pytest.approx(3.0)


def test_met_missed_and_not_yet(org: Org):
    met = org.goal(M.SESSIONS_HELD, 3, org.north)
    missed = org.goal(M.SESSIONS_HELD, 4, org.north)
    # Still ahead: read over the year before today, which holds the January 2026 session too.
    not_yet = org.goal(M.SESSIONS_HELD, 5, org.north, due=LATE_DUE)
    reached_early = org.goal(M.SESSIONS_HELD, 4, org.north, due=LATE_DUE)
    efficacy_missed = org.goal(M.SELF_EFFICACY, 4.6, org.north)
    attendance_met = org.goal(M.ATTENDANCE, 90, None)

    progress = org.progress(AFTER)
    assert (progress[met].value, progress[met].status) == (3, GoalStatus.MET)
    assert (progress[missed].value, progress[missed].status) == (3, GoalStatus.MISSED)
    assert progress[missed].share_of_target == pytest.approx(0.75)
    assert (progress[not_yet].value, progress[not_yet].status) == (4, GoalStatus.NOT_YET)
    assert progress[not_yet].period == Period(date(2025, 1, 16), AFTER)
    assert (progress[reached_early].value, progress[reached_early].status) == (4, GoalStatus.MET)
    assert progress[reached_early].share_of_target == 1.0
    assert progress[efficacy_missed].status is GoalStatus.MISSED
    assert progress[attendance_met].status is GoalStatus.MET


def test_a_passed_goal_is_read_over_the_year_before_its_date(org: Org):
    goal_id = org.goal(M.SESSIONS_HELD, 4, org.north)
    # Whenever it is read after its date, the January 2026 session does not count towards it.
    for today in (AFTER, date(2026, 7, 1), date(2030, 1, 1)):
        progress = org.progress(today)[goal_id]
        assert progress.period == Period(date(2025, 1, 1), DUE)
        assert (progress.value, progress.status) == (3, GoalStatus.MISSED)
    # On its date it is not missed yet.
    on_the_day = org.progress(DUE)[goal_id]
    assert (on_the_day.value, on_the_day.status) == (3, GoalStatus.NOT_YET)


def test_a_groups_numbers_count_once_its_contract_reports_them_but_not_its_earlier_surveys(org: Org):
    measures = (M.SESSIONS_HELD, M.ATTENDANCE, M.ACTION_ITEMS_DONE, M.SELF_EFFICACY)
    silent = {measure: org.one(measure, 1).value for measure in measures}
    assert silent[M.ATTENDANCE] == pytest.approx(100 * 13 / 14)

    contract = group_form("Team Quiet", reported_to_organisation=list(ReportItem), meets_every_weeks=2).contract
    groups.update_group(org.path, org.coordinator, org.quiet, GroupInput(name="Team Quiet", contract=contract))
    told = {measure: org.one(measure, 1).value for measure in measures}

    assert told[M.SESSIONS_HELD] == pytest.approx((3 + 1 + 2) / 3)
    assert told[M.ATTENDANCE] == pytest.approx(100 * (13 + 2) / (14 + 8))  # three of four away, twice
    assert told[M.ACTION_ITEMS_DONE] == pytest.approx(100 * 2 / 5)
    # Its survey waves closed while the contract kept them in the group: they stay there.
    assert told[M.SELF_EFFICACY] == pytest.approx(silent[M.SELF_EFFICACY])
    assert org.one(M.SESSIONS_HELD, 1, org.quiet).value == 2


def test_goals_are_listed_organisation_first_then_by_group(org: Org):
    south = org.goal(M.SESSIONS_HELD, 1, org.south)
    whole = org.goal(M.ATTENDANCE, 80)
    north_late = org.goal(M.ATTENDANCE, 80, org.north, due=LATE_DUE)
    north = org.goal(M.ATTENDANCE, 80, org.north)
    listed = goals.progress(org.path, org.coordinator, today=AFTER)
    assert [p.goal.id for p in listed] == [whole, north, north_late, south]
