"""The organisation and its people: first run, profiles and roles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from intervision import store
from intervision.auth import hash_password, person_of_token
from intervision.database import Database, Unit
from intervision.errors import DomainError
from intervision.models import (
    AuditAction,
    AuditEvent,
    FirstRunInput,
    Language,
    NewAccountInput,
    Organisation,
    Person,
    ProfileInput,
    Role,
)
from intervision.permissions import Action, require


@dataclass(frozen=True)
class Visit:
    """What every page needs to know about who is looking, read in one go."""

    person: Person | None
    organisation: Organisation | None
    first_run: bool
    leads_groups: bool


def visit(
    database: Database, token: str | None, single_sign_on_email: str | None = None, now: datetime | None = None
) -> Visit:
    """Who holds this sign-in token (or single-sign-on identity), and the state of the organisation."""
    with database.reading() as db:
        person = person_of_token(db, token, now or database.clock.now())
        if person is None and single_sign_on_email:
            person = _confirmed_account(db, single_sign_on_email)
        leads = person is not None and (person.role is Role.COORDINATOR or store.facilitates_any_group(db, person.id))
        return Visit(person, store.organisation(db), not store.anyone_has_an_account(db), leads)


def create_first_coordinator(database: Database, form: FirstRunInput, now: datetime | None = None) -> int:
    """Set up the organisation with its first coordinator; refused once anyone has an account."""
    now = now or database.clock.now()
    hashed = hash_password(form.password)  # before the transaction: argon2 is slow on purpose
    with database.writing() as db:
        if store.anyone_has_an_account(db):
            raise DomainError("already_set_up")
        store.create_organisation(db, form.organisation_name, is_demo=False, now=now)
        return add_account(db, form, hashed, Role.COORDINATOR, now)


def add_account(db: Unit, form: NewAccountInput, password_hash: str, role: Role, now: datetime) -> int:
    """A new account inside the caller's transaction, with the password hashed before it began."""
    if store.person_id_by_email(db, form.email) is not None:
        raise DomainError("account_not_created", field="email")
    person_id = store.add_person(db, form.name, form.email, role, password_hash, form.language, now)
    store.add_audit_event(db, now, person_id, AuditAction.ACCOUNT_CREATED, form.email, role.value)
    return person_id


def person(database: Database, person_id: int) -> Person | None:
    with database.reading() as db:
        return store.person(db, person_id)


def update_profile(database: Database, person_id: int, form: ProfileInput) -> None:
    with database.writing() as db:
        owner = store.person_id_by_email(db, form.email)
        if owner is not None and owner != person_id:
            raise DomainError("email_in_use", field="email")
        store.update_profile(db, person_id, form.name, form.email, form.language)


def set_language(database: Database, person_id: int, language: Language) -> None:
    with database.writing() as db:
        store.set_language(db, person_id, language)


def people(database: Database, viewer: Person) -> list[Person]:
    require(Action.VIEW_PEOPLE, viewer.role)
    with database.reading() as db:
        return store.everyone(db)


def change_role(database: Database, viewer: Person, person_id: int, role: Role, now: datetime | None = None) -> None:
    """A coordinator gives someone another organisation role; the last coordinator stays one."""
    require(Action.CHANGE_ROLES, viewer.role)
    now = now or database.clock.now()
    with database.writing() as db:
        current = store.person(db, person_id)
        if current is None:
            raise DomainError("person_not_found")
        if current.role is role:
            return
        # Two coordinators demoting each other at once must not both see the other one still there.
        db.lock("coordinators")
        if current.role is Role.COORDINATOR and store.count_coordinators(db) == 1:
            raise DomainError("last_coordinator", field="role")
        store.set_role(db, person_id, role)
        store.add_audit_event(db, now, viewer.id, AuditAction.ROLE_CHANGED, current.email, f"{current.role} → {role}")


def audit_log(database: Database, viewer: Person, limit: int = 200) -> list[AuditEvent]:
    require(Action.VIEW_AUDIT_LOG, viewer.role)
    with database.reading() as db:
        return store.audit_events(db, limit)


def _confirmed_account(db: Unit, email: str) -> Person | None:
    """The account with this address, unless it still waits for its address to be confirmed: a pending account's
    password was typed by whoever made it, so an identity provider vouching for the mailbox must not reach it."""
    found = store.credentials(db, email.strip().lower())
    return store.person(db, found.person_id) if found is not None and found.confirmed else None


def person_by_email(database: Database, email: str) -> Person | None:
    """The account that a single-sign-on identity maps to."""
    with database.reading() as db:
        return _confirmed_account(db, email)
