"""The end of a session and what stays: action items, the private observation log, closing, ratings, the report.

Every test runs on its own group (Team North: one facilitator, four members) in a fresh database, with
time injected through `now=`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError
from unit_support import NOW, at, count_rows, group_form, pdf_text, small_report

from intervision import agenda, cases, db, groups, live, store, surveys
from intervision.errors import DomainError, NotAllowed
from intervision.methods import built_in_library
from intervision.models import (
    ActionItemInput,
    BoardItemInput,
    CaseInput,
    CaseStatus,
    FollowUpInput,
    Language,
    LiveSession,
    MeetingInput,
    MeetingStatus,
    ObservationDetailsInput,
    Person,
    QuestionType,
    RatingInput,
    ReportItem,
    Role,
    SessionRole,
    SessionStatus,
    StartSessionInput,
    Want,
)
from intervision.reports import SessionReport, session_report_markdown, session_report_pdf

CHOOSE, EXPLAIN, INFORMATION, DIAGNOSIS, SOLUTIONS, CHOICE = range(6)  # the incident method's phases
INCIDENT_VERSION = built_in_library().methods["incident"].version  # a session pins the version it ran
NEXT_WEEK = NOW + timedelta(weeks=1)
CHOICE_TEXT = "Ik spreek met de ouder één vast mailmoment per week af en zeg „dat is ons moment”…"


@dataclass(frozen=True)
class Team:
    path: Path
    coordinator: Person
    lead: Person
    anna: Person  # brings the case
    ben: Person
    chris: Person
    dirk: Person
    outsider: Person
    group_id: int


@pytest.fixture
def team(path, coordinator, make_person, make_group) -> Team:
    lead = make_person("Fenna Facilitator", Role.FACILITATOR)
    anna, ben, chris, dirk = (make_person(f"{name} Member") for name in ("Anna", "Ben", "Chris", "Dirk"))
    outsider = make_person("Olga Outsider")
    group_id = make_group("Team North", facilitators=(lead,), members=(anna, ben, chris, dirk))
    return Team(path, coordinator, lead, anna, ben, chris, dirk, outsider, group_id)


def _session(team: Team, session_id: int) -> LiveSession:
    with db.reading(team.path) as conn:
        return store.live_session(conn, session_id)


def _revision(team: Team, session_id: int) -> int:
    return _session(team, session_id).revision


def _start(team: Team, now=NOW, case_id: int | None = None, roles: dict | None = None) -> int:
    form = StartSessionInput(group_id=team.group_id, method_id="incident", case_id=case_id, roles=roles or {})
    return live.start_session(team.path, team.lead, form, now=now)


def _move(team: Team, session_id: int, now, steps: int = 1, skip: bool = False) -> None:
    live.move(team.path, team.lead, session_id, _revision(team, session_id), steps, skip=skip, now=now)


def _to_closing(team: Team, session_id: int, start=NOW) -> None:
    """Run all six phases, a minute each, from `start`."""
    live.begin_phases(team.path, team.lead, session_id, _revision(team, session_id), now=start)
    for minute in range(1, 7):
        _move(team, session_id, start + timedelta(minutes=minute))


def _close(team: Team, session_id: int, now) -> None:
    live.close_session(team.path, team.lead, session_id, _revision(team, session_id), now=now)


def _case_form(group_id: int) -> CaseInput:
    return CaseInput(
        group_id=group_id,
        title="Een ouder die elke week mailt",
        situation="Een ouder mailt wekelijks lange berichten en zet de directie in de cc. Bij het laatste gesprek "
        "zei hij dat ik zijn kind niet begrijp. Ik wist niet wat ik moest zeggen.",
        learning_question="Hoe kan ik grenzen stellen en toch in contact blijven?",
        question_type=QuestionType.OWN_BEHAVIOUR,
        wants=[Want.ADVICE],
        anonymised=True,
    )


def _case(team: Team, case_id: int):
    with db.reading(team.path) as conn:
        return store.case(conn, case_id)


def _action(text: str, owner: Person | None = None, due: date | None = None) -> ActionItemInput:
    return ActionItemInput(text=text, owner_id=owner.id if owner else None, due_date=due)


# --- action items ---------------------------------------------------------------------------------


def test_action_items_are_added_and_confirmed(team):
    session_id = _start(team)
    _to_closing(team, session_id)

    call = live.add_action_item(
        team.path, team.lead, session_id, _action("Call the parent", team.anna, date(2025, 3, 17))
    )
    read = live.add_action_item(team.path, team.lead, session_id, _action("Read up on setting limits"))
    live.confirm_action_item(team.path, team.lead, session_id, call, True)

    items = live.action_items(team.path, team.ben, session_id)  # the group sees them too
    assert [(item.id, item.text, item.owner, item.due_date, item.confirmed, item.done) for item in items] == [
        (call, "Call the parent", "Anna Member", date(2025, 3, 17), True, False),
        (read, "Read up on setting limits", "", None, False, False),
    ]

    live.confirm_action_item(team.path, team.lead, session_id, call, False)
    assert not live.action_items(team.path, team.lead, session_id)[0].confirmed


def test_confirm_all_confirms_every_open_action_item_of_this_session_only(team):
    earlier = _start(team)
    elsewhere = live.add_action_item(team.path, team.lead, earlier, _action("From an earlier session"))
    _to_closing(team, earlier)
    _close(team, earlier, at(10))
    session_id = _start(team, now=at(60))
    first = live.add_action_item(team.path, team.lead, session_id, _action("Call the parent"))
    second = live.add_action_item(team.path, team.lead, session_id, _action("Read up on setting limits"))
    live.confirm_action_item(team.path, team.lead, session_id, first, True)

    for person in (team.anna, team.coordinator, team.outsider):
        with pytest.raises(NotAllowed):
            live.confirm_all_action_items(team.path, person, session_id)
    assert [item.confirmed for item in live.action_items(team.path, team.lead, session_id)] == [True, False]

    live.confirm_all_action_items(team.path, team.lead, session_id)

    assert {item.id: item.confirmed for item in live.action_items(team.path, team.lead, session_id)} == {
        first: True,
        second: True,
    }
    assert not live.action_items(team.path, team.lead, earlier)[0].confirmed, f"item {elsewhere} left alone"


def test_closing_with_unconfirmed_action_items_loses_none_of_them(team):
    """Closing anyway is allowed (the console warns first); every item stays, in the report too."""
    session_id = _start(team)
    _to_closing(team, session_id)
    live.add_action_item(team.path, team.lead, session_id, _action("Call the parent"))
    _close(team, session_id, at(10))

    assert [(item.text, item.confirmed) for item in live.action_items(team.path, team.lead, session_id)] == [
        ("Call the parent", False)
    ]
    report = live.session_report(team.path, team.lead, session_id, Language.EN)
    assert report.action_items == [("Call the parent", "", "", False)]


def test_only_the_facilitator_adds_and_confirms_action_items(team):
    session_id = _start(team)
    item = live.add_action_item(team.path, team.lead, session_id, _action("Call the parent"))

    for person in (team.anna, team.coordinator, team.outsider):
        with pytest.raises(NotAllowed):
            live.add_action_item(team.path, person, session_id, _action("Something else"))
        with pytest.raises(NotAllowed):
            live.confirm_action_item(team.path, person, session_id, item, True)
    for person in (team.coordinator, team.outsider):
        with pytest.raises(NotAllowed):
            live.action_items(team.path, person, session_id)

    assert count_rows(team.path, "action_items") == 1
    assert not live.action_items(team.path, team.lead, session_id)[0].confirmed


def test_an_action_item_goes_only_to_someone_in_the_group(team, make_person, make_group):
    """The core refuses an owner from outside the group, also when a page is bypassed with a crafted call."""
    session_id = _start(team)
    elsewhere = make_person("Erik Elsewhere")
    make_group("Team South", members=(elsewhere,))

    for stranger in (team.outsider.id, team.coordinator.id, elsewhere.id, 99_999):
        with pytest.raises(DomainError) as refused:
            live.add_action_item(
                team.path, team.lead, session_id, ActionItemInput(text="Call the parent", owner_id=stranger)
            )
        assert (refused.value.key, refused.value.field) == ("owner_not_in_group", "owner_id")
    assert count_rows(team.path, "action_items") == 0

    for owner in (team.ben, team.lead):  # a member, or the group's facilitator
        live.add_action_item(team.path, team.lead, session_id, _action("Call the parent", owner))
    assert [item.owner for item in live.action_items(team.path, team.lead, session_id)] == [
        "Ben Member",
        "Fenna Facilitator",
    ]


def test_the_next_session_looks_back_on_the_confirmed_action_items_only(team):
    first = _start(team)
    _to_closing(team, first)
    agreed = live.add_action_item(team.path, team.lead, first, _action("Call the parent", team.anna))
    live.add_action_item(team.path, team.lead, first, _action("An idea nobody took on"))
    live.confirm_action_item(team.path, team.lead, first, agreed, True)

    in_the_same_session = live.look_back(team.path, team.lead, first)
    _close(team, first, at(60))
    second = _start(team, now=NEXT_WEEK)
    looking_back = live.look_back(team.path, team.lead, second)

    assert in_the_same_session.action_items == []  # nothing to look back on yet
    assert [(item.id, item.text, item.owner, item.done) for item in looking_back.action_items] == [
        (agreed, "Call the parent", "Anna Member", False)
    ]


def test_an_action_item_is_ticked_off_and_back_at_the_next_session(team):
    first = _start(team)
    agreed = live.add_action_item(team.path, team.lead, first, _action("Call the parent"))
    live.confirm_action_item(team.path, team.lead, first, agreed, True)
    _close(team, first, at(60))
    second = _start(team, now=NEXT_WEEK)

    live.set_action_item_done(team.path, team.lead, second, agreed, True)
    assert [item.done for item in live.look_back(team.path, team.lead, second).action_items] == [True]

    live.set_action_item_done(team.path, team.lead, second, agreed, False)
    assert [item.done for item in live.look_back(team.path, team.lead, second).action_items] == [False]

    with pytest.raises(NotAllowed):
        live.set_action_item_done(team.path, team.anna, second, agreed, True)
    assert [item.done for item in live.look_back(team.path, team.lead, second).action_items] == [False]


def test_another_groups_action_items_are_out_of_reach(team, make_person, make_group):
    first = _start(team)
    agreed = live.add_action_item(team.path, team.lead, first, _action("Call the parent"))
    live.confirm_action_item(team.path, team.lead, first, agreed, True)
    other_lead = make_person("Gijs Facilitator", Role.FACILITATOR)
    south = make_group("Team South", facilitators=(other_lead,))
    south_session = live.start_session(
        team.path, other_lead, StartSessionInput(group_id=south, method_id="incident"), now=NOW
    )

    live.set_action_item_done(team.path, other_lead, south_session, agreed, True)

    assert live.look_back(team.path, other_lead, south_session).action_items == []
    assert not live.action_items(team.path, team.lead, first)[0].done


def test_look_back_shows_the_last_discussed_case_and_its_follow_up(team):
    very_first = _start(team)
    assert live.look_back(team.path, team.lead, very_first) == live.LookBack([], "", "")
    _close(team, very_first, at(1))

    case_id = cases.submit_case(team.path, team.anna, _case_form(team.group_id), now=NOW)
    first = _start(team, now=at(10), case_id=case_id, roles={SessionRole.CASE_BRINGER: [team.anna.id]})
    _to_closing(team, first, start=at(10))
    _close(team, first, at(60))
    follow_up = "I called the parent; we now write once a week, on Fridays."
    cases.follow_up(team.path, team.anna, case_id, FollowUpInput(text=follow_up), now=NOW + timedelta(days=5))

    second = _start(team, now=NEXT_WEEK)
    looking_back = live.look_back(team.path, team.lead, second)

    assert looking_back.last_case_title == "Een ouder die elke week mailt"
    assert looking_back.last_case_follow_up == follow_up
    with pytest.raises(NotAllowed):
        live.look_back(team.path, team.anna, second)


# --- the facilitator's observation log ---------------------------------------------------------------


def test_observations_are_the_facilitators_alone(team):
    session_id = _start(team)
    _to_closing(team, session_id)
    observation = live.observe(team.path, team.lead, session_id, "feelings", now=at(3))

    for person in (team.anna, team.ben, team.coordinator, team.outsider):
        with pytest.raises(NotAllowed):
            live.observations(team.path, person, session_id)
        with pytest.raises(NotAllowed):
            live.observe(team.path, person, session_id, "content", now=at(3))
        with pytest.raises(NotAllowed):
            live.describe_observation(
                team.path, person, session_id, observation, ObservationDetailsInput(note="Overwritten")
            )

    logged = live.observations(team.path, team.lead, session_id)
    assert [(entry.level, entry.note) for entry in logged] == [("feelings", "")]
    with pytest.raises(NotAllowed):
        live.session_report(team.path, team.anna, session_id, Language.EN, include_observations=True)


def test_an_observation_is_stamped_with_its_moment_and_phase_and_described_afterwards(team):
    session_id = _start(team)
    live.begin_phases(team.path, team.lead, session_id, _revision(team, session_id), now=at(0))
    _move(team, session_id, at(10))
    _move(team, session_id, at(15))  # the information round
    interaction = live.observe(team.path, team.lead, session_id, "interaction", now=at(17))
    procedure = live.observe(team.path, team.lead, session_id, "procedure", now=at(18))

    live.describe_observation(
        team.path,
        team.lead,
        session_id,
        interaction,
        ObservationDetailsInput(category="interrupting", concerns="member", note="Ben cut Anna off twice"),
    )
    live.describe_observation(
        team.path,
        team.lead,
        session_id,
        procedure,
        ObservationDetailsInput(category="advice_in_question_round", concerns=SessionRole.CHAIR),
    )

    logged = live.observations(team.path, team.lead, session_id)
    assert [
        (
            entry.id,
            entry.phase_index,
            entry.level,
            entry.category,
            entry.concerns,
            entry.note,
            entry.automatic,
            entry.at,
        )
        for entry in logged
    ] == [
        (interaction, INFORMATION, "interaction", "interrupting", "member", "Ben cut Anna off twice", False, at(17)),
        (procedure, INFORMATION, "procedure", "advice_in_question_round", "chair", "", False, at(18)),
    ]


# --- closing ------------------------------------------------------------------------------------


def test_closing_marks_the_planned_meeting_of_that_day_as_held(team):
    meeting = groups.plan_session(
        team.path, team.lead, MeetingInput(group_id=team.group_id, starts_at=at(60), minutes=90), now=NOW
    )
    session_id = _start(team, now=at(65))
    assert _session(team, session_id).meeting_id == meeting
    _to_closing(team, session_id, start=at(70))

    _close(team, session_id, at(150))

    session = _session(team, session_id)
    held = groups.sessions_held(team.path, team.lead, team.group_id)
    assert session.status is SessionStatus.CLOSED and session.closed_at == at(150)
    assert [(m.id, m.status, m.method_id, m.method_version, m.minutes) for m in held] == [
        (meeting, MeetingStatus.HELD, "incident", INCIDENT_VERSION, 90)
    ]
    assert count_rows(team.path, "meetings") == 1


def test_closing_without_a_planned_meeting_adds_a_held_one(team):
    next_week = groups.plan_session(
        team.path, team.lead, MeetingInput(group_id=team.group_id, starts_at=NEXT_WEEK, minutes=90), now=NOW
    )
    session_id = _start(team, now=NOW)
    assert _session(team, session_id).meeting_id is None
    _to_closing(team, session_id)

    _close(team, session_id, at(95))

    held = groups.sessions_held(team.path, team.lead, team.group_id)
    assert [(m.starts_at, m.minutes, m.status, m.method_id) for m in held] == [
        (NOW, 95, MeetingStatus.HELD, "incident")
    ]
    assert groups.next_sessions(team.path, [team.group_id], now=at(100))[team.group_id].id == next_week


def _attendance(team: Team) -> dict[int, bool]:
    with db.reading(team.path) as conn:
        rows = conn.execute(
            "SELECT a.person_id, a.present FROM attendance a JOIN meetings m ON m.id = a.meeting_id"
            " WHERE m.group_id = ?",
            [team.group_id],
        )
        return {row[0]: bool(row[1]) for row in rows}


def test_attendance_starts_unknown_and_is_marked_at_the_check_in(team):
    session_id = _start(team)
    members = (team.anna, team.ben, team.chris, team.dirk)
    assert live.presence(team.path, team.lead, session_id) == {person.id: None for person in members}
    assert count_rows(team.path, "session_presence") == 0, "unknown is stored as no row"

    live.set_present(team.path, team.lead, session_id, team.anna.id, True)
    live.set_present(team.path, team.lead, session_id, team.ben.id, False)
    live.set_present(team.path, team.lead, session_id, team.chris.id, True)
    live.set_present(team.path, team.lead, session_id, team.chris.id, None)  # taken back

    assert live.presence(team.path, team.lead, session_id) == {
        team.anna.id: True,
        team.ben.id: False,
        team.chris.id: None,
        team.dirk.id: None,
    }
    assert count_rows(team.path, "session_presence") == 2


def test_at_the_close_only_the_marked_present_count_as_present_and_unknown_as_absent(team):
    session_id = _start(team)
    live.set_present(team.path, team.lead, session_id, team.anna.id, True)
    live.set_present(team.path, team.lead, session_id, team.ben.id, False)
    _to_closing(team, session_id)
    _close(team, session_id, at(10))

    assert _attendance(team) == {team.anna.id: True, team.ben.id: False, team.chris.id: False, team.dirk.id: False}


def test_a_session_where_nobody_was_marked_records_no_attendance(team):
    """Attendance not taken is no session everyone missed: nothing is recorded, the held meeting is."""
    session_id = _start(team)
    _to_closing(team, session_id)
    _close(team, session_id, at(10))

    assert _attendance(team) == {}
    assert len(groups.sessions_held(team.path, team.lead, team.group_id)) == 1


# --- the sessions held, as a coordinator outside the group sees them ----------------------------


def _held_and_reported(team: Team, *reported: ReportItem) -> None:
    """One session held, and a contract that reports `reported` to the organisation."""
    session_id = _start(team, now=NOW)
    _to_closing(team, session_id)
    _close(team, session_id, at(95))
    terms = group_form("Team North", reported_to_organisation=list(reported))
    groups.update_group(team.path, team.coordinator, team.group_id, terms)


@pytest.mark.parametrize(
    ("reported", "seen"),
    [
        ((ReportItem.ATTENDANCE,), None),
        ((ReportItem.SESSIONS_HELD,), [(NOW, None)]),
        ((ReportItem.SESSIONS_HELD, ReportItem.METHODS_USED), [(NOW, "incident")]),
    ],
)
def test_a_coordinator_outside_the_group_sees_held_sessions_only_as_the_contract_reports_them(team, reported, seen):
    _held_and_reported(team, *reported)

    held = groups.sessions_held(team.path, team.coordinator, team.group_id)

    assert (None if held is None else [(meeting.starts_at, meeting.method_id) for meeting in held]) == seen
    for insider in (team.lead, team.anna):  # the group itself always sees its sessions and methods
        assert [(m.starts_at, m.method_id) for m in groups.sessions_held(team.path, insider, team.group_id)] == [
            (NOW, "incident")
        ]


@pytest.mark.parametrize(("reported", "count"), [((ReportItem.ATTENDANCE,), None), ((ReportItem.SESSIONS_HELD,), 1)])
def test_the_coordinators_home_counts_sessions_held_only_when_the_contract_reports_them(team, reported, count):
    _held_and_reported(team, *reported)

    def sessions_last_year(person: Person) -> int | None:
        overviews = agenda.agenda_for(team.path, person, now=at(200)).groups
        return next(one.sessions_last_year for one in overviews if one.group.id == team.group_id)

    assert sessions_last_year(team.coordinator) == count
    assert sessions_last_year(team.lead) == 1


def test_closing_turns_the_chosen_case_into_a_discussed_one_with_the_method_and_the_bringers_choice(team):
    case_id = cases.submit_case(team.path, team.anna, _case_form(team.group_id), now=NOW)
    session_id = _start(team, now=at(5), case_id=case_id, roles={SessionRole.CASE_BRINGER: [team.anna.id]})
    _to_closing(team, session_id, start=at(5))

    live.record_bringer_choice(team.path, team.lead, session_id, f"  {CHOICE_TEXT}  ")
    _close(team, session_id, at(60))

    case = _case(team, case_id)
    assert case.status is CaseStatus.DISCUSSED
    assert (case.method_id, case.chosen_advice, case.discussed_at) == ("incident", CHOICE_TEXT, at(60))
    assert cases.follow_ups_waiting(team.path, team.anna)[0].id == case_id


def test_a_closed_session_cannot_be_closed_again(team):
    session_id = _start(team)
    _to_closing(team, session_id)
    _close(team, session_id, at(30))

    with pytest.raises(DomainError) as refused:
        _close(team, session_id, at(31))

    assert refused.value.key == "session_moved_on"
    assert count_rows(team.path, "meetings") == 1
    assert _session(team, session_id).closed_at == at(30)


def test_a_closed_session_leaves_the_open_ones_for_the_history(team):
    session_id = _start(team)
    assert [s.id for s in live.open_sessions(team.path, team.anna)] == [session_id]
    _to_closing(team, session_id)

    _close(team, session_id, at(30))

    assert live.open_sessions(team.path, team.anna) == []
    assert [s.id for s in live.history(team.path, team.anna, team.group_id)] == [session_id]
    with pytest.raises(NotAllowed):
        live.history(team.path, team.outsider, team.group_id)


@pytest.mark.parametrize("who", ["anna", "coordinator", "outsider"])
def test_only_the_facilitator_closes_and_records_the_choice(team, who):
    session_id = _start(team)
    _to_closing(team, session_id)

    with pytest.raises(NotAllowed):
        _close_as(team, getattr(team, who), session_id)
    with pytest.raises(NotAllowed):
        live.record_bringer_choice(team.path, getattr(team, who), session_id, "Something else")

    assert _session(team, session_id).status is SessionStatus.CLOSING
    assert _session(team, session_id).bringer_choice == ""


def _close_as(team: Team, person: Person, session_id: int) -> None:
    live.close_session(team.path, person, session_id, _revision(team, session_id), now=at(30))


# --- rating -------------------------------------------------------------------------------------


def _rate(team: Team, person: Person, session_id: int, usefulness: int) -> None:
    live.rate(team.path, person, session_id, RatingInput(usefulness=usefulness), now=at(40))


def test_one_rating_per_person_and_rating_again_changes_it(team):
    session_id = _start(team)

    _rate(team, team.anna, session_id, 4)
    _rate(team, team.anna, session_id, 2)

    assert live.my_rating(team.path, team.anna, session_id) == 2
    assert live.my_rating(team.path, team.ben, session_id) is None
    assert live.rating_summary(team.path, team.lead, session_id) == live.RatingSummary(1, None, 3, closed=False)


def test_while_ratings_come_in_only_their_number_shows_never_the_mean(team):
    """A mean that moves with each new rating tells the facilitator what the newcomer gave."""
    session_id = _start(team)
    _to_closing(team, session_id)

    seen = []
    for person, usefulness in ((team.anna, 5), (team.ben, 2), (team.chris, 4), (team.dirk, 1)):
        _rate(team, person, session_id, usefulness)
        seen.append(live.rating_summary(team.path, team.lead, session_id))

    assert [summary.count for summary in seen] == [1, 2, 3, 4]
    assert [summary.mean for summary in seen] == [None] * 4
    _close(team, session_id, at(45))
    closed = live.rating_summary(team.path, team.anna, session_id)
    assert closed.closed and closed.count == 4 and closed.mean == pytest.approx(3)


def test_after_closing_the_mean_shows_only_from_the_privacy_threshold(team):
    session_id = _start(team)
    _rate(team, team.anna, session_id, 5)
    _rate(team, team.ben, session_id, 2)
    _close(team, session_id, at(30))

    assert live.rating_summary(team.path, team.lead, session_id) == live.RatingSummary(2, None, 3, closed=True)


@pytest.mark.parametrize(("threshold", "shown"), [(3, True), (4, True), (5, False)])
def test_the_organisations_threshold_counts_and_is_never_below_3(team, threshold, shown):
    with db.writing(team.path) as conn:
        store.create_organisation(conn, "Test Org", is_demo=False, now=NOW)
    surveys.set_threshold(team.path, team.coordinator, threshold)
    session_id = _start(team)
    for person in (team.anna, team.ben, team.chris, team.dirk):
        _rate(team, person, session_id, 4)
    _close(team, session_id, at(30))

    summary = live.rating_summary(team.path, team.lead, session_id)

    assert summary.threshold == threshold
    assert (summary.mean is not None) is shown


def test_a_closed_session_takes_no_more_ratings(team):
    session_id = _start(team)
    for person in (team.anna, team.ben, team.chris):
        _rate(team, person, session_id, 4)
    _close(team, session_id, at(30))

    with pytest.raises(DomainError) as refused:
        _rate(team, team.dirk, session_id, 1)
    with pytest.raises(DomainError):
        _rate(team, team.anna, session_id, 1)

    assert refused.value.key == "rating_closed"
    assert live.rating_summary(team.path, team.lead, session_id).mean == pytest.approx(4)


def test_only_the_group_rates_and_only_from_1_to_5(team):
    session_id = _start(team)

    for person in (team.outsider, team.coordinator):
        with pytest.raises(NotAllowed):
            _rate(team, person, session_id, 5)
        with pytest.raises(NotAllowed):
            live.rating_summary(team.path, person, session_id)
    for usefulness in (0, 6):
        with pytest.raises(ValidationError):
            RatingInput(usefulness=usefulness)

    assert count_rows(team.path, "session_ratings") == 0


# --- the report -----------------------------------------------------------------------------------

NOTE = "Chris stayed silent after Ben's remark"


@pytest.fixture
def held(team) -> int:
    """A full incident session: every phase with its own time, a board, action items, ratings and a note."""
    case_id = cases.submit_case(team.path, team.anna, _case_form(team.group_id), now=NOW)
    roles = {SessionRole.CASE_BRINGER: [team.anna.id], SessionRole.CHAIR: [team.ben.id]}
    session_id = _start(team, now=at(0), case_id=case_id, roles=roles)

    def send(person: Person, kind: str, text: str, minute: float) -> int:
        form = BoardItemInput(kind=kind, text=text)
        return live.send_to_board(team.path, person, session_id, form, now=at(minute))

    live.begin_phases(team.path, team.lead, session_id, _revision(team, session_id), now=at(5))
    _move(team, session_id, at(17))  # choosing: 12 of 10 minutes
    _move(team, session_id, at(17), skip=True)  # explaining: skipped
    send(team.ben, "question", "Wat zei de ouder precies?", 20)
    send(team.chris, "question", "Wie las de mails nog meer?", 21)
    observation = live.observe(team.path, team.lead, session_id, "interaction", now=at(25))
    live.describe_observation(
        team.path,
        team.lead,
        session_id,
        observation,
        ObservationDetailsInput(category="member_dropping_out", concerns="member", note=NOTE),
    )
    _move(team, session_id, at(30))  # the information round: 13 of 15 minutes
    send(team.dirk, "diagnosis", "Je wilt het iedereen naar de zin maken.", 32)
    _move(team, session_id, at(38))  # the diagnosis: 8 of 7.5 minutes
    helped = send(team.ben, "advice", "Spreek één vast mailmoment per week af.", 40)
    send(team.chris, "advice", "Zet de directeur zelf in de cc.", 41)
    live.mark_helpful(team.path, team.anna, session_id, helped, True)
    _move(team, session_id, at(45))  # the solutions: 7 of 7.5 minutes
    _move(team, session_id, at(50))  # the bringer's choice: 5 of 5 minutes
    send(team.chris, "insight", "Ik ga zelf ook vaker open vragen stellen.", 51)

    agreed = live.add_action_item(
        team.path, team.lead, session_id, _action("Anna belt de ouder", team.anna, date(2025, 3, 17))
    )
    live.add_action_item(team.path, team.lead, session_id, _action("Een idee dat niemand oppakte"))
    live.confirm_action_item(team.path, team.lead, session_id, agreed, True)
    live.record_bringer_choice(team.path, team.lead, session_id, CHOICE_TEXT)
    for person, usefulness in ((team.anna, 5), (team.ben, 4), (team.chris, 4)):
        _rate(team, person, session_id, usefulness)
    _close(team, session_id, at(55))
    return session_id


def test_the_report_holds_the_phases_planned_and_actual(team, held):
    report = live.session_report(team.path, team.lead, held, Language.EN)

    assert report.group_name == "Team North"
    assert report.method_name == "Incident method" and report.method_version == INCIDENT_VERSION
    assert report.case_title == "Een ouder die elke week mailt"
    assert report.roles == {"case_bringer": ["Anna Member"], "chair": ["Ben Member"]}
    assert report.phases == [
        ("Choose the incident", 10, pytest.approx(12)),
        ("Explain the question", 5, 0),
        ("Information round", 15, pytest.approx(13)),
        ("Diagnosis", 7.5, pytest.approx(8)),
        ("Solutions", 7.5, pytest.approx(7)),
        ("The case bringer's choice", 5, pytest.approx(5)),
    ]
    assert report.rating_count == 3 and report.rating_mean == pytest.approx(13 / 3)


def test_the_report_groups_the_board_by_phase_and_stars_what_helped(team, held):
    report = live.session_report(team.path, team.lead, held, Language.EN)

    assert report.board == {
        "Information round": [
            ("question", "Wat zei de ouder precies?", False, 0),
            ("question", "Wie las de mails nog meer?", False, 0),
        ],
        "Diagnosis": [("diagnosis", "Je wilt het iedereen naar de zin maken.", False, 0)],
        "Solutions": [
            ("advice", "Spreek één vast mailmoment per week af.", True, 0),
            ("advice", "Zet de directeur zelf in de cc.", False, 0),
        ],
        "The case bringer's choice": [("insight", "Ik ga zelf ook vaker open vragen stellen.", False, 0)],
    }
    markdown = session_report_markdown(report, Language.EN)
    assert "- ★ Advice: Spreek één vast mailmoment per week af." in markdown
    assert "- Advice: Zet de directeur zelf in de cc." in markdown


def test_the_report_has_every_action_item_the_unconfirmed_marked_and_the_bringers_choice(team, held):
    report = live.session_report(team.path, team.lead, held, Language.EN)
    markdown = session_report_markdown(report, Language.EN)

    assert report.action_items == [
        ("Anna belt de ouder", "Anna Member", "17 March 2025", True),
        ("Een idee dat niemand oppakte", "", "", False),
    ]
    assert report.bringer_choice == CHOICE_TEXT
    assert "- Anna belt de ouder (Anna Member, 17 March 2025)\n" in markdown
    assert "- Een idee dat niemand oppakte (—) \\[not confirmed\\]\n" in markdown  # escaped: no link
    assert CHOICE_TEXT in markdown
    dutch = session_report_markdown(live.session_report(team.path, team.lead, held, Language.NL), Language.NL)
    assert "Een idee dat niemand oppakte (—) " in dutch and "niet bevestigd" in dutch


def test_the_report_has_no_observations_unless_the_facilitator_includes_them(team, held):
    without = live.session_report(team.path, team.lead, held, Language.EN)
    with_them = live.session_report(team.path, team.lead, held, Language.EN, include_observations=True)

    assert without.observations is None
    assert NOTE not in repr(without)
    assert NOTE not in session_report_markdown(without, Language.EN)
    assert "Observations of the facilitator" not in session_report_markdown(without, Language.EN)

    assert [
        (phase, level, kind, category, note) for _, phase, level, kind, category, note in with_them.observations
    ] == [
        ("Choose the incident", "procedure", "Observation", "Phase over its time", ""),  # logged by itself
        ("Information round", "interaction", "Observation", "A member dropping out", NOTE),
        ("Diagnosis", "procedure", "Observation", "Phase over its time", ""),
    ]
    assert NOTE in session_report_markdown(with_them, Language.EN)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            Language.NL,
            ["Incidentmethode", "| Informatieronde | 15 | 13,0 |", "Anna belt de ouder (Anna Member, 17 maart 2025)"],
        ),
        (
            Language.EN,
            ["Incident method", "| Information round | 15 | 13.0 |", "Anna belt de ouder (Anna Member, 17 March 2025)"],
        ),
    ],
)
def test_the_report_reads_in_dutch_and_english_without_missing_texts(team, held, language, expected):
    report = live.session_report(team.path, team.lead, held, language, include_observations=True)

    markdown = session_report_markdown(report, language)

    assert "⟦" not in markdown
    for line in expected:
        assert line in markdown
    assert markdown.startswith("# ")


def test_an_empty_report_says_so_instead_of_leaving_gaps(team):
    session_id = _start(team)
    _close(team, session_id, at(30))

    for language in Language:
        report = live.session_report(team.path, team.lead, session_id, language, include_observations=True)
        markdown = session_report_markdown(report, language)
        assert "⟦" not in markdown
        assert report.board == {} and report.action_items == [] and report.observations == []
        assert report.rating_mean is None


def test_the_report_says_when_too_few_rated_instead_of_a_mean(team):
    session_id = _start(team)
    _rate(team, team.anna, session_id, 5)
    _rate(team, team.ben, session_id, 1)
    _close(team, session_id, at(30))

    report = live.session_report(team.path, team.lead, session_id, Language.EN)
    markdown = session_report_markdown(report, Language.EN)

    assert report.rating_mean is None and report.rating_count == 2
    assert "## Evaluation\n\nFewer than 3 people rated the session, so no average is shown.\n" in markdown
    assert "Average usefulness" not in markdown
    assert "Fewer than 3 people rated the session" in pdf_text(session_report_pdf(report, Language.EN))


def test_the_report_becomes_a_pdf(team, held):
    for language in Language:
        report = live.session_report(team.path, team.lead, held, language, include_observations=True)

        pdf = session_report_pdf(report, language)

        assert pdf.startswith(b"%PDF")
        text = " ".join(pdf_text(pdf).split())
        assert "Anna belt de ouder" in text
        unconfirmed = "not confirmed" if language is Language.EN else "niet bevestigd"
        # The unconfirmed item is printed, marked on its own line and on no other.
        assert text.count(f"[{unconfirmed}]") == 1
        line = text[text.index("Een idee dat niemand oppakte") :]
        assert line.index(f"[{unconfirmed}]") < line.index(" - ")


def _report_of(group: str, insight: str) -> SessionReport:
    """A small report, made directly: a group's name and one insight on the board."""
    return small_report(group_name=group, board={"Fase": [("insight", insight, True, 2)]})


