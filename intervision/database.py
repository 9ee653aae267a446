"""The database: one object per configured store, that owns its connections and hands out units of work.

SQLite (a file, the embedded default) and PostgreSQL (for organisations that run several app servers) are
reached through SQLAlchemy Core, for connections, pooling and dialects only: the SQL itself is hand-written
in the store, in the subset both engines accept, with `?` for parameters.

A unit of work is one connection and one transaction. Reading units see one consistent snapshot; writing
units on SQLite take the write lock up front (BEGIN IMMEDIATE), so that a read-then-write never fails
half-way with "database is locked". Rules that rely on one writer (one open session per group, the last
coordinator) hold on PostgreSQL through database constraints and named locks (`Unit.lock`).
"""

from __future__ import annotations

import hashlib
import logging
import re
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import sqlalchemy
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, CursorResult, Engine, make_url
from sqlalchemy.exc import DBAPIError, IntegrityError

from intervision.clock import Clock
from intervision.config import database_path, database_url, pool_settings, slow_statement_seconds
from intervision.errors import Conflict, StorageProblem, StoreError

log = logging.getLogger("intervision.sql")

BUSY_TIMEOUT_MS = 5000
# Migrations may wait longer for the write lock: another process may be migrating the same file.
MIGRATION_BUSY_TIMEOUT_MS = 120_000

SQLITE = "sqlite"
POSTGRESQL = "postgresql"


class Row(tuple):
    """A result row: by position (`row[0]`, unpacking) and by column name (`row["name"]`, `dict(row)`)."""

    _columns: tuple[str, ...]

    def __new__(cls, values: Sequence[Any], columns: tuple[str, ...]) -> Row:
        row = super().__new__(cls, values)
        row._columns = columns
        return row

    def __getitem__(self, key: int | slice | str) -> Any:  # type: ignore[override]
        if isinstance(key, str):
            return tuple.__getitem__(self, self._columns.index(key))
        return tuple.__getitem__(self, key)

    def keys(self) -> tuple[str, ...]:
        return self._columns


class Rows:
    """What a statement returned: rows to fetch or iterate, and how many rows it changed."""

    def __init__(self, result: CursorResult) -> None:
        self._result = result
        self._columns = tuple(result.keys()) if result.returns_rows else ()
        self.rowcount: int = result.rowcount

    def _row(self, values: Sequence[Any] | None) -> Row | None:
        return None if values is None else Row(values, self._columns)

    def fetchone(self) -> Row | None:
        return self._row(self._result.fetchone())

    def fetchall(self) -> list[Row]:
        columns = self._columns
        return [Row(values, columns) for values in self._result.fetchall()]

    def __iter__(self) -> Iterator[Row]:
        return iter(self.fetchall())

    def scalar(self) -> Any:
        """The first column of the first row, or None when there is no row."""
        row = self._result.fetchone()
        return None if row is None else row[0]


@lru_cache(maxsize=4096)
def _for_postgresql(sql: str) -> str:
    # psycopg takes %s (or %(name)s) for a parameter, so a literal % is written %%.
    sql = sql.replace("%", "%%").replace("?", "%s")
    return re.sub(r"(?<![:\w]):(\w+)", r"%(\1)s", sql)


def _parameters(parameters: Sequence[Any] | Mapping[str, Any]) -> tuple[Any, ...] | dict[str, Any]:
    return dict(parameters) if isinstance(parameters, Mapping) else tuple(parameters)


class Unit:
    """One unit of work: one connection, one transaction, for as long as the `with` block lasts."""

    def __init__(self, connection: Connection, database: Database) -> None:
        self.connection = connection
        self.database = database
        self.engine = database.engine_name

    def execute(self, sql: str, parameters: Sequence[Any] | Mapping[str, Any] = ()) -> Rows:
        """Run one hand-written statement with `?` parameters."""
        if self.engine == POSTGRESQL:
            sql = _for_postgresql(sql)
        started = time.perf_counter()
        with store_errors():
            result = self.connection.exec_driver_sql(sql, _parameters(parameters))
        self.database.statement_took(sql, time.perf_counter() - started)
        return Rows(result)

    def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one statement for each of many rows (bulk loading)."""
        rows = [tuple(row) for row in rows]
        if not rows:
            return
        if self.engine == POSTGRESQL:
            sql = _for_postgresql(sql)
        with store_errors():
            self.connection.exec_driver_sql(sql, rows)

    def insert(self, sql: str, parameters: Sequence[Any] = ()) -> int:
        """Run an INSERT … RETURNING id and give the new row's id."""
        return self.execute(sql, parameters).scalar()

    def lock(self, rule: str) -> None:
        """Hold a named lock until this unit ends, for a rule that must see no concurrent writer.

        SQLite already has one writer at a time (BEGIN IMMEDIATE); PostgreSQL takes an advisory lock.
        """
        if self.engine == POSTGRESQL:
            self.connection.exec_driver_sql("SELECT pg_advisory_xact_lock(%s)", (_lock_key(rule),))


