"""Groups: create a group, edit its contract, invite facilitators and members, see who joined, plan sessions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from driving import (
    COORDINATOR_EMAIL,
    app,
    assert_healthy,
    button,
    click,
    fill,
    message_under,
    open_page,
    query,
    texts,
    value_of,
    values,
)

from intervision import accounts, clock, groups, membership
from intervision.database import configured as configured_database
from intervision.models import GroupRole

NEW = 0  # the group selector's entry for a new group
NAME_TAKEN = "There is a group with this name already."


def _groups_page(person, group: str | None = None):
    at = app(person)
    at.session_state["language"] = "en"
    open_page(at, "pages/groups.py")
    if group is not None:
        at.selectbox(key="group_choice").set_value(group_id(group)).run()
    assert_healthy(at)
    return at


def group_id(name: str) -> int:
    if name == "new":
        return NEW
    return query("SELECT id FROM groups WHERE name = ?", (name,))[0][0]


def _group_count() -> int:
    return query("SELECT count(*) FROM groups")[0][0]


def _role_in(gid: int, person_id: int) -> str | None:
    found = query("SELECT group_role FROM memberships WHERE group_id = ? AND person_id = ?", (gid, person_id))
    return found[0][0] if found else None


def _member_names(at) -> list[str]:
    return values(at.text)


# --- creating a group ----------------------------------------------------------------------------


def test_coordinator_creates_a_group(people):
    at = _groups_page(people.coordinator, "new")
    assert values(at.subheader) == ["➕ New group"]
    fill(at, {"group.new.name": "Intervisie Teamleiders", "group.new.label": "Utrecht"})
    click(at, "Create group")

    assert_healthy(at)
    assert "The group was created." in values(at.success)
    assert query("SELECT label, session_minutes FROM groups WHERE name = 'Intervisie Teamleiders'") == [
        ("Utrecht", 105)
    ]
    # The new group is opened, with its contract ready to edit.
    new_id = group_id("Intervisie Teamleiders")
    assert value_of(at, "group_choice") == new_id
    assert value_of(at, f"group.{new_id}.name") == "Intervisie Teamleiders"


def test_facilitator_who_creates_a_group_facilitates_it(people):
    at = _groups_page(people.facilitator, "new")
    fill(at, {"group.new.name": "Nieuwe groep"})
    click(at, "Create group")

    assert_healthy(at)
    assert "Your role in this group: Facilitator" in values(at.caption)
    assert _role_in(group_id("Nieuwe groep"), people.facilitator.id) == "facilitator"


@pytest.mark.parametrize("name", ["Leidinggevenden Zorg", "leidinggevenden zorg"])
def test_duplicate_group_name_is_refused_next_to_the_name(people, name):
    before = _group_count()
    at = _groups_page(people.coordinator, "new")
    fill(at, {"group.new.name": name, "group.new.description": "Een tweede groep"})
    click(at, "Create group")

    assert_healthy(at)
    assert values(at.error) == [NAME_TAKEN]
    assert value_of(at, "group.new.name") == name
    assert value_of(at, "group.new.description") == "Een tweede groep"
    assert _group_count() == before
    assert "The group was created." not in values(at.success)
    # The message is drawn right under the name field, inside the form.
    form = at.get("form")[0]
    labels = [getattr(node, "label", None) or getattr(node, "value", None) for node in form]
    assert labels.index(NAME_TAKEN) == labels.index("Group name") + 1


def test_group_needs_a_name_and_a_sensible_contract(people):
    before = _group_count()
    at = _groups_page(people.coordinator, "new")
    fill(
        at,
        {
            "group.new.name": "   ",
            "group.new.contract.meets_every_weeks": 0,
            "group.new.contract.confidentiality": "",
        },
    )
    click(at, "Create group")

    assert_healthy(at)
    assert "Please fill this in." in values(at.error)
    assert "Must be at least 1." in values(at.error)
    assert _group_count() == before


def test_participant_cannot_start_a_group(people):
    at = _groups_page(people.participant_facilitator)

    assert at.selectbox(key="group_choice").options == ["Leidinggevenden Zorg", "Wijkverpleging Noord"]


# --- the contract --------------------------------------------------------------------------------


def test_facilitator_edits_the_contract_of_their_group(people):
    gid = group_id("Leidinggevenden Zorg")
    at = _groups_page(people.facilitator, "Leidinggevenden Zorg")
    fill(
        at,
        {
            f"group.{gid}.contract.meets_every_weeks": 4,
            f"group.{gid}.contract.attendance_rule": "We komen altijd.",
        },
    )
    click(at, "Save")

    assert_healthy(at)
    assert "The group was saved." in values(at.success)
    assert query("SELECT meets_every_weeks, attendance_rule FROM groups WHERE id = ?", (gid,)) == [
        (4, "We komen altijd.")
    ]
    assert value_of(at, f"group.{gid}.contract.meets_every_weeks") == 4


def test_renaming_to_another_groups_name_is_refused(people):
    gid = group_id("Leidinggevenden Zorg")
    at = _groups_page(people.facilitator, "Leidinggevenden Zorg")
    fill(at, {f"group.{gid}.name": "Jeugdhulp Gent"})
    click(at, "Save")

    assert values(at.error) == [NAME_TAKEN]
    assert value_of(at, f"group.{gid}.name") == "Jeugdhulp Gent"
    assert query("SELECT name FROM groups WHERE id = ?", (gid,)) == [("Leidinggevenden Zorg",)]


def test_participant_sees_the_contract_read_only(people):
    gid = group_id("Leidinggevenden Zorg")
    at = _groups_page(people.participant, "Leidinggevenden Zorg")

    assert "Your role in this group: Member" in values(at.caption)
    agreement = at.table[0].value
    assert "Performing" in list(agreement.iloc[:, 1])
    assert "**Confidentiality agreement**" in values(at.markdown)
    assert any("Wat in de groep wordt ingebracht" in text for text in values(at.text))
    # No form to change it, nothing to save, no way to remove the group.
    assert not at.get("form")
    assert not [key for key in at.session_state if str(key).startswith(f"group.{gid}.")]
    assert "Save" not in [b.label for b in at.button]
    assert "Remove group" not in [b.label for b in at.button]
    assert not at.text_area


def test_participant_who_facilitates_elsewhere_edits_only_their_own_group(people):
    fatima = people.participant_facilitator
    at = _groups_page(fatima, "Leidinggevenden Zorg")
    assert "Save" not in [b.label for b in at.button]

    at.selectbox(key="group_choice").set_value(group_id("Wijkverpleging Noord")).run()
    assert_healthy(at)
    assert "Your role in this group: Facilitator" in values(at.caption)
    assert button(at, "Save")


# --- members -------------------------------------------------------------------------------------


def test_member_sees_no_remove_buttons(people):
    at = _groups_page(people.participant, "Leidinggevenden Zorg")

    assert people.facilitator.name in _member_names(at)
    assert "Remove" not in [b.label for b in at.button]
    assert "Add" not in [b.label for b in at.button]


def test_participant_facilitator_sees_no_remove_buttons_where_they_take_part(people):
    at = _groups_page(people.participant_facilitator, "Leidinggevenden Zorg")

    assert "Remove" not in [b.label for b in at.button]


def test_facilitator_may_remove_members_but_not_themselves(people):
    gid = group_id("Wijkverpleging Noord")
    at = _groups_page(people.participant_facilitator, "Wijkverpleging Noord")

    removable = {b.key for b in at.button if b.label == "Remove"}
    members = query("SELECT person_id FROM memberships WHERE group_id = ? AND group_role = 'member'", (gid,))
    assert removable == {f"remove.{gid}.{person_id}" for (person_id,) in members}

    lotte = accounts.person_by_email(configured_database(), "lotte.devries@demo.example")
    at.button(key=f"remove.{gid}.{lotte.id}").click().run()

    assert_healthy(at)
    assert "Removed from the group." in values(at.success)
    assert lotte.name not in _member_names(at)
    assert _role_in(gid, lotte.id) is None


def _invited(gid: int) -> list[tuple[int, str]]:
    return query(
        "SELECT person_id, group_role FROM group_invitations WHERE group_id = ? AND accepted_at IS NULL"
        " AND declined_at IS NULL AND withdrawn_at IS NULL",
        (gid,),
    )


def test_facilitator_invites_a_member_who_joins_only_by_accepting(people):
    gid = group_id("Leidinggevenden Zorg")
    newcomer = accounts.person_by_email(configured_database(), "kim.bos@demo.example")
    at = _groups_page(people.facilitator, "Leidinggevenden Zorg")
    # Nobody is added by someone else's hand any more: there is an invitation, and no "Add".
    assert "Add" not in [b.label for b in at.button]
    assert at.selectbox(key=f"invite.{gid}.group_role").options == ["Member"]
    at.selectbox(key=f"invite.{gid}.person_id").set_value(newcomer.id)
    click(at, "Invite")

    assert_healthy(at)
    assert "The invitation is sent. They join when they accept it." in values(at.success)
    assert _role_in(gid, newcomer.id) is None, "an invitation is not a membership"
    assert _invited(gid) == [(newcomer.id, "member")]
    assert "Invited, no answer yet" in texts(at)
    assert newcomer.name in _member_names(at)
    # Someone invited is no longer offered.
    offered = at.selectbox(key=f"invite.{gid}.person_id").options
    assert f"{newcomer.name} ({newcomer.email})" not in offered


def test_pressing_invite_again_asks_whom_to_invite(people):
    gid = group_id("Leidinggevenden Zorg")
    newcomer = accounts.person_by_email(configured_database(), "kim.bos@demo.example")
    at = _groups_page(people.facilitator, "Leidinggevenden Zorg")
    at.selectbox(key=f"invite.{gid}.person_id").set_value(newcomer.id)
    click(at, "Invite")
    assert at.selectbox(key=f"invite.{gid}.person_id").value is None, "the choice starts afresh"

    click(at, "Invite")

    assert_healthy(at)
    assert message_under(at, f"invite.{gid}.person_id") == "Choose the person you want to invite."
    assert _invited(gid) == [(newcomer.id, "member")]


def test_facilitator_withdraws_an_invitation(people):
    gid = group_id("Leidinggevenden Zorg")
    newcomer = accounts.person_by_email(configured_database(), "kim.bos@demo.example")
    invitation = membership.invite(configured_database(), people.facilitator, gid, newcomer.id, GroupRole.MEMBER)
    at = _groups_page(people.facilitator, "Leidinggevenden Zorg")
    at.button(key=f"withdraw.{gid}.{invitation}").click().run()

    assert_healthy(at)
    assert "The invitation was withdrawn." in values(at.success)
    assert _invited(gid) == []
    assert newcomer.name not in _member_names(at)


def test_coordinator_invites_someone_as_facilitator(people):
    gid = group_id("Onderwijsteam Basisschool De Regenboog")
    at = _groups_page(people.coordinator, "Onderwijsteam Basisschool De Regenboog")
    assert at.selectbox(key=f"invite.{gid}.group_role").options == ["Member", "Facilitator"]
    at.selectbox(key=f"invite.{gid}.person_id").set_value(people.facilitator.id)
    at.selectbox(key=f"invite.{gid}.group_role").set_value("facilitator")
    click(at, "Invite")

    assert_healthy(at)
    assert _role_in(gid, people.facilitator.id) is None
    assert _invited(gid) == [(people.facilitator.id, "facilitator")]


def _history(at) -> list[dict[str, str]] | None:
    frames = [frame.value for frame in at.dataframe if "Who" in frame.value.columns]
    return frames[0].to_dict("records") if frames else None


def test_a_member_sees_who_joined_and_left_the_group_and_when(people):
    gid = group_id("Leidinggevenden Zorg")
    kim = accounts.person_by_email(configured_database(), "kim.bos@demo.example")
    membership.accept(
        configured_database(),
        kim,
        membership.invite(configured_database(), people.facilitator, gid, kim.id, GroupRole.MEMBER),
    )
    groups.remove_member(configured_database(), people.facilitator, gid, people.participant_facilitator.id)
    at = _groups_page(people.participant, "Leidinggevenden Zorg")

    history = _history(at)
    assert history is not None
    lines = [(line["Who"], line["What"]) for line in history]
    assert lines[:2] == [
        (people.participant_facilitator.name, "Was removed from the group"),
        (kim.name, "Joined as member"),
    ]
    assert (people.facilitator.name, "Joined as facilitator") in lines
    assert (people.participant.name, "Joined as member") in lines
    # Each member's line says since when they are in the group.
    assert any(text.startswith("Member · in the group since ") for text in values(at.text))


def test_a_coordinator_outside_the_group_sees_its_members_but_not_its_history(people):
    at = _groups_page(people.coordinator, "Leidinggevenden Zorg")

    assert people.participant.name in _member_names(at)
    assert _history(at) is None
    assert not [text for text in values(at.text) if "in the group since" in text]


# --- sessions ------------------------------------------------------------------------------------


def _meetings(gid: int) -> int:
    return query("SELECT count(*) FROM meetings WHERE group_id = ?", (gid,))[0][0]


@pytest.mark.date_sensitive
def test_planning_a_session_in_the_past_is_refused(people):
    gid = group_id("Leidinggevenden Zorg")
    before = _meetings(gid)
    at = _groups_page(people.facilitator, "Leidinggevenden Zorg")
    fill(at, {f"plan.{gid}.day": clock.today() - timedelta(days=1)})
    click(at, "Plan")

    assert_healthy(at)
    assert values(at.error) == ["Choose a moment in the future."]
    assert value_of(at, f"plan.{gid}.day") == clock.today() - timedelta(days=1)
    assert _meetings(gid) == before


def test_planning_a_session_without_a_day_asks_for_one(people):
    gid = group_id("Leidinggevenden Zorg")
    before = _meetings(gid)
    at = _groups_page(people.facilitator, "Leidinggevenden Zorg")
    click(at, "Plan")

    assert_healthy(at)
    assert values(at.error) == ["Please choose a day and a time."]
    assert _meetings(gid) == before


@pytest.mark.date_sensitive
def test_facilitator_plans_a_session(people):
    gid = group_id("Onderwijsteam Basisschool De Regenboog")
    annelies = accounts.person_by_email(configured_database(), "annelies.verhoeven@demo.example")
    day = clock.today() + timedelta(days=10)
    at = _groups_page(annelies, "Onderwijsteam Basisschool De Regenboog")
    assert "No session planned yet." in texts(at)
    fill(at, {f"plan.{gid}.day": day, f"plan.{gid}.minutes": 90})
    click(at, "Plan")

    assert_healthy(at)
    assert "The session was planned." in values(at.success)
    assert query("SELECT minutes, status FROM meetings WHERE group_id = ? AND status = 'planned'", (gid,)) == [
        (90, "planned")
    ]
    assert "No session planned yet." not in texts(at)


def test_participant_cannot_plan_sessions(people):
    at = _groups_page(people.participant, "Leidinggevenden Zorg")

    assert "Plan" not in [b.label for b in at.button]
    assert not at.date_input


# --- what a coordinator outside the group sees of its sessions -----------------------------------

NOT_REPORTED = "This group's contract does not report the sessions it held to the organisation."


def _methods_of_held_sessions(at) -> list[str] | None:
    """The method column of the held sessions' table, or None when the page shows no such table."""
    tables = [frame.value for frame in at.dataframe if "Method" in frame.value.columns]
    return list(tables[0]["Method"]) if tables else None