def test_the_pdf_prints_dutch_typographic_quotes_and_ellipses_as_typed():
    pdf = session_report_pdf(_report_of("„Team Noord”", "‚zo’ — of „anders”…"), Language.NL)

    assert pdf.startswith(b"%PDF")
    shown = pdf_text(pdf)
    assert "„Team Noord”" in shown and "‚zo’ — of „anders”…" in shown, shown


# Names and words as people type them, in the scripts a group may write in, with emoji.
TYPED_IN_ANY_SCRIPT = {
    "Latin with accents": "Zoë Çelik-Nuñez, Łukasz Wójcik, Ærøskøbing",
    "Greek": "Αθηνά Παπαδοπούλου",
    "Cyrillic": "Жанна Тимофеевна",
    "Arabic": "أحمد",
    "Hebrew": "שרה",
    "Chinese": "李小龙",
    "Japanese": "さくら 山田",
    "emoji": "Goed gedaan 👍 😀 🎉 ❤",
}


@pytest.mark.parametrize("typed", TYPED_IN_ANY_SCRIPT.values(), ids=TYPED_IN_ANY_SCRIPT.keys())
def test_the_pdf_prints_every_character_people_type(typed):
    report = replace(_report_of(typed, f"Inzicht van {typed}"), roles={"case_bringer": [typed]})

    shown = pdf_text(session_report_pdf(report, Language.NL))

    assert typed in shown, shown
    assert f"Inzicht van {typed}" in shown
    assert "\ufffd" not in shown and "?" not in shown


