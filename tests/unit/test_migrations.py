"""The schema: one Alembic track for both engines, the upgrade of a file made by the release before it,
connection settings on every unit of work, and write transactions."""

from __future__ import annotations

import gzip
import sqlite3
from pathlib import Path

import pytest
from unit_support import NOW, SQLITE_FILE, count_rows

from intervision import db, store
from intervision.database import Database
from intervision.errors import StorageProblem
from intervision.migrations import current_revision, head
from intervision.models import AuditAction, Language, Role

DATA = Path(__file__).resolve().parent.parent / "data"
# A copy of the demo organisation as the release of November 2026 left it (sqlite-utils' migration track),
# dumped as SQL: the file an organisation upgrading today has on its disk.
LAST_RELEASE_DEMO = DATA / "release-2026-11-demo.sql.gz"

TABLES = {
    "organisation",
    "people",
    "groups",
    "memberships",
    "invitations",
    "group_invitations",
    "membership_events",
    "sign_in_sessions",
    "sign_in_tickets",
    "sign_in_delays",
    "audit_log",
    "meetings",
    "attendance",
    "cases",
    "live_sessions",
    "board_items",
    "survey_waves",
    "survey_responses",
    "survey_answers",
}


def _tables(path: Path) -> set[str]:
    connection = sqlite3.connect(path)
    try:
        return {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        connection.close()


def _row_counts(path: Path) -> dict[str, int]:
    connection = sqlite3.connect(path)
    try:
        tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables}
    finally:
        connection.close()


def _last_release_file(tmp_path: Path) -> Path:
    path = tmp_path / "from-last-release.db"
    connection = sqlite3.connect(path)
    try:
        connection.executescript(gzip.decompress(LAST_RELEASE_DEMO.read_bytes()).decode())
    finally:
        connection.close()
    return path


def test_migrating_an_empty_file_creates_every_table_at_this_releases_revision(tmp_path):
    path = tmp_path / "new.db"
    db.migrate(path)
    assert _tables(path) >= TABLES
    assert current_revision(db.database_at(path)) == head()


@SQLITE_FILE
def test_the_database_runs_in_wal_mode(path):
    with db.reading(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@SQLITE_FILE
@pytest.mark.parametrize("open_connection", [db.reading, db.writing])
def test_every_connection_enforces_foreign_keys(path, open_connection):
    with open_connection(path) as conn:
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_migrating_twice_changes_nothing(path):
    with db.writing(path) as conn:
        store.add_person(conn, "Cora", "cora@example.org", Role.COORDINATOR, None, Language.NL, NOW)
    db.migrate(path)
    assert count_rows(path, "people") == 1
    assert current_revision(db.database_at(path)) == head()


def test_ensure_migrated_recreates_a_database_file_that_was_removed(tmp_path):
    path = tmp_path / "gone.db"
    db.ensure_migrated(path)
    path.unlink()
    db.database_at(path).dispose()
    db.ensure_migrated(path)
    assert "people" in _tables(path)


def test_a_file_from_the_last_release_upgrades_in_place_and_keeps_every_row(tmp_path):
    path = _last_release_file(tmp_path)
    before = _row_counts(path)
    assert before["people"] > 0 and before["survey_answers"] > 0 and "_sqlite_migrations" in before

    database = Database.for_path(path)
    database.migrate()

    after = _row_counts(path)
    assert current_revision(database) == head()
    assert "_sqlite_migrations" not in after
    assert {table: count for table, count in before.items() if table != "_sqlite_migrations"} == {
        table: count for table, count in after.items() if table in before
    }
    # Tables of later revisions (speaking rounds, …) start empty.
    assert {table: count for table, count in after.items() if table not in before and table != "alembic_version"} == {
        table: 0 for table in after.keys() - before.keys() - {"alembic_version"}
    }
    # And the app reads it as before: the demo's people, through the store.
    with database.reading() as unit:
        assert len(store.everyone(unit)) == before["people"]
    database.dispose()


def test_a_file_from_an_older_release_is_refused_with_what_to_do(tmp_path):
    path = _last_release_file(tmp_path)
    connection = sqlite3.connect(path)
    with connection:
        connection.execute("DELETE FROM _sqlite_migrations WHERE name = '0015_wave_instrument_versions'")
    connection.close()
    database = Database.for_path(path)
    with pytest.raises(RuntimeError, match="older release"):
        database.migrate()
    assert "_sqlite_migrations" in _tables(path)  # nothing was changed
    database.dispose()


def test_writing_commits_when_the_block_succeeds(path):
    with db.writing(path) as conn:
        store.add_person(conn, "Cora", "cora@example.org", Role.COORDINATOR, None, Language.NL, NOW)
    assert count_rows(path, "people") == 1


def test_writing_rolls_everything_back_when_the_block_fails(path):
    with pytest.raises(RuntimeError), db.writing(path) as conn:
        store.add_person(conn, "Cora", "cora@example.org", Role.COORDINATOR, None, Language.NL, NOW)
        store.add_audit_event(conn, NOW, None, AuditAction.ACCOUNT_CREATED, "cora@example.org", "")
        raise RuntimeError("half-way")
    assert count_rows(path, "people") == 0
    assert count_rows(path, "audit_log") == 0


@SQLITE_FILE
def test_writing_takes_the_write_lock_up_front(path):
    """A second writer waits (here: times out) instead of failing half-way through its work."""
    with db.writing(path), pytest.raises(sqlite3.OperationalError, match="locked"):
        other = sqlite3.connect(path.path, timeout=0)
        try:
            other.execute("BEGIN IMMEDIATE")
        finally:
            other.close()


@SQLITE_FILE
def test_a_writer_that_cannot_get_the_lock_gets_a_storage_problem_not_a_driver_error(path):
    other = sqlite3.connect(path.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StorageProblem) as raised, db.database_at(path).writing(busy_timeout_ms=0) as conn:
            conn.execute("SELECT 1")
    finally:
        other.close()
    assert raised.value.key == "storage_busy"
