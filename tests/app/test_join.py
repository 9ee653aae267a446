"""Join a group with an invitation code; a newcomer creates their account on the way."""

from __future__ import annotations

import re

import pytest
from driving import (
    app,
    assert_healthy,
    click,
    fill,
    message_under,
    open_page,
    query,
    value_of,
    values,
)

from intervision import auth, groups, invitations
from intervision.database import configured as configured_database
from intervision.db import writing
from intervision.models import GroupInput, GroupRole, InvitationInput, JoinInput

PASSWORD = "een wachtwoord van lengte"
NEWCOMER = {
    "new_account.name": "Noor Nieuw",
    "new_account.email": "Noor@Nieuw.example ",
    "new_account.password": PASSWORD,
    "new_account.password_again": PASSWORD,
}
CREATE = "Create account and join"


def _group_id(name: str) -> int:
    return query("SELECT id FROM groups WHERE name = ?", (name,))[0][0]


def _invite(people, group: str = "Wijkverpleging Noord", role: GroupRole = GroupRole.MEMBER, **kwargs) -> str:
    form = InvitationInput(group_id=_group_id(group), group_role=role, **kwargs)
    return invitations.create_invitation(configured_database(), people.coordinator, form).code


def _expire(code: str) -> None:
    with writing() as db:
        db.execute("UPDATE invitations SET expires_at = '2000-01-01T00:00:00+00:00' WHERE code = ?", [code])


def _join_page(person=None, code: str | None = None):
    at = app(person)
    at.session_state["language"] = "en"
    if code is not None:
        at.query_params["code"] = code
    open_page(at, "pages/join.py")
    assert_healthy(at)
    return at


def _in_group(person_id: int, group: str) -> str | None:
    sql = "SELECT group_role FROM memberships WHERE group_id = ? AND person_id = ?"
    found = query(sql, (_group_id(group), person_id))
    return found[0][0] if found else None


# --- signed in -----------------------------------------------------------------------------------


def test_signed_in_participant_joins_with_a_code(people):
    code = _invite(people)
    at = _join_page(people.participant)
    fill(at, {"join.code": code})
    at.run()
    assert values(at.info) == ["This code invites you to Wijkverpleging Noord as a member."]
    click(at, "Join")

    assert_healthy(at)
    assert "Welcome to the group." in values(at.success)
    assert "You are now in Wijkverpleging Noord." in values(at.markdown)
    assert _in_group(people.participant.id, "Wijkverpleging Noord") == "member"
    assert query("SELECT uses FROM invitations WHERE code = ?", (code,)) == [(1,)]
    assert value_of(at, "join.code") == ""


def test_code_is_forgiving_about_case_and_spaces(people):
    code = _invite(people)
    at = _join_page(people.participant)
    fill(at, {"join.code": f"  {code.lower()} "})
    click(at, "Join")

    assert_healthy(at)
    assert _in_group(people.participant.id, "Wijkverpleging Noord") == "member"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        ("unknown", "This code is not known. Check the letters and digits."),
        ("expired", "This invitation has expired. Ask your facilitator for a new one."),
        ("revoked", "This invitation was withdrawn. Ask your facilitator for a new one."),
        ("used_up", "This invitation has been used as often as allowed. Ask your facilitator for a new one."),
        ("already_in", "You are in this group already."),
    ],
)
def test_unusable_code_is_explained_next_to_the_code_field(people, make, message):
    code = "ZZZZZZZZ"
    if make in ("expired", "revoked", "used_up"):
        code = _invite(people, max_uses=1)
    if make == "expired":
        _expire(code)
    elif make == "revoked":
        [(invitation_id,)] = query("SELECT id FROM invitations WHERE code = ?", (code,))
        invitations.revoke_invitation(configured_database(), people.coordinator, invitation_id)
    elif make == "used_up":
        invitations.join_with_code(configured_database(), people.facilitator, JoinInput(code=code))
    elif make == "already_in":
        code = _invite(people, group="Leidinggevenden Zorg")
    uses_before = query("SELECT coalesce(sum(uses), 0) FROM invitations")

    at = _join_page(people.participant)
    fill(at, {"join.code": code})
    click(at, "Join")

    assert_healthy(at)
    assert values(at.error) == [message]
    assert message_under(at, "join.code") == message
    assert value_of(at, "join.code") == code
    if make != "already_in":
        assert not values(at.info), "an unusable code shows no invitation"
    assert query("SELECT coalesce(sum(uses), 0) FROM invitations") == uses_before


def test_code_from_the_link_fills_the_field(people):
    code = _invite(people)
    at = _join_page(code=code)

    assert value_of(at, "join.code") == code
    assert values(at.info) == ["This code invites you to Wijkverpleging Noord as a member."]


