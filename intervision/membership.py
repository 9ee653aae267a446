"""Who is in a group's circle of confidentiality, and since when.

Nobody becomes a member by someone else's hand: a coordinator or facilitator invites a person, and the
person accepts (or uses a join code, which is their own act too). The group sees who joined and left
when. And a member sees what the group shared from the day they joined: the one rule for that is
`Circle.shares`, which every screen, download and core function that shows cases or sessions goes through.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from intervision import store
from intervision.database import Database, Unit
from intervision.errors import DomainError, NotAllowed
from intervision.models import (
    AuditAction,
    Case,
    GroupInvitation,
    GroupRole,
    LiveSession,
    MembershipEvent,
    Person,
)
from intervision.permissions import Action, require

# As long as a join code is valid by default (InvitationInput.valid_days).
INVITATION_DAYS = 14


# --- the circle ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Circle:
    """One person's place in one group's circle of confidentiality."""

    person_id: int
    joined_at: datetime | None  # None: not in the group

    def shares(self, shared_at: datetime | None, author_id: int | None = None) -> bool:
        """Whether what the group shared at `shared_at` is for this person's eyes.

        The one rule: a member sees what was shared from the day they joined (this time: leaving and
        joining again starts a new circle); what is not shared yet (a case waiting in the queue) is for
        whoever will be in the room; the case bringer always sees their own.
        """
        if author_id is not None and author_id == self.person_id:
            return True
        if self.joined_at is None:
            return False
        return shared_at is None or shared_at >= self.joined_at

    def case(self, case: Case) -> bool:
        """A case is shared with the group when it is discussed."""
        return self.shares(case.discussed_at, case.author_id)

    def session(self, session: LiveSession) -> bool:
        """A session (its case, board, action items and report) is shared from the moment it starts."""
        return self.shares(session.started_at)


def circle(db: Unit, group_id: int, person_id: int) -> Circle:
    return Circle(person_id, store.joined_at(db, group_id, person_id))


def member_since(database: Database, person: Person, group_id: int) -> datetime | None:
    """When this person joined the group (this time): what the group shared from then on is theirs to read."""
    with database.reading() as db:
        return store.joined_at(db, group_id, person.id)


def require_in_circle(db: Unit, person: Person, session: LiveSession) -> None:
    """Refuse a session the group held before this person joined it."""
    if not circle(db, session.group_id, person.id).session(session):
        raise NotAllowed("before_joining")


# --- invitations for one person ----------------------------------------------------------------


def _may_manage(db: Unit, viewer: Person, group_id: int, role: GroupRole) -> None:
    if store.group(db, group_id) is None:
        raise DomainError("group_not_found")
    viewer_role = store.group_role(db, group_id, viewer.id)
    # Making someone a facilitator stays a coordinator's call, as it was when people were added directly.
    require(
        Action.ASSIGN_FACILITATORS if role is GroupRole.FACILITATOR else Action.MANAGE_MEMBERS, viewer.role, viewer_role
    )


def invite(
    database: Database, viewer: Person, group_id: int, person_id: int, role: GroupRole, now: datetime | None = None
) -> int:
    """Invite one person to the group in a role; they join only when they accept it themselves."""
    now = now or database.clock.now()
    with database.writing() as db:
        _may_manage(db, viewer, group_id, role)
        invited = store.person(db, person_id)
        if invited is None:
            raise DomainError("person_not_found", field="person_id")
        if store.group_role(db, group_id, person_id) is not None:
            raise DomainError("already_member", field="person_id")
        if any(found.person_id == person_id for found in store.open_group_invitations_to(db, group_id, now)):
            raise DomainError("already_invited", field="person_id")
        invitation_id = store.add_group_invitation(
            db, group_id, person_id, role, viewer.id, now, now + timedelta(days=INVITATION_DAYS)
        )
        store.add_audit_event(db, now, viewer.id, AuditAction.MEMBER_INVITED, invited.email, f"{group_id}:{role}")
        return invitation_id


def open_invitations_to(
    database: Database, viewer: Person, group_id: int, now: datetime | None = None
) -> list[GroupInvitation]:
    """The invitations to this group still waiting for an answer, for whoever may manage its members."""
    with database.reading() as db:
        _may_manage(db, viewer, group_id, GroupRole.MEMBER)
        return store.open_group_invitations_to(db, group_id, now or database.clock.now())


def withdraw(database: Database, viewer: Person, invitation_id: int, now: datetime | None = None) -> None:
    now = now or database.clock.now()
    with database.writing() as db:
        found = store.group_invitation(db, invitation_id)
        if found is None:
            raise DomainError("invitation_not_found")
        _may_manage(db, viewer, found.group_id, found.group_role)
        if not found.open(now):
            raise DomainError("invitation_answered")
        store.answer_group_invitation(db, invitation_id, store.InvitationAnswer.WITHDRAWN, now)
        invited = store.person(db, found.person_id)
        store.add_audit_event(
            db, now, viewer.id, AuditAction.INVITATION_REVOKED, invited.email if invited else "", found.group_name
        )


def my_invitations(database: Database, person: Person, now: datetime | None = None) -> list[GroupInvitation]:
    """The invitations waiting for this person's answer."""
    with database.reading() as db:
        return store.open_group_invitations_for(db, person.id, now or database.clock.now())


def _own_open_invitation(db: Unit, person: Person, invitation_id: int, now: datetime) -> GroupInvitation:
    found = store.group_invitation(db, invitation_id)
    if found is None:
        raise DomainError("invitation_not_found")
    # Only the person invited answers: nobody accepts an invitation on someone else's behalf.
    if found.person_id != person.id:
        raise NotAllowed("own_invitation")
    if not found.open(now):
        raise DomainError("invitation_answered" if found.expires_at > now else "invitation_expired")
    return found


def accept(database: Database, person: Person, invitation_id: int, now: datetime | None = None) -> GroupInvitation:
    """The invited person joins the group; their circle starts now."""
    now = now or database.clock.now()
    with database.writing() as db:
        found = _own_open_invitation(db, person, invitation_id, now)
        if store.group_role(db, found.group_id, person.id) is not None:
            raise DomainError("already_in_group")
        store.answer_group_invitation(db, invitation_id, store.InvitationAnswer.ACCEPTED, now)
        store.set_membership(db, found.group_id, person.id, found.group_role, now, by=person.id)
        store.add_audit_event(
            db, now, person.id, AuditAction.MEMBER_ADDED, person.email, f"{found.group_id}:{found.group_role}"
        )
        return found


def decline(database: Database, person: Person, invitation_id: int, now: datetime | None = None) -> None:
    now = now or database.clock.now()
    with database.writing() as db:
        _own_open_invitation(db, person, invitation_id, now)
        store.answer_group_invitation(db, invitation_id, store.InvitationAnswer.DECLINED, now)


# --- the group's membership history ------------------------------------------------------------


def history(database: Database, viewer: Person, group_id: int) -> list[MembershipEvent]:
    """Who joined and left the group when, newest first: for the group's facilitators and members."""
    with database.reading() as db:
        if store.group(db, group_id) is None:
            raise DomainError("group_not_found")
        require(Action.VIEW_MEMBERSHIP_HISTORY, viewer.role, store.group_role(db, group_id, viewer.id))
        return store.membership_events(db, group_id)
