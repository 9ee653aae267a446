"""The coordinator's overview, as the coordinator uses it: the groups side by side, one group's story, the goals,
and the report to download.

In the demo the coordinator, Marieke van Dijk, is in no group. Each of the four groups' contracts reports other
things: "Leidinggevenden Zorg" and "Wijkverpleging Noord" report everything, "Jeugdhulp Gent" everything but the
methods and the observation profile (and its few survey answers are pooled), "Onderwijsteam Basisschool De
Regenboog" only attendance. Four goals are seeded: two of the organisation, one each of the first two groups.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, timedelta

import pytest
from driving import Offered, app, assert_healthy, click, fill, message_under, open_page, query, texts, values

from intervision import clock, db, goals, overview, overview_report, surveys
from intervision.database import configured as configured_database
from intervision.goals import GoalStatus
from intervision.models import GoalMeasure, Language, Person
from intervision.overview import Period

OVERVIEW = "pages/overview.py"
LEIDING = "Leidinggevenden Zorg"
NOORD = "Wijkverpleging Noord"
REGENBOOG = "Onderwijsteam Basisschool De Regenboog"
GENT = "Jeugdhulp Gent"
GROUPS = [GENT, LEIDING, REGENBOOG, NOORD]  # as the page orders them: by name
TABS = ["Groups side by side", "One group", "Learning and community", "Goals", "Report"]
NOT_SHARED = "not shared"
NO_DATA = "–"
EFFICACY = ["Self-efficacy", "Collective efficacy"]
MEASURES = ["Sessions", "Attendance", "Cases followed up", "Action items done", *EFFICACY]
REVERSED = "The end comes before the start."
NOT_IN_CONTRACT = 'This group\'s contract does not report "{item}" to the organisation, so it is not shown.'
NOT_REPORTED_ITEMS = [
    "Survey results (group averages only)",
    "Methods used",
    "The facilitator's observation counts per level, and how often they stepped in against the group correcting"
    " itself (never the notes)",
]
ADDED = "The goal is added."
REMOVED = "The goal is removed."
ADD = "Add the goal"
PDF = "Download the report (PDF)"
CSV = "Download the figures (CSV)"
CSV_HEADER_EN = ["Section", "Group", "Department · location", "Measure", "Value", "Note"]
CSV_HEADER_NL = "Onderdeel;Groep;Afdeling · locatie;Maat;Waarde;Toelichting"
STATUS = {
    GoalStatus.MET: "Met",
    GoalStatus.NOT_YET: "Not yet",
    GoalStatus.MISSED: "Missed",
    GoalStatus.NO_DATA: "No data",
}


# --- helpers -------------------------------------------------------------------------------------


def _run(at):
    at.run()
    assert_healthy(at)
    return at


def _page(person: Person, language: str = "en"):
    at = app(person)
    at.session_state["language"] = language
    open_page(at, OVERVIEW)
    assert_healthy(at)
    return at


def _tab(at, label: str):
    found = [tab for tab in at.tabs if tab.label == label]
    assert len(found) == 1, [tab.label for tab in at.tabs]
    return found[0]


def _table(at) -> dict[str, dict]:
    """The compare tab's table, one row per group name."""
    [frame] = _tab(at, "Groups side by side").dataframe
    return {row["Group"]: row for row in frame.value.to_dict("records")}


def _figures(block) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in block.get("plotly_chart")]


def _heatmap(at) -> dict:
    [heatmap] = [
        trace
        for figure in _figures(_tab(at, "Groups side by side"))
        for trace in figure["data"]
        if trace["type"] == "heatmap"
    ]
    return heatmap


def _group_id(name: str) -> int:
    return query("SELECT id FROM groups WHERE name = ?", (name,))[0][0]


def _period(at) -> Period:
    return Period(at.date_input(key="overview.start").value, at.date_input(key="overview.end").value)


def _choose_group(at, name: str):
    at.selectbox(key="overview_group").set_value(_group_id(name))
    return _run(at)


