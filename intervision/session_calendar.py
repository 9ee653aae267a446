"""Sessions in people's calendars: invitations when a session is planned, moved or cancelled, a reminder the
day before, and a per-group calendar feed behind a secret address.

What a calendar file or a mail about a session holds: the group's name, when, how long, and a link into the
app. Never a case (not even its title), a method's text, or anything else the group keeps confidential: the
link leads to it, past the sign-in.

Every invitation of one session carries the same UID and the session's change count as its SEQUENCE, so a
calendar program replaces its copy when the session moves and strikes it out when it is cancelled; the
feed uses the same UIDs, so a person who both subscribes and gets the mails sees one event, not two.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress, vText

from intervision import i18n, store
from intervision.database import Database, Unit
from intervision.errors import DomainError
from intervision.mail.compose import write_mail
from intervision.mail.models import MailKind
from intervision.mail.outbox import queue
from intervision.mail.settings import link, public_url, smtp_settings
from intervision.models import (
    Group,
    GroupRole,
    Language,
    Meeting,
    MeetingStatus,
    Person,
    SessionAttendee,
)
from intervision.permissions import Action, require
from intervision.store import calendar_feeds as feed_store
from intervision.store import meetings as meeting_store

# The time a mail names: the product serves groups in the Netherlands and Flanders, one time zone. (The
# calendar file itself says UTC; each calendar program shows it in its reader's own zone.)
MAIL_ZONE = ZoneInfo("Europe/Amsterdam")
# How far back the feed reaches: long enough that last season's sessions stay in a subscriber's calendar.
FEED_LOOKS_BACK = timedelta(days=183)
# The reminder goes out once a session is this close.
REMINDER_AHEAD = timedelta(hours=24)
# secrets.token_urlsafe(32): 32 random bytes, 43 characters in the address.
TOKEN_BYTES = 32
FEED_ROUTE_PREFIX = "_intervision/calendar/"
PRODUCT_ID = "-//Intervision//Sessions//NL"
# What happened to a session, as its invitation mail says it (calendar.change_* and calendar.mail_* texts).
SessionChange = Literal["planned", "moved", "changed", "cancelled"]  # changed: the same start, another length
# The pages a mail or a calendar event links to (ui/registry.py's url paths).
GROUPS_PAGE = "groups"
CASES_PAGE = "cases"


def _host() -> str:
    return urlsplit(public_url()).hostname or "intervision"


def meeting_uid(meeting_id: int) -> str:
    """The one UID of a session in every invitation and in the feed: stable from planning to cancelling."""
    return f"meeting-{meeting_id}@{_host()}"


def _organizer() -> vCalAddress:
    """The app's From address: a calendar program shows it as who sent the invitation."""
    settings = smtp_settings()
    name, address = parseaddr(settings.sender) if settings else ("", "")
    organizer = vCalAddress(f"mailto:{address or f'noreply@{_host()}'}")
    organizer.params["cn"] = vText(name or "Intervision")
    return organizer


def _when(moment: datetime, language: Language) -> str:
    return i18n.moment(moment, language, MAIL_ZONE)


def _event(meeting: Meeting, group_name: str, language: Language, now: datetime, origin: str | None = None) -> Event:
    """The session as a calendar event: name of the group, time, a link. Nothing more, on purpose.
    The link is on `origin` when given (the address a feed was fetched at), else at the app's public address."""
    event = Event()
    event.add("uid", meeting_uid(meeting.id))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", now)
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.starts_at + timedelta(minutes=meeting.minutes))
    event.add("summary", i18n.t("calendar.summary", language, group=group_name))
    groups_page = _address(GROUPS_PAGE, origin)
    event.add("description", i18n.t("calendar.description", language, link=groups_page))
    event.add("url", groups_page)
    cancelled = meeting.status is MeetingStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    return event