def test_coordinator_sees_held_sessions_only_as_far_as_the_contract_reports_them(people):
    # De Regenboog reports attendance only; Jeugdhulp Gent also reports sessions held, but not methods.
    regenboog = _groups_page(people.coordinator, "Onderwijsteam Basisschool De Regenboog")
    assert NOT_REPORTED in values(regenboog.caption)
    assert _methods_of_held_sessions(regenboog) is None

    gent = _groups_page(people.coordinator, "Jeugdhulp Gent")
    methods = _methods_of_held_sessions(gent)
    assert methods and set(methods) == {"—"}

    annelies = accounts.person_by_email(
        configured_database(), "annelies.verhoeven@demo.example"
    )  # De Regenboog's facilitator
    own = _groups_page(annelies, "Onderwijsteam Basisschool De Regenboog")
    assert NOT_REPORTED not in values(own.caption)
    assert set(_methods_of_held_sessions(own)) - {"—"}, "the group's own facilitator sees the methods"


# --- removing a group ----------------------------------------------------------------------------


def test_coordinator_removes_a_group_after_confirming(people):
    gid = group_id("Jeugdhulp Gent")
    at = _groups_page(people.coordinator, "Jeugdhulp Gent")
    assert button(at, "Remove group").disabled
    at.checkbox(key=f"confirm_delete.{gid}").check().run()
    click(at, "Remove group")

    assert_healthy(at)
    assert "The group was removed." in values(at.success)
    assert query("SELECT count(*) FROM groups WHERE id = ?", (gid,)) == [(0,)]
    assert "Jeugdhulp Gent" not in at.selectbox(key="group_choice").options


def test_only_the_coordinator_may_remove_a_group(people):
    at = _groups_page(people.facilitator, "Leidinggevenden Zorg")

    assert "Remove group" not in [b.label for b in at.button]


# --- empty states --------------------------------------------------------------------------------


def test_coordinator_of_a_new_organisation_starts_with_a_new_group(organisation_db):
    coordinator = accounts.person_by_email(configured_database(), COORDINATOR_EMAIL)
    at = _groups_page(coordinator)

    assert at.selectbox(key="group_choice").options == ["➕ New group"]
    assert values(at.subheader) == ["➕ New group"]
    assert value_of(at, "group.new.contract.session_minutes") == 105


def test_person_without_groups_is_pointed_to_joining(people):
    for group, _ in groups.visible_groups(configured_database(), people.participant):
        groups.remove_member(configured_database(), people.coordinator, group.id, people.participant.id)
    at = _groups_page(people.participant)

    assert values(at.info) == ["You are not in a group yet. Did you get an invitation code?"]
    assert [link.proto.label for link in at.get("page_link")] == ["Join a group"]
    assert not at.main.selectbox
