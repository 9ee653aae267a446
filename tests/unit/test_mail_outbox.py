"""The outbox: a mail is queued with what it reports, delivered to a real SMTP server, retried while the
server is down, given up visibly after a day, and kept as "not sent" when no server is set up."""

from __future__ import annotations

from datetime import timedelta

import pytest
from unit_support import NOW

from intervision.errors import DomainError, NotAllowed
from intervision.mail import choices
from intervision.mail.compose import write_mail
from intervision.mail.models import FailureReason, Mail, MailKind, MailStatus, failure_reason
from intervision.mail.outbox import deliver_due_mail, queue, retry_delay
from intervision.models import Language, Role
from intervision.store import mail as outbox_store


@pytest.fixture
def no_mail_server(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("INTERVISION_SMTP_HOST", "INTERVISION_SMTP_PORT", "INTERVISION_SMTP_TLS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("intervision.mail.settings._secrets_files", lambda: [])


def _reminder(person, key: str | None = None, kind: MailKind = MailKind.SESSION_REMINDER) -> Mail:
    """A mail as a feature would write it (its words are the feature's: these tests are about the queue)."""
    return Mail(
        kind=kind,
        to_address=person.email,
        language=Language.EN,
        subject="Tomorrow: Team North meets",
        body=f"Hello {person.name},\n\nTeam North meets tomorrow.",
        person_id=person.id,
        dedupe_key=key,
    )


def _queue(path, mail, now=NOW):
    with path.writing() as db:
        return queue(db, mail, now)


def _status(path, mail_id):
    with path.reading() as db:
        return outbox_store.queued_mail(db, mail_id)


def test_a_queued_mail_arrives_at_the_mail_server_with_a_link_to_the_mail_choices(path, make_person, mail_server):
    anna = make_person("Anna Jansen")
    mail_id = _queue(path, _reminder(anna))
    done = deliver_due_mail(path, NOW)
    assert done.sent == [mail_id]
    [arrived] = mail_server.wait_for(1)
    assert arrived.envelope_to == [anna.email]
    assert "Anna Jansen" in arrived.text
    assert arrived.message["Auto-Submitted"] == "auto-generated"
    assert _status(path, mail_id).status is MailStatus.SENT


def test_a_mail_is_sent_once_even_when_two_rounds_run(path, make_person, mail_server):
    anna = make_person("Anna Jansen")
    _queue(path, _reminder(anna))
    deliver_due_mail(path, NOW)
    deliver_due_mail(path, NOW + timedelta(minutes=5))
    assert len(mail_server.wait_for(1)) == 1


def test_the_same_reminder_is_queued_once(path, make_person):
    anna = make_person("Anna Jansen")
    assert _queue(path, _reminder(anna, key="reminder:1:anna")) is not None
    assert _queue(path, _reminder(anna, key="reminder:1:anna")) is None


def test_nothing_is_lost_while_the_mail_server_is_down(path, make_person, mail_server):
    anna, bert = make_person("Anna Jansen"), make_person("Bert de Vries")
    first, second = _queue(path, _reminder(anna)), _queue(path, _reminder(bert))
    mail_server.stop()
    done = deliver_due_mail(path, NOW)
    assert sorted(done.retrying) == sorted([first, second])
    waiting = _status(path, first)
    assert waiting.status is MailStatus.QUEUED and waiting.last_error
    assert waiting.next_attempt_at == NOW + retry_delay(1)
    # Not due yet: a round in between leaves it alone.
    assert deliver_due_mail(path, NOW + timedelta(seconds=30)).retrying == []
    mail_server.start()
    done = deliver_due_mail(path, NOW + timedelta(minutes=2))
    assert sorted(done.sent) == sorted([first, second])
    assert {mail.envelope_to[0] for mail in mail_server.wait_for(2)} == {anna.email, bert.email}


def test_retries_wait_longer_each_time_up_to_an_hour():
    assert [retry_delay(n) for n in (1, 2, 3, 4)] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert retry_delay(30) == timedelta(hours=1)


def test_a_mail_still_not_accepted_after_a_day_fails_visibly(path, make_person, coordinator, mail_server):
    anna = make_person("Anna Jansen")
    mail_id = _queue(path, _reminder(anna))
    mail_server.stop()
    deliver_due_mail(path, NOW)
    done = deliver_due_mail(path, NOW + timedelta(days=1, minutes=1))
    assert done.failed == [mail_id]
    overview = choices.outbox_overview(path, coordinator, NOW + timedelta(days=1, minutes=2))
    [line] = [line for line in overview.lines if line.id == mail_id]
    assert line.status is MailStatus.FAILED and line.to_address == anna.email and line.error
    # Sent again by the coordinator once the server is back: another day of attempts.
    mail_server.start()
    choices.send_again(path, coordinator, mail_id, NOW + timedelta(days=1, minutes=3))
    assert deliver_due_mail(path, NOW + timedelta(days=1, minutes=3)).sent == [mail_id]


def test_an_unknown_address_fails_at_once_without_a_day_of_retries(path, make_person, mail_server):
    anna = make_person("Anna Jansen")
    mail_server.collector.refuse.add(anna.email)
    mail_id = _queue(path, _reminder(anna))
    assert deliver_due_mail(path, NOW).failed == [mail_id]
    assert "550" in _status(path, mail_id).last_error


def test_a_one_time_link_is_blanked_once_sent(path, make_person, mail_server):
    anna = make_person("Anna Jansen")
    mail = _reminder(anna).model_copy(update={"secret": True, "body": "https://intervision.test/reset?token=abc"})
    mail_id = _queue(path, mail)
    deliver_due_mail(path, NOW)
    assert "token=abc" in mail_server.wait_for(1)[0].text
    assert _status(path, mail_id).body == ""


def test_without_a_mail_server_a_mail_is_kept_as_not_sent_and_shows_where_it_would_have_gone(
    path, make_person, coordinator, no_mail_server
):
    anna = make_person("Anna Jansen")
    mail_id = _queue(path, _reminder(anna))
    assert deliver_due_mail(path, NOW).not_sent == [mail_id]
    overview = choices.outbox_overview(path, coordinator, NOW)
    assert not overview.configured
    assert [(line.to_address, line.status) for line in overview.lines] == [(anna.email, MailStatus.NOT_SENT)]


def test_a_person_who_turned_a_kind_off_gets_none_of_it(path, make_person):
    anna = make_person("Anna Jansen")
    choices.choose_mails(path, anna, {MailKind.SESSION_REMINDER: False})
    assert choices.mail_choices(path, anna)[MailKind.SESSION_REMINDER] is False
    assert choices.mail_choices(path, anna)[MailKind.SURVEY_OPENED] is True
    assert _queue(path, _reminder(anna)) is None
    assert _queue(path, _reminder(anna, kind=MailKind.SURVEY_OPENED)) is not None


def test_mails_about_ones_own_account_cannot_be_turned_off(path, make_person):
    anna = make_person("Anna Jansen")
    with pytest.raises(DomainError):
        choices.choose_mails(path, anna, {MailKind.PASSWORD_RESET: False})


def test_only_coordinators_see_the_outbox_and_never_a_mails_text(path, make_person, coordinator, no_mail_server):
    anna = make_person("Anna Jansen")
    facilitator = make_person("Fenna Facilitator", Role.FACILITATOR)
    with pytest.raises(NotAllowed):
        choices.outbox_overview(path, facilitator, NOW)
    with pytest.raises(NotAllowed):
        choices.outbox_overview(path, anna, NOW)
    _queue(path, _reminder(anna))
    line = choices.outbox_overview(path, coordinator, NOW).lines[0]
    assert not hasattr(line, "body") and not hasattr(line, "subject")


def test_a_coordinator_does_not_see_who_got_a_survey_reminder(path, make_person, coordinator, no_mail_server):
    anna = make_person("Anna Jansen")
    _queue(path, _reminder(anna, kind=MailKind.SURVEY_REMINDER))
    [line] = choices.outbox_overview(path, coordinator, NOW).lines
    assert line.to_address is None


@pytest.mark.parametrize("language", list(Language))
def test_every_mail_greets_its_reader_and_links_to_their_mail_choices(language, mail_server):
    mail = write_mail(MailKind.SURVEY_OPENED, language, "anna@example.org", name="Anna Jansen", person_id=1, **_SURVEY)
    greeting = {Language.NL: "Beste Anna Jansen,", Language.EN: "Hello Anna Jansen,"}[language]
    assert mail.body.startswith(greeting)
    assert mail.body.rstrip().endswith("https://intervision.test/profile")


def test_a_mail_to_an_address_without_an_account_offers_no_profile_to_choose_on(mail_server):
    invitation = {
        "inviter": "Cora",
        "group": "Team North",
        "role": "member",
        "link": "https://x",
        "code": "A",
        "days": 7,
    }
    mail = write_mail(MailKind.INVITATION, Language.NL, "nieuw@voorbeeld.nl", **invitation)
    assert "/profile" not in mail.body
    assert mail.body.rstrip().endswith("Zonder account krijg je verder geen mail van ons.")


_SURVEY = {"group": "Team North", "closes": "13 March 2025", "link": "https://intervision.test/surveys"}


def test_a_subject_never_carries_a_line_break_into_the_headers(path, make_person, mail_server):
    anna = make_person("Anna Jansen")
    typed = {**_SURVEY, "group": "Team\r\nBcc: everyone@example.org"}
    mail = write_mail(MailKind.SURVEY_OPENED, Language.EN, anna.email, name=anna.name, **typed)
    _queue(path, mail)
    deliver_due_mail(path, NOW)
    [arrived] = mail_server.wait_for(1)
    assert arrived.message["Bcc"] is None and arrived.envelope_to == [anna.email]


def test_an_erased_person_leaves_no_mail_behind(path, make_person, coordinator):
    from intervision.personal_data import erase_person

    anna = make_person("Anna Jansen")
    _queue(path, _reminder(anna))
    erase_person(path, coordinator, anna.id, NOW)
    with path.reading() as db:
        assert outbox_store.mails_to_person(db, anna.id) == []


def test_my_export_lists_the_mails_sent_to_me_without_their_text_and_my_choices(path, make_person, mail_server):
    import json

    from intervision.personal_data import export_my_data

    anna = make_person("Anna Jansen")
    mail = _reminder(anna).model_copy(update={"secret": True, "body": "https://intervision.test/reset?token=abc"})
    _queue(path, mail)
    deliver_due_mail(path, NOW)
    choices.choose_mails(path, anna, {MailKind.SURVEY_REMINDER: False})
    exported = json.loads(export_my_data(path, anna))
    assert [(m["kind"], m["subject"], m["status"]) for m in exported["mails_to_me"]] == [
        ("session_reminder", "Tomorrow: Team North meets", "sent")
    ]
    assert "token=abc" not in json.dumps(exported)
    assert exported["mail_choices"] == {"survey_reminder": False}


def test_a_sent_mail_is_forgotten_after_ninety_days_a_queued_one_never(path, make_person, mail_server):
    from intervision.mail.rounds import mail_round

    anna, bert = make_person("Anna Jansen"), make_person("Bert de Vries")
    sent = _queue(path, _reminder(anna))
    deliver_due_mail(path, NOW)
    mail_server.stop()
    waiting = _queue(path, _reminder(bert), now=NOW + timedelta(days=91))
    mail_round(path, NOW + timedelta(days=91))
    assert _status(path, sent) is None
    assert _status(path, waiting).status is MailStatus.QUEUED


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ("ConnectionRefusedError: [Errno 111] Connection refused", FailureReason.UNREACHABLE),
        ("TimeoutError: timed out", FailureReason.UNREACHABLE),
        ("gaierror: [Errno -2] Name or service not known", FailureReason.UNREACHABLE),
        ("SMTPServerDisconnected: Connection unexpectedly closed", FailureReason.UNREACHABLE),
        ("535 5.7.8 Authentication credentials invalid", FailureReason.LOGIN),
        ("SSLCertVerificationError: certificate verify failed", FailureReason.TLS),
        ("451 4.3.0 Try again later", FailureReason.BUSY),
        ("550 5.1.1 No such user", FailureReason.REFUSED),
        ("ValueError: something odd", FailureReason.OTHER),
    ],
)
def test_a_failed_attempt_is_given_a_reason_a_coordinator_can_act_on(answer, reason):
    assert failure_reason(answer) is reason
