"""The session report, sent to the group when its facilitator chooses to, and read by the group in the app.

Sending is the facilitator's choice, once per session, after closing. The mail only says that the report is
ready and links to it: a mail may not carry the board or the action items. The group reads it on the
Reports screen: the report as the facilitator downloads it without the observation log (and without the
balance of interventions counted from that log). Only the group's members and facilitators read it, and
only those who were in the group when the session was held (the circle); a coordinator outside the group
never does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from intervision import store
from intervision.database import Database, Unit
from intervision.errors import DomainError, NotAllowed
from intervision.i18n import day
from intervision.live import build_report, session_method
from intervision.mail.compose import write_mail
from intervision.mail.models import MailKind
from intervision.mail.outbox import queue
from intervision.mail.settings import link
from intervision.membership import circle, require_in_circle
from intervision.models import GroupRole, Language, LiveSession, Person, SessionStatus
from intervision.permissions import Action, require
from intervision.reminders import REPORTS_PAGE
from intervision.reports import SessionReport
from intervision.store import reminders as reminder_store
from intervision.store import shared_reports as sharing_store
from intervision.store.shared_reports import SharedReport


def _session(db: Unit, viewer: Person, session_id: int, action: Action) -> LiveSession:
    session = store.live_session(db, session_id)
    if session is None:
        raise DomainError("session_not_found")
    require(action, viewer.role, store.group_role(db, session.group_id, viewer.id))
    require_in_circle(db, viewer, session)
    return session


def shared_at(database: Database, viewer: Person, session_id: int) -> datetime | None:
    """When the facilitator sent this session's report to the group, or None."""
    with database.reading() as db:
        _session(db, viewer, session_id, Action.RUN_SESSION)
        return sharing_store.report_shared_at(db, session_id)


def share_with_group(database: Database, viewer: Person, session_id: int, now: datetime | None = None) -> int:
    """The facilitator sends the closed session's report to the group: it becomes readable to the group and
    each of its people who was there when it was held gets a mail that it is ready (the sender excepted).
    Returns how many mails were queued; refused when it was sent before."""
    now = now or database.clock.now()
    with database.writing() as db:
        session = _session(db, viewer, session_id, Action.RUN_SESSION)
        if session.status is not SessionStatus.CLOSED:
            raise DomainError("report_mail.not_closed")
        if not sharing_store.share_report(db, session.id, viewer.id, now):
            raise DomainError("report_mail.already_shared")
        sent = 0
        held_on = session.started_at.astimezone().date()
        for reader in reminder_store.recipients_in_group(
            db, session.group_id, (GroupRole.MEMBER, GroupRole.FACILITATOR)
        ):
            if reader.person_id == viewer.id or not circle(db, session.group_id, reader.person_id).session(session):
                continue
            mail = write_mail(
                MailKind.SESSION_REPORT,
                reader.language,
                reader.email,
                name=reader.name,
                person_id=reader.person_id,
                group_id=reader.group_id,
                dedupe_key=f"{MailKind.SESSION_REPORT.value}:{session.id}:{reader.person_id}",
                group=reader.group_name,
                date=day(held_on, reader.language),
                link=link(REPORTS_PAGE),
            )
            sent += queue(db, mail, now) is not None
        return sent


@dataclass(frozen=True)
class ReadableReport:
    session_id: int
    group_id: int
    group_name: str
    held_on: date
    shared_at: datetime


def readable_reports(database: Database, viewer: Person) -> list[ReadableReport]:
    """The shared reports of the viewer's groups, of sessions held since they joined; the latest first."""
    with database.reading() as db:
        mine = [group.id for group, _ in store.groups_of(db, viewer.id)]
        shared = sharing_store.shared_reports_of_groups(db, mine)
        circles = {group_id: circle(db, group_id, viewer.id) for group_id in mine}
    return [_readable(report) for report in shared if circles[report.group_id].shares(report.started_at)]


def _readable(report: SharedReport) -> ReadableReport:
    return ReadableReport(
        report.live_session_id,
        report.group_id,
        report.group_name,
        report.started_at.astimezone().date(),
        report.shared_at,
    )


def shared_report(database: Database, viewer: Person, session_id: int, language: Language) -> SessionReport:
    """The group's copy of a shared report: never the observation log, nor the balance counted from it."""
    with database.reading() as db:
        session = _session(db, viewer, session_id, Action.TAKE_PART)
        if sharing_store.report_shared_at(db, session_id) is None:
            raise NotAllowed("report_not_shared")
    method = session_method(database, session)
    return build_report(database, session, method, language, include_observations=False, include_balance=False)


@dataclass(frozen=True)
class MyActionItem:
    group_name: str
    text: str
    due_date: date | None


def my_action_items(database: Database, person: Person) -> list[MyActionItem]:
    """The confirmed action items this person owns and has not done, in the groups they are in: where the
    reminder mail sends them (the mail itself never holds the text)."""
    with database.reading() as db:
        return [MyActionItem(*item) for item in sharing_store.open_action_items_of(db, person.id)]
