"""Speaking rounds: a fair order among who is here, a share of the phase per speaker, "next" and "I'm done".

Team North: one facilitator, four members; Anna brings the case. The incident method's diagnosis (phase 4)
is a round in which the case bringer only listens; its first phase (choose the incident) is one in which
everyone speaks, the case bringer too.
"""

from __future__ import annotations

import random

import pytest
from unit_support import NOW, at, count_rows

from intervision import groups, live, rounds, store
from intervision.database import Database
from intervision.errors import DomainError, NotAllowed
from intervision.methods import built_in_library
from intervision.models import Person, Role, SessionRole, StartSessionInput

INCIDENT = built_in_library().methods["incident"]
CHOOSE, EXPLAIN, INFORMATION, DIAGNOSIS, SOLUTIONS, CHOICE = range(6)


@pytest.fixture
def team(path, coordinator, make_person, make_group):
    lead = make_person("Fenna Facilitator", Role.FACILITATOR)
    people = [make_person(f"{name} Member") for name in ("Anna", "Ben", "Chris", "Dirk")]
    outsider = make_person("Olga Outsider")
    group_id = make_group("Team North", facilitators=(lead,), members=tuple(people))
    other_group = make_group("Team South", members=(outsider,))
    return {"path": path, "lead": lead, "anna": people[0], "members": people, "outsider": outsider,
            "group_id": group_id, "other_group": other_group}  # fmt: skip


def _session(team, now=NOW) -> int:
    form = StartSessionInput(
        group_id=team["group_id"],
        method_id="incident",
        spot_case_title="Een ouder die elke week mailt",
        roles={SessionRole.CASE_BRINGER: [team["anna"].id]},
    )
    session_id = live.start_session(team["path"], team["lead"], form, now=now)
    live.begin_phases(team["path"], team["lead"], session_id, _view(team, session_id, now).session.revision, now=now)
    return session_id


def _view(team, session_id: int, now) -> live.SessionView:
    return live.console_view(team["path"], team["lead"], session_id, now=now)


def _go_to(team, session_id: int, phase_index: int, now) -> None:
    while (view := _view(team, session_id, now)).session.phase_index < phase_index:
        live.move(team["path"], team["lead"], session_id, view.session.revision, 1, now=now)


def _round(team, session_id: int, now) -> rounds.RoundView:
    rounds.draw(team["path"], team["lead"], session_id, now=now)
    found = rounds.current_round(team["path"], _view(team, session_id, now), now=now)
    assert found is not None
    return found


def _order(found: rounds.RoundView) -> list[int]:
    return [turn.person_id for turn in found.order if not turn.skipped]


def _next(team, session_id: int, found: rounds.RoundView, now) -> bool:
    speaking = found.speaker.person_id if found.speaker else None
    return rounds.next_speaker(team["path"], team["lead"], session_id, found.phase_index, speaking, now=now)


# --- who takes part, in which order --------------------------------------------------------------


def test_the_case_bringer_is_left_out_of_a_round_in_which_they_listen(team):
    session_id = _session(team)
    _go_to(team, session_id, DIAGNOSIS, at(30))

    order = _order(_round(team, session_id, at(30)))

    others = {person.id for person in team["members"][1:]}
    assert sorted(order) == sorted(others), "every other member once, the case bringer and facilitator not"
    assert len(order) == len(set(order))


def test_in_a_round_everyone_speaks_in_the_case_bringer_speaks_too(team):
    session_id = _session(team)

    order = _order(_round(team, session_id, at(0)))

    assert sorted(order) == sorted(person.id for person in team["members"])


def test_a_member_marked_absent_is_left_out_and_one_not_asked_yet_counts_as_here(team):
    ben, chris = team["members"][1], team["members"][2]
    session_id = _session(team)
    live.set_present(team["path"], team["lead"], session_id, ben.id, False)
    live.set_present(team["path"], team["lead"], session_id, chris.id, True)

    order = _order(_round(team, session_id, at(0)))

    assert ben.id not in order
    assert chris.id in order
    assert len(order) == 3


def test_a_phase_that_is_no_round_gets_no_order(team):
    session_id = _session(team)
    _go_to(team, session_id, INFORMATION, at(20))

    rounds.draw(team["path"], team["lead"], session_id, now=at(20))

    assert rounds.current_round(team["path"], _view(team, session_id, at(20))) is None


