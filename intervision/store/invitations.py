"""Join codes for a group, and personal invitations to one person."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from intervision.database import Unit
from intervision.errors import Missing
from intervision.models import (
    GroupInvitation,
    GroupRole,
    Invitation,
)
from intervision.store._sql import _iso

_INVITATION_SELECT = (
    "SELECT i.id, i.code, i.group_id, g.name AS group_name, i.group_role, i.created_at,"
    " i.expires_at, i.max_uses, i.uses, i.revoked_at, i.mailed_to"
    " FROM invitations i JOIN groups g ON g.id = i.group_id"
)


def add_invitation(
    db: Unit,
    code: str,
    group_id: int,
    role: GroupRole,
    created_by: int,
    now: datetime,
    expires_at: datetime,
    max_uses: int,
    mailed_to: str | None = None,
) -> int:
    return db.execute(
        "INSERT INTO invitations (code, group_id, group_role, created_by, created_at, expires_at,"
        " max_uses, mailed_to) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [code, group_id, role.value, created_by, _iso(now), _iso(expires_at), max_uses, mailed_to],
    ).scalar()


def invitation_by_code(db: Unit, code: str) -> Invitation | None:
    row = db.execute(f"{_INVITATION_SELECT} WHERE i.code = ?", [code]).fetchone()
    return Invitation(**dict(row)) if row else None


def invitation(db: Unit, invitation_id: int) -> Invitation | None:
    row = db.execute(f"{_INVITATION_SELECT} WHERE i.id = ?", [invitation_id]).fetchone()
    return Invitation(**dict(row)) if row else None


def invitations_for_groups(db: Unit, group_ids: list[int]) -> list[Invitation]:
    marks = ", ".join("?" for _ in group_ids)
    rows = db.execute(f"{_INVITATION_SELECT} WHERE i.group_id IN ({marks}) ORDER BY i.created_at DESC", group_ids)
    return [Invitation(**dict(row)) for row in rows]


def count_invitation_use(db: Unit, invitation_id: int) -> bool:
    """Count one use, if one is left; False when the limit is reached.

    The check is in the UPDATE itself: two people joining at once cannot both take the last use.
    """
    cursor = db.execute("UPDATE invitations SET uses = uses + 1 WHERE id = ? AND uses < max_uses", [invitation_id])
    return cursor.rowcount == 1


def forget_addresses_of_invitations_expired_before(db: Unit, moment: datetime) -> int:
    cursor = db.execute(
        "UPDATE invitations SET mailed_to = NULL WHERE mailed_to IS NOT NULL AND expires_at < ?", [_iso(moment)]
    )
    return cursor.rowcount


def forget_invitation_address(db: Unit, email: str) -> None:
    db.execute("UPDATE invitations SET mailed_to = NULL WHERE mailed_to = ?", [email])


def revoke_invitation(db: Unit, invitation_id: int, now: datetime) -> None:
    db.execute(
        "UPDATE invitations SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
        [_iso(now), invitation_id],
    )


_GROUP_INVITATION_SELECT = (
    "SELECT i.id, i.group_id, g.name AS group_name, i.person_id, p.name AS person_name, i.group_role,"
    " coalesce(b.name, '') AS invited_by, i.created_at, i.expires_at, i.accepted_at, i.declined_at,"
    " i.withdrawn_at FROM group_invitations i JOIN groups g ON g.id = i.group_id"
    " JOIN people p ON p.id = i.person_id LEFT JOIN people b ON b.id = i.invited_by"
)
_GROUP_INVITATION_OPEN = (
    "i.accepted_at IS NULL AND i.declined_at IS NULL AND i.withdrawn_at IS NULL AND i.expires_at > ?"
)


def add_group_invitation(
    db: Unit,
    group_id: int,
    person_id: int,
    role: GroupRole,
    invited_by: int,
    now: datetime,
    expires_at: datetime,
) -> int:
    return db.execute(
        "INSERT INTO group_invitations (group_id, person_id, group_role, invited_by, created_at, expires_at)"
        " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        [group_id, person_id, role.value, invited_by, _iso(now), _iso(expires_at)],
    ).scalar()


def group_invitation(db: Unit, invitation_id: int) -> GroupInvitation | None:
    row = db.execute(f"{_GROUP_INVITATION_SELECT} WHERE i.id = ?", [invitation_id]).fetchone()
    return GroupInvitation(**dict(row)) if row else None


def open_group_invitations_for(db: Unit, person_id: int, now: datetime) -> list[GroupInvitation]:
    rows = db.execute(
        f"{_GROUP_INVITATION_SELECT} WHERE i.person_id = ? AND {_GROUP_INVITATION_OPEN} ORDER BY i.created_at",
        [person_id, _iso(now)],
    )
    return [GroupInvitation(**dict(row)) for row in rows]


def open_group_invitations_to(db: Unit, group_id: int, now: datetime) -> list[GroupInvitation]:
    rows = db.execute(
        f"{_GROUP_INVITATION_SELECT} WHERE i.group_id = ? AND {_GROUP_INVITATION_OPEN} ORDER BY lower(p.name)",
        [group_id, _iso(now)],
    )
    return [GroupInvitation(**dict(row)) for row in rows]


class InvitationAnswer(StrEnum):
    """How a personal invitation ends: the invited person accepts or declines, or whoever invited withdraws it."""

    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


# The column that keeps the moment of each answer: the allow-list of what an answer writes.
_ANSWER_COLUMNS = {
    InvitationAnswer.ACCEPTED: "accepted_at",
    InvitationAnswer.DECLINED: "declined_at",
    InvitationAnswer.WITHDRAWN: "withdrawn_at",
}


def answer_group_invitation(db: Unit, invitation_id: int, answer: InvitationAnswer, now: datetime) -> None:
    """Mark the invitation accepted, declined or withdrawn; Missing when the invitation is gone."""
    column = _ANSWER_COLUMNS[InvitationAnswer(answer)]
    cursor = db.execute(f"UPDATE group_invitations SET {column} = ? WHERE id = ?", [_iso(now), invitation_id])
    if cursor.rowcount == 0:
        raise Missing(f"group invitation {invitation_id}")
