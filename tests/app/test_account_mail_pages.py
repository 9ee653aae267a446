"""The account mails' screens: "forgot my password" on the sign-in page, the reset and confirm pages that
the mails link to, invitations by e-mail, a coordinator's reset link, and joining that says the same for
any address."""

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
    person_named,
    query,
    value_of,
    values,
)

from intervision import account_mail, auth, invitations
from intervision.database import configured as configured_database
from intervision.errors import DomainError
from intervision.mail.outbox import deliver_due_mail
from intervision.models import InvitationInput, Language, SignInInput

FORGOT_ANSWER = (
    "If an account has this address, a link to set a new password is on its way. Check your mail (and your spam "
    "folder); the link works for 30 minutes."
)
LINK_DEAD = (
    "This link no longer works: it was used already, it has expired, or a newer link was sent since. Ask for a new one."
)
CHECK_MAIL = (
    "Check your mail: we sent a message to the address you filled in. Follow the link in it to confirm your "
    "address and join the group. Nothing arrived? Look in your spam folder, or fill in the form again."
)
NEW_PASSWORD = "een gloednieuw wachtwoord"
GROUP = "Wijkverpleging Noord"


@pytest.fixture
def no_mail_server(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("INTERVISION_SMTP_HOST", "INTERVISION_SMTP_PORT", "INTERVISION_SMTP_TLS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("intervision.mail.settings._secrets_files", lambda: [])


def _page(page: str, person=None, **query_params: str):
    at = app(person)
    at.session_state["language"] = "en"
    for name, value in query_params.items():
        at.query_params[name] = value
    open_page(at, page)
    assert_healthy(at)
    return at


def _delivered(mail_server, count: int):
    deliver_due_mail(configured_database())
    return mail_server.wait_for(count)


def _token(text: str, path: str) -> str:
    found = re.search(rf"/{path}\?token=(\S+)", text)
    assert found, text
    return found.group(1)


def _group_id(name: str = GROUP) -> int:
    return query("SELECT id FROM groups WHERE name = ?", (name,))[0][0]


def _signed_in_as(at) -> str | None:
    person = auth.signed_in_person(configured_database(), at.session_state["sign_in_token"])
    return person.email if person else None


# --- forgot my password ------------------------------------------------------------------------


def test_forgot_password_answers_the_same_for_any_address_and_mails_only_an_account(people, mail_server):
    for address in (people.participant.email, "nobody@nergens.example"):
        at = app().run()
        fill(at, {"forgot_password.email": address})
        at = click(at, "Mail me a link")
        assert_healthy(at)
        assert FORGOT_ANSWER in values(at.success)
        assert value_of(at, "forgot_password.email") == address  # what was typed stays
    [mail] = _delivered(mail_server, 1)
    assert mail.envelope_to == [people.participant.email]
    assert "/reset?token=" in mail.text


def test_forgot_password_checks_the_address(people, mail_server):
    at = app().run()
    fill(at, {"forgot_password.email": "geen adres"})
    at = click(at, "Mail me a link")
    assert message_under(at, "forgot_password.email") == "This is not an e-mail address."
    assert FORGOT_ANSWER not in values(at.success)


def test_without_a_mail_server_the_sign_in_page_sends_people_to_a_coordinator(people, no_mail_server):
    at = app().run()
    assert_healthy(at)
    assert (
        "This organisation's Intervision sends no mail yet. Ask a coordinator for a link to set a new password."
        in values(at.info)
    )
    assert not [button for button in at.button if button.label == "Mail me a link"]


# --- the reset page ----------------------------------------------------------------------------


def test_the_reset_page_sets_a_new_password_once_and_signs_in(people, mail_server):
    participant = people.participant
    token = account_mail.hand_out_reset_link(configured_database(), people.coordinator, participant.id)
    at = _page("pages/reset.py", token=token)
    assert values(at.title) == ["New password"]
    fill(at, {"new_password.new_password": NEW_PASSWORD, "new_password.new_password_again": "iets anders dan dat"})
    at = click(at, "Save my new password")
    assert message_under(at, "new_password.new_password_again") == "The two passwords are not the same."
    assert value_of(at, "new_password.new_password") == NEW_PASSWORD

    fill(at, {"new_password.new_password_again": NEW_PASSWORD})
    at = click(at, "Save my new password")
    assert_healthy(at)
    assert "Your new password is saved. You are signed in." in values(at.success)
    assert _signed_in_as(at) == participant.email
    auth.sign_in(configured_database(), SignInInput(email=participant.email, password=NEW_PASSWORD))

    again = _page("pages/reset.py", token=token)
    assert LINK_DEAD in values(again.error)
    assert not again.text_input


def test_an_unknown_reset_link_says_so_and_offers_to_ask_again(people):
    at = _page("pages/reset.py", token="not-a-token")
    assert LINK_DEAD in values(at.error)
    assert [link.proto.label for link in at.get("page_link")] == ["Ask for a new link"]


# --- confirming a new account ------------------------------------------------------------------


def test_joining_says_check_your_mail_for_a_new_and_a_known_address_alike(people, mail_server):
    code = invitations.create_invitation(
        configured_database(), people.coordinator, InvitationInput(group_id=_group_id())
    ).code
    for address in ("noor@nieuw.example", people.participant.email):
        at = _page("pages/join.py", code=code)
        fill(
            at,
            {
                "new_account.name": "Noor Nieuw",
                "new_account.email": address,
                "new_account.password": NEW_PASSWORD,
                "new_account.password_again": NEW_PASSWORD,
            },
        )
        at = click(at, "Create account and join")
        assert_healthy(at)
        assert values(at.success) == [CHECK_MAIL]
        assert not at.error
        assert "sign_in_token" not in at.session_state  # nobody is signed in
    _delivered(mail_server, 2)
    [confirm] = mail_server.to("noor@nieuw.example")
    [note] = mail_server.to(people.participant.email)
    assert "Confirm" in confirm.subject or "Bevestig" in confirm.subject
    assert note.subject in (
        "Someone tried to make an account with your address",
        "Iemand probeerde een account te maken met jouw adres",
    )

    # The mailbox's owner confirms: signed in, and in the group.
    at = _page("pages/confirm.py", token=_token(confirm.text, "confirm"))
    assert values(at.title) == ["Confirm address"]
    at = click(at, "Confirm my address")
    assert_healthy(at)
    assert "Your address is confirmed and you are signed in." in values(at.success)
    assert f"You are now in {GROUP}." in values(at.markdown)
    assert _signed_in_as(at) == "noor@nieuw.example"
    assert query(
        "SELECT m.group_role FROM memberships m JOIN people p ON p.id = m.person_id WHERE p.email = ?",
        ("noor@nieuw.example",),
    ) == [("member",)]


def test_an_unconfirmed_account_is_told_to_confirm_first_only_with_the_right_password(people, mail_server):
    code = invitations.create_invitation(
        configured_database(), people.coordinator, InvitationInput(group_id=_group_id())
    ).code
    at = _page("pages/join.py", code=code)
    fill(
        at,
        {
            "new_account.name": "Noor Nieuw",
            "new_account.email": "noor@nieuw.example",
            "new_account.password": NEW_PASSWORD,
            "new_account.password_again": NEW_PASSWORD,
        },
    )
    click(at, "Create account and join")
    for password, message in (
        ("not the password", "The e-mail address or password is not right."),
        (NEW_PASSWORD, "Confirm your e-mail address first: follow the link in the mail we sent you."),
    ):
        at = app().run()
        fill(at, {"sign_in.email": "noor@nieuw.example", "sign_in.password": password})
        at = click(at, "Sign in")
        assert_healthy(at)
        assert message in values(at.error)
        assert values(at.title) == ["Sign in"]


def test_a_dead_confirmation_link_says_so(people):
    at = _page("pages/confirm.py", token="not-a-token")
    assert LINK_DEAD in values(at.error)
    assert not [button for button in at.button if button.label == "Confirm my address"]


# --- invitations by e-mail ---------------------------------------------------------------------


def _single_use_invitations() -> int:
    return query("SELECT count(*) FROM invitations WHERE max_uses = 1")[0][0]


def _mail_invitations(at, addresses: str):
    at.selectbox(key="mail_invitation.group_id").set_value(_group_id())
    fill(at, {"mail_invitation.addresses": addresses})
    return click(at, "Send the invitations")


def test_a_coordinator_mails_invitations_in_the_invitees_language(people, mail_server):
    at = _page("pages/invitations.py", people.coordinator)
    before = _single_use_invitations()
    at = _mail_invitations(at, f"nieuw@voorbeeld.nl\n{people.participant.email}")
    assert_healthy(at)
    assert "2 invitations are on their way." in values(at.success)
    assert not at.warning
    _delivered(mail_server, 2)
    [new] = mail_server.to("nieuw@voorbeeld.nl")
    assert new.subject == f"Uitnodiging voor {GROUP}"  # the group's language for an unknown address
    assert "/join?code=" in new.text
    assert _single_use_invitations() == before + 2
    # The list says whom each code is for.
    assert "For nieuw@voorbeeld.nl" in [text.value for text in at.text]


def test_without_a_mail_server_the_invitations_page_shows_each_link(people, no_mail_server):
    at = _page("pages/invitations.py", people.coordinator)
    at = _mail_invitations(at, "een@voorbeeld.nl, twee@voorbeeld.nl")
    assert_healthy(at)
    assert values(at.success) == ["2 invitations are made."]  # not "on their way": nothing is
    assert "No mail server is set up, so nothing is mailed. Copy each link below and send it yourself." in values(
        at.warning
    )
    [table] = at.dataframe
    rows = table.value.to_dict("records")
    assert [row["Address"] for row in rows] == ["een@voorbeeld.nl", "twee@voorbeeld.nl"]
    assert all("/join?code=" in row["Link"] for row in rows)


def test_a_wrong_address_is_named_under_the_field_and_the_list_kept(people, mail_server):
    at = _page("pages/invitations.py", people.coordinator)
    before = _single_use_invitations()
    at = _mail_invitations(at, "goed@voorbeeld.nl, fout-adres")
    assert message_under(at, "mail_invitation.addresses") == "This is not an e-mail address: fout-adres"
    assert value_of(at, "mail_invitation.addresses") == "goed@voorbeeld.nl, fout-adres"
    assert _single_use_invitations() == before


def test_a_facilitator_is_offered_member_invitations_only(people, mail_server):
    at = _page("pages/invitations.py", people.facilitator)
    assert at.selectbox(key="mail_invitation.group_role").options == ["Member"]


# --- a coordinator hands out a reset link ------------------------------------------------------


def test_a_coordinator_hands_out_a_reset_link_once_and_it_is_in_the_audit_log(people, no_mail_server):
    at = _page("pages/people.py", people.coordinator)
    assert people.coordinator.id not in at.selectbox(key="reset_link.person_id").options
    at.selectbox(key="reset_link.person_id").set_value(people.participant.id)
    at = click(at, "Make the link")
    assert_healthy(at)
    [shown] = [block.value for block in at.code if "/reset?token=" in block.value]
    assert f"Give this link to {people.participant.name} yourself" in values(at.warning)[0]
    token = shown.split("token=", 1)[1]
    assert account_mail.reset_link_works(configured_database(), token)
    assert query("SELECT subject FROM audit_log WHERE action = 'reset_link_handed_out'") == [
        (people.participant.email,)
    ]
    at.run()  # shown once: gone on the next drawing
    assert not [block for block in at.code if "/reset?token=" in block.value]


def test_the_hand_out_asks_for_a_person(people, no_mail_server):
    at = _page("pages/people.py", people.coordinator)
    at = click(at, "Make the link")
    assert message_under(at, "reset_link.person_id") == "Please fill this in."
    with pytest.raises(DomainError):
        account_mail.hand_out_reset_link(configured_database(), people.coordinator, people.coordinator.id)


def test_the_account_pages_speak_dutch(people):
    fatima = person_named("Fatima El Amrani")
    for page in ("pages/reset.py", "pages/confirm.py"):
        at = app(fatima, locale="nl-NL")
        at.session_state["language"] = Language.NL.value
        open_page(at, page)
        assert_healthy(at)
        assert (
            "Deze link werkt niet meer: hij is al gebruikt, verlopen, of er is intussen een nieuwere gestuurd. "
            "Vraag een nieuwe aan." in values(at.error)
        )
