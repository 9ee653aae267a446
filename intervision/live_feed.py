"""The live change feed: one watcher per process that tells listening screens the moment their session changed.

Every write about a live session advances its change stamp (`store.session_changed`). Rather than each
open screen asking the database, one task per process asks the cheap change signal (`Database.changes`)
every WATCH_SECONDS; only when that moved does it read the stamps of the sessions someone listens to, in one
query, and wake the listeners whose session's stamp went up. With nobody listening the task stops: an idle
server asks nothing.

It lives on one asyncio event loop (the web server's): listeners come and go on that loop, and the database
is only read in a worker thread (asyncio.to_thread), never on the loop itself.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from intervision import live
from intervision.database import Database
from intervision.models import ChangeStamp

log = logging.getLogger("intervision.live_feed")

WATCH_SECONDS = 0.15  # how often the change signal is asked while anyone listens
RETRY_SECONDS = 2.0  # after the database failed to answer, before asking again


class Listener:
    """One screen's ear on one session: the newest stamp heard, and a wake-up when it moves."""

    def __init__(self, session_id: int, stamp: ChangeStamp) -> None:
        self.session_id = session_id
        self.stamp = stamp
        self._moved = asyncio.Event()

    def hear(self, stamp: ChangeStamp) -> None:
        if stamp.change > self.stamp.change:
            self.stamp = stamp
            self._moved.set()

    async def next_stamp(self, timeout: float) -> ChangeStamp | None:
        """The stamp once it moved past what this listener was last given; None when `timeout` passed first."""
        try:
            await asyncio.wait_for(self._moved.wait(), timeout)
        except TimeoutError:
            return None
        self._moved.clear()
        return self.stamp


class ChangeFeed:
    """The stamps of the sessions listened to in this process, watched by one task while anyone listens."""

    def __init__(self, database: Database, watch_seconds: float = WATCH_SECONDS) -> None:
        self.database = database
        self.watch_seconds = watch_seconds
        self.loop = asyncio.get_running_loop()
        self._listeners: dict[int, set[Listener]] = {}
        self._watcher: asyncio.Task[None] | None = None
        self._signal: int | None = None
        # A listener that just came may have read its stamp after the watcher's last read: read again.
        self._read_stamps_anyway = False

    @property
    def listening(self) -> int:
        return sum(len(listeners) for listeners in self._listeners.values())

    @property
    def watching(self) -> bool:
        return self._watcher is not None and not self._watcher.done()

    @asynccontextmanager
    async def listen(self, session_id: int, stamp: ChangeStamp) -> AsyncIterator[Listener]:
        """Listen to one session from `stamp` (the stamp the screen has) for as long as the block lasts."""
        listener = Listener(session_id, stamp)
        self._listeners.setdefault(session_id, set()).add(listener)
        self._read_stamps_anyway = True
        if not self.watching:
            self._watcher = asyncio.create_task(self._watch(), name="intervision live change feed")
        try:
            yield listener
        finally:
            listeners = self._listeners.get(session_id, set())
            listeners.discard(listener)
            if not listeners:
                self._listeners.pop(session_id, None)
            # The watcher ends by itself once nobody listens (see _watch).

    async def _watch(self) -> None:
        while self._listeners:
            try:
                await self._look_once()
            except Exception:  # noqa: BLE001 - a database that does not answer now may answer in a moment
                log.warning("The live change feed could not read the database; trying again", exc_info=True)
                self._signal = None
                await asyncio.sleep(RETRY_SECONDS)
                continue
            await asyncio.sleep(self.watch_seconds)
        self._signal = None  # whoever listens next starts from a fresh read

    async def _look_once(self) -> None:
        # The signal before the stamps: a write landing during the read moves the signal again.
        signal = await asyncio.to_thread(self.database.changes)
        if signal == self._signal and not self._read_stamps_anyway:
            return
        self._read_stamps_anyway = False
        stamps = await asyncio.to_thread(live.change_stamps, self.database, list(self._listeners))
        self._signal = signal
        for session_id, stamp in stamps.items():
            for listener in list(self._listeners.get(session_id, ())):
                listener.hear(stamp)

    async def close(self) -> None:
        """Stop watching (at shutdown); listeners still open hear nothing more."""
        if self._watcher is not None:
            self._watcher.cancel()
            with suppress(asyncio.CancelledError):
                await self._watcher
