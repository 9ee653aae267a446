"""A mail's words: the catalog's subject and body for its kind, in the reader's language, and the message
that goes over the wire.

Each kind has `mail.<kind>.subject` and `mail.<kind>.body` in both catalogs. Every body opens with a
greeting and ends with the link to the reader's mail choices (their profile), so that every mail says how
to get fewer. Values put into a subject lose their line breaks: a typed group name cannot add a header.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from urllib.parse import urlsplit

from intervision.i18n import t
from intervision.mail.models import CHOOSABLE, Mail, MailKind, QueuedMail
from intervision.mail.settings import SmtpSettings, link
from intervision.models import Language

# Where a profile's mail choices are: every mail links here.
CHOICES_PATH = "profile"


def one_line(text: str) -> str:
    return " ".join(str(text).split())


def write_mail(
    kind: MailKind,
    language: Language,
    to_address: str,
    name: str | None = None,
    person_id: int | None = None,
    group_id: int | None = None,
    calendar: str | None = None,
    secret: bool = False,
    dedupe_key: str | None = None,
    **params: object,
) -> Mail:
    """The mail of this kind in this language, its `{placeholders}` filled from `params`."""
    greeting = t("mail.greeting", language, name=one_line(name)) if name else t("mail.greeting_no_name", language)
    if person_id is None:  # an address without an account (yet): there is no profile to choose on
        footer_key = "mail.footer_no_account"
    else:
        footer_key = "mail.footer_choices" if kind in CHOOSABLE else "mail.footer_account"
    body = "\n\n".join(
        [
            greeting,
            t(f"mail.{kind.value}.body", language, **params).strip(),
            "-- ",
            t(footer_key, language, link=link(CHOICES_PATH)),
        ]
    )
    subject = one_line(t(f"mail.{kind.value}.subject", language, **{k: one_line(str(v)) for k, v in params.items()}))
    return Mail(
        kind=kind,
        to_address=to_address,
        language=language,
        subject=subject,
        body=body,
        person_id=person_id,
        group_id=group_id,
        calendar=calendar,
        secret=secret,
        dedupe_key=dedupe_key,
    )


def _calendar_method(calendar: str) -> str:
    for line in calendar.splitlines():
        if line.upper().startswith("METHOD:"):
            return line.split(":", 1)[1].strip().upper()
    return "PUBLISH"


def message(mail: QueuedMail, settings: SmtpSettings) -> EmailMessage:
    """The MIME message for a queued mail: plain text, with its calendar file as an alternative part."""
    sent = EmailMessage()
    sent["From"] = settings.sender
    sent["To"] = mail.to_address
    sent["Subject"] = one_line(mail.subject)
    sent["Date"] = format_datetime(mail.created_at)
    sent["Message-ID"] = make_msgid(f"mail{mail.id}", domain=urlsplit(link("")).hostname or "intervision")
    sent["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies to a reminder
    sent["Content-Language"] = mail.language.value
    if mail.kind in CHOOSABLE:
        sent["List-Unsubscribe"] = f"<{link(CHOICES_PATH)}>"
    sent.set_content(mail.body)
    if mail.calendar:
        sent.add_alternative(
            mail.calendar.encode(),
            maintype="text",
            subtype="calendar",
            params={"method": _calendar_method(mail.calendar), "charset": "utf-8"},
            filename="invite.ics",
        )
    return sent
