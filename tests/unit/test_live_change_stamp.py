"""The change stamp live screens listen to, and the feed that tells them (on both engines).

Every write that a live screen of a session shows advances the session's stamp, in the same unit of work;
the console's revision (its guard against double clicks) moves only with the session's own steps. The
facilitator's observation log does not move the stamp: the beamer and the phones hear the stamp, and a
stamp that moved with nothing visible would tell the room when the facilitator noted something.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from unit_support import NOW, at

from intervision import db, live, store
from intervision.live_feed import ChangeFeed
from intervision.models import (
    ActionItemInput,
    BoardItemInput,
    ChangeStamp,
    LiveSession,
    ObservationDetailsInput,
    Person,
    RatingInput,
    Role,
    SessionRole,
    StartSessionInput,
)

INFORMATION = 2  # the incident method's information round collects questions


@dataclass(frozen=True)
class Room:
    path: Path
    lead: Person
    anna: Person  # the case bringer
    ben: Person
    outsider: Person
    other_lead: Person  # facilitates another group
    group_id: int
    session_id: int


@pytest.fixture
def room(path, make_person, make_group) -> Room:
    lead = make_person("Fenna Facilitator", Role.FACILITATOR)
    other_lead = make_person("Otto Otherfacilitator", Role.FACILITATOR)
    anna, ben = make_person("Anna Member"), make_person("Ben Member")
    outsider = make_person("Olga Outsider")
    group_id = make_group("Team North", facilitators=(lead,), members=(anna, ben))
    make_group("Team South", facilitators=(other_lead,), members=(outsider,))
    form = StartSessionInput(group_id=group_id, method_id="incident", roles={SessionRole.CASE_BRINGER: [anna.id]})
    session_id = live.start_session(path, lead, form, now=NOW)
    return Room(path, lead, anna, ben, outsider, other_lead, group_id, session_id)


def _session(room: Room) -> LiveSession:
    with db.reading(room.path) as conn:
        return store.live_session(conn, room.session_id)


def _to_phase(room: Room, phase: int) -> None:
    live.begin_phases(room.path, room.lead, room.session_id, _session(room).revision, now=at(0))
    for step in range(phase):
        live.move(room.path, room.lead, room.session_id, _session(room).revision, 1, now=at(step + 1))


def _question(room: Room, text: str = "What did you say then?") -> int:
    return live.send_to_board(
        room.path, room.ben, room.session_id, BoardItemInput(kind="question", text=text), now=at(INFORMATION + 0.5)
    )


def _action_item(room: Room) -> int:
    form = ActionItemInput(text="Call the client", owner_id=room.anna.id, due_date=date(2025, 4, 1))
    return live.add_action_item(room.path, room.lead, room.session_id, form, now=at(10))


def _closing(room: Room) -> None:
    _to_phase(room, INFORMATION)
    for step in range(6 - INFORMATION):
        live.move(room.path, room.lead, room.session_id, _session(room).revision, 1, now=at(10 + step))


# Each kind of live write, done once the session is in a moment that allows it; the stamp must move with it.
WRITES: dict[str, tuple[Callable[[Room], None], Callable[[Room], None]]] = {
    "presence": (lambda room: None, lambda room: live.set_present(room.path, room.lead, room.session_id, room.ben.id,
                                                                  True)),
    "presence taken back": (
        lambda room: live.set_present(room.path, room.lead, room.session_id, room.ben.id, True),
        lambda room: live.set_present(room.path, room.lead, room.session_id, room.ben.id, None),
    ),
    "phases begin": (lambda room: None, lambda room: _to_phase(room, 0)),
    "next phase": (lambda room: _to_phase(room, 0), lambda room: live.move(
        room.path, room.lead, room.session_id, _session(room).revision, 1, now=at(1))),
    "pause": (lambda room: _to_phase(room, 0), lambda room: live.pause(
        room.path, room.lead, room.session_id, _session(room).revision, now=at(0.5))),
    "five more minutes": (lambda room: _to_phase(room, 0), lambda room: live.add_minutes(
        room.path, room.lead, room.session_id, _session(room).revision, 5, now=at(0.5))),
    "question from a phone": (lambda room: _to_phase(room, INFORMATION), _question),
    "helpful mark": (
        lambda room: (_to_phase(room, INFORMATION), _question(room)),
        lambda room: live.mark_helpful(room.path, room.anna, room.session_id, store_board_ids(room)[0], True),
    ),
    "action item": (lambda room: _to_phase(room, 0), _action_item),
    "action item confirmed": (
        lambda room: (_to_phase(room, 0), _action_item(room)),
        lambda room: live.confirm_action_item(room.path, room.lead, room.session_id, action_ids(room)[0], True),
    ),
    "all action items confirmed": (
        lambda room: (_to_phase(room, 0), _action_item(room)),
        lambda room: live.confirm_all_action_items(room.path, room.lead, room.session_id),
    ),
    "action item done": (
        lambda room: (_to_phase(room, 0), _action_item(room)),
        lambda room: live.set_action_item_done(room.path, room.lead, room.session_id, action_ids(room)[0], True),
    ),
    "the bringer's choice": (lambda room: _to_phase(room, 0), lambda room: live.record_bringer_choice(
        room.path, room.lead, room.session_id, "The second advice")),
    "rating": (_closing, lambda room: live.rate(room.path, room.ben, room.session_id, RatingInput(usefulness=4),
                                                now=at(20))),
    "closing": (_closing, lambda room: live.close_session(
        room.path, room.lead, room.session_id, _session(room).revision, now=at(30))),
}  # fmt: skip


def store_board_ids(room: Room) -> list[int]:
    with db.reading(room.path) as conn:
        return [item.id for item in store.board_items(conn, room.session_id)]


def action_ids(room: Room) -> list[int]:
    with db.reading(room.path) as conn:
        return [item.id for item in store.action_items(conn, room.session_id)]


@pytest.mark.parametrize("write", WRITES, ids=list(WRITES))
def test_every_live_write_advances_the_session_s_change_stamp(room, write):
    prepare, act = WRITES[write]
    prepare(room)
    before = _session(room).change_stamp
    act(room)
    assert _session(room).change_stamp > before, f"{write} did not move the stamp"


# What participants add to the board; everything else in WRITES is more than that.
CONTRIBUTIONS = ("question from a phone", "helpful mark")


@pytest.mark.parametrize("write", WRITES, ids=list(WRITES))
def test_a_stamp_tells_what_participants_added_from_the_session_moving_on(room, write):
    """Phones draw a room's questions a little later, but the next phase, a pause or a rating at once."""
    prepare, act = WRITES[write]
    prepare(room)
    before = _session(room).stamp
    act(room)
    after = _session(room).stamp
    if write in CONTRIBUTIONS:
        assert after.contributions > before.contributions and after.moments == before.moments
    else:
        assert after.moments > before.moments and after.contributions == before.contributions