@contextmanager
def store_errors() -> Iterator[None]:
    """Driver exceptions become the store's own: a broken rule, a failing storage, or any other."""
    try:
        yield
    except IntegrityError as error:
        raise Conflict(str(error.orig)) from error
    except DBAPIError as error:
        raise (_storage_problem(error) or StoreError(str(error.orig))) from error


def _lock_key(rule: str) -> int:
    return int.from_bytes(hashlib.sha256(rule.encode()).digest()[:8], "big", signed=True)


# What the engines say when the storage itself fails, and the message key a person reads instead.
_STORAGE_PROBLEMS = {
    "database or disk is full": "storage_full",
    "no space left on device": "storage_full",
    "could not extend file": "storage_full",
    "readonly database": "storage_read_only",
    "read-only transaction": "storage_read_only",
    "unable to open database file": "storage_unreachable",
    "disk i/o error": "storage_unreachable",
    "connection refused": "storage_unreachable",
    "connection failed": "storage_unreachable",
    "server closed the connection": "storage_unreachable",
    "database is locked": "storage_busy",
    "could not serialize access": "storage_busy",
    "deadlock detected": "storage_busy",
}


def _storage_problem(error: BaseException) -> StorageProblem | None:
    text = str(getattr(error, "orig", error)).lower()
    key = next((key for fragment, key in _STORAGE_PROBLEMS.items() if fragment in text), None)
    return StorageProblem(key, str(error)) if key else None


def storage_problem(error: BaseException) -> str | None:
    """The message key for an error of the storage (a full disk, a read-only file), or None for any other."""
    if isinstance(error, StorageProblem):
        return error.key
    if isinstance(error, DBAPIError | sqlite3.OperationalError):
        problem = _storage_problem(error)
        return problem.key if problem else None
    return None


@dataclass
class Timings:
    """The statements run while a `Database.timing()` block was open, with their seconds."""

    statements: list[tuple[str, float]] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return sum(seconds for _, seconds in self.statements)


