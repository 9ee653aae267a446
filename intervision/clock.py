"""The one clock the product and its tests read: the moment now, and today's date.

Nothing else in the app reads the wall clock (timings with `time.monotonic` and `perf_counter` aside),
so a test or a test server can move time for all of it at once.

INTERVISION_CLOCK_SHIFT_DAYS=365 moves the clock a year ahead (a negative number moves it back). The
clock keeps running, only shifted, so live timers still tick. It is read on every call, so a test may
set it with `monkeypatch.setenv` and a server subprocess inherits it from the environment. Never set it
on a server that holds real groups: every date it stores would be off.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta

SHIFT_VARIABLE = "INTERVISION_CLOCK_SHIFT_DAYS"


def shift() -> timedelta:
    """How far the clock is moved from the wall clock; nothing when the variable is unset or empty."""
    # The name spelled out, so that tests/unit/test_deployment_files.py finds it.
    days = os.environ.get("INTERVISION_CLOCK_SHIFT_DAYS", "").strip()
    if not days:
        return timedelta(0)
    try:
        return timedelta(days=int(days))
    except ValueError:
        raise ValueError(f"{SHIFT_VARIABLE} must be a whole number of days, not {days!r}") from None


def utcnow() -> datetime:
    """The moment now, aware and in UTC."""
    return datetime.now(UTC) + shift()


def today() -> date:
    """Today's date where the server runs, as `date.today()` gives it, on the shifted clock."""
    return utcnow().astimezone().date()


class Clock:
    """The clock a store's core functions read (`database.clock`): the shifted wall clock above.

    Injected with the Database, so that a caller (a test, a bench, a replay) may hand the core another one.
    """

    def now(self) -> datetime:
        return utcnow()

    def today(self) -> date:
        return today()


class FixedClock(Clock):
    """A clock that stands still at one moment (tests, and building data as of a moment)."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment

    def today(self) -> date:
        return self.moment.astimezone().date()
