"""The coordinator's overview: groups side by side and one group's story, as far as each contract reports.

Every test builds its own organisation in a fresh database: groups with a contract that reports some or all
of `ReportItem`, live sessions held on given days (time injected with `now=`), survey waves closed on given
days, and a `today=` that decides which half-year pools are over. The privacy threshold is 3 unless a test
raises it.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from unit_support import JOINED, NOW, group_form, pdf_text

from intervision import cases, db, groups, live, overview, overview_charts, overview_report, store, surveys
from intervision.errors import DomainError, NotAllowed
from intervision.goals import GoalProgress, GoalStatus
from intervision.i18n import t
from intervision.instruments import earlier_version, shipped_instruments
from intervision.models import (
    ActionItemInput,
    CaseCount,
    CaseInput,
    FollowUpInput,
    Goal,
    GoalMeasure,
    GroupInput,
    GroupRole,
    Language,
    MeetingInput,
    ObservationDetailsInput,
    ObservationKind,
    Person,
    QuestionType,
    ReportItem,
    Role,
    SessionRole,
    StartSessionInput,
    WaveRelease,
)
from intervision.overview import Cell, Period, Release
from intervision.overview_report import goal_line, half_year

SE = "self_efficacy"
CE = "collective_efficacy"
CURRENT = {instrument_id: shipped_instruments().instruments[instrument_id].version for instrument_id in (SE, CE)}
ALL = tuple(ReportItem)
YEAR_2025 = Period(date(2025, 1, 1), date(2025, 12, 31))
LATER = date(2027, 1, 1)  # a `today` after every half-year these tests use
CASE_TITLE = "A parent who mails every week"
NOTE = "Ben cut Anna off twice, she went quiet"


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), UTC)


def se_answers(value: int) -> dict[str, int | None]:
    return {item.id: value for item in shipped_instruments().instruments["self_efficacy"].items}


def ce_answers(value: int) -> dict[str, int | None]:
    """Collective efficacy answers that score `value` (its reverse-scored items answered the other way round)."""
    items = shipped_instruments().instruments["collective_efficacy"].items
    return {item.id: (6 - value if item.reverse else value) for item in items}


@dataclass
class Org:
    path: Path
    coordinator: Person
    make_person: Callable[..., Person]

    def group(
        self,
        name: str,
        reports: Iterable[ReportItem] = ALL,
        label: str = "",
        facilitators: tuple[Person, ...] = (),
        members: tuple[Person, ...] = (),
        start: date = date(2025, 1, 6),
        every_weeks: int = 2,
    ) -> int:
        contract = group_form(
            name, reported_to_organisation=list(reports), start_date=start, meets_every_weeks=every_weeks
        ).contract
        form = GroupInput(name=name, label=label, contract=contract)
        group_id = groups.create_group(self.path, self.coordinator, form, now=NOW)
        with db.writing(self.path) as conn:
            for person in facilitators:
                store.set_membership(conn, group_id, person.id, GroupRole.FACILITATOR, JOINED)
            for person in members:
                store.set_membership(conn, group_id, person.id, GroupRole.MEMBER, JOINED)
        return group_id

    def people(self, *names: str, role: Role = Role.PARTICIPANT) -> list[Person]:
        return [self.make_person(name, role) for name in names]

    def revision(self, session_id: int) -> int:
        with db.reading(self.path) as conn:
            return store.live_session(conn, session_id).revision

    def start(self, lead: Person, group_id: int, day: date, case_id: int | None = None, bringer=None) -> int:
        roles = {SessionRole.CASE_BRINGER: [bringer.id]} if bringer else {}
        form = StartSessionInput(group_id=group_id, method_id="incident", case_id=case_id, roles=roles)
        return live.start_session(self.path, lead, form, now=at(day))

    def close(self, lead: Person, session_id: int, day: date) -> None:
        live.close_session(self.path, lead, session_id, self.revision(session_id), now=at(day, 12))

    def hold(
        self,
        lead: Person,
        group_id: int,
        day: date,
        absent: tuple[Person, ...] = (),
        observe: dict[str, int] | None = None,
        overrun: bool = False,
        intervene: dict[str, int] | None = None,
        self_correct: dict[str, int] | None = None,
    ) -> int:
        """A live session on `day`: members marked here except the absent, observations, interventions and
        self-corrections logged per level, then closed."""
        session_id = self.start(lead, group_id, day)
        gone = {person.id for person in absent}
        for person_id in live.presence(self.path, lead, session_id):
            live.set_present(self.path, lead, session_id, person_id, person_id not in gone)
        if overrun:
            # The first phase of the incident method has 10 minutes: leaving it after 12 logs an overrun.
            live.begin_phases(self.path, lead, session_id, self.revision(session_id), now=at(day))
            live.move(self.path, lead, session_id, self.revision(session_id), 1, now=at(day) + timedelta(minutes=12))
        for kind, counts in (
            (ObservationKind.OBSERVATION, observe),
            (ObservationKind.INTERVENTION, intervene),
            (ObservationKind.SELF_CORRECTION, self_correct),
        ):
            for level, count in (counts or {}).items():
                for _ in range(count):
                    moment = at(day) + timedelta(minutes=20)
                    live.observe(self.path, lead, session_id, level, now=moment, kind=kind)
        self.close(lead, session_id, day)
        return session_id

    def wave(
        self,
        group_id: int,
        respondents: Iterable[tuple[Person, int]],
        closed_on: date | None,
        instrument: str = SE,
        opened_on: date | None = None,
    ) -> int:
        """A wave answered by each (person, value); closed on `closed_on`, or left open with None."""
        opened = at(opened_on or (closed_on or date(2025, 3, 1)) - timedelta(days=2))
        wave_id = surveys.open_wave(self.path, self.coordinator, group_id, instrument, "after_session", now=opened)
        for person, value in respondents:
            answers = se_answers(value) if instrument == SE else ce_answers(value)
            surveys.answer(self.path, person, wave_id, answers, now=opened)
        if closed_on is not None:
            surveys.close_wave(self.path, self.coordinator, wave_id, now=at(closed_on, 18))
        return wave_id

    def compare(self, period: Period = YEAR_2025, today: date = LATER, **filters) -> overview.Comparison:
        return overview.compare_groups(self.path, self.coordinator, period, today=today, **filters)

    def figures(self, group_id: int, period: Period = YEAR_2025, today: date = LATER) -> overview.GroupFigures:
        (found,) = [g for g in self.compare(period, today).groups if g.group_id == group_id]
        return found

    def releases(self, instrument: str = SE, today: date = LATER) -> list[Release]:
        return self.compare(today=today).releases[instrument]


@pytest.fixture
def org(path: Path, coordinator: Person, make_person) -> Org:
    return Org(path, coordinator, make_person)


def case_form(group_id: int) -> CaseInput:
    return CaseInput(
        group_id=group_id,
        title=CASE_TITLE,
        situation="A parent mails long messages every week and copies the head in.",
        learning_question="How do I set limits and stay in touch?",
        question_type=QuestionType.OWN_BEHAVIOUR,
        anonymised=True,
    )


# --- who may look -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.PARTICIPANT])
def test_only_coordinators_see_the_overview(org: Org, role: Role):
    lead = org.make_person("Fay Facilitator", Role.FACILITATOR)
    group_id = org.group("Team North", facilitators=(lead,))
    viewer = lead if role is Role.FACILITATOR else org.make_person("Ann Member")
    with pytest.raises(NotAllowed):
        overview.compare_groups(org.path, viewer, YEAR_2025, today=LATER)
    with pytest.raises(NotAllowed):
        overview.group_story(org.path, viewer, group_id, YEAR_2025, today=LATER)


def test_a_coordinator_sees_every_group(org: Org):
    north = org.group("Team North")
    south = org.group("Team South", reports=())
    comparison = org.compare()
    assert [g.group_id for g in comparison.groups] == [north, south]
    assert comparison.threshold == 3
    assert comparison.period == YEAR_2025


def test_a_period_ending_before_it_starts_is_refused():
    with pytest.raises(DomainError) as refused:
        Period(date(2025, 3, 2), date(2025, 3, 1))
    assert refused.value.key == "period_reversed"
    assert refused.value.field == "period"
    one_day = Period(date(2025, 3, 1), date(2025, 3, 1))
    assert one_day.holds(date(2025, 3, 1))
    assert not one_day.holds(date(2025, 3, 2))


def test_the_story_of_an_unknown_group_is_refused(org: Org):
    with pytest.raises(DomainError) as refused:
        overview.group_story(org.path, org.coordinator, 999, YEAR_2025, today=LATER)
    assert refused.value.key == "group_not_found"


# --- what each contract reports ---------------------------------------------------------------------


def _busy_group(org: Org, reports: Iterable[ReportItem]) -> int:
    """A group with some of everything in 2025: sessions, absence, a case, action items, a released wave."""
    lead = org.make_person("Fay Facilitator", Role.FACILITATOR)
    anna, ben, chris = org.people("Anna Member", "Ben Member", "Chris Member")
    group_id = org.group("Team North", reports=reports, facilitators=(lead,), members=(anna, ben, chris))

    case_id = cases.submit_case(org.path, anna, case_form(group_id), now=at(date(2025, 3, 1)))
    session_id = org.start(lead, group_id, date(2025, 3, 10), case_id=case_id, bringer=anna)
    for person, here in ((anna, True), (ben, False), (chris, True)):
        live.set_present(org.path, lead, session_id, person.id, here)
    item = live.add_action_item(
        org.path, lead, session_id, ActionItemInput(text="Anna calls the parent"), now=at(date(2025, 3, 10))
    )
    live.confirm_action_item(org.path, lead, session_id, item, True)
    org.close(lead, session_id, date(2025, 3, 10))
    cases.follow_up(org.path, anna, case_id, FollowUpInput(text="We agreed on Fridays."), now=at(date(2025, 3, 20)))
    second = org.hold(lead, group_id, date(2025, 3, 24))
    live.set_action_item_done(org.path, lead, second, item, True)
    org.wave(group_id, [(anna, 4), (ben, 3), (chris, 5)], closed_on=date(2025, 4, 1))
    return group_id


def test_a_group_that_reports_everything_shows_every_figure(org: Org):
    group_id = _busy_group(org, ALL)
    figures = org.figures(group_id)

    assert figures.reported == frozenset(ReportItem)
    assert figures.sessions_held == 2
    assert figures.attendance == (5, 6)  # Ben missed the first session
    assert figures.attendance_share == pytest.approx(5 / 6)
    assert figures.cases == CaseCount(
        group_id=group_id, group_name="Team North", submitted=1, discussed=1, followed_up=1
    )
    assert figures.followed_up_share == 1.0
    assert figures.action_items == (1, 1)
    assert figures.action_items_done_share == 1.0
    assert figures.methods == {"incident": 2}
    assert set(figures.efficacy) == {SE, CE}
    assert figures.efficacy[CE] is None
    assert figures.efficacy[SE].latest == Release(SE, (group_id,), date(2025, 4, 1), 4.0, 3, version=CURRENT[SE])
    assert figures.efficacy[SE].change is None


def test_a_group_that_reports_nothing_shows_no_figure(org: Org):
    group_id = _busy_group(org, ())
    figures = org.figures(group_id)

    assert figures.reported == frozenset()
    assert figures.sessions_held is None
    assert figures.attendance is None and figures.attendance_share is None
    assert figures.cases is None and figures.followed_up_share is None
    assert figures.action_items is None and figures.action_items_done_share is None
    assert figures.methods is None
    assert figures.corrections is None and figures.self_correction_share is None
    assert figures.efficacy == {}
    # Its wave is no release of the organisation either.
    assert org.releases() == []
    # What it did report still shows where it is: name and rhythm.
    assert figures.name == "Team North"
    assert figures.sessions_expected == pytest.approx(360 / 14)  # 6 January to 31 December, every two weeks


FIGURE_OF = {
    ReportItem.SESSIONS_HELD: ("sessions_held",),
    ReportItem.ATTENDANCE: ("attendance",),
    ReportItem.CASE_COUNTS: ("cases", "action_items"),
    ReportItem.METHODS_USED: ("methods",),
    ReportItem.OBSERVATION_PROFILE: ("corrections",),
}


@pytest.mark.parametrize("item", list(ReportItem))
def test_each_figure_shows_only_when_its_item_is_reported(org: Org, item: ReportItem):
    group_id = _busy_group(org, (item,))
    figures = org.figures(group_id)

    shown = FIGURE_OF.get(item, ())
    for names in FIGURE_OF.values():
        for name in names:
            value = getattr(figures, name)
            if name in shown:
                assert value is not None, name
            else:
                assert value is None, f"{name} shows though only {item} is reported"
    if item is ReportItem.SURVEY_AGGREGATES:
        assert figures.efficacy[SE].latest.mean == 4.0
    else:
        assert figures.efficacy == {}


def test_a_reported_figure_without_activity_reads_as_nothing_happened(org: Org):
    group_id = org.group("Team North")
    figures = org.figures(group_id)
    assert figures.sessions_held == 0
    assert figures.methods == {}
    assert figures.attendance == (0, 0) and figures.attendance_share is None  # reported, nothing recorded
    assert figures.action_items == (0, 0)
    assert figures.cases.submitted == figures.cases.discussed == figures.cases.followed_up == 0
    assert figures.efficacy == {SE: None, CE: None}


def test_the_overview_carries_no_texts(org: Org):
    group_id = _busy_group(org, ALL)
    comparison = org.compare()
    story = overview.group_story(org.path, org.coordinator, group_id, YEAR_2025, today=LATER)
    for shown in (repr(comparison), repr(story)):
        assert CASE_TITLE not in shown
        assert "Anna calls the parent" not in shown
        assert "We agreed on Fridays." not in shown


# --- sessions -------------------------------------------------------------------------------------


def test_sessions_held_are_counted_within_the_period_only(org: Org):
    lead = org.make_person("Fay Facilitator", Role.FACILITATOR)
    group_id = org.group("Team North", facilitators=(lead,), members=tuple(org.people("Ann Member")))
    for day in (date(2025, 2, 28), date(2025, 3, 1), date(2025, 3, 15), date(2025, 3, 31), date(2025, 4, 1)):
        org.hold(lead, group_id, day)
    # A planned session that was never held does not count.
    groups.plan_session(
        org.path, lead, MeetingInput(group_id=group_id, starts_at=at(date(2025, 3, 20)), minutes=90), now=NOW
    )
    march = Period(date(2025, 3, 1), date(2025, 3, 31))

    assert org.figures(group_id, march).sessions_held == 3  # both ends of the period included
    assert org.figures(group_id).sessions_held == 5
    assert org.figures(group_id, Period(date(2025, 4, 2), date(2025, 12, 31))).sessions_held == 0
    story = overview.group_story(org.path, org.coordinator, group_id, march, today=LATER)
    assert story.sessions == [
        (date(2025, 3, 1), "incident"),
        (date(2025, 3, 15), "incident"),
        (date(2025, 3, 31), "incident"),
    ]


def test_sessions_expected_follow_the_rhythm_and_the_start_date(org: Org):
    weekly = org.group("Weekly", start=date(2024, 1, 1), every_weeks=1)
    fortnightly = org.group("Fortnightly", start=date(2025, 3, 3), every_weeks=2)
    six_weekly = org.group("Six-weekly", start=date(2024, 6, 1), every_weeks=6)
    not_yet = org.group("Not yet started", start=date(2025, 6, 1), every_weeks=1)
    spring = Period(date(2025, 1, 1), date(2025, 3, 30))  # 89 days

    by_id = {g.group_id: g for g in org.compare(spring).groups}
    assert by_id[weekly].sessions_expected == pytest.approx(89 / 7)
    assert by_id[fortnightly].sessions_expected == pytest.approx(2.0)  # 3 March to 30 March: four weeks
    assert by_id[six_weekly].sessions_expected == pytest.approx(89 / 42)
    assert by_id[not_yet].sessions_expected == 0.0


# --- attendance -----------------------------------------------------------------------------------


def test_attendance_comes_from_who_was_present_at_closed_sessions(org: Org):
    lead = org.make_person("Fay Facilitator", Role.FACILITATOR)
    anna, ben, chris, dirk = org.people("Anna Member", "Ben Member", "Chris Member", "Dirk Member")
    group_id = org.group("Team North", facilitators=(lead,), members=(anna, ben, chris, dirk))

    session_id = org.start(lead, group_id, date(2025, 3, 10))
    assert live.presence(org.path, lead, session_id) == dict.fromkeys((anna.id, ben.id, chris.id, dirk.id)), (
        "nobody is ticked present in advance: attendance starts unknown"
    )
    live.set_present(org.path, lead, session_id, anna.id, True)
    live.set_present(org.path, lead, session_id, ben.id, False)
    live.set_present(org.path, lead, session_id, chris.id, False)
    live.set_present(org.path, lead, session_id, chris.id, True)  # Chris came in late after all
    live.set_present(org.path, lead, session_id, dirk.id, True)
    live.set_present(org.path, lead, session_id, dirk.id, None)  # a mistake, taken back: unknown again
    assert live.presence(org.path, lead, session_id) == {anna.id: True, ben.id: False, chris.id: True, dirk.id: None}
    # An open session records no attendance yet.
    assert org.figures(group_id).attendance == (0, 0)

    org.close(lead, session_id, date(2025, 3, 10))
    # Only the marked present count as present; Dirk, left unknown, counts as not here.
    assert org.figures(group_id).attendance == (2, 4)

    org.hold(lead, group_id, date(2025, 3, 24), absent=(anna, dirk))
    figures = org.figures(group_id)
    assert figures.attendance == (4, 8)
    assert figures.attendance_share == pytest.approx(4 / 8)
    assert org.figures(group_id, Period(date(2025, 3, 20), date(2025, 3, 31))).attendance == (2, 4)


def test_a_session_where_nobody_was_marked_records_no_attendance(org: Org):
    """Attendance not taken is not a session where everyone stayed away: the figures leave it out."""
    lead = org.make_person("Fay Facilitator", Role.FACILITATOR)
    anna, ben = org.people("Anna Member", "Ben Member")
    group_id = org.group("Team North", facilitators=(lead,), members=(anna, ben))
    org.hold(lead, group_id, date(2025, 3, 10), absent=(ben,))

    unmarked = org.start(lead, group_id, date(2025, 3, 24))
    org.close(lead, unmarked, date(2025, 3, 24))

    assert org.figures(group_id).sessions_held == 2
    assert org.figures(group_id).attendance == (1, 2), "only the session with marks counts"


def test_only_members_are_marked_present_or_absent(org: Org):
    lead = org.make_person("Fay Facilitator", Role.FACILITATOR)
    anna = org.make_person("Anna Member")
    outsider = org.make_person("Olga Outsider")
    group_id = org.group("Team North", facilitators=(lead,), members=(anna,))
    session_id = org.start(lead, group_id, date(2025, 3, 10))

    for person in (lead, outsider):
        with pytest.raises(DomainError) as refused:
            live.set_present(org.path, lead, session_id, person.id, False)
        assert refused.value.key == "role_outside_group"
    for person in (anna, org.coordinator):
        with pytest.raises(NotAllowed):
            live.set_present(org.path, person, session_id, anna.id, False)
        with pytest.raises(NotAllowed):
            live.presence(org.path, person, session_id)
    assert live.presence(org.path, lead, session_id) == {anna.id: None}


# --- survey releases ------------------------------------------------------------------------------


@pytest.fixture
def members(org: Org) -> list[Person]:
    return org.people(*(f"Member {letter}" for letter in "ABCDEFGH"))


def test_a_closed_wave_with_enough_respondents_is_released_on_its_own(org: Org, members):
    group_id = org.group("Team North", members=tuple(members[:3]))
    org.wave(group_id, zip(members[:3], (2, 4, 5), strict=True), closed_on=date(2025, 3, 14))

    (release,) = org.releases(today=date(2025, 3, 15))
    assert release == Release(SE, (group_id,), date(2025, 3, 14), pytest.approx(11 / 3), 3, version=CURRENT[SE])
    assert release.pooled is False and release.half_year == ""


def test_settling_releases_later_gives_each_closed_wave_the_release_it_got_when_it_closed(org: Org, members):
    north = org.group("Team North", members=tuple(members[:3]))
    south = org.group("Team South", members=tuple(members[3:5]))
    quiet = org.group("Team Quiet", reports=(), members=tuple(members[5:8]))
    waves = {
        org.wave(north, zip(members[:3], (2, 4, 5), strict=True), closed_on=date(2025, 3, 14)): WaveRelease.ALONE,
        org.wave(south, zip(members[3:5], (2, 4), strict=True), closed_on=date(2025, 3, 14)): WaveRelease.POOL,
        org.wave(quiet, zip(members[5:8], (2, 4, 5), strict=True), closed_on=date(2025, 3, 14)): WaveRelease.PRIVATE,
    }
    with org.path.writing() as conn:
        assert {wave_id: store.wave(conn, wave_id).release for wave_id in waves} == waves
        conn.execute("UPDATE survey_waves SET release = NULL")
        store.settle_wave_releases(conn)
    with org.path.reading() as conn:
        assert {wave_id: store.wave(conn, wave_id).release for wave_id in waves} == waves


def test_a_wave_below_the_threshold_is_never_released_alone(org: Org, members):
    group_id = org.group("Team North", members=tuple(members[:2]))
    org.wave(group_id, zip(members[:2], (2, 4), strict=True), closed_on=date(2025, 3, 14))

    for today in (date(2025, 3, 15), date(2025, 7, 1), LATER):
        assert org.releases(today=today) == []
    assert org.figures(group_id).efficacy == {SE: None, CE: None}


def test_an_open_wave_is_in_no_release(org: Org, members):
    group_id = org.group("Team North", members=tuple(members[:4]))
    org.wave(group_id, zip(members[:4], (2, 3, 4, 5), strict=True), closed_on=None)
    small_a = org.group("Team A", members=tuple(members[4:6]))
    org.wave(small_a, zip(members[4:6], (1, 1), strict=True), closed_on=date(2025, 3, 14))
    org.wave(group_id, zip(members[:1], (5,), strict=True), closed_on=None)  # a second open one, small

    assert org.releases() == []  # the open waves neither show on their own nor fill the pool


def test_a_wave_with_enough_people_but_too_few_scores_is_not_released_alone(org: Org, members):
    group_id = org.group("Team North", members=tuple(members[:3]))
    wave_id = org.wave(group_id, zip(members[:2], (3, 3), strict=True), closed_on=None)
    # The third answered one item of six: too little for a scale score.
    surveys.answer(org.path, members[2], wave_id, {"se_hard_conversation": 5}, now=at(date(2025, 3, 10)))
    surveys.close_wave(org.path, org.coordinator, wave_id, now=at(date(2025, 3, 14)))

    assert org.releases() == []


def test_small_waves_of_one_half_year_are_pooled_once_it_is_over(org: Org, members):
    north = org.group("Team North", members=tuple(members[:2]))
    south = org.group("Team South", members=tuple(members[2:4]))
    org.wave(north, zip(members[:2], (2, 3), strict=True), closed_on=date(2025, 2, 10))
    org.wave(south, zip(members[2:4], (4, 5), strict=True), closed_on=date(2025, 6, 30))

    assert org.releases(today=date(2025, 6, 30)) == []  # the half-year is not over yet
    (pool,) = org.releases(today=date(2025, 7, 1))
    assert pool.pooled is True
    assert pool.group_ids == (north, south)
    assert pool.half_year == "2025-1"
    assert pool.day == date(2025, 6, 30)
    assert pool.mean == pytest.approx(3.5)
    assert pool.respondents == 4
    # Both groups show the pool, never a part of it.
    for group_id in (north, south):
        assert org.figures(group_id).efficacy[SE].latest == pool


def test_a_period_starting_within_a_half_year_shows_its_whole_pool(org: Org, members):
    north = org.group("Team North", members=tuple(members[:2]))
    south = org.group("Team South", members=tuple(members[2:4]))
    org.wave(north, zip(members[:2], (2, 3), strict=True), closed_on=date(2025, 2, 10))
    org.wave(south, zip(members[2:4], (4, 5), strict=True), closed_on=date(2025, 5, 10))

    (pool,) = org.compare(Period(date(2025, 4, 1), date(2025, 12, 31))).releases[SE]
    # The February wave closed before the period began, yet it is part of the pool the period shows.
    assert (pool.group_ids, pool.respondents, pool.mean) == ((north, south), 4, pytest.approx(3.5))
    # A period that ends before the half-year does shows no pool at all, not a part of one.
    assert org.compare(Period(date(2025, 1, 1), date(2025, 3, 31))).releases[SE] == []


def test_waves_closed_before_scores_were_kept_show_the_same_after_scoring(org: Org, members):
    north = org.group("Team North", members=tuple(members[:3]))
    org.wave(north, zip(members[:3], (2, 3, 5), strict=True), closed_on=date(2025, 2, 10))
    org.wave(north, zip(members[:3], (4, 4, 1), strict=True), closed_on=date(2025, 9, 10), opened_on=date(2025, 9, 1))
    before = org.releases()
    assert [release.mean for release in before] == [pytest.approx(10 / 3), pytest.approx(3)]
    # As a database from before migration 0010 holds them: closed waves without their kept scores.
    with db.writing(org.path) as conn:
        conn.execute("UPDATE survey_responses SET main_score = NULL")
    assert org.releases() == []

    with db.writing(org.path) as conn:
        surveys.score_closed_waves(conn)  # what the migration does

    assert org.releases() == before


def test_small_waves_of_different_half_years_are_not_pooled_together(org: Org, members):
    north = org.group("Team North", members=tuple(members[:2]))
    south = org.group("Team South", members=tuple(members[2:4]))
    org.wave(north, zip(members[:2], (2, 3), strict=True), closed_on=date(2025, 6, 30))
    org.wave(south, zip(members[2:4], (4, 5), strict=True), closed_on=date(2025, 7, 1))

    assert org.releases(today=LATER) == []


def test_a_pool_counts_distinct_people_not_answers(org: Org, members):
    north = org.group("Team North", members=tuple(members[:3]))
    org.wave(north, zip(members[:2], (2, 3), strict=True), closed_on=date(2025, 2, 10))
    org.wave(north, zip(members[:2], (4, 4), strict=True), closed_on=date(2025, 3, 10), opened_on=date(2025, 3, 1))
    assert org.releases() == []  # four answers, but the same two people

    org.wave(north, [(members[2], 5)], closed_on=date(2025, 4, 10), opened_on=date(2025, 4, 1))
    (pool,) = org.releases()
    assert pool.pooled is True
    assert pool.group_ids == (north,)
    assert pool.mean == pytest.approx((2 + 3 + 4 + 4 + 5) / 5)


def test_the_same_person_in_two_groups_counts_once_towards_a_pool(org: Org, members):
    shared, ann, ben = members[:3]
    north = org.group("Team North", members=(shared, ann))
    south = org.group("Team South", members=(shared,))
    org.wave(north, [(shared, 3), (ann, 4)], closed_on=date(2025, 2, 10))
    org.wave(south, [(shared, 5)], closed_on=date(2025, 3, 10))
    assert org.releases() == []  # two people

    east = org.group("Team East", members=(ben,))
    org.wave(east, [(ben, 1)], closed_on=date(2025, 4, 10))
    (pool,) = org.releases()
    assert pool.group_ids == (north, south, east)


def test_a_group_that_does_not_report_survey_results_is_in_no_release(org: Org, members):
    quiet = org.group(
        "Team Quiet", reports=(ReportItem.ATTENDANCE, ReportItem.SESSIONS_HELD), members=tuple(members[:5])
    )
    north = org.group("Team North", members=tuple(members[5:8]))
    org.wave(quiet, zip(members[:4], (1, 1, 1, 1), strict=True), closed_on=date(2025, 2, 10))  # big enough alone
    org.wave(quiet, [(members[4], 1)], closed_on=date(2025, 3, 10), opened_on=date(2025, 3, 1))  # would fill a pool
    org.wave(north, zip(members[5:7], (4, 5), strict=True), closed_on=date(2025, 3, 10))

    assert org.releases() == []
    assert org.figures(quiet).efficacy == {}

    org.wave(north, [(members[7], 3)], closed_on=date(2025, 4, 10), opened_on=date(2025, 4, 1))
    (pool,) = org.releases()
    assert pool.group_ids == (north,)
    assert pool.mean == pytest.approx(4.0)


def test_a_higher_threshold_releases_less(org: Org, members):
    with db.writing(org.path) as conn:
        store.create_organisation(conn, "Test Org", is_demo=False, now=NOW)
    north = org.group("Team North", members=tuple(members[:4]))
    org.wave(north, zip(members[:4], (2, 3, 4, 5), strict=True), closed_on=date(2025, 2, 10))
    assert [r.respondents for r in org.releases()] == [4]

    surveys.set_threshold(org.path, org.coordinator, 5)
    assert org.compare().threshold == 5
    assert org.releases() == []


def test_efficacy_shows_the_latest_release_of_the_period_and_its_change(org: Org, members):
    north = org.group("Team North", members=tuple(members[:3]))
    org.wave(north, zip(members[:3], (2, 3, 4), strict=True), closed_on=date(2025, 2, 10))
    org.wave(north, zip(members[:3], (4, 4, 4), strict=True), closed_on=date(2025, 9, 10), opened_on=date(2025, 9, 1))
    org.wave(north, zip(members[:3], (5, 5, 5), strict=True), closed_on=date(2026, 2, 10), opened_on=date(2026, 2, 1))

    efficacy = org.figures(north).efficacy[SE]
    assert efficacy.latest.day == date(2025, 9, 10)
    assert efficacy.latest.mean == pytest.approx(4.0)
    assert efficacy.change == pytest.approx(1.0)
    spring = org.figures(north, Period(date(2025, 1, 1), date(2025, 6, 30))).efficacy[SE]
    assert spring.latest.mean == pytest.approx(3.0) and spring.change is None
    assert org.figures(north, Period(date(2025, 3, 1), date(2025, 8, 31))).efficacy[SE] is None


def test_collective_efficacy_is_released_on_its_own_scale(org: Org, members):
    north = org.group("Team North", members=tuple(members[:3]))
    org.wave(north, zip(members[:3], (2, 3, 4), strict=True), closed_on=date(2025, 2, 10), instrument=CE)

    efficacy = org.figures(north).efficacy
    assert efficacy[SE] is None
    assert efficacy[CE].latest == Release(CE, (north,), date(2025, 2, 10), pytest.approx(3.0), 3, version=CURRENT[CE])


# --- no subtraction ---------------------------------------------------------------------------------


@pytest.fixture
def landscape(org: Org, members) -> dict:
    """Five groups under two labels and two facilitators; whole waves, small pooled waves, a non-reporting one."""
    fay, gus = org.people("Fay Facilitator", "Gus Facilitator", role=Role.FACILITATOR)
    extra = org.people(*(f"Extra {n}" for n in range(8)))
    a, b, c, d, e, f, g, h = members
    school_1 = org.group("School 1", label="school", facilitators=(fay,), members=(a, b, c))
    school_2 = org.group("School 2", label="school", facilitators=(gus,), members=(d, e))
    care_1 = org.group("Care 1", label="care", facilitators=(fay,), members=(f, g))
    care_2 = org.group("Care 2", label="care", facilitators=(gus, fay), members=(h, *extra[:3]))
    quiet = org.group(
        "Quiet", label="care", reports=(ReportItem.ATTENDANCE,), facilitators=(gus,), members=tuple(extra[3:])
    )
    # School 1: whole waves in both half-years of 2025.
    org.wave(school_1, [(a, 2), (b, 3), (c, 4)], closed_on=date(2025, 2, 10))
    org.wave(school_1, [(a, 4), (b, 4), (c, 5)], closed_on=date(2025, 10, 10), opened_on=date(2025, 10, 1))
    # School 2 and Care 1: small waves in the first half of 2025 (pooled), School 2 again in the second (alone).
    org.wave(school_2, [(d, 1), (e, 2)], closed_on=date(2025, 3, 10))
    org.wave(care_1, [(f, 5), (g, 5)], closed_on=date(2025, 5, 10))
    org.wave(school_2, [(d, 3), (e, 3)], closed_on=date(2025, 11, 10), opened_on=date(2025, 11, 1))
    # Care 2: a whole wave, and a small one that fills the second half-year's pool with School 2's.
    org.wave(care_2, [(h, 3), (extra[0], 4), (extra[1], 2), (extra[2], 5)], closed_on=date(2025, 4, 20))
    org.wave(care_2, [(h, 1)], closed_on=date(2025, 12, 1), opened_on=date(2025, 11, 20))
    # Quiet: whole and small waves that must never count.
    org.wave(quiet, [(p, 1) for p in extra[3:]], closed_on=date(2025, 6, 1))
    org.wave(quiet, [(extra[3], 1)], closed_on=date(2025, 11, 15), opened_on=date(2025, 11, 10))
    # Collective efficacy: one whole wave in Care 2.
    org.wave(care_2, [(h, 4), (extra[0], 4), (extra[1], 5)], closed_on=date(2025, 9, 1), instrument=CE)
    return {
        "fay": fay,
        "gus": gus,
        "groups": {"school_1": school_1, "school_2": school_2, "care_1": care_1, "care_2": care_2, "quiet": quiet},
    }


def test_the_landscape_releases(org: Org, landscape):
    ids = landscape["groups"]
    releases = org.releases()
    assert [(r.group_ids, r.day, r.pooled) for r in releases] == [
        ((ids["school_1"],), date(2025, 2, 10), False),
        ((ids["care_2"],), date(2025, 4, 20), False),
        ((ids["school_2"], ids["care_1"]), date(2025, 6, 30), True),
        ((ids["school_1"],), date(2025, 10, 10), False),
        ((ids["school_2"], ids["care_2"]), date(2025, 12, 31), True),
    ]
    assert releases[2].mean == pytest.approx((1 + 2 + 5 + 5) / 4)
    assert releases[4].mean == pytest.approx((3 + 3 + 1) / 3)
    assert all(ids["quiet"] not in r.group_ids for r in releases)


PERIODS = [
    YEAR_2025,
    Period(date(2025, 1, 1), date(2025, 6, 30)),
    Period(date(2025, 7, 1), date(2025, 12, 31)),
    Period(date(2025, 3, 1), date(2025, 11, 30)),
    Period(date(2025, 4, 1), date(2025, 4, 30)),
    Period(date(2024, 1, 1), date(2026, 12, 31)),
]


def test_every_efficacy_number_is_a_whole_release_whatever_the_filter(org: Org, landscape):
    fay, gus = landscape["fay"], landscape["gus"]
    filters = [
        {},
        {"facilitator_id": fay.id},
        {"facilitator_id": gus.id},
        {"labels": ("school",)},
        {"labels": ("care",)},
        {"labels": ("school", "care")},
        {"facilitator_id": gus.id, "labels": ("care",)},
    ]
    baseline = org.compare(Period(date(2000, 1, 1), date(2099, 12, 31))).releases
    limit = org.compare().threshold
    for period in PERIODS:
        unfiltered = {g.group_id: g for g in org.compare(period).groups}
        in_period = {instrument: [r for r in rows if period.holds(r.day)] for instrument, rows in baseline.items()}
        for chosen in filters:
            comparison = org.compare(period, **chosen)
            # Neither a period nor a filter changes a release: not its mean, not its respondents, not its groups.
            assert comparison.releases == in_period, (period, chosen)
            for figures in comparison.groups:
                # A group looks the same in every selection it is part of.
                assert figures == unfiltered[figures.group_id], (period, chosen)
                for instrument, efficacy in figures.efficacy.items():
                    if efficacy is None:
                        continue
                    assert efficacy.latest in baseline[instrument]
                    assert figures.group_id in efficacy.latest.group_ids
                    assert period.holds(efficacy.latest.day)
                    assert efficacy.latest.respondents >= limit
                    if efficacy.change is not None:
                        means = {r.mean for r in baseline[instrument]}
                        assert any(efficacy.latest.mean - m == pytest.approx(efficacy.change) for m in means)


def test_a_filter_never_splits_a_pool(org: Org, landscape):
    ids = landscape["groups"]
    only_school = org.compare(labels=("school",))
    school_2 = next(g for g in only_school.groups if g.group_id == ids["school_2"])
    pool = school_2.efficacy[SE].latest
    # Care 1 is not in the selection, yet School 2 shows the whole pool it shares with Care 1.
    assert ids["care_1"] not in {g.group_id for g in only_school.groups}
    assert pool.group_ids == (ids["school_2"], ids["care_2"])  # the latest: the second half-year's pool
    first_half = org.compare(Period(date(2025, 1, 1), date(2025, 6, 30)), labels=("school",))
    school_2_spring = next(g for g in first_half.groups if g.group_id == ids["school_2"])
    assert school_2_spring.efficacy[SE].latest.group_ids == (ids["school_2"], ids["care_1"])
    assert school_2_spring.efficacy[SE].latest.mean == pytest.approx(13 / 4)


# --- filters -----------------------------------------------------------------------------------------


def test_filters_narrow_the_groups(org: Org, landscape):
    ids = landscape["groups"]
    fay, gus = landscape["fay"], landscape["gus"]

    def shown(**chosen) -> set[int]:
        return {g.group_id for g in org.compare(**chosen).groups}

    assert shown() == set(ids.values())
    assert shown(facilitator_id=fay.id) == {ids["school_1"], ids["care_1"], ids["care_2"]}
    assert shown(facilitator_id=gus.id) == {ids["school_2"], ids["care_2"], ids["quiet"]}
    assert shown(labels=("school",)) == {ids["school_1"], ids["school_2"]}
    assert shown(labels=("care",)) == {ids["care_1"], ids["care_2"], ids["quiet"]}
    assert shown(labels=("school", "care")) == set(ids.values())
    assert shown(facilitator_id=fay.id, labels=("care",)) == {ids["care_1"], ids["care_2"]}
    assert shown(facilitator_id=org.coordinator.id) == set()
    assert shown(labels=("nursing",)) == set()

    care_2 = next(g for g in org.compare().groups if g.group_id == ids["care_2"])
    assert care_2.facilitators == ("Fay Facilitator", "Gus Facilitator")
    assert care_2.label == "care"


# --- one group's story ----------------------------------------------------------------------------------


@pytest.fixture
def observed(org: Org) -> dict:
    lead = org.make_person("Fay Facilitator", Role.FACILITATOR)
    anna, ben = org.people("Anna Member", "Ben Member")
    group_id = org.group("Team North", facilitators=(lead,), members=(anna, ben))
    first = org.hold(
        lead,
        group_id,
        date(2025, 2, 3),
        observe={"content": 2, "procedure": 4, "feelings": 1},
        intervene={"procedure": 3, "interaction": 1},
    )
    with db.reading(org.path) as conn:
        noted = store.observations(conn, first)[0].id
    live.describe_observation(
        org.path, lead, first, noted, ObservationDetailsInput(category="different_aspects", note=NOTE)
    )
    org.hold(
        lead,
        group_id,
        date(2025, 2, 17),
        observe={"procedure": 2, "interaction": 3},
        intervene={"procedure": 2},
        self_correct={"procedure": 1},
    )
    org.hold(
        lead,
        group_id,
        date(2025, 3, 3),
        observe={"procedure": 1},
        overrun=True,
        intervene={"content": 1},
        self_correct={"procedure": 2, "interaction": 1},
    )
    org.hold(lead, group_id, date(2025, 3, 17), self_correct={"procedure": 2})
    org.hold(lead, group_id, date(2026, 1, 12), observe={"procedure": 9}, intervene={"procedure": 9})  # outside 2025
    return {"lead": lead, "group_id": group_id}


def test_the_story_counts_observations_per_level_per_session(org: Org, observed):
    story = overview.group_story(org.path, org.coordinator, observed["group_id"], YEAR_2025, today=LATER)

    assert [(s.day, s.per_level, s.overruns) for s in story.observations] == [
        (date(2025, 2, 3), {"content": 2, "procedure": 4, "interaction": 0, "feelings": 1}, 0),
        (date(2025, 2, 17), {"content": 0, "procedure": 2, "interaction": 3, "feelings": 0}, 0),
        (date(2025, 3, 3), {"content": 0, "procedure": 1, "interaction": 0, "feelings": 0}, 1),
        (date(2025, 3, 17), {"content": 0, "procedure": 0, "interaction": 0, "feelings": 0}, 0),
    ]
    # Only the facilitator's "I stepped in" presses are interventions: not a procedure observation, nor the
    # overrun the timer logged by itself.
    assert [s.interventions for s in story.observations] == [4, 2, 1, 0]
    assert [s.self_corrections for s in story.observations] == [0, 1, 3, 2]
    assert story.observations[0].balance.interventions == {
        "content": 0,
        "procedure": 3,
        "interaction": 1,
        "feelings": 0,
    }
    assert story.observations[2].balance.self_corrections == {
        "content": 0,
        "procedure": 2,
        "interaction": 1,
        "feelings": 0,
    }
    # The group's share of the corrections: 0, 1/3, 3/4, 1; rising by about a third per session.
    assert story.self_share_trend == pytest.approx(0.341667, abs=1e-5)
    assert story.recent_self_share == pytest.approx(6 / 9)
    assert story.early_self_share == pytest.approx(4 / 11)
    assert [day for day, _ in story.sessions] == [
        date(2025, 2, 3),
        date(2025, 2, 17),
        date(2025, 3, 3),
        date(2025, 3, 17),
    ]


def test_the_story_never_holds_a_note(org: Org, observed):
    with db.reading(org.path) as conn:
        logged = [
            o.note
            for s in store.closed_live_sessions(conn, observed["group_id"])
            for o in store.observations(conn, s.id)
        ]
    assert NOTE in logged  # the facilitator's private log has it
    story = overview.group_story(org.path, org.coordinator, observed["group_id"], YEAR_2025, today=LATER)
    assert NOTE not in repr(story)
    assert "different_aspects" not in repr(story)


def test_procedure_observations_are_no_interventions(org: Org):
    lead = org.make_person("Fay Facilitator", Role.FACILITATOR)
    group_id = org.group("Team North", facilitators=(lead,), members=(org.make_person("Anna Member"),))
    for day in (date(2025, 2, 3), date(2025, 2, 17), date(2025, 3, 3)):
        org.hold(lead, group_id, day, observe={"procedure": 3}, overrun=True)

    story = overview.group_story(org.path, org.coordinator, group_id, YEAR_2025, today=LATER)

    assert [s.per_level["procedure"] for s in story.observations] == [3, 3, 3]
    assert [s.interventions for s in story.observations] == [0, 0, 0]
    assert story.self_share_trend is None, "nothing was corrected, so there is no balance to follow"
    assert story.figures.corrections == (0, 0)
    assert story.figures.self_correction_share is None


def test_the_self_correction_trend_needs_three_sessions_with_corrections_and_falls_when_the_group_leans_more(
    org: Org,
):
    lead = org.make_person("Fay Facilitator", Role.FACILITATOR)
    group_id = org.group("Team North", facilitators=(lead,), members=(org.make_person("Anna Member"),))
    org.hold(lead, group_id, date(2025, 2, 3), self_correct={"procedure": 1})
    org.hold(lead, group_id, date(2025, 2, 10), observe={"feelings": 2})  # no corrections: not a point
    org.hold(lead, group_id, date(2025, 2, 17), intervene={"procedure": 1}, self_correct={"interaction": 1})

    def story():
        return overview.group_story(org.path, org.coordinator, group_id, YEAR_2025, today=LATER)

    assert story().self_share_trend is None
    org.hold(lead, group_id, date(2025, 3, 3), intervene={"procedure": 2, "feelings": 2})
    # Shares 1, 1/2, 0 at sessions 0, 2 and 3.
    assert story().self_share_trend == pytest.approx(-0.3214286, abs=1e-6)
    assert story().figures.corrections == (5, 2)


def test_the_story_has_no_observations_when_the_contract_does_not_report_them(org: Org):
    lead = org.make_person("Fay Facilitator", Role.FACILITATOR)
    others = tuple(item for item in ReportItem if item is not ReportItem.OBSERVATION_PROFILE)
    group_id = org.group("Team North", reports=others, facilitators=(lead,), members=(org.make_person("Anna Member"),))
    for day in (date(2025, 2, 3), date(2025, 2, 17), date(2025, 3, 3)):
        org.hold(lead, group_id, day, observe={"procedure": 2}, intervene={"procedure": 1}, self_correct={"content": 2})

    story = overview.group_story(org.path, org.coordinator, group_id, YEAR_2025, today=LATER)
    assert story.observations is None
    assert story.self_share_trend is None
    assert story.figures.corrections is None
    assert story.figures.sessions_held == 3


def test_the_coordinators_report_holds_the_balance_as_counts_only(org: Org, observed):
    comparison = org.compare()
    story = overview.group_story(org.path, org.coordinator, observed["group_id"], YEAR_2025, today=LATER)

    [line] = [
        line
        for line in overview_report.report_lines(comparison, [], Language.EN)
        if line.measure == "Corrections made by the group itself (%)"
    ]
    assert (line.group, line.value) == ("Team North", 46)  # 6 of the 13 corrections in 2025 came from the group
    assert line.note == "facilitator stepped in 7 times, group corrected itself 6 times"
    csv_text = overview_report.report_csv(comparison, [], Language.NL).decode("utf-8-sig")
    assert "Zelf bijgestuurd door de groep (%)" in csv_text and NOTE not in csv_text
    pdf = overview_report.report_pdf(comparison, [], Language.EN, "Org")
    assert pdf.startswith(b"%PDF")

    said = overview_report.balance_sentence(story, Language.EN)
    assert said == (
        "In this period the facilitator stepped in 7 times and the group corrected itself 6 times: 46% of the"
        " corrections came from the group. The group's share is rising, from 36% in its first sessions to 67% in"
        " its last three: the group is learning to run itself."
    )
    assert "rising" in said and NOTE not in said
    dutch = overview_report.balance_sentence(story, Language.NL)
    assert dutch.startswith("In deze periode greep de begeleider 7 keer in en stuurde de groep 6 keer zelf bij")


def test_a_group_whose_contract_does_not_report_the_profile_has_no_balance_line(org: Org):
    lead = org.make_person("Fay Facilitator", Role.FACILITATOR)
    others = tuple(item for item in ReportItem if item is not ReportItem.OBSERVATION_PROFILE)
    group_id = org.group("Team North", reports=others, facilitators=(lead,), members=(org.make_person("Anna Member"),))
    org.hold(lead, group_id, date(2025, 2, 3), intervene={"procedure": 2}, self_correct={"content": 1})

    [line] = [
        line
        for line in overview_report.report_lines(org.compare(), [], Language.EN)
        if line.measure == "Corrections made by the group itself (%)"
    ]
    assert line.value == "" and line.note.startswith("not reported")


def test_the_story_shows_sessions_and_methods_as_the_contract_reports(org: Org):
    lead = org.make_person("Fay Facilitator", Role.FACILITATOR)
    anna = org.make_person("Anna Member")
    days_only = org.group("Days only", reports=(ReportItem.SESSIONS_HELD,), facilitators=(lead,), members=(anna,))
    nothing = org.group("Nothing", reports=(), facilitators=(lead,), members=(anna,))
    for group_id in (days_only, nothing):
        org.hold(lead, group_id, date(2025, 2, 3), observe={"content": 1})

    def story(group_id: int) -> overview.GroupStory:
        return overview.group_story(org.path, org.coordinator, group_id, YEAR_2025, today=LATER)

    assert story(days_only).sessions == [(date(2025, 2, 3), None)]
    assert story(days_only).releases == {}
    assert story(nothing).sessions is None
    assert story(nothing).observations is None
    assert story(nothing).releases == {}


def test_the_story_holds_the_releases_of_its_group_in_the_period(org: Org, landscape):
    ids = landscape["groups"]
    spring = Period(date(2025, 1, 1), date(2025, 6, 30))
    story = overview.group_story(org.path, org.coordinator, ids["school_2"], spring, today=LATER)
    (pool,) = story.releases[SE]
    assert pool.pooled and pool.group_ids == (ids["school_2"], ids["care_1"])
    assert story.releases[CE] == []
    assert all(release in org.releases(instrument) for instrument, rows in story.releases.items() for release in rows)
    quiet = overview.group_story(org.path, org.coordinator, ids["quiet"], YEAR_2025, today=LATER)
    assert quiet.releases == {}


def test_a_pooled_mean_is_the_mean_of_its_scores(org: Org, members):
    # The pool weighs every answer alike, whichever group gave it.
    north = org.group("Team North", members=tuple(members[:2]))
    south = org.group("Team South", members=(members[2],))
    org.wave(north, zip(members[:2], (1, 1), strict=True), closed_on=date(2025, 2, 10))
    org.wave(south, [(members[2], 4)], closed_on=date(2025, 3, 10))
    (pool,) = org.releases()
    assert pool.mean == pytest.approx(statistics.fmean([1, 1, 4]))
    assert pool.respondents == 3


# --- known gaps ---------------------------------------------------------------------------------------


def test_a_deleted_account_does_not_make_a_pool_of_two_people_releasable(org: Org, members):
    ann, ben = members[:2]
    north = org.group("Team North", members=(ann, ben))
    org.wave(north, [(ann, 2), (ben, 4)], closed_on=date(2025, 2, 10))
    org.wave(north, [(ann, 3)], closed_on=date(2025, 3, 10), opened_on=date(2025, 3, 1))
    assert org.releases() == []  # two people

    with db.writing(org.path) as conn:
        conn.execute("DELETE FROM people WHERE id = ?", [ann.id])

    assert org.releases() == []  # still the same two people


def test_a_released_pool_does_not_change_when_a_contract_starts_reporting(org: Org, members):
    north = org.group("Team North", members=tuple(members[:2]))
    south = org.group("Team South", members=tuple(members[2:4]))
    quiet_reports = (ReportItem.ATTENDANCE,)
    quiet = org.group("Team Quiet", reports=quiet_reports, members=tuple(members[4:6]))
    org.wave(north, zip(members[:2], (2, 3), strict=True), closed_on=date(2025, 2, 10))
    org.wave(south, zip(members[2:4], (4, 5), strict=True), closed_on=date(2025, 3, 10))
    org.wave(quiet, zip(members[4:6], (1, 1), strict=True), closed_on=date(2025, 4, 10))
    (before,) = org.releases()

    contract = group_form("Team Quiet", reported_to_organisation=list(ReportItem), meets_every_weeks=2).contract
    groups.update_group(org.path, org.coordinator, quiet, GroupInput(name="Team Quiet", contract=contract))

    (after,) = org.releases()
    assert (after.mean, after.respondents) == (before.mean, before.respondents)


# --- a new version of a questionnaire ------------------------------------------------------------------


def earlier_wave(org: Org, group_id: int, respondents: Iterable[tuple[Person, int]], closed_on: date) -> int:
    """A self-efficacy wave answered with version 1 of its questions (as before version 2 shipped)."""
    instrument = earlier_version(SE, 1)
    opened = at(closed_on - timedelta(days=2))
    with db.writing(org.path) as conn:
        wave_id = store.add_wave(conn, group_id, SE, instrument.definition(), "start", None, opened, version=1)
    for person, value in respondents:
        answers = {item.id: value for item in instrument.items}
        surveys.answer(org.path, person, wave_id, answers, now=opened)
    surveys.close_wave(org.path, org.coordinator, wave_id, now=at(closed_on, 18))
    return wave_id


def test_a_release_says_its_version_and_the_first_of_a_new_version_marks_new_questions(org: Org, members):
    north = org.group("Team North", members=tuple(members[:3]))
    earlier_wave(org, north, zip(members[:3], (2, 3, 4), strict=True), date(2025, 2, 10))
    org.wave(north, zip(members[:3], (3, 4, 5), strict=True), closed_on=date(2025, 4, 10), opened_on=date(2025, 4, 8))
    org.wave(north, zip(members[:3], (4, 4, 5), strict=True), closed_on=date(2025, 6, 10), opened_on=date(2025, 6, 8))

    releases = org.releases()
    assert [(release.day, release.version) for release in releases] == [
        (date(2025, 2, 10), 1),
        (date(2025, 4, 10), CURRENT[SE]),
        (date(2025, 6, 10), CURRENT[SE]),
    ]
    assert releases[0].mean == pytest.approx(3.0), "the old wave is scored with its own items"
    assert overview.new_questions(releases) == [releases[1]]
    comparison = org.compare()
    assert comparison.question_changes() == {SE: [date(2025, 4, 10)]}
    story = overview.story_in(org.path, org.coordinator, comparison, north)
    assert overview.question_changes(story.releases) == {SE: [date(2025, 4, 10)]}

    trend = overview_charts.group_efficacy_trend(story.releases, None, Language.EN).to_plotly_json()
    [line] = trend["layout"]["shapes"]
    assert line["x0"] == date(2025, 4, 10) and line["line"]["dash"] == "dot"
    assert [note["text"] for note in trend["layout"]["annotations"]] == ["new questions from here"]
    multiples = overview_charts.efficacy_small_multiples(comparison, Language.NL).to_plotly_json()
    assert [shape["x0"] for shape in multiples["layout"]["shapes"]] == [date(2025, 4, 10)]
    assert "vanaf hier nieuwe vragen" in [note["text"] for note in multiples["layout"]["annotations"]]


def test_an_old_pool_closing_after_the_new_version_began_is_no_new_change(org: Org, members):
    north = org.group("Team North", members=tuple(members[:3]))
    south = org.group("Team South", members=tuple(members[3:5]))
    org.wave(north, zip(members[:3], (3, 4, 5), strict=True), closed_on=date(2025, 4, 10), opened_on=date(2025, 4, 8))
    earlier_wave(org, south, zip(members[3:5], (2, 3), strict=True), date(2025, 2, 10))
    earlier_wave(org, north, [(members[0], 4)], date(2025, 3, 10))
    releases = org.releases()
    assert [(release.pooled, release.version) for release in releases] == [(False, CURRENT[SE]), (True, 1)]
    assert overview.new_questions(releases) == []


def test_a_pool_never_mixes_versions(org: Org, members):
    north = org.group("Team North", members=tuple(members[:4]))
    south = org.group("Team South", members=tuple(members[4:8]))
    earlier_wave(org, north, zip(members[:2], (1, 1), strict=True), date(2025, 2, 10))
    earlier_wave(org, south, zip(members[4:6], (2, 2), strict=True), date(2025, 2, 12))
    org.wave(north, zip(members[:2], (4, 4), strict=True), closed_on=date(2025, 5, 10), opened_on=date(2025, 5, 8))
    org.wave(south, zip(members[4:6], (5, 5), strict=True), closed_on=date(2025, 5, 12), opened_on=date(2025, 5, 10))

    old, new = org.releases()
    assert (old.pooled, old.version, old.respondents, old.mean) == (True, 1, 4, pytest.approx(1.5))
    assert (new.pooled, new.version, new.respondents, new.mean) == (True, CURRENT[SE], 4, pytest.approx(4.5))
    assert old.half_year == new.half_year == "2025-1"
    assert overview.new_questions([old, new]) == [new]


def test_the_pdf_report_says_where_the_questions_changed(org: Org, members):
    north = org.group("Team North", members=tuple(members[:3]))
    earlier_wave(org, north, zip(members[:3], (2, 3, 4), strict=True), date(2025, 2, 10))
    text = pdf_text(overview_report.report_pdf(org.compare(), [], Language.EN, "Test Org"))
    assert "A dotted line marks where a questionnaire got new questions" not in text, "one version: nothing to say"

    org.wave(north, zip(members[:3], (3, 4, 5), strict=True), closed_on=date(2025, 4, 10), opened_on=date(2025, 4, 8))
    text = pdf_text(overview_report.report_pdf(org.compare(), [], Language.EN, "Test Org"))
    assert "A dotted line marks where a questionnaire got new questions: Self-efficacy from 10 April 2025" in text


# --- written as the reader writes it -------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "average", "pooled_over_two", "goal"),
    [
        (
            Language.NL,
            "4,1 ↑*",
            "samengevoegd over 2 groepen, eerste halfjaar 2025",
            "streefwaarde 4,5 (gemiddelde, 1–5) uiterlijk 2 december 2026",
        ),
        (
            Language.EN,
            "4.1 ↑*",
            "pooled over 2 groups, first half of 2025",
            "target 4.5 (average, 1–5) by 2 December 2026",
        ),
    ],
)
def test_the_report_writes_averages_half_years_and_dates_as_the_reader_does(language, average, pooled_over_two, goal):
    cell = Cell(" ↑", 0.8, pooled=True, mean=4.14)
    target = Goal(
        id=1,
        group_id=None,
        group_name=None,
        measure=GoalMeasure.SELF_EFFICACY,
        target=4.5,
        due=date(2026, 12, 2),
        created_at=datetime(2026, 1, 5, tzinfo=UTC),
    )
    progress = GoalProgress(target, 4.14, GoalStatus.NOT_YET, Period(date(2025, 12, 3), date(2026, 12, 2)))

    assert cell.label(language, "–") == average
    assert t("overview.pooled_note", language, count=2, half_year=half_year("2025-1", language)) == pooled_over_two
    assert goal_line(progress, language).note.startswith(goal)
    assert goal_line(progress, language).value == 4.1, "a number stays a number, for the CSV to write"


@pytest.mark.parametrize(
    ("language", "one_group"),
    [
        (Language.NL, "samengevoegd over 1 groep, tweede halfjaar 2026"),
        (Language.EN, "pooled over 1 group, second half of 2026"),
    ],
)
def test_a_pool_of_one_group_reads_in_the_singular(language, one_group):
    assert t("overview.pooled_note", language, count=1, half_year=half_year("2026-2", language)) == one_group


def test_a_single_intervention_reads_in_the_singular():
    assert (
        overview_report.corrections_note((1, 0), Language.EN)
        == "facilitator stepped in once, group corrected itself 0 times"
    )
    assert (
        overview_report.corrections_note((1, 2), Language.NL)
        == "begeleider greep één keer in, groep stuurde 2 keer zelf bij"
    )


def test_the_pdf_report_prints_a_long_name_in_any_script_whole(org: Org, members):
    # Longer than the heatmap's name column and the trend chart's width: it wraps there, it is never cut.
    name = "Intervisiegroep Zoë Çelik & Αθηνά – Жанна, 李小龙, さくら 🎉 in één lange groepsnaam"
    group = org.group(name, members=tuple(members[:3]))
    earlier_wave(org, group, zip(members[:3], (2, 3, 4), strict=True), date(2025, 2, 10))

    text = pdf_text(overview_report.report_pdf(org.compare(), [], Language.NL, "Organisatie Ørsted"))

    assert "Organisatie Ørsted" in " ".join(text.split())
    # The heatmap, the trend chart and the corrections section each print it (wrapped over lines).
    assert " ".join(text.split()).count(name) >= 2, text[:3000]
    assert "\ufffd" not in text