def test_a_board_item_moves_the_stamp_but_not_the_revision_the_console_s_controls_hold(room):
    """A phone's question must not make the console say "the session moved on" when the facilitator clicks."""
    _to_phase(room, INFORMATION)
    before = _session(room)
    _question(room)
    after = _session(room)
    assert after.change_stamp == before.change_stamp + 1
    assert after.revision == before.revision
    live.move(room.path, room.lead, room.session_id, before.revision, 1, now=at(INFORMATION + 1))
    assert _session(room).phase_index == INFORMATION + 1, "the console's click on its revision still counts"


def test_a_refused_write_leaves_the_stamp_where_it_was(room):
    _to_phase(room, 0)  # the first phase collects no questions
    before = _session(room).change_stamp
    with pytest.raises(Exception, match="phase_does_not_collect"):
        _question(room)
    assert _session(room).change_stamp == before


def test_the_facilitator_s_observations_do_not_move_the_stamp_the_room_hears(room):
    _to_phase(room, 0)
    before = _session(room).change_stamp
    pressed = live.observe(room.path, room.lead, room.session_id, "procedure", now=at(0.5))
    live.describe_observation(
        room.path, room.lead, room.session_id, pressed, ObservationDetailsInput(category=None, note="Ben interrupts")
    )
    live.take_back(room.path, room.lead, room.session_id, pressed)
    # Time runs over and the console logs the overrun by itself: an observation too.
    live.log_overrun_if_due(room.path, room.session_id, now=at(60))
    assert len(live.observations(room.path, room.lead, room.session_id)) == 1, "the overrun was logged"
    assert _session(room).change_stamp == before


