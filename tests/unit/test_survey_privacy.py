"""Surveys and privacy: who may answer, open and read what; aggregates only for closed waves and only above
the organisation's threshold; nobody but the respondent sees an answer; people leaving changes nothing.

Every test works on Team North (facilitator Fay, members Ann, Bob, Cas and Dee) in a fresh database, with
an organisation row (for its privacy threshold) and time injected through `now=`.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

import pytest
import tomli_w
from unit_support import NOW, count_rows

from intervision import db, groups, store, surveys
from intervision.charts import survey_trend
from intervision.errors import DomainError, NotAllowed
from intervision.instruments import earlier_version, shipped_instruments
from intervision.models import Language, Person, ReportItem, Role

SE = "self_efficacy"
SE_ITEMS = [item.id for item in shipped_instruments().instruments[SE].items]


def full(value: int) -> dict[str, int | None]:
    return dict.fromkeys(SE_ITEMS, value)


@dataclasses.dataclass
class Team:
    path: Path
    group_id: int
    coordinator: Person
    facilitator: Person
    members: list[Person]
    outsider: Person

    @property
    def ann(self) -> Person:
        return self.members[0]


@pytest.fixture
def team(path: Path, coordinator: Person, make_person, make_group) -> Team:
    with db.writing(path) as conn:
        store.create_organisation(conn, "Test Org", is_demo=False, now=NOW)
    facilitator = make_person("Fay Facilitator", Role.FACILITATOR)
    members = [make_person(name) for name in ("Ann Member", "Bob Member", "Cas Member", "Dee Member")]
    outsider = make_person("Oscar Outsider", Role.FACILITATOR)
    # The contract reports survey results to the organisation: the coordinator may read them.
    reported = [ReportItem.ATTENDANCE, ReportItem.SURVEY_AGGREGATES]
    group_id = make_group(facilitators=(facilitator,), members=tuple(members), reported_to_organisation=reported)
    return Team(path, group_id, coordinator, facilitator, members, outsider)


def open_se(team: Team, minutes: int = 0) -> int:
    return surveys.open_wave(
        team.path, team.facilitator, team.group_id, SE, "after_session", now=NOW + timedelta(minutes=minutes)
    )


def answer(team: Team, person: Person, wave_id: int, answers: dict[str, int | None]) -> None:
    surveys.answer(team.path, person, wave_id, answers, now=NOW)


def close(team: Team, wave_id: int) -> None:
    surveys.close_wave(team.path, team.facilitator, wave_id, now=NOW + timedelta(hours=1))


def nothing_answered(path: Path) -> bool:
    return count_rows(path, "survey_responses") == 0 and count_rows(path, "survey_answers") == 0


def refused_key(call) -> str:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value.key


# --- answering -------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [0, 6, -1, 99])
def test_an_answer_outside_the_scale_is_refused(team: Team, value: int):
    wave = open_se(team)
    answers = full(3) | {SE_ITEMS[3]: value}
    assert refused_key(lambda: answer(team, team.ann, wave, answers)) == "answer_outside_scale"
    assert nothing_answered(team.path)


def test_an_answer_to_a_closed_wave_is_refused(team: Team):
    wave = open_se(team)
    close(team, wave)
    assert refused_key(lambda: answer(team, team.ann, wave, full(3))) == "wave_closed"
    assert nothing_answered(team.path)


@pytest.mark.parametrize("who", ["outsider", "facilitator", "coordinator"])
def test_only_members_of_the_group_answer(team: Team, who: str):
    wave = open_se(team)
    person = getattr(team, who)
    assert refused_key(lambda: answer(team, person, wave, full(3))) == "not_in_group"
    assert nothing_answered(team.path)


def test_a_member_of_another_group_may_not_answer_this_groups_wave(team: Team, make_person, make_group):
    stranger = make_person("Sam Southerner")
    make_group("Team South", members=(stranger,))
    wave = open_se(team)
    assert refused_key(lambda: answer(team, stranger, wave, full(3))) == "not_in_group"
    assert nothing_answered(team.path)


def test_an_answer_to_an_unknown_item_is_refused(team: Team):
    wave = open_se(team)
    answers = full(3) | {"ce_1": 3}
    assert refused_key(lambda: answer(team, team.ann, wave, answers)) == "unknown_item"
    assert nothing_answered(team.path)


def test_an_answer_to_an_unknown_wave_is_refused(team: Team):
    assert refused_key(lambda: answer(team, team.ann, 999, full(3))) == "wave_not_found"
    assert nothing_answered(team.path)


def test_a_refused_change_keeps_the_earlier_answer(team: Team):
    wave = open_se(team)
    answer(team, team.ann, wave, full(4))
    assert refused_key(lambda: answer(team, team.ann, wave, full(2) | {SE_ITEMS[0]: 7})) == "answer_outside_scale"
    assert surveys.my_answers(team.path, team.ann, wave) == full(4)


def test_one_response_per_person_changeable_until_the_wave_closes(team: Team):
    wave = open_se(team)
    answer(team, team.ann, wave, full(2))
    second = full(5) | {SE_ITEMS[5]: None}
    answer(team, team.ann, wave, second)
    assert surveys.my_answers(team.path, team.ann, wave) == second
    assert surveys.response_rate(team.path, team.facilitator, wave).respondents == 1
    assert count_rows(team.path, "survey_responses") == 1
    assert count_rows(team.path, "survey_answers") == len(SE_ITEMS)
    # A shorter second answer replaces the first entirely: nothing of the first is left.
    answer(team, team.ann, wave, {SE_ITEMS[0]: 3})
    assert surveys.my_answers(team.path, team.ann, wave) == {SE_ITEMS[0]: 3}
    close(team, wave)
    assert refused_key(lambda: answer(team, team.ann, wave, full(1))) == "wave_closed"
    assert surveys.my_answers(team.path, team.ann, wave) == {SE_ITEMS[0]: 3}


def test_skipping_items_is_allowed(team: Team):
    wave = open_se(team)
    answers = {SE_ITEMS[0]: 4, SE_ITEMS[1]: None, SE_ITEMS[2]: 5}
    answer(team, team.ann, wave, answers)
    assert surveys.my_answers(team.path, team.ann, wave) == answers


@pytest.mark.parametrize("empty", [{}, {SE_ITEMS[0]: None, SE_ITEMS[1]: None}, dict.fromkeys(full(3))])
def test_a_save_with_nothing_ticked_is_not_stored_nor_counted(team: Team, empty: dict):
    wave = open_se(team)

    assert refused_key(lambda: answer(team, team.ann, wave, empty)) == "no_answer"

    assert nothing_answered(team.path)
    assert surveys.response_rate(team.path, team.facilitator, wave).respondents == 0


def test_a_save_with_nothing_ticked_keeps_the_earlier_answer(team: Team):
    wave = open_se(team)
    answer(team, team.ann, wave, full(4))

    assert refused_key(lambda: answer(team, team.ann, wave, dict.fromkeys(full(4)))) == "no_answer"

    assert surveys.my_answers(team.path, team.ann, wave) == full(4)
    assert surveys.response_rate(team.path, team.facilitator, wave).respondents == 1


def test_an_empty_response_stored_before_this_rule_is_not_counted(team: Team):
    wave = open_se(team)
    answer(team, team.members[1], wave, full(3))
    with db.writing(team.path) as conn:
        store.save_response(conn, wave, team.ann.id, dict.fromkeys(full(3)), NOW)

    assert surveys.response_rate(team.path, team.facilitator, wave).respondents == 1


# --- response rate ---------------------------------------------------------------------------------


def test_the_response_rate_gives_counts_only(team: Team):
    wave = open_se(team)
    answer(team, team.members[0], wave, full(3))
    answer(team, team.members[2], wave, full(4))
    for viewer in (team.facilitator, team.coordinator):
        rate = surveys.response_rate(team.path, viewer, wave)
        assert rate == surveys.ResponseRate(respondents=2, members=4)
        assert {field.name for field in dataclasses.fields(rate)} == {"respondents", "members"}


@pytest.mark.parametrize("who", ["ann", "outsider"])
def test_the_response_rate_is_refused_to_members_and_outsiders(team: Team, who: str):
    wave = open_se(team)
    with pytest.raises(NotAllowed):
        surveys.response_rate(team.path, getattr(team, who), wave)


def test_the_response_rates_of_a_group_are_those_of_each_wave(team: Team):
    first = open_se(team)
    answer(team, team.members[0], first, full(3))
    second = open_se(team, minutes=5)
    for person in team.members[1:]:
        answer(team, person, second, full(4))
    unanswered = open_se(team, minutes=10)
    for viewer in (team.facilitator, team.coordinator):
        rates = surveys.response_rates(team.path, viewer, team.group_id)
        assert rates == {wave: surveys.response_rate(team.path, viewer, wave) for wave in (first, second, unanswered)}
        assert rates[second] == surveys.ResponseRate(respondents=3, members=4)
        assert rates[unanswered] == surveys.ResponseRate(respondents=0, members=4)


@pytest.mark.parametrize("who", ["ann", "outsider"])
def test_the_response_rates_are_refused_to_members_and_outsiders(team: Team, who: str):
    open_se(team)
    with pytest.raises(NotAllowed):
        surveys.response_rates(team.path, getattr(team, who), team.group_id)


# --- group results ---------------------------------------------------------------------------------


def answered_wave(team: Team, values: list[int], minutes: int = 0, closed: bool = True) -> int:
    wave = open_se(team, minutes)
    for person, value in zip(team.members, values, strict=False):
        answer(team, person, wave, full(value))
    if closed:
        close(team, wave)
    return wave


def test_an_open_waves_answers_never_show(team: Team):
    answered_wave(team, [2, 3, 4, 5], closed=False)
    assert surveys.group_results(team.path, team.facilitator, team.group_id, SE) is None


def test_only_closed_waves_count(team: Team):
    first = answered_wave(team, [2, 3, 4, 5])
    answered_wave(team, [1, 1, 1, 1], minutes=10, closed=False)
    results = surveys.group_results(team.path, team.facilitator, team.group_id, SE)
    assert [result.wave.id for result in results.waves] == [first]
    (scale,) = results.waves[0].scales
    assert scale.shown is True
    assert scale.n == 4
    assert scale.mean == pytest.approx(3.5)
    assert results.latest_items is not None
    assert {item.n for item in results.latest_items} == {4}


def test_a_wave_with_fewer_respondents_than_the_threshold_shows_only_its_n(team: Team):
    answered_wave(team, [2, 5])
    results = surveys.group_results(team.path, team.coordinator, team.group_id, SE)
    (wave,) = results.waves
    assert wave.respondents == 2
    (scale,) = wave.scales
    assert scale == surveys.ScaleResult(SE, 2, shown=False)
    assert results.latest_items is None
    assert results.least_agreement is None


def test_members_see_the_groups_results_and_outsiders_do_not(team: Team):
    answered_wave(team, [2, 3, 4])
    results = surveys.group_results(team.path, team.ann, team.group_id, SE)
    assert results.waves[0].scales[0].mean == pytest.approx(3.0)
    with pytest.raises(NotAllowed):
        surveys.group_results(team.path, team.outsider, team.group_id, SE)


def test_raising_the_threshold_hides_more(team: Team):
    answered_wave(team, [2, 3, 4, 5])
    shown = surveys.group_results(team.path, team.coordinator, team.group_id, SE)
    assert shown.threshold == 3 and shown.waves[0].scales[0].shown is True
    surveys.set_threshold(team.path, team.coordinator, 5)
    assert surveys.threshold(team.path) == 5
    hidden = surveys.group_results(team.path, team.coordinator, team.group_id, SE)
    assert hidden.threshold == 5
    assert hidden.waves[0].respondents == 4
    assert hidden.waves[0].scales[0] == surveys.ScaleResult(SE, 4, shown=False)
    assert hidden.latest_items is None


def test_the_threshold_is_never_below_three(team: Team):
    for value in (2, 1, 0, -3):
        assert refused_key(lambda value=value: surveys.set_threshold(team.path, team.coordinator, value)) == (
            "threshold_too_low"
        )
    assert surveys.threshold(team.path) == 3


@pytest.mark.parametrize("who", ["facilitator", "ann"])
def test_only_coordinators_set_the_threshold(team: Team, who: str):
    with pytest.raises(NotAllowed):
        surveys.set_threshold(team.path, getattr(team, who), 5)
    assert surveys.threshold(team.path) == 3


# --- nobody but the respondent sees an answer ------------------------------------------------------


def test_my_answers_and_my_trend_give_only_the_callers_own(team: Team):
    ann, bob = team.members[0], team.members[1]
    wave = answered_wave(team, [5, 1, 3])
    assert surveys.my_answers(team.path, ann, wave) == full(5)
    assert surveys.my_answers(team.path, bob, wave) == full(1)
    for viewer in (team.facilitator, team.coordinator, team.outsider, team.members[3]):
        assert surveys.my_answers(team.path, viewer, wave) == {}
        assert surveys.my_trend(team.path, viewer, team.group_id, SE) == []
    (entry,) = surveys.my_trend(team.path, ann, team.group_id, SE)
    assert entry[0].id == wave
    assert entry[1] == {SE: 5.0}


def test_my_trend_leaves_out_open_waves(team: Team):
    answered_wave(team, [4, 4, 4])
    answered_wave(team, [1, 1, 1], minutes=10, closed=False)
    trend = surveys.my_trend(team.path, team.ann, team.group_id, SE)
    assert [scores for _, scores in trend] == [{SE: 4.0}]


def test_results_carry_no_individual_answers(team: Team):
    answered_wave(team, [2, 3, 4, 5])
    results = surveys.group_results(team.path, team.facilitator, team.group_id, SE)
    assert {field.name for field in dataclasses.fields(results.waves[0])} == {"wave", "respondents", "scales"}
    for item in results.latest_items:
        assert {field.name for field in dataclasses.fields(item)} == {"item_id", "counts", "n", "spread"}
        assert set(item.counts) == {1, 2, 3, 4, 5}


# --- leaving and deleting --------------------------------------------------------------------------


def _aggregate(team: Team) -> tuple:
    results = surveys.group_results(team.path, team.coordinator, team.group_id, SE)
    return tuple((wave.respondents, wave.scales, wave.wave.id) for wave in results.waves), results.latest_items


def test_leaving_the_group_or_deleting_the_account_does_not_change_past_aggregates(team: Team):
    answered_wave(team, [2, 3, 4, 5])
    before = _aggregate(team)
    bob, cas = team.members[1], team.members[2]

    groups.remove_member(team.path, team.coordinator, team.group_id, bob.id, now=NOW)
    assert _aggregate(team) == before

    with db.writing(team.path) as conn:
        conn.execute("DELETE FROM people WHERE id = ?", [cas.id])
    assert _aggregate(team) == before
    assert count_rows(team.path, "survey_responses") == 4
    with db.reading(team.path) as conn:
        anonymous = conn.execute("SELECT count(*) FROM survey_responses WHERE person_id IS NULL").fetchone()[0]
        bobs = conn.execute("SELECT count(*) FROM survey_responses WHERE person_id = ?", [bob.id]).fetchone()[0]
    assert anonymous == 1
    assert bobs == 1
    # Bob still sees his own past answers; he can no longer answer for the group.
    wave = before[0][0][2]
    assert surveys.my_answers(team.path, bob, wave) == full(3)


def test_a_person_who_left_can_no_longer_answer_an_open_wave(team: Team):
    wave = open_se(team)
    bob = team.members[1]
    groups.remove_member(team.path, team.coordinator, team.group_id, bob.id, now=NOW)
    assert refused_key(lambda: answer(team, bob, wave, full(3))) == "not_in_group"


# --- opening waves ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["facilitator", "coordinator"])
def test_the_groups_facilitator_or_a_coordinator_opens_a_wave(team: Team, who: str):
    wave_id = surveys.open_wave(team.path, getattr(team, who), team.group_id, SE, "start", now=NOW)
    (wave,) = surveys.open_waves(team.path, team.ann)
    assert wave.id == wave_id
    assert wave.is_open and wave.moment == "start"
    assert wave.instrument == shipped_instruments().instruments[SE]


@pytest.mark.parametrize("who", ["ann", "outsider"])
def test_members_and_outsiders_do_not_open_waves(team: Team, who: str):
    with pytest.raises(NotAllowed):
        surveys.open_wave(team.path, getattr(team, who), team.group_id, SE, "start", now=NOW)
    assert count_rows(team.path, "survey_waves") == 0


@pytest.mark.parametrize("who", ["ann", "outsider"])
def test_members_and_outsiders_do_not_close_waves(team: Team, who: str):
    wave = open_se(team)
    with pytest.raises(NotAllowed):
        surveys.close_wave(team.path, getattr(team, who), wave, now=NOW)
    assert surveys.open_waves(team.path, team.ann)[0].is_open


def test_an_unknown_instrument_or_moment_opens_nothing(team: Team):
    assert (
        refused_key(lambda: surveys.open_wave(team.path, team.facilitator, team.group_id, "nope", "start", now=NOW))
        == "instrument_not_found"
    )
    assert (
        refused_key(lambda: surveys.open_wave(team.path, team.facilitator, team.group_id, SE, "whenever", now=NOW))
        == "unknown_moment"
    )
    assert count_rows(team.path, "survey_waves") == 0


def _loaded(version: int, extra_item: bool = False) -> str:
    def both(text: str) -> dict[str, str]:
        return {"nl": f"{text} (nl)", "en": text}

    items = [{"id": f"tc_{n}", "scale": "team", "text": both(f"Statement {n}.")} for n in (1, 2, 3)]
    if extra_item:
        items.append({"id": "tc_4", "scale": "team", "text": both("A new statement.")})
    return tomli_w.dumps(
        {
            "id": "team_check",
            "version": version,
            "own": False,
            "citations": ["Author (2001). Title. Journal."],
            "name": both(f"Team check v{version}"),
            "description": both("A licensed check."),
            "options": [{"value": v, "label": both(f"Option {v}")} for v in range(1, 8)],
            "scales": [{"id": "team", "name": both("Team"), "description": both("The mean.")}],
            "items": items,
        }
    )


def test_the_instrument_version_is_pinned_in_the_wave(team: Team):
    surveys.load_instrument(team.path, team.coordinator, _loaded(1), "team_check.toml", now=NOW)
    old = surveys.open_wave(team.path, team.facilitator, team.group_id, "team_check", "start", now=NOW)
    surveys.load_instrument(team.path, team.coordinator, _loaded(2, extra_item=True), "team_check.toml", now=NOW)
    assert surveys.instruments(team.path)["team_check"].version == 2

    new = surveys.open_wave(
        team.path, team.facilitator, team.group_id, "team_check", "start", now=NOW + timedelta(minutes=1)
    )
    by_id = {wave.id: wave for wave in surveys.waves(team.path, team.facilitator, team.group_id)}
    assert by_id[old].instrument.version == 1
    assert [item.id for item in by_id[old].instrument.items] == ["tc_1", "tc_2", "tc_3"]
    assert by_id[new].instrument.version == 2
    assert [item.id for item in by_id[new].instrument.items] == ["tc_1", "tc_2", "tc_3", "tc_4"]

    assert refused_key(lambda: answer(team, team.ann, old, {"tc_4": 3})) == "unknown_item"
    answer(team, team.ann, old, {"tc_1": 7, "tc_2": 6, "tc_3": 5})
    answer(team, team.ann, new, {"tc_4": 7})


def test_a_shipped_instrument_pinned_in_a_wave_survives_the_round_trip(team: Team):
    for instrument_id in shipped_instruments().instruments:
        surveys.open_wave(team.path, team.facilitator, team.group_id, instrument_id, "start", now=NOW)
    for wave in surveys.waves(team.path, team.facilitator, team.group_id):
        assert wave.instrument == shipped_instruments().instruments[wave.instrument.id]


# --- scheduled waves -------------------------------------------------------------------------------


def _close_a_session(team: Team, number: int) -> None:
    """A live session of the group, closed, then the scheduled waves (as live.close_session does)."""
    moment = NOW + timedelta(days=number)
    with db.writing(team.path) as conn:
        conn.execute(
            "INSERT INTO live_sessions (group_id, method_id, method_version, status, join_code, projector_token,"
            " started_at, closed_at) VALUES (?, 'incident', 1, 'closed', ?, ?, ?, ?)",
            [team.group_id, f"J{number}", f"P{number}", moment.isoformat(), moment.isoformat()],
        )
        surveys.open_scheduled_waves(conn, team.group_id, moment)


def _scheduled_waves(team: Team) -> list:
    return surveys.waves(team.path, team.facilitator, team.group_id)


def test_a_scheduled_wave_opens_after_every_nth_closed_session(team: Team):
    surveys.set_schedule(team.path, team.facilitator, team.group_id, "session_evaluation", 2)
    counts = []
    for number in range(1, 6):
        _close_a_session(team, number)
        counts.append(len(_scheduled_waves(team)))
    assert counts == [0, 1, 1, 2, 2]
    for wave in _scheduled_waves(team):
        assert wave.moment == "every_n_sessions"
        assert wave.instrument.id == "session_evaluation"
        assert wave.is_open


def test_every_session_and_a_removed_schedule(team: Team):
    surveys.set_schedule(team.path, team.coordinator, team.group_id, SE, 1)
    _close_a_session(team, 1)
    assert len(_scheduled_waves(team)) == 1
    surveys.set_schedule(team.path, team.coordinator, team.group_id, SE, None)
    _close_a_session(team, 2)
    assert len(_scheduled_waves(team)) == 1


def test_another_groups_sessions_do_not_count(team: Team, make_group):
    other = make_group("Team South")
    surveys.set_schedule(team.path, team.facilitator, team.group_id, SE, 1)
    moment = NOW + timedelta(days=1)
    with db.writing(team.path) as conn:
        conn.execute(
            "INSERT INTO live_sessions (group_id, method_id, method_version, status, join_code, projector_token,"
            " started_at, closed_at) VALUES (?, 'incident', 1, 'closed', 'J', 'P', ?, ?)",
            [other, moment.isoformat(), moment.isoformat()],
        )
        surveys.open_scheduled_waves(conn, other, moment)
    assert _scheduled_waves(team) == []


def test_a_schedule_for_a_loaded_instrument_opens_waves(team: Team):
    surveys.load_instrument(team.path, team.coordinator, _loaded(1), "team_check.toml", now=NOW)
    surveys.set_schedule(team.path, team.coordinator, team.group_id, "team_check", 1)
    _close_a_session(team, 1)
    assert [wave.instrument.id for wave in _scheduled_waves(team)] == ["team_check"]


def test_a_coordinator_reads_no_results_of_a_group_whose_contract_keeps_them_inside(team: Team, make_group):
    quiet = make_group("Team Quiet", facilitators=(team.facilitator,), reported_to_organisation=[ReportItem.ATTENDANCE])
    wave_id = surveys.open_wave(team.path, team.facilitator, quiet, SE, "after_session", now=NOW)
    surveys.close_wave(team.path, team.facilitator, wave_id, now=NOW)

    assert [g[0] for g in surveys.results_groups(team.path, team.coordinator)] == [team.group_id]
    with pytest.raises(NotAllowed):
        surveys.group_results(team.path, team.coordinator, quiet, SE)
    # Its facilitator still reads them: the contract is about what leaves the group.
    assert surveys.group_results(team.path, team.facilitator, quiet, SE) is not None
    assert [g[0] for g in surveys.results_groups(team.path, team.facilitator)] == [team.group_id, quiet]


# --- a new version of an instrument -------------------------------------------------------------------


def open_earlier_se(team: Team, minutes: int = 0) -> int:
    """A self-efficacy wave opened before version 2 shipped: it keeps version 1's items."""
    instrument = earlier_version(SE, 1)
    opened = NOW + timedelta(minutes=minutes)
    with db.writing(team.path) as conn:
        return store.add_wave(
            conn, team.group_id, SE, instrument.definition(), "start", team.facilitator.id, opened, version=1
        )