class Database:
    """One store: SQLite by a file path, or PostgreSQL by a URL. Build it once and pass it on."""

    def __init__(
        self, url: str | URL, *, pool_size: int = 5, max_overflow: int = 10, clock: Clock | None = None
    ) -> None:
        self.url = make_url(url)
        # The clock the core reads for this store's writes and views, injected with it (intervision/clock.py).
        self.clock = clock or Clock()
        self.engine_name = POSTGRESQL if self.url.get_backend_name() == POSTGRESQL else SQLITE
        self.engine: Engine = self._create_engine(pool_size, max_overflow)
        self.slow_seconds = slow_statement_seconds()
        self._timings: list[Timings] = []
        self._timings_lock = threading.Lock()
        self._watcher: sqlite3.Connection | None = None
        self._watcher_lock = threading.Lock()
        # A new watcher counts data_version from its own start: add what the closed ones counted, so that the
        # signal never goes back to a number a cache already holds (after a restore replaced the file).
        self._changes_before_watcher = 0
        self._last_change = 0
        # SQLite writes one at a time. Its own wait for the lock sleeps in growing steps (up to 100 ms) and may
        # oversleep the moment it is free; this process's writers queue here instead and go the moment it is.
        # Other processes on the same file still wait through busy_timeout.
        self._writers = threading.RLock()
        self.migrated = False

    @classmethod
    def for_path(cls, path: str | Path) -> Database:
        """The SQLite database in this file (created when it does not exist)."""
        return cls(URL.create("sqlite+pysqlite", database=str(Path(path).resolve())))

    @classmethod
    def from_settings(cls) -> Database:
        """The store the settings name: `INTERVISION_DATABASE_URL`, else the SQLite file `INTERVISION_DB`."""
        url = database_url()
        if url:
            return cls(url, **pool_settings())
        return cls.for_path(database_path())

    def __repr__(self) -> str:
        return f"Database({self.url.render_as_string(hide_password=True)!r})"

    @property
    def path(self) -> Path | None:
        """The SQLite file, or None on PostgreSQL."""
        return Path(self.url.database) if self.engine_name == SQLITE and self.url.database else None

    # --- connections ---------------------------------------------------------------------------------

    def _create_engine(self, pool_size: int, max_overflow: int) -> Engine:
        if self.engine_name == SQLITE:
            path = Path(self.url.database)
            path.parent.mkdir(parents=True, exist_ok=True)
            engine = sqlalchemy.create_engine(
                self.url,
                connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
                poolclass=sqlalchemy.pool.QueuePool,
                pool_size=pool_size,
                max_overflow=max_overflow,
            )
            event.listen(engine, "connect", _prepare_sqlite_connection)
            event.listen(engine, "begin", _begin_sqlite_transaction)
            return engine
        return sqlalchemy.create_engine(self.url, pool_size=pool_size, max_overflow=max_overflow, pool_pre_ping=True)

    @contextmanager
    def reading(self) -> Iterator[Unit]:
        """A unit of work for reads: one consistent snapshot, nothing written."""
        with store_errors(), self.engine.connect() as connection:
            if self.engine_name == POSTGRESQL:
                connection = connection.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            with connection.begin():
                yield Unit(connection, self)

    @contextmanager
    def writing(self, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> Iterator[Unit]:
        """A write transaction: committed when the block ends, rolled back when it raises."""
        with store_errors(), self._turn_to_write(busy_timeout_ms), self.engine.connect() as connection:
            if self.engine_name == SQLITE:
                connection = connection.execution_options(sqlite_write=True, sqlite_busy_timeout_ms=busy_timeout_ms)
            with connection.begin():
                yield Unit(connection, self)
            if self.engine_name == POSTGRESQL:
                # After the commit, never before it: see `changes`.
                connection.exec_driver_sql("SELECT nextval('intervision_changes')")
                connection.commit()

    @contextmanager
    def _turn_to_write(self, busy_timeout_ms: int) -> Iterator[None]:
        if self.engine_name != SQLITE:
            yield
            return
        if not self._writers.acquire(timeout=busy_timeout_ms / 1000):
            raise StorageProblem("storage_busy", "database is locked: this process's writers queued too long")
        try:
            yield
        finally:
            self._writers.release()

    def dispose(self) -> None:
        """Close every pooled connection (before a restore replaces the file, and at the end of tests)."""
        self.engine.dispose()
        with self._watcher_lock:
            if self._watcher is not None:
                self._watcher.close()
                self._watcher = None
                self._changes_before_watcher = self._last_change + 1

    # --- the change signal -----------------------------------------------------------------------------

    def changes(self) -> int:
        """A number that moves whenever any process has committed a write: caches and live screens compare it.

        SQLite: `PRAGMA data_version` on one connection kept for this purpose (it moves when another
        connection, in this process or another, commits). PostgreSQL: a sequence every writing unit
        advances right after it commits, so whoever sees the new number also sees the write.
        """
        if self.engine_name == POSTGRESQL:
            with self.engine.connect() as connection:
                return connection.exec_driver_sql("SELECT last_value FROM intervision_changes").scalar_one()
        with self._watcher_lock:
            if self._watcher is None:
                self._watcher = sqlite3.connect(self.url.database, check_same_thread=False)
            counted = self._watcher.execute("PRAGMA data_version").fetchone()[0]
            self._last_change = self._changes_before_watcher + counted
            return self._last_change

    # --- slow statements and profiles --------------------------------------------------------------------

    def statement_took(self, sql: str, seconds: float) -> None:
        if seconds >= self.slow_seconds:
            log.warning("slow statement (%.0f ms): %s", seconds * 1000, " ".join(sql.split())[:500])
        if self._timings:
            with self._timings_lock:
                for timings in self._timings:
                    timings.statements.append((sql, seconds))

    @contextmanager
    def timing(self) -> Iterator[Timings]:
        """Every statement run while the block is open, with its time (for the benchmarks' profiles)."""
        timings = Timings()
        with self._timings_lock:
            self._timings.append(timings)
        try:
            yield timings
        finally:
            with self._timings_lock:
                self._timings.remove(timings)

    # --- migrations ----------------------------------------------------------------------------------------

    def migrate(self) -> None:
        """Bring the schema up to this release, once, whichever process gets there first."""
        from intervision.migrations import upgrade

        upgrade(self)
        self.migrated = True

    def ensure_migrated(self) -> None:
        """Migrate once per process: pages call this on every rerun."""
        if not self.migrated or (self.path is not None and not self.path.exists()):
            self.migrate()


def _prepare_sqlite_connection(connection: sqlite3.Connection, _record: object) -> None:
    # Transactions are begun by hand (see _begin_sqlite_transaction), not by the sqlite3 module.
    connection.isolation_level = None
    connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    connection.execute("PRAGMA foreign_keys = ON")
    # WAL lets readers carry on while one writer writes; a property of the file, so this is a no-op after once.
    connection.execute("PRAGMA journal_mode = WAL")


def _begin_sqlite_transaction(connection: Connection) -> None:
    options = connection.get_execution_options()
    if options.get("sqlite_write"):
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {options['sqlite_busy_timeout_ms']}")
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        connection.exec_driver_sql("BEGIN")


_databases: dict[str, Database] = {}
_databases_lock = threading.Lock()


def configured() -> Database:
    """The store the settings name, built once per process and setting (tests change the setting)."""
    key = database_url() or str(database_path().resolve())
    with _databases_lock:
        if key not in _databases:
            _databases[key] = Database.from_settings()
        return _databases[key]
