"""Sessions in people's calendars: the invitation when a session is planned, moved or cancelled (one UID, a
rising SEQUENCE, then CANCEL), each person in their own language; the reminder the day before, once, asking
case bringers to check their case and others to bring one; the group's feed behind a secret, renewable
address. No case (not even its title) is in any mail or calendar file."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from icalendar import Calendar
from starlette.applications import Starlette
from unit_support import NOW

from intervision import cases, db, groups, session_calendar, store
from intervision.errors import DomainError, NotAllowed
from intervision.mail.models import MailKind
from intervision.mail.outbox import deliver_due_mail
from intervision.mail.rounds import mail_round
from intervision.models import (
    CaseInput,
    CaseStatus,
    Language,
    MeetingInput,
    MeetingStatus,
    QuestionType,
    SessionChangeInput,
    Want,
)
from intervision.store import mail as outbox_store
from ui import calendar_routes

NEXT = NOW + timedelta(days=7)  # Wednesday 19 March 2025, 10:15 UTC
SECRET_TITLE = "Ruzie met Jansen over de nachtdienst"
SECRET_SITUATION = "Jansen dreigde met een klacht bij de inspectie"


@pytest.fixture
def team(path, make_person, make_group):
    """Team Noord (a Dutch group): Lotte facilitates; Anna reads Dutch, Bert English, Chris chose nothing."""
    lotte, anna, bert, chris = (make_person(name) for name in ("Lotte Leider", "Anna Jansen", "Bert Smit", "Chris Vos"))
    group_id = make_group("Team Noord", facilitators=(lotte,), members=(anna, bert, chris))
    with db.writing(path) as conn:
        store.set_language(conn, anna.id, Language.NL)
        store.set_language(conn, bert.id, Language.EN)
        conn.execute("UPDATE people SET language = NULL WHERE id = ?", [chris.id])
    return {"path": path, "group_id": group_id, "lotte": lotte, "anna": anna, "bert": bert, "chris": chris}


def _plan(team, starts_at=NEXT, now=NOW) -> int:
    form = MeetingInput(group_id=team["group_id"], starts_at=starts_at, minutes=90)
    return groups.plan_session(team["path"], team["lotte"], form, now=now)


def _calendar(arrived) -> Calendar:
    text = arrived.calendar
    assert text is not None, "the mail carries no calendar file"
    return Calendar.from_ical(text)


def _event(calendar: Calendar):
    [event] = calendar.walk("VEVENT")
    return event


def _delivered(path, mail_server, now, expected: int):
    """Deliver what is due; the mails that arrived by it (`expected` of them)."""
    before = len(mail_server.arrived)
    assert len(deliver_due_mail(path, now).sent) == expected
    return mail_server.wait_for(before + expected)[before:]


def _submit_case(team, person) -> int:
    form = CaseInput(
        group_id=team["group_id"],
        title=SECRET_TITLE,
        situation=SECRET_SITUATION,
        learning_question="Hoe blijf ik rustig als iemand dreigt?",
        question_type=QuestionType.OWN_BEHAVIOUR,
        wants=[Want.ADVICE],
        anonymised=True,
    )
    return cases.submit_case(team["path"], person, form, now=NOW)


def _no_case_text(arrived) -> None:
    for mail in arrived:
        for text in (mail.raw, mail.text, mail.calendar or ""):
            assert SECRET_TITLE not in text and SECRET_SITUATION not in text and "Jansen dreigde" not in text


# --- invitations: planned, moved, cancelled ------------------------------------------------------


def test_a_session_planned_moved_and_cancelled_reaches_every_calendar_in_its_readers_language(team, mail_server):
    path = team["path"]
    _submit_case(team, team["anna"])  # a case in the queue: it must not travel with the invitation
    meeting_id = _plan(team)
    planned = _delivered(path, mail_server, NOW, 4)
    everyone = {team[name].email for name in ("lotte", "anna", "bert", "chris")}
    assert {mail.envelope_to[0] for mail in planned} == everyone

    [anna] = [mail for mail in planned if mail.envelope_to == [team["anna"].email]]
    [bert] = [mail for mail in planned if mail.envelope_to == [team["bert"].email]]
    [chris] = [mail for mail in planned if mail.envelope_to == [team["chris"].email]]
    assert anna.subject.startswith("Nieuwe bijeenkomst: Team Noord") and "19 maart 2025, 11:15" in anna.subject
    assert bert.subject.startswith("New session: Team Noord") and "19 March 2025, 11:15" in bert.subject
    assert chris.subject.startswith("Nieuwe bijeenkomst"), "no language of one's own: the group's (Dutch)"

    request = _calendar(anna)
    assert request["METHOD"] == "REQUEST"
    event = _event(request)
    uid = str(event["UID"])
    assert uid == f"meeting-{meeting_id}@intervision.test"
    assert event["SEQUENCE"] == 0
    assert event.decoded("DTSTART") == NEXT and event.decoded("DTSTART").tzinfo is not None
    assert event["DTSTART"].to_ical() == b"20250319T101500Z"
    assert event.decoded("DTEND") == NEXT + timedelta(minutes=90)
    assert str(event["SUMMARY"]) == "Intervisie: Team Noord"
    assert "https://intervision.test/groups" in str(event["DESCRIPTION"])
    assert str(event["ORGANIZER"]) == "mailto:noreply@intervision.test"
    assert str(event["ATTENDEE"]) == f"mailto:{team['anna'].email}"
    assert str(_event(_calendar(bert))["SUMMARY"]) == "Intervision: Team Noord"

    later = NEXT + timedelta(days=1, hours=2)
    groups.reschedule_session(
        path, team["lotte"], meeting_id, SessionChangeInput(starts_at=later, minutes=120), now=NOW + timedelta(hours=1)
    )
    moved = _delivered(path, mail_server, NOW + timedelta(hours=1), 4)
    [anna_moved] = [mail for mail in moved if mail.envelope_to == [team["anna"].email]]
    assert anna_moved.subject.startswith("Bijeenkomst verzet: Team Noord")
    update = _calendar(anna_moved)
    assert update["METHOD"] == "REQUEST"
    event = _event(update)
    assert str(event["UID"]) == uid and event["SEQUENCE"] == 1
    assert event.decoded("DTSTART") == later and event.decoded("DTEND") == later + timedelta(minutes=120)

    groups.cancel_session(path, team["lotte"], meeting_id, now=NOW + timedelta(hours=2))
    cancelled = _delivered(path, mail_server, NOW + timedelta(hours=2), 4)
    [bert_cancelled] = [mail for mail in cancelled if mail.envelope_to == [team["bert"].email]]
    assert bert_cancelled.subject.startswith("Session cancelled: Team Noord")
    cancel = _calendar(bert_cancelled)
    assert cancel["METHOD"] == "CANCEL"
    event = _event(cancel)
    assert str(event["UID"]) == uid and event["SEQUENCE"] == 2 and event["STATUS"] == "CANCELLED"
    with db.reading(path) as conn:
        assert store.meetings.meeting(conn, meeting_id).status is MeetingStatus.CANCELLED
    _no_case_text(mail_server.arrived)


def test_someone_who_left_the_group_is_not_invited_and_someone_who_turned_invitations_off_gets_none(team, mail_server):
    from intervision.mail import choices

    groups.remove_member(team["path"], team["lotte"], team["group_id"], team["chris"].id, now=NOW)
    choices.choose_mails(team["path"], team["bert"], {MailKind.SESSION_INVITATION: False})
    _plan(team)
    arrived = _delivered(team["path"], mail_server, NOW, 2)
    assert {mail.envelope_to[0] for mail in arrived} == {team["lotte"].email, team["anna"].email}


def test_a_session_cannot_be_moved_into_the_past_nor_changed_once_held_cancelled_or_started(team):
    path, lotte = team["path"], team["lotte"]
    meeting_id = _plan(team)
    with pytest.raises(DomainError) as refused:
        groups.reschedule_session(
            path, lotte, meeting_id, SessionChangeInput(starts_at=NOW - timedelta(hours=1), minutes=90), now=NOW
        )
    assert refused.value.key == "session_in_past" and refused.value.field == "starts_at"
    with pytest.raises(DomainError) as refused:
        groups.cancel_session(path, lotte, meeting_id, now=NEXT + timedelta(minutes=5))
    assert refused.value.key == "calendar.session_started"

    with db.writing(path) as conn:
        held = store.add_meeting(conn, team["group_id"], NEXT + timedelta(days=3), 90, MeetingStatus.HELD)
    with pytest.raises(DomainError) as refused:
        groups.cancel_session(path, lotte, held, now=NOW)
    assert refused.value.key == "calendar.session_held"

    groups.cancel_session(path, lotte, meeting_id, now=NOW)
    with pytest.raises(DomainError) as refused:
        groups.reschedule_session(
            path, lotte, meeting_id, SessionChangeInput(starts_at=NEXT + timedelta(days=1), minutes=90), now=NOW
        )
    assert refused.value.key == "calendar.session_cancelled"


def test_only_who_plans_sessions_may_move_or_cancel_them(team, coordinator):
    meeting_id = _plan(team)
    with pytest.raises(NotAllowed):
        groups.cancel_session(team["path"], team["anna"], meeting_id, now=NOW)
    with pytest.raises(NotAllowed):
        groups.reschedule_session(
            team["path"], team["bert"], meeting_id, SessionChangeInput(starts_at=NEXT, minutes=60), now=NOW
        )
    # A coordinator may, as they may plan one.
    groups.reschedule_session(
        team["path"], coordinator, meeting_id, SessionChangeInput(starts_at=NEXT, minutes=60), now=NOW
    )
    with db.reading(team["path"]) as conn:
        assert store.meetings.meeting(conn, meeting_id).minutes == 60


def test_a_case_chosen_for_a_cancelled_session_stays_chosen_without_that_sessions_day(team):
    case_id = _submit_case(team, team["anna"])
    meeting_id = _plan(team)
    cases.choose_case(team["path"], team["lotte"], case_id, now=NOW)
    with db.reading(team["path"]) as conn:
        assert store.case(conn, case_id).meeting_starts_at == NEXT
    groups.cancel_session(team["path"], team["lotte"], meeting_id, now=NOW)
    with db.reading(team["path"]) as conn:
        chosen = store.case(conn, case_id)
    assert chosen.status is CaseStatus.CHOSEN and chosen.meeting_starts_at is None


def test_saving_a_session_unchanged_mails_nobody(team):
    meeting_id = _plan(team)
    groups.reschedule_session(
        team["path"], team["lotte"], meeting_id, SessionChangeInput(starts_at=NEXT, minutes=90), now=NOW
    )
    with db.reading(team["path"]) as conn:
        assert store.meetings.meeting(conn, meeting_id).sequence == 0
        assert len(outbox_store.mails_to_person(conn, team["anna"].id)) == 1


# --- the reminder the day before -----------------------------------------------------------------


def _reminders(mail_server):
    return [mail for mail in mail_server.arrived if mail.subject.startswith(("Herinnering", "Reminder"))]


def _to(mails, person):
    [mail] = [mail for mail in mails if mail.envelope_to == [person.email]]
    return mail


def test_the_day_before_each_member_is_reminded_once_and_asked_about_their_case(team, mail_server):
    path = team["path"]
    _submit_case(team, team["anna"])
    meeting_id = _plan(team)
    deliver_due_mail(path, NOW)
    invitations = len(mail_server.wait_for(4))

    # More than a day ahead: nothing yet.
    mail_round(path, NEXT - timedelta(hours=25))
    assert _reminders(mail_server) == []

    mail_round(path, NEXT - timedelta(hours=20))
    mail_round(path, NEXT - timedelta(hours=19))  # a second round writes nothing again
    mail_server.wait_for(invitations + 4)
    reminders = _reminders(mail_server)
    assert len(reminders) == 4

    anna, bert, chris, lotte = (_to(reminders, team[name]) for name in ("anna", "bert", "chris", "lotte"))
    assert anna.subject == "Herinnering: Team Noord komt bij elkaar op 19 maart 2025, 11:15"
    assert "Je hebt een casus klaarstaan" in anna.text and "https://intervision.test/cases" in anna.text
    assert bert.subject == "Reminder: Team Noord meets on 19 March 2025, 11:15"
    assert "Bring it in as a case: https://intervision.test/cases" in bert.text
    assert "Breng het in als casus" in chris.text  # the group's Dutch
    assert "The cases waiting for this session are on the cases page" in lotte.text  # not asked for a case
    assert all(mail.calendar is None for mail in reminders)
    _no_case_text(mail_server.arrived)

    # Moved after the reminder: a new time is a new reminder.
    moved_to = NEXT + timedelta(hours=2)
    moved = SessionChangeInput(starts_at=moved_to, minutes=90)
    groups.reschedule_session(path, team["lotte"], meeting_id, moved, now=NEXT - timedelta(hours=18))
    mail_round(path, NEXT - timedelta(hours=18))
    mail_server.wait_for(invitations + 4 + 4 + 4)
    assert len(_reminders(mail_server)) == 8


def test_a_cancelled_session_is_not_reminded(team, mail_server):
    meeting_id = _plan(team)
    groups.cancel_session(team["path"], team["lotte"], meeting_id, now=NOW)
    assert session_calendar.write_session_reminders(team["path"], NEXT - timedelta(hours=20)) == 0


# --- the group's calendar feed -------------------------------------------------------------------


def _get(address: str, host: str = "intervision.test") -> tuple[int, dict[str, str], str]:
    """One GET through the route, as the web server would make it, for a calendar program that asked `host`."""
    app = Starlette(routes=calendar_routes.routes)
    path = "/" + address.split("/", 3)[3]
    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"host", host.encode())],
        "scheme": "https",
        "server": (host, 443),
        "root_path": "",
        "http_version": "1.1",
    }
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = next(message for message in sent if message["type"] == "http.response.start")
    body = b"".join(message.get("body", b"") for message in sent if message["type"] == "http.response.body")
    headers = {name.decode(): value.decode() for name, value in start["headers"]}
    return start["status"], headers, body.decode()


@pytest.fixture
def routed(team, monkeypatch, mail_server):
    monkeypatch.setattr(calendar_routes, "configured_database", lambda: team["path"])
    return team


def test_the_feed_holds_the_groups_sessions_with_the_invitations_uids_and_no_case(routed):
    team, path = routed, routed["path"]
    _submit_case(team, team["anna"])
    now = path.clock.now()  # the route reads the store's clock: the sessions lie around it
    coming = _plan(team, starts_at=now + timedelta(days=3), now=now)
    called_off = _plan(team, starts_at=now + timedelta(days=10), now=now)
    groups.cancel_session(path, team["lotte"], called_off, now=now)
    with db.writing(path) as conn:
        held = store.add_meeting(conn, team["group_id"], now - timedelta(days=30), 90, MeetingStatus.HELD)
        store.add_meeting(conn, team["group_id"], now - timedelta(days=400), 90, MeetingStatus.HELD)

    address = session_calendar.group_feed_address(path, team["bert"], team["group_id"])
    assert address.startswith("https://intervision.test/_intervision/calendar/") and address.endswith(".ics")
    token = address.rsplit("/", 1)[1].removesuffix(".ics")
    assert len(token) >= 43  # 32 random bytes
    assert session_calendar.group_feed_address(path, team["anna"], team["group_id"]) == address

    status, headers, body = _get(address)
    assert status == 200 and headers["content-type"].startswith("text/calendar")
    feed = Calendar.from_ical(body)
    events = {str(event["UID"]): event for event in feed.walk("VEVENT")}
    assert set(events) == {session_calendar.meeting_uid(i) for i in (coming, called_off, held)}
    assert events[session_calendar.meeting_uid(called_off)]["STATUS"] == "CANCELLED"
    assert events[session_calendar.meeting_uid(called_off)]["SEQUENCE"] == 1
    assert events[session_calendar.meeting_uid(coming)]["STATUS"] == "CONFIRMED"
    assert str(events[session_calendar.meeting_uid(coming)]["SUMMARY"]) == "Intervisie: Team Noord"
    assert SECRET_TITLE not in body and SECRET_SITUATION not in body


def test_a_renewed_feed_answers_404_at_its_old_address_and_an_unknown_token_learns_nothing(routed, coordinator):
    team, path = routed, routed["path"]
    old = session_calendar.group_feed_address(path, team["anna"], team["group_id"])
    assert _get(old)[0] == 200

    with pytest.raises(NotAllowed):
        session_calendar.renew_feed(path, team["anna"], team["group_id"])  # a member may not
    session_calendar.renew_feed(path, team["lotte"], team["group_id"], now=NOW)
    new = session_calendar.group_feed_address(path, team["anna"], team["group_id"])
    assert new != old
    assert _get(new)[0] == 200
    gone = _get(old)
    unknown = _get(old.rsplit("/", 1)[0] + "/" + "A" * 43 + ".ics")
    assert gone[0] == unknown[0] == 404
    assert gone[2] == unknown[2] == "Not Found"  # the same bare answer: renewed or never there

    # A coordinator may renew it (someone left, it leaked), but never gets the address.
    session_calendar.renew_feed(path, coordinator, team["group_id"], now=NOW)
    assert _get(new)[0] == 404
    with pytest.raises(NotAllowed):
        session_calendar.group_feed_address(path, coordinator, team["group_id"])


def test_without_a_public_address_the_feeds_links_lead_where_the_feed_was_fetched(routed, monkeypatch):
    team, path = routed, routed["path"]
    now = path.clock.now()
    _plan(team, starts_at=now + timedelta(days=3), now=now)
    address = session_calendar.group_feed_address(path, team["bert"], team["group_id"])
    assert _get(address)[2].count("https://intervision.test/groups") == 1  # the public address, when set
    monkeypatch.delenv("INTERVISION_PUBLIC_URL")
    monkeypatch.setattr("intervision.mail.settings._secrets_files", lambda: [])
    body = _get(address, host="intervisie.zorg.example")[2]
    [event] = Calendar.from_ical(body).walk("VEVENT")
    assert str(event["URL"]) == "https://intervisie.zorg.example/groups"


def test_a_new_length_at_the_same_time_is_called_a_change_not_a_move(team, mail_server):
    path = team["path"]
    meeting_id = _plan(team)
    meeting = groups.planned_sessions(path, team["lotte"], team["group_id"], now=NOW)[0]
    assert meeting.id == meeting_id
    changed = groups.reschedule_session(
        path, team["lotte"], meeting_id, SessionChangeInput(starts_at=meeting.starts_at, minutes=60), now=NOW
    )
    assert changed == "changed"
    deliver_due_mail(path, NOW)
    subjects = {mail.subject.split(":")[0] for mail in mail_server.arrived}
    assert "Bijeenkomst gewijzigd" in subjects and "Bijeenkomst verzet" not in subjects