def test_who_may_follow_a_session_hears_its_stamp_and_nobody_else(room):
    stamp = _session(room).stamp
    token = _session(room).projector_token
    follows = live.stamp_to_follow
    assert follows(room.path, room.session_id, person=room.ben) == stamp, "a member"
    assert follows(room.path, room.session_id, person=room.lead) == stamp, "its facilitator"
    assert follows(room.path, room.session_id, projector_token=token) == stamp, "the beamer by its token"
    assert follows(room.path, room.session_id, person=room.outsider) is None, "a member of another group"
    assert follows(room.path, room.session_id, person=room.other_lead) is None, "another group's facilitator"
    assert follows(room.path, room.session_id) is None, "nobody signed in"
    assert follows(room.path, room.session_id, projector_token=token[:-1] + "x") is None, "a wrong token"
    assert follows(room.path, room.session_id + 1000, person=room.ben) is None, "a session that does not exist"


def test_change_stamps_are_read_for_many_sessions_in_one_go(room):
    _to_phase(room, 0)
    stamps = live.change_stamps(room.path, [room.session_id, room.session_id + 1000])
    assert stamps == {room.session_id: _session(room).stamp}


# --- the feed ---------------------------------------------------------------------------------------------


def test_the_feed_wakes_a_listener_when_its_session_changes_and_stops_watching_when_nobody_listens(room):
    _to_phase(room, INFORMATION)

    async def listen() -> tuple[ChangeStamp | None, bool, bool]:
        feed = ChangeFeed(room.path, watch_seconds=0.02)
        start = _session(room).stamp
        async with feed.listen(room.session_id, start) as listener:
            assert await listener.next_stamp(0.3) is None, "nothing changed, so nothing is heard"
            await asyncio.to_thread(_question, room)
            heard = await listener.next_stamp(10)
            watching_while_listening = feed.watching
        await asyncio.sleep(0.2)
        return heard, watching_while_listening, feed.watching

    heard, watching_while_listening, watching_after = asyncio.run(listen())
    assert heard == _session(room).stamp
    assert watching_while_listening and not watching_after, "an idle feed asks the database nothing"


def test_the_feed_tells_a_late_listener_of_a_change_it_missed_and_leaves_other_sessions_alone(room, make_group):
    """A screen that read stamp n just before a change hears n+1 even if it subscribes after the change."""
    _to_phase(room, INFORMATION)
    other_group = make_group("Team West", facilitators=(room.lead,), members=(room.ben,))
    quiet = live.start_session(room.path, room.lead, StartSessionInput(group_id=other_group, method_id="incident"),
                               now=NOW)  # fmt: skip

    async def listen() -> tuple[ChangeStamp | None, ChangeStamp | None]:
        feed = ChangeFeed(room.path, watch_seconds=0.02)
        stale = _session(room).stamp
        async with feed.listen(quiet, ChangeStamp(0, 0)) as other:
            await asyncio.sleep(0.1)  # the feed is watching and has read the stamps
            await asyncio.to_thread(_question, room)
            async with feed.listen(room.session_id, stale) as late:
                heard = await late.next_stamp(10)
            return heard, await other.next_stamp(0.3)

    heard, other_heard = asyncio.run(listen())
    assert heard == _session(room).stamp
    assert other_heard is None, "a change in one session wakes nobody listening to another"
