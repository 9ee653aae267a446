"""`python -m intervision.db` migrates the configured store (make migrate, the image's entrypoint, the Compose
file's migrate service).

The functions below take a SQLite file's path or a Database, for the tests and benchmarks that handle files;
the app itself passes its Database (intervision.database.configured) and never calls them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from intervision.config import database_path
from intervision.database import Database, Unit, configured, storage_problem

__all__ = ["storage_problem"]

_by_path: dict[Path, Database] = {}


def database_at(path: Path | Database | None = None) -> Database:
    if isinstance(path, Database):
        return path
    if path is None:
        return configured()
    resolved = Path(path).resolve()
    if resolved == database_path().resolve():
        return configured()
    if resolved not in _by_path:
        _by_path[resolved] = Database.for_path(resolved)
    return _by_path[resolved]


@contextmanager
def reading(path: Path | Database | None = None) -> Iterator[Unit]:
    with database_at(path).reading() as unit:
        yield unit


@contextmanager
def writing(path: Path | Database | None = None) -> Iterator[Unit]:
    with database_at(path).writing() as unit:
        yield unit


def migrate(path: Path | Database | None = None) -> None:
    database_at(path).migrate()


def ensure_migrated(path: Path | Database | None = None) -> None:
    database_at(path).ensure_migrated()


if __name__ == "__main__":
    migrate()
    print(f"Database ready: {configured()!r}")
