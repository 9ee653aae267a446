"""Phones without a browser: a small Streamlit client that speaks the app's websocket protocol the way the
browser's frontend does, so a load measurement measures the server and not thirty Chromium tabs sharing its
CPU.

What the frontend does and this client does too: open `/_stcore/stream` with the app's sign-in cookie, ask
for a page by its path and query string, keep the elements of the latest run, rerun a fragment whenever the
server asks for an automatic rerun (`st.fragment(run_every=…)`), and send widget values and a click as one
rerun request. What it leaves out: drawing, and the widget values of widgets nobody touched (the server
keeps those from the previous run, as it does for a browser that sends them unchanged).

A page that is told of changes by push (server-sent events, issue 17) holds the server's change stream and
reruns its fragments when the stream says the session moved on: `follow_changes` does that too, so that a
load measurement pays for push as a browser would make the server pay for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

Finished = ForwardMsg.ScriptFinishedStatus


class Phone:
    """One browser tab's Streamlit session, on the page at `path` (with its query string)."""

    def __init__(self, origin: str, cookie: str, path: str) -> None:
        self.stream_url = origin.replace("http://", "ws://").rstrip("/") + "/_stcore/stream"
        self.cookie = cookie
        self.page_name, _, self.query_string = path.lstrip("/").partition("?")
        self.page_script_hash = ""
        self.values: dict[str, WidgetState] = {}  # what the person set, sent with every rerun
        self.unsent: dict[str, dict[str, WidgetState]] = {}  # by form: values set, the form not yet submitted
        self.elements: dict[tuple[int, ...], Any] = {}  # the page as drawn after the latest runs
        self.connection: websockets.ClientConnection | None = None
        self.listener: asyncio.Task[None] | None = None
        self.timers: dict[str, asyncio.Task[None]] = {}  # the automatic reruns, by fragment
        self.intervals: dict[str, float] = {}
        self.fragment_ids: set[str] = set()  # every fragment that drew on the page
        self.fragment_of: dict[str, str] = {}  # a widget's id → the fragment that drew it (a press reruns only it)
        # The push listener as the page drew it: the fragment it reruns, the stamp it drew, and how long it lets
        # what participants add to the board wait.
        self.listening_fragment: str | None = None
        self.drawn: tuple[int, int] = (0, 0)  # (stamp, moments) of the listener's latest drawing
        self.asked = False  # a rerun was asked for since that drawing
        self.contributions_later = 0.0
        self.waiting: asyncio.Task[None] | None = None
        self.change_stream: asyncio.Task[None] | None = None
        self.origin = origin
        self.runs_finished = 0
        self.changed = asyncio.Condition()
        self.problems: list[str] = []  # what the server said was wrong, such as an unknown page

    # --- connection -------------------------------------------------------------------------------

    async def open(self, timeout: float) -> None:
        """Connect and run the page once, as opening its address in a browser does."""
        self.connection = await websockets.connect(
            self.stream_url,
            subprotocols=["streamlit"],  # type: ignore[list-item]
            additional_headers={"Cookie": self.cookie},
            max_size=None,
            open_timeout=timeout,
            ping_interval=None,
        )
        self.listener = asyncio.create_task(self._listen())
        await self.rerun(timeout=timeout)
        if self.problems:
            raise LookupError("; ".join(self.problems))

    async def close(self) -> None:
        for timer in [*self.timers.values(), *([self.waiting] if self.waiting else [])]:
            timer.cancel()
        if self.change_stream is not None:
            self.change_stream.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.change_stream
        if self.connection is not None:
            await self.connection.close()
        if self.listener is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.listener

    # --- what the person does ---------------------------------------------------------------------

    def find(self, kind: str, accepts: Callable[[Any], bool] = lambda _: True) -> Any:
        """The first element of `kind` (its proto, e.g. a `text_area`) on the page for which `accepts` holds."""
        for path in sorted(self.elements):
            if self._is(path, kind) and accepts(found := getattr(self.elements[path], kind)):
                return found
        raise LookupError(f"no {kind} on {self.page_name!r} as asked")

    def type_text(self, widget: Any, value: str) -> None:
        self._set(widget, WidgetState(id=widget.id, string_value=value))

    def choose(self, widget: Any, option: str) -> None:
        """A radio button or a select box: the frontend sends the option as its shown text."""
        if option not in widget.options:
            raise LookupError(f"{option!r} is not one of {list(widget.options)}")
        self._set(widget, WidgetState(id=widget.id, string_value=option))

    def tap(self, widget: Any, option: str) -> None:
        """One option of a row of option buttons (a segmented control): sent as its shown text."""
        shown = [choice.content for choice in widget.options]
        if option not in shown:
            raise LookupError(f"{option!r} is not one of {shown}")
        state = WidgetState(id=widget.id)
        state.string_array_value.data[:] = [option]
        self._set(widget, state)

    def _set(self, widget: Any, value: WidgetState) -> None:
        """A widget in a form keeps its value on the phone until the form is submitted, as in a browser."""
        if widget.form_id:
            self.unsent.setdefault(widget.form_id, {})[widget.id] = value
        else:
            self.values[widget.id] = value

    async def click(self, button: Any, timeout: float) -> None:
        """Press a button (or a form's submit button) and wait until the run it causes has finished: as in a
        browser, a button drawn by a fragment reruns only that fragment."""
        if button.is_form_submitter:
            self.values.update(self.unsent.pop(button.form_id, {}))
        trigger = WidgetState(id=button.id, trigger_value=True)
        await self.rerun(trigger=trigger, fragment_id=self.fragment_of.get(button.id, ""), timeout=timeout)

    async def alert(self, formats: set[int], timeout: float) -> Any:
        """The first alert (st.success, st.error, …) of one of these `Alert.Format`s, once the page shows one."""

        def shown() -> Any:
            alerts = [self.elements[path].alert for path in sorted(self.elements) if self._is(path, "alert")]
            return next((alert for alert in alerts if alert.format in formats), None)

        async with self.changed:
            return await asyncio.wait_for(self.changed.wait_for(shown), timeout)

    def _is(self, path: tuple[int, ...], kind: str) -> bool:
        return self.elements[path].WhichOneof("type") == kind

    # --- the protocol -----------------------------------------------------------------------------

    async def rerun(self, *, trigger: WidgetState | None = None, fragment_id: str = "", timeout: float) -> None:
        """Ask for a run (the whole page, or one fragment) and wait until a run finishes."""
        finished = self.runs_finished
        await self._send_rerun(trigger=trigger, fragment_id=fragment_id)
        async with self.changed:
            await asyncio.wait_for(self.changed.wait_for(lambda: self.runs_finished > finished), timeout)

    async def _send_rerun(self, *, trigger: WidgetState | None = None, fragment_id: str = "") -> None:
        message = BackMsg()
        state = message.rerun_script
        state.query_string = self.query_string
        state.page_script_hash = self.page_script_hash
        state.page_name = self.page_name
        state.fragment_id = fragment_id
        state.is_auto_rerun = bool(fragment_id)
        state.context_info.timezone = "Europe/Brussels"
        state.context_info.locale = "en-US"
        widgets = [value for key, value in self.values.items() if trigger is None or key != trigger.id]
        state.widget_states.widgets.extend([*widgets, *([trigger] if trigger else [])])
        assert self.connection is not None
        await self.connection.send(message.SerializeToString())

    async def _listen(self) -> None:
        assert self.connection is not None
        try:
            async for frame in self.connection:
                message = ForwardMsg()
                message.ParseFromString(frame)  # type: ignore[arg-type]
                await self._receive(message)
        except websockets.ConnectionClosed:
            pass

    async def _receive(self, message: ForwardMsg) -> None:
        kind = message.WhichOneof("type")
        if kind == "new_session":
            self.page_script_hash = message.new_session.page_script_hash or self.page_script_hash
            if not message.metadata.run.fragment_ids:  # a run of the whole page draws it anew
                self.elements.clear()
        elif kind == "navigation":
            self.page_script_hash = message.navigation.page_script_hash or self.page_script_hash
        elif kind == "page_not_found":
            self.problems.append(f"page not found: {message.page_not_found.page_name}")
        elif kind == "delta":
            self._draw(tuple(message.metadata.delta_path), message.delta)
            if message.delta.fragment_id:
                self.fragment_ids.add(message.delta.fragment_id)
        elif kind == "auto_rerun":
            self._start_timer(message.auto_rerun.fragment_id, message.auto_rerun.interval)
        elif kind == "stop_auto_rerun":
            for fragment_id in message.stop_auto_rerun.fragment_ids:
                self._stop_timer(fragment_id)
        elif kind == "script_finished":
            async with self.changed:
                if message.script_finished != Finished.FINISHED_EARLY_FOR_RERUN:
                    self.runs_finished += 1
                self.changed.notify_all()
            return
        async with self.changed:
            self.changed.notify_all()

    def _draw(self, path: tuple[int, ...], delta: Any) -> None:
        """Keep the latest element at each place; a fragment run replaces only its own places."""
        if delta.WhichOneof("type") == "new_element":
            self.elements[path] = delta.new_element
            kind = delta.new_element.WhichOneof("type")
            if kind and (widget_id := getattr(getattr(delta.new_element, kind), "id", "")):
                self.fragment_of[widget_id] = delta.fragment_id
            component = delta.new_element.bidi_component
            if delta.new_element.WhichOneof("type") == "bidi_component" and component.component_name.endswith(
                "push_listener"
            ):
                self.listening_fragment = delta.fragment_id
                data = json.loads(component.json or "{}")
                drawn = (data.get("stamp", 0), data.get("moments", 0))
                if drawn != self.drawn:
                    self.drawn, self.asked = drawn, False
                    if self.waiting is not None:
                        self.waiting.cancel()
                self.contributions_later = data.get("contributions_later_ms", 0) / 1000

    def _start_timer(self, fragment_id: str, interval: float) -> None:
        """As the frontend does: one timer per fragment, kept across runs, replaced when its interval changes;
        it asks for a run whether or not one is under way."""
        if self.intervals.get(fragment_id) == interval:
            return
        self._stop_timer(fragment_id)
        self.intervals[fragment_id] = interval

        async def tick() -> None:
            while True:
                await asyncio.sleep(interval)
                with contextlib.suppress(websockets.ConnectionClosed):
                    await self._send_rerun(fragment_id=fragment_id)

        self.timers[fragment_id] = asyncio.create_task(tick())

    def _stop_timer(self, fragment_id: str) -> None:
        self.intervals.pop(fragment_id, None)
        if timer := self.timers.pop(fragment_id, None):
            timer.cancel()

    # --- push: the server's change stream -----------------------------------------------------------

    async def follow_changes(self, path: str, timeout: float) -> bool:
        """Hold the change stream at `path` (server-sent events, `data: {"stamp": n}`) with this phone's cookie,
        and rerun the page's fragments each time the stamp moves on, as the push listener in a browser page
        does. False, and nothing held, when the server answers otherwise (a version without push)."""
        address = urlsplit(self.origin)
        host, port = address.hostname or "127.0.0.1", address.port or 80
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
        request = (
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nCookie: {self.cookie}\r\n"
            "Accept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n"
        )
        writer.write(request.encode())
        status = await asyncio.wait_for(reader.readline(), timeout)
        headers: dict[str, str] = {}
        while (line := await asyncio.wait_for(reader.readline(), timeout)) not in (b"\r\n", b"\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip().lower()
        if status.split()[1:2] != [b"200"] or "text/event-stream" not in headers.get("content-type", ""):
            writer.close()
            return False
        chunked = "chunked" in headers.get("transfer-encoding", "")
        self.change_stream = asyncio.create_task(self._on_changes(reader, writer, chunked))
        return True

    async def _on_changes(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, chunked: bool) -> None:
        buffer = b""
        try:
            while True:
                if chunked:
                    size = int((await reader.readline()).split(b";")[0].strip() or b"0", 16)
                    if size == 0:
                        return
                    buffer += (await reader.readexactly(size + 2))[:-2]
                else:
                    if not (read := await reader.read(4096)):
                        return
                    buffer += read
                *lines, buffer = buffer.split(b"\n")
                for line in lines:
                    if line.startswith(b"data:"):  # not a heartbeat comment, an event name, a blank line
                        said = json.loads(line[5:])
                        self._heard(said["stamp"], said["stamp"] - said.get("contributions", 0))
        except (ConnectionError, asyncio.IncompleteReadError, websockets.ConnectionClosed):
            return
        finally:
            writer.close()

    def _heard(self, stamp: int, moments: int) -> None:
        """As the push listener in a browser: nothing when the page drew this stamp already; at once when the
        session moved on; when participants only added to the board, one rerun after the listener's wait (half
        to one and a half times, at random) for whatever came meanwhile."""
        drawn_stamp, drawn_moments = self.drawn
        if stamp <= drawn_stamp or self.asked:
            return
        at_once = moments > drawn_moments or not self.contributions_later
        if not at_once and self.waiting is not None and not self.waiting.done():
            return
        if self.waiting is not None:
            self.waiting.cancel()

        async def ask() -> None:
            if not at_once:
                await asyncio.sleep(self.contributions_later * (0.5 + random.random()))
            self.asked = True
            with contextlib.suppress(websockets.ConnectionClosed):  # the phone was put away meanwhile
                await self._rerun_fragments()

        self.waiting = asyncio.create_task(ask())

    async def _rerun_fragments(self) -> None:
        """What the push listener asks for: a run of its own fragment (of each fragment on the page where the
        listener was not seen, and of the page if it has none)."""
        if self.listening_fragment is not None:
            await self._send_rerun(fragment_id=self.listening_fragment)
            return
        for fragment_id in sorted(self.fragment_ids | set(self.intervals)) or [""]:
            await self._send_rerun(fragment_id=fragment_id)
