"""One-time account links (a password reset, an address confirmation) and accounts that wait for their
owner to confirm the address. Only a link's digest is stored (migration 0015_account_mail)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel

from intervision.database import Unit
from intervision.models import Language, Role
from intervision.store._sql import _iso, _maybe_moment, _moment


class LinkPurpose(StrEnum):
    RESET = "reset"  # set a new password
    CONFIRM = "confirm"  # confirm the address of a new account (and join the invitation's group)


class AccountLink(BaseModel):
    id: int
    purpose: LinkPurpose
    person_id: int
    invitation_id: int | None
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None


class MailRecipient(BaseModel):
    """Who has an account with an address: what a mail to them needs."""

    id: int
    name: str
    language: Language | None
    confirmed: bool


class PersonalAccountLink(BaseModel):
    """A link as its person may read it in their export: when, never the token."""

    purpose: LinkPurpose
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None


_LINK_SELECT = "SELECT id, purpose, person_id, invitation_id, created_at, expires_at, used_at FROM account_links"


def _link(row: object) -> AccountLink:
    values = dict(row)  # type: ignore[call-overload]
    values["created_at"] = _moment(values["created_at"])
    values["expires_at"] = _moment(values["expires_at"])
    values["used_at"] = _maybe_moment(values["used_at"])
    return AccountLink(**values)


def add_account_link(
    db: Unit,
    purpose: LinkPurpose,
    token_hash: str,
    person_id: int,
    now: datetime,
    expires_at: datetime,
    invitation_id: int | None = None,
) -> int:
    return db.execute(
        "INSERT INTO account_links (purpose, token_hash, person_id, invitation_id, created_at, expires_at)"
        " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        [purpose.value, token_hash, person_id, invitation_id, _iso(now), _iso(expires_at)],
    ).scalar()


def end_open_links(db: Unit, person_id: int, purpose: LinkPurpose, now: datetime) -> None:
    """Every link of this purpose that was not used yet opens nothing from now on (a newer one replaces it)."""
    db.execute(
        "UPDATE account_links SET used_at = ? WHERE person_id = ? AND purpose = ? AND used_at IS NULL",
        [_iso(now), person_id, purpose.value],
    )


def links_made_since(db: Unit, person_id: int | None, purpose: LinkPurpose, since: datetime) -> int:
    """How many links of this purpose were made for this person since then (used, ended or not)."""
    return db.execute(
        "SELECT count(*) FROM account_links WHERE person_id = ? AND purpose = ? AND created_at >= ?",
        [person_id if person_id is not None else -1, purpose.value, _iso(since)],
    ).scalar()


def forget_links_expired_before(db: Unit, moment: datetime) -> None:
    """Links long expired say nothing any more: they go (the hour's count needs only the recent ones)."""
    db.execute("DELETE FROM account_links WHERE expires_at < ?", [_iso(moment)])


def usable_link(db: Unit, purpose: LinkPurpose, token_hash: str, now: datetime) -> AccountLink | None:
    """The link behind this digest, if it is of this purpose, not used and not expired."""
    row = db.execute(
        f"{_LINK_SELECT} WHERE token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?",
        [token_hash, purpose.value, _iso(now)],
    ).fetchone()
    return _link(row) if row else None


def use_link(db: Unit, link_id: int, now: datetime) -> bool:
    """Mark the link used; False when someone used it first (two tabs, one link)."""
    cursor = db.execute("UPDATE account_links SET used_at = ? WHERE id = ? AND used_at IS NULL", [_iso(now), link_id])
    return cursor.rowcount == 1


def mail_recipient(db: Unit, email: str) -> MailRecipient | None:
    row = db.execute("SELECT id, name, language, email_confirmed_at FROM people WHERE email = ?", [email]).fetchone()
    if row is None:
        return None
    confirmed = row["email_confirmed_at"] is not None
    return MailRecipient(id=row["id"], name=row["name"], language=row["language"], confirmed=confirmed)


def confirm_address(db: Unit, person_id: int, now: datetime) -> None:
    db.execute(
        "UPDATE people SET email_confirmed_at = ? WHERE id = ? AND email_confirmed_at IS NULL", [_iso(now), person_id]
    )


def replace_pending_account(
    db: Unit, person_id: int, name: str, password_hash: str, language: Language, role: Role
) -> None:
    """A second attempt with a still unconfirmed address: its name, password and language are the latest."""
    db.execute(
        "UPDATE people SET name = ?, password_hash = ?, language = ?, role = ?"
        " WHERE id = ? AND email_confirmed_at IS NULL",
        [name, password_hash, language.value, role.value, person_id],
    )


def forget_pending_accounts_made_before(db: Unit, moment: datetime) -> int:
    """Accounts whose owner never confirmed the address go, with their links (ON DELETE CASCADE)."""
    return db.execute("DELETE FROM people WHERE email_confirmed_at IS NULL AND created_at < ?", [_iso(moment)]).rowcount


def email_confirmed_at(db: Unit, person_id: int) -> datetime | None:
    row = db.execute("SELECT email_confirmed_at FROM people WHERE id = ?", [person_id]).fetchone()
    return _maybe_moment(row[0]) if row else None


def personal_account_links(db: Unit, person_id: int) -> list[PersonalAccountLink]:
    rows = db.execute(
        "SELECT purpose, created_at, expires_at, used_at FROM account_links WHERE person_id = ?"
        " ORDER BY created_at, id",
        [person_id],
    )
    return [
        PersonalAccountLink(
            purpose=row["purpose"],
            created_at=_moment(row["created_at"]),
            expires_at=_moment(row["expires_at"]),
            used_at=_maybe_moment(row["used_at"]),
        )
        for row in rows
    ]
