"""Invitations: a join code (and link) for one group, with an expiry and a use limit."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from intervision import store
from intervision.accounts import add_account
from intervision.auth import hash_password
from intervision.database import Database, Unit
from intervision.errors import DomainError
from intervision.models import (
    AuditAction,
    GroupRole,
    Invitation,
    InvitationInput,
    InvitationStatus,
    JoinInput,
    NewAccountInput,
    Person,
    Role,
)
from intervision.permissions import Action, allows, require

# No 0/O or 1/I/L: the code is read aloud and typed from a projector.
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_CODE_LENGTH = 8


def _new_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_LENGTH))


def join_link(base_url: str, code: str) -> str:
    return f"{base_url.rstrip('/')}/join?code={code}"


def unused_code(db: Unit) -> str:
    """A join code no invitation has; call with the "invitation_codes" lock held, so nobody takes it meanwhile."""
    code = _new_code()
    while store.invitation_by_code(db, code) is not None:
        code = _new_code()
    return code


def create_invitation(
    database: Database, viewer: Person, form: InvitationInput, now: datetime | None = None
) -> Invitation:
    now = now or database.clock.now()
    with database.writing() as db:
        if store.group(db, form.group_id) is None:
            raise DomainError("group_not_found")
        viewer_role = store.group_role(db, form.group_id, viewer.id)
        require(Action.MANAGE_INVITATIONS, viewer.role, viewer_role)
        if form.group_role is GroupRole.FACILITATOR:
            require(Action.INVITE_FACILITATORS, viewer.role, viewer_role)
        db.lock("invitation_codes")  # so that no one else takes the code between the check and the insert
        code = unused_code(db)
        invitation_id = store.add_invitation(
            db,
            code,
            form.group_id,
            form.group_role,
            viewer.id,
            now,
            now + timedelta(days=form.valid_days),
            form.max_uses,
        )
        return store.invitation(db, invitation_id)


def invitations(database: Database, viewer: Person) -> list[Invitation]:
    """The invitations of every group this person may invite to, as far as they may make them: a group's
    facilitator never sees the code of a facilitator invitation, which only a coordinator may hand out."""
    group_ids = [group_id for group_id, _ in groups_to_invite_to(database, viewer)]
    if not group_ids:
        return []
    with database.reading() as db:
        return [
            invitation
            for invitation in store.invitations_for_groups(db, group_ids)
            if invitation.group_role is not GroupRole.FACILITATOR
            or allows(Action.INVITE_FACILITATORS, viewer.role, store.group_role(db, invitation.group_id, viewer.id))
        ]


def revoke_invitation(database: Database, viewer: Person, invitation_id: int, now: datetime | None = None) -> None:
    now = now or database.clock.now()
    with database.writing() as db:
        found = store.invitation(db, invitation_id)
        if found is None:
            raise DomainError("invitation_not_found")
        viewer_role = store.group_role(db, found.group_id, viewer.id)
        require(Action.MANAGE_INVITATIONS, viewer.role, viewer_role)
        if found.group_role is GroupRole.FACILITATOR:
            require(Action.INVITE_FACILITATORS, viewer.role, viewer_role)
        store.revoke_invitation(db, invitation_id, now)
        store.add_audit_event(db, now, viewer.id, AuditAction.INVITATION_REVOKED, found.code, found.group_name)


def usable_invitation(db: Unit, code: str, now: datetime) -> Invitation:
    found = store.invitation_by_code(db, code)
    if found is None:
        raise DomainError("invitation_unknown", field="code")
    status = found.status(now)
    if status is not InvitationStatus.ACTIVE:
        raise DomainError(f"invitation_{status}", field="code")
    return found


def join(db: Unit, invitation: Invitation, person_id: int, now: datetime) -> None:
    """The person joins the invitation's group inside the caller's transaction, using one of its uses."""
    # The use first: another person may have taken the last one since `usable_invitation` looked.
    if not store.count_invitation_use(db, invitation.id):
        raise DomainError("invitation_used_up", field="code")
    store.set_membership(db, invitation.group_id, person_id, invitation.group_role, now, by=person_id)
    store.add_audit_event(
        db,
        now,
        person_id,
        AuditAction.MEMBER_ADDED,
        invitation.code,
        f"{invitation.group_id}:{invitation.group_role}",
    )


def join_with_code(database: Database, person: Person, form: JoinInput, now: datetime | None = None) -> Invitation:
    """A signed-in person joins the invitation's group. Joining twice is refused and uses nothing."""
    require(Action.JOIN_WITH_CODE, person.role)
    now = now or database.clock.now()
    with database.writing() as db:
        found = usable_invitation(db, form.code, now)
        if store.group_role(db, found.group_id, person.id) is not None:
            raise DomainError("already_in_group", field="code")
        join(db, found, person.id, now)
        return found


def create_account_with_code(
    database: Database, form: NewAccountInput, code: JoinInput, now: datetime | None = None
) -> int:
    """A newcomer creates an account with an invitation and joins its group, all or nothing."""
    now = now or database.clock.now()
    hashed = hash_password(form.password)  # before the transaction: argon2 is slow on purpose
    with database.writing() as db:
        found = usable_invitation(db, code.code, now)
        role = Role.FACILITATOR if found.group_role is GroupRole.FACILITATOR else Role.PARTICIPANT
        person_id = add_account(db, form, hashed, role, now)
        join(db, found, person_id, now)
        return person_id


def invitation_preview(database: Database, code: str, now: datetime | None = None) -> Invitation | None:
    """The invitation behind a link, if it can still be used (to greet a newcomer by group name)."""
    with database.reading() as db:
        try:
            return usable_invitation(db, code.strip().upper(), now or database.clock.now())
        except DomainError:
            return None


def groups_to_invite_to(database: Database, viewer: Person) -> list[tuple[int, str]]:
    """(id, name) of every group this person may create invitations for."""
    with database.reading() as db:
        if viewer.role is Role.COORDINATOR:
            return [(group.id, group.name) for group in store.all_groups(db)]
        return [
            (group.id, group.name) for group, role in store.groups_of(db, viewer.id) if role is GroupRole.FACILITATOR
        ]