def varied(value: int, item_ids: list[str]) -> dict[str, int | None]:
    """Answers around `value` that differ a little per item, so that a reliability estimate is defined."""
    return {item_id: max(1, min(5, value + (index % 3) - 1)) for index, item_id in enumerate(item_ids)}


def version_waves(team: Team, version: int, count: int, start: int = 0, respondents: int = 4) -> list[int]:
    """`count` closed waves of a version, answered by the first `respondents` members, with varied answers."""
    item_ids = OLD_SE_ITEMS if version == 1 else SE_ITEMS
    made = []
    for number in range(start, start + count):
        wave = open_earlier_se(team, number) if version == 1 else open_se(team, number)
        for index, person in enumerate(team.members[:respondents]):
            answer(team, person, wave, varied(1 + (index + number) % 5, item_ids))
        close(team, wave)
        made.append(wave)
    return made


OLD_SE_ITEMS = [item.id for item in earlier_version(SE, 1).items]


def test_an_old_wave_keeps_scoring_with_its_own_items_beside_a_new_one(team: Team):
    old = open_earlier_se(team)
    assert refused_key(lambda: answer(team, team.ann, old, full(3))) == "unknown_item", "new items: not in v1"
    for person, value in zip(team.members, [2, 3, 4, 5], strict=True):
        answer(team, person, old, dict.fromkeys(OLD_SE_ITEMS, value))
    close(team, old)
    new = answered_wave(team, [4, 4, 4, 4], minutes=10)

    results = surveys.group_results(team.path, team.facilitator, team.group_id, SE)
    first, second = results.waves
    assert (first.wave.id, second.wave.id) == (old, new)
    assert [item.id for item in first.wave.instrument.items] == OLD_SE_ITEMS
    assert [item.id for item in second.wave.instrument.items] == SE_ITEMS
    assert first.scales[0].mean == pytest.approx(3.5) and second.scales[0].mean == pytest.approx(4.0)
    trend = surveys.my_trend(team.path, team.ann, team.group_id, SE)
    assert [scores[SE] for _, scores in trend] == [2.0, 4.0]
    with db.reading(team.path) as conn:
        rows = conn.execute("SELECT id, instrument_version FROM survey_waves ORDER BY id").fetchall()
    assert [tuple(row) for row in rows] == [(old, 1), (new, 2)]


