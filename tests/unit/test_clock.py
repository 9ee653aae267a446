"""The one clock: the product and the tests read the time from intervision.clock, and tests can move it."""

from __future__ import annotations

import ast
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from intervision import clock

ROOT = Path(__file__).resolve().parents[2]
APP_CODE = [ROOT / "app.py", *sorted(p for d in ("intervision", "ui", "pages") for p in (ROOT / d).rglob("*.py"))]
# Reads of the wall clock; time.monotonic and perf_counter measure durations and may stay.
WALL_CLOCK = {("date", "today"), ("datetime", "now"), ("datetime", "today"), ("datetime", "utcnow"), ("time", "time")}


def _wall_clock_reads(file: Path) -> list[str]:
    return [
        f"{file.relative_to(ROOT)}:{node.lineno}"
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and (node.value.id, node.attr) in WALL_CLOCK
    ]


def _a_year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


@pytest.fixture
def unshifted(monkeypatch):
    monkeypatch.delenv(clock.SHIFT_VARIABLE, raising=False)


def test_the_clock_is_the_wall_clock_when_nothing_moves_it(unshifted):
    before = datetime.now(UTC)
    now = clock.utcnow()
    assert now.utcoffset() == timedelta(0)
    assert before <= now <= datetime.now(UTC)
    # The product's today is the server's local date, as date.today() was.
    assert clock.today() in {date.today(), (datetime.now(UTC).astimezone()).date()}


def test_a_clock_a_year_ahead_gives_a_date_a_year_ahead_and_keeps_running(monkeypatch):
    today = date.today()
    monkeypatch.setenv(clock.SHIFT_VARIABLE, str((_a_year_after(today) - today).days))
    assert clock.today() == _a_year_after(today)
    first = clock.utcnow()
    assert first.date() - datetime.now(UTC).date() == _a_year_after(today) - today
    # The clock runs on, only moved: a live timer still ticks. Wait for it to move, not for a fixed time.
    deadline = time.monotonic() + 5
    while clock.utcnow() <= first and time.monotonic() < deadline:
        pass
    assert clock.utcnow() > first


def test_the_shift_is_read_on_every_call(monkeypatch):
    monkeypatch.setenv(clock.SHIFT_VARIABLE, "-3")
    back = clock.today()
    monkeypatch.setenv(clock.SHIFT_VARIABLE, "4")
    assert clock.today() - back == timedelta(days=7)


def test_a_shift_that_is_not_a_whole_number_of_days_is_named(monkeypatch):
    monkeypatch.setenv(clock.SHIFT_VARIABLE, "next year")
    with pytest.raises(ValueError, match=clock.SHIFT_VARIABLE):
        clock.utcnow()


@pytest.mark.date_sensitive
def test_a_date_sensitive_test_runs_today_and_again_a_year_ahead(request, clock_shift, suite_clock_shift):
    suite_today = (datetime.now(UTC) + timedelta(days=suite_clock_shift)).astimezone().date()
    expected = {"today": suite_today, "a-year-ahead": _a_year_after(suite_today)}
    assert clock.today() == expected[request.node.callspec.id]
    assert clock.shift() == timedelta(days=clock_shift)


def test_only_the_clock_reads_the_wall_clock():
    reads = [place for file in APP_CODE if file.name != "clock.py" for place in _wall_clock_reads(file)]
    assert reads == []
    assert _wall_clock_reads(ROOT / "intervision" / "clock.py"), "the scan still finds the clock's own read"
