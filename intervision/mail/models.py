"""What a mail is to the product: its kind, where it stands in the queue, and what a person chose to get."""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel

from intervision.models import Language


class MailKind(StrEnum):
    """Every kind of mail the product sends. A person chooses which of the `CHOOSABLE` ones they get."""

    INVITATION = "invitation"  # an invitation to a group, with its join link
    SESSION_INVITATION = "session_invitation"  # a calendar invitation: planned, moved or cancelled
    SESSION_REMINDER = "session_reminder"  # the day before a session; asks case bringers for their case
    SURVEY_OPENED = "survey_opened"
    SURVEY_REMINDER = "survey_reminder"  # once, before the wave closes, to those who have not answered
    ACTION_ITEM_REMINDER = "action_item_reminder"  # to the owner, before the due date
    FOLLOW_UP_QUESTION = "follow_up_question"  # to a case bringer, before the next session
    SESSION_REPORT = "session_report"  # the report is ready for the group, when the facilitator sends it
    PASSWORD_RESET = "password_reset"
    CONFIRM_ADDRESS = "confirm_address"  # a new account confirms its e-mail address
    ACCOUNT_EXISTS = "account_exists"  # someone tried to make a second account with this address


# What a person may turn off on their profile. The rest answers something they asked for themselves
# (a reset link, a confirmation) or reaches someone who has no profile yet (an invitation).
CHOOSABLE: tuple[MailKind, ...] = (
    MailKind.SESSION_INVITATION,
    MailKind.SESSION_REMINDER,
    MailKind.SURVEY_OPENED,
    MailKind.SURVEY_REMINDER,
    MailKind.ACTION_ITEM_REMINDER,
    MailKind.FOLLOW_UP_QUESTION,
    MailKind.SESSION_REPORT,
)


class MailStatus(StrEnum):
    QUEUED = "queued"  # waiting for its (next) attempt
    SENT = "sent"  # the mail server accepted it
    FAILED = "failed"  # refused for good, or still not accepted a day after it was queued
    NOT_SENT = "not_sent"  # no mail server is set up: kept to show where it would have gone


class FailureReason(StrEnum):
    """Why the mail server did not take a mail, in words a coordinator can act on (the server's own answer is
    technical and English)."""

    UNREACHABLE = "unreachable"  # no answer at the address and port in the settings
    LOGIN = "login"  # the user name or password in the settings was refused
    TLS = "tls"  # the encrypted connection could not be made
    BUSY = "busy"  # a temporary refusal (4xx): tried again later
    REFUSED = "refused"  # a permanent refusal (5xx), mostly of the address
    OTHER = "other"


_TEMPORARY = re.compile(r"^4\d\d\b")
_PERMANENT = re.compile(r"^5\d\d\b")


def failure_reason(answer: str) -> FailureReason:
    """The reason behind a failed attempt's recorded answer (outbox._described: "550 …" or "ErrorName: …")."""
    if answer.startswith(("530", "534", "535", "SMTPAuthenticationError", "SMTPNotSupportedError")):
        return FailureReason.LOGIN
    if _PERMANENT.match(answer):
        return FailureReason.REFUSED
    if _TEMPORARY.match(answer):
        return FailureReason.BUSY
    if answer.startswith(("SSL", "CertificateError")):
        return FailureReason.TLS
    unreachable = ("ConnectionRefusedError", "TimeoutError", "gaierror", "SMTPConnectError", "OSError", "timeout")
    if answer.startswith(unreachable) or "SMTPServerDisconnected" in answer:
        return FailureReason.UNREACHABLE
    return FailureReason.OTHER


class Mail(BaseModel):
    """One mail to queue. The body is plain text and never holds what a group keeps confidential (no case
    text, board item, observation or survey answer): it says that something is waiting and links to it."""

    kind: MailKind
    to_address: str
    language: Language
    subject: str
    body: str
    person_id: int | None = None
    group_id: int | None = None
    calendar: str | None = None  # an iCalendar file (METHOD:REQUEST or CANCEL) sent along
    secret: bool = False  # carries a one-time link: the body is blanked once sent or given up
    dedupe_key: str | None = None  # a second mail with the same key is not queued


class QueuedMail(BaseModel):
    """A mail in the outbox, as delivery and the coordinators' list read it."""

    id: int
    kind: MailKind
    person_id: int | None
    group_id: int | None
    to_address: str
    language: Language
    subject: str
    body: str
    calendar: str | None
    secret: bool
    status: MailStatus
    attempts: int
    created_at: datetime
    next_attempt_at: datetime
    finished_at: datetime | None
    last_error: str
