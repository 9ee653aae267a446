"""The organisation, its people and its groups: first run, roles, groups, members, sessions, agenda."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from unit_support import NOW, PASSWORD, audit_actions, count_rows, group_form

from intervision import accounts, agenda, auth, db, groups, invitations, membership, store
from intervision.errors import DomainError, NotAllowed
from intervision.models import (
    FirstRunInput,
    GroupRole,
    InvitationInput,
    MeetingInput,
    ProfileInput,
    Role,
    SignInInput,
)

TOMORROW = NOW + timedelta(days=1)
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def _first_run(**changes: object) -> FirstRunInput:
    return FirstRunInput(
        **{
            "organisation_name": "Zorggroep Oost",
            "name": "Cora Coordinator",
            "email": "cora@example.org",
            "password": PASSWORD,
            "password_again": PASSWORD,
        }
        | changes
    )


def _group_role(path, group_id, person):
    with db.reading(path) as conn:
        return store.group_role(conn, group_id, person.id)


def _plan(path, viewer, group_id, starts_at=TOMORROW, now=NOW):
    form = MeetingInput(group_id=group_id, starts_at=starts_at, minutes=90)
    return groups.plan_session(path, viewer, form, now=now)


# --- first run ---------------------------------------------------------------------------------


def test_the_first_coordinator_sets_up_the_organisation(path):
    assert accounts.visit(path, None).first_run
    person_id = accounts.create_first_coordinator(path, _first_run(), now=NOW)

    assert not accounts.visit(path, None).first_run
    assert accounts.visit(path, None).organisation.name == "Zorggroep Oost"
    cora = accounts.person(path, person_id)
    assert (cora.role, cora.email) == (Role.COORDINATOR, "cora@example.org")
    token = auth.sign_in(path, SignInInput(email="cora@example.org", password=PASSWORD), now=NOW)
    assert auth.signed_in_person(path, token, now=NOW).id == person_id
    assert audit_actions(path)[0] == "account_created"


def test_the_first_coordinator_can_be_created_only_once(path):
    accounts.create_first_coordinator(path, _first_run(), now=NOW)
    before = {table: count_rows(path, table) for table in ("people", "organisation", "audit_log")}

    with pytest.raises(DomainError) as refused:
        accounts.create_first_coordinator(
            path, _first_run(organisation_name="Takeover BV", email="mallory@example.org"), now=NOW
        )

    assert refused.value.key == "already_set_up"
    assert {table: count_rows(path, table) for table in before} == before
    assert accounts.visit(path, None).organisation.name == "Zorggroep Oost"
    assert accounts.person_by_email(path, "mallory@example.org") is None


# --- people and roles --------------------------------------------------------------------------


def test_the_last_coordinator_cannot_step_down(path, coordinator):
    with pytest.raises(DomainError) as refused:
        accounts.change_role(path, coordinator, coordinator.id, Role.PARTICIPANT, now=NOW)
    assert (refused.value.key, refused.value.field) == ("last_coordinator", "role")
    assert accounts.person(path, coordinator.id).role is Role.COORDINATOR
    assert "role_changed" not in audit_actions(path)


def test_a_coordinator_can_step_down_when_another_remains(path, coordinator, make_person):
    make_person("Second Coordinator", Role.COORDINATOR)
    accounts.change_role(path, coordinator, coordinator.id, Role.FACILITATOR, now=NOW)
    assert accounts.person(path, coordinator.id).role is Role.FACILITATOR


def test_change_role_is_recorded_in_the_audit_log(path, coordinator, make_person):
    pat = make_person("Pat")
    accounts.change_role(path, coordinator, pat.id, Role.FACILITATOR, now=NOW)

    assert accounts.person(path, pat.id).role is Role.FACILITATOR
    event = accounts.audit_log(path, coordinator)[0]
    assert (event.action, event.actor, event.subject) == ("role_changed", coordinator.name, pat.email)
    assert "participant" in event.detail and "facilitator" in event.detail


def test_changing_to_the_same_role_records_nothing(path, coordinator, make_person):
    pat = make_person("Pat")
    accounts.change_role(path, coordinator, pat.id, Role.PARTICIPANT, now=NOW)
    assert "role_changed" not in audit_actions(path)


@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.PARTICIPANT])
def test_only_coordinators_see_people_change_roles_and_read_the_audit_log(path, make_person, role):
    someone = make_person("Someone", role)
    with pytest.raises(NotAllowed):
        accounts.change_role(path, someone, someone.id, Role.COORDINATOR, now=NOW)
    with pytest.raises(NotAllowed):
        accounts.people(path, someone)
    with pytest.raises(NotAllowed):
        accounts.audit_log(path, someone)
    assert accounts.person(path, someone.id).role is role


def test_change_role_of_someone_unknown_is_refused(path, coordinator):
    with pytest.raises(DomainError) as refused:
        accounts.change_role(path, coordinator, 999, Role.FACILITATOR, now=NOW)
    assert refused.value.key == "person_not_found"


def test_a_profile_cannot_take_someone_elses_email(path, make_person):
    pat = make_person("Pat")
    lou = make_person("Lou")
    with pytest.raises(DomainError) as refused:
        accounts.update_profile(path, pat.id, ProfileInput(name="Pat", email=lou.email.upper(), language="nl"))
    assert (refused.value.key, refused.value.field) == ("email_in_use", "email")
    assert accounts.person(path, pat.id).email == pat.email


def test_a_profile_is_saved(path, make_person):
    pat = make_person("Pat")
    accounts.update_profile(path, pat.id, ProfileInput(name="Pat B.", email=pat.email, language="nl"))
    saved = accounts.person(path, pat.id)
    assert (saved.name, saved.language) == ("Pat B.", "nl")


# --- groups ------------------------------------------------------------------------------------


def test_a_group_name_is_unique_regardless_of_case(path, coordinator):
    groups.create_group(path, coordinator, group_form("Team North"), now=NOW)
    with pytest.raises(DomainError) as refused:
        groups.create_group(path, coordinator, group_form("  team NORTH "), now=NOW)
    assert (refused.value.key, refused.value.field) == ("group_name_taken", "name")
    assert count_rows(path, "groups") == 1


def test_a_group_name_with_accented_capitals_is_unique_regardless_of_case(path, coordinator):
    groups.create_group(path, coordinator, group_form("Één team"), now=NOW)
    with pytest.raises(DomainError):
        groups.create_group(path, coordinator, group_form("één team"), now=NOW)


def test_renaming_a_group_to_anothers_name_is_refused_but_keeping_its_own_is_fine(path, coordinator, make_group):
    north = make_group("Team North")
    make_group("Team South")
    with pytest.raises(DomainError) as refused:
        groups.update_group(path, coordinator, north, group_form("TEAM SOUTH"))
    assert refused.value.key == "group_name_taken"
    groups.update_group(path, coordinator, north, group_form("team north", meets_every_weeks=8))
    saved, _ = groups.group_for(path, coordinator, north)
    assert (saved.name, saved.contract.meets_every_weeks) == ("team north", 8)


def test_a_facilitator_who_creates_a_group_facilitates_it(path, make_person):
    fay = make_person("Fay", Role.FACILITATOR)
    group_id = groups.create_group(path, fay, group_form(), now=NOW)
    assert groups.group_for(path, fay, group_id)[1] is GroupRole.FACILITATOR
    assert [(m.person_id, m.group_role) for m in groups.members(path, fay, group_id)] == [
        (fay.id, GroupRole.FACILITATOR)
    ]


def test_a_coordinator_who_creates_a_group_does_not_join_it(path, coordinator):
    group_id = groups.create_group(path, coordinator, group_form(), now=NOW)
    assert groups.members(path, coordinator, group_id) == []


def test_a_participant_cannot_create_a_group(path, make_person):
    pat = make_person("Pat")
    with pytest.raises(NotAllowed):
        groups.create_group(path, pat, group_form(), now=NOW)
    assert count_rows(path, "groups") == 0


def test_a_group_facilitator_invites_members_but_does_not_make_facilitators(path, make_person, make_group):
    fay, pat, lou = make_person("Fay"), make_person("Pat"), make_person("Lou")
    group_id = make_group(facilitators=(fay,))

    invitation = membership.invite(path, fay, group_id, pat.id, GroupRole.MEMBER, now=NOW)
    assert audit_actions(path)[-1] == "member_invited"
    membership.accept(path, pat, invitation, now=NOW)
    assert _group_role(path, group_id, pat) is GroupRole.MEMBER
    assert audit_actions(path)[-1] == "member_added"

    with pytest.raises(NotAllowed):
        membership.invite(path, fay, group_id, lou.id, GroupRole.FACILITATOR, now=NOW)
    with pytest.raises(NotAllowed):
        groups.change_member_role(path, fay, group_id, pat.id, GroupRole.FACILITATOR, now=NOW)
    assert _group_role(path, group_id, lou) is None
    assert _group_role(path, group_id, pat) is GroupRole.MEMBER


def test_only_a_coordinator_makes_or_unmakes_facilitators(path, coordinator, make_person, make_group):
    fay, fred = make_person("Fay"), make_person("Fred")
    group_id = make_group(facilitators=(fay,))

    with pytest.raises(NotAllowed):
        groups.remove_member(path, fay, group_id, fay.id, now=NOW)  # nor step down themselves
    with pytest.raises(NotAllowed):
        groups.change_member_role(path, fay, group_id, fay.id, GroupRole.MEMBER, now=NOW)

    invitation = membership.invite(path, coordinator, group_id, fred.id, GroupRole.FACILITATOR, now=NOW)
    membership.accept(path, fred, invitation, now=NOW)
    groups.remove_member(path, coordinator, group_id, fay.id, now=NOW)
    assert [(m.person_id, m.group_role) for m in groups.members(path, coordinator, group_id)] == [
        (fred.id, GroupRole.FACILITATOR)
    ]


def test_a_group_facilitator_removes_a_member(path, make_person, make_group):
    fay, pat = make_person("Fay"), make_person("Pat")
    group_id = make_group(facilitators=(fay,), members=(pat,))
    groups.remove_member(path, fay, group_id, pat.id, now=NOW)
    assert _group_role(path, group_id, pat) is None
    assert audit_actions(path)[-1] == "member_removed"


def test_a_member_cannot_manage_the_group(path, make_person, make_group):
    pat, lou = make_person("Pat"), make_person("Lou")
    group_id = make_group(members=(pat,))
    with pytest.raises(NotAllowed):
        membership.invite(path, pat, group_id, lou.id, GroupRole.MEMBER, now=NOW)
    with pytest.raises(NotAllowed):
        groups.candidates_to_invite(path, pat, group_id)
    assert _group_role(path, group_id, lou) is None


def test_update_group_by_a_member_is_refused(path, make_person, make_group):
    pat = make_person("Pat")
    group_id = make_group(members=(pat,))
    with pytest.raises(NotAllowed):
        groups.update_group(path, pat, group_id, group_form("Pat's group", meets_every_weeks=1))
    saved, _ = groups.group_for(path, pat, group_id)
    assert (saved.name, saved.contract.meets_every_weeks) == ("Team North", 6)


def test_a_group_facilitator_edits_the_contract(path, make_person, make_group):
    fay = make_person("Fay")
    group_id = make_group(facilitators=(fay,))
    groups.update_group(path, fay, group_id, group_form("Team North", session_minutes=120))
    assert groups.group_for(path, fay, group_id)[0].contract.session_minutes == 120


def test_an_outsider_cannot_open_a_group(path, make_person, make_group):
    pat = make_person("Pat")
    group_id = make_group()
    with pytest.raises(NotAllowed):
        groups.group_for(path, pat, group_id)
    with pytest.raises(NotAllowed):
        groups.members(path, pat, group_id)
    with pytest.raises(NotAllowed):
        groups.sessions_held(path, pat, group_id)


def test_a_group_that_does_not_exist_says_so(path, coordinator):
    with pytest.raises(DomainError) as refused:
        groups.group_for(path, coordinator, 999)
    assert refused.value.key == "group_not_found"


def test_candidates_to_invite_are_the_people_not_in_the_group_nor_invited(path, coordinator, make_person, make_group):
    fay, pat, lou, ida = make_person("Fay"), make_person("Pat"), make_person("Lou"), make_person("Ida")
    group_id = make_group(facilitators=(fay,), members=(pat,))
    membership.invite(path, fay, group_id, ida.id, GroupRole.MEMBER, now=NOW)
    candidates = groups.candidates_to_invite(path, fay, group_id, now=NOW)
    assert {p.id for p in candidates} == {coordinator.id, lou.id}


def test_visible_groups_coordinator_sees_all_participant_only_their_own(path, coordinator, make_person, make_group):
    pat = make_person("Pat")
    north = make_group("Team North", members=(pat,))
    south = make_group("Team South")
    invitation = membership.invite(path, coordinator, south, coordinator.id, GroupRole.FACILITATOR, now=NOW)
    membership.accept(path, coordinator, invitation, now=NOW)

    seen_by_coordinator = [(g.id, role) for g, role in groups.visible_groups(path, coordinator)]
    assert seen_by_coordinator == [(north, None), (south, GroupRole.FACILITATOR)]
    assert [(g.id, role) for g, role in groups.visible_groups(path, pat)] == [(north, GroupRole.MEMBER)]


def test_only_a_coordinator_deletes_a_group_and_everything_in_it_goes(path, coordinator, make_person, make_group):
    fay = make_person("Fay", Role.FACILITATOR)
    group_id = make_group(facilitators=(fay,), members=(make_person("Pat"),))
    invitations.create_invitation(path, fay, InvitationInput(group_id=group_id), now=NOW)
    _plan(path, fay, group_id)

    with pytest.raises(NotAllowed):
        groups.delete_group(path, fay, group_id, now=NOW)
    assert count_rows(path, "groups") == 1

    groups.delete_group(path, coordinator, group_id, now=NOW)
    for table in ("groups", "memberships", "invitations", "meetings"):
        assert count_rows(path, table) == 0, table
    assert audit_actions(path)[-1] == "group_deleted"


def test_coordinators_and_facilitators_lead_groups_and_members_do_not(path, coordinator, make_person, make_group):
    fay, pat = make_person("Fay"), make_person("Pat")
    make_group(facilitators=(fay,), members=(pat,))

    def leads(person):
        token = auth.open_session_for(path, person.id, now=NOW)
        return accounts.visit(path, token, now=NOW).leads_groups

    assert leads(coordinator)
    assert leads(fay)
    assert not leads(pat)


def test_a_single_sign_on_identity_is_matched_to_its_account_by_email(path, make_person):
    fay = make_person("Fay")
    assert accounts.visit(path, None, single_sign_on_email=f"  {fay.email.upper()} ").person == fay
    assert accounts.visit(path, None, single_sign_on_email="nobody@example.org").person is None


# --- sessions ----------------------------------------------------------------------------------


def test_plan_session_refuses_a_moment_in_the_past(path, coordinator, make_group):
    group_id = make_group()
    with pytest.raises(DomainError) as refused:
        _plan(path, coordinator, group_id, starts_at=NOW - timedelta(minutes=1))
    assert (refused.value.key, refused.value.field) == ("session_in_past", "starts_at")
    assert count_rows(path, "meetings") == 0


def test_plan_session_refuses_a_moment_without_time_zone(path, coordinator, make_group):
    group_id = make_group()
    with pytest.raises(DomainError) as refused:
        _plan(path, coordinator, group_id, starts_at=datetime(2025, 4, 1, 14, 0))
    assert refused.value.key == "time_without_zone"
    assert count_rows(path, "meetings") == 0


def test_the_next_session_is_the_earliest_one_still_to_come(path, coordinator, make_group):
    group_id = make_group()
    _plan(path, coordinator, group_id, starts_at=NOW + timedelta(days=30))
    soonest = _plan(path, coordinator, group_id, starts_at=NOW + timedelta(days=2))
    _plan(path, coordinator, group_id, starts_at=NOW + timedelta(days=9))

    assert groups.next_sessions(path, [group_id], now=NOW)[group_id].id == soonest
    later = NOW + timedelta(days=3)
    assert groups.next_sessions(path, [group_id], now=later)[group_id].starts_at == NOW + timedelta(days=9)


def test_a_session_planned_in_local_time_is_no_longer_next_once_it_started(path, coordinator, make_group):
    group_id = make_group()
    starts = datetime(2025, 3, 13, 15, 0, tzinfo=AMSTERDAM)  # 14:00 UTC
    _plan(path, coordinator, group_id, starts_at=starts)
    half_an_hour_in = datetime(2025, 3, 13, 14, 30, tzinfo=UTC)
    assert groups.next_sessions(path, [group_id], now=half_an_hour_in) == {}


# --- agenda ------------------------------------------------------------------------------------


def _waiting(path, person, now=NOW):
    return {(item.key, item.group_name) for item in agenda.agenda_for(path, person, now=now).waiting}


def test_the_agenda_tells_a_coordinator_what_each_group_lacks(path, coordinator, make_person, make_group):
    make_group("Bare")
    assert _waiting(path, coordinator) == {
        ("waiting.no_session_planned", "Bare"),
        ("waiting.no_facilitator", "Bare"),
        ("waiting.too_few_members", "Bare"),
    }


def test_a_group_in_order_waits_for_nothing(path, coordinator, make_person, make_group):
    fay = make_person("Fay")
    group_id = make_group(facilitators=(fay,), members=tuple(make_person(n) for n in ("A", "B", "C")))
    _plan(path, fay, group_id)
    assert _waiting(path, coordinator) == set()
    assert _waiting(path, fay) == set()


def test_two_members_are_too_few_and_three_are_enough(path, coordinator, make_person, make_group):
    fay = make_person("Fay")
    two = make_group("Two", facilitators=(fay,), members=(make_person("A"), make_person("B")))
    three = make_group("Three", facilitators=(fay,), members=tuple(make_person(n) for n in "CDE"))
    _plan(path, fay, two)
    _plan(path, fay, three)
    assert _waiting(path, fay) == {("waiting.too_few_members", "Two")}


def test_the_agenda_tells_a_facilitator_about_their_own_group_only(path, coordinator, make_person, make_group):
    fay, pat = make_person("Fay"), make_person("Pat")
    make_group("Fay's", facilitators=(fay,), members=(pat,))
    make_group("Other")
    assert _waiting(path, fay) == {
        ("waiting.no_session_planned", "Fay's"),
        ("waiting.too_few_members", "Fay's"),
    }
    assert _waiting(path, pat) == set()  # a member is not asked to plan or recruit


def test_a_session_in_the_past_no_longer_counts_as_planned(path, coordinator, make_person, make_group):
    fay = make_person("Fay")
    group_id = make_group(facilitators=(fay,), members=tuple(make_person(n) for n in ("A", "B", "C")))
    _plan(path, fay, group_id)
    assert _waiting(path, fay, now=TOMORROW + timedelta(hours=1)) == {("waiting.no_session_planned", "Team North")}


def test_the_agenda_shows_the_soonest_session_over_all_groups(path, coordinator, make_person, make_group):
    pat = make_person("Pat")
    north = make_group("Team North", members=(pat,))
    south = make_group("Team South", members=(pat,))
    _plan(path, coordinator, north, starts_at=NOW + timedelta(days=5))
    soonest = _plan(path, coordinator, south, starts_at=NOW + timedelta(days=2))
    mine = agenda.agenda_for(path, pat, now=NOW)
    assert mine.next_session.id == soonest
    assert [(o.group.name, o.role, o.members) for o in mine.groups] == [
        ("Team North", GroupRole.MEMBER, 1),
        ("Team South", GroupRole.MEMBER, 1),
    ]
