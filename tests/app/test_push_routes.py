"""The live change stream (ui/push_routes.py), driven as the web server drives it: an ASGI call per request.

Who may listen is settled before anything is streamed; what is streamed is only a number; a browser that
leaves, breaks off or finds the server stopping ends its stream without a trace in the log; and a flood
of streams is refused before it can tie the server up.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar
from urllib.parse import urlencode

import pytest
from driving import FACILITATOR, PARTICIPANT, person_named
from starlette.applications import Starlette

from intervision import auth, db, live, store
from intervision.config import SESSION_COOKIE
from intervision.database import configured as configured_database
from intervision.models import BoardItemInput, GroupRole, Person, SessionRole, StartSessionInput
from ui import push_routes
from ui.push_routes import CHANGES_ROUTE

GROUP = "Leidinggevenden Zorg"  # Jeroen Bakker facilitates it; Sofie Claes is a member
T = TypeVar("T")
WAIT = 10.0  # seconds a test waits for something that should come at once (a busy machine)


@dataclass(frozen=True)
class Room:
    session_id: int
    projector_token: str
    facilitator: Person
    member: Person
    others_member: Person  # a member of another group only
    others_facilitator: Person  # a facilitator of another group only


def _group_id(name: str) -> int:
    with db.reading() as conn:
        return next(group.id for group, _ in store.groups_of(conn, person_named(FACILITATOR).id) if group.name == name)


def _someone_elsewhere(group_id: int, role: GroupRole) -> Person:
    """Someone with this role in another group and no role at all in this one."""
    with db.reading() as conn:
        rows = conn.execute("SELECT group_id, person_id, group_role FROM memberships").fetchall()
        inside = {person_id for group, person_id, _ in rows if group == group_id}
        outside = next(person for group, person, held in rows if held == role.value and person not in inside)
        return store.person(conn, outside)


@pytest.fixture
def room(demo_db) -> Room:
    facilitator, member = person_named(FACILITATOR), person_named(PARTICIPANT)
    group_id = _group_id(GROUP)
    form = StartSessionInput(
        group_id=group_id, method_id="incident", spot_case_title="Late again", roles={SessionRole.CASE_BRINGER: []}
    )
    session_id = live.start_session(configured_database(), facilitator, form)
    live.begin_phases(configured_database(), facilitator, session_id, 0)
    with db.reading() as conn:
        token = store.live_session(conn, session_id).projector_token
    return Room(
        session_id,
        token,
        facilitator,
        member,
        _someone_elsewhere(group_id, GroupRole.MEMBER),
        _someone_elsewhere(group_id, GroupRole.FACILITATOR),
    )


def _stamp(room: Room) -> int:
    with db.reading() as conn:
        return store.live_session(conn, room.session_id).change_stamp


def _cookie(person: Person) -> str:
    return auth.open_session_for(configured_database(), person.id)


@dataclass
class Stream:
    """One request to the route, as the web server makes it; the test plays the browser."""

    task: asyncio.Task
    inbox: asyncio.Queue = field(default_factory=asyncio.Queue)
    outbox: asyncio.Queue = field(default_factory=asyncio.Queue)
    status: int | None = None
    buffered: bytes = b""

    async def started(self) -> int:
        message = await asyncio.wait_for(self.outbox.get(), WAIT)
        assert message["type"] == "http.response.start"
        self.status = message["status"]
        return self.status

    async def next_piece(self, timeout: float = WAIT) -> str:
        """The next event or comment, whole."""
        while b"\n\n" not in self.buffered:
            message = await asyncio.wait_for(self.outbox.get(), timeout)
            assert message["type"] == "http.response.body"
            self.buffered += message.get("body", b"")
            if not message.get("more_body", False) and b"\n\n" not in self.buffered:
                raise EOFError("the stream ended")
        piece, self.buffered = self.buffered.split(b"\n\n", 1)
        return piece.decode()

    async def next_stamp(self, timeout: float = WAIT) -> int:
        while True:
            piece = await self.next_piece(timeout)
            data = [line.removeprefix("data: ") for line in piece.splitlines() if line.startswith("data: ")]
            if data:
                return json.loads(data[0])["stamp"]

    def leave(self) -> None:
        self.inbox.put_nowait({"type": "http.disconnect"})

    async def ended(self) -> None:
        await asyncio.wait_for(self.task, WAIT)


def _open(session_id: int, *, token: str = "", cookie: str = "", breaks_on_send: bool = False) -> Stream:
    query = {"session": session_id} | ({"token": token} if token else {})
    headers = [(b"host", b"testserver")] + ([(b"cookie", f"{SESSION_COOKIE}={cookie}".encode())] if cookie else [])
    scope = {
        "type": "http", "asgi": {"version": "3.0", "spec_version": "2.4"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": CHANGES_ROUTE, "raw_path": CHANGES_ROUTE.encode(), "root_path": "",
        "query_string": urlencode(query).encode(), "headers": headers, "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }  # fmt: skip
    stream = Stream(task=None)  # type: ignore[arg-type]
    sent_body = False

    async def receive() -> dict:
        return await stream.inbox.get()

    async def send(message: dict) -> None:
        nonlocal sent_body
        if breaks_on_send and message["type"] == "http.response.body":
            if sent_body:
                raise OSError("Connection reset by peer")  # what the server says of a browser that vanished
            sent_body = True
        stream.outbox.put_nowait(message)

    app = Starlette(routes=push_routes.routes)
    stream.task = asyncio.ensure_future(app(scope, receive, send))
    return stream


def _run(test: Callable[[], Awaitable[T]]) -> T:
    return asyncio.run(test())


# --- who may listen -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["signed out", "wrong token", "another group's member", "another group's facilitator",
                                 "a stale sign-in", "a session that does not exist"])  # fmt: skip
def test_whoever_may_not_follow_the_session_gets_403_and_not_a_byte_of_stream(room, who):
    asks = {
        "signed out": {},
        "wrong token": {"token": room.projector_token[:-2] + "xx"},
        "another group's member": {"cookie": _cookie(room.others_member)},
        "another group's facilitator": {"cookie": _cookie(room.others_facilitator)},
        "a stale sign-in": {"cookie": "not-a-sign-in"},
        "a session that does not exist": {"cookie": _cookie(room.member)},
    }[who]
    session_id = room.session_id + (1000 if who == "a session that does not exist" else 0)

    async def test() -> None:
        stream = _open(session_id, **asks)
        assert await stream.started() == 403
        await stream.ended()
        body = b""
        while not stream.outbox.empty():
            body += stream.outbox.get_nowait().get("body", b"")
        assert b"stamp" not in body and b"data:" not in body

    _run(test)
    assert push_routes.open_streams.total == 0


def test_a_member_hears_the_stamp_at_once_and_again_when_the_session_changes_and_nothing_else(room):
    async def test() -> list[int]:
        stream = _open(room.session_id, cookie=_cookie(room.member))
        assert await stream.started() == 200
        heard = [await stream.next_stamp()]
        assert heard == [_stamp(room)], "the current stamp right away: a reconnect catches up"
        await asyncio.to_thread(live.move, configured_database(), room.facilitator, room.session_id, 1, 1)
        heard.append(await stream.next_stamp())
        stream.leave()
        await stream.ended()
        assert stream.buffered == b"", "nothing but stamps (and comments)"
        return heard

    first, second = _run(test)
    assert second == first + 1 == _stamp(room)
    assert push_routes.open_streams.total == 0, "the stream's place is given back"


def test_the_beamer_listens_by_its_token_and_hears_a_phone_s_question(room):
    live.move(configured_database(), room.facilitator, room.session_id, 1, 1)
    live.move(configured_database(), room.facilitator, room.session_id, 2, 1)  # the information round

    async def test() -> tuple[int, int]:
        stream = _open(room.session_id, token=room.projector_token)
        assert await stream.started() == 200
        first = await stream.next_stamp()
        question = BoardItemInput(kind="question", text="Since when?")
        await asyncio.to_thread(live.send_to_board, configured_database(), room.member, room.session_id, question)
        second = await stream.next_stamp()
        stream.leave()
        await stream.ended()
        return first, second

    first, second = _run(test)
    assert second == first + 1 == _stamp(room)


def test_a_quiet_stream_sends_a_heartbeat_comment_so_proxies_keep_it_open(room, monkeypatch):
    monkeypatch.setattr(push_routes, "HEARTBEAT_SECONDS", 0.2)

    async def test() -> str:
        stream = _open(room.session_id, cookie=_cookie(room.member))
        await stream.started()
        await stream.next_stamp()
        comment = await stream.next_piece()
        stream.leave()
        await stream.ended()
        return comment

    assert _run(test).startswith(":"), "a comment, which EventSource ignores"


# --- leaving quietly --------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["closes the tab", "vanishes (the connection breaks)", "meets a stopping server"])
def test_a_stream_ends_quietly_however_its_browser_goes(room, how, monkeypatch, caplog):
    monkeypatch.setattr(push_routes, "HEARTBEAT_SECONDS", 0.1)  # a vanished browser is noticed at the next write
    caplog.set_level(logging.DEBUG)

    async def test() -> None:
        stream = _open(room.session_id, cookie=_cookie(room.member), breaks_on_send=how.startswith("vanishes"))
        await stream.started()
        await stream.next_stamp()
        if how == "closes the tab":
            stream.leave()
        elif how == "meets a stopping server":
            push_routes._server_exiting().set()
        await stream.ended()
        assert stream.task.exception() is None

    _run(test)
    assert push_routes.open_streams.total == 0
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING or record.exc_info]


def test_many_browsers_leaving_at_once_leave_no_stream_open_and_nothing_in_the_log(room, caplog):
    caplog.set_level(logging.DEBUG)
    people = [_cookie(room.member) for _ in range(push_routes.STREAMS_PER_PERSON)]

    async def test() -> None:
        # The beamer's token and the member's sign-ins, each as many times as one listener may.
        streams = [_open(room.session_id, cookie=cookie) for cookie in people]
        streams += [_open(room.session_id, token=room.projector_token) for _ in range(push_routes.STREAMS_PER_PERSON)]
        assert [await stream.started() for stream in streams] == [200] * len(streams)
        await asyncio.gather(*(stream.next_stamp() for stream in streams))
        await asyncio.to_thread(live.pause, configured_database(), room.facilitator, room.session_id, 1)
        await asyncio.gather(*(stream.next_stamp() for stream in streams))
        for stream in streams:
            stream.leave()
        await asyncio.gather(*(stream.ended() for stream in streams))

    _run(test)
    assert push_routes.open_streams.total == 0
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING or record.exc_info]


# --- a flood ------------------------------------------------------------------------------------------


def test_one_person_cannot_open_more_than_their_share_of_streams(room):
    cookie = _cookie(room.member)

    async def test() -> list[int]:
        streams = [_open(room.session_id, cookie=cookie) for _ in range(push_routes.STREAMS_PER_PERSON + 2)]
        statuses = [await stream.started() for stream in streams]
        other = _open(room.session_id, token=room.projector_token)
        statuses.append(await other.started())
        for stream in [*streams, other]:
            stream.leave()
        await asyncio.gather(*(stream.ended() for stream in [*streams, other]))
        return statuses

    statuses = _run(test)
    # The requests are answered in whatever order their checks finish: count, do not line up.
    *hers, beamer = statuses
    assert sorted(hers) == [200] * push_routes.STREAMS_PER_PERSON + [429, 429]
    assert beamer == 200, "the beamer still gets in"
    assert push_routes.open_streams.total == 0


def test_the_process_refuses_streams_beyond_its_cap(room, monkeypatch):
    monkeypatch.setenv("INTERVISION_LIVE_STREAMS", "3")
    cookies = [_cookie(person) for person in (room.member, room.facilitator)]

    async def test() -> list[int]:
        streams = [_open(room.session_id, cookie=cookies[index % 2]) for index in range(4)]
        statuses = [await stream.started() for stream in streams]
        for stream in streams:
            stream.leave()
        await asyncio.gather(*(stream.ended() for stream in streams))
        return statuses

    assert sorted(_run(test)) == [200, 200, 200, 429]  # in whatever order their checks finish
