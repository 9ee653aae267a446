"""The clock for the whole suite: a test that depends on today's date runs today and a year ahead.

Mark such a test `@pytest.mark.date_sensitive` (or a module with `pytestmark`): it runs twice, as
`[today]` and as `[a-year-ahead]`, the second with intervision.clock moved to the same calendar day next
year. Tests read the date from `intervision.clock` (or inject `now=`), never from `date.today()`, so
the test and the app agree on what today is. Whatever INTERVISION_CLOCK_SHIFT_DAYS the suite starts with
is `[today]`: `INTERVISION_CLOCK_SHIFT_DAYS=29 pytest` tries the whole suite on another day.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from mail_server import mail_server  # noqa: F401 - a real SMTP server for the tests that ask for it

from intervision import clock

if TYPE_CHECKING:
    from postgres_server import PostgresServer

    from intervision.database import Database

TODAY = "today"
A_YEAR_AHEAD = "a-year-ahead"


def a_year_after(day: date) -> date:
    """The same calendar day next year; 28 February for 29 February."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if metafunc.definition.get_closest_marker("date_sensitive"):
        metafunc.parametrize("clock_shift", [TODAY, A_YEAR_AHEAD], indirect=True)


@pytest.fixture(scope="session")
def suite_clock_shift() -> int:
    """The clock's shift in days that the suite started with: every test's `[today]`."""
    return clock.shift().days


@pytest.fixture(autouse=True)
def clock_shift(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, suite_clock_shift: int) -> int:
    """How many days this test's clock is moved: a year more than the suite's for `[a-year-ahead]`."""
    if getattr(request, "param", TODAY) == A_YEAR_AHEAD:
        today = clock.today()
        monkeypatch.setenv(clock.SHIFT_VARIABLE, str(suite_clock_shift + (a_year_after(today) - today).days))
    return clock.shift().days


@pytest.fixture
def set_clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[date], None]:
    """Move the clock so that today is the given day, for the rest of this test."""

    def move(day: date) -> None:
        monkeypatch.setenv(clock.SHIFT_VARIABLE, str(clock.shift().days + (day - clock.today()).days))

    return move


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A throwaway PostgreSQL server for this session (each xdist worker has its own), stopped at the end.

    Fails, never skips, when Debian's `postgresql` package is missing (tests/postgres_server.py).
    """
    from postgres_server import start_postgres_server  # psycopg only for the sessions that use PostgreSQL

    server = start_postgres_server()
    yield server
    server.stop()


ENGINES = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def postgres_template(postgres_server: PostgresServer) -> str:
    """A database migrated once per session; each test's database is a copy of it (CREATE DATABASE … TEMPLATE)."""
    from intervision.database import Database

    name = "intervision_template"
    postgres_server.create_database(name)
    template = Database(postgres_server.url(name), pool_size=1, max_overflow=0)
    template.migrate()
    template.dispose()
    return name


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once per session; each test's file is a copy of it (SQLite's backup API)."""
    from intervision.database import Database

    path = tmp_path_factory.mktemp("template") / "template.db"
    template = Database.for_path(path)
    template.migrate()
    template.dispose()
    return path


@pytest.fixture(params=ENGINES)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A freshly migrated, empty database of its own, once on each engine."""
    from intervision.database import Database

    if request.param == "sqlite":
        # A copy of the file migrated once per session: copying takes a millisecond, migrating a tenth of a second.
        path = tmp_path / "test.db"
        template = request.getfixturevalue("sqlite_template")
        with closing(sqlite3.connect(template)) as source, closing(sqlite3.connect(path)) as copy:
            source.backup(copy)
        database = Database.for_path(path)
        database.migrated = True
        yield database
        database.dispose()
        return
    server = request.getfixturevalue("postgres_server")
    template = request.getfixturevalue("postgres_template")
    name = f"test_{uuid.uuid4().hex[:16]}"
    server.create_database(name, template=template)
    database = Database(server.url(name), pool_size=2, max_overflow=8)
    database.migrated = True
    yield database
    database.dispose()
    server.drop_database(name)