def test_a_character_no_font_has_is_replaced_by_a_visible_sign_not_dropped():
    # An Egyptian hieroglyph is in none of the shipped fonts; an emoji's presentation selector is invisible.
    shown = pdf_text(session_report_pdf(_report_of("Sessie", "voor 𓀀 na ❤️ bel"), Language.NL))

    assert "voor \ufffd na ❤ bel" in shown, shown


def test_a_long_name_in_a_table_wraps_instead_of_being_cut():
    long_name = "Verkenning van de vraag achter de vraag, met de inbrenger en de hele groep samen " * 2
    report = replace(_report_of("Sessie", "Inzicht"), phases=[(long_name.strip(), 10, 12.5)])

    shown = pdf_text(session_report_pdf(report, Language.NL))

    assert " ".join(shown.split()).count(" ".join(long_name.split())) == 1, shown
    assert "12,5" in shown


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (Language.NL, ["Datum: 12 maart 2025, 11:15", "12,0", "Gemiddeld nut 3,5 van 5 (4 mensen)"]),
        (Language.EN, ["Date: 12 March 2025, 11:15", "12.0", "Average usefulness 3.5 of 5 (4 people)"]),
    ],
)
def test_the_pdf_writes_dates_and_numbers_as_the_reader_does(language, expected):
    started = datetime(2025, 3, 12, 10, 15, tzinfo=UTC)  # 11:15 in Amsterdam
    report = replace(_report_of("Sessie", "Inzicht"), started_at=started, rating_mean=3.5, rating_count=4)

    shown = pdf_text(session_report_pdf(report, language)).replace("\\(", "(").replace("\\)", ")")

    assert all(line in shown for line in expected), shown


