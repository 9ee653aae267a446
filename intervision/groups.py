"""Intervision groups: their contract, facilitators, members and planned sessions."""

from __future__ import annotations

from datetime import datetime

from intervision import store
from intervision.database import Database, Unit
from intervision.errors import DomainError
from intervision.method_library import method_entry, pin_version
from intervision.models import (
    AuditAction,
    Group,
    GroupInput,
    GroupRole,
    Meeting,
    MeetingInput,
    MeetingStatus,
    Member,
    Person,
    ReportItem,
    Role,
    SessionChangeInput,
)
from intervision.permissions import Action, require
from intervision.session_calendar import SessionChange, queue_session_invitations
from intervision.store import meetings as meeting_store


def _role_in(db: Unit, viewer: Person, group_id: int) -> GroupRole | None:
    if store.group(db, group_id) is None:
        raise DomainError("group_not_found")
    return store.group_role(db, group_id, viewer.id)


def visible_groups(database: Database, viewer: Person) -> list[tuple[Group, GroupRole | None]]:
    """The groups this person may open, with their role in each (None: a coordinator's oversight)."""
    with database.reading() as db:
        own = store.groups_of(db, viewer.id)
        if viewer.role is not Role.COORDINATOR:
            return own
        roles = {group.id: role for group, role in own}
        return [(group, roles.get(group.id)) for group in store.all_groups(db)]


def group_for(database: Database, viewer: Person, group_id: int) -> tuple[Group, GroupRole | None]:
    with database.reading() as db:
        role = _role_in(db, viewer, group_id)
        require(Action.VIEW_GROUP, viewer.role, role)
        return store.group(db, group_id), role


def create_group(database: Database, viewer: Person, form: GroupInput, now: datetime | None = None) -> int:
    """A new group; a facilitator who starts one facilitates it."""
    require(Action.CREATE_GROUP, viewer.role)
    now = now or database.clock.now()
    with database.writing() as db:
        if store.group_name_taken(db, form.name):
            raise DomainError("group_name_taken", field="name")
        group_id = store.add_group(db, form, now)
        if viewer.role is Role.FACILITATOR:
            store.set_membership(db, group_id, viewer.id, GroupRole.FACILITATOR, now, by=viewer.id)
        return group_id


def update_group(database: Database, viewer: Person, group_id: int, form: GroupInput) -> None:
    with database.writing() as db:
        require(Action.EDIT_CONTRACT, viewer.role, _role_in(db, viewer, group_id))
        if store.group_name_taken(db, form.name, except_group_id=group_id):
            raise DomainError("group_name_taken", field="name")
        store.update_group(db, group_id, form)


def delete_group(database: Database, viewer: Person, group_id: int, now: datetime | None = None) -> None:
    require(Action.DELETE_GROUP, viewer.role)
    now = now or database.clock.now()
    with database.writing() as db:
        group = store.group(db, group_id)
        if group is None:
            raise DomainError("group_not_found")
        store.delete_group(db, group_id)
        store.add_audit_event(db, now, viewer.id, AuditAction.GROUP_DELETED, group.name, "")


def members(database: Database, viewer: Person, group_id: int) -> list[Member]:
    with database.reading() as db:
        require(Action.VIEW_GROUP, viewer.role, _role_in(db, viewer, group_id))
        return store.members(db, group_id)


def change_member_role(
    database: Database, viewer: Person, group_id: int, person_id: int, role: GroupRole, now: datetime | None = None
) -> None:
    """Make a member a facilitator or the other way round: a coordinator's call, for someone already in the
    group. Nobody enters a group this way; they are invited (intervision.membership) and accept."""
    now = now or database.clock.now()
    with database.writing() as db:
        viewer_role = _role_in(db, viewer, group_id)
        current = store.group_role(db, group_id, person_id)
        touches_facilitation = GroupRole.FACILITATOR in (role, current)
        action = Action.ASSIGN_FACILITATORS if touches_facilitation else Action.MANAGE_MEMBERS
        require(action, viewer.role, viewer_role)
        subject = store.person(db, person_id)
        if subject is None:
            raise DomainError("person_not_found")
        if current is None:
            raise DomainError("not_a_member_yet")
        if current is role:
            return
        store.set_membership(db, group_id, person_id, role, now, by=viewer.id)
        store.add_audit_event(db, now, viewer.id, AuditAction.ROLE_CHANGED, subject.email, f"{group_id}:{role}")


def remove_member(
    database: Database, viewer: Person, group_id: int, person_id: int, now: datetime | None = None
) -> None:
    now = now or database.clock.now()
    with database.writing() as db:
        viewer_role = _role_in(db, viewer, group_id)
        current = store.group_role(db, group_id, person_id)
        if current is None:
            return
        action = Action.ASSIGN_FACILITATORS if current is GroupRole.FACILITATOR else Action.MANAGE_MEMBERS
        require(action, viewer.role, viewer_role)
        subject = store.person(db, person_id)
        store.remove_membership(db, group_id, person_id, now, by=viewer.id)
        store.add_audit_event(db, now, viewer.id, AuditAction.MEMBER_REMOVED, subject.email, str(group_id))