def test_the_trend_marks_the_first_wave_of_the_new_version(team: Team):
    version_waves(team, 1, 2)
    [first_new, _] = version_waves(team, 2, 2, start=2)
    results = surveys.group_results(team.path, team.facilitator, team.group_id, SE)
    assert [wave.id for wave in results.new_questions] == [first_new]

    figure = survey_trend(results, SE, Language.EN, []).to_plotly_json()
    [line] = figure["layout"]["shapes"]
    marked = results.new_questions[0].opened_at
    assert line["x0"] == line["x1"] == marked and line["line"]["dash"] == "dot"
    assert [note["text"] for note in figure["layout"]["annotations"]] == ["new questions from here"]
    dutch = survey_trend(results, SE, Language.NL, []).to_plotly_json()
    assert [note["text"] for note in dutch["layout"]["annotations"]] == ["vanaf hier nieuwe vragen"]


def test_no_marker_while_every_wave_has_the_same_version(team: Team):
    version_waves(team, 2, 3)
    results = surveys.group_results(team.path, team.facilitator, team.group_id, SE)
    assert results.new_questions == []
    assert not survey_trend(results, SE, Language.EN, []).to_plotly_json()["layout"].get("shapes")


def test_reliability_needs_twenty_complete_answers_pooled_over_the_waves_of_the_version(team: Team):
    version_waves(team, 2, 4)  # 16 complete answers
    [entry] = surveys.group_results(team.path, team.facilitator, team.group_id, SE).reliability
    assert (entry.scale_id, entry.version, entry.complete, entry.alpha) == (SE, 2, 16, None)
    assert entry.too_few

    version_waves(team, 2, 1, start=4)  # 20
    [entry] = surveys.group_results(team.path, team.facilitator, team.group_id, SE).reliability
    assert entry.complete == 20 and not entry.too_few
    assert isinstance(entry.alpha, float)


def test_reliability_never_pools_answers_to_different_versions(team: Team):
    version_waves(team, 1, 3)
    version_waves(team, 2, 3, start=3)  # 12 + 12: 24 answers, but to two different sets of questions
    reliability = surveys.group_results(team.path, team.facilitator, team.group_id, SE).reliability
    assert [(entry.version, entry.complete, entry.alpha) for entry in reliability] == [(1, 12, None), (2, 12, None)]


def test_a_wave_too_small_to_show_adds_nothing_to_the_pooled_reliability(team: Team):
    version_waves(team, 2, 4)
    version_waves(team, 2, 1, start=4, respondents=2)  # below the threshold of 3: not shown, not pooled
    [entry] = surveys.group_results(team.path, team.facilitator, team.group_id, SE).reliability
    assert entry.complete == 16 and entry.alpha is None
