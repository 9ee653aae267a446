"""The mail screens: each person's choice of mails on their profile, and what coordinators see of the outbox
(People → Mail): where mails went or would have gone, what failed, never what a mail said."""

from __future__ import annotations

from datetime import timedelta

import pytest
from driving import app, assert_healthy, click, fill, open_as, open_page, texts

from intervision import clock, demo
from intervision.database import configured as configured_database
from intervision.mail import choices
from intervision.mail.models import Mail, MailKind
from intervision.mail.outbox import deliver_due_mail, queue
from intervision.models import Language
from ui import guard


@pytest.fixture(autouse=True)
def no_mail_server(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("INTERVISION_SMTP_HOST", "INTERVISION_SMTP_PORT", "INTERVISION_SMTP_TLS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("intervision.mail.settings._secrets_files", lambda: [])


def _queue(person, kind: MailKind, body: str = "Team North meets tomorrow.") -> int:
    mail = Mail(
        kind=kind,
        to_address=person.email,
        language=Language.EN,
        subject="A subject",
        body=body,
        person_id=person.id,
    )
    with configured_database().writing() as db:
        return queue(db, mail, clock.utcnow() - timedelta(minutes=1))


def test_my_profile_lists_every_kind_of_mail_i_may_turn_off(people):
    at = open_as(people.participant, "pages/profile.py")
    boxes = {box.label: box.value for box in at.checkbox}
    assert boxes["A reminder the day before a session"] is True
    assert boxes["A reminder before a survey closes, if you have not answered"] is True
    assert "A link to set a new password" not in boxes  # about my own account: always sent
    assert "No mail server is set up" in texts(at)


def test_turning_a_kind_of_mail_off_is_kept(people):
    at = open_as(people.participant, "pages/profile.py")
    at.checkbox(key="mail_choices.session_reminder").uncheck()
    click(at, "Save my choice of mails")
    assert_healthy(at)
    assert "Your choice of mails is saved." in texts(at)
    kept = choices.mail_choices(configured_database(), people.participant)
    assert kept[MailKind.SESSION_REMINDER] is False and kept[MailKind.SURVEY_OPENED] is True
    again = open_as(people.participant, "pages/profile.py")
    assert again.checkbox(key="mail_choices.session_reminder").value is False


def test_the_mail_choices_in_dutch(people):
    at = open_as(people.participant, "pages/profile.py", language="nl")
    assert "Mails die je krijgt" in [header.value for header in at.subheader]
    assert "Een herinnering de dag voor een bijeenkomst" in {box.label for box in at.checkbox}


def test_a_coordinator_sees_where_mails_would_have_gone_without_a_mail_server(people):
    _queue(people.participant, MailKind.SESSION_REMINDER, body="CONFIDENTIAL-BODY")
    deliver_due_mail(configured_database())
    at = open_as(people.coordinator, "pages/people.py")
    shown = texts(at)
    assert "No mail server is set up" in shown
    frame = at.dataframe[-1].value
    assert list(frame["To"]) == [people.participant.email]
    assert list(frame["Status"]) == ["Not sent (no mail server set up)"]
    assert "CONFIDENTIAL-BODY" not in shown and "CONFIDENTIAL-BODY" not in frame.to_string()


def test_a_coordinator_does_not_see_who_was_reminded_of_a_survey(people):
    _queue(people.participant, MailKind.SURVEY_REMINDER)
    at = open_as(people.coordinator, "pages/people.py")
    frame = at.dataframe[-1].value
    assert people.participant.email not in frame.to_string()


def test_a_failed_mail_can_be_sent_again(people, mail_server):
    mail_server.collector.refuse.add(people.participant.email)
    mail_id = _queue(people.participant, MailKind.SESSION_REMINDER)
    deliver_due_mail(configured_database())
    at = open_as(people.coordinator, "pages/people.py")
    assert "Failed" in list(at.dataframe[-1].value["Status"])
    assert "550" in at.dataframe[-1].value.to_string()
    assert list(at.dataframe[-1].value["Reason"]) == ["Refused by the mail server"]
    assert list(at.dataframe[-1].value["Kind"]) == ["Session reminder"]
    at.selectbox(key="outbox.mail_id").set_value(mail_id)
    click(at, "Send again")
    assert_healthy(at)
    assert "The mail is back in the queue." in texts(at)
    mail_server.collector.refuse.clear()
    assert deliver_due_mail(configured_database()).sent == [mail_id]
    assert mail_server.wait_for(1)[0].envelope_to == [people.participant.email]


def test_the_outbox_in_dutch(people):
    _queue(people.participant, MailKind.SESSION_REMINDER)
    deliver_due_mail(configured_database())
    at = open_as(people.coordinator, "pages/people.py", language="nl")
    assert "Er is geen mailserver ingesteld" in texts(at)
    assert list(at.dataframe[-1].value["Status"]) == ["Niet verzonden (geen mailserver ingesteld)"]


@pytest.mark.parametrize(
    ("page", "title", "promise"),
    [
        ("pages/profile.py", "My profile", "Sign in, and you go straight on to your profile"),
        ("pages/reports.py", "Reports and action items", "Sign in, and you go straight on to the reports"),
        ("pages/surveys.py", "Surveys", "Sign in, and you go straight on to the survey."),
    ],
)
def test_a_mails_link_opened_signed_out_signs_in_and_lands_on_its_page(people, monkeypatch, page, title, promise):
    monkeypatch.setattr(guard, "send_browser_to", lambda _url: None)  # no browser to send on its cookie trip
    at = app()  # a phone that never signed in opens the link in a mail
    at.session_state["language"] = "en"
    open_page(at, page)
    assert_healthy(at)
    assert [title.value for title in at.title] == ["Sign in"], "the link leads to the sign-in, not to a refusal"
    assert any(info.value.startswith(promise) for info in at.info)

    fill(at, {"sign_in.email": people.participant.email, "sign_in.password": demo.DEMO_PASSWORD})
    click(at, "Sign in")
    assert_healthy(at)
    assert [shown.value for shown in at.title] == [title], "straight on to the mail's page"