def _download(at, offered: Offered, label: str) -> bytes:
    [button] = [button for button in at.download_button if button.label == label]
    return offered.of(button)


def _written(day: date) -> str:
    """A date as an English reader writes it: "2 December 2026"."""
    return f"{day.day} {day:%B} {day.year}"


def _csv_rows(data: bytes, delimiter: str) -> list[list[str]]:
    text = data.decode("utf-8")
    assert text.startswith("\ufeff"), "the byte order mark tells a spreadsheet it is UTF-8"
    return list(csv.reader(io.StringIO(text[1:]), delimiter=delimiter))


# --- groups side by side -------------------------------------------------------------------------


def test_the_groups_stand_side_by_side_in_a_heatmap_and_a_table(people):
    at = _page(people.coordinator)

    assert values(at.title) == ["Overview"]
    assert [tab.label for tab in at.tabs] == TABS
    heatmap = _heatmap(at)
    assert heatmap["y"] == GROUPS
    assert heatmap["x"] == MEASURES
    table = _table(at)
    assert list(table) == GROUPS
    assert table[LEIDING]["Facilitators"] == "Jeroen Bakker"
    assert table[REGENBOOG]["Phase"] == "Storming"
    metrics = values(at.metric)
    assert metrics[0] == "4", "four groups"


def test_what_a_contract_does_not_report_reads_not_shared(people):
    at = _page(people.coordinator)
    table = _table(at)

    regenboog = table[REGENBOOG]  # reports attendance only
    for measure in ["Sessions", "Cases followed up", "Action items done", *EFFICACY, "Methods used"]:
        assert regenboog[measure] == NOT_SHARED, measure
    assert regenboog["Attendance"].endswith("%"), "attendance is in the contract"
    assert table[GENT]["Methods used"] == NOT_SHARED
    assert table[GENT]["Sessions"] != NOT_SHARED
    for group in (LEIDING, NOORD):  # everything is reported
        assert NOT_SHARED not in [str(cell) for cell in table[group].values()], group
    # The heatmap says the same, in its cells.
    heatmap = _heatmap(at)
    row = heatmap["text"][GROUPS.index(REGENBOOG)]
    assert [row[MEASURES.index(measure)] for measure in EFFICACY] == [NOT_SHARED, NOT_SHARED]
    assert row[MEASURES.index("Attendance")] != NOT_SHARED


def test_a_pooled_average_is_marked_with_a_star(people):
    at = _page(people.coordinator)
    table = _table(at)
    comparison = overview.compare_groups(configured_database(), people.coordinator, _period(at))

    for figures in comparison.groups:
        for instrument_id, column in zip(overview.EFFICACY_INSTRUMENTS, EFFICACY, strict=True):
            efficacy = figures.efficacy.get(instrument_id)
            if efficacy is not None:
                assert table[figures.name][column].endswith("*") == efficacy.latest.pooled, (figures.name, column)
                assert table[figures.name][column].startswith(f"{efficacy.latest.mean:.1f}")


def test_the_facilitator_filter_keeps_only_the_groups_they_facilitate(people):
    at = _page(people.coordinator)
    fatima = people.participant_facilitator  # facilitates Wijkverpleging Noord, takes part in Leidinggevenden Zorg
    box = at.selectbox(key="overview.facilitator")
    assert box.options == ["Annelies Verhoeven", "Fatima El Amrani", "Jeroen Bakker", "Pieter De Smet"]
    box.set_value(fatima.id)
    _run(at)

    assert list(_table(at)) == [NOORD]
    assert _heatmap(at)["y"] == [NOORD]
    assert values(at.metric)[0] == "1"
    assert at.selectbox(key="overview_group").options == [NOORD], "the one-group tab follows the filter"


def test_the_label_filter_keeps_only_the_groups_with_those_labels(people):
    at = _page(people.coordinator)
    at.multiselect(key="overview.labels").set_value(["Jeugdhulp · Gent", "Onderwijs · De Regenboog, Zeist"])
    _run(at)

    assert list(_table(at)) == [GENT, REGENBOOG]
    assert _heatmap(at)["y"] == [GENT, REGENBOOG]
    assert values(at.metric)[0] == "2"


