"""The database file: migrations, pragmas on every connection, and write transactions."""

from __future__ import annotations

import sqlite3

import pytest
from unit_support import NOW, count_rows

from intervision import db, store
from intervision.instruments import earlier_version, shipped_instruments
from intervision.models import GroupRole, Role

TABLES = {
    "organisation",
    "people",
    "groups",
    "memberships",
    "invitations",
    "sign_in_sessions",
    "sign_in_tickets",
    "sign_in_delays",
    "audit_log",
    "meetings",
    "attendance",
}


def _applied_migrations(path):
    with db.reading(path) as conn:
        return [row[0] for row in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY name")]


def test_migrating_an_empty_file_creates_every_table(tmp_path):
    path = tmp_path / "nested" / "fresh.db"  # the folder does not exist yet either
    db.migrate(path)
    with db.reading(path) as conn:
        assert set(conn.table_names()) >= TABLES
        assert db.migrations.pending(conn) == []


def test_the_database_runs_in_wal_mode(path):
    with db.reading(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@pytest.mark.parametrize("open_connection", [db.reading, db.writing])
def test_every_connection_enforces_foreign_keys(path, open_connection):
    with open_connection(path) as conn:
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    with pytest.raises(sqlite3.IntegrityError), db.writing(path) as conn:
        store.set_membership(conn, 999, 999, GroupRole.MEMBER, NOW)  # no such group or person
    assert count_rows(path, "memberships") == 0


def test_migrating_twice_changes_nothing(path):
    with db.writing(path) as conn:
        store.create_organisation(conn, "Zorggroep Oost", is_demo=False, now=NOW)
        store.add_person(conn, "Cora", "cora@example.org", Role.COORDINATOR, None, "nl", NOW)
    applied = _applied_migrations(path)

    db.migrate(path)

    assert _applied_migrations(path) == applied
    assert count_rows(path, "people") == 1
    with db.reading(path) as conn:
        assert store.organisation(conn).name == "Zorggroep Oost"


def test_ensure_migrated_recreates_a_database_file_that_was_removed(tmp_path):
    path = tmp_path / "gone.db"
    db.ensure_migrated(path)
    path.unlink()
    db.ensure_migrated(path)
    with db.reading(path) as conn:
        assert set(conn.table_names()) >= TABLES


def test_writing_commits_when_the_block_succeeds(path):
    with db.writing(path) as conn:
        store.add_person(conn, "Cora", "cora@example.org", Role.COORDINATOR, None, "nl", NOW)
    assert count_rows(path, "people") == 1


def test_writing_rolls_everything_back_when_the_block_fails(path):
    with pytest.raises(RuntimeError), db.writing(path) as conn:
        store.add_person(conn, "Cora", "cora@example.org", Role.COORDINATOR, None, "nl", NOW)
        store.add_audit_event(conn, NOW, None, "account_created", "cora@example.org", "")
        raise RuntimeError("half-way")
    assert count_rows(path, "people") == 0
    assert count_rows(path, "audit_log") == 0


def test_writing_takes_the_write_lock_up_front(path):
    """A second writer waits (here: times out) instead of failing half-way through its work."""
    with db.writing(path), pytest.raises(sqlite3.OperationalError, match="locked"):
        other = sqlite3.connect(path, timeout=0)
        try:
            other.execute("BEGIN IMMEDIATE")
        finally:
            other.close()


def test_migration_0015_reads_each_existing_waves_instrument_version_from_its_kept_definition(path, make_group):
    group_id = make_group()
    kept = {1: earlier_version("self_efficacy", 1), 2: shipped_instruments().instruments["self_efficacy"]}
    # As a database from before 0015 holds them: waves without the column, their definition only.
    with db.writing(path) as conn:
        conn.execute("ALTER TABLE survey_waves DROP COLUMN instrument_version")
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = '0015_wave_instrument_versions'")
        for instrument in kept.values():
            conn.execute(
                "INSERT INTO survey_waves (group_id, instrument_id, instrument_definition, moment, opened_at)"
                " VALUES (?, 'self_efficacy', ?, 'start', ?)",
                [group_id, instrument.definition(), NOW.isoformat()],
            )

    db.migrate(path)

    with db.reading(path) as conn:
        versions = [row[0] for row in conn.execute("SELECT instrument_version FROM survey_waves ORDER BY id")]
    assert versions == [1, 2]