def test_the_facilitator_takes_part_only_where_the_phase_has_the_facilitator_speak():
    phase = INCIDENT.phases[CHOOSE]
    speaking_facilitator = phase.model_copy(update={"speakers": [*phase.speakers, "facilitator"]})

    assert rounds.takes_part(phase, [1, 2, 3], {}, set(), facilitator_id=3) == [1, 2]
    assert rounds.takes_part(speaking_facilitator, [1, 2], {}, set(), facilitator_id=9) == [1, 2, 9]


@pytest.mark.parametrize("seed", range(5))
def test_the_draw_puts_everyone_in_once_and_whoever_opened_fewest_rounds_first(seed):
    people = [11, 12, 13, 14]
    chance = random.Random(seed)
    openers: list[int] = []
    for _ in range(len(people)):
        order = rounds.draw_order(people + [12], openers, chance)
        assert sorted(order) == people
        openers.append(order[0])

    assert sorted(openers) == people, "in four rounds each of the four opened one"


def test_the_draw_is_not_always_the_same_order():
    orders = {tuple(rounds.draw_order([1, 2, 3, 4, 5], [])) for _ in range(40)}

    assert len(orders) > 1


def test_the_opener_rotates_across_the_rounds_of_a_session(team):
    session_id = _session(team)
    opened: dict[int, int] = {}
    for phase_index, minute in ((CHOOSE, 0), (DIAGNOSIS, 30), (SOLUTIONS, 40), (CHOICE, 50)):
        _go_to(team, session_id, phase_index, at(minute))
        order = _order(_round(team, session_id, at(minute)))
        # Whoever opens had opened no more rounds than anyone else in this one.
        assert opened.get(order[0], 0) == min(opened.get(person_id, 0) for person_id in order)
        opened[order[0]] = opened.get(order[0], 0) + 1

    # Four rounds, three of them without the case bringer: nobody opened more than two, and three people did.
    assert max(opened.values()) <= 2
    assert len(opened) >= 3


def test_a_second_console_finds_the_order_drawn_already(team):
    session_id = _session(team)
    first = _order(_round(team, session_id, at(0)))

    rounds.draw(team["path"], team["lead"], session_id, now=at(1))

    assert _order(_round(team, session_id, at(1))) == first


# --- the share, the speaker's clock, next ----------------------------------------------------------


def test_the_phase_minutes_are_shared_out_and_the_clock_runs_over_in_red(team):
    session_id = _session(team)
    _go_to(team, session_id, DIAGNOSIS, at(30))
    found = _round(team, session_id, at(30))
    assert found.share_seconds == 7.5 * 60 / 3
    assert found.speaker is None and not found.started

    assert _next(team, session_id, found, at(30))
    speaking = rounds.current_round(team["path"], _view(team, session_id, at(31)), now=at(31))

    assert speaking.speaker.person_id == found.order[0].person_id
    assert speaking.next_speaker.person_id == found.order[1].person_id
    assert speaking.clock.remaining_seconds == 150 - 60
    over = rounds.current_round(team["path"], _view(team, session_id, at(33)), now=at(33))
    assert over.clock.colour == "red" and over.clock.remaining_seconds == -30


def test_a_pause_stops_the_speakers_clock_too(team):
    session_id = _session(team)
    _go_to(team, session_id, DIAGNOSIS, at(30))
    _next(team, session_id, _round(team, session_id, at(30)), at(30))
    live.pause(team["path"], team["lead"], session_id, _view(team, session_id, at(31)).session.revision, now=at(31))
    live.resume(team["path"], team["lead"], session_id, _view(team, session_id, at(35)).session.revision, now=at(35))

    found = rounds.current_round(team["path"], _view(team, session_id, at(35.5)), now=at(35.5))

    assert found.clock.elapsed_seconds == 90


def test_next_goes_through_the_order_and_the_last_one_ends_the_round_not_the_phase(team):
    session_id = _session(team)
    _go_to(team, session_id, DIAGNOSIS, at(30))
    found = _round(team, session_id, at(30))
    heard = []
    for minute in range(4):
        assert _next(team, session_id, found, at(30 + minute))
        found = rounds.current_round(team["path"], _view(team, session_id, at(30 + minute)), now=at(30 + minute))
        if found.speaker:
            heard.append(found.speaker.person_id)

    assert heard == _order(found)
    assert found.finished and found.speaker is None and found.next_speaker is None
    assert _view(team, session_id, at(34)).session.phase_index == DIAGNOSIS
    assert not _next(team, session_id, found, at(35)), "nothing left to start"