@pytest.mark.date_sensitive
def test_a_period_that_ends_before_it_starts_shows_only_the_message(people):
    at = _page(people.coordinator)
    today = clock.today()
    at.date_input(key="overview.start").set_value(today)
    at.date_input(key="overview.end").set_value(today - timedelta(days=10))
    _run(at)

    assert REVERSED in values(at.error)
    assert not at.tabs
    assert not at.dataframe and not at.get("plotly_chart") and not at.download_button
    assert not at.metric
    assert at.date_input(key="overview.end").value == today - timedelta(days=10), "what was chosen stays"


# --- one group -----------------------------------------------------------------------------------


def test_a_group_whose_contract_reports_little_shows_why_instead_of_charts(people):
    at = _choose_group(_page(people.coordinator), REGENBOOG)
    tab = _tab(at, "One group")

    assert values(tab.info) == [NOT_IN_CONTRACT.format(item=item) for item in NOT_REPORTED_ITEMS]
    assert not tab.get("plotly_chart")
    assert not [text for text in values(tab.markdown) if text.startswith("In this period the facilitator")]
    assert "Onderwijs · De Regenboog, Zeist · Storming · Facilitators: Annelies Verhoeven" in values(tab.caption)


def test_a_group_that_reports_everything_shows_its_charts_and_who_corrected_the_course(people):
    at = _choose_group(_page(people.coordinator), LEIDING)
    tab = _tab(at, "One group")

    assert not tab.info
    figures = _figures(tab)
    assert len(figures) == 3, "efficacy over time, the method mix and the observation profile"
    names = {trace.get("name") for trace in figures[0]["data"]}
    assert {"Self-efficacy", "Collective efficacy", "Sessions"} <= names
    lines = {trace.get("name"): trace for trace in figures[2]["data"] if trace.get("type") == "scatter"}
    assert set(lines) == {"The facilitator stepped in", "The group corrected itself"}
    assert "Procedure interventions" not in texts(at)
    story = overview.group_story(configured_database(), people.coordinator, _group_id(LEIDING), _period(at))
    assert list(lines["The group corrected itself"]["y"]) == [s.self_corrections for s in story.observations]
    said = [text for text in values(tab.markdown) if text.startswith("In this period the facilitator stepped in")]
    assert said == [overview_report.balance_sentence(story, Language.EN)]
    # The demo group learns to run itself: the facilitator steps in less, the group corrects itself more.
    assert story.self_share_trend is not None and story.self_share_trend > 0
    assert "The group's share is rising" in said[0]


def test_a_group_without_methods_or_observations_in_its_contract_shows_its_efficacy_only(people):
    at = _choose_group(_page(people.coordinator), GENT)
    tab = _tab(at, "One group")

    assert values(tab.info) == [NOT_IN_CONTRACT.format(item=item) for item in NOT_REPORTED_ITEMS[1:]]
    assert len(tab.get("plotly_chart")) == 1
    story = overview.group_story(configured_database(), people.coordinator, _group_id(GENT), _period(at))
    pooled = [release for rows in story.releases.values() for release in rows if release.pooled]
    captions = [text for text in values(tab.caption) if text.startswith("Points marked * are pooled")]
    assert len(captions) == (1 if pooled else 0)


# --- goals ---------------------------------------------------------------------------------------


def _goal_lines(at) -> list[str]:
    return [text for text in values(_tab(at, "Goals").markdown) if text.startswith("**")]


@pytest.mark.date_sensitive
def test_the_seeded_goals_are_listed_with_their_status(people):
    at = _page(people.coordinator)
    progress = goals.progress(configured_database(), people.coordinator)
    assert len(progress) == 4

    assert _goal_lines(at) == [
        "**The organisation** · Sessions held per group",
        "**The organisation** · Collective efficacy",
        f"**{LEIDING}** · Action items done",
        f"**{NOORD}** · Attendance",
    ]
    statuses = [text for text in values(_tab(at, "Goals").markdown) if text.startswith(":material/")]
    assert [status.split(" ", 1)[1] for status in statuses] == [STATUS[item.status] for item in progress]
    shown = texts(at)
    for item in progress:
        assert f"· by {_written(item.goal.due)}" in shown
    assert f"of 85% · by {_written(progress[3].goal.due)}" in shown


