"""The account mails: invitations by e-mail, "forgot my password", a coordinator's reset link, and a new
account that confirms its e-mail address before it is used.

What these rules protect:
- Nobody learns from the product whether an address has an account. Asking for a reset link gives the same
  answer for any address; with a mail server set up, creating an account with an invitation gives the same
  answer too ("check your mail"), and the mailbox's owner reads what happened: a link to confirm a new
  account, or a note that an account with this address exists.
- A link opens an account once: 32 random bytes, of which only the SHA-256 digest is stored; a reset link
  lives 30 minutes, a newer one ends the older ones, and an address gets at most a few per hour (silently:
  saying "too many" would say that the address has an account).
- A new account made with an invitation cannot sign in before its owner followed the link in the mail:
  whoever typed the address does not get an account on someone else's address.

Without a mail server (intervision/mail/settings.py) accounts work at once, as before: the join page then
still answers "account_not_created" for an address that has an account, which it cannot avoid without a
mail to confirm with.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from intervision import auth, invitations, store
from intervision.database import Database
from intervision.errors import DomainError
from intervision.i18n import t
from intervision.invitations import join_link
from intervision.mail.compose import write_mail
from intervision.mail.models import MailKind
from intervision.mail.outbox import KEPT_AFTER_SENDING, queue
from intervision.mail.settings import link, mail_configured, public_url
from intervision.models import (
    EMAIL_MAX,
    AuditAction,
    Email,
    GroupRole,
    InvitationStatus,
    JoinInput,
    Language,
    NewAccountInput,
    NewPasswordInput,
    Person,
    Role,
)
from intervision.permissions import Action, require
from intervision.store import account_mail as account_store
from intervision.store.account_mail import LinkPurpose, MailRecipient

RESET_LINK_LIFETIME = timedelta(minutes=30)
# Long enough for someone who reads their mail the next evening.
CONFIRM_LINK_LIFETIME = timedelta(days=2)
# Per address and per kind of link: more requests in an hour are ignored without a word.
LINKS_PER_HOUR = 3
# One submit of the invitation form mails at most this many addresses.
MAIL_INVITATIONS_AT_ONCE = 50
# An account whose owner never confirmed the address is forgotten after this long.
UNCONFIRMED_ACCOUNTS_KEPT = timedelta(days=7)
# A link that expired this long ago is deleted (the next time anyone asks for one).
EXPIRED_LINKS_KEPT = timedelta(days=1)

RESET_PATH = "reset"
CONFIRM_PATH = "confirm"
_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_ADDRESS_SEPARATORS = re.compile(r"[\s,;]+")


class _Form(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")


class MailInvitationInput(_Form):
    """The addresses to invite (one per line, or separated by commas or spaces) and the invitation's terms."""

    group_id: int
    group_role: GroupRole = GroupRole.MEMBER
    valid_days: int = Field(default=14, ge=1, le=90)
    addresses: list[str]

    @field_validator("addresses", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return [part for part in _ADDRESS_SEPARATORS.split(value) if part]
        return [] if value is None else value

    @field_validator("addresses")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        addresses = list(dict.fromkeys(address.strip().lower() for address in value if address.strip()))
        if not addresses:
            raise PydanticCustomError("required", "required")
        if len(addresses) > MAIL_INVITATIONS_AT_ONCE:
            raise PydanticCustomError(
                "account_mail.too_many_addresses", "too many addresses", {"most": MAIL_INVITATIONS_AT_ONCE}
            )
        for address in addresses:
            if len(address) > EMAIL_MAX or not _ADDRESS.match(address):
                raise PydanticCustomError("account_mail.not_an_address", "not an e-mail address", {"address": address})
        return addresses


class ResetRequestInput(_Form):
    email: Email


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> tuple[str, str]:
    """A link's token (32 random bytes) and the digest the database keeps of it."""
    token = secrets.token_urlsafe(32)
    return token, _digest(token)


def reset_link(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/{RESET_PATH}?token={token}"


def _greeting_name(recipient: MailRecipient | None) -> str | None:
    # The name of an unconfirmed account was typed by whoever made it, perhaps not the mailbox's owner.
    return recipient.name if recipient is not None and recipient.confirmed else None


# --- invitations by e-mail ---------------------------------------------------------------------


@dataclass(frozen=True)
class MailedInvitation:
    """One invited address: its own single-use code, and whether a mail to it is in the outbox."""

    address: str
    code: str


def invite_by_mail(
    database: Database, viewer: Person, form: MailInvitationInput, now: datetime | None = None
) -> list[MailedInvitation]:
    """Each address gets its own single-use invitation and a mail with its join link, in the language of
    the account with that address if there is one, the group's language otherwise. The same permissions as
    creating an invitation: a group's facilitator invites members, only a coordinator invites facilitators."""
    now = now or database.clock.now()
    base = public_url()
    made: list[MailedInvitation] = []
    with database.writing() as db:
        group = store.group(db, form.group_id)
        if group is None:
            raise DomainError("group_not_found")
        viewer_role = store.group_role(db, form.group_id, viewer.id)
        require(Action.MANAGE_INVITATIONS, viewer.role, viewer_role)
        if form.group_role is GroupRole.FACILITATOR:
            require(Action.INVITE_FACILITATORS, viewer.role, viewer_role)
        db.lock("invitation_codes")
        expires = now + timedelta(days=form.valid_days)
        for address in form.addresses:
            code = invitations.unused_code(db)
            store.add_invitation(db, code, group.id, form.group_role, viewer.id, now, expires, 1, address)
            recipient = account_store.mail_recipient(db, address)
            known = recipient is not None and recipient.confirmed
            language = recipient.language if known and recipient.language else group.language
            mail = write_mail(
                MailKind.INVITATION,
                language,
                address,
                name=_greeting_name(recipient),
                person_id=recipient.id if known else None,
                group_id=group.id,
                inviter=viewer.name,
                group=group.name,
                role=t(f"group_role.{form.group_role}", language).lower(),
                link=join_link(base, code),
                code=code,
                days=form.valid_days,
            )
            queue(db, mail, now)
            made.append(MailedInvitation(address, code))
    return made


def forget_addresses_of_old_invitations(database: Database, now: datetime) -> int:
    """An invitation keeps the address it was mailed to as long as the mail itself is kept after it expired."""
    with database.writing() as db:
        return store.forget_addresses_of_invitations_expired_before(db, now - KEPT_AFTER_SENDING)


# --- forgot my password ------------------------------------------------------------------------


def ask_password_reset(
    database: Database, form: ResetRequestInput, language: Language, now: datetime | None = None
) -> None:
    """Mail a one-time link to set a new password, if an account has this address. The caller says the
    same thing whatever happened here, and the same database work is done either way."""
    now = now or database.clock.now()
    token, digest = _new_token()
    with database.writing() as db:
        account_store.forget_links_expired_before(db, now - EXPIRED_LINKS_KEPT)
        recipient = account_store.mail_recipient(db, form.email)
        person_id = recipient.id if recipient else None
        asked = account_store.links_made_since(db, person_id, LinkPurpose.RESET, now - timedelta(hours=1))
        if recipient is None or asked >= LINKS_PER_HOUR:
            return
        account_store.end_open_links(db, recipient.id, LinkPurpose.RESET, now)
        account_store.add_account_link(db, LinkPurpose.RESET, digest, recipient.id, now, now + RESET_LINK_LIFETIME)
        mail = write_mail(
            MailKind.PASSWORD_RESET,
            recipient.language or language,
            form.email,
            name=_greeting_name(recipient),
            person_id=recipient.id,
            secret=True,
            link=link(RESET_PATH, token=token),
            minutes=int(RESET_LINK_LIFETIME.total_seconds() // 60),
        )
        queue(db, mail, now)


def reset_link_works(database: Database, token: str, now: datetime | None = None) -> bool:
    """Whether this reset link can still be used (to ask for a new password, or say at once that it cannot)."""
    if not token:
        return False
    with database.reading() as db:
        return account_store.usable_link(db, LinkPurpose.RESET, _digest(token), now or database.clock.now()) is not None


def reset_password(database: Database, token: str, form: NewPasswordInput, now: datetime | None = None) -> str:
    """Set the new password with a reset link, which is then used up; every device is signed out, and a
    new sign-in session is opened for this browser. Following the link also proves the address: an account
    that waited for its confirmation is confirmed."""
    now = now or database.clock.now()
    hashed = auth.hash_password(form.new_password)  # before the transaction: argon2 is slow on purpose
    with database.writing() as db:
        found = account_store.usable_link(db, LinkPurpose.RESET, _digest(token), now) if token else None
        if found is None or not account_store.use_link(db, found.id, now):
            raise DomainError("account_mail.link_dead")
        store.set_password_hash(db, found.person_id, hashed)
        account_store.confirm_address(db, found.person_id, now)
        store.end_all_sign_in_sessions(db, found.person_id)
        store.add_audit_event(db, now, found.person_id, AuditAction.PASSWORD_RESET, "", "")
    return auth.open_session_for(database, found.person_id, now)


def hand_out_reset_link(database: Database, viewer: Person, person_id: int, now: datetime | None = None) -> str:
    """A coordinator makes a reset link for someone (when no mail can be sent); the token is shown once.

    Not for themselves: a coordinator who is signed in changes their own password on their profile. Another
    coordinator is allowed, as a coordinator may already change anyone's role; the audit log keeps who made
    a link for whom."""
    require(Action.HAND_OUT_RESET_LINK, viewer.role)
    if person_id == viewer.id:
        raise DomainError("account_mail.not_for_yourself", field="person_id")
    now = now or database.clock.now()
    token, digest = _new_token()
    with database.writing() as db:
        person = store.person(db, person_id)
        if person is None:
            raise DomainError("person_not_found", field="person_id")
        account_store.end_open_links(db, person_id, LinkPurpose.RESET, now)
        account_store.add_account_link(db, LinkPurpose.RESET, digest, person_id, now, now + RESET_LINK_LIFETIME)
        store.add_audit_event(db, now, viewer.id, AuditAction.RESET_LINK_HANDED_OUT, person.email, "")
    return token


# --- a new account confirms its address --------------------------------------------------------


def create_account_with_code(
    database: Database, form: NewAccountInput, code: JoinInput, language: Language, now: datetime | None = None
) -> int | None:
    """A newcomer's account with an invitation. With a mail server set up the answer is always None ("check
    your mail"): a new address gets a confirmation link, an address with an account a note to its owner.
    Without one the account is made and joins at once, as before (its id is returned)."""
    if not mail_configured():
        return invitations.create_account_with_code(database, form, code, now)
    _start_account_with_code(database, form, code, language, now or database.clock.now())
    return None


def _start_account_with_code(
    database: Database, form: NewAccountInput, code: JoinInput, language: Language, now: datetime
) -> None:
    hashed = auth.hash_password(form.password)  # before the transaction, and for a known address too
    token, digest = _new_token()
    with database.writing() as db:
        found = invitations.usable_invitation(db, code.code, now)  # the same refusals for anyone
        account_store.forget_pending_accounts_made_before(db, now - UNCONFIRMED_ACCOUNTS_KEPT)
        account_store.forget_links_expired_before(db, now - EXPIRED_LINKS_KEPT)
        recipient = account_store.mail_recipient(db, form.email)
        if recipient is not None and recipient.confirmed:
            mail = write_mail(
                MailKind.ACCOUNT_EXISTS,
                recipient.language or form.language,
                form.email,
                name=recipient.name,
                person_id=recipient.id,
                secret=True,  # the code still lets someone in
                # One note per invitation: a code cannot be used to fill someone's mailbox.
                dedupe_key=f"account_exists:{found.id}:{recipient.id}",
                group=found.group_name,
                join_link=join_link(public_url(), found.code),
                sign_in_link=link("sign-in"),
            )
            queue(db, mail, now)
            return
        role = Role.FACILITATOR if found.group_role is GroupRole.FACILITATOR else Role.PARTICIPANT
        if recipient is not None:
            person_id = recipient.id
            account_store.replace_pending_account(db, person_id, form.name, hashed, form.language, role)
        else:
            person_id = store.add_person(db, form.name, form.email, role, hashed, form.language, now, confirmed=False)
            store.add_audit_event(db, now, person_id, AuditAction.ACCOUNT_CREATED, form.email, role.value)
        since = now - timedelta(hours=1)
        if account_store.links_made_since(db, person_id, LinkPurpose.CONFIRM, since) >= LINKS_PER_HOUR:
            return  # someone keeps typing this address: its owner has enough links
        account_store.end_open_links(db, person_id, LinkPurpose.CONFIRM, now)
        account_store.add_account_link(
            db, LinkPurpose.CONFIRM, digest, person_id, now, now + CONFIRM_LINK_LIFETIME, invitation_id=found.id
        )
        mail = write_mail(
            MailKind.CONFIRM_ADDRESS,
            form.language or language,
            form.email,
            person_id=person_id,
            secret=True,
            group=found.group_name,
            link=link(CONFIRM_PATH, token=token),
            days=CONFIRM_LINK_LIFETIME.days,
        )
        queue(db, mail, now)


def confirm_link_works(database: Database, token: str, now: datetime | None = None) -> bool:
    if not token:
        return False
    with database.reading() as db:
        return (
            account_store.usable_link(db, LinkPurpose.CONFIRM, _digest(token), now or database.clock.now()) is not None
        )


@dataclass(frozen=True)
class ConfirmedAccount:
    """A confirmed account's new sign-in session, and the group it joined (None: the invitation could no
    longer be used, or the person was in the group already)."""

    session_token: str
    joined_group: str | None


def confirm_account(database: Database, token: str, now: datetime | None = None) -> ConfirmedAccount:
    """The owner of the address follows the link: the account is confirmed, joins the invitation's group
    if the invitation can still be used, and is signed in."""
    now = now or database.clock.now()
    joined: str | None = None
    with database.writing() as db:
        found = account_store.usable_link(db, LinkPurpose.CONFIRM, _digest(token), now) if token else None
        if found is None or not account_store.use_link(db, found.id, now):
            raise DomainError("account_mail.link_dead")
        account_store.confirm_address(db, found.person_id, now)
        account_store.end_open_links(db, found.person_id, LinkPurpose.CONFIRM, now)
        store.add_audit_event(db, now, found.person_id, AuditAction.ADDRESS_CONFIRMED, "", "")
        invitation = store.invitation(db, found.invitation_id) if found.invitation_id else None
        if (
            invitation is not None
            and invitation.status(now) is InvitationStatus.ACTIVE
            and store.group_role(db, invitation.group_id, found.person_id) is None
            and store.count_invitation_use(db, invitation.id)
        ):
            person_id = found.person_id
            store.set_membership(db, invitation.group_id, person_id, invitation.group_role, now, by=person_id)
            store.add_audit_event(
                db,
                now,
                found.person_id,
                AuditAction.MEMBER_ADDED,
                invitation.code,
                f"{invitation.group_id}:{invitation.group_role}",
            )
            joined = invitation.group_name
    return ConfirmedAccount(auth.open_session_for(database, found.person_id, now), joined)