def test_a_second_press_about_the_same_speaker_does_nothing(team):
    session_id = _session(team)
    _go_to(team, session_id, DIAGNOSIS, at(30))
    found = _round(team, session_id, at(30))
    _next(team, session_id, found, at(30))
    shown = rounds.current_round(team["path"], _view(team, session_id, at(31)), now=at(31))

    assert _next(team, session_id, shown, at(31))
    assert not _next(team, session_id, shown, at(31)), "the same console's double click"

    now = rounds.current_round(team["path"], _view(team, session_id, at(31)), now=at(31))
    assert now.speaker.person_id == found.order[1].person_id


# --- adjusting the order -------------------------------------------------------------------------


def test_the_facilitator_moves_someone_up_skips_someone_and_adds_someone_back(team):
    anna = team["anna"]
    session_id = _session(team)
    _go_to(team, session_id, DIAGNOSIS, at(30))
    first, second, third = _order(_round(team, session_id, at(30)))

    rounds.move_speaker(team["path"], team["lead"], session_id, DIAGNOSIS, third, -1)
    assert _order(_round(team, session_id, at(30))) == [first, third, second]

    rounds.leave_out(team["path"], team["lead"], session_id, DIAGNOSIS, first)
    found = _round(team, session_id, at(30))
    assert _order(found) == [third, second]
    assert found.share_seconds == 7.5 * 60 / 2

    rounds.leave_out(team["path"], team["lead"], session_id, DIAGNOSIS, first, left_out=False)
    assert anna.id in rounds.people_to_add(team["path"], team["lead"], session_id, DIAGNOSIS)
    rounds.add_speaker(team["path"], team["lead"], session_id, DIAGNOSIS, anna.id)
    assert _order(_round(team, session_id, at(30))) == [first, third, second, anna.id]


def test_someone_outside_the_group_cannot_be_added(team):
    session_id = _session(team)
    _round(team, session_id, at(0))

    with pytest.raises(DomainError):
        rounds.add_speaker(team["path"], team["lead"], session_id, CHOOSE, team["outsider"].id)


def test_a_change_to_the_round_of_a_phase_left_is_refused(team):
    session_id = _session(team)
    order = _order(_round(team, session_id, at(0)))
    _go_to(team, session_id, EXPLAIN, at(10))

    with pytest.raises(DomainError) as refused:
        rounds.move_speaker(team["path"], team["lead"], session_id, CHOOSE, order[1], -1)
    assert refused.value.key == "session_moved_on"


# --- "I'm done" from the phone, and who may do what ------------------------------------------------


def _person(team, person_id: int) -> Person:
    return next(person for person in team["members"] if person.id == person_id)


def test_the_current_speaker_says_done_and_the_next_one_speaks(team):
    session_id = _session(team)
    _go_to(team, session_id, DIAGNOSIS, at(30))
    found = _round(team, session_id, at(30))
    _next(team, session_id, found, at(30))
    first, second = (_person(team, person_id) for person_id in _order(found)[:2])

    assert not rounds.done_speaking(team["path"], second, session_id, DIAGNOSIS, now=at(31)), "not their turn"
    assert rounds.done_speaking(team["path"], first, session_id, DIAGNOSIS, now=at(31))
    assert not rounds.done_speaking(team["path"], first, session_id, DIAGNOSIS, now=at(31)), "a double press"

    now = rounds.current_round(team["path"], _view(team, session_id, at(31)), now=at(31))
    assert now.speaker.person_id == second.id
    assert next(turn for turn in now.order if turn.person_id == first.id).spoke_at == at(31)


def test_a_participant_cannot_steer_the_round_and_an_outsider_gets_nothing(team):
    ben = team["members"][1]
    session_id = _session(team)
    found = _round(team, session_id, at(0))
    code = _view(team, session_id, at(0)).session.join_code

    with pytest.raises(NotAllowed):
        rounds.next_speaker(team["path"], ben, session_id, CHOOSE, None, now=at(1))
    with pytest.raises(NotAllowed):
        rounds.move_speaker(team["path"], ben, session_id, CHOOSE, found.order[0].person_id, 1)
    with pytest.raises(NotAllowed):
        rounds.draw(team["path"], ben, session_id)
    with pytest.raises((NotAllowed, DomainError)):
        live.participant_view(team["path"], team["outsider"], code)
    with pytest.raises((NotAllowed, DomainError)):
        rounds.done_speaking(team["path"], team["outsider"], session_id, CHOOSE, now=at(1))
    with pytest.raises(NotAllowed):
        rounds.next_speaker(team["path"], team["outsider"], session_id, CHOOSE, None, now=at(1))