@pytest.mark.date_sensitive
def test_a_target_out_of_range_is_named_under_the_field_and_what_was_typed_stays(people):
    at = _page(people.coordinator)
    before = query("SELECT count(*) FROM goals")[0][0]
    due = clock.today() + timedelta(days=60)
    fill(at, {"goal.measure": GoalMeasure.SELF_EFFICACY, "goal.target": 7.0, "goal.due": due})
    click(at, ADD)
    assert_healthy(at)

    assert message_under(at, "goal.target") == "Choose a target between 1 and 5."
    assert message_under(at, "goal.due") is None
    assert at.selectbox(key="goal.measure").value == GoalMeasure.SELF_EFFICACY
    assert at.number_input(key="goal.target").value == 7.0
    assert at.date_input(key="goal.due").value == due
    assert ADDED not in values(at.success)
    assert query("SELECT count(*) FROM goals")[0][0] == before

    # A percentage may go up to 100: the same 7 is fine there, but the date must be chosen.
    fill(at, {"goal.measure": GoalMeasure.ATTENDANCE, "goal.due": None})
    click(at, ADD)
    assert message_under(at, "goal.target") is None
    assert message_under(at, "goal.due") == "Please choose a date."
    assert query("SELECT count(*) FROM goals")[0][0] == before


@pytest.mark.date_sensitive
def test_a_goal_is_added_listed_and_removed(people):
    at = _page(people.coordinator)
    due = clock.today() + timedelta(days=90)
    fill(
        at,
        {
            "goal.group_id": _group_id(NOORD),
            "goal.measure": GoalMeasure.SELF_EFFICACY,
            "goal.target": 4.5,
            "goal.due": due,
        },
    )
    click(at, ADD)
    assert_healthy(at)

    assert ADDED in values(at.success)
    [(goal_id, target, stored_due)] = query(
        "SELECT id, target, due FROM goals WHERE group_id = ? AND measure = 'self_efficacy'", (_group_id(NOORD),)
    )
    assert (target, stored_due) == (4.5, due.isoformat())
    assert f"**{NOORD}** · Self-efficacy" in _goal_lines(at)
    assert f"of 4.50 · by {_written(due)}" in texts(at)
    # The form starts again from its defaults.
    assert at.selectbox(key="goal.group_id").value is None
    assert at.number_input(key="goal.target").value == 8.0

    at.button(key=f"goal.remove.{goal_id}").click()
    _run(at)
    assert REMOVED in values(at.success)
    assert f"**{NOORD}** · Self-efficacy" not in _goal_lines(at)
    assert query("SELECT count(*) FROM goals WHERE id = ?", (goal_id,)) == [(0,)]
    assert len(_goal_lines(at)) == 4, "the seeded goals stay"


# --- the report ----------------------------------------------------------------------------------


def test_the_report_offers_a_pdf_and_a_csv_in_the_chosen_language(people, offered):
    at = _page(people.coordinator)
    assert [button.label for button in at.download_button] == [PDF, CSV]

    assert _download(at, offered, PDF).startswith(b"%PDF")
    rows = _csv_rows(_download(at, offered, CSV), ",")  # English: commas and decimal points
    assert rows[0] == CSV_HEADER_EN
    assert {row[1] for row in rows[1:]} >= set(GROUPS) | {"The organisation"}
    [regenboog_efficacy] = [row for row in rows if row[1] == REGENBOOG and row[3] == "Self-efficacy"]
    assert regenboog_efficacy[4] == ""
    assert regenboog_efficacy[5].startswith("not reported")

    assert at.radio(key="overview_report_language").value == Language.EN
    at.radio(key="overview_report_language").set_value(Language.NL)
    _run(at)
    assert [button.label for button in at.download_button] == [PDF, CSV], "the page itself stays English"
    assert _download(at, offered, PDF).startswith(b"%PDF")
    dutch = _download(at, offered, CSV).decode("utf-8")
    assert dutch.lstrip("\ufeff").splitlines()[0] == CSV_HEADER_NL
    rows = _csv_rows(_download(at, offered, CSV), ";")
    assert {row[1] for row in rows[1:]} >= set(GROUPS) | {"De organisatie"}


