"""Fixtures for the core's unit tests: a fresh database per test, people and groups to act with.

Every core function takes `path`, so each test works on its own file in `tmp_path` and tests cannot
see each other's data. Time is injected with `now=` wherever it matters.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from unit_support import JOINED, NOW, add_person, group_form

from intervision import auth, db, groups, store
from intervision.database import Database
from intervision.models import GroupRole, Person, Role


@pytest.fixture
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 with its production settings costs ~0.1 s per hash and per check; these tests hash a lot.

    The cheap hasher is the same algorithm (a real hash, a real check), only with tiny cost settings.
    test_auth.py checks the production settings themselves without this fixture.
    """
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(auth, "_hasher", cheap)
    monkeypatch.setattr(auth, "_DUMMY_HASH", cheap.hash("not anybody's password"))


@pytest.fixture
def path(database: Database, fast_hashing: None) -> Database:
    """A freshly migrated, empty database of its own, on each engine (tests/conftest.py)."""
    return database


@pytest.fixture
def coordinator(path: Path) -> Person:
    return add_person(path, "Cora Coordinator", Role.COORDINATOR)


@pytest.fixture
def make_person(path: Path) -> Callable[..., Person]:
    def make(name: str, role: Role = Role.PARTICIPANT, **kwargs: object) -> Person:
        return add_person(path, name, role, **kwargs)

    return make


@pytest.fixture
def make_group(path: Path, coordinator: Person) -> Callable[..., int]:
    """A group created by the coordinator, with the given people in it since long before NOW (JOINED)."""

    def make(
        name: str = "Team North",
        facilitators: tuple[Person, ...] = (),
        members: tuple[Person, ...] = (),
        **contract: object,
    ) -> int:
        group_id = groups.create_group(path, coordinator, group_form(name, **contract), now=NOW)
        with db.writing(path) as conn:
            for person in facilitators:
                store.set_membership(conn, group_id, person.id, GroupRole.FACILITATOR, JOINED)
            for person in members:
                store.set_membership(conn, group_id, person.id, GroupRole.MEMBER, JOINED)
        return group_id

    return make