def candidates_to_invite(
    database: Database, viewer: Person, group_id: int, now: datetime | None = None
) -> list[Person]:
    """People in the organisation who are not in this group and have no invitation to it waiting."""
    with database.reading() as db:
        require(Action.MANAGE_MEMBERS, viewer.role, _role_in(db, viewer, group_id))
        present = {member.person_id for member in store.members(db, group_id)}
        present |= {
            found.person_id for found in store.open_group_invitations_to(db, group_id, now or database.clock.now())
        }
        return [person for person in store.everyone(db) if person.id not in present]


def plan_session(database: Database, viewer: Person, form: MeetingInput, now: datetime | None = None) -> int:
    now = now or database.clock.now()
    if form.starts_at.tzinfo is None:
        raise DomainError("time_without_zone", field="starts_at")
    if form.starts_at < now:
        raise DomainError("session_in_past", field="starts_at")
    method = None
    if form.method_id:
        entry = method_entry(database, viewer, form.method_id)
        if entry is None:
            raise DomainError("method_not_found", field="method_id")
        method = entry.method
    with database.writing() as db:
        require(Action.PLAN_SESSIONS, viewer.role, _role_in(db, viewer, form.group_id))
        version = pin_version(db, method, now) if method else None
        meeting_id = store.add_meeting(
            db,
            form.group_id,
            form.starts_at,
            form.minutes,
            MeetingStatus.PLANNED,
            method.id if method else None,
            version,
        )
        # In the same transaction: a session planned is a session whose invitations are queued.
        queue_session_invitations(db, meeting_id, "planned", now)
        return meeting_id


def _planned_meeting(db: Unit, viewer: Person, meeting_id: int, now: datetime) -> Meeting:
    """A session this viewer may plan, still to come and still planned (a held or cancelled one stays so)."""
    meeting = meeting_store.meeting(db, meeting_id)
    if meeting is None:
        raise DomainError("calendar.session_not_found")
    require(Action.PLAN_SESSIONS, viewer.role, _role_in(db, viewer, meeting.group_id))
    if meeting.status is MeetingStatus.HELD:
        raise DomainError("calendar.session_held")
    if meeting.status is MeetingStatus.CANCELLED:
        raise DomainError("calendar.session_cancelled")
    if meeting.starts_at <= now:
        raise DomainError("calendar.session_started")
    return meeting


def reschedule_session(
    database: Database, viewer: Person, meeting_id: int, form: SessionChangeInput, now: datetime | None = None
) -> SessionChange | None:
    """Move a planned session to a new start and/or length; its group gets the updated invitation.
    Says what changed: "moved" (another start), "changed" (only the length), or None (nothing)."""
    now = now or database.clock.now()
    if form.starts_at.tzinfo is None:
        raise DomainError("time_without_zone", field="starts_at")
    if form.starts_at < now:
        raise DomainError("session_in_past", field="starts_at")
    with database.writing() as db:
        meeting = _planned_meeting(db, viewer, meeting_id, now)
        if meeting.starts_at == form.starts_at and meeting.minutes == form.minutes:
            return None  # nothing moved: no mail saying it did
        change: SessionChange = "moved" if meeting.starts_at != form.starts_at else "changed"
        meeting_store.move_meeting(db, meeting_id, form.starts_at, form.minutes)
        queue_session_invitations(db, meeting_id, change, now)
        return change


def cancel_session(database: Database, viewer: Person, meeting_id: int, now: datetime | None = None) -> None:
    """Call off a planned session; its group gets the cancellation, which takes it out of their calendars."""
    now = now or database.clock.now()
    with database.writing() as db:
        _planned_meeting(db, viewer, meeting_id, now)
        meeting_store.cancel_meeting(db, meeting_id)
        queue_session_invitations(db, meeting_id, "cancelled", now)


def planned_sessions(database: Database, viewer: Person, group_id: int, now: datetime | None = None) -> list[Meeting]:
    """The group's sessions still to come, soonest first: for everyone who may open the group (a coordinator
    outside it sees the next session on this page already; these are only days and times)."""
    with database.reading() as db:
        require(Action.VIEW_GROUP, viewer.role, _role_in(db, viewer, group_id))
        return meeting_store.planned_meetings(db, group_id, now or database.clock.now())


def next_sessions(database: Database, group_ids: list[int], now: datetime | None = None) -> dict[int, Meeting]:
    with database.reading() as db:
        return store.next_meetings(db, group_ids, now or database.clock.now())


def sessions_held(database: Database, viewer: Person, group_id: int) -> list[Meeting] | None:
    """The group's held sessions. A coordinator outside the group sees them only as far as the contract
    reports them to the organisation: None without sessions held, no method without methods used."""
    with database.reading() as db:
        role = _role_in(db, viewer, group_id)
        require(Action.VIEW_GROUP, viewer.role, role)
        held = store.held_meetings(db, group_id)
        group = store.group(db, group_id)
    if role is not None:
        return held
    if not group.reports(ReportItem.SESSIONS_HELD):
        return None
    if group.reports(ReportItem.METHODS_USED):
        return held
    return [meeting.model_copy(update={"method_id": None, "method_version": None}) for meeting in held]
