"""Invitations: a join code and link for a group, with an expiry and a use limit, and revoking it."""

from __future__ import annotations

import re

from driving import (
    NOT_ALLOWED,
    app,
    assert_healthy,
    click,
    deep_link,
    fill,
    open_page,
    query,
    values,
)

CREATE = "Create invitation"


def _invitations_page(person):
    at = app(person)
    at.session_state["language"] = "en"
    open_page(at, "pages/invitations.py")
    assert_healthy(at)
    return at


def _group_id(name: str) -> int:
    return query("SELECT id FROM groups WHERE name = ?", (name,))[0][0]


def _statuses(at) -> list[str]:
    return [text.split(" · ")[0] for text in values(at.text) if " · " in text and "/" in text]


def test_participant_cannot_open_invitations(people):
    at = app(people.participant)
    at.session_state["language"] = "en"
    deep_link(at, "pages/invitations.py")

    assert values(at.error) == [NOT_ALLOWED]
    assert not at.get("form")


def test_facilitator_creates_an_invitation_and_sees_its_code(people):
    gid = _group_id("Leidinggevenden Zorg")
    at = _invitations_page(people.facilitator)
    assert at.selectbox(key="invitation.group_id").options == ["Leidinggevenden Zorg"]
    assert "No invitations yet." in values(at.markdown)
    fill(at, {"invitation.valid_days": 7, "invitation.max_uses": 3})
    click(at, CREATE)

    assert_healthy(at)
    assert "The invitation is ready. Share the code or the link." in values(at.success)
    stored = query("SELECT code, group_role, max_uses, created_by FROM invitations WHERE group_id = ?", (gid,))
    assert len(stored) == 1
    code, role, max_uses, created_by = stored[0]
    assert (role, max_uses, created_by) == ("member", 3, people.facilitator.id)
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{8}", code)
    assert "Share this invitation" in values(at.subheader)
    assert f"## `{code}`" in values(at.markdown)
    # The link to share (AppTest has no browser address, so only its path is known).
    assert [block.value for block in at.code] == [f"/join?code={code}"]
    assert _statuses(at) == ["Active"]


def test_facilitator_can_only_invite_members(people):
    at = _invitations_page(people.facilitator)

    assert at.selectbox(key="invitation.group_role").options == ["Member"]


def test_participant_who_facilitates_invites_only_to_their_own_group(people):
    at = _invitations_page(people.participant_facilitator)

    assert at.selectbox(key="invitation.group_id").options == ["Wijkverpleging Noord"]
    assert at.selectbox(key="invitation.group_role").options == ["Member"]
    # The demo's earlier invitation for this group expired after one use.
    assert _statuses(at) == ["Expired"]
    assert "Revoke" not in [b.label for b in at.button]


def test_coordinator_may_invite_facilitators_to_any_group(people):
    at = _invitations_page(people.coordinator)

    assert at.selectbox(key="invitation.group_role").options == ["Member", "Facilitator"]
    assert len(at.selectbox(key="invitation.group_id").options) == 4
    at.selectbox(key="invitation.group_id").set_value(_group_id("Onderwijsteam Basisschool De Regenboog"))
    at.selectbox(key="invitation.group_role").set_value("facilitator")
    click(at, CREATE)

    assert_healthy(at)
    assert query(
        "SELECT group_role FROM invitations WHERE group_id = ? AND revoked_at IS NULL",
        (_group_id("Onderwijsteam Basisschool De Regenboog"),),
    ) == [("facilitator",)]


def test_invitation_limits_are_checked(people):
    at = _invitations_page(people.facilitator)
    fill(at, {"invitation.valid_days": 0, "invitation.max_uses": 1000})
    click(at, CREATE)

    assert_healthy(at)
    assert values(at.error) == ["Must be at least 1.", "Must be at most 100."]
    assert query("SELECT count(*) FROM invitations WHERE created_by = ?", (people.facilitator.id,)) == [(0,)]


def test_revoking_an_invitation(people):
    at = _invitations_page(people.coordinator)
    assert sorted(_statuses(at)) == ["Active", "Expired", "Revoked"]
    [(active_id,)] = query("SELECT id FROM invitations WHERE revoked_at IS NULL AND uses = 0")

    at.button(key=f"revoke.{active_id}").click().run()

    assert_healthy(at)
    assert query("SELECT revoked_at IS NOT NULL FROM invitations WHERE id = ?", (active_id,)) == [(1,)]
    assert sorted(_statuses(at)) == ["Expired", "Revoked", "Revoked"]
    assert "Revoke" not in [b.label for b in at.button]
    assert query("SELECT count(*) FROM audit_log WHERE action = 'invitation_revoked'") == [(1,)]


def test_facilitator_revokes_the_invitation_they_just_made(people):
    at = _invitations_page(people.facilitator)
    click(at, CREATE)
    [(invitation_id,)] = query("SELECT id FROM invitations WHERE created_by = ?", (people.facilitator.id,))
    at.button(key=f"revoke.{invitation_id}").click().run()

    assert_healthy(at)
    assert _statuses(at) == ["Revoked"]


def test_coordinators_invitation_with_the_defaults_invites_members(people):
    at = _invitations_page(people.coordinator)
    click(at, CREATE)

    assert_healthy(at)
    newest = query("SELECT group_role FROM invitations ORDER BY id DESC LIMIT 1")
    assert newest == [("member",)]