@pytest.mark.parametrize("character", ["„", "‚", "★"])
def test_the_pdf_shows_no_question_marks_that_the_report_does_not_have(character):
    shown = pdf_text(session_report_pdf(_report_of("Sessie", f"{character}Spreek een vast mailmoment af"), Language.NL))

    assert "Spreek een vast mailmoment af" in shown
    assert "?" not in shown


# --- typed text stays text ------------------------------------------------------------------------

# What people type, trying every block of Markdown a report could be forged with; each line is short, so
# that the PDF draws it on one line.
FORGED_LINES = ["Gewoon", "## Observation log", "- x", "| a | b |", "|---|---|", "> q", "1. x", "```", "==="]
FORGED = "\n".join(FORGED_LINES)
FORGED_INLINE = "[link](http://evil.example) ![img](http://e.example/i.png) <b>vet</b> **vet** `code` www.evil.example"

# How a line starts a block in CommonMark (and GitHub's tables); a line continuing an item starts with spaces.
BLOCK_STARTS = {
    "heading": re.compile(r"^\s*#{1,6}(\s|$)"),
    "list item": re.compile(r"^\s*([-+*]|\d{1,9}[.)])(\s|$)"),
    "table row": re.compile(r"^\s*\|"),
    "block quote": re.compile(r"^\s*>"),
    "code": re.compile(r"^\s*(`{3,}|~{3,})|^( {4,}|\t)\S"),
    "setext underline": re.compile(r"^\s*(=+|-+)\s*$"),
}


