"""The programme report on Kirkpatrick's four levels: each level's figures for the programme's own groups, the
privacy threshold and the contracts, the measured values of result goals, and the CSV and PDF."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from pydantic import ValidationError
from test_overview import ALL, LATER, YEAR_2025, Org, at, case_form
from unit_support import pdf_text

from intervision import cases, clock, db, learning_goals, live, personal_data, programmes
from intervision.errors import DomainError, NotAllowed
from intervision.learning_goals import LearningGoalInput
from intervision.models import ActionItemInput, FollowUpInput, Language, RatingInput, ReportItem, Role
from intervision.overview import Period
from intervision.programme_report import ResultValueInput, add_result_value, default_period, programme_report
from intervision.programme_report_document import report_csv, report_lines, report_pdf
from intervision.programmes import GoalKind, ProgrammeGoal, ProgrammeInput

CASE_TEXT = "A parent who mails every week"
ACTION_TEXT = "Anna calls the parent back"


def _programme(org: Org, group_ids: list[int]) -> int:
    return programmes.create_programme(
        org.path,
        org.coordinator,
        ProgrammeInput(name="Klantvriendelijk", group_ids=group_ids),
        now=at(date(2025, 1, 2)),
    )


def _rated_session(org: Org, lead, group_id: int, day: date, ratings: list) -> int:
    session_id = org.start(lead, group_id, day)
    for person, usefulness in ratings:
        live.rate(org.path, person, session_id, RatingInput(usefulness=usefulness), now=at(day))
    org.close(lead, session_id, day)
    return session_id


def _report(org: Org, programme_id: int, period: Period = YEAR_2025, today: date = LATER):
    return programme_report(org.path, org.coordinator, programme_id, period, today=today)


def _goal(**changes: object) -> ProgrammeGoal:
    fields = {
        "kind": GoalKind.RESULT,
        "text": "Halve the complaints about service at the desk within three months",
        "measure": "complaints per quarter",
        "lowest": 0.0,
        "highest": 100.0,
        "start": 12.0,
        "target": 6.0,
        "due": clock.today() + timedelta(days=90),
    } | changes
    return ProgrammeGoal(**fields)


@pytest.fixture
def org(path, coordinator, make_person) -> Org:
    return Org(path, coordinator, make_person)


@pytest.fixture
def team(org: Org):
    lead = org.make_person("Fay Facilitator", Role.FACILITATOR)
    members = org.people("Anna Member", "Ben Member", "Chris Member", "Dirk Member")
    group_id = org.group("Team North", reports=ALL, facilitators=(lead,), members=tuple(members))
    return lead, members, group_id


# --- reaction --------------------------------------------------------------------------------------------


def test_reaction_is_the_mean_usefulness_of_sessions_rated_by_enough_people(org: Org, team):
    lead, (anna, ben, chris, dirk), group_id = team
    programme_id = _programme(org, [group_id])
    _rated_session(org, lead, group_id, date(2025, 3, 10), [(anna, 4), (ben, 5), (chris, 3)])
    _rated_session(org, lead, group_id, date(2025, 4, 10), [(anna, 2), (ben, 4), (chris, 3), (dirk, 3)])
    # Rated by two people only: its ratings would tell what each gave, so it is left out.
    _rated_session(org, lead, group_id, date(2025, 5, 10), [(anna, 1), (ben, 1)])

    reaction = _report(org, programme_id).reaction
    (north,) = reaction.groups
    assert (north.sessions, north.ratings, north.too_few) == (2, 7, 1)
    assert north.mean == pytest.approx(24 / 7)
    assert reaction.mean == pytest.approx(24 / 7) and reaction.sessions == 2


def test_reaction_counts_only_the_period_and_the_programmes_own_groups(org: Org, team):
    lead, (anna, ben, chris, _), group_id = team
    other = org.group("Team South", reports=ALL, facilitators=(lead,), members=(anna, ben, chris))
    programme_id = _programme(org, [group_id])
    _rated_session(org, lead, group_id, date(2025, 3, 10), [(anna, 4), (ben, 4), (chris, 4)])
    _rated_session(org, lead, group_id, date(2026, 3, 10), [(anna, 1), (ben, 1), (chris, 1)])
    _rated_session(org, lead, other, date(2025, 3, 11), [(anna, 1), (ben, 1), (chris, 1)])

    reaction = _report(org, programme_id).reaction
    assert [group.name for group in reaction.groups] == ["Team North"]
    assert reaction.mean == 4 and reaction.ratings == 3


def test_with_too_few_ratings_there_is_no_mean(org: Org, team):
    lead, (anna, ben, _, _), group_id = team
    programme_id = _programme(org, [group_id])
    _rated_session(org, lead, group_id, date(2025, 3, 10), [(anna, 5), (ben, 5)])

    report = _report(org, programme_id)
    assert report.reaction.mean is None and report.reaction.groups[0].too_few == 1
    [line] = [
        line
        for line in report_lines(report, Language.EN)
        if line.group == "Team North" and "Usefulness" in line.measure
    ]
    assert (line.value, line.note.split(" · ")[0]) == ("", "too few to show")


def test_a_group_whose_contract_does_not_report_survey_results_has_no_reaction_or_efficacy(org: Org, team):
    lead, (anna, ben, chris, _), _ = team
    quiet = org.group(
        "Team Quiet",
        reports=[item for item in ALL if item is not ReportItem.SURVEY_AGGREGATES],
        facilitators=(lead,),
        members=(anna, ben, chris),
    )
    programme_id = _programme(org, [quiet])
    _rated_session(org, lead, quiet, date(2025, 3, 10), [(anna, 4), (ben, 4), (chris, 4)])
    org.wave(quiet, [(anna, 4), (ben, 3), (chris, 5)], closed_on=date(2025, 4, 1))

    report = _report(org, programme_id)
    assert report.reaction.groups[0].reported is False and report.reaction.mean is None
    assert report.learning[0].efficacy is None
    notes = {line.measure: line.note for line in report_lines(report, Language.EN) if line.group == "Team Quiet"}
    assert notes["Usefulness of the sessions (1–5)"] == "not reported"
    assert notes["Self-efficacy (1–5)"] == "not reported"


# --- learning ----------------------------------------------------------------------------------------


def test_learning_shows_efficacy_releases_with_their_change(org: Org, team):
    _, (anna, ben, chris, _), group_id = team
    programme_id = _programme(org, [group_id])
    org.wave(group_id, [(anna, 3), (ben, 3), (chris, 3)], closed_on=date(2025, 3, 1))
    org.wave(group_id, [(anna, 4), (ben, 4), (chris, 5)], closed_on=date(2025, 6, 1))
    org.wave(group_id, [(anna, 5), (ben, 5)], closed_on=date(2025, 9, 1))  # two respondents: never on its own

    (north,) = _report(org, programme_id).learning
    efficacy = north.efficacy["self_efficacy"]
    assert efficacy.latest.mean == pytest.approx(13 / 3) and efficacy.latest.respondents == 3
    assert efficacy.change == pytest.approx(13 / 3 - 3)
    assert north.efficacy["collective_efficacy"] is None


def test_personal_learning_goals_are_counted_only_from_the_threshold(org: Org, team):
    _, (anna, ben, chris, _), group_id = team
    programme_id = _programme(org, [group_id])
    for person in (anna, ben):
        learning_goals.add_learning_goal(org.path, person, LearningGoalInput(what="Ask before I advise"))

    (north,) = _report(org, programme_id, _around_today(), clock.today()).learning
    assert north.goals.people_with_goals is None, "two people: too few to show"
    learning_goals.add_learning_goal(org.path, chris, LearningGoalInput(what="Ask before I advise"))
    (north,) = _report(org, programme_id, _around_today(), clock.today()).learning
    assert north.goals.people_with_goals == 3


def test_the_programmes_learning_goals_are_shown_with_the_learning_level(org: Org, team):
    programme_id = _programme(org, [team[2]])
    learning = _goal(kind=GoalKind.LEARNING, text="Everyone can ask an open question before giving advice")
    programmes.add_item(org.path, org.coordinator, programme_id, "goals", learning)
    programmes.add_item(org.path, org.coordinator, programme_id, "goals", _goal())

    report = _report(org, programme_id)
    assert [goal.text for goal in report.learning_goals] == [learning.text]
    assert [result.goal.kind for result in report.results] == [GoalKind.RESULT]


# --- behaviour --------------------------------------------------------------------------------------


def test_behaviour_counts_action_items_and_follow_ups_as_far_as_reported(org: Org, team):
    lead, (anna, _, _, _), group_id = team
    hidden = org.group("Team Hidden", reports=[ReportItem.SESSIONS_HELD], facilitators=(lead,), members=(anna,))
    programme_id = _programme(org, [group_id, hidden])
    case_id = cases.submit_case(org.path, anna, case_form(group_id), now=at(date(2025, 3, 1)))
    session_id = org.start(lead, group_id, date(2025, 3, 10), case_id=case_id, bringer=anna)
    item = live.add_action_item(
        org.path, lead, session_id, ActionItemInput(text=ACTION_TEXT), now=at(date(2025, 3, 10))
    )
    live.confirm_action_item(org.path, lead, session_id, item, True)
    org.close(lead, session_id, date(2025, 3, 10))
    cases.follow_up(org.path, anna, case_id, FollowUpInput(text="We agreed on Fridays."), now=at(date(2025, 3, 20)))
    second = org.hold(lead, group_id, date(2025, 3, 24))
    live.set_action_item_done(org.path, lead, second, item, True)

    behaviour = {group.name: group for group in _report(org, programme_id).behaviour}
    assert behaviour["Team North"].action_items == (1, 1)
    assert behaviour["Team North"].cases == (1, 1)
    assert behaviour["Team Hidden"].action_items is None and behaviour["Team Hidden"].cases is None


# --- results ----------------------------------------------------------------------------------------


def _result_goal(org: Org, programme_id: int, **changes: object) -> str:
    programmes.add_item(org.path, org.coordinator, programme_id, "goals", _goal(**changes))
    (goal,) = programmes.programme(org.path, org.coordinator, programme_id).step("goals").goals
    return goal.key


def _around_today() -> Period:
    return Period(clock.today() - timedelta(days=60), clock.today())


def test_a_goal_keeps_its_key_when_another_goal_before_it_is_removed(org: Org, team):
    programme_id = _programme(org, [team[2]])
    programmes.add_item(
        org.path, org.coordinator, programme_id, "goals", _goal(text="A first goal to be removed later")
    )
    programmes.add_item(org.path, org.coordinator, programme_id, "goals", _goal())
    keys = [g.key for g in programmes.programme(org.path, org.coordinator, programme_id).step("goals").goals]
    programmes.remove_item(org.path, org.coordinator, programme_id, "goals", 0)
    assert [g.key for g in programmes.programme(org.path, org.coordinator, programme_id).step("goals").goals] == keys[
        1:
    ]
    assert len(set(keys)) == 2


def test_measured_values_show_whether_the_target_is_reached(org: Org, team):
    programme_id = _programme(org, [team[2]])
    key = _result_goal(org, programme_id)
    today = clock.today()
    add_result_value(
        org.path, org.coordinator, programme_id, key, ResultValueInput(value=10, measured_on=today - timedelta(days=30))
    )
    (result,) = _report(org, programme_id, _around_today(), today).results
    assert [v.value for v in result.values] == [10] and result.reached is False

    add_result_value(org.path, org.coordinator, programme_id, key, ResultValueInput(value=5, measured_on=today))
    (result,) = _report(org, programme_id, _around_today(), today).results
    assert [v.value for v in result.values] == [10, 5] and result.reached is True, "down from 12 to 6: 5 reaches it"


def test_a_goal_read_after_its_due_date_still_reports(org: Org, team, set_clock):
    programme_id = _programme(org, [team[2]])
    _result_goal(org, programme_id)
    set_clock(clock.today() + timedelta(days=200))
    (result,) = _report(org, programme_id, _around_today(), clock.today()).results
    assert result.goal.target == 6 and result.reached is None


def test_a_value_may_not_be_measured_in_the_future():
    with pytest.raises(ValidationError) as refused:
        ResultValueInput(value=3, measured_on=clock.today() + timedelta(days=1))
    assert refused.value.errors()[0]["type"] == "programme_report.date_in_future"
    assert ResultValueInput(value=3, measured_on=clock.today()).value == 3


def test_a_value_outside_the_measures_range_is_refused_next_to_the_value(org: Org, team):
    programme_id = _programme(org, [team[2]])
    key = _result_goal(org, programme_id)
    with pytest.raises(DomainError) as refused:
        add_result_value(
            org.path, org.coordinator, programme_id, key, ResultValueInput(value=101, measured_on=clock.today())
        )
    assert (refused.value.key, refused.value.field) == ("programme_report.outside_range", "value")
    assert refused.value.params == {"lowest": "0", "highest": "100"}


def test_values_belong_to_result_goals_of_this_programme_only(org: Org, team):
    programme_id = _programme(org, [team[2]])
    programmes.add_item(org.path, org.coordinator, programme_id, "goals", _goal(kind=GoalKind.LEARNING))
    (learning,) = programmes.programme(org.path, org.coordinator, programme_id).step("goals").goals
    with pytest.raises(DomainError, match="goal_not_found"):
        add_result_value(
            org.path, org.coordinator, programme_id, learning.key, ResultValueInput(value=1, measured_on=clock.today())
        )


@pytest.mark.parametrize("role", [Role.PARTICIPANT, Role.FACILITATOR])
def test_only_coordinators_make_the_report_or_enter_values(org: Org, team, role: Role):
    programme_id = _programme(org, [team[2]])
    key = _result_goal(org, programme_id)
    someone = org.make_person("Someone Else", role)
    with pytest.raises(NotAllowed):
        programme_report(org.path, someone, programme_id, YEAR_2025, today=LATER)
    with pytest.raises(NotAllowed):
        add_result_value(org.path, someone, programme_id, key, ResultValueInput(value=1, measured_on=clock.today()))


def test_the_default_period_runs_from_the_programmes_creation_to_today(org: Org, team):
    programme_id = _programme(org, [team[2]])
    assert default_period(org.path, org.coordinator, programme_id, today=date(2025, 6, 1)) == Period(
        date(2025, 1, 2), date(2025, 6, 1)
    )


def test_the_person_who_entered_a_value_finds_it_in_their_export(org: Org, team):
    programme_id = _programme(org, [team[2]])
    key = _result_goal(org, programme_id)
    add_result_value(org.path, org.coordinator, programme_id, key, ResultValueInput(value=7, measured_on=clock.today()))
    exported = json.loads(personal_data.export_my_data(org.path, org.coordinator))["programme_actions"]
    assert [row["action"] for row in exported if row["action"] == "entered_result_value"] == ["entered_result_value"]
    assert f"{key}: 7" in next(row["detail"] for row in exported if row["action"] == "entered_result_value")


# --- the documents --------------------------------------------------------------------------------------


def test_the_csv_and_pdf_hold_the_four_levels_and_no_case_board_or_names(org: Org, team):
    lead, (anna, ben, chris, dirk), group_id = team
    programme_id = _programme(org, [group_id])
    case_id = cases.submit_case(org.path, anna, case_form(group_id), now=at(date(2025, 3, 1)))
    session_id = org.start(lead, group_id, date(2025, 3, 10), case_id=case_id, bringer=anna)
    for person in (anna, ben, chris):
        live.rate(org.path, person, session_id, RatingInput(usefulness=4), now=at(date(2025, 3, 10)))
    item = live.add_action_item(
        org.path, lead, session_id, ActionItemInput(text=ACTION_TEXT), now=at(date(2025, 3, 10))
    )
    live.confirm_action_item(org.path, lead, session_id, item, True)
    org.close(lead, session_id, date(2025, 3, 10))
    org.wave(group_id, [(anna, 4), (ben, 3), (chris, 5)], closed_on=date(2025, 4, 1))
    key = _result_goal(org, programme_id)
    add_result_value(org.path, org.coordinator, programme_id, key, ResultValueInput(value=9, measured_on=clock.today()))
    with db.reading(org.path) as conn:
        case_texts = [row[0] for row in conn.execute("SELECT title FROM cases")]
    period = Period(date(2025, 1, 1), clock.today())

    report = _report(org, programme_id, period, clock.today())
    for language in Language:
        csv = report_csv(report, language).decode("utf-8")
        pdf = pdf_text(report_pdf(report, language, "De Bibliotheek"))
        for document in (csv, pdf):
            for level in ("reaction", "learning", "behaviour", "results"):
                assert programmes_level(level, language) in document
            for secret in (*case_texts, CASE_TEXT, ACTION_TEXT, *(p.name for p in (anna, ben, chris, dirk, lead))):
                assert secret not in document
    csv = report_csv(report, Language.EN).decode("utf-8")
    assert "Team North" in csv and "complaints per quarter" in csv


def programmes_level(level: str, language: Language) -> str:
    from intervision.i18n import t

    return t(f"programme_report.level.{level}", language)


def test_erasing_who_entered_a_value_keeps_the_value_without_them(org: Org, team):
    programme_id = _programme(org, [team[2]])
    key = _result_goal(org, programme_id)
    add_result_value(org.path, org.coordinator, programme_id, key, ResultValueInput(value=7, measured_on=clock.today()))
    other = org.make_person("Olga Other", Role.COORDINATOR)
    personal_data.erase_person(org.path, other, org.coordinator.id)
    with db.reading(org.path) as conn:
        assert [tuple(row) for row in conn.execute("SELECT value, entered_by FROM programme_result_values")] == [
            (7, None)
        ]
    (result,) = _report(org, programme_id, _around_today(), clock.today()).results
    assert [value.value for value in result.values] == [7]


def test_goals_saved_before_keys_existed_get_one_stable_key_each_on_upgrade(org: Org, team):
    from alembic import command

    from intervision.migrations import _config

    programme_id = _programme(org, [team[2]])
    old_goal = _goal().model_dump(mode="json", exclude={"key"})
    with org.path.writing() as unit:
        config = _config()
        config.attributes["connection"] = unit.connection
        command.downgrade(config, "0011_programmes")
        unit.execute(
            "INSERT INTO programme_steps (programme_id, step, content, saved_by, saved_at)"
            " VALUES (?, 'goals', ?, ?, ?)",
            [
                programme_id,
                json.dumps({"goals": [old_goal, old_goal]}),
                org.coordinator.id,
                "2025-01-02T10:00:00+00:00",
            ],
        )
        command.upgrade(config, "head")

    first = [g.key for g in programmes.programme(org.path, org.coordinator, programme_id).step("goals").goals]
    again = [g.key for g in programmes.programme(org.path, org.coordinator, programme_id).step("goals").goals]
    assert first == again and len(set(first)) == 2
