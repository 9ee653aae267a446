"""Surveys, as the people involved see them: a member answers (and may skip), the answers are kept until the
wave closes; results show a chart per scale, the distribution, a table and a CSV, with the member's own
trend for their eyes only; nothing under the privacy threshold and nothing of an open wave is shown, and
nobody sees an individual answer; the facilitator opens and closes waves; the coordinator loads
instruments and sets the threshold.

In the demo, Sofie Claes is a member of "Leidinggevenden Zorg" (facilitated by Jeroen Bakker, five
members) and of "Jeugdhulp Gent"; each group has four closed waves of self_efficacy and
collective_efficacy and one open session_evaluation wave.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
from datetime import timedelta

import pytest
from driving import app, as_read, assert_healthy, open_page, query, texts, values
from google.protobuf import text_format

from intervision import accounts, clock, surveys
from intervision.database import configured as configured_database
from intervision.instruments import shipped_instruments
from intervision.models import Language, Person
from ui.guard import escape_markdown

SURVEYS = "pages/surveys.py"
HOME = "pages/home.py"
LEIDING = "Leidinggevenden Zorg"
LEIDING_MEMBERS = ["Fatima El Amrani", "Sofie Claes", "Hans Kuipers", "Ingrid Smit", "Mohamed Bouzid"]

SAVED = "Your answers are saved. You can change them until the survey closes."
NOTHING_OPEN = "No survey is waiting for you."
MY_SCORE = "My own score (only you see this)"
GROUP_MEAN = "Group mean"
SESSIONS = "Sessions"
LEAST = "Answers differ most on:"
TABLE = "The same as a table"
DOWNLOAD = "Download as CSV"
NO_RESULTS = "No closed survey of this kind yet. Results appear once a survey is closed."
WAITING = f"{LEIDING}: a survey is waiting for your answers."
OPENED = "The survey is open. Members see it on their home screen."
CLOSED = "The survey is closed; its results are shown if enough people answered."
LOADED = "The instrument is loaded."
REFUSED = "The file was refused:"
THRESHOLD_TOO_LOW = "The threshold is at least 3."
THRESHOLD_SAVED = "The threshold is saved."
SAFETY = "psychological_safety"
NEW_QUESTIONS_NL = "vanaf hier nieuwe vragen"


def _not_shown(threshold: int) -> str:
    return f"not shown: fewer than {threshold}"


def _hidden_caption(count: int, threshold: int) -> str:
    return (
        f"Surveys with fewer than {threshold} answers on this scale, not shown so that nobody's answers can be "
        f"told apart: {count}."
    )


def _trend_not_shown(threshold: int) -> str:
    return (
        f"Not shown: no survey had {threshold} or more answers on this scale, and fewer are never shown, so that "
        "nobody's answers can be told apart."
    )


# --- helpers -------------------------------------------------------------------------------------


def _run(at):
    at.run()
    assert_healthy(at)
    return at


def _page(person: Person, page: str = SURVEYS, locale: str = "en-GB", english: bool = True):
    """A new browser session of `person` on the page; English unless told otherwise."""
    at = app(person, locale=locale)
    if english:
        at.session_state["language"] = "en"
    open_page(at, page)
    assert_healthy(at)
    return at


def _tab(at, label: str):
    found = [tab for tab in at.tabs if tab.label == label]
    assert len(found) == 1, [tab.label for tab in at.tabs]
    return found[0]


def _text_of(block) -> str:
    """Every text inside one block (a tab), as driving.texts reads the whole screen."""
    parts = []
    for node in block:
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(text_format.MessageToString(proto, as_utf8=True))
    return "\n".join(parts)


def _group_id(name: str) -> int:
    return query("SELECT id FROM groups WHERE name = ?", (name,))[0][0]


def _member(name: str) -> Person:
    """Anybody in the demo database, by name (not every member is among the demo's published accounts)."""
    [(email,)] = query("SELECT email FROM people WHERE name = ?", (name,))
    found = accounts.person_by_email(configured_database(), email)
    assert found is not None
    return found


def _open_wave_of(group_id: int, instrument_id: str) -> int:
    rows = query(
        "SELECT id FROM survey_waves WHERE group_id = ? AND instrument_id = ? AND closed_at IS NULL",
        (group_id, instrument_id),
    )
    assert len(rows) == 1, rows
    return rows[0][0]


def _save_button(at, wave_id: int):
    return at.button(key=f"save_answers.{wave_id}")


def _progress(at) -> list[str]:
    """The "answered n of N" line of every form on the screen."""
    return [bar.proto.text for bar in at.get("progress")]


def _statements(at, wave_id: int) -> dict:
    """The option rows of one wave's statements, by widget key."""
    return {row.key: row for row in at.segmented_control if row.key.startswith(f"answer.{wave_id}.")}


def _figures(at) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def _trace_names(at) -> set[str]:
    return {trace.get("name") for figure in _figures(at) for trace in figure["data"]}


def _results(at, group_id: int, instrument_id: str):
    at.selectbox(key="results_group").set_value(group_id)
    at.selectbox(key="results_instrument").set_value(instrument_id)
    return _run(at)


def _table(at) -> list[dict]:
    assert len(at.dataframe) == 1, "one table of aggregates"
    return at.dataframe[0].value.to_dict("records")


def _answers_scoring(instrument_id: str, score: int) -> dict[str, int | None]:
    """Answers whose every item scores `score` (reverse-scored items answered the other way round)."""
    instrument = shipped_instruments().instruments[instrument_id]
    return {
        item.id: instrument.lowest + instrument.highest - score if item.reverse else score for item in instrument.items
    }


def _closed_wave(facilitator: Person, group_id: int, instrument_id: str, scores: dict[str, int], days_ago: int) -> int:
    """A wave the facilitator opened `days_ago`, answered by these members (name → scale score), then closed."""
    opened = clock.utcnow() - timedelta(days=days_ago)
    wave_id = surveys.open_wave(configured_database(), facilitator, group_id, instrument_id, "start", now=opened)
    for name, score in scores.items():
        surveys.answer(
            configured_database(), _member(name), wave_id, _answers_scoring(instrument_id, score), now=opened
        )
    surveys.close_wave(configured_database(), facilitator, wave_id, now=opened + timedelta(days=7))
    return wave_id


def _trend_values(at) -> list[float]:
    """Every y value in the trend charts, except the session markers (drawn on the lowest answer)."""
    found = []
    for figure in _figures(at):
        for trace in figure["data"]:
            if trace.get("type") == "scatter" and trace.get("name") != SESSIONS:
                found += [value for value in trace.get("y", []) if value is not None]
    return found


# --- answering -----------------------------------------------------------------------------------


def test_a_member_answers_skips_one_finds_the_answers_again_and_the_closed_wave_goes(people):
    group_id = _group_id(LEIDING)
    wave_id = _open_wave_of(group_id, "session_evaluation")
    at = _page(people.participant)
    to_answer = _text_of(_tab(at, "To answer"))
    assert "#### Session evaluation" in [as_read(text) for text in values(at.markdown)]
    assert any(caption.startswith(f"{LEIDING} · ") for caption in values(at.caption))
    assert "Nobody but you sees your answers." in to_answer
    rows = _statements(at, wave_id)
    assert list(rows) == [f"answer.{wave_id}.{item}" for item in ("use_1", "use_2", "use_3", "proc_1", "proc_2")] + [
        f"answer.{wave_id}.proc_3"
    ]
    assert rows[f"answer.{wave_id}.use_1"].label == "The session helped me with my own work."
    assert rows[f"answer.{wave_id}.use_1"].options == ["Not at all", "A little", "Moderately", "Mostly", "Completely"]
    assert all(row.value is None for row in rows.values()), "nothing is chosen for the member"
    before = _progress(at)
    assert "Answered: 0 of 6" in before and all(line.startswith("Answered: 0 of ") for line in before), before

    given = {"use_1": 4, "use_2": 5, "proc_1": 3, "proc_2": 2, "proc_3": 4}  # use_3 skipped
    for item, value in given.items():
        at.segmented_control(key=f"answer.{wave_id}.{item}").set_value(value)
    _run(at)
    after = _progress(at)
    assert "Answered: 5 of 6" in after, "the count follows the taps, before saving"
    assert sum(line.startswith("Answered: 0 of ") for line in after) == len(before) - 1, "the other survey's stays"
    assert surveys.my_answers(configured_database(), people.participant, wave_id) == {}, "a tap saves nothing"
    _save_button(at, wave_id).click()
    _run(at)
    assert SAVED in values(at.success)
    assert not at.error
    assert surveys.my_answers(configured_database(), people.participant, wave_id) == given | {"use_3": None}

    again = _page(people.participant)
    kept = {item: again.segmented_control(key=f"answer.{wave_id}.{item}").value for item in [*given, "use_3"]}
    assert kept == given | {"use_3": None}, "a new session shows the answers given, and the skipped one empty"

    surveys.close_wave(configured_database(), people.facilitator, wave_id)
    later = _page(people.participant)
    assert not any(caption.startswith(f"{LEIDING} · ") for caption in values(later.caption))
    assert not _statements(later, wave_id)
    assert any(caption.startswith("Jeugdhulp Gent · ") for caption in values(later.caption))


NO_ANSWER = "Choose at least one answer before saving; nothing was saved."
CLOSED_MEANWHILE = (
    "This survey closed while you were answering, so your answers were not saved. They stay here for you to see."
)


def test_saving_with_nothing_ticked_says_so_and_stores_nothing(people):
    group_id = _group_id(LEIDING)
    wave_id = _open_wave_of(group_id, "session_evaluation")
    before = surveys.response_rate(configured_database(), people.facilitator, wave_id).respondents
    at = _page(people.participant)

    _save_button(at, wave_id).click()
    _run(at)

    assert NO_ANSWER in values(at.error)
    assert SAVED not in values(at.success)
    assert surveys.my_answers(configured_database(), people.participant, wave_id) == {}
    assert surveys.response_rate(configured_database(), people.facilitator, wave_id).respondents == before, (
        "not counted as a response"
    )


def test_saving_into_a_survey_that_closed_meanwhile_says_so_and_keeps_the_answers(people):
    group_id = _group_id(LEIDING)
    wave_id = _open_wave_of(group_id, "session_evaluation")
    at = _page(people.participant)
    given = {"use_1": 4, "proc_2": 2}
    for item, value in given.items():
        at.segmented_control(key=f"answer.{wave_id}.{item}").set_value(value)
    surveys.close_wave(configured_database(), people.facilitator, wave_id)  # between drawing the form and saving it

    _save_button(at, wave_id).click()
    _run(at)

    assert CLOSED_MEANWHILE in values(at.warning)
    assert SAVED not in values(at.success)
    kept = {item: at.segmented_control(key=f"answer.{wave_id}.{item}").value for item in given}
    assert kept == given, "the ticked answers stay on screen"
    assert all(row.disabled for row in _statements(at, wave_id).values())
    assert surveys.my_answers(configured_database(), people.participant, wave_id) == {}

    at.button(key=f"forget_closed.{wave_id}").click()
    _run(at)
    assert not _statements(at, wave_id), "until put away"


def test_changing_an_answer_after_saving_takes_the_saved_line_away_until_saved_again(people):
    group_id = _group_id(LEIDING)
    wave_id = _open_wave_of(group_id, "session_evaluation")
    at = _page(people.participant)
    at.segmented_control(key=f"answer.{wave_id}.use_1").set_value(4)
    _save_button(at, wave_id).click()
    _run(at)
    assert SAVED in values(at.success)

    at.segmented_control(key=f"answer.{wave_id}.use_1").set_value(2)
    _run(at)
    assert SAVED not in values(at.success), "the changed answer is not saved yet"
    assert surveys.my_answers(configured_database(), people.participant, wave_id)["use_1"] == 4

    _save_button(at, wave_id).click()
    _run(at)
    assert SAVED in values(at.success)
    assert surveys.my_answers(configured_database(), people.participant, wave_id)["use_1"] == 2


def test_in_dutch_the_member_answers_with_dutch_options_and_count(people):
    group_id = _group_id(LEIDING)
    wave_id = _open_wave_of(group_id, "session_evaluation")
    at = _page(people.participant, locale="nl-NL", english=False)
    row = at.segmented_control(key=f"answer.{wave_id}.use_1")
    assert row.options == ["Helemaal niet", "Een beetje", "Redelijk", "Grotendeels", "Helemaal"]
    row.set_value(3)
    _run(at)
    assert "Beantwoord: 1 van 6" in _progress(at)


def test_with_no_open_survey_the_member_is_told_so(people):
    for wave in surveys.open_waves(configured_database(), people.participant):
        surveys.close_wave(
            configured_database(), _member("Jeroen Bakker" if wave.group_name == LEIDING else "Pieter De Smet"), wave.id
        )
    at = _page(people.participant)
    assert NOTHING_OPEN in values(at.caption)
    assert not at.segmented_control


# --- results -------------------------------------------------------------------------------------


@pytest.mark.date_sensitive
def test_results_show_a_chart_per_scale_the_distribution_the_table_and_a_csv(people):
    group_id = _group_id(LEIDING)
    at = _results(_page(people.participant), group_id, "self_efficacy")
    results = _tab(at, "Results")
    shown = _text_of(results)
    instrument = shipped_instruments().instruments["self_efficacy"]
    figures = _figures(at)
    assert len(figures) == len(instrument.scales) + 1, "a trend per scale and the distribution"
    for scale in instrument.scales:
        assert scale.name(Language.EN) in values(at.subheader)
    assert "How the group answered, latest survey" in values(at.subheader)
    assert any(value.startswith(LEAST) for value in values(at.info)), values(at.info)
    assert TABLE in [expander.label for expander in at.expander]
    assert DOWNLOAD in shown
    rows = _table(at)
    assert len(rows) == 4, "one row per closed wave (one scale)"
    assert set(rows[0]) == {"Survey", "Instrument", "Answers", "Mean", "95% interval", "Spread (SD)"}, (
        "no reliability per wave: a handful of answers says nothing about it"
    )
    trend = figures[0]
    means = next(trace for trace in trend["data"] if trace.get("name") == GROUP_MEAN)
    assert means["text"] and all(text.startswith("n=") for text in means["text"])


def test_the_least_agreement_note_has_one_full_stop(people):
    at = _results(_page(people.participant), _group_id(LEIDING), "self_efficacy")
    [note] = [value for value in values(at.info) if value.startswith(LEAST)]
    assert ".”." not in note, note


def test_the_widest_spread_is_named_as_where_answers_differ_most_in_dutch(people):
    at = _results(_page(people.participant, locale="nl-NL", english=False), _group_id(LEIDING), "self_efficacy")
    [note] = [value for value in values(at.info) if value.startswith("De antwoorden lopen het meest uiteen bij: ‘")]
    assert note.endswith("’. Goed om samen te bespreken."), note
    assert not [value for value in values(at.info) if "minst eens" in value]


def test_a_participant_reads_plain_names_of_the_surveys_in_dutch(people):
    _open_wave_of(_group_id(LEIDING), "session_evaluation")
    at = _page(people.participant, locale="nl-NL", english=False)
    headings = [as_read(text) for text in values(at.markdown) if text.startswith("#### ")]
    assert "#### Evaluatie van de bijeenkomst" in headings
    assert not [heading for heading in headings if "eigen vragenlijst" in heading or "sessie" in heading]


def _an_instrument_sofie_answered(group_id: int) -> str:
    rows = query(
        "SELECT DISTINCT w.instrument_id FROM survey_responses r JOIN survey_waves w ON w.id = r.wave_id"
        " JOIN people p ON p.id = r.person_id WHERE w.group_id = ? AND w.closed_at IS NOT NULL AND p.name = ?"
        " ORDER BY w.instrument_id",
        (group_id, "Sofie Claes"),
    )
    assert rows, "the demo has Sofie answer at least one closed wave"
    return rows[0][0]


def test_the_own_trend_is_drawn_for_the_member_only(people):
    group_id = _group_id(LEIDING)
    instrument_id = _an_instrument_sofie_answered(group_id)

    member = _results(_page(people.participant), group_id, instrument_id)
    own = [[trace for trace in figure["data"] if trace.get("name") == MY_SCORE] for figure in _figures(member)]
    assert all(len(lines) <= 1 for lines in own), "the member sees her own scores as one line per chart"
    trend = surveys.my_trend(configured_database(), people.participant, group_id, instrument_id)
    scales = surveys.group_results(
        configured_database(), people.participant, group_id, instrument_id
    ).instrument.reported_scales
    expected = [[scores[scale.id] for _, scores in trend if scores.get(scale.id) is not None] for scale in scales]
    drawn = [lines[0]["y"] for lines in own if lines]
    assert drawn and drawn == [pytest.approx(scores) for scores in expected if scores]

    for viewer in (people.facilitator, people.coordinator):
        at = _results(_page(viewer), group_id, instrument_id)
        assert at.get("plotly_chart"), "the results are drawn"
        assert MY_SCORE not in _trace_names(at), f"{viewer.name} sees an own-score line"
        assert MY_SCORE not in texts(at)


# --- reliability and new questions --------------------------------------------------------------


def _too_few(version: int, complete: int) -> str:
    return (
        f"Too few answers for a reliability estimate (version {version}): {complete} complete answers, "
        "at least 20 needed."
    )


def _complete_answers(group_id: int, instrument_id: str, version: int) -> int:
    """Complete answers to a version's items in the group's closed waves (every demo wave has enough answers)."""
    [(count,)] = query(
        "SELECT count(*) FROM survey_responses r JOIN survey_waves w ON w.id = r.wave_id"
        " WHERE w.group_id = ? AND w.instrument_id = ? AND w.instrument_version = ? AND w.closed_at IS NOT NULL"
        " AND NOT EXISTS (SELECT 1 FROM survey_answers a WHERE a.response_id = r.id AND a.value IS NULL)",
        (group_id, instrument_id, version),
    )
    return count


@pytest.mark.parametrize("role", ["facilitator", "participant"])
def test_with_fewer_than_20_answers_per_version_the_screen_says_there_are_too_few_for_reliability(people, role):
    group_id = _group_id(LEIDING)
    at = _results(_page(people.by_role(role)), group_id, "self_efficacy")
    captions = values(at.caption)
    for version in (1, 2):
        complete = _complete_answers(group_id, "self_efficacy", version)
        assert 0 < complete < 20, "the demo's five members answer two waves of each version"
        assert _too_few(version, complete) in captions, captions
    assert not any("Cronbach's alpha over" in value for value in captions), "no alpha over a handful of answers"


def test_from_twenty_pooled_answers_of_one_version_the_screen_shows_alpha(people):
    group_id = _group_id(LEIDING)
    # Four more waves of the current version, each answered by all five members with varied answers.
    for number, days_ago in enumerate((8, 6, 4, 2)):
        scores = {name: 1 + (index + number) % 5 for index, name in enumerate(LEIDING_MEMBERS)}
        _closed_wave(people.facilitator, group_id, SAFETY, scores, days_ago=days_ago)
    at = _results(_page(people.facilitator), group_id, SAFETY)
    [line] = [value for value in values(at.caption) if value.startswith("Reliability of these questions")]
    assert line.endswith("(Cronbach's alpha over 20 complete answers)."), line
    assert not any(value.startswith("Too few answers for a reliability") for value in values(at.caption))


def _trend_of(at, scale_name: str) -> dict | None:
    """The trend drawn under a scale's heading, or None when the screen draws none there."""
    figures, inside = iter(_figures(at)), False
    for element in at.main:
        if element.type == "subheader":
            if inside:
                return None
            inside = element.value == scale_name
        elif element.type == "plotly_chart":
            figure = next(figures)
            if inside:
                return figure
    return None


def _texts_under(at, scale_name: str) -> list[str]:
    """The captions between a scale's heading and the next heading."""
    said, inside = [], False
    for element in at.main:
        if element.type == "subheader":
            inside = element.value == scale_name
        elif inside and element.type == "caption":
            said.append(element.value)
    return said


def test_where_the_questionnaire_changed_only_a_line_that_ran_before_says_so(people):
    group_id = _group_id(LEIDING)
    results = surveys.group_results(configured_database(), people.facilitator, group_id, "collective_efficacy")
    [first_new] = results.new_questions
    assert first_new.instrument.version == 2
    # The demo's facts: the whole scale runs from version 1, the group-competence facet exists only from
    # version 2, and no wave had enough answers on the task-analysis facet.
    assert any(at < first_new.opened_at for at, _ in results.points("collective_efficacy"))
    assert results.points("ce_group_competence")
    assert all(at >= first_new.opened_at for at, _ in results.points("ce_group_competence"))
    assert results.points("ce_task_analysis") == []
    at = _results(_page(people.participant), group_id, "collective_efficacy")
    day = f"{first_new.opened_at.day} {first_new.opened_at:%B} {first_new.opened_at.year}"
    said = f"From {day} this questionnaire has new questions (version 2; the dotted line)."

    def dotted(figure: dict) -> list[dict]:
        return [shape for shape in figure["layout"].get("shapes", []) if shape.get("line", {}).get("dash") == "dot"]

    whole = _trend_of(at, "Confidence in what we can do together")
    [line] = dotted(whole)
    assert line["x0"].startswith(first_new.opened_at.date().isoformat())
    assert "new questions from here" in [note["text"] for note in whole["layout"].get("annotations", [])]
    assert any(text.startswith(said) for text in _texts_under(at, "Confidence in what we can do together"))

    competence = _trend_of(at, "What this group can do")
    assert competence is not None and not dotted(competence), "a line that starts with version 2 has no change"
    assert not competence["layout"].get("annotations")
    assert not any(text.startswith(said) for text in _texts_under(at, "What this group can do"))

    assert _trend_of(at, "What our cases ask of the group") is None, "no empty axes"
    assert _trend_not_shown(3) in _texts_under(at, "What our cases ask of the group")


def test_the_distribution_writes_each_statement_whole_above_its_bar_and_keeps_the_legend_off_the_bars(people):
    group_id = _group_id(LEIDING)
    at = _results(_page(people.participant), group_id, "collective_efficacy")
    [figure] = [figure for figure in _figures(at) if figure["data"][0].get("orientation") == "h"]
    instrument = shipped_instruments().instruments["collective_efficacy"]
    statements = [note["text"] for note in figure["layout"]["annotations"]]
    assert sorted(text.removeprefix("◆ ").replace("<br>", " ") for text in statements) == sorted(
        item.text(Language.EN) for item in instrument.items
    ), "every statement whole, none cut"
    assert all(len(line) <= 40 for text in statements for line in text.removeprefix("◆ ").split("<br>")), (
        "lines short enough for a phone"
    )
    assert figure["layout"]["yaxis"]["showticklabels"] is False, "no statements beside the bars eating the width"
    bars = figure["data"][0]["y"]
    width = figure["data"][0]["width"][0]
    for note, bar in zip(figure["layout"]["annotations"], bars, strict=True):
        lines = note["text"].count("<br>") + 1
        assert note["y"] + 20 * lines <= bar - width / 2, "the statement ends above its own bar"
    legend = figure["layout"]["legend"]
    assert legend["y"] >= 1 and legend["yanchor"] == "bottom", "the legend above the plot, never on a bar"


# --- privacy on screen ---------------------------------------------------------------------------


@pytest.fixture
def safety_waves(people):
    """psychological_safety in Leidinggevenden Zorg: a closed wave two members answered, then a closed wave
    three answered, then an open wave four answered. Each member's scale score is distinct."""
    group_id = _group_id(LEIDING)
    few = {"Sofie Claes": 2, "Hans Kuipers": 5}
    enough = {"Sofie Claes": 1, "Ingrid Smit": 4, "Mohamed Bouzid": 5}
    _closed_wave(people.facilitator, group_id, SAFETY, few, days_ago=60)
    _closed_wave(people.facilitator, group_id, SAFETY, enough, days_ago=30)
    open_id = surveys.open_wave(configured_database(), people.facilitator, group_id, SAFETY, "after_session")
    for name in LEIDING_MEMBERS[1:]:
        surveys.answer(configured_database(), _member(name), open_id, _answers_scoring(SAFETY, 3))
    return group_id, few, enough


@pytest.mark.parametrize("role", ["facilitator", "coordinator", "participant"])
def test_a_wave_with_too_few_answers_is_not_shown_and_one_with_enough_is(people, safety_waves, role):
    group_id, few, enough = safety_waves
    at = _results(_page(people.by_role(role)), group_id, SAFETY)
    rows = _table(at)
    assert len(rows) == 2, "the two closed waves; the open wave is not in the results"
    hidden, shown = rows
    assert hidden["Mean"] == _not_shown(3)
    assert hidden["Answers"] == "< 3"
    assert hidden["95% interval"] == hidden["Spread (SD)"] == ""
    assert shown["Answers"] in (3, "3")
    assert float(shown["Mean"]) == pytest.approx(round(sum(enough.values()) / 3, 2))
    assert _hidden_caption(1, 3) in values(at.caption)

    means = [trace for figure in _figures(at) for trace in figure["data"] if trace.get("name") == GROUP_MEAN]
    assert len(means) == 1 and means[0]["text"] == ["n=3"], "the line has the one wave with enough answers"
    drawn = _trend_values(at)
    individual = [*few.values(), *enough.values(), sum(few.values()) / 2] if role != "participant" else []
    for value in individual:
        assert all(y != pytest.approx(value) for y in drawn), f"{value} (one person's score) is drawn"


@pytest.mark.parametrize("role", ["facilitator", "coordinator"])
def test_leaders_never_see_an_individual_answer(people, safety_waves, role):
    group_id, few, enough = safety_waves
    viewer = people.by_role(role)
    at = _results(_page(viewer), group_id, SAFETY)
    screen = texts(at)
    for name in LEIDING_MEMBERS:
        assert name not in screen, f"{name} is named on the results of {viewer.name}"
    assert MY_SCORE not in _trace_names(at)
    assert _trace_names(at) - {None} <= {"95% confidence band", GROUP_MEAN, SESSIONS} | {
        option.label(Language.EN)
        for option in shipped_instruments().instruments[SAFETY].options  # the distribution
    }, _trace_names(at)
    assert not at.segmented_control, "no answer form of anybody else"

    if role == "facilitator":
        waves_tab = _text_of(_tab(at, "Waves"))
        assert "2 of 5 members answered" in waves_tab
        assert "3 of 5 members answered" in waves_tab
        assert "4 of 5 members answered" in waves_tab, "the open wave says how many, never who"
        for name in LEIDING_MEMBERS:
            assert name not in waves_tab


def test_the_results_table_converts_cleanly(people, safety_waves, caplog):
    group_id, _, _ = safety_waves
    with caplog.at_level(logging.INFO, logger="streamlit.dataframe_util"):
        _results(_page(people.facilitator), group_id, SAFETY)
    assert "Serialization of dataframe to Arrow table was unsuccessful" not in caplog.text


def test_an_open_wave_is_not_in_the_results(people):
    group_id = _group_id(LEIDING)
    wave_id = surveys.open_wave(configured_database(), people.facilitator, group_id, SAFETY, "start")
    for name in LEIDING_MEMBERS:
        surveys.answer(configured_database(), _member(name), wave_id, _answers_scoring(SAFETY, 4))
    for viewer in (people.facilitator, people.coordinator, people.participant):
        at = _results(_page(viewer), group_id, SAFETY)
        assert NO_RESULTS in values(at.info)
        assert not at.get("plotly_chart") and not at.dataframe


# --- opening and closing a wave ------------------------------------------------------------------


def _home_waiting(person: Person) -> list[str]:
    at = _page(person, HOME)
    return [line for line in texts(at).splitlines() if "a survey is waiting" in line]


def test_the_facilitator_opens_and_closes_a_wave_and_the_member_is_told_while_it_is_open(people):
    group_id = _group_id(LEIDING)
    demo_wave = _open_wave_of(group_id, "session_evaluation")
    assert any(WAITING in line for line in _home_waiting(people.participant))

    at = _page(people.facilitator)
    waves_tab = _text_of(_tab(at, "Waves"))
    assert "0 of 5 members answered" in waves_tab
    at.button(key=f"close_wave.{demo_wave}").click()
    _run(at)
    assert CLOSED in values(at.success)
    assert not [button for button in at.button if button.key == f"close_wave.{demo_wave}"]
    assert not any(WAITING in line for line in _home_waiting(people.participant)), "no open survey in the group"

    at.selectbox(key="open_wave.instrument_id").set_value(SAFETY)
    at.selectbox(key="open_wave.moment").set_value("start")
    [opener] = [button for button in at.button if getattr(button, "form_id", None) == "open_wave"]
    opener.click()
    _run(at)
    assert OPENED in values(at.success)
    new_wave = _open_wave_of(group_id, SAFETY)
    line = _text_of(_tab(at, "Waves"))
    assert "Psychological safety" in line or "safety" in line.lower()
    assert "0 of 5 members answered" in line
    assert [button.key for button in at.button if (button.key or "").startswith("close_wave.")] == [
        f"close_wave.{new_wave}"
    ]

    assert any(WAITING in line for line in _home_waiting(people.participant)), "the member is told on her home page"
    surveys.answer(configured_database(), people.participant, new_wave, _answers_scoring(SAFETY, 4))
    assert not any(WAITING in line for line in _home_waiting(people.participant)), "answered: nothing waits"

    at = _page(people.facilitator)
    assert "1 of 5 members answered" in _text_of(_tab(at, "Waves"))
    at.button(key=f"close_wave.{new_wave}").click()
    _run(at)
    assert CLOSED in values(at.success)
    assert query("SELECT closed_at IS NOT NULL FROM survey_waves WHERE id = ?", (new_wave,)) == [(1,)]
    assert not [button for button in at.button if (button.key or "").startswith("close_wave.")]


# --- instruments and the threshold (coordinator) -------------------------------------------------

LICENSED = """\
id = "licensed_climate"
version = 1
own = false
citations = ["Doe, J. (2020). The Team Climate Scale. Journal of Tests, 1(2), 3-4. Used under licence."]
reverse_scored = ["tc_2"]

[name]
nl = "Teamklimaat (gelicentieerd)"
en = "Team climate (licensed)"

[description]
nl = "Een gepubliceerde schaal."
en = "A published scale."

[[options]]
value = 1
label = { nl = "Oneens", en = "Disagree" }

[[options]]
value = 2
label = { nl = "Neutraal", en = "Neutral" }

[[options]]
value = 3
label = { nl = "Eens", en = "Agree" }

[[scales]]
id = "climate"
name = { nl = "Klimaat", en = "Climate" }
description = { nl = "Het gemiddelde.", en = "The mean." }

[[items]]
id = "tc_1"
scale = "climate"
text = { nl = "We helpen elkaar.", en = "We help each other." }

[[items]]
id = "tc_2"
scale = "climate"
text = { nl = "Ik sta er alleen voor.", en = "I am on my own." }
reverse = true
"""

BROKEN = LICENSED.replace('id = "licensed_climate"', 'id = "broken_climate"').replace(
    'reverse_scored = ["tc_2"]', 'reverse_scored = ["tc_2", "tc_9"]'
)


def _upload(at, name: str, text: str):
    at.file_uploader(key="instrument_file").set_value((name, text.encode(), "application/toml"))
    return _run(at)


def test_a_coordinator_loads_a_licensed_instrument(people):
    at = _page(people.coordinator)
    _tab(at, "Instruments")
    _upload(at, "climate.toml", LICENSED)
    assert LOADED in values(at.success)
    listed = [line.replace("\\", "") for line in values(at.markdown)]
    assert "**Team climate (licensed)** · Published instrument · 2 statements · version 1" in listed, listed
    assert "Doe, J. (2020). The Team Climate Scale." in "\n".join(values(at.caption)).replace("\\", "")
    assert query("SELECT id FROM loaded_instruments") == [("licensed_climate",)]
    assert "licensed_climate" in at.selectbox(key="results_instrument").options or any(
        option == "Team climate (licensed)" for option in at.selectbox(key="results_instrument").options
    )


def test_a_broken_instrument_is_refused_with_the_file_and_the_problem(people):
    at = _page(people.coordinator)
    _upload(at, "broken.toml", BROKEN)
    errors = values(at.error)
    assert len(errors) == 1, errors
    assert errors[0].startswith(REFUSED)
    assert "broken.toml" in errors[0]
    assert "tc\\_9" in errors[0] or "tc_9" in errors[0]
    assert "does not exist" in errors[0]
    assert LOADED not in values(at.success)
    assert query("SELECT id FROM loaded_instruments") == []
    assert not [line for line in values(at.markdown) if "climate" in line]


def test_the_refusal_goes_when_the_file_is_removed(people):
    at = _page(people.coordinator)
    _upload(at, "broken.toml", BROKEN)
    assert values(at.error)
    at.file_uploader(key="instrument_file").set_value(None)
    _run(at)
    assert not [error for error in values(at.error) if error.startswith(REFUSED)]


FORGED_NAME = "**bold** :red[x]"
FORGED = (
    LICENSED.replace('id = "licensed_climate"', 'id = "forged_climate"')
    .replace('en = "Team climate (licensed)"', f'en = "{FORGED_NAME}"')
    .replace('name = { nl = "Klimaat", en = "Climate" }', 'name = { nl = "@SUM(A1)", en = "@SUM(A1)" }')
    .replace('description = { nl = "Het gemiddelde.", en = "The mean." }', 'description = { nl = "# x", en = "# x" }')
    .replace('text = { nl = "We helpen elkaar.", en = "We help each other." }', 'text = { nl = "_a_", en = "_a_" }')
)


def _markdown_everywhere(at) -> list[str]:
    """Every Markdown source on the screen: texts, headings, captions, alerts and widget labels."""
    found = [*values(at.markdown), *values(at.caption), *values(at.subheader), *values(at.header)]
    found += [*values(at.info), *values(at.warning), *values(at.error), *values(at.success)]
    rows = at.segmented_control
    return found + [row.label for row in rows] + [option for row in rows for option in row.options]


def test_a_loaded_instruments_names_show_as_typed_and_never_start_a_formula_in_the_csv(people, offered):
    surveys.load_instrument(configured_database(), people.coordinator, FORGED, "forged.toml")
    group_id = _group_id(LEIDING)
    wave_id = surveys.open_wave(configured_database(), people.facilitator, group_id, "forged_climate", "start")

    answering = _page(people.participant)
    shown = _markdown_everywhere(answering)
    assert "#### " + escape_markdown(FORGED_NAME) in shown
    assert escape_markdown("_a_") in shown, "an item's text is a widget label, and labels are Markdown"
    assert not [text for text in shown if FORGED_NAME in text or "_a_" in text.replace("\\_", "")]

    managing = _page(people.facilitator)
    assert any(escape_markdown(FORGED_NAME) in text for text in values(managing.markdown))
    assert not [text for text in values(managing.markdown) if FORGED_NAME in text]
    assert not [text for text in values(_page(people.coordinator).markdown) if FORGED_NAME in text]

    for name in LEIDING_MEMBERS[1:4]:
        surveys.answer(configured_database(), _member(name), wave_id, {"tc_1": 3, "tc_2": 1})
    surveys.close_wave(configured_database(), people.facilitator, wave_id)
    at = _results(_page(people.participant), group_id, "forged_climate")
    assert escape_markdown("@SUM(A1)") in values(at.subheader) and escape_markdown("# x") in values(at.caption)
    [download] = [button for button in at.download_button if button.label == DOWNLOAD]
    data = offered.of(download).decode("utf-8")
    assert data.startswith("\ufeffSurvey,Instrument,Answers,Mean,"), "English: commas"
    rows = list(csv.reader(io.StringIO(data[1:], newline=""), delimiter=","))
    [row] = rows[1:]
    assert row[1] == "'@SUM(A1)", "a scale's name from a loaded file is text, never a formula"
    assert row[2:4] == ["3", "3"], "the count and the mean stay numbers"


def _set_threshold(at, value: int):
    at.number_input(key="threshold.value").set_value(value)
    [save] = [button for button in at.button if getattr(button, "form_id", None) == "threshold"]
    save.click()
    return _run(at)


def test_the_threshold_refuses_2_accepts_5_and_then_hides_a_wave_of_4(people):
    group_id = _group_id(LEIDING)
    four = dict(zip(LEIDING_MEMBERS[1:], (2, 3, 4, 5), strict=True))
    _closed_wave(people.facilitator, group_id, SAFETY, four, days_ago=10)

    at = _page(people.coordinator)
    rows = _table(_results(at, group_id, SAFETY))
    assert rows[0]["Answers"] in (4, "4"), "with the threshold at 3 a wave of four is shown"

    _set_threshold(at, 2)
    assert THRESHOLD_TOO_LOW in values(at.error)
    assert THRESHOLD_SAVED not in values(at.success)
    assert surveys.threshold(configured_database()) == 3

    _set_threshold(at, 5)
    assert THRESHOLD_SAVED in values(at.success)
    assert not at.error
    assert surveys.threshold(configured_database()) == 5

    for viewer in (people.coordinator, people.facilitator, people.participant):
        rows = _table(_results(_page(viewer), group_id, SAFETY))
        assert rows == [rows[0]] and rows[0]["Mean"] == _not_shown(5) and rows[0]["Answers"] == "< 5"
        shown = _page(viewer)
        shown = _results(shown, group_id, SAFETY)
        if viewer is people.participant:  # their own scores still make a chart, beside no group line
            assert _hidden_caption(1, 5) in values(shown.caption)
        else:
            assert _trend_not_shown(5) in values(shown.caption), "no empty axes where every wave is hidden"
        assert "Fewer than 5 answers per statement in the latest survey: not shown." in values(shown.caption)
        assert GROUP_MEAN not in _trace_names(shown)


# --- Dutch ---------------------------------------------------------------------------------------


def test_in_dutch_the_figures_and_their_csv_have_decimal_commas_and_dutch_dates(people, offered):
    at = _results(_page(people.participant, locale="nl-NL", english=False), _group_id(LEIDING), "self_efficacy")

    means = [row["Gemiddelde"] for row in _table(at) if row["Gemiddelde"][:1].isdigit()]
    assert means and all(re.fullmatch(r"\d,\d\d", mean) for mean in means), means
    [download] = [button for button in at.download_button if button.label == "Download als CSV"]
    data = offered.of(download).decode("utf-8")
    assert data.startswith("\ufeffAfname;Vragenlijst;Antwoorden;Gemiddelde;"), "Dutch: semicolons"
    rows = list(csv.reader(io.StringIO(data[1:], newline=""), delimiter=";"))[1:]
    assert rows and all(re.fullmatch(r"\d\d-\d\d-\d{4}", row[0]) for row in rows), "a date Dutch Excel reads"
    written = [row[3] for row in rows if row[3][:1].isdigit()]
    assert written and all(re.fullmatch(r"\d(,\d{1,2})?", mean) for mean in written), written


def test_in_dutch_the_tabs_and_results_read_dutch(people):
    at = _page(people.participant, locale="nl-NL", english=False)
    labels = [tab.label for tab in at.tabs]
    assert labels[:2] == ["In te vullen", "Resultaten"], labels
    _results(at, _group_id(LEIDING), "self_efficacy")
    assert "Vertrouwen in wat ik kan" in values(at.subheader)
    assert any("heeft deze vragenlijst nieuwe vragen (versie 2; de stippellijn)" in v for v in values(at.caption))
    marker = [note["text"] for figure in _figures(at) for note in figure["layout"].get("annotations", [])]
    assert NEW_QUESTIONS_NL in marker
    assert any(
        value.startswith("Te weinig antwoorden om de betrouwbaarheid te schatten") for value in values(at.caption)
    )

    leader = _page(people.facilitator, locale="nl-NL", english=False)
    assert [tab.label for tab in leader.tabs][:2] == ["In te vullen", "Resultaten"]
    coordinator = _page(people.coordinator, locale="nl-NL", english=False)
    assert len(coordinator.tabs) == 4


def test_participants_read_plain_names_and_leaders_find_the_technical_name_in_the_waves_tab(people):
    group_id = _group_id(LEIDING)
    member = _page(people.participant)
    plain = {
        "self_efficacy": "Confidence in what I can do",
        "collective_efficacy": "Confidence in what we can do together",
        "psychological_safety": None,  # no survey of it in the demo yet: only its name in the list
    }
    for instrument_id, subheader in plain.items():
        _results(member, group_id, instrument_id)
        if subheader:
            assert subheader in values(member.subheader)
        shown = [*values(member.subheader), *values(member.caption), *values(member.markdown), *values(member.info)]
        shown += [row.label for row in member.segmented_control]
        shown += list(member.selectbox(key="results_instrument").options)
        shown += [trace.get("name") or "" for figure in _figures(member) for trace in figure["data"]]
        shown += [note["text"] for figure in _figures(member) for note in figure["layout"].get("annotations", [])]
        assert not [text for text in shown if "efficacy" in text.lower() or "psycholog" in text.lower()], shown

    leader = _page(people.facilitator)
    [about] = [expander for expander in leader.expander if expander.label == "What the questionnaires measure"]
    explained = _text_of(about)
    for name in ("collective efficacy", "Goddard", "team psychological safety", "Edmondson", "self-efficacy"):
        assert name in explained, name