def _structure(markdown: str) -> dict[str, int]:
    """How many headings, list items, table rows, quotes and code blocks the Markdown has."""
    lines = markdown.splitlines()
    return {kind: sum(1 for line in lines if pattern.match(line)) for kind, pattern in BLOCK_STARTS.items()}


def _unescaped(markdown: str, characters: str) -> list[str]:
    """The characters of this set that a Markdown reader would act on (not preceded by a backslash)."""
    return re.findall(rf"(?<!\\)(?:\\\\)*([{re.escape(characters)}])", markdown)


def _as_read(markdown: str) -> str:
    """Markdown as a person reads it: without the backslashes that keep typed characters literal."""
    return re.sub(r"\\(.)", r"\1", markdown)


def _typed_session(team: Team, text: str, inline: str) -> int:
    """A closed session in which everything people typed is `text` (the case title a shorter part of it)."""
    case_form = _case_form(team.group_id).model_copy(update={"title": text[:120]})
    case_id = cases.submit_case(team.path, team.anna, case_form, now=NOW)
    roles = {SessionRole.CASE_BRINGER: [team.anna.id]}
    session_id = _start(team, now=at(0), case_id=case_id, roles=roles)
    live.begin_phases(team.path, team.lead, session_id, _revision(team, session_id), now=at(1))
    _move(team, session_id, at(2), steps=2)  # the information round, which collects questions
    for typed in (text, inline):
        live.send_to_board(team.path, team.ben, session_id, BoardItemInput(kind="question", text=typed), now=at(3))
        item = live.add_action_item(team.path, team.lead, session_id, _action(typed, team.ben))
        live.confirm_action_item(team.path, team.lead, session_id, item, True)
    observation = live.observe(team.path, team.lead, session_id, "interaction", now=at(4))
    live.describe_observation(team.path, team.lead, session_id, observation, ObservationDetailsInput(note=text))
    live.record_bringer_choice(team.path, team.lead, session_id, text + "\n" + inline)
    _to_closing_from_running(team, session_id)
    _close(team, session_id, at(30))
    return session_id