def _calendar(method: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    return calendar


def invitation_file(
    meeting: Meeting, group_name: str, attendee: SessionAttendee, language: Language, now: datetime
) -> str:
    """The iCalendar file sent to one attendee: REQUEST for a planned or moved session, CANCEL for a cancelled one."""
    cancelled = meeting.status is MeetingStatus.CANCELLED
    calendar = _calendar("CANCEL" if cancelled else "REQUEST")
    event = _event(meeting, group_name, language, now)
    event.add("organizer", _organizer())
    attendee_address = vCalAddress(f"mailto:{attendee.email}")
    attendee_address.params["cn"] = vText(attendee.name)
    attendee_address.params["role"] = vText("REQ-PARTICIPANT")
    attendee_address.params["partstat"] = vText("NEEDS-ACTION")
    # Nobody reads replies to the From address: a calendar program should not offer to send one.
    attendee_address.params["rsvp"] = vText("FALSE")
    event.add("attendee", attendee_address)
    calendar.add_component(event)
    return calendar.to_ical().decode()


def _language_of(attendee: SessionAttendee, group: Group) -> Language:
    return attendee.language or group.language


def queue_session_invitations(db: Unit, meeting_id: int, change: SessionChange, now: datetime) -> int:
    """One calendar invitation per current member and facilitator of the session's group, each in their own
    language, queued in the caller's transaction (so a change that rolls back mails nobody).

    `change` picks the words of the mail; the calendar file follows the session's status.
    """
    meeting = meeting_store.meeting(db, meeting_id)
    group = store.group(db, meeting.group_id)
    queued = 0
    for attendee in feed_store.session_attendees(db, group.id):
        language = _language_of(attendee, group)
        when = _when(meeting.starts_at, language)
        mail = write_mail(
            MailKind.SESSION_INVITATION,
            language,
            attendee.email,
            name=attendee.name,
            person_id=attendee.person_id,
            group_id=group.id,
            calendar=invitation_file(meeting, group.name, attendee, language, now),
            change=i18n.t(f"calendar.change_{change}", language),
            what_happened=i18n.t(
                f"calendar.mail_{change}", language, group=group.name, when=when, minutes=meeting.minutes
            ),
            group=group.name,
            when=when,
            minutes=meeting.minutes,
            link=link(GROUPS_PAGE),
        )
        if queue(db, mail, now) is not None:
            queued += 1
    return queued


# --- the day-before reminder ---------------------------------------------------------------------


def _reminder_case_line(attendee: SessionAttendee, bringers: set[int], language: Language) -> str:
    """What the reminder asks of this person about cases: only whether they have one waiting, never which."""
    if attendee.group_role is GroupRole.FACILITATOR:
        return i18n.t("calendar.reminder_facilitator", language, link=link(CASES_PAGE))
    if attendee.person_id in bringers:
        return i18n.t("calendar.reminder_case_waiting", language, link=link(CASES_PAGE))
    return i18n.t("calendar.reminder_bring_a_case", language, link=link(CASES_PAGE))


def reminder_key(meeting: Meeting, person_id: int) -> str:
    """Once per session, person and start time: a session moved after its reminder reminds again."""
    return f"session_reminder:{meeting.id}:{person_id}:{meeting.starts_at.isoformat()}"


def write_session_reminders(database: Database, now: datetime) -> int:
    """The reminder for every planned session that starts within the next 24 hours, to each of its group's
    members and facilitators who did not turn it off, once. Returns how many mails were queued."""
    queued = 0
    with database.writing() as db:
        for meeting in meeting_store.planned_meetings_between(db, now, now + REMINDER_AHEAD):
            group = store.group(db, meeting.group_id)
            bringers = feed_store.people_with_a_case_waiting(db, group.id)
            for attendee in feed_store.session_attendees(db, group.id):
                language = _language_of(attendee, group)
                mail = write_mail(
                    MailKind.SESSION_REMINDER,
                    language,
                    attendee.email,
                    name=attendee.name,
                    person_id=attendee.person_id,
                    group_id=group.id,
                    dedupe_key=reminder_key(meeting, attendee.person_id),
                    group=group.name,
                    when=_when(meeting.starts_at, language),
                    minutes=meeting.minutes,
                    case_line=_reminder_case_line(attendee, bringers, language),
                    link=link(GROUPS_PAGE),
                )
                if queue(db, mail, now) is not None:
                    queued += 1
    return queued


# --- the group's calendar feed -------------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _address(path: str, origin: str | None) -> str:
    return f"{origin.rstrip('/')}/{path}" if origin else link(path)


def feed_address(token: str, origin: str | None = None) -> str:
    """The feed's address: on the origin the browser sees the app at, else at the app's public address."""
    return _address(f"{FEED_ROUTE_PREFIX}{token}.ics", origin)


def _new_token(db: Unit, group_id: int, now: datetime) -> str:
    token = secrets.token_urlsafe(TOKEN_BYTES)
    feed_store.replace_calendar_feed(db, group_id, token, _digest(token), now)
    return token


def _group_role(db: Unit, viewer: Person, group_id: int) -> GroupRole | None:
    if store.group(db, group_id) is None:
        raise DomainError("group_not_found")
    return store.group_role(db, group_id, viewer.id)


def group_feed_address(
    database: Database, viewer: Person, group_id: int, origin: str | None = None, now: datetime | None = None
) -> str:
    """The group's feed address, for its members and facilitators only; made the first time one asks.

    A coordinator outside the group never gets it, whatever the contract reports: the address is a key
    that keeps working for whoever holds it, and the coordinator can see the next session on the group's
    page already.
    """
    now = now or database.clock.now()
    with database.reading() as db:
        require(Action.TAKE_PART, viewer.role, _group_role(db, viewer, group_id))
        found = feed_store.calendar_feed(db, group_id)
    if found is not None:
        return feed_address(found.token, origin)
    with database.writing() as db:
        # Two members opening the page at once: the second finds the first one's token.
        found = feed_store.calendar_feed(db, group_id)
        return feed_address(found.token if found else _new_token(db, group_id, now), origin)


def renew_feed(database: Database, viewer: Person, group_id: int, now: datetime | None = None) -> None:
    """A new address for the group's feed: the old one answers 404 from now on (someone left, or it leaked).

    A facilitator of the group or a coordinator may do this; a coordinator outside the group does not see
    the new address either."""
    now = now or database.clock.now()
    with database.writing() as db:
        require(Action.PLAN_SESSIONS, viewer.role, _group_role(db, viewer, group_id))
        _new_token(db, group_id, now)


def feed_file(group: Group, meetings: list[Meeting], now: datetime, origin: str | None = None) -> str:
    """The group's sessions as a calendar to subscribe to, in the group's language, its links on `origin`."""
    calendar = _calendar("PUBLISH")
    name = i18n.t("calendar.summary", group.language, group=group.name)
    calendar.add("x-wr-calname", name)
    calendar.add("name", name)
    # Calendar programs poll a subscription; this asks for about once an hour.
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    for meeting in meetings:
        calendar.add_component(_event(meeting, group.name, group.language, now, origin))
    return calendar.to_ical().decode()


def feed_for_token(
    database: Database, token: str, now: datetime | None = None, origin: str | None = None
) -> str | None:
    """The calendar behind a feed address, or None for a token that is no (longer a) feed's. Its links lead to
    `origin`, the address the calendar program fetched it at: the app is there too."""
    now = now or database.clock.now()
    if not token or len(token) > 200:
        return None
    with database.reading() as db:
        group_id = feed_store.group_of_feed(db, _digest(token))
        if group_id is None:
            return None
        found = feed_store.calendar_feed(db, group_id)
        # The lookup went by digest; this compares the tokens themselves in constant time, for good measure.
        if found is None or not hmac.compare_digest(found.token.encode(), token.encode()):
            return None
        group = store.group(db, group_id)
        meetings = meeting_store.meetings_since(db, group_id, now - FEED_LOOKS_BACK)
    return feed_file(group, meetings, now, origin)
