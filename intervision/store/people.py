"""Accounts: who someone is, their role and language, their password hash, and waits after failed sign-ins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from intervision.database import Unit
from intervision.errors import Missing
from intervision.models import (
    Language,
    Person,
    Role,
    SignInDelay,
)
from intervision.store._sql import _iso

_PERSON_COLUMNS = "id, name, email, role, language"


@dataclass(frozen=True)
class Credentials:
    """What signing in checks a password against: whose account, and its hash (None: no password set)."""

    person_id: int
    password_hash: str | None
    # False while a new account waits for its owner to confirm the address (intervision/account_mail.py).
    confirmed: bool = True


def _changed_one(rowcount: int, what: str) -> None:
    # An update that found no row: the account was erased since it was read.
    if rowcount == 0:
        raise Missing(what)


def add_person(
    db: Unit,
    name: str,
    email: str,
    role: Role,
    password_hash: str | None,
    language: Language | None,
    now: datetime,
    confirmed: bool = True,
) -> int:
    """A new person; `confirmed=False` for an account that waits for its owner to confirm the address."""
    return db.execute(
        "INSERT INTO people (name, email, role, language, password_hash, created_at, email_confirmed_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [
            name,
            email,
            role.value,
            language.value if language else None,
            password_hash,
            _iso(now),
            _iso(now) if confirmed else None,
        ],
    ).scalar()


def person(db: Unit, person_id: int) -> Person | None:
    row = db.execute(f"SELECT {_PERSON_COLUMNS} FROM people WHERE id = ?", [person_id]).fetchone()
    return Person(**dict(row)) if row else None


def person_id_by_email(db: Unit, email: str) -> int | None:
    row = db.execute("SELECT id FROM people WHERE email = ?", [email]).fetchone()
    return row[0] if row else None


def everyone(db: Unit) -> list[Person]:
    """Everyone with an account: not an account that still waits for its address to be confirmed."""
    rows = db.execute(f"SELECT {_PERSON_COLUMNS} FROM people WHERE email_confirmed_at IS NOT NULL ORDER BY lower(name)")
    return [Person(**dict(row)) for row in rows]


def count_coordinators(db: Unit) -> int:
    return db.execute("SELECT count(*) FROM people WHERE role = ?", [Role.COORDINATOR.value]).fetchone()[0]


def update_profile(db: Unit, person_id: int, name: str, email: str, language: Language) -> None:
    db.execute(
        "UPDATE people SET name = ?, email = ?, language = ? WHERE id = ?",
        [name, email, language.value, person_id],
    )


def set_language(db: Unit, person_id: int, language: Language) -> None:
    db.execute("UPDATE people SET language = ? WHERE id = ?", [language.value, person_id])


def set_role(db: Unit, person_id: int, role: Role) -> None:
    cursor = db.execute("UPDATE people SET role = ? WHERE id = ?", [role.value, person_id])
    _changed_one(cursor.rowcount, f"person {person_id}")


def credentials(db: Unit, email: str) -> Credentials | None:
    """Whose account has this e-mail address, and its password hash."""
    row = db.execute("SELECT id, password_hash, email_confirmed_at FROM people WHERE email = ?", [email]).fetchone()
    if row is None:
        return None
    return Credentials(row["id"], row["password_hash"], confirmed=row["email_confirmed_at"] is not None)


def password_hash(db: Unit, person_id: int) -> str | None:
    row = db.execute("SELECT password_hash FROM people WHERE id = ?", [person_id]).fetchone()
    return row[0] if row else None


def set_password_hash(db: Unit, person_id: int, hashed: str) -> None:
    cursor = db.execute("UPDATE people SET password_hash = ? WHERE id = ?", [hashed, person_id])
    _changed_one(cursor.rowcount, f"person {person_id}")


def _iso_precise(moment: datetime) -> str:
    # Waits are as short as a second: keep the microseconds (the same width everywhere, so text compares).
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def sign_in_delays(db: Unit, keys: list[str]) -> dict[str, SignInDelay]:
    """The failures counted against each of these keys, by key."""
    marks = ", ".join("?" * len(keys))
    rows = db.execute(
        f"SELECT key, failures, last_failed_at, wait_until FROM sign_in_delays WHERE key IN ({marks})", keys
    )
    return {
        row["key"]: SignInDelay(
            failures=row["failures"],
            last_failed_at=datetime.fromisoformat(row["last_failed_at"]),
            wait_until=datetime.fromisoformat(row["wait_until"]),
        )
        for row in rows
    }


def set_sign_in_delay(db: Unit, key: str, delay: SignInDelay) -> None:
    db.execute(
        "INSERT INTO sign_in_delays (key, failures, last_failed_at, wait_until) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (key) DO UPDATE SET failures = excluded.failures,"
        " last_failed_at = excluded.last_failed_at, wait_until = excluded.wait_until",
        [key, delay.failures, _iso_precise(delay.last_failed_at), _iso_precise(delay.wait_until)],
    )


def drop_sign_in_delay(db: Unit, key: str) -> None:
    db.execute("DELETE FROM sign_in_delays WHERE key = ?", [key])


def uncount_sign_in_failure(db: Unit, key: str) -> None:
    """One failure fewer against this key (an attempt counted in advance that succeeded)."""
    db.execute("UPDATE sign_in_delays SET failures = failures - 1 WHERE key = ?", [key])
    db.execute("DELETE FROM sign_in_delays WHERE key = ? AND failures <= 0", [key])


def forget_sign_in_failures_before(db: Unit, moment: datetime) -> None:
    db.execute("DELETE FROM sign_in_delays WHERE last_failed_at < ?", [_iso_precise(moment)])
