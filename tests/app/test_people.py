"""People (coordinators only): everyone in the organisation, their roles, and the audit log."""

from __future__ import annotations

import pytest
from driving import (
    app,
    assert_healthy,
    click,
    message_under,
    open_page,
    query,
    values,
)

from intervision import accounts, auth, demo
from intervision.database import configured as configured_database
from intervision.errors import DomainError
from intervision.models import Role, SignInInput

LAST_COORDINATOR = "The organisation needs at least one coordinator."


def _people_page(at):
    at.session_state["language"] = "en"
    open_page(at, "pages/people.py")
    assert_healthy(at)
    return at


def _role_of(person_id: int) -> str:
    return query("SELECT role FROM people WHERE id = ?", (person_id,))[0][0]


def _change_role(at, person_id: int, role: Role):
    at.selectbox(key="role_change.person_id").set_value(person_id)
    at.selectbox(key="role_change.role").set_value(role)
    return click(at, "Save")


def test_coordinator_sees_everyone(people):
    at = _people_page(app(people.coordinator))

    listed = at.dataframe[0].value
    assert list(listed.columns) == ["Name", "E-mail address", "Role"]
    assert len(listed) == query("SELECT count(*) FROM people")[0][0]
    assert set(listed["Role"]) == {"Coordinator", "Facilitator", "Participant"}


def test_coordinator_changes_a_role(people):
    at = _people_page(app(people.coordinator))
    _change_role(at, people.participant.id, Role.FACILITATOR)

    assert_healthy(at)
    assert "The role was changed." in values(at.success)
    assert _role_of(people.participant.id) == "facilitator"
    listed = at.dataframe[0].value
    assert list(listed.loc[listed["Name"] == people.participant.name, "Role"]) == ["Facilitator"]
    assert query("SELECT subject, detail FROM audit_log WHERE action = 'role_changed'") == [
        (people.participant.email, "participant → facilitator")
    ]


def test_demoting_the_last_coordinator_is_refused(people):
    at = _people_page(app(people.coordinator))
    _change_role(at, people.coordinator.id, Role.PARTICIPANT)

    assert_healthy(at)
    assert values(at.error) == [LAST_COORDINATOR]
    assert message_under(at, "role_change.role") == LAST_COORDINATOR
    assert _role_of(people.coordinator.id) == "coordinator"
    assert "The role was changed." not in values(at.success)
    # What was chosen stays chosen.
    assert at.selectbox(key="role_change.person_id").value == people.coordinator.id
    assert at.selectbox(key="role_change.role").value == Role.PARTICIPANT


def test_a_coordinator_who_steps_down_loses_the_page(people):
    accounts.change_role(configured_database(), people.coordinator, people.facilitator.id, Role.COORDINATOR)
    at = _people_page(app(people.coordinator))
    _change_role(at, people.coordinator.id, Role.FACILITATOR)

    assert_healthy(at)
    assert _role_of(people.coordinator.id) == "facilitator"
    assert not at.dataframe or "E-mail address" not in at.dataframe[0].value.columns
    assert "People" not in values(at.title)


def test_audit_log_shows_sign_ins(people):
    marieke = demo.demo_accounts()[0]
    token = auth.sign_in(configured_database(), SignInInput(email=marieke.email, password=demo.DEMO_PASSWORD))
    with pytest.raises(DomainError):
        auth.sign_in(configured_database(), SignInInput(email=marieke.email, password="not the password"))
    at = app()
    at.session_state["sign_in_token"] = token
    at = _people_page(at)

    tabs = [tab.label for tab in at.tabs]
    assert tabs == ["People", "Audit log", "Mail", "Organisation"]
    log = at.tabs[1].dataframe[0].value
    assert list(log.columns) == ["When", "Who", "What", "Concerning", "Detail"]
    assert list(log["What"][:2]) == ["Sign-in failed", "Signed in"]
    assert set(log["Who"][:2]) == {marieke.name}
    assert "Demo loaded" in list(log["What"])


def test_saving_the_role_form_untouched_changes_nobody(people):
    roles_before = query("SELECT id, role FROM people ORDER BY id")
    at = _people_page(app(people.coordinator))
    click(at, "Save")

    assert_healthy(at)
    assert query("SELECT id, role FROM people ORDER BY id") == roles_before
