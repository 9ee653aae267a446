"""The store's writes take their columns from a fixed list, say when the row they are about is gone, and its
reads give typed values (no tuples of text, no ISO text): on both engines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from unit_support import NOW

from intervision import db, store
from intervision.database import Unit
from intervision.errors import Missing
from intervision.models import (
    AuditAction,
    CaseStatus,
    GroupRole,
    QuestionType,
    SessionRole,
    SessionStatus,
)

CASE_VALUES = {
    "title": "A talk that went wrong",
    "situation": "It happened last week.",
    "learning_question": "How do I start the talk again?",
    "question_type": QuestionType.OWN_BEHAVIOUR,
    "anonymised": True,
}


def _session(
    conn: Unit,
    group_id: int,
    facilitator_id: int,
    started_at: datetime = NOW,
    status: SessionStatus = SessionStatus.CHECK_IN,
) -> int:
    """A session straight in the database; one per group may be open, so an earlier one is passed CLOSED."""
    return store.add_live_session(
        conn,
        store.NewLiveSession(
            group_id=group_id,
            case_title="A talk that went wrong",
            method_id="incident",
            method_version=1,
            status=status,
            join_code=f"J{started_at:%m%d%H%M}",
            projector_token=f"token-{started_at.timestamp()}",
            facilitator_id=facilitator_id,
            started_at=started_at,
        ),
    )


def test_a_live_session_change_writes_only_the_fields_it_sets(path, make_person, make_group):
    fay = make_person("Fay")
    group_id = make_group(facilitators=(fay,))
    with db.writing(path) as conn:
        session_id = _session(conn, group_id, fay.id)
        paused = NOW + timedelta(minutes=3)
        assert store.update_live_session(conn, session_id, 0, store.LiveSessionChange(paused_at=paused))
        assert store.update_live_session(
            conn, session_id, 1, store.LiveSessionChange(status=SessionStatus.RUNNING, overrun_logged=True)
        )
        # A stale revision changes nothing.
        assert not store.update_live_session(conn, session_id, 1, store.LiveSessionChange(paused_at=None))
        session = store.live_session(conn, session_id)
    assert (session.status, session.paused_at, session.overrun_logged, session.revision) == (
        SessionStatus.RUNNING,
        paused,
        True,
        2,
    )
    assert session.phase_started_at is None  # never set, never written


def test_a_live_session_change_that_changes_nothing_is_refused(path, make_person, make_group):
    fay = make_person("Fay")
    group_id = make_group(facilitators=(fay,))
    with db.writing(path) as conn:
        session_id = _session(conn, group_id, fay.id)
        with pytest.raises(ValueError):
            store.update_live_session(conn, session_id, 0, store.LiveSessionChange())


def test_sessions_are_found_by_join_code_and_by_projector_token_only(path, make_person, make_group):
    fay = make_person("Fay")
    group_id = make_group(facilitators=(fay,))
    with db.writing(path) as conn:
        session_id = _session(conn, group_id, fay.id)
        found = store.live_session(conn, session_id)
        assert store.live_session_by_join_code(conn, found.join_code).id == session_id
        assert store.live_session_by_projector_token(conn, found.projector_token).id == session_id
        assert store.live_session_by_join_code(conn, found.projector_token) is None


def test_roles_and_their_history_are_typed(path, make_person, make_group):
    fay, ann, bob = make_person("Fay"), make_person("Ann"), make_person("Bob")
    group_id = make_group(facilitators=(fay,), members=(ann, bob))
    later = NOW + timedelta(days=14)
    with db.writing(path) as conn:
        first = _session(conn, group_id, fay.id, NOW, SessionStatus.CLOSED)
        second = _session(conn, group_id, fay.id, later)
        store.set_session_roles(conn, first, {SessionRole.CHAIR: [ann.id]})
        store.set_session_roles(conn, second, {SessionRole.CHAIR: [ann.id], SessionRole.TIMEKEEPER: [bob.id]})
        roles = store.session_roles(conn, second)
        history = store.role_history(conn, group_id)
    assert roles == {
        SessionRole.CHAIR: [store.RoleHolder(person_id=ann.id, name="Ann")],
        SessionRole.TIMEKEEPER: [store.RoleHolder(person_id=bob.id, name="Bob")],
    }
    assert history == {
        store.RoleHeld(person_id=ann.id, role=SessionRole.CHAIR): later,
        store.RoleHeld(person_id=bob.id, role=SessionRole.TIMEKEEPER): later,
    }
    assert all(moment.tzinfo is not None and moment.utcoffset() == timedelta(0) for moment in history.values())


def test_confirming_an_action_item_of_another_session_is_missing(path, make_person, make_group):
    fay = make_person("Fay")
    group_id = make_group(facilitators=(fay,))
    with db.writing(path) as conn:
        first = _session(conn, group_id, fay.id, NOW, SessionStatus.CLOSED)
        second = _session(conn, group_id, fay.id, NOW + timedelta(days=1))
        item_id = store.add_action_item(conn, first, group_id, "Call the client", None, None, NOW)
        store.set_action_item_confirmed(conn, item_id, first, True)
        with pytest.raises(Missing):
            store.set_action_item_confirmed(conn, item_id, second, True)
        assert [item.confirmed for item in store.action_items(conn, first)] == [True]


def test_moving_a_deleted_case_on_is_missing(path, make_person, make_group):
    ann = make_person("Ann")
    group_id = make_group(members=(ann,))
    with db.writing(path) as conn:
        case_id = store.add_case(conn, group_id, ann.id, CaseStatus.SUBMITTED, CASE_VALUES, NOW)
        store.set_case_status(conn, case_id, CaseStatus.DISCUSSED, NOW, method_id="incident", chosen_advice="Ask")
        discussed = store.case(conn, case_id)
        store.delete_case(conn, case_id)
        with pytest.raises(Missing):
            store.set_case_status(conn, case_id, CaseStatus.FOLLOWED_UP, NOW, follow_up="It went well")
        with pytest.raises(Missing):
            store.update_case_values(conn, case_id, group_id, CASE_VALUES)
    assert (discussed.method_id, discussed.chosen_advice, discussed.meeting_id) == ("incident", "Ask", None)


def test_last_discussions_per_author_are_moments(path, make_person, make_group):
    ann = make_person("Ann")
    group_id = make_group(members=(ann,))
    with db.writing(path) as conn:
        case_id = store.add_case(conn, group_id, ann.id, CaseStatus.SUBMITTED, CASE_VALUES, NOW)
        store.set_case_status(conn, case_id, CaseStatus.DISCUSSED, NOW)
        assert store.last_discussed_by_author(conn, group_id) == {ann.id: NOW.astimezone(UTC)}


def test_answering_a_personal_invitation_that_is_gone_is_missing(path, coordinator, make_person, make_group):
    pat = make_person("Pat")
    group_id = make_group()
    with db.writing(path) as conn:
        invitation_id = store.add_group_invitation(
            conn, group_id, pat.id, GroupRole.MEMBER, coordinator.id, NOW, NOW + timedelta(days=14)
        )
        store.answer_group_invitation(conn, invitation_id, store.InvitationAnswer.DECLINED, NOW)
        assert store.group_invitation(conn, invitation_id).declined_at == NOW
        with pytest.raises(Missing):
            store.answer_group_invitation(conn, invitation_id + 1, store.InvitationAnswer.ACCEPTED, NOW)
        with pytest.raises(ValueError):
            store.answer_group_invitation(conn, invitation_id, "accepted_at", NOW)


def test_the_audit_log_keeps_only_known_actions(path, coordinator):
    with db.writing(path) as conn:
        with pytest.raises(ValueError):
            store.add_audit_event(conn, NOW, coordinator.id, "dropped_tables", "", "")
        store.add_audit_event(conn, NOW, coordinator.id, AuditAction.ROLE_CHANGED, "pat@example.org", "")
        assert [event.action for event in store.audit_events(conn, 10)] == [AuditAction.ROLE_CHANGED.value]


def test_credentials_and_custom_methods_are_typed(path, coordinator, make_person, make_group):
    fay = make_person("Fay")
    make_group(facilitators=(fay,))
    with db.writing(path) as conn:
        store.add_custom_method(conn, "custom_1", fay.id, NOW)
        store.keep_method_version(conn, "custom_1", 1, 'id = "custom_1"', NOW)
        credentials = store.credentials(conn, coordinator.email)
        mine = store.custom_method(conn, "custom_1")
        usable = store.custom_methods(conn, fay.id)
        with pytest.raises(Missing):
            store.share_custom_method(conn, "custom_2", True)
    assert credentials.person_id == coordinator.id and credentials.password_hash
    assert mine == store.CustomMethod(
        method_id="custom_1",
        author_id=fay.id,
        author="Fay",
        shared=False,
        current_version=1,
        definition='id = "custom_1"',
    )
    assert usable == [mine]
