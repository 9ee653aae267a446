"""Copy a SQLite database of the app, row for row, into a freshly migrated PostgreSQL database.

The large data set (bench/large_organisation.py) builds on either engine, but on PostgreSQL it takes about four
times as long; the benchmarks build it once on SQLite and copy it here, so both engines hold the same rows.
Both schemas come from the same Alembic revision and hold only INTEGER, REAL and TEXT values, so each
row goes over unchanged. The foreign keys are not checked while copying (the rows were valid on SQLite,
and their order between tables does not matter then); afterwards every id sequence moves past the
highest id copied, so rows the app writes later get new ids.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import text

from intervision.database import Database

BATCH = 5000


def _tables(source: sqlite3.Connection) -> list[str]:
    rows = source.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " AND name <> 'alembic_version' ORDER BY name"
    )
    return [name for (name,) in rows]


def copy_sqlite_into(sqlite_file: Path, target: Database) -> dict[str, int]:
    """Copy every table of `sqlite_file` into `target` (PostgreSQL, migrated, empty); rows per table."""
    target.migrate()
    copied: dict[str, int] = {}
    source = sqlite3.connect(sqlite_file)
    try:
        with target.engine.begin() as connection:
            # The superuser of the throwaway server may switch the foreign-key triggers off for this copy.
            connection.exec_driver_sql("SET session_replication_role = replica")
            cursor = connection.connection.driver_connection.cursor()
            for table in _tables(source):
                read = source.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - names from the schema itself
                columns = [description[0] for description in read.description]
                placeholders = ", ".join(["%s"] * len(columns))
                insert = f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({placeholders})'  # noqa: S608
                copied[table] = 0
                while batch := read.fetchmany(BATCH):
                    cursor.executemany(insert, batch)
                    copied[table] += len(batch)
                sequence = (
                    "id" in columns
                    and connection.execute(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table}).scalar()
                )
                if sequence:
                    connection.execute(
                        text(f'SELECT setval(:s, COALESCE((SELECT max(id) FROM "{table}"), 0) + 1, false)'),
                        {"s": sequence},
                    )
            connection.exec_driver_sql("SET session_replication_role = origin")
            connection.exec_driver_sql("ANALYZE")
    finally:
        source.close()
    return copied
