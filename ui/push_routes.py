"""The live change stream: a server-sent event stream per live screen, saying only that its session changed.

`GET /_intervision/live/changes?session=<id>` (the beamer adds `&token=<projector token>`) answers, once the
caller may follow that session, with `{"stamp": n, "contributions": c}` at once (so a reconnecting screen
catches up), again on each change, and a comment every HEARTBEAT_SECONDS so that proxies keep the connection
open. `c` counts the changes that were only participants adding to the board (phones may draw those a little
later). Never any content: the screen's own fragment reads what changed over Streamlit's websocket, under its
own guard.

Who may listen is settled before a byte is streamed: the beamer by its session's projector token, anyone else
by the sign-in cookie of a member or facilitator of the session's group. Anyone else gets 403. Streams are
capped per process and per person (or beamer), so that a flood of requests cannot tie the server up; a
browser that goes away ends its stream quietly, whether it said goodbye or the connection simply broke.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
from collections import Counter
from collections.abc import Callable, Hashable
from contextlib import suppress
from types import FrameType

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send

from intervision import auth, live
from intervision.config import SESSION_COOKIE
from intervision.database import Database
from intervision.database import configured as configured_database
from intervision.live_feed import ChangeFeed
from intervision.models import ChangeStamp

log = logging.getLogger("intervision.push")

CHANGES_ROUTE = "/_intervision/live/changes"
HEARTBEAT_SECONDS = 20.0
RECONNECT_MS = 2000  # how long a browser waits before it opens the stream again after it broke
# One stream per open live screen. A person has a phone and perhaps a laptop with the console and a second tab;
# more than this from one person (or one beamer's token) is a loop or an attack, not a room.
STREAMS_PER_PERSON = 8


def streams_per_process() -> int:
    """`INTERVISION_LIVE_STREAMS` (1000): a room of twelve has about fourteen screens open."""
    return int(os.environ.get("INTERVISION_LIVE_STREAMS") or 1000)


class OpenStreams:
    """How many streams are open, in all and per person or beamer; lives on the event loop, so no lock."""

    def __init__(self) -> None:
        self.per_listener: Counter[Hashable] = Counter()

    @property
    def total(self) -> int:
        return sum(self.per_listener.values())

    def admit(self, listener: Hashable) -> bool:
        if self.total >= streams_per_process() or self.per_listener[listener] >= STREAMS_PER_PERSON:
            return False
        self.per_listener[listener] += 1
        return True

    def release(self, listener: Hashable) -> None:
        self.per_listener[listener] -= 1
        if self.per_listener[listener] <= 0:
            del self.per_listener[listener]


open_streams = OpenStreams()
_feeds: dict[Database, ChangeFeed] = {}


def feed_for(database: Database) -> ChangeFeed:
    """The process's change feed for this store, on the running event loop (a test's server has its own)."""
    feed = _feeds.get(database)
    if feed is None or feed.loop is not asyncio.get_running_loop():
        feed = _feeds[database] = ChangeFeed(database)
    return feed


def _who_listens(database: Database, session_id: int, token: str, cookie: str) -> tuple[Hashable, ChangeStamp] | None:
    """Who asks (a person, or a beamer by its token) and the session's stamp; None when they may not follow it."""
    if token:
        stamp = live.stamp_to_follow(database, session_id, projector_token=token)
        return (("beamer", token), stamp) if stamp is not None else None
    person = auth.signed_in_person(database, cookie) if cookie else None
    if person is None:
        return None
    stamp = live.stamp_to_follow(database, session_id, person=person)
    return (("person", person.id), stamp) if stamp is not None else None


