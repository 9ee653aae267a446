"""Reminder mails, read as they arrive at a real SMTP server: a survey opened and its one reminder, an action
item coming due, the follow-up question before the next session, and the session report the facilitator
chooses to send. Team North has a Dutch member (Anna) and English ones; no mail holds what the group keeps
confidential."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from unit_support import NOW, at

from intervision import cases, db, live, shared_reports, store, surveys
from intervision.errors import DomainError, NotAllowed
from intervision.mail.outbox import deliver_due_mail
from intervision.mail.rounds import mail_round
from intervision.models import (
    ActionItemInput,
    BoardItemInput,
    CaseInput,
    Language,
    MeetingStatus,
    ObservationDetailsInput,
    Person,
    QuestionType,
    Role,
    SessionRole,
    StartSessionInput,
    Want,
)
from intervision.reminders import closing_moment
from intervision.reports import session_report_markdown

SECRET = "ZEERGEHEIM-4471"  # put in every confidential text: it must reach no mail
INSTRUMENT = "psychological_safety"


@dataclass(frozen=True)
class Team:
    path: object
    coordinator: Person
    lead: Person
    anna: Person  # Dutch; brings the case
    ben: Person
    chris: Person
    outsider: Person
    group_id: int


@pytest.fixture
def team(path, coordinator, make_person, make_group) -> Team:
    lead = make_person("Fenna Facilitator", Role.FACILITATOR)
    anna, ben, chris = (make_person(f"{name} Member") for name in ("Anna", "Ben", "Chris"))
    outsider = make_person("Olga Outsider")
    group_id = make_group("Team North", facilitators=(lead,), members=(anna, ben, chris))
    with db.writing(path) as conn:
        store.set_language(conn, anna.id, Language.NL)
    return Team(path, coordinator, lead, anna, ben, chris, outsider, group_id)


def _revision(team: Team, session_id: int) -> int:
    with db.reading(team.path) as conn:
        return store.live_session(conn, session_id).revision


def _held_session(team: Team, with_case: bool = True) -> int:
    """A closed incident session with the secret in its case, board, action item and observation note."""
    case_id = None
    if with_case:
        form = CaseInput(
            group_id=team.group_id,
            title=f"Een ouder die elke week mailt {SECRET}",
            situation=f"Een ouder mailt wekelijks lange berichten en zet de directie in de cc. {SECRET}",
            learning_question="Hoe kan ik grenzen stellen en toch in contact blijven?",
            question_type=QuestionType.OWN_BEHAVIOUR,
            wants=[Want.ADVICE],
            anonymised=True,
        )
        case_id = cases.submit_case(team.path, team.anna, form, now=NOW)
    roles = {SessionRole.CASE_BRINGER: [team.anna.id]} if with_case else {}
    start = StartSessionInput(group_id=team.group_id, method_id="incident", case_id=case_id, roles=roles)
    session_id = live.start_session(team.path, team.lead, start, now=at(0))
    live.begin_phases(team.path, team.lead, session_id, _revision(team, session_id), now=at(1))
    for minute in (2, 3):  # past choosing and explaining, to the information round
        live.move(team.path, team.lead, session_id, _revision(team, session_id), 1, now=at(minute))
    live.send_to_board(team.path, team.ben, session_id, BoardItemInput(kind="question", text=f"Vraag {SECRET}"), at(4))
    noted = live.observe(team.path, team.lead, session_id, "interaction", now=at(5))
    live.describe_observation(
        team.path,
        team.lead,
        session_id,
        noted,
        ObservationDetailsInput(category="member_dropping_out", concerns="member", note=f"Notitie {SECRET}"),
    )
    for minute in range(6, 10):
        live.move(team.path, team.lead, session_id, _revision(team, session_id), 1, now=at(minute))
    item = live.add_action_item(
        team.path,
        team.lead,
        session_id,
        ActionItemInput(text=f"Anna belt de ouder {SECRET}", owner_id=team.anna.id, due_date=date(2025, 3, 20)),
    )
    live.confirm_action_item(team.path, team.lead, session_id, item, True)
    # Ben's item is not confirmed: nobody agreed to it, so nobody is reminded of it.
    live.add_action_item(
        team.path,
        team.lead,
        session_id,
        ActionItemInput(text=f"Ben leest na {SECRET}", owner_id=team.ben.id, due_date=date(2025, 3, 20)),
    )
    live.close_session(team.path, team.lead, session_id, _revision(team, session_id), now=at(60))
    return session_id


def _plan_session(team: Team, starts_at) -> int:
    with db.writing(team.path) as conn:
        return store.add_meeting(conn, team.group_id, starts_at, 90, MeetingStatus.PLANNED)


def _kinds_to(mail_server, person: Person) -> list[str]:
    return [mail.subject for mail in mail_server.to(person.email)]


# --- surveys ---------------------------------------------------------------------------------------


def test_opening_a_wave_mails_every_member_in_their_language_with_its_last_day(team, mail_server):
    surveys.open_wave(team.path, team.lead, team.group_id, INSTRUMENT, "start", now=NOW, closes_on=date(2025, 3, 26))
    deliver_due_mail(team.path, NOW)
    arrived = mail_server.wait_for(3)
    assert sorted(address for mail in arrived for address in mail.envelope_to) == sorted(
        [team.anna.email, team.ben.email, team.chris.email]
    )  # the members who answer; not the facilitator
    [dutch] = mail_server.to(team.anna.email)
    assert dutch.subject == "Er staat een vragenlijst klaar voor Team North"
    assert "tot en met 26 maart 2025" in dutch.text and "https://intervision.test/surveys" in dutch.text
    assert dutch.text.startswith("Beste Anna Member,")
    [english] = mail_server.to(team.ben.email)
    assert english.subject == "A survey for Team North is open"
    assert "open until 26 March 2025" in english.text and "https://intervision.test/surveys" in english.text


def test_a_wave_is_open_two_weeks_unless_the_facilitator_chooses_a_day(team):
    wave_id = surveys.open_wave(team.path, team.lead, team.group_id, INSTRUMENT, "start", now=NOW)
    [wave] = surveys.waves(team.path, team.lead, team.group_id)
    assert wave.id == wave_id and wave.closes_at == closing_moment(NOW.astimezone().date() + timedelta(days=14))
    with pytest.raises(DomainError) as refused:
        surveys.open_wave(
            team.path, team.lead, team.group_id, INSTRUMENT, "start", now=NOW, closes_on=NOW.date() - timedelta(days=1)
        )
    assert refused.value.field == "closes_on"


def test_the_survey_reminder_goes_once_and_only_to_those_who_have_not_answered(team, mail_server):
    last_day = date(2025, 3, 20)
    wave_id = surveys.open_wave(team.path, team.lead, team.group_id, INSTRUMENT, "start", now=NOW, closes_on=last_day)
    instrument = surveys.instruments(team.path)[INSTRUMENT]
    surveys.answer(team.path, team.ben, wave_id, {instrument.items[0].id: 5}, now=NOW + timedelta(days=1))
    closes_at = closing_moment(last_day)

    mail_round(team.path, closes_at - timedelta(days=3))  # not yet: only the three "opened" mails
    mail_server.wait_for(3)
    mail_round(team.path, closes_at - timedelta(days=1, hours=20))
    mail_round(team.path, closes_at - timedelta(days=1))  # a later round writes no second reminder
    arrived = mail_server.wait_for(5)
    reminders = [mail for mail in arrived if mail.subject.startswith(("Still open", "Nog open"))]
    assert len(arrived) == 5
    assert sorted(mail.envelope_to[0] for mail in reminders) == sorted([team.anna.email, team.chris.email])
    [dutch] = [mail for mail in reminders if mail.envelope_to == [team.anna.email]]
    assert dutch.subject == "Nog open tot en met 20 maart 2025: de vragenlijst van Team North"
    [english] = [mail for mail in reminders if mail.envelope_to == [team.chris.email]]
    assert "you have not answered it yet" in english.text
    # It says nothing about anyone else: no name, no count of who answered.
    for mail in reminders:
        assert "Ben" not in mail.text and "1 of" not in mail.text and "1 van" not in mail.text


def test_a_member_who_turned_survey_reminders_off_gets_none(team, mail_server):
    from intervision.mail import choices
    from intervision.mail.models import MailKind

    choices.choose_mails(team.path, team.anna, {MailKind.SURVEY_REMINDER: False})
    last_day = date(2025, 3, 20)
    surveys.open_wave(team.path, team.lead, team.group_id, INSTRUMENT, "start", now=NOW, closes_on=last_day)
    mail_round(team.path, closing_moment(last_day) - timedelta(days=1))
    arrived = mail_server.wait_for(5)  # three "opened", and reminders to Ben and Chris
    assert len(arrived) == 5
    assert [mail.subject for mail in mail_server.to(team.anna.email)] == [
        "Er staat een vragenlijst klaar voor Team North"
    ]


def test_a_wave_closes_itself_once_its_last_day_has_passed(team, no_mail_server):
    last_day = date(2025, 3, 20)
    wave_id = surveys.open_wave(team.path, team.lead, team.group_id, INSTRUMENT, "start", now=NOW, closes_on=last_day)
    mail_round(team.path, closing_moment(last_day) - timedelta(minutes=1))
    assert surveys.waves(team.path, team.lead, team.group_id)[0].is_open
    mail_round(team.path, closing_moment(last_day) + timedelta(minutes=1))
    [wave] = surveys.waves(team.path, team.lead, team.group_id)
    assert wave.id == wave_id and not wave.is_open


# --- action items and the follow-up question ---------------------------------------------------------


def test_an_action_item_is_reminded_once_to_its_owner_only_without_its_text(team, mail_server):
    _held_session(team, with_case=False)  # Anna's confirmed item and Ben's unconfirmed one are due 20 March
    mail_round(team.path, NOW + timedelta(days=3))  # 15 March: five days ahead, too early
    mail_round(team.path, NOW + timedelta(days=6))  # 18 March: two days ahead
    mail_round(team.path, NOW + timedelta(days=7))  # 19 March: no second one
    [reminder] = mail_server.wait_for(1)
    assert reminder.envelope_to == [team.anna.email]
    assert reminder.subject == "Je actiepunt in Team North: uiterlijk 20 maart 2025"
    assert "https://intervision.test/reports" in reminder.text
    assert SECRET not in reminder.raw and "belt de ouder" not in reminder.raw
    assert len(mail_server.arrived) == 1


def test_a_done_action_item_is_not_reminded(team, mail_server):
    session_id = _held_session(team, with_case=False)
    [item, _] = live.action_items(team.path, team.lead, session_id)
    live.set_action_item_done(team.path, team.lead, session_id, item.id, True)
    mail_round(team.path, NOW + timedelta(days=6))
    assert mail_server.arrived == []


def test_the_case_bringer_is_asked_how_it_went_before_the_next_session_once(team, mail_server):
    _held_session(team)
    next_session = _plan_session(team, NOW + timedelta(days=14))
    mail_round(team.path, NOW + timedelta(days=1))  # the next session is too far off
    mail_round(team.path, NOW + timedelta(days=12))
    mail_round(team.path, NOW + timedelta(days=13))
    arrived = [mail for mail in mail_server.wait_for(1) if "casus" in mail.subject]
    assert len(arrived) == 1
    [question] = arrived
    assert question.envelope_to == [team.anna.email]
    assert question.subject == "Hoe is het gegaan met je casus in Team North?"
    assert "26 maart 2025" in question.text and "https://intervision.test/cases" in question.text
    assert SECRET not in question.raw and "ouder" not in question.raw
    assert next_session


def test_a_case_already_followed_up_is_not_asked_about(team, mail_server):
    from intervision.models import FollowUpInput

    _held_session(team)
    [case] = cases.follow_ups_waiting(team.path, team.anna)
    cases.follow_up(team.path, team.anna, case.id, FollowUpInput(text="Het ging goed."), now=NOW + timedelta(days=2))
    _plan_session(team, NOW + timedelta(days=14))
    mail_round(team.path, NOW + timedelta(days=12))
    assert [mail for mail in mail_server.arrived if "case" in mail.subject or "casus" in mail.subject] == []


# --- the session report --------------------------------------------------------------------------------


def test_the_report_is_mailed_only_when_the_facilitator_sends_it_and_once(team, mail_server):
    session_id = _held_session(team, with_case=False)
    mail_round(team.path, at(90))
    assert not [mail for mail in mail_server.arrived if "report" in mail.subject or "verslag" in mail.subject]
    assert shared_reports.shared_at(team.path, team.lead, session_id) is None
    with pytest.raises(NotAllowed):
        shared_reports.shared_report(team.path, team.ben, session_id, Language.EN)

    assert shared_reports.share_with_group(team.path, team.lead, session_id, now=at(95)) == 3
    assert shared_reports.shared_at(team.path, team.lead, session_id) == at(95)
    with pytest.raises(DomainError):
        shared_reports.share_with_group(team.path, team.lead, session_id, now=at(96))
    deliver_due_mail(team.path, at(96))
    arrived = mail_server.wait_for(3)
    assert sorted(mail.envelope_to[0] for mail in arrived) == sorted(
        [team.anna.email, team.ben.email, team.chris.email]
    )
    [dutch] = mail_server.to(team.anna.email)
    assert dutch.subject == "Het verslag van de bijeenkomst van Team North staat klaar"
    assert "https://intervision.test/reports" in dutch.text
    for mail in arrived:
        assert SECRET not in mail.raw and "Vraag" not in mail.raw and "Notitie" not in mail.raw


def test_only_the_groups_facilitator_sends_the_report_and_only_after_closing(team, no_mail_server):
    session_id = _held_session(team, with_case=False)
    for person in (team.ben, team.coordinator, team.outsider):
        with pytest.raises(NotAllowed):
            shared_reports.share_with_group(team.path, person, session_id, now=at(95))
    start = StartSessionInput(group_id=team.group_id, method_id="incident")
    running = live.start_session(team.path, team.lead, start, now=at(100))
    with pytest.raises(DomainError) as refused:
        shared_reports.share_with_group(team.path, team.lead, running, now=at(105))
    assert refused.value.key == "report_mail.not_closed"


def test_the_group_reads_the_shared_report_without_the_observation_log_and_outsiders_do_not(team, no_mail_server):
    session_id = _held_session(team, with_case=False)
    shared_reports.share_with_group(team.path, team.lead, session_id, now=at(95))
    report = shared_reports.shared_report(team.path, team.ben, session_id, Language.EN)
    assert report.observations is None and report.balance is None
    markdown = session_report_markdown(report, Language.EN)
    assert f"Vraag {SECRET}" in markdown  # the board, as the group saw it
    assert "Notitie" not in markdown and "Who corrected the course" not in markdown
    assert [entry.session_id for entry in shared_reports.readable_reports(team.path, team.anna)] == [session_id]
    for person in (team.coordinator, team.outsider):
        assert shared_reports.readable_reports(team.path, person) == []
        with pytest.raises(NotAllowed):
            shared_reports.shared_report(team.path, person, session_id, Language.EN)


def test_the_facilitators_export_names_the_reports_they_sent_and_erasing_them_keeps_the_report_shared(
    team, no_mail_server
):
    import json

    from intervision.personal_data import erase_person, export_my_data

    session_id = _held_session(team, with_case=False)
    shared_reports.share_with_group(team.path, team.lead, session_id, now=at(95))
    exported = json.loads(export_my_data(team.path, team.lead))
    assert exported["session_reports_sent"] == [{"live_session_id": session_id, "shared_at": at(95).isoformat()}]
    assert json.loads(export_my_data(team.path, team.ben))["session_reports_sent"] == []
    erase_person(team.path, team.coordinator, team.lead.id, at(100))
    assert [entry.session_id for entry in shared_reports.readable_reports(team.path, team.ben)] == [session_id]


def test_the_owner_finds_their_action_items_where_the_reminder_links(team, no_mail_server):
    _held_session(team, with_case=False)
    [mine] = shared_reports.my_action_items(team.path, team.anna)
    assert (mine.group_name, mine.due_date) == ("Team North", date(2025, 3, 20))
    assert shared_reports.my_action_items(team.path, team.ben) == []  # not confirmed: not agreed


# --- nothing confidential in any mail ------------------------------------------------------------------


def test_no_case_board_action_item_observation_or_answer_text_reaches_any_mail(team, mail_server):
    session_id = _held_session(team)
    wave_id = surveys.open_wave(
        team.path, team.lead, team.group_id, INSTRUMENT, "start", now=at(70), closes_on=date(2025, 3, 20)
    )
    instrument = surveys.instruments(team.path)[INSTRUMENT]
    surveys.answer(team.path, team.ben, wave_id, {item.id: instrument.highest for item in instrument.items}, now=at(80))
    shared_reports.share_with_group(team.path, team.lead, session_id, now=at(90))
    _plan_session(team, NOW + timedelta(days=8))
    for days in (1, 5, 6, 7):
        mail_round(team.path, NOW + timedelta(days=days))
    # 3 opened, 3 reports, 2 survey reminders, 1 action item, 1 follow-up question, and the day-before reminder
    # of the planned session to each of its 4 people
    arrived = mail_server.wait_for(14)
    assert len(arrived) == 14
    for mail in arrived:
        # Decoded as a reader sees them: a calendar part may travel base64-encoded.
        for seen in (mail.raw, mail.subject, mail.text, mail.calendar or ""):
            assert SECRET not in seen
            assert "ouder" not in seen  # the case title's and the action item's words


@pytest.fixture
def no_mail_server(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("INTERVISION_SMTP_HOST", "INTERVISION_SMTP_PORT", "INTERVISION_SMTP_TLS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("intervision.mail.settings._secrets_files", lambda: [])
