"""The group page's planned sessions and calendar: a facilitator moves or cancels a session (a cancel asks
first), the group is mailed the change; members see the group's calendar address, a coordinator outside
the group never does."""

from __future__ import annotations

from datetime import timedelta

import pytest
from driving import app, assert_healthy, click, fill, open_page, query, texts, value_of, values

from intervision import clock

GROUP = "Leidinggevenden Zorg"  # Jeroen Bakker facilitates it; Sofie Claes is a member
FEED_PATH = "/_intervision/calendar/"


def _group_id() -> int:
    return query("SELECT id FROM groups WHERE name = ?", (GROUP,))[0][0]


def _planned(gid: int) -> tuple[int, int]:
    """The group's next planned session: (id, change count)."""
    return query(
        "SELECT id, sequence FROM meetings WHERE group_id = ? AND status = 'planned' ORDER BY starts_at LIMIT 1",
        (gid,),
    )[0]


def _page(person):
    at = app(person)
    at.session_state["language"] = "en"
    open_page(at, "pages/groups.py")
    at.selectbox(key="group_choice").set_value(_group_id()).run()
    assert_healthy(at)
    return at


def _invitations_queued(gid: int) -> int:
    return query("SELECT count(*) FROM outbox WHERE kind = 'session_invitation' AND group_id = ?", (gid,))[0][0]


def _people_in_group(gid: int) -> int:
    return query("SELECT count(*) FROM memberships WHERE group_id = ?", (gid,))[0][0]


@pytest.mark.date_sensitive
def test_facilitator_moves_a_session_and_the_group_gets_the_new_time(people, mail_server):
    gid = _group_id()
    meeting_id, sequence = _planned(gid)
    at = _page(people.facilitator)
    at.button(key=f"change_open.{meeting_id}").click().run()
    new_day = clock.today() + timedelta(days=40)
    fill(at, {f"change.{meeting_id}.day": new_day, f"change.{meeting_id}.minutes": 120})
    click(at, "Save the change")

    assert_healthy(at)
    assert "The session was moved. Everyone in the group gets the new time in their calendar." in values(at.success)
    assert query("SELECT minutes, sequence FROM meetings WHERE id = ?", (meeting_id,)) == [(120, sequence + 1)]
    assert _invitations_queued(gid) == _people_in_group(gid)


def test_moving_a_session_into_the_past_is_refused_and_keeps_what_was_typed(people):
    gid = _group_id()
    meeting_id, sequence = _planned(gid)
    at = _page(people.facilitator)
    at.button(key=f"change_open.{meeting_id}").click().run()
    yesterday = clock.today() - timedelta(days=1)
    fill(at, {f"change.{meeting_id}.day": yesterday})
    click(at, "Save the change")

    assert_healthy(at)
    assert "Choose a moment in the future." in values(at.error)
    assert value_of(at, f"change.{meeting_id}.day") == yesterday
    assert query("SELECT sequence FROM meetings WHERE id = ?", (meeting_id,)) == [(sequence,)]
    assert _invitations_queued(gid) == 0


def test_cancelling_a_session_asks_first_then_takes_it_out_of_the_calendars(people, mail_server):
    gid = _group_id()
    meeting_id, _ = _planned(gid)
    at = _page(people.facilitator)
    at.button(key=f"cancel_open.{meeting_id}").click().run()

    assert_healthy(at)
    assert any(text.startswith("Cancel the session on") for text in values(at.warning))
    assert query("SELECT status FROM meetings WHERE id = ?", (meeting_id,)) == [("planned",)]
    click(at, "Keep it")
    assert not [text for text in values(at.warning) if text.startswith("Cancel the session on")]

    at.button(key=f"cancel_open.{meeting_id}").click().run()
    click(at, "Yes, cancel this session")
    assert_healthy(at)
    assert "The session was cancelled. Everyone in the group gets the cancellation in their calendar." in values(
        at.success
    )
    assert query("SELECT status FROM meetings WHERE id = ?", (meeting_id,)) == [("cancelled",)]
    assert _invitations_queued(gid) == _people_in_group(gid)


def test_a_member_sees_the_calendar_address_but_cannot_change_sessions(people):
    at = _page(people.participant)
    addresses = [code for code in values(at.code) if FEED_PATH in code]
    assert len(addresses) == 1 and addresses[0].endswith(".ics")
    assert "Subscribe to this address in your calendar program" in texts(at)
    labels = [b.label for b in at.button]
    assert "Change" not in labels and "Cancel session" not in labels and "New address" not in labels


def test_a_coordinator_outside_the_group_never_sees_the_calendar_address_but_may_renew_it(people):
    gid = _group_id()
    member_view = [code for code in values(_page(people.participant).code) if FEED_PATH in code]
    assert query("SELECT count(*) FROM memberships WHERE group_id = ? AND person_id = ?", (gid, people.coordinator.id))[
        0
    ] == (0,)
    at = _page(people.coordinator)
    assert FEED_PATH not in texts(at)
    at.checkbox(key=f"renew_confirm.{gid}").check().run()
    at.button(key=f"renew.{gid}").click().run()
    assert_healthy(at)
    assert "The group's calendar has a new address. Only the group's members and facilitators see it." in values(
        at.success
    )
    assert FEED_PATH not in texts(at)
    renewed = [code for code in values(_page(people.participant).code) if FEED_PATH in code]
    assert renewed != member_view


def test_without_a_mail_server_the_screens_do_not_promise_a_mail(people, monkeypatch):
    for name in ("INTERVISION_SMTP_HOST", "INTERVISION_SMTP_PORT", "INTERVISION_SMTP_TLS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("intervision.mail.settings._secrets_files", lambda: [])
    gid = _group_id()
    meeting_id, _ = _planned(gid)
    at = _page(people.facilitator)
    at.button(key=f"cancel_open.{meeting_id}").click().run()
    [question] = [text for text in values(at.warning) if text.startswith("Cancel the session on")]
    assert "only those who subscribed to the group's calendar see the cancellation" in question
    click(at, "Yes, cancel this session")
    assert_healthy(at)
    assert any(text.startswith("The session was cancelled. No mail server is set up") for text in values(at.success))