async def _changes(request: Request) -> Response | ChangeStream:
    try:
        session_id = int(request.query_params.get("session", ""))
    except ValueError:
        return PlainTextResponse("session?", status_code=400)
    database = configured_database()
    token = request.query_params.get("token", "")
    cookie = request.cookies.get(SESSION_COOKIE, "")
    allowed = await asyncio.to_thread(_who_listens, database, session_id, token, cookie)
    if allowed is None:
        return PlainTextResponse("", status_code=403)
    listener, stamp = allowed
    if not open_streams.admit(listener):
        # 429 with Retry-After: EventSource gives up on an error status, so the screen keeps its safety timer.
        return PlainTextResponse("", status_code=429, headers={"Retry-After": "30"})
    return ChangeStream(feed_for(database), session_id, stamp, listener)


def _event(stamp: ChangeStamp) -> bytes:
    """How far the session changed, and how much of it was participants adding to the board (models.ChangeStamp)."""
    return f"data: {json.dumps({'stamp': stamp.change, 'contributions': stamp.contributions})}\n\n".encode()


class ChangeStream:
    """The stream itself, as a plain ASGI response: it ends quietly when the browser goes away.

    Starlette's StreamingResponse notices a browser that left only at its next write (up to a heartbeat
    later) and then raises; this one also listens for the disconnect and simply stops.
    """

    def __init__(self, feed: ChangeFeed, session_id: int, stamp: ChangeStamp, listener: Hashable) -> None:
        self.feed = feed
        self.session_id = session_id
        self.stamp = stamp
        self.listener = listener

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        tasks = {
            asyncio.ensure_future(self._stream(send)),
            asyncio.ensure_future(_until_disconnect(receive)),
            asyncio.ensure_future(_server_exiting().wait()),
        }
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                # A write to a browser that is gone fails with an OSError: that browser simply left.
                if (error := task.exception()) is not None and not isinstance(error, OSError):
                    raise error
            with suppress(OSError):
                await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            open_streams.release(self.listener)

    async def _stream(self, send: Send) -> None:
        headers = [
            (b"content-type", b"text/event-stream; charset=utf-8"),
            (b"cache-control", b"no-store"),
            (b"x-accel-buffering", b"no"),  # nginx and the like: pass each event on at once
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": f"retry: {RECONNECT_MS}\n".encode() + _event(self.stamp),
                    "more_body": True})  # fmt: skip
        async with self.feed.listen(self.session_id, self.stamp) as listener:
            sent = self.stamp
            while True:
                stamp = await listener.next_stamp(HEARTBEAT_SECONDS)
                if stamp is None:
                    await send({"type": "http.response.body", "body": b": still here\n\n", "more_body": True})
                elif stamp.change > sent.change:
                    sent = stamp
                    await send({"type": "http.response.body", "body": _event(stamp), "more_body": True})


async def _until_disconnect(receive: Receive) -> None:
    while True:
        message: Message = await receive()
        if message["type"] == "http.disconnect":
            return


SignalHandler = Callable[[int, FrameType | None], object]
_exiting: dict[asyncio.AbstractEventLoop, asyncio.Event] = {}


def _server_exiting() -> asyncio.Event:
    """Set when the server was told to stop (see end_streams_when_the_server_stops); one per event loop."""
    return _exiting.setdefault(asyncio.get_running_loop(), asyncio.Event())


def end_streams_when_the_server_stops() -> None:
    """Open streams end the moment the server is told to stop (SIGTERM, Ctrl+C), before it waits for them.

    The web server stops gracefully: it waits for every open response to finish, and a change stream never
    does, so a restart would hang. Called at start-up (app.py's lifespan), after the web server set its own
    signal handlers: ours runs first, then theirs. Browsers reconnect to the restarted server by themselves.
    """
    loop = asyncio.get_running_loop()
    exiting = _server_exiting()
    for number in (signal.SIGTERM, signal.SIGINT):
        theirs = signal.getsignal(number)
        if not callable(theirs):
            continue  # not a server that stops gracefully: it does not wait for the streams either

        def ours(signum: int, frame: FrameType | None, theirs: SignalHandler = theirs) -> None:
            loop.call_soon_threadsafe(exiting.set)
            theirs(signum, frame)

        signal.signal(number, ours)


routes = [Route(CHANGES_ROUTE, _changes, methods=["GET"])]