FORMULA = '=HYPERLINK("http://x","y")'


def test_a_group_name_or_label_never_becomes_a_formula_in_the_csv(people, offered):
    with db.writing() as conn:
        conn.execute("UPDATE groups SET name = ?, label = ? WHERE name = ?", [FORMULA, "+1", LEIDING])
        conn.execute("UPDATE groups SET label = ? WHERE name = ?", ["@SUM(A1)", NOORD])
    at = _page(people.coordinator)

    data = _download(at, offered, CSV)

    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b""), "CRLF line ends"
    rows = _csv_rows(data, ",")
    renamed = [row for row in rows if FORMULA in row[1]]
    assert renamed and {row[1] for row in renamed} == {"'" + FORMULA}
    assert {row[2] for row in renamed} == {"'+1", ""}, "its figures carry the label, its goal none"
    assert "'@SUM(A1)" in {row[2] for row in rows if row[1] == NOORD}
    assert not [cell for row in rows for cell in row if cell.startswith(("=", "+", "@"))]
    # Numbers stay numbers, with the decimal mark of the file's language: a point in English.
    [attendance] = [row[4] for row in rows if row[:2] == ["Groups side by side", NOORD] and row[3] == "Attendance"]
    assert attendance.isdigit(), attendance
    means = [row[4] for row in rows if row[3] in EFFICACY and row[4]]
    assert means and all(re.fullmatch(r"\d(\.\d{1,2})?", mean) for mean in means), means


# --- in Dutch ------------------------------------------------------------------------------------


def test_the_page_in_dutch_has_every_text_translated(people):
    at = _page(people.coordinator, language="nl")
    assert values(at.title) == ["Overzicht"]
    assert len(at.tabs) == len(TABS)
    _choose_group(at, REGENBOOG)  # the messages about what the contract does not report
    assert len(at.tabs[1].info) == 3
    fill(at, {"goal.measure": GoalMeasure.COLLECTIVE_EFFICACY, "goal.target": 9.0, "goal.due": None})
    [submit] = [button for button in at.button if button.key and button.key.startswith("FormSubmitter:goal")]
    submit.click()
    _run(at)
    assert message_under(at, "goal.target") and message_under(at, "goal.due")


# --- what is not right yet -------------------------------------------------------------------------


@pytest.mark.date_sensitive
def test_the_small_multiples_show_only_the_chosen_period(people):
    at = _page(people.coordinator)
    start = clock.today() - timedelta(days=30)
    at.date_input(key="overview.start").set_value(start)
    _run(at)

    [_, multiples] = _figures(_tab(at, "Groups side by side"))
    days = [date.fromisoformat(day[:10]) for trace in multiples["data"] for day in trace.get("x", [])]
    assert days, "the latest waves closed within the last month"
    assert all(start <= day <= clock.today() for day in days), sorted(days)


@pytest.mark.date_sensitive
def test_attendance_without_sessions_in_the_period_is_no_data_not_unshared(people):
    at = _page(people.coordinator)
    at.date_input(key="overview.start").set_value(clock.today() - timedelta(days=800))
    at.date_input(key="overview.end").set_value(clock.today() - timedelta(days=750))  # before any group began
    _run(at)

    table = _table(at)
    assert table[LEIDING]["Sessions"] == NO_DATA
    assert table[LEIDING]["Attendance"] == NO_DATA


def test_cases_brought_not_reported_reads_not_shared(people):
    table = _table(_page(people.coordinator))
    assert table[REGENBOOG]["Cases brought"] == NOT_SHARED


