"""The observation log as data, and the measure of a group learning to run itself.

Categories per level come from data/observation_categories.toml (helpful and hindering, Dutch and English). In
a session the facilitator presses "I stepped in" or "the group corrected itself" per level; the balance of the
two, per session and over sessions, is what a facilitator follows and a coordinator sees as counts.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from unit_support import NOW

from intervision import db, live, observation_log, store
from intervision.charts import session_time_axis
from intervision.errors import Conflict, DomainError, NotAllowed
from intervision.methods import Level
from intervision.models import (
    GroupRole,
    Language,
    ObservationDetailsInput,
    ObservationKind,
    Person,
    Role,
    StartSessionInput,
)
from intervision.observation_log import (
    CATEGORIES_FILE,
    Balance,
    CategoryFileError,
    Effect,
    balance_of,
    parse_categories,
    share_trend,
)
from intervision.reports import session_report_markdown, session_report_pdf

INFORMATION = 2  # the incident method's information round


def at(minutes: float):
    return NOW + timedelta(minutes=minutes)


# --- the categories file --------------------------------------------------------------------------------


def test_the_shipped_categories_load_with_both_languages_and_a_mark_each():
    shipped = observation_log.categories()
    assert len(shipped.entries) >= 24
    for category in shipped.entries:
        assert category.name(Language.NL).strip() and category.name(Language.EN).strip()
        assert category.name(Language.NL) != category.name(Language.EN), category.id
        assert category.effect in set(Effect)


@pytest.mark.parametrize("level", [level.value for level in Level])
def test_each_level_offers_helpful_and_hindering_categories(level):
    shipped = observation_log.categories()
    helpful, hindering = shipped.offered(level, Effect.HELPFUL), shipped.offered(level, Effect.HINDERING)
    signals = shipped.offered(level, Effect.SIGNAL)
    assert helpful and hindering
    assert {c.id for c in shipped.offered(level)} == {c.id for c in helpful + hindering + signals}


def test_the_facilitators_own_signal_is_information_not_a_breach():
    """Seed 004: what the facilitator feels in their body tells them about the group; it is no fault of it."""
    shipped = observation_log.categories()
    signal = shipped.find("feelings", "facilitator_signal")
    assert signal is not None and signal.effect is Effect.SIGNAL
    assert signal not in shipped.offered("feelings", Effect.HINDERING)


def test_the_facilitators_own_signal_and_the_expert_categories_are_offered():
    shipped = observation_log.categories()
    offered = {(c.level.value, c.id) for level in Level for c in shipped.offered(level.value)}
    assert {
        ("content", "core_named"),
        ("content", "concrete_example_asked"),
        ("procedure", "own_rules_kept"),
        ("procedure", "advice_in_question_round"),
        ("interaction", "open_question"),
        ("interaction", "talking_about_others"),
        ("interaction", "bringer_defending"),
        ("feelings", "feeling_said"),
        ("feelings", "facilitator_signal"),
    } <= offered


# Every key that the hard-coded list of earlier versions offered: observations stored with them stay readable.
EARLIER_KEYS = {
    "content": ("theme_unclear", "different_aspects", "knowledge_unused", "summary_needed"),
    "procedure": ("advice_in_question_round", "time_overrun", "phase_rule_broken", "goal_unclear"),
    "interaction": ("member_dropping_out", "interrupting", "feedback_rules", "unequal_turns"),
    "feelings": ("tension_named", "irritation", "relief", "feelings_unspoken"),
}


def test_every_earlier_category_key_is_still_in_the_file():
    shipped = observation_log.categories()
    for level, keys in EARLIER_KEYS.items():
        for key in keys:
            found = shipped.find(level, key)
            assert found is not None, (level, key)
            assert shipped.label(level, key, Language.NL) == found.name.nl
    retired = [c.id for c in shipped.entries if not c.offered]
    assert set(retired) == {"knowledge_unused", "summary_needed", "feedback_rules", "relief", "irritation"}


def test_a_key_the_file_does_not_know_is_shown_as_stored_never_an_error():
    assert observation_log.categories().label("content", "gone_since", Language.EN) == "gone_since"


def _shipped_text() -> str:
    return CATEGORIES_FILE.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda text: text.replace('effect = "helpful"', 'effect = "useful"', 1), "category 1 (core_named) › effect"),
        (
            lambda text: text.replace(
                'name = { nl = "De kern wordt benoemd", en = "The core is named" }', 'name = { nl = "De kern" }'
            ),
            "category 1 (core_named) › name › en",
        ),
        (lambda text: text.replace('level = "content"', 'level = "weather"', 1), "category 1 (core_named) › level"),
        (lambda text: text + "\n[[categories]\n", "not valid TOML"),
        (
            lambda text: text.replace('id = "own_rules_kept"', 'id = "own_rules_kept"\noffered = false'),
            "procedure offers no helpful category",
        ),
        (
            lambda text: text.replace('id = "summarising"', 'id = "core_named"'),
            "core_named is listed twice on content",
        ),
    ],
)
def test_a_broken_file_is_refused_naming_the_file_and_the_entry(change, expected):
    with pytest.raises(CategoryFileError) as refused:
        parse_categories(change(_shipped_text()), "observation_categories.toml")
    message = str(refused.value)
    assert message.startswith("observation_categories.toml: ")
    assert expected in message, message


def test_a_file_on_disk_is_read_again_when_it_changes(tmp_path: Path):
    file = tmp_path / "observation_categories.toml"
    file.write_text(_shipped_text(), encoding="utf-8")
    assert observation_log.categories(file).find("content", "core_named") is not None
    file.write_text(_shipped_text().replace("De kern wordt benoemd", "De kern is benoemd"), encoding="utf-8")
    os.utime(file, (1, 2_000_000_000))  # a later modification time, however fast the test runs
    assert observation_log.categories(file).label("content", "core_named", Language.NL) == "De kern is benoemd"


# --- the balance (pure) -----------------------------------------------------------------------------------


def test_the_balance_counts_interventions_and_self_corrections_per_level_and_ignores_observations():
    balance = balance_of(
        [
            ("procedure", "intervention", 2),
            ("procedure", "observation", 5),  # a procedure observation is no intervention
            ("procedure", "self_correction", 1),
            ("feelings", "self_correction", 3),
        ]
    )
    assert balance.interventions == {"content": 0, "procedure": 2, "interaction": 0, "feelings": 0}
    assert balance.self_corrections == {"content": 0, "procedure": 1, "interaction": 0, "feelings": 3}
    assert balance.self_share == pytest.approx(4 / 6)
    assert balance.level_share("procedure") == pytest.approx(1 / 3)
    assert balance.level_share("content") is None
    assert Balance().self_share is None


def test_the_trend_follows_the_groups_share_and_needs_three_sessions_with_corrections():
    def session(stepped_in: int, corrected: int) -> Balance:
        return balance_of([("procedure", "intervention", stepped_in), ("procedure", "self_correction", corrected)])

    growing = [session(4, 0), session(3, 1), Balance(), session(1, 3)]
    assert share_trend(growing[:3]) is None
    assert share_trend(growing) == pytest.approx(0.25)  # shares 0, .25, .75 at sessions 0, 1, 3
    assert share_trend([session(0, 2), session(1, 1), session(2, 0)]) == pytest.approx(-0.5)
    assert observation_log.trend_direction(0.2) == "rising"
    assert observation_log.trend_direction(-0.2) == "falling"
    assert observation_log.trend_direction(0.005) == "steady"


# --- pressing in a session --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Team:
    path: Path
    coordinator: Person
    lead: Person
    anna: Person
    outsider: Person
    group_id: int


@pytest.fixture
def team(path, coordinator, make_person, make_group) -> Team:
    lead = make_person("Fenna Facilitator", Role.FACILITATOR)
    anna, ben = make_person("Anna Member"), make_person("Ben Member")
    outsider = make_person("Olga Outsider", Role.FACILITATOR)
    group_id = make_group("Team North", facilitators=(lead,), members=(anna, ben))
    return Team(path, coordinator, lead, anna, outsider, group_id)


def _revision(team: Team, session_id: int) -> int:
    with db.reading(team.path) as conn:
        return store.live_session(conn, session_id).revision


def _start(team: Team, now=NOW) -> int:
    form = StartSessionInput(group_id=team.group_id, method_id="incident", spot_case_title="Een ouder die mailt")
    return live.start_session(team.path, team.lead, form, now=now)


def _to_information_round(team: Team, session_id: int, start=NOW) -> None:
    live.begin_phases(team.path, team.lead, session_id, _revision(team, session_id), now=start)
    for minute in (10, 15):
        live.move(
            team.path, team.lead, session_id, _revision(team, session_id), 1, now=start + timedelta(minutes=minute)
        )


def _close(team: Team, session_id: int, now) -> None:
    live.close_session(team.path, team.lead, session_id, _revision(team, session_id), now=now)


def test_a_press_is_stored_at_once_with_its_kind_level_phase_and_moment(team):
    session_id = _start(team)
    _to_information_round(team, session_id)

    stepped_in = live.observe(
        team.path, team.lead, session_id, "procedure", now=at(17), kind=ObservationKind.INTERVENTION
    )
    corrected = live.observe(
        team.path, team.lead, session_id, "interaction", now=at(18), kind=ObservationKind.SELF_CORRECTION
    )
    noticed = live.observe(team.path, team.lead, session_id, "procedure", now=at(19))

    logged = live.observations(team.path, team.lead, session_id)
    assert [(o.id, o.kind, o.level, o.phase_index, o.at, o.automatic) for o in logged] == [
        (stepped_in, ObservationKind.INTERVENTION, "procedure", INFORMATION, at(17), False),
        (corrected, ObservationKind.SELF_CORRECTION, "interaction", INFORMATION, at(18), False),
        (noticed, ObservationKind.OBSERVATION, "procedure", INFORMATION, at(19), False),
    ]
    balance = live.session_balance(team.path, team.lead, session_id)
    assert (balance.total_interventions, balance.total_self_corrections) == (1, 1)


def test_only_the_sessions_facilitator_presses_or_reads_the_balance(team):
    session_id = _start(team)
    _to_information_round(team, session_id)
    pressed = live.observe(team.path, team.lead, session_id, "content", kind=ObservationKind.INTERVENTION)

    for person in (team.anna, team.coordinator, team.outsider):
        for kind in (ObservationKind.INTERVENTION, ObservationKind.SELF_CORRECTION):
            with pytest.raises(NotAllowed):
                live.observe(team.path, person, session_id, "content", kind=kind)
        with pytest.raises(NotAllowed):
            live.take_back(team.path, person, session_id, pressed)
        with pytest.raises(NotAllowed):
            live.session_balance(team.path, person, session_id)
        with pytest.raises(NotAllowed):
            live.group_balance(team.path, person, team.group_id)
    assert [o.id for o in live.observations(team.path, team.lead, session_id)] == [pressed]


def test_an_unknown_level_or_kind_is_refused(team):
    session_id = _start(team)
    with pytest.raises(DomainError):
        live.observe(team.path, team.lead, session_id, "weather", kind=ObservationKind.INTERVENTION)
    with pytest.raises(ValueError):
        live.observe(team.path, team.lead, session_id, "content", kind="applause")  # type: ignore[arg-type]
    with db.writing(team.path) as conn, pytest.raises(Conflict):
        conn.execute(
            "INSERT INTO observations (live_session_id, phase_index, level, kind, at) VALUES (?, 0, 'content', 'x', ?)",
            [session_id, NOW.isoformat()],
        )


def test_the_last_press_can_be_taken_back_but_not_what_the_timer_logged(team):
    session_id = _start(team)
    live.begin_phases(team.path, team.lead, session_id, _revision(team, session_id), now=at(0))
    live.move(team.path, team.lead, session_id, _revision(team, session_id), 1, now=at(12))  # 2 min over
    mistake = live.observe(team.path, team.lead, session_id, "feelings", kind=ObservationKind.SELF_CORRECTION)

    live.take_back(team.path, team.lead, session_id, mistake)
    logged = live.observations(team.path, team.lead, session_id)
    assert [(o.kind, o.category, o.automatic) for o in logged] == [(ObservationKind.OBSERVATION, "time_overrun", True)]
    with pytest.raises(DomainError, match="observation_not_found"):
        live.take_back(team.path, team.lead, session_id, mistake)
    with pytest.raises(DomainError, match="observation_not_found"):
        live.take_back(team.path, team.lead, session_id, logged[0].id)


def test_details_take_an_offered_category_and_refuse_a_retired_one(team):
    session_id = _start(team)
    pressed = live.observe(team.path, team.lead, session_id, "interaction", kind=ObservationKind.INTERVENTION)
    live.describe_observation(
        team.path, team.lead, session_id, pressed, ObservationDetailsInput(category="jumping_to_solutions")
    )
    for category in ("feedback_rules", "core_named"):  # retired; another level's
        with pytest.raises(DomainError, match="invalid_category"):
            live.describe_observation(
                team.path, team.lead, session_id, pressed, ObservationDetailsInput(category=category)
            )
    assert live.observations(team.path, team.lead, session_id)[0].category == "jumping_to_solutions"


def test_an_observation_stored_with_an_earlier_key_still_renders_in_the_report(team):
    session_id = _start(team)
    with db.writing(team.path) as conn:
        for level, keys in EARLIER_KEYS.items():
            for key in keys:
                store.add_observation(conn, session_id, 0, level, at(5), category=key)
    _close(team, session_id, at(60))

    for language in Language:
        report = live.session_report(team.path, team.lead, session_id, language, include_observations=True)
        categories = [category for *_, category, _ in report.observations]
        assert "Needed a summary" in categories or "Samenvatting nodig" in categories
        assert all(category and "_" not in category for category in categories), categories
        markdown = session_report_markdown(report, language)
        assert "⟦" not in markdown and "feedback_rules" not in markdown


# --- the balance for the facilitator ---------------------------------------------------------------------


def _session_with(team: Team, day: int, stepped_in: dict[str, int], corrected: dict[str, int]) -> int:
    start = NOW + timedelta(weeks=day)
    session_id = _start(team, now=start)
    for kind, counts in ((ObservationKind.INTERVENTION, stepped_in), (ObservationKind.SELF_CORRECTION, corrected)):
        for level, count in counts.items():
            for _ in range(count):
                live.observe(team.path, team.lead, session_id, level, now=start, kind=kind)
    _close(team, session_id, start + timedelta(minutes=90))
    return session_id


def test_the_report_holds_the_balance_per_level_in_counts_and_never_notes(team):
    session_id = _start(team)
    stepped_in = live.observe(team.path, team.lead, session_id, "procedure", kind=ObservationKind.INTERVENTION)
    live.describe_observation(
        team.path, team.lead, session_id, stepped_in, ObservationDetailsInput(note="Ben gaf al advies")
    )
    for level in ("procedure", "interaction", "interaction"):
        live.observe(team.path, team.lead, session_id, level, kind=ObservationKind.SELF_CORRECTION)
    live.observe(team.path, team.lead, session_id, "procedure")  # noticed only
    _close(team, session_id, at(60))

    report = live.session_report(team.path, team.lead, session_id, Language.EN)
    markdown = session_report_markdown(report, Language.EN)
    assert report.balance.interventions["procedure"] == 1
    assert report.balance.self_corrections == {"content": 0, "procedure": 1, "interaction": 2, "feelings": 0}
    assert "## Who corrected the course" in markdown
    assert "| Procedure | 1 | 1 |" in markdown and "| Interaction | 0 | 2 |" in markdown
    assert "The group made 75% of the corrections itself." in markdown
    assert "Ben gaf al advies" not in markdown
    dutch = session_report_markdown(live.session_report(team.path, team.lead, session_id, Language.NL), Language.NL)
    assert "De groep stuurde 75% van de keren zelf bij." in dutch
    assert session_report_pdf(report, Language.EN).startswith(b"%PDF")


def test_a_report_without_corrections_says_so(team):
    session_id = _start(team)
    live.observe(team.path, team.lead, session_id, "procedure")
    _close(team, session_id, at(60))
    markdown = session_report_markdown(live.session_report(team.path, team.lead, session_id, Language.EN), Language.EN)
    assert "## Who corrected the course\n\nNo interventions or self-corrections were noted." in markdown


def test_over_the_groups_sessions_the_facilitator_sees_the_share_rise(team):
    _session_with(team, 0, {"procedure": 3, "interaction": 1}, {})
    _session_with(team, 4, {"procedure": 2}, {"procedure": 1})
    _session_with(team, 8, {"feelings": 1}, {"procedure": 2, "interaction": 1})
    _session_with(team, 12, {}, {"procedure": 2})
    open_one = _start(team, now=NOW + timedelta(weeks=16))  # still running: not yet in the history
    live.observe(team.path, team.lead, open_one, "procedure", kind=ObservationKind.INTERVENTION)

    sessions = live.group_balance(team.path, team.lead, team.group_id)

    assert [(s.balance.total_interventions, s.balance.total_self_corrections) for s in sessions] == [
        (4, 0),
        (2, 1),
        (1, 3),
        (0, 2),
    ]
    assert [s.started_at for s in sessions] == sorted(s.started_at for s in sessions)
    trend = share_trend([s.balance for s in sessions])
    assert trend is not None and trend > 0
    assert observation_log.trend_direction(trend) == "rising"


def test_a_facilitator_new_to_the_group_does_not_see_the_balance_of_sessions_before_they_joined(team, make_person):
    _session_with(team, 0, {"procedure": 3}, {})
    newcomer = make_person("Nina Newcomer", Role.FACILITATOR)
    with db.writing(team.path) as conn:
        store.set_membership(conn, team.group_id, newcomer.id, GroupRole.FACILITATOR, NOW + timedelta(weeks=2))

    assert live.group_balance(team.path, newcomer, team.group_id) == []
    assert len(live.group_balance(team.path, team.lead, team.group_id)) == 1


# --- the migration ----------------------------------------------------------------------------------------


def _tick_labels(axis: dict) -> list[str]:
    """The labels Plotly writes for an axis with tick0 and dtick, within its range."""
    low, high = axis["range"]
    tick, step, labels = axis["tick0"], timedelta(milliseconds=axis["dtick"]), []
    while tick <= high:
        if tick >= low:
            labels.append(tick.strftime(axis["tickformat"]))
        tick += step
    return labels


@pytest.mark.parametrize(
    ("minutes", "step"),
    [(0.2, 2), (50, 10), (80, 15), (150, 30)],
)
def test_the_observation_time_axis_ticks_round_minutes_each_written_once(minutes, step):
    """Presses seconds apart were ticked five times as "08:59"; a session's axis ticks round minutes."""
    start = datetime(2026, 3, 4, 8, 59, 12)
    axis = session_time_axis(start, start + timedelta(minutes=minutes))
    assert axis["dtick"] == step * 60_000
    labels = _tick_labels(axis)
    assert 2 <= len(labels) <= 7, labels
    assert len(set(labels)) == len(labels), labels
    assert all(int(label[-2:]) % step == 0 for label in labels), labels
    assert axis["range"][0] <= start and axis["range"][1] >= start + timedelta(minutes=minutes)
