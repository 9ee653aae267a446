"""Which mails a person gets (their profile), and what coordinators see of the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from intervision.database import Database
from intervision.errors import DomainError
from intervision.mail.models import CHOOSABLE, MailKind, MailStatus, QueuedMail
from intervision.mail.outbox import mail_was_queued
from intervision.mail.settings import smtp_settings
from intervision.models import Person
from intervision.permissions import Action, require
from intervision.store import mail as outbox_store

OUTBOX_SHOWS = timedelta(days=30)
OUTBOX_ROWS = 200

# Kinds whose recipients a coordinator does not see, even when delivery failed: that a reminder went to
# someone says that they had not answered the survey, and an answer is the respondent's alone.
RECIPIENT_HIDDEN = frozenset({MailKind.SURVEY_REMINDER})


def mail_choices(database: Database, person: Person) -> dict[MailKind, bool]:
    """Every kind a person may choose, and whether they get it (all of them until they turn one off)."""
    require(Action.EDIT_OWN_PROFILE, person.role)
    with database.reading() as db:
        chosen = outbox_store.mail_choices(db, person.id)
    return {kind: chosen.get(kind, True) for kind in CHOOSABLE}


def choose_mails(database: Database, person: Person, wanted: dict[MailKind, bool]) -> None:
    require(Action.EDIT_OWN_PROFILE, person.role)
    if not set(wanted) <= set(CHOOSABLE):
        raise DomainError("mail_kind_not_choosable")
    with database.writing() as db:
        for kind, wants in wanted.items():
            outbox_store.set_mail_choice(db, person.id, kind, wants)


@dataclass(frozen=True)
class OutboxLine:
    """One mail as a coordinator sees it: never its body (it may hold a one-time link)."""

    id: int
    kind: MailKind
    to_address: str | None  # None: hidden (RECIPIENT_HIDDEN)
    status: MailStatus
    attempts: int
    queued_at: datetime
    finished_at: datetime | None
    error: str
    may_send_again: bool


@dataclass(frozen=True)
class OutboxOverview:
    configured: bool
    counts: dict[MailStatus, int]
    lines: list[OutboxLine]  # failed and not sent first, then the queue and what was sent


def _line(mail: QueuedMail) -> OutboxLine:
    return OutboxLine(
        id=mail.id,
        kind=mail.kind,
        to_address=None if mail.kind in RECIPIENT_HIDDEN else mail.to_address,
        status=mail.status,
        attempts=mail.attempts,
        queued_at=mail.created_at,
        finished_at=mail.finished_at,
        error=mail.last_error,
        may_send_again=mail.status is MailStatus.FAILED and not mail.secret,
    )


def outbox_overview(database: Database, viewer: Person, now: datetime | None = None) -> OutboxOverview:
    """The last 30 days of mail: counts per status, and the mails themselves, failures first."""
    require(Action.VIEW_OUTBOX, viewer.role)
    since = (now or database.clock.now()) - OUTBOX_SHOWS
    order = [MailStatus.FAILED, MailStatus.NOT_SENT, MailStatus.QUEUED, MailStatus.SENT]
    with database.reading() as db:
        counts = outbox_store.outbox_counts(db, since)
        mails = [mail for status in order for mail in outbox_store.outbox_mails(db, [status], since, OUTBOX_ROWS)]
    return OutboxOverview(smtp_settings() is not None, counts, [_line(mail) for mail in mails[:OUTBOX_ROWS]])


def send_again(database: Database, viewer: Person, mail_id: int, now: datetime | None = None) -> None:
    """A coordinator puts a failed mail back in the queue, for another day of attempts. A mail with a
    one-time link is not sent again: its link was blanked, and its reader can ask for a new one."""
    require(Action.VIEW_OUTBOX, viewer.role)
    with database.writing() as db:
        if not outbox_store.requeue_mail(db, mail_id, now or database.clock.now()):
            raise DomainError("mail_not_failed")
    mail_was_queued()
