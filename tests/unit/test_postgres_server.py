"""The throwaway PostgreSQL server the tests on PostgreSQL run against (tests/postgres_server.py)."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import psycopg
import pytest
import sqlalchemy
from postgres_server import PostgresUnavailable, postgres_bin_dir, start_postgres_server


def _names_in(url: str) -> list[str]:
    """The rows of the `people` table, read through SQLAlchemy and psycopg as the app will."""
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(sqlalchemy.text("SELECT name FROM people ORDER BY name")).scalars())
    finally:
        engine.dispose()


def test_the_session_server_answers_on_its_url_with_durability_off(postgres_server):
    assert postgres_server.url("intervision").startswith("postgresql+psycopg://")
    engine = sqlalchemy.create_engine(postgres_server.url())
    try:
        with engine.connect() as connection:
            settings = dict(
                connection.execute(
                    sqlalchemy.text(
                        "SELECT name, setting FROM pg_settings WHERE name IN "
                        "('fsync', 'synchronous_commit', 'full_page_writes', 'max_connections', 'listen_addresses')"
                    )
                ).all()
            )
    finally:
        engine.dispose()
    assert settings == {
        "fsync": "off",
        "synchronous_commit": "off",
        "full_page_writes": "off",
        "max_connections": "200",
        "listen_addresses": "127.0.0.1",
    }
    assert (postgres_server.socket_dir / f".s.PGSQL.{postgres_server.port}").is_socket()


def test_a_database_made_from_a_template_holds_the_templates_rows(postgres_server):
    postgres_server.create_database("people_template")
    with postgres_server.connect("people_template") as connection:
        connection.execute("CREATE TABLE people (name text PRIMARY KEY)")
        connection.execute("INSERT INTO people VALUES ('Anouk'), ('Bram')")
    try:
        url = postgres_server.create_database("people_copy", template="people_template")
        assert url == postgres_server.url("people_copy")
        assert _names_in(url) == ["Anouk", "Bram"]
    finally:
        postgres_server.drop_database("people_copy")
        postgres_server.drop_database("people_template")


def test_two_databases_do_not_see_each_others_rows(postgres_server):
    first = postgres_server.create_database("isolated_first")
    second = postgres_server.create_database("isolated_second")
    try:
        for name, person in [("isolated_first", "Charlotte"), ("isolated_second", "Daan")]:
            with postgres_server.connect(name) as connection:
                connection.execute("CREATE TABLE people (name text PRIMARY KEY)")
                connection.execute("INSERT INTO people VALUES (%s)", [person])
        assert _names_in(first) == ["Charlotte"]
        assert _names_in(second) == ["Daan"]
    finally:
        postgres_server.drop_database("isolated_first")
        postgres_server.drop_database("isolated_second")


def test_drop_database_ends_open_connections(postgres_server):
    postgres_server.create_database("still_in_use")
    lingering = postgres_server.connect("still_in_use")
    postgres_server.drop_database("still_in_use")
    with postgres_server.connect() as connection:
        assert connection.execute("SELECT 1 FROM pg_database WHERE datname = 'still_in_use'").fetchone() is None
    with pytest.raises(psycopg.OperationalError):
        lingering.execute("SELECT 1")
    lingering.close()


def test_a_server_starts_fast_and_is_gone_after_stop():
    began = time.monotonic()
    server = start_postgres_server()
    took = time.monotonic() - began
    try:
        with server.connect() as connection:
            assert connection.execute("SELECT 1").fetchone() == (1,)
        assert took < 10, f"starting took {took:.1f} s"  # ~0.5 s here; generous for a loaded CI machine
    finally:
        server.stop()
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", server.port), timeout=5):
        pass
    assert not server.directory.exists()
    server.stop()  # a second stop (the atexit one) is harmless


def test_missing_binaries_name_the_debian_package(tmp_path: Path):
    with pytest.raises(PostgresUnavailable, match="postgresql"):
        postgres_bin_dir(tmp_path)


def test_the_newest_installed_version_is_chosen(tmp_path: Path):
    for version in ["9.6", "15", "16", "100-not-a-version"]:
        (tmp_path / version / "bin").mkdir(parents=True)
        (tmp_path / version / "bin" / "initdb").touch()
    (tmp_path / "17" / "bin").mkdir(parents=True)  # a client-only install: no initdb
    assert postgres_bin_dir(tmp_path) == tmp_path / "16" / "bin"