def test_the_combined_average_note_counts_the_releases_it_combines(people):
    at = _page(people.coordinator)
    jeroen = people.facilitator
    at.selectbox(key="overview.facilitator").set_value(jeroen.id)
    _run(at)

    comparison = overview.compare_groups(
        configured_database(), people.coordinator, _period(at), facilitator_id=jeroen.id
    )
    ids = {group.group_id for group in comparison.groups}
    parts = [
        release
        for release in comparison.releases["collective_efficacy"]
        if comparison.period.holds(release.day) and set(release.group_ids) & ids
    ]
    answers = sum(release.respondents for release in parts)
    mean = sum(release.mean * release.respondents for release in parts) / answers
    metric = at.metric[3]
    assert metric.value == f"{mean:.2f}"
    assert metric.proto.help == f"Answers: {answers}. Waves shown: {len(parts)}."


def test_a_change_made_while_the_overview_is_open_shows_on_the_next_look(people):
    # The page keeps its comparison between clicks; a write anywhere in the app makes it compare again.
    at = _page(people.coordinator)
    assert "fewer than 3 answers" in texts(at)
    before = _heatmap(at)
    surveys.set_threshold(configured_database(), people.coordinator, 8)

    _run(at)

    assert "fewer than 8 answers" in texts(at)
    assert _heatmap(at)["text"] != before["text"], "averages of fewer than 8 people are gone"


# --- where a questionnaire got new questions ---------------------------------------------------------

NEW_QUESTIONS = "A dotted line marks where a questionnaire got new questions: "
MARKER = "new questions from here"


def _dotted(figure: dict) -> list[str]:
    """The days of the dotted vertical lines on a figure."""
    return [shape["x0"][:10] for shape in figure["layout"].get("shapes", []) if shape["line"].get("dash") == "dot"]


@pytest.mark.date_sensitive
def test_where_a_questionnaire_got_new_questions_the_trends_mark_it_and_the_text_says_so(people):
    at = _page(people.coordinator)
    comparison = overview.compare_groups(configured_database(), people.coordinator, _period(at))
    changes = comparison.question_changes()
    assert changes, "the demo's surveys changed to the questionnaires' new version within the last year"

    compare = _tab(at, "Groups side by side")
    [said] = [text for text in values(compare.caption) if text.startswith(NEW_QUESTIONS)]
    for instrument_id, days in changes.items():
        name = {"self_efficacy": "Self-efficacy", "collective_efficacy": "Collective efficacy"}[instrument_id]
        assert f"{name} from {days[0].day} {days[0]:%B} {days[0].year}" in said, said
    [_, multiples] = _figures(compare)
    assert {date.fromisoformat(day) for day in _dotted(multiples)} == {day for days in changes.values() for day in days}
    assert [note["text"] for note in multiples["layout"]["annotations"]].count(MARKER) == 1, "labelled once"

    at = _choose_group(at, LEIDING)
    tab = _tab(at, "One group")
    story = overview.story_in(configured_database(), people.coordinator, comparison, _group_id(LEIDING))
    expected = overview.question_changes(story.releases)
    assert expected, "Leidinggevenden Zorg answered both versions"
    trend = _figures(tab)[0]
    assert sorted(set(_dotted(trend))) == sorted({day.isoformat() for days in expected.values() for day in days})
    assert MARKER in [note["text"] for note in trend["layout"]["annotations"]]
    assert any(text.startswith(NEW_QUESTIONS) for text in values(tab.caption)), values(tab.caption)


def test_in_dutch_the_marker_and_its_text_read_dutch(people):
    at = _page(people.coordinator, language="nl")
    compare = _tab(at, "Groepen naast elkaar")
    assert any(text.startswith("Een stippellijn geeft aan waar een vragenlijst nieuwe vragen kreeg: ")
               for text in values(compare.caption)), values(compare.caption)  # fmt: skip
    [_, multiples] = _figures(compare)
    assert "vanaf hier nieuwe vragen" in [note["text"] for note in multiples["layout"]["annotations"]]