def test_code_from_the_link_does_not_overwrite_what_was_typed(people):
    code = _invite(people)
    at = _join_page(code=code)
    fill(at, {"join.code": "ANDERS23"})
    at.run()

    assert value_of(at, "join.code") == "ANDERS23"


# --- newcomers -----------------------------------------------------------------------------------


def test_newcomer_creates_an_account_and_is_signed_in(people):
    code = _invite(people)
    at = _join_page(code=code)
    assert values(at.subheader) == ["New here? Create your account"]
    fill(at, NEWCOMER)
    click(at, CREATE)

    assert_healthy(at)
    [(person_id, role, name)] = query("SELECT id, role, name FROM people WHERE email = 'noor@nieuw.example'")
    assert (role, name) == ("participant", "Noor Nieuw")
    assert _in_group(person_id, "Wijkverpleging Noord") == "member"
    # Signed in: this session belongs to the new account, and the browser gets a cookie ticket.
    signed_in = auth.signed_in_person(configured_database(), at.session_state["sign_in_token"])
    assert signed_in is not None and signed_in.id == person_id
    assert query("SELECT count(*) FROM sign_in_tickets") == [(1,)]
    assert "**Noor Nieuw**" in values(at.sidebar.markdown)
    assert "Sign out" in [b.label for b in at.sidebar.button]
    assert "Join" in [b.label for b in at.button]
    assert not at.get("form"), "no new-account form once signed in"


def test_newcomer_with_a_facilitator_invitation_becomes_a_facilitator(people):
    code = _invite(people, group="Onderwijsteam Basisschool De Regenboog", role=GroupRole.FACILITATOR)
    at = _join_page(code=code)
    assert values(at.info) == ["This code invites you to Onderwijsteam Basisschool De Regenboog as a facilitator."]
    fill(at, NEWCOMER)
    click(at, CREATE)

    assert_healthy(at)
    [(person_id, role)] = query("SELECT id, role FROM people WHERE email = 'noor@nieuw.example'")
    assert role == "facilitator"
    assert _in_group(person_id, "Onderwijsteam Basisschool De Regenboog") == "facilitator"


def test_newcomer_with_an_expired_code_gets_no_account(people):
    code = _invite(people)
    _expire(code)
    at = _join_page(code=code)
    fill(at, NEWCOMER)
    click(at, CREATE)

    assert_healthy(at)
    assert values(at.error) == ["This invitation has expired. Ask your facilitator for a new one."]
    assert query("SELECT count(*) FROM people WHERE email = 'noor@nieuw.example'") == [(0,)]
    assert "sign_in_token" not in at.session_state
    assert value_of(at, "new_account.name") == "Noor Nieuw"


def test_newcomer_form_explains_each_problem_and_keeps_what_was_typed(people):
    code = _invite(people)
    at = _join_page(code=code)
    fill(
        at,
        {
            "new_account.name": "",
            "new_account.email": "noor-at-nieuw",
            "new_account.password": "kort",
            "new_account.password_again": "kort",
        },
    )
    click(at, CREATE)

    assert_healthy(at)
    assert values(at.error) == [
        "Please fill this in.",
        "This is not an e-mail address.",
        "Too short: at least 10 characters.",
    ]
    assert value_of(at, "new_account.email") == "noor-at-nieuw"
    assert query("SELECT uses FROM invitations WHERE code = ?", (code,)) == [(0,)]


def test_newcomer_with_a_known_email_is_sent_to_sign_in(people):
    code = _invite(people)
    at = _join_page(code=code)
    fill(at, NEWCOMER | {"new_account.email": people.participant.email})
    click(at, CREATE)

    assert_healthy(at)
    assert values(at.error) == [
        "No account could be created with this e-mail address. If you have an account already, sign in "
        "first and then enter the code."
    ]
    assert query("SELECT uses FROM invitations WHERE code = ?", (code,)) == [(0,)]


def test_after_joining_from_a_link_the_code_is_not_offered_again(people):
    code = _invite(people)
    at = _join_page(people.participant, code=code)
    assert value_of(at, "join.code") == code
    click(at, "Join")

    assert_healthy(at)
    assert "You are now in Wijkverpleging Noord." in values(at.markdown)
    assert value_of(at, "join.code") == ""
    assert not values(at.info)


def test_group_name_in_the_invitation_preview_is_shown_as_typed(people):
    template = groups.group_for(configured_database(), people.coordinator, _group_id("Jeugdhulp Gent"))[0]
    name = "[Sign in again](https://phish.example)"
    groups.update_group(
        configured_database(),
        people.coordinator,
        template.id,
        GroupInput(name=name, description="", label="", contract=template.contract),
    )
    code = _invite(people, group=name)
    at = _join_page(code=code)

    [preview] = values(at.info)
    assert "phish.example" in preview
    assert not re.search(r"(?<!\\)\]\(", preview), preview
