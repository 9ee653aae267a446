"""The programme's Report tab as a coordinator uses it: the four levels, entering measured values of a result
goal, and the PDF and CSV. (Only coordinators open the page; the core refuses the report to anyone else.)"""

from __future__ import annotations

from datetime import timedelta

from driving import assert_healthy, click, fill, message_under, open_as, query, texts, values

from intervision import clock, groups, programmes
from intervision.database import configured as configured_database
from intervision.programmes import GoalKind, ProgrammeGoal, ProgrammeInput

PAGE = "pages/programmes.py"
LEVELS = ["1 · Reaction", "2 · Learning", "3 · Behaviour", "4 · Results"]
PDF, CSV = "Download the report (PDF)", "Download the figures (CSV)"


def _programme_with_a_result_goal(people) -> tuple[int, str]:
    database = configured_database()
    gent = next(g.id for g, _ in groups.visible_groups(database, people.coordinator) if g.name == "Jeugdhulp Gent")
    programme_id = programmes.create_programme(
        database, people.coordinator, ProgrammeInput(name="Klantvriendelijk", group_ids=[gent])
    )
    goal = ProgrammeGoal(
        kind=GoalKind.RESULT,
        text="Halve the complaints about waiting within three months",
        measure="complaints per quarter",
        lowest=0,
        highest=100,
        start=12,
        target=6,
        due=clock.today() + timedelta(days=90),
    )
    programmes.add_item(database, people.coordinator, programme_id, "goals", goal)
    return programme_id, goal.key


def _download(at, offered, label: str) -> bytes:
    [button] = [button for button in at.download_button if button.label == label]
    return offered.of(button)


def test_the_report_tab_shows_the_four_levels_and_offers_a_pdf_and_a_csv(people, offered):
    programme_id, _ = _programme_with_a_result_goal(people)
    at = open_as(people.coordinator, PAGE)
    assert_healthy(at)
    assert "Report" in [tab.label for tab in at.tabs]
    shown = texts(at)
    for level in LEVELS:
        assert level in shown
    assert "Jeugdhulp Gent" in shown
    reaction = at.dataframe[0].value
    assert list(reaction["Group"]) == ["Jeugdhulp Gent", "Whole programme"]
    assert set(reaction["Mean"]) == {"too few to show"}, "no ratings in the period: nothing about anyone shows"
    assert [button.label for button in at.download_button] == [PDF, CSV]
    assert _download(at, offered, PDF).startswith(b"%PDF")
    csv = _download(at, offered, CSV).decode("utf-8")
    for level in LEVELS:
        assert level in csv
    assert "complaints per quarter" in csv
    assert query("SELECT count(*) FROM programmes WHERE id = ?", (programme_id,)) == [(1,)]


def test_a_measured_value_outside_the_range_is_refused_under_the_field_and_a_good_one_is_kept(people):
    programme_id, key = _programme_with_a_result_goal(people)
    form = f"result_{key}"
    at = open_as(people.coordinator, PAGE)
    fill(at, {f"{form}.value": 150.0})
    at = click(at, "Add the value")
    assert_healthy(at)
    assert message_under(at, f"{form}.value") == "Outside the measure's range: enter a value between 0 and 100."
    assert at.number_input(key=f"{form}.value").value == 150.0
    assert query("SELECT count(*) FROM programme_result_values") == [(0,)]

    fill(at, {f"{form}.measured_on": clock.today() + timedelta(days=1), f"{form}.value": 5.0})
    at = click(at, "Add the value")
    assert message_under(at, f"{form}.measured_on") == (
        "Choose today or an earlier date: a value is measured, not expected."
    )

    fill(at, {f"{form}.measured_on": clock.today()})
    at = click(at, "Add the value")
    assert_healthy(at)
    assert "The value is saved." in values(at.success)
    assert "Target reached" in values(at.success)
    assert query("SELECT value, goal_key FROM programme_result_values WHERE programme_id = ?", (programme_id,)) == [
        (5.0, key)
    ]


def test_in_dutch_the_report_speaks_dutch_and_its_csv_too(people, offered):
    _programme_with_a_result_goal(people)
    at = open_as(people.coordinator, PAGE, language="nl")
    assert_healthy(at)
    assert "Rapportage" in [tab.label for tab in at.tabs]
    shown = texts(at)
    for level in ("1 · Reactie", "2 · Leren", "3 · Gedrag", "4 · Resultaten"):
        assert level in shown
    csv = _download(at, offered, "Cijfers downloaden (csv)").decode("utf-8")
    assert csv.lstrip("\ufeff").splitlines()[0].startswith("Niveau;Groep")
    assert "4 · Resultaten" in csv


def test_the_latest_measured_value_can_be_removed(people):
    programme_id, key = _programme_with_a_result_goal(people)
    form = f"result_{key}"
    at = open_as(people.coordinator, PAGE)
    fill(at, {f"{form}.value": 9.0})
    at = click(at, "Add the value")
    assert "Target not reached yet" in texts(at)
    at = click(at, "Remove the latest value")
    assert_healthy(at)
    assert "The value is removed." in values(at.success)
    assert query("SELECT count(*) FROM programme_result_values WHERE programme_id = ?", (programme_id,)) == [(0,)]
