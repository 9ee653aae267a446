"""The outbox: mails are queued in the database with what they report, then delivered by a round that
retries with growing delays and gives up, visibly, a day after a mail was queued.

A mail server that is down loses nothing: the mail waits in the queue. Delivery never holds a write open
while it talks to the server: it claims a mail, sends it outside any transaction, then records the outcome.
A claim expires, so a process that dies mid-send leaves the mail to the next round (it may then arrive
twice, never not at all).
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from intervision.database import Database, Unit
from intervision.mail.compose import message
from intervision.mail.models import CHOOSABLE, Mail, MailKind, MailStatus, QueuedMail
from intervision.mail.settings import SmtpSettings, Tls, smtp_settings
from intervision.store import mail as outbox_store

log = logging.getLogger("intervision.mail")

GIVE_UP_AFTER = timedelta(days=1)
# How long a mail that left the queue is kept: long enough to answer "did my invitation go out?".
KEPT_AFTER_SENDING = timedelta(days=90)
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=1)
CLAIM_FOR = timedelta(minutes=2)
SMTP_TIMEOUT_SECONDS = 20
MAILS_PER_ROUND = 100

# Called when a mail is queued, so that the delivery loop in this process sends it now, not at its next round.
_wake_ups: list[Callable[[], None]] = []


def wake_when_mail_is_queued(callback: Callable[[], None]) -> None:
    _wake_ups.append(callback)


def mail_was_queued() -> None:
    for wake in _wake_ups:
        with contextlib.suppress(RuntimeError):  # the server's loop has closed: its next start delivers
            wake()


def queue(db: Unit, mail: Mail, now: datetime) -> int | None:
    """Queue a mail inside the caller's transaction. Nothing is queued when its reader turned this kind off,
    or when a mail with the same dedupe key was queued before. Returns the mail's id, or None."""
    if mail.person_id is not None and not wanting(db, mail.kind, [mail.person_id]):
        return None
    mail_id = outbox_store.add_to_outbox(db, mail, MailStatus.QUEUED, now)
    if mail_id is not None:
        mail_was_queued()
    return mail_id


def wanting(db: Unit, kind: MailKind, person_ids: list[int]) -> list[int]:
    """Those of these people who get mails of this kind (everyone who did not turn it off)."""
    if kind not in CHOOSABLE:
        return person_ids
    off = outbox_store.people_not_wanting(db, kind, person_ids)
    return [person_id for person_id in person_ids if person_id not in off]


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the n-th failed attempt: 1, 2, 4 … minutes, at most an hour."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_RETRY)


def _refused_for_good(error: Exception) -> bool:
    """A 5xx answer about this mail (unknown address, refused content): tomorrow gives the same answer.
    A refused login or sender is the server's settings, which a coordinator can fix: that one is retried."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPDataError) and error.smtp_code >= 500


def _described(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{code} {reply.decode(errors='replace')}" for code, reply in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        reply = error.smtp_error
        return f"{error.smtp_code} {reply.decode(errors='replace') if isinstance(reply, bytes) else reply}"[:500]
    return f"{type(error).__name__}: {error}"[:500]


class _Postman:
    """One connection to the mail server for a delivery round, opened at the first mail."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self.connection: smtplib.SMTP | None = None
        # Set when the server could not be reached: the round's other mails wait for the next round
        # (each counted as an attempt) instead of each trying to connect again.
        self.unreachable: Exception | None = None

    def _connect(self) -> smtplib.SMTP:
        settings = self.settings
        if settings.tls is Tls.SSL:
            connection: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=SMTP_TIMEOUT_SECONDS, context=ssl.create_default_context()
            )
        else:
            connection = smtplib.SMTP(settings.host, settings.port, timeout=SMTP_TIMEOUT_SECONDS)
            if settings.tls is Tls.STARTTLS:
                connection.starttls(context=ssl.create_default_context())
        if settings.user:
            connection.login(settings.user, settings.password or "")
        return connection

    def send(self, mail: QueuedMail) -> None:
        if self.unreachable is not None:
            raise self.unreachable
        if self.connection is None:
            try:
                self.connection = self._connect()
            except (smtplib.SMTPException, OSError) as error:
                self.unreachable = error
                raise
        try:
            self.connection.send_message(message(mail, self.settings))
        except smtplib.SMTPServerDisconnected:
            self.connection = self._connect()  # the server closed an idle connection: once more, afresh
            self.connection.send_message(message(mail, self.settings))

    def close(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.connection.quit()
            self.connection = None


@dataclass
class DeliveryRound:
    """What one round did, by outcome."""

    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    not_sent: list[int] = field(default_factory=list)


def _record_failure(database: Database, mail: QueuedMail, error: Exception, now: datetime, done: DeliveryRound) -> None:
    reason = _described(error)
    with database.writing() as db:
        if _refused_for_good(error) or now - mail.created_at >= GIVE_UP_AFTER:
            outbox_store.finish_mail(db, mail.id, MailStatus.FAILED, now, reason)
            done.failed.append(mail.id)
            log.warning("Mail %s (%s) failed for good: %s", mail.id, mail.kind, reason)
        else:
            outbox_store.retry_mail_later(db, mail.id, now + retry_delay(mail.attempts + 1), reason)
            done.retrying.append(mail.id)


def deliver_due_mail(database: Database, now: datetime | None = None, limit: int = MAILS_PER_ROUND) -> DeliveryRound:
    """Send the mails whose (next) attempt is due. Without mail settings each is kept as not sent."""
    now = now or database.clock.now()
    settings = smtp_settings()
    done = DeliveryRound()
    with database.reading() as db:
        due = outbox_store.due_mail_ids(db, now, limit)
    postman = _Postman(settings) if settings else None
    try:
        for mail_id in due:
            with database.writing() as db:
                mail = outbox_store.claim_mail(db, mail_id, now, now + CLAIM_FOR)
                if mail is not None and postman is None:
                    outbox_store.finish_mail(db, mail_id, MailStatus.NOT_SENT, now, "no mail server set up")
                    done.not_sent.append(mail_id)
                    continue
            if mail is None or postman is None:
                continue  # another process took it
            try:
                postman.send(mail)
            except (smtplib.SMTPException, OSError, ValueError) as error:
                postman.close()
                _record_failure(database, mail, error, now, done)
                continue
            with database.writing() as db:
                outbox_store.finish_mail(db, mail_id, MailStatus.SENT, now)
            done.sent.append(mail_id)
    finally:
        if postman is not None:
            postman.close()
    return done


def forget_old_mail(database: Database, now: datetime | None = None) -> int:
    """Mails that left the queue more than KEPT_AFTER_SENDING ago are deleted: names and addresses in them
    are kept no longer than needed."""
    with database.writing() as db:
        return outbox_store.forget_finished_mail_before(db, (now or database.clock.now()) - KEPT_AFTER_SENDING)