def test_a_restart_brings_back_the_same_speaker_and_their_time(team):
    session_id = _session(team)
    _go_to(team, session_id, DIAGNOSIS, at(30))
    found = _round(team, session_id, at(30))
    _next(team, session_id, found, at(30))
    _next(team, session_id, rounds.current_round(team["path"], _view(team, session_id, at(32))), at(32))
    before = rounds.current_round(team["path"], _view(team, session_id, at(33)), now=at(33))

    restarted = Database(team["path"].url)
    try:
        console = live.console_view(restarted, team["lead"], session_id, now=at(33))
        after = rounds.current_round(restarted, console, now=at(33))
        phone_view = live.participant_view(restarted, team["members"][1], console.session.join_code, now=at(33))
        on_phone = rounds.current_round(restarted, phone_view, now=at(33))
        on_projector = rounds.current_round(
            restarted, live.projector_view(restarted, console.session.projector_token, now=at(33)), now=at(33)
        )
    finally:
        restarted.dispose()

    assert before.speaker.person_id == found.order[1].person_id
    assert before.clock.elapsed_seconds == 60
    for view in (after, on_phone, on_projector):
        assert view == before


def test_deleting_the_group_deletes_its_rounds(team, coordinator):
    session_id = _session(team)
    _round(team, session_id, at(0))
    assert count_rows(team["path"], "speaking_turns") == 4

    groups.delete_group(team["path"], coordinator, team["group_id"], now=at(1))

    assert count_rows(team["path"], "speaking_rounds") == count_rows(team["path"], "speaking_turns") == 0


def test_every_change_to_a_round_advances_the_stamp_the_live_screens_listen_to(team):
    """The projector and the phones redraw when the stamp moves: drawing, reordering, leaving out, adding, the
    next speaker and "I'm done" each move it; a press that changes nothing does not."""
    session_id = _session(team)
    _go_to(team, session_id, DIAGNOSIS, at(30))

    def stamp() -> int:
        return _view(team, session_id, at(30)).session.change_stamp

    def moves(change) -> bool:
        before = stamp()
        change()
        return stamp() > before

    path, lead = team["path"], team["lead"]
    assert moves(lambda: rounds.draw(path, lead, session_id, now=at(30)))
    first, second, third = _order(_round(team, session_id, at(30)))
    assert moves(lambda: rounds.move_speaker(path, lead, session_id, DIAGNOSIS, third, -1))
    assert moves(lambda: rounds.leave_out(path, lead, session_id, DIAGNOSIS, first))
    assert moves(lambda: rounds.add_speaker(path, lead, session_id, DIAGNOSIS, team["anna"].id))
    assert moves(lambda: rounds.next_speaker(path, lead, session_id, DIAGNOSIS, None, now=at(30)))
    speaker = _round(team, session_id, at(31)).speaker
    member = next(person for person in team["members"] if person.id == speaker.person_id)
    assert moves(lambda: rounds.done_speaking(path, member, session_id, DIAGNOSIS, now=at(31)))
    assert not moves(lambda: rounds.done_speaking(path, member, session_id, DIAGNOSIS, now=at(31))), "said twice"


def test_a_console_drawing_a_round_as_the_session_moves_on_draws_nothing_and_fails_not(team, monkeypatch):
    """Another console or a phone moves the session on between the console's look and its drawing of the order:
    the console is drawn again for the new phase, so this drawing quietly does nothing."""
    session_id = _session(team)
    round_phase = next(index for index, phase in enumerate(INCIDENT.phases) if phase.round)
    _go_to(team, session_id, round_phase, at(20))
    method_of = rounds.session_method

    def moved_on_meanwhile(database, session):
        live.move(
            team["path"], team["lead"], session_id, _view(team, session_id, at(20)).session.revision, 1, now=at(20)
        )
        monkeypatch.setattr(rounds, "session_method", method_of)
        return method_of(database, session)

    monkeypatch.setattr(rounds, "session_method", moved_on_meanwhile)
    rounds.draw(team["path"], team["lead"], session_id, now=at(20))

    assert _view(team, session_id, at(20)).session.phase_index == round_phase + 1
    with team["path"].reading() as db:
        assert store.speaking_round(db, session_id, round_phase) is None