def _to_closing_from_running(team: Team, session_id: int) -> None:
    while _session(team, session_id).status is SessionStatus.RUNNING:
        _move(team, session_id, at(20))


def test_typed_text_never_makes_a_heading_list_table_quote_or_code_block_in_the_report(team):
    forged = live.session_report(
        team.path, team.lead, _typed_session(team, FORGED, FORGED_INLINE), Language.EN, include_observations=True
    )
    harmless = live.session_report(
        team.path, team.lead, _typed_session(team, "Gewoon", "Gewoon"), Language.EN, include_observations=True
    )

    markdown = session_report_markdown(forged, Language.EN)

    assert _structure(markdown) == _structure(session_report_markdown(harmless, Language.EN)), markdown
    sections = [line for line in markdown.splitlines() if line.startswith("#")]
    assert sections == [line for line in session_report_markdown(harmless, Language.EN).splitlines() if line[:1] == "#"]
    assert "## Observations of the facilitator" in sections and "## Observation log" not in sections
    read = _as_read(markdown)
    for line in FORGED_LINES:
        assert line in read, f"{line!r} reads as typed"
    assert FORGED_INLINE in read


def test_typed_text_never_makes_a_link_an_image_html_or_emphasis_in_the_report(team):
    report = live.session_report(
        team.path, team.lead, _typed_session(team, FORGED, FORGED_INLINE), Language.EN, include_observations=True
    )

    markdown = session_report_markdown(report, Language.EN)

    assert _unescaped(markdown, "[]<>!*`_&") == [], "no link, image, HTML, emphasis or code starts in typed text"
    assert not re.search(r"(?<!\\)://|(?i:www)\.", markdown), "no bare address becomes a link"
    table_rows = [line for line in markdown.splitlines() if line.startswith("|")]
    assert len(table_rows) == 2 + 6, "the header, its rule, and the method's six phases"


