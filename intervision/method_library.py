"""The methods a person may use: the built-in library plus custom methods, and their versions.

A custom method belongs to its author and the groups its author facilitates, unless a coordinator
shares it with the whole organisation. Every version that is saved or used by a session is kept, so a
session can always show the method exactly as it ran.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from intervision import store
from intervision.database import Database, Unit
from intervision.errors import DomainError, NotAllowed
from intervision.methods import Method, MethodFileError, built_in_library, method_to_toml, parse_method
from intervision.models import GroupRole, Person, Role
from intervision.permissions import Action, require

log = logging.getLogger("intervision")


@dataclass(frozen=True)
class MethodEntry:
    """A method as the library shows it: built in, or someone's own."""

    method: Method
    custom: bool = False
    author: str = ""
    author_id: int | None = None
    shared: bool = False

    def editable_by(self, person: Person) -> bool:
        return self.custom and self.author_id == person.id


def _entry(stored: store.CustomMethod) -> MethodEntry | None:
    try:
        method = parse_method(stored.definition, stored.method_id)
    except MethodFileError:
        # A stored method that no longer passes (say, a limit was tightened) must not take the library down.
        log.exception("Custom method %s no longer validates", stored.method_id)
        return None
    return MethodEntry(method, True, stored.author, stored.author_id, stored.shared)


def available_methods(database: Database, viewer: Person) -> list[MethodEntry]:
    """Every method this person may read and use: built-in ones first, then custom ones."""
    built_in = [MethodEntry(method) for method in built_in_library().methods.values()]
    with database.reading() as db:
        stored = store.custom_methods(db, None if viewer.role is Role.COORDINATOR else viewer.id)
    return built_in + [entry for entry in map(_entry, stored) if entry is not None]


def method_entry(database: Database, viewer: Person, method_id: str) -> MethodEntry | None:
    return next((entry for entry in available_methods(database, viewer) if entry.method.id == method_id), None)


def _method_role(db: Unit, viewer: Person) -> GroupRole | None:
    """Creating methods goes with facilitating: the group role that counts is 'facilitator of some group'."""
    return GroupRole.FACILITATOR if store.facilitates_any_group(db, viewer.id) else None


def may_create_methods(database: Database, viewer: Person) -> bool:
    try:
        with database.reading() as db:
            require(Action.CREATE_METHOD, viewer.role, _method_role(db, viewer))
    except NotAllowed:
        return False
    return True


def _new_custom_id(db: Unit) -> str:
    taken = set(built_in_library().methods) | {stored.method_id for stored in store.custom_methods(db, None)}
    number = store.custom_method_count(db) + 1
    while f"custom_{number}" in taken:
        number += 1
    return f"custom_{number}"


def save_custom_method(database: Database, viewer: Person, method: Method, now: datetime | None = None) -> Method:
    """Save a method the person made or changed. A new method gets its own id; a change, a new version."""
    now = now or database.clock.now()
    with database.writing() as db:
        require(Action.CREATE_METHOD, viewer.role, _method_role(db, viewer))
        existing = store.custom_method(db, method.id)
        if existing is None:
            method = method.model_copy(update={"id": _new_custom_id(db), "version": 1, "variant_of": None})
            store.add_custom_method(db, method.id, viewer.id, now)
        else:
            if existing.author_id != viewer.id:
                raise NotAllowed(Action.CREATE_METHOD.value)
            method = method.model_copy(update={"version": existing.current_version + 1})
            store.set_custom_method_version(db, method.id, method.version)
        store.keep_method_version(db, method.id, method.version, method_to_toml(method), now)
        store.drop_method_draft(db, viewer.id)
        return method


def share_method(database: Database, viewer: Person, method_id: str, shared: bool) -> None:
    require(Action.SHARE_METHOD, viewer.role)
    with database.writing() as db:
        if store.custom_method(db, method_id) is None:
            raise DomainError("method_not_found")
        store.share_custom_method(db, method_id, shared)


def pin_version(db: Unit, method: Method, now: datetime) -> int:
    """Keep the method as it is now, for a session that will run with it; return its version."""
    store.keep_method_version(db, method.id, method.version, method_to_toml(method), now)
    return method.version


def method_as_run(database: Database, method_id: str, version: int) -> Method | None:
    """The method exactly as a session ran it, even if it changed since."""
    with database.reading() as db:
        definition = store.method_version_definition(db, method_id, version)
    return _pinned_method(definition, f"{method_id} v{version}") if definition else None


@lru_cache(maxsize=256)
def _pinned_method(definition: str, source: str) -> Method:
    """A pinned version's text never changes and a Method is immutable, so one parse serves every screen:
    phones and the projector read the session's method on every poll, and parsing was most of that read."""
    return parse_method(definition, source)


# --- drafts: the editor's work in progress, kept as it is typed --------------------------------


def save_draft(database: Database, viewer: Person, draft: dict, now: datetime | None = None) -> None:
    with database.writing() as db:
        store.save_method_draft(db, viewer.id, json.dumps(draft, ensure_ascii=False), now or database.clock.now())


def draft_of(database: Database, viewer: Person) -> dict | None:
    with database.reading() as db:
        body = store.method_draft(db, viewer.id)
    return json.loads(body) if body else None


def drop_draft(database: Database, viewer: Person) -> None:
    with database.writing() as db:
        store.drop_method_draft(db, viewer.id)
