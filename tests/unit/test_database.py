"""The Database object: one store on either engine, units of work, the store's own errors, the change
signal, and the slow-statement log."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from unit_support import NOW, group_form

from intervision import groups, store
from intervision.clock import FixedClock
from intervision.config import database_url
from intervision.database import Database, configured
from intervision.errors import Conflict
from intervision.models import Language, Role


def _same_store(database: Database) -> Database:
    """A second Database object on the same store, as another app process would build it."""
    return Database(database.url)


def test_a_write_through_another_process_moves_the_change_signal_here(path):
    other = _same_store(path)
    try:
        before = path.changes()
        assert path.changes() == before, "reading moves nothing"
        with other.writing() as unit:
            store.add_person(unit, "Cora", "cora@example.org", Role.COORDINATOR, None, Language.NL, NOW)
        after = path.changes()
        assert after != before
        with path.reading() as unit:
            assert [person.name for person in store.everyone(unit)] == ["Cora"], "the write is seen with the signal"
        assert path.changes() == after
    finally:
        other.dispose()


def test_a_failed_write_moves_nothing_and_keeps_nothing(path):
    before = path.changes()
    with pytest.raises(RuntimeError), path.writing() as unit:
        store.add_person(unit, "Cora", "cora@example.org", Role.COORDINATOR, None, Language.NL, NOW)
        raise RuntimeError("half-way")
    with path.reading() as unit:
        assert store.everyone(unit) == []
    assert path.changes() == before


def test_a_broken_rule_is_a_conflict_not_a_driver_error(path):
    with path.writing() as unit:
        store.add_person(unit, "Cora", "cora@example.org", Role.COORDINATOR, None, Language.NL, NOW)
    with pytest.raises(Conflict), path.writing() as unit:
        store.add_person(unit, "Cora again", "cora@example.org", Role.PARTICIPANT, None, Language.NL, NOW)


def test_rows_are_read_by_position_and_by_name_and_percent_signs_are_literal(path):
    with path.writing() as unit:
        store.add_person(unit, "Cora 100%", "cora@example.org", Role.COORDINATOR, None, Language.NL, NOW)
    with path.reading() as unit:
        row = unit.execute(
            "SELECT name, email FROM people WHERE name LIKE '%100\\%%' ESCAPE '\\' AND email = :email",
            {"email": "cora@example.org"},
        ).fetchone()
    assert row[0] == row["name"] == "Cora 100%"
    assert dict(row) == {"name": "Cora 100%", "email": "cora@example.org"}


def test_slow_statements_are_logged_with_their_sql_but_never_their_values(path, caplog):
    path.slow_seconds = 0
    with caplog.at_level(logging.WARNING, logger="intervision.sql"), path.writing() as unit:
        store.add_person(unit, "Cora", "secret-address@example.org", Role.COORDINATOR, None, Language.NL, NOW)
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "INSERT INTO people" in logged
    assert "secret-address" not in logged and "Cora" not in logged


def test_timing_records_each_statement_of_the_block(path):
    with path.timing() as timings, path.reading() as unit:
        store.everyone(unit)
        store.organisation(unit)
    assert len(timings.statements) == 2
    assert all(seconds >= 0 for _, seconds in timings.statements)


def test_one_setting_selects_postgresql(monkeypatch):
    monkeypatch.setenv("INTERVISION_DATABASE_URL", "postgresql://intervision:secret@db.example.org:5432/groups")
    assert database_url() == "postgresql+psycopg://intervision:secret@db.example.org:5432/groups"
    database = configured()
    assert database.engine_name == "postgresql" and database.path is None
    assert "secret" not in repr(database)


def test_without_settings_the_store_is_the_sqlite_file(monkeypatch, tmp_path):
    monkeypatch.delenv("INTERVISION_DATABASE_URL", raising=False)
    monkeypatch.setenv("INTERVISION_DB", str(tmp_path / "here.db"))
    database = configured()
    assert database.engine_name == "sqlite" and database.path == tmp_path / "here.db"


def test_the_core_reads_the_clock_injected_with_the_database(path, make_person):
    moment = datetime(2031, 5, 6, 7, 8, tzinfo=UTC)
    path.clock = FixedClock(moment)
    lead = make_person("Lea Lead", Role.FACILITATOR)
    group_id = groups.create_group(path, lead, group_form("Team Clock"))  # no `now`: the store's clock
    with path.reading() as unit:
        assert store.joined_at(unit, group_id, lead.id) == moment