def test_a_line_break_inside_an_item_stays_inside_that_item(team):
    report = live.session_report(team.path, team.lead, _typed_session(team, FORGED, "x"), Language.EN)

    markdown = session_report_markdown(report, Language.EN)

    lines = markdown.splitlines()
    first = next(index for index, line in enumerate(lines) if line.startswith("- Questions: Gewoon"))
    continued = lines[first + 1 : first + len(FORGED_LINES)]
    assert all(line.startswith("  ") for line in continued), continued
    assert lines[first].endswith("\\") and all(line.endswith("\\") for line in continued[:-1]), "hard line breaks"


def test_the_pdf_writes_typed_text_literally(team):
    report = live.session_report(
        team.path, team.lead, _typed_session(team, FORGED, FORGED_INLINE), Language.EN, include_observations=True
    )

    shown = pdf_text(session_report_pdf(report, Language.EN)).replace("\\(", "(").replace("\\)", ")")

    for line in FORGED_LINES:
        assert line in shown.splitlines() or any(part.endswith(line) for part in shown.splitlines()), line
    assert "## Observation log" in shown, "a typed heading is printed as typed, not as a heading"
    assert "\\#" not in shown and "\\|" not in shown, "no Markdown escapes in the PDF"


def test_the_report_gives_the_sessions_time_on_the_readers_clock_not_utc():
    from zoneinfo import ZoneInfo

    report = small_report(started_at=datetime(2026, 11, 10, 12, 30, tzinfo=UTC))  # winter: UTC+1 in Amsterdam
    assert "10 november 2026, 13:30" in session_report_markdown(report, Language.NL)
    assert "10 November 2026, 13:30" in session_report_markdown(report, Language.EN)
    assert "10 november 2026, 13:30" in pdf_text(session_report_pdf(report, Language.NL))
    assert "10 November 2026, 07:30" in session_report_markdown(report, Language.EN, ZoneInfo("America/New_York"))
