"""The session engine: the countdown from stored moments, moving through the phases, and starting a session.

Every test runs a session of its own group (Team North: one facilitator, four members) in a fresh
database. Time is injected with `now=`: the countdown is computed from stored moments and the clock a
screen is given, so a test can stand at any moment of the session.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from unit_support import NOW, count_rows

from intervision import cases, db, live, method_library, store
from intervision.errors import DomainError, NotAllowed
from intervision.live import Countdown, behind_plan_seconds, countdown, format_clock
from intervision.methods import Method, built_in_library
from intervision.models import (
    BoardItemInput,
    CaseInput,
    CaseStatus,
    GroupRole,
    LiveSession,
    Person,
    QuestionType,
    Role,
    SessionRole,
    SessionStatus,
    StartSessionInput,
    Want,
)

INCIDENT = built_in_library().methods["incident"]
# The incident method's six phases, in minutes: 10, 5, 15 (questions), 7.5 (diagnoses), 7.5 (advice), 5.
CHOOSE, EXPLAIN, INFORMATION, DIAGNOSIS, SOLUTIONS, CHOICE = range(6)


def at(minutes: float):
    """A moment so many minutes after NOW."""
    return NOW + timedelta(minutes=minutes)


@dataclass(frozen=True)
class Team:
    path: Path
    coordinator: Person
    lead: Person
    anna: Person
    ben: Person
    chris: Person
    dirk: Person
    outsider: Person
    group_id: int

    @property
    def members(self) -> tuple[Person, ...]:
        return (self.anna, self.ben, self.chris, self.dirk)


@pytest.fixture
def team(path, coordinator, make_person, make_group) -> Team:
    lead = make_person("Fenna Facilitator", Role.FACILITATOR)
    anna, ben, chris, dirk = (make_person(f"{name} Member") for name in ("Anna", "Ben", "Chris", "Dirk"))
    outsider = make_person("Olga Outsider")
    group_id = make_group("Team North", facilitators=(lead,), members=(anna, ben, chris, dirk))
    return Team(path, coordinator, lead, anna, ben, chris, dirk, outsider, group_id)


def _start(team: Team, method_id: str = "incident", now=NOW, viewer: Person | None = None, **fields) -> int:
    form = StartSessionInput(group_id=team.group_id, method_id=method_id, **fields)
    return live.start_session(team.path, viewer or team.lead, form, now=now)


def _session(team: Team, session_id: int) -> LiveSession:
    with db.reading(team.path) as conn:
        return store.live_session(conn, session_id)


def _revision(team: Team, session_id: int) -> int:
    return _session(team, session_id).revision


def _begin(team: Team, session_id: int, now=NOW) -> None:
    live.begin_phases(team.path, team.lead, session_id, _revision(team, session_id), now=now)


def _running(team: Team, method_id: str = "incident", now=NOW, **fields) -> int:
    """A session whose first phase started at `now`."""
    session_id = _start(team, method_id, now=now, **fields)
    _begin(team, session_id, now)
    return session_id


def _move(team: Team, session_id: int, now, steps: int = 1, skip: bool = False) -> None:
    live.move(team.path, team.lead, session_id, _revision(team, session_id), steps, skip=skip, now=now)


def _view(team: Team, session_id: int, now) -> live.SessionView:
    return live.console_view(team.path, team.lead, session_id, now=now)


def _visits(team: Team, session_id: int) -> list[tuple[int, float, bool]]:
    """The phases left so far: (phase, seconds spent, skipped), in the order they were left."""
    with db.reading(team.path) as conn:
        rows = conn.execute(
            "SELECT phase_index, seconds, skipped FROM phase_visits WHERE live_session_id = ? ORDER BY id",
            [session_id],
        )
        return [(row[0], row[1], bool(row[2])) for row in rows]


def _seconds(team: Team, session_id: int) -> dict[int, float]:
    with db.reading(team.path) as conn:
        return store.phase_seconds(conn, session_id)


def _overruns(team: Team, session_id: int) -> list[tuple[int, str, str | None, bool]]:
    return [
        (observation.phase_index, observation.level, observation.category, observation.automatic)
        for observation in live.observations(team.path, team.lead, session_id)
    ]


def _case_form(group_id: int, **changes) -> CaseInput:
    return CaseInput(
        **{
            "group_id": group_id,
            "title": "Een ouder die elke week mailt",
            "situation": "Een ouder mailt wekelijks lange berichten en zet de directie in de cc. Bij het laatste "
            "gesprek zei hij dat ik zijn kind niet begrijp. Ik wist niet wat ik moest zeggen.",
            "learning_question": "Hoe kan ik grenzen stellen en toch in contact blijven?",
            "question_type": QuestionType.OWN_BEHAVIOUR,
            "wants": [Want.ADVICE],
            "anonymised": True,
        }
        | changes
    )


# --- the countdown -------------------------------------------------------------------------------


def test_during_the_check_in_no_clock_runs(team):
    session_id = _start(team)

    view = _view(team, session_id, at(5))
    clock = countdown(_session(team, session_id), INCIDENT.phases[CHOOSE], at(5))

    assert view.session.status is SessionStatus.CHECK_IN
    assert view.phase is None and view.clock is None and view.behind_seconds == 0
    assert (clock.started, clock.running, clock.elapsed_seconds, clock.remaining_seconds) == (False, False, 0, 600)


def test_a_running_phase_counts_down_from_the_moment_it_started(team):
    session_id = _running(team, now=at(0))

    clock = _view(team, session_id, at(3)).clock

    assert (clock.started, clock.running) == (True, True)
    assert clock.planned_seconds == 600 and clock.remaining_seconds == 420
    assert format_clock(clock.remaining_seconds) == "7:00"


def test_a_paused_clock_stands_still_and_resuming_adds_the_pause_to_paused_seconds(team):
    session_id = _running(team, now=at(0))

    live.pause(team.path, team.lead, session_id, _revision(team, session_id), now=at(2))
    while_paused = [_view(team, session_id, at(minute)).clock for minute in (2, 5, 9)]
    live.resume(team.path, team.lead, session_id, _revision(team, session_id), now=at(9))

    assert [clock.remaining_seconds for clock in while_paused] == [480, 480, 480]
    assert not any(clock.running for clock in while_paused)
    assert _session(team, session_id).paused_seconds == 7 * 60
    assert _view(team, session_id, at(10)).clock.remaining_seconds == 420
    assert _view(team, session_id, at(10)).clock.running


def test_a_second_pause_adds_to_the_first(team):
    session_id = _running(team, now=at(0))
    for pause_at, resume_at in ((1, 3), (4, 5)):
        live.pause(team.path, team.lead, session_id, _revision(team, session_id), now=at(pause_at))
        live.resume(team.path, team.lead, session_id, _revision(team, session_id), now=at(resume_at))

    assert _session(team, session_id).paused_seconds == 3 * 60
    # 8 minutes on the wall clock, 3 of them paused: 5 of the phase's 10 minutes are left.
    assert _view(team, session_id, at(8)).clock.remaining_seconds == 300


def test_extra_minutes_lengthen_the_phase(team):
    session_id = _running(team, now=at(0))
    assert _view(team, session_id, at(9)).clock.colour == "amber"

    live.add_minutes(team.path, team.lead, session_id, _revision(team, session_id), 5)
    clock = _view(team, session_id, at(9)).clock

    assert clock.planned_seconds == 15 * 60
    assert clock.remaining_seconds == 6 * 60 and clock.colour == "green"


def test_extra_minutes_never_make_a_phase_shorter_than_planned(team):
    session_id = _running(team, now=at(0))

    live.add_minutes(team.path, team.lead, session_id, _revision(team, session_id), -5)

    assert _view(team, session_id, at(0)).clock.planned_seconds == 600


@pytest.mark.parametrize(
    ("remaining", "colour"),
    [(600, "green"), (121, "green"), (120, "amber"), (1, "amber"), (0, "red"), (-1, "red"), (-600, "red")],
)
def test_the_clock_is_green_then_amber_in_the_last_fifth_then_red_when_over(remaining, colour):
    assert Countdown(600, 600 - remaining, started=True, running=True).colour == colour


def test_a_phase_turns_amber_and_red_as_the_facilitator_watches(team):
    session_id = _running(team, now=at(0))

    colours = [_view(team, session_id, at(minute)).clock.colour for minute in (0, 7.5, 8, 9.5, 10.5)]

    assert colours == ["green", "green", "amber", "amber", "red"]
    assert format_clock(_view(team, session_id, at(11.5)).clock.remaining_seconds) == "−1:30"


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(725, "12:05"), (600, "10:00"), (65, "1:05"), (0, "0:00"), (-5, "−0:05"), (-90, "−1:30"), (-725, "−12:05")],
)
def test_format_clock(seconds, shown):
    assert format_clock(seconds) == shown


# --- ahead of or behind the plan -----------------------------------------------------------------


def test_a_phase_that_took_longer_puts_the_session_behind_and_a_skipped_one_ahead(team):
    session_id = _running(team, now=at(0))

    _move(team, session_id, at(13))  # choosing the incident took 13 of its 10 minutes
    behind_after_long_phase = _view(team, session_id, at(13)).behind_seconds
    _move(team, session_id, at(13), skip=True)  # the 5 minutes of explaining the question are skipped
    behind_after_skip = _view(team, session_id, at(13)).behind_seconds

    assert behind_after_long_phase == 3 * 60
    assert behind_after_skip == 3 * 60 - 5 * 60


def test_the_current_phase_counts_against_the_plan_only_once_it_runs_over(team):
    session_id = _running(team, now=at(0))
    _move(team, session_id, at(8))  # two minutes ahead

    on_time = _view(team, session_id, at(8 + 4)).behind_seconds  # 1 of 5 minutes left: may still end on time
    over = _view(team, session_id, at(8 + 9)).behind_seconds  # 4 minutes over

    assert on_time == -120
    assert over == -120 + 240


def test_behind_plan_adds_up_over_several_phases():
    spent = {CHOOSE: 12 * 60, EXPLAIN: 0.0, INFORMATION: 20 * 60}
    running_on_time = Countdown(450, 100, started=True, running=True)

    behind = behind_plan_seconds(INCIDENT, spent, DIAGNOSIS, running_on_time)

    assert behind == (2 - 5 + 5) * 60


def test_a_phase_visited_twice_counts_both_visits(team):
    session_id = _running(team, now=at(0))
    _move(team, session_id, at(4))  # choose: 4 of 10 minutes
    _move(team, session_id, at(5), steps=-1)  # back to choosing, after 1 of 5 minutes of explaining
    _move(team, session_id, at(8))  # choosing again for 3 minutes: 7 of its 10 in all
    _move(team, session_id, at(8))  # explaining again, for no time at all: 1 of its 5 in all

    assert _seconds(team, session_id) == {CHOOSE: 7 * 60, EXPLAIN: 60}
    assert _view(team, session_id, at(8)).behind_seconds == (7 - 10) * 60 + (1 - 5) * 60


def test_after_extra_minutes_pressing_next_does_not_change_how_far_behind_the_session_is(team):
    session_id = _running(team, now=at(0))
    live.add_minutes(team.path, team.lead, session_id, _revision(team, session_id), 5)

    before = _view(team, session_id, at(13)).behind_seconds  # 13 minutes in a phase planned for 10
    _move(team, session_id, at(13))
    after = _view(team, session_id, at(13)).behind_seconds

    assert after == 3 * 60
    assert before == after


def test_in_a_phase_gone_back_to_pressing_next_does_not_change_how_far_behind_the_session_is(team):
    session_id = _running(team, now=at(0))
    _move(team, session_id, at(10))  # choosing took its 10 minutes
    _move(team, session_id, at(13), steps=-1)  # 3 minutes of explaining, then back to choosing
    _move(team, session_id, at(13))  # and on to explaining again at once

    before = _view(team, session_id, at(17))  # explaining: 3 + 4 = 7 of its 5 minutes in all
    _move(team, session_id, at(17))
    after = _view(team, session_id, at(17)).behind_seconds

    assert before.clock.remaining_seconds == 60  # its own clock started afresh
    assert after == 2 * 60
    assert before.behind_seconds == after


# --- moving through the phases -------------------------------------------------------------------


def test_begin_phases_starts_the_first_phase_and_its_clock(team):
    session_id = _start(team, now=at(0))

    _begin(team, session_id, at(2))
    view = _view(team, session_id, at(3))

    assert view.session.status is SessionStatus.RUNNING
    assert view.phase.id == "choose_incident"
    assert view.clock.remaining_seconds == 9 * 60


def test_begin_phases_only_once(team):
    session_id = _running(team)

    with pytest.raises(DomainError) as refused:
        _begin(team, session_id, at(1))

    assert refused.value.key == "session_moved_on"
    assert _view(team, session_id, at(2)).clock.remaining_seconds == 8 * 60


def test_next_and_skip_keep_the_phase_left_as_a_visit(team):
    session_id = _running(team, now=at(0))

    _move(team, session_id, at(12))
    _move(team, session_id, at(12.5), skip=True)
    view = _view(team, session_id, at(12.5))

    assert view.phase.id == "information_round"
    assert view.clock.remaining_seconds == 15 * 60  # a fresh clock for the new phase
    assert _visits(team, session_id) == [(CHOOSE, 720, False), (EXPLAIN, 30, True)]


def test_going_back_loses_nothing(team):
    session_id = _running(team, now=at(0))
    _move(team, session_id, at(10))
    _move(team, session_id, at(15))
    question = BoardItemInput(kind="question", text="What did the parent say exactly?")
    live.send_to_board(team.path, team.anna, session_id, question, now=at(16))

    _move(team, session_id, at(18), steps=-1)  # back to explaining the question
    view = _view(team, session_id, at(18))

    assert view.phase.id == "explain_question"
    assert [(item.phase_index, item.text) for item in view.board] == [(INFORMATION, question.text)]
    assert _seconds(team, session_id) == {CHOOSE: 600, EXPLAIN: 300, INFORMATION: 180}

    _move(team, session_id, at(20))  # and forward again
    assert _view(team, session_id, at(20)).phase.id == "information_round"
    assert [item.text for item in _view(team, session_id, at(20)).board] == [question.text]


def test_next_after_the_last_phase_is_the_closing_round_and_previous_comes_back(team):
    session_id = _running(team, now=at(0))
    for minute in range(1, 6):
        _move(team, session_id, at(minute))
    assert _view(team, session_id, at(5)).phase.id == "choice"

    _move(team, session_id, at(9))
    closing = _view(team, session_id, at(9))

    assert closing.session.status is SessionStatus.CLOSING
    assert closing.phase is None and closing.clock is None
    assert live.accepted_kinds(closing) == ("insight", "action_item")
    assert _visits(team, session_id)[-1] == (CHOICE, 240, False)

    _move(team, session_id, at(11), steps=-1)
    back = _view(team, session_id, at(12))

    assert back.session.status is SessionStatus.RUNNING
    assert back.phase.id == "choice"
    assert back.clock.remaining_seconds == 4 * 60  # the last phase's clock starts again


def test_there_is_nothing_after_the_closing_round(team):
    session_id = _running(team, now=at(0))
    for minute in range(1, 7):
        _move(team, session_id, at(minute))

    with pytest.raises(DomainError) as refused:
        _move(team, session_id, at(7))

    assert refused.value.key == "session_moved_on"
    assert _session(team, session_id).status is SessionStatus.CLOSING


def test_previous_in_the_first_phase_stays_in_the_first_phase(team):
    session_id = _running(team, now=at(0))

    _move(team, session_id, at(2), steps=-1)

    assert _view(team, session_id, at(2)).phase.id == "choose_incident"


# --- revisions: a double click or a second device moves nothing twice -----------------------------


def test_a_double_click_on_next_moves_one_phase(team):
    session_id = _running(team, now=at(0))
    drawn_on = _revision(team, session_id)

    live.move(team.path, team.lead, session_id, drawn_on, 1, now=at(3))
    with pytest.raises(DomainError) as refused:
        live.move(team.path, team.lead, session_id, drawn_on, 1, now=at(3))

    assert refused.value.key == "session_moved_on"
    assert _session(team, session_id).phase_index == EXPLAIN
    assert len(_visits(team, session_id)) == 1


@pytest.mark.parametrize(
    "action",
    [
        lambda team, session_id, revision: live.pause(team.path, team.lead, session_id, revision, now=at(3)),
        lambda team, session_id, revision: live.add_minutes(team.path, team.lead, session_id, revision, 5),
        lambda team, session_id, revision: live.move(team.path, team.lead, session_id, revision, -1, now=at(3)),
        lambda team, session_id, revision: live.close_session(team.path, team.lead, session_id, revision, at(3)),
    ],
    ids=["pause", "add_minutes", "previous", "close"],
)
def test_a_screen_drawn_before_the_last_change_changes_nothing(team, action):
    session_id = _running(team, now=at(0))
    stale = _revision(team, session_id)
    _move(team, session_id, at(2))
    before = _session(team, session_id)

    with pytest.raises(DomainError) as refused:
        action(team, session_id, stale)

    assert refused.value.key == "session_moved_on"
    assert _session(team, session_id) == before


def test_two_devices_pressing_next_at_once_never_skip_two_phases(team):
    session_id = _running(team, now=at(0))

    for round_number in range(1, 5):
        revision = _revision(team, session_id)
        both_ready = threading.Barrier(2)
        outcomes: list[str] = []

        def press(
            revision: int = revision,
            minute: int = round_number,
            ready: threading.Barrier = both_ready,
            outcomes: list[str] = outcomes,
        ):
            ready.wait()
            try:
                live.move(team.path, team.lead, session_id, revision, 1, now=at(minute))
                outcomes.append("moved")
            except DomainError as error:
                outcomes.append(error.key)

        devices = [threading.Thread(target=press) for _ in range(2)]
        for device in devices:
            device.start()
        for device in devices:
            device.join(timeout=10)

        assert sorted(outcomes) == ["moved", "session_moved_on"]
        assert _session(team, session_id).phase_index == round_number
        assert len(_visits(team, session_id)) == round_number


# --- a phase over its time is logged, once ---------------------------------------------------------


def test_the_overrun_is_logged_once_when_the_phase_runs_over(team):
    session_id = _running(team, now=at(0))

    live.log_overrun_if_due(team.path, session_id, now=at(9.5))
    assert _overruns(team, session_id) == []

    for minute in (10.5, 11, 15, 20):
        live.log_overrun_if_due(team.path, session_id, now=at(minute))

    assert _overruns(team, session_id) == [(CHOOSE, "procedure", "time_overrun", True)]
    assert live.observations(team.path, team.lead, session_id)[0].at == at(10.5)


def test_moving_on_from_an_overrun_phase_logs_it_if_the_console_did_not(team):
    session_id = _running(team, now=at(0))

    _move(team, session_id, at(12))

    assert _overruns(team, session_id) == [(CHOOSE, "procedure", "time_overrun", True)]


def test_moving_on_from_a_logged_overrun_does_not_log_it_again(team):
    session_id = _running(team, now=at(0))
    live.log_overrun_if_due(team.path, session_id, now=at(11))

    _move(team, session_id, at(12))
    live.log_overrun_if_due(team.path, session_id, now=at(13))  # the next phase: 1 of its 5 minutes

    assert _overruns(team, session_id) == [(CHOOSE, "procedure", "time_overrun", True)]


def test_moving_on_in_time_logs_nothing(team):
    session_id = _running(team, now=at(0))

    _move(team, session_id, at(9))
    _move(team, session_id, at(9), skip=True)

    assert _overruns(team, session_id) == []


def test_after_extra_minutes_a_new_overrun_is_logged_again(team):
    session_id = _running(team, now=at(0))
    live.log_overrun_if_due(team.path, session_id, now=at(11))

    live.add_minutes(team.path, team.lead, session_id, _revision(team, session_id), 5, now=at(11))
    live.log_overrun_if_due(team.path, session_id, now=at(12))  # 3 of the 15 minutes left
    assert len(_overruns(team, session_id)) == 1

    live.log_overrun_if_due(team.path, session_id, now=at(15.5))  # over the extra minutes too

    assert _overruns(team, session_id) == [(CHOOSE, "procedure", "time_overrun", True)] * 2


def test_extra_minutes_that_do_not_end_the_overrun_do_not_log_it_again(team):
    session_id = _running(team, now=at(0))
    live.log_overrun_if_due(team.path, session_id, now=at(10.5))

    live.add_minutes(team.path, team.lead, session_id, _revision(team, session_id), 1)  # still 9 over at 20
    live.log_overrun_if_due(team.path, session_id, now=at(20))

    assert len(_overruns(team, session_id)) == 1


def test_no_overrun_is_logged_during_check_in_or_closing(team):
    session_id = _start(team, now=at(0))
    live.log_overrun_if_due(team.path, session_id, now=at(60))
    _begin(team, session_id, at(60))
    for minute in range(61, 67):
        _move(team, session_id, at(minute))

    live.log_overrun_if_due(team.path, session_id, now=at(200))

    assert _overruns(team, session_id) == []


# --- the countdown survives a restart ---------------------------------------------------------------


def test_a_fresh_read_after_a_restart_shows_the_same_phase_and_time(team):
    session_id = _running(team, now=at(0))
    _move(team, session_id, at(11))
    live.pause(team.path, team.lead, session_id, _revision(team, session_id), now=at(12))
    live.resume(team.path, team.lead, session_id, _revision(team, session_id), now=at(13))

    before = _view(team, session_id, at(14))
    # A restart: nothing is kept in memory, every screen reads the stored moments again.
    after = _view(team, session_id, at(14))
    projected = live.projector_view(team.path, before.session.projector_token, now=at(14))
    phone = live.participant_view(team.path, team.anna, before.session.join_code, now=at(14))

    assert before.phase.id == "explain_question"
    assert before.clock.remaining_seconds == 3 * 60
    for view in (after, projected, phone):
        assert view.phase.id == before.phase.id
        assert view.clock == before.clock
        assert view.behind_seconds == before.behind_seconds == 60


# --- six thinking hats ----------------------------------------------------------------------------


def _hats_as_run(team: Team, session_id: int, count: int) -> list[str]:
    worn = []
    for minute in range(count):
        worn.append(_view(team, session_id, at(minute)).phase.hat.value)
        _move(team, session_id, at(minute + 1))
    return worn


def test_six_hats_with_a_sequence_runs_the_hats_in_the_sequences_order(team):
    session_id = _running(team, "six_hats", sequence_id="quick_feedback")

    assert [phase.hat.value for phase in _view(team, session_id, at(0)).method.phases] == [
        "blue",
        "black",
        "green",
        "blue",
    ]
    assert _hats_as_run(team, session_id, 4) == ["blue", "black", "green", "blue"]
    assert _session(team, session_id).status is SessionStatus.CLOSING


def test_six_hats_without_a_sequence_runs_the_methods_own_order(team):
    session_id = _running(team, "six_hats")

    assert _hats_as_run(team, session_id, 7) == ["blue", "white", "red", "black", "yellow", "green", "blue"]


def test_in_a_sequence_each_hat_collects_what_that_hat_collects(team):
    session_id = _running(team, "six_hats", sequence_id="quick_feedback")
    _move(team, session_id, at(1))  # the black hat: risks, kept as insights

    live.send_to_board(team.path, team.ben, session_id, BoardItemInput(kind="insight", text="It may not work"), at(2))

    assert live.accepted_kinds(_view(team, session_id, at(2))) == ("insight",)


def test_an_unknown_sequence_is_refused(team):
    with pytest.raises(DomainError) as refused:
        _start(team, "six_hats", sequence_id="no_such_sequence")

    assert (refused.value.key, refused.value.field) == ("sequence_not_found", "sequence_id")
    assert count_rows(team.path, "live_sessions") == 0


# --- suggested roles rotate -----------------------------------------------------------------------


def _suggest(team: Team, case_bringer: Person | None = None) -> dict[SessionRole, Person]:
    people = {person.id: person for person in team.members}
    suggestion = live.suggest_roles(team.path, team.lead, team.group_id, case_bringer.id if case_bringer else None)
    return {role: people[person_id] for role, person_id in suggestion.items()}


def _held_session(team: Team, now, roles: dict[SessionRole, Person]) -> None:
    """A session that took place, with these people in these roles."""
    session_id = _start(team, now=now, roles={role: [person.id] for role, person in roles.items()})
    live.close_session(team.path, team.lead, session_id, _revision(team, session_id), now=now)


def test_the_case_bringer_gets_no_other_role_and_nobody_gets_two(team):
    suggestion = _suggest(team, case_bringer=team.anna)

    assert set(suggestion) == {SessionRole.CHAIR, SessionRole.TIMEKEEPER, SessionRole.NOTE_TAKER}
    assert team.anna not in suggestion.values()
    assert len({person.id for person in suggestion.values()}) == 3
    assert team.lead not in suggestion.values()  # the facilitator runs the session, members take the roles


def test_roles_go_to_whoever_did_not_hold_them_last_time(team):
    _held_session(
        team,
        NOW,
        {
            SessionRole.CHAIR: team.anna,
            SessionRole.TIMEKEEPER: team.ben,
            SessionRole.NOTE_TAKER: team.chris,
            SessionRole.CASE_BRINGER: team.dirk,
        },
    )

    suggestion = _suggest(team)

    assert suggestion[SessionRole.CHAIR] is not team.anna
    assert suggestion[SessionRole.TIMEKEEPER] is not team.ben
    assert suggestion[SessionRole.NOTE_TAKER] is not team.chris
    assert suggestion == {
        SessionRole.CHAIR: team.ben,
        SessionRole.TIMEKEEPER: team.anna,
        SessionRole.NOTE_TAKER: team.dirk,
    }


def test_when_everyone_held_a_role_the_one_who_held_it_longest_ago_gets_it(team):
    for weeks, chair in enumerate((team.chris, team.anna, team.dirk, team.ben)):
        _held_session(team, NOW + timedelta(weeks=weeks), {SessionRole.CHAIR: chair})

    assert _suggest(team)[SessionRole.CHAIR] is team.chris
    assert _suggest(team, case_bringer=team.chris)[SessionRole.CHAIR] is team.anna


def test_only_the_facilitator_asks_for_suggested_roles(team):
    for person in (team.anna, team.coordinator, team.outsider):
        with pytest.raises(NotAllowed):
            live.suggest_roles(team.path, person, team.group_id, None)


# --- starting a session ---------------------------------------------------------------------------


def _changed(method: Method, information_minutes: float) -> Method:
    data = method.model_dump()
    data["phases"][INFORMATION]["minutes"] = information_minutes
    data["total_minutes"] = sum(phase["minutes"] for phase in data["phases"])
    return Method.model_validate(data)


def test_a_session_keeps_the_method_version_it_started_with(team):
    first = method_library.save_custom_method(team.path, team.lead, INCIDENT, now=NOW)
    session_id = _running(team, first.id, now=at(0))

    second = method_library.save_custom_method(team.path, team.lead, _changed(first, 20), now=at(1))
    view = _view(team, session_id, at(2))

    assert (first.version, second.version) == (1, 2)
    assert view.session.method_version == 1
    assert view.method.phases[INFORMATION].minutes == 15
    assert view.method.total_minutes == 50

    live.close_session(team.path, team.lead, session_id, _revision(team, session_id), now=at(3))
    later = _start(team, first.id, now=at(60))
    assert _view(team, later, at(60)).method.phases[INFORMATION].minutes == 20


def test_a_group_has_one_open_session_at_a_time(team):
    first = _start(team, now=at(0))

    with pytest.raises(DomainError) as refused:
        _start(team, "six_hats", now=at(1))

    assert refused.value.key == "session_already_open"
    assert count_rows(team.path, "live_sessions") == 1

    live.close_session(team.path, team.lead, first, _revision(team, first), now=at(2))
    assert _start(team, now=at(3)) != first


def test_a_case_of_another_group_is_refused(team, make_person, make_group):
    south_member = make_person("Sam South")
    south = make_group("Team South", facilitators=(team.lead,), members=(south_member,))
    case_id = cases.submit_case(team.path, south_member, _case_form(south), now=NOW)

    with pytest.raises(DomainError) as refused:
        _start(team, case_id=case_id)

    assert (refused.value.key, refused.value.field) == ("case_not_open", "case_id")
    assert count_rows(team.path, "live_sessions") == 0
    with db.reading(team.path) as conn:
        assert store.case(conn, case_id).status is CaseStatus.SUBMITTED


def test_a_submitted_case_becomes_the_chosen_case_of_the_session(team):
    case_id = cases.submit_case(team.path, team.anna, _case_form(team.group_id), now=NOW)

    session_id = _start(team, now=at(5), case_id=case_id, roles={SessionRole.CASE_BRINGER: [team.anna.id]})

    with db.reading(team.path) as conn:
        case = store.case(conn, case_id)
    view = _view(team, session_id, at(5))
    assert case.status is CaseStatus.CHOSEN and case.chosen_at == at(5)
    assert view.session.case_title == "Een ouder die elke week mailt"
    assert view.roles[SessionRole.CASE_BRINGER] == [store.RoleHolder(person_id=team.anna.id, name="Anna Member")]


def test_a_withdrawn_case_cannot_be_started(team):
    case_id = cases.submit_case(team.path, team.anna, _case_form(team.group_id), now=NOW)
    cases.withdraw_case(team.path, team.anna, case_id, now=at(1))

    with pytest.raises(DomainError) as refused:
        _start(team, case_id=case_id)

    assert refused.value.key == "case_not_open"


def test_a_case_told_on_the_spot_gives_the_session_its_title(team):
    session_id = _start(team, spot_case_title="  A colleague who never answers  ")

    assert _session(team, session_id).case_title == "A colleague who never answers"


@pytest.mark.parametrize("who", ["anna", "coordinator", "outsider"])
def test_only_the_groups_facilitator_starts_a_session(team, who):
    with pytest.raises(NotAllowed):
        _start(team, viewer=getattr(team, who))

    assert count_rows(team.path, "live_sessions") == 0


@pytest.mark.parametrize("who", ["anna", "coordinator", "outsider"])
def test_only_the_groups_facilitator_runs_a_session(team, who):
    session_id = _running(team, now=at(0))
    person = getattr(team, who)
    revision = _revision(team, session_id)
    before = _session(team, session_id)

    for action in (
        lambda: live.move(team.path, person, session_id, revision, 1, now=at(1)),
        lambda: live.pause(team.path, person, session_id, revision, now=at(1)),
        lambda: live.add_minutes(team.path, person, session_id, revision, 5),
        lambda: live.close_session(team.path, person, session_id, revision, now=at(1)),
        lambda: live.console_view(team.path, person, session_id, now=at(1)),
        lambda: live.observe(team.path, person, session_id, "content", now=at(1)),
    ):
        with pytest.raises(NotAllowed):
            action()

    assert _session(team, session_id) == before
    assert count_rows(team.path, "observations") == 0


def test_a_second_facilitator_of_the_group_may_run_it_too(team, make_person):
    co_lead = make_person("Gijs Facilitator", Role.FACILITATOR)
    with db.writing(team.path) as conn:
        store.set_membership(conn, team.group_id, co_lead.id, GroupRole.FACILITATOR, NOW)
    session_id = _running(team, now=at(0))

    live.move(team.path, co_lead, session_id, _revision(team, session_id), 1, now=at(2))

    assert _session(team, session_id).phase_index == EXPLAIN
