"""Errors the core raises for a person to read. `key` names the message in the catalogs."""

from __future__ import annotations


class DomainError(Exception):
    """Something a person asked for that cannot be done, with the reason and the field it concerns."""

    def __init__(self, key: str, field: str | None = None, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.field = field
        self.params = params


class NotAllowed(DomainError):
    """The person may not do this here."""

    def __init__(self, action: str) -> None:
        super().__init__("not_allowed", action=action)


class StoreError(Exception):
    """The store could not do what was asked; raised instead of a database driver's own exceptions."""


class Conflict(StoreError):
    """A write broke a rule the database keeps: a unique value taken, a row that must exist missing."""


class Missing(StoreError):
    """The row a write was about no longer exists."""


class StorageProblem(StoreError):
    """The storage itself failed (full, read-only, unreachable, busy). `key` names the message."""

    def __init__(self, key: str, detail: str) -> None:
        super().__init__(detail)
        self.key = key
