"""Invitations: a code that joins one group in one role, with an expiry and a use limit."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from unit_support import NOW, PASSWORD, audit_actions, count_rows

from intervision import accounts, auth, db, invitations, store
from intervision.errors import DomainError, NotAllowed
from intervision.models import (
    GroupRole,
    InvitationInput,
    InvitationStatus,
    JoinInput,
    NewAccountInput,
    Role,
    SignInInput,
)


@pytest.fixture
def fay(make_person):
    return make_person("Fay", Role.FACILITATOR)


@pytest.fixture
def group_id(make_group, fay):
    return make_group("Team North", facilitators=(fay,))


def _invite(path, viewer, group_id, now=NOW, **form):
    return invitations.create_invitation(path, viewer, InvitationInput(group_id=group_id, **form), now=now)


def _join(path, person, code, now=NOW):
    return invitations.join_with_code(path, person, JoinInput(code=code), now=now)


def _newcomer(email="noor@example.org"):
    return NewAccountInput(name="Noor", email=email, password=PASSWORD, password_again=PASSWORD)


def _uses(path, invitation):
    with db.reading(path) as conn:
        return store.invitation(conn, invitation.id).uses


def _role_in(path, group_id, person_id):
    with db.reading(path) as conn:
        return store.group_role(conn, group_id, person_id)


def test_a_code_joins_the_right_group_in_the_right_role(path, coordinator, make_person, make_group, group_id):
    other_group = make_group("Team South")
    pat = make_person("Pat")
    invitation = _invite(path, coordinator, group_id, group_role=GroupRole.FACILITATOR)

    joined = _join(path, pat, invitation.code.lower())  # typed in lower case, works all the same

    assert (joined.group_id, joined.group_name) == (group_id, "Team North")
    assert _role_in(path, group_id, pat.id) is GroupRole.FACILITATOR
    assert _role_in(path, other_group, pat.id) is None
    assert _uses(path, invitation) == 1
    assert audit_actions(path)[-1] == "member_added"


def test_an_invitation_has_its_expiry_and_limit(path, fay, group_id):
    invitation = _invite(path, fay, group_id, valid_days=3, max_uses=2)
    assert invitation.expires_at == NOW + timedelta(days=3)
    assert (invitation.max_uses, invitation.uses, invitation.group_role) == (2, 0, GroupRole.MEMBER)
    assert invitation.status(NOW) is InvitationStatus.ACTIVE
    assert invitation.status(NOW + timedelta(days=3)) is InvitationStatus.EXPIRED


def _refused_to_join(path, person, code, now=NOW) -> str:
    with pytest.raises(DomainError) as refused:
        _join(path, person, code, now=now)
    assert refused.value.field == "code"
    return refused.value.key


@pytest.mark.parametrize(
    ("spoil", "key"),
    [
        ("expire", "invitation_expired"),
        ("revoke", "invitation_revoked"),
        ("use up", "invitation_used_up"),
        ("unknown", "invitation_unknown"),
    ],
)
def test_an_unusable_code_is_refused_with_its_own_reason_and_nothing_is_written(
    path, fay, group_id, make_person, spoil, key
):
    invitation = _invite(path, fay, group_id, valid_days=1, max_uses=1)
    code, now = invitation.code, NOW
    if spoil == "expire":
        now = NOW + timedelta(days=1)
    elif spoil == "revoke":
        invitations.revoke_invitation(path, fay, invitation.id, now=NOW)
    elif spoil == "use up":
        _join(path, make_person("First"), code)
    else:
        code = "ZZZZ9999"
    uses, memberships = _uses(path, invitation), count_rows(path, "memberships")
    pat = make_person("Pat")

    assert _refused_to_join(path, pat, code, now=now) == key
    assert _uses(path, invitation) == uses
    assert count_rows(path, "memberships") == memberships
    assert _role_in(path, group_id, pat.id) is None
    assert invitations.invitation_preview(path, code, now=now) is None
    if spoil != "unknown":
        listed = {i.id: i for i in invitations.invitations(path, fay)}[invitation.id]
        assert f"invitation_{listed.status(now)}" == key  # the list shows the same reason


def test_an_invitation_is_usable_up_to_its_last_second(path, fay, group_id, make_person):
    invitation = _invite(path, fay, group_id, valid_days=1)
    _join(path, make_person("Pat"), invitation.code, now=NOW + timedelta(days=1, seconds=-1))


def test_joining_twice_is_refused_and_uses_nothing(path, fay, group_id, make_person):
    pat = make_person("Pat")
    invitation = _invite(path, fay, group_id, max_uses=5)
    _join(path, pat, invitation.code)
    assert _refused_to_join(path, pat, invitation.code) == "already_in_group"
    assert _uses(path, invitation) == 1


def test_a_facilitator_cannot_use_a_member_code_to_step_down_in_their_own_group(path, fay, group_id):
    invitation = _invite(path, fay, group_id)
    assert _refused_to_join(path, fay, invitation.code) == "already_in_group"
    assert _role_in(path, group_id, fay.id) is GroupRole.FACILITATOR


def test_a_newcomer_creates_an_account_and_joins_in_one_step(path, fay, group_id):
    invitation = _invite(path, fay, group_id)
    person_id = invitations.create_account_with_code(path, _newcomer(), JoinInput(code=invitation.code), now=NOW)

    assert accounts.person(path, person_id).role is Role.PARTICIPANT
    assert _role_in(path, group_id, person_id) is GroupRole.MEMBER
    assert _uses(path, invitation) == 1
    token = auth.sign_in(path, SignInInput(email="noor@example.org", password=PASSWORD), now=NOW)
    assert auth.signed_in_person(path, token, now=NOW).id == person_id


def test_a_newcomer_with_a_facilitator_invitation_becomes_a_facilitator(path, coordinator, group_id):
    invitation = _invite(path, coordinator, group_id, group_role=GroupRole.FACILITATOR)
    person_id = invitations.create_account_with_code(path, _newcomer(), JoinInput(code=invitation.code), now=NOW)
    assert accounts.person(path, person_id).role is Role.FACILITATOR
    assert _role_in(path, group_id, person_id) is GroupRole.FACILITATOR


def test_a_new_account_with_an_existing_email_writes_nothing(path, fay, group_id, make_person):
    make_person("Noor", email="noor@example.org")
    invitation = _invite(path, fay, group_id)
    before = {table: count_rows(path, table) for table in ("people", "memberships", "audit_log")}

    with pytest.raises(DomainError) as refused:
        invitations.create_account_with_code(
            path, _newcomer("NOOR@example.org"), JoinInput(code=invitation.code), now=NOW
        )

    assert (refused.value.key, refused.value.field) == ("account_not_created", "email")
    assert {table: count_rows(path, table) for table in before} == before
    assert _uses(path, invitation) == 0


def test_a_new_account_with_an_unusable_code_writes_nothing(path, fay, group_id):
    invitation = _invite(path, fay, group_id, valid_days=1)
    with pytest.raises(DomainError) as refused:
        invitations.create_account_with_code(
            path, _newcomer(), JoinInput(code=invitation.code), now=NOW + timedelta(days=2)
        )
    assert refused.value.key == "invitation_expired"
    assert accounts.person_by_email(path, "noor@example.org") is None


def test_only_coordinators_create_facilitator_invitations(path, coordinator, fay, group_id):
    with pytest.raises(NotAllowed):
        _invite(path, fay, group_id, group_role=GroupRole.FACILITATOR)
    assert count_rows(path, "invitations") == 0
    assert _invite(path, coordinator, group_id, group_role=GroupRole.FACILITATOR).group_role is GroupRole.FACILITATOR


def test_a_member_cannot_create_invitations(path, make_person, make_group):
    pat = make_person("Pat")
    group_id = make_group("Team South", members=(pat,))
    with pytest.raises(NotAllowed):
        _invite(path, pat, group_id)
    assert count_rows(path, "invitations") == 0


def test_a_facilitator_cannot_invite_to_someone_elses_group(path, fay, make_group):
    other = make_group("Team South")
    with pytest.raises(NotAllowed):
        _invite(path, fay, other)
    assert count_rows(path, "invitations") == 0


def test_inviting_to_a_group_that_does_not_exist(path, coordinator):
    with pytest.raises(DomainError) as refused:
        _invite(path, coordinator, 999)
    assert refused.value.key == "group_not_found"


def test_revoking_is_for_who_manages_the_group_and_is_audited(path, fay, group_id, make_person, make_group):
    invitation = _invite(path, fay, group_id)
    outsider = make_person("Fred", Role.FACILITATOR)
    make_group("Team South", facilitators=(outsider,))
    with pytest.raises(NotAllowed):
        invitations.revoke_invitation(path, outsider, invitation.id, now=NOW)
    assert invitations.invitation_preview(path, invitation.code, now=NOW) is not None

    invitations.revoke_invitation(path, fay, invitation.id, now=NOW)
    assert invitations.invitation_preview(path, invitation.code, now=NOW) is None
    assert audit_actions(path)[-1] == "invitation_revoked"


def test_a_facilitator_sees_the_invitations_of_their_groups_only(path, coordinator, fay, group_id, make_group):
    other = make_group("Team South")
    mine = _invite(path, fay, group_id)
    _invite(path, coordinator, other)
    assert [i.id for i in invitations.invitations(path, fay)] == [mine.id]
    assert invitations.groups_to_invite_to(path, fay) == [(group_id, "Team North")]
    assert len(invitations.invitations(path, coordinator)) == 2


def test_the_preview_greets_by_group_name(path, fay, group_id):
    invitation = _invite(path, fay, group_id)
    preview = invitations.invitation_preview(path, f"  {invitation.code.lower()} ", now=NOW)
    assert (preview.group_name, preview.group_role) == ("Team North", GroupRole.MEMBER)


def test_codes_avoid_characters_that_are_easily_misread(path, coordinator, group_id):
    codes = [_invite(path, coordinator, group_id).code for _ in range(40)]
    assert len(set(codes)) == len(codes)
    for code in codes:
        assert re.fullmatch(r"[A-Z2-9]{8}", code), code
        assert not set(code) & set("01OIL"), code


def test_the_join_link_carries_the_code():
    assert invitations.join_link("https://intervisie.example.org/", "ABCD2345") == (
        "https://intervisie.example.org/join?code=ABCD2345"
    )


def test_a_facilitator_neither_sees_nor_revokes_a_facilitator_invitation_of_their_group(
    path, coordinator, fay, group_id
):
    # Only a coordinator may make someone a facilitator: the code that does so is theirs to hand out.
    for_facilitators = _invite(path, coordinator, group_id, group_role=GroupRole.FACILITATOR)
    for_members = _invite(path, fay, group_id)

    assert [i.code for i in invitations.invitations(path, fay)] == [for_members.code]
    assert {i.code for i in invitations.invitations(path, coordinator)} == {
        for_facilitators.code,
        for_members.code,
    }
    with pytest.raises(NotAllowed):
        invitations.revoke_invitation(path, fay, for_facilitators.id, now=NOW)
