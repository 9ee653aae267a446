"""One migration track for both engines (Alembic): the schema lives in `versions/`, nowhere else.

`upgrade` runs every pending revision in one transaction, under a lock, so that when several app processes
start at once exactly one migrates and the others find the work done. A SQLite file made by the releases
before Alembic (sqlite-utils' `_sqlite_migrations` track) is adopted in place by the first revision.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

if TYPE_CHECKING:
    from intervision.database import Database

_HERE = Path(__file__).resolve().parent


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(_HERE))
    return config


def head() -> str:
    """The revision this release's schema is at."""
    return ScriptDirectory.from_config(_config()).get_current_head()


def older_revisions() -> frozenset[str]:
    """Every revision before head: a database at one of them was made by an older release."""
    script = ScriptDirectory.from_config(_config())
    return frozenset(revision.revision for revision in script.walk_revisions() if revision.revision != head())


def upgrade(database: Database) -> None:
    """Apply every pending revision; a no-op when the schema is current."""
    from intervision.database import MIGRATION_BUSY_TIMEOUT_MS

    with database.writing(busy_timeout_ms=MIGRATION_BUSY_TIMEOUT_MS) as unit:
        unit.lock("migrations")
        if MigrationContext.configure(unit.connection).get_current_revision() == head():
            return
        config = _config()
        config.attributes["connection"] = unit.connection
        command.upgrade(config, "head")


def current_revision(database: Database) -> str | None:
    """The revision the database is at, or None for a database never migrated."""
    with database.reading() as unit:
        return MigrationContext.configure(unit.connection).get_current_revision()
