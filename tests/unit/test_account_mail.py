"""The account mails, read where they arrive (a real SMTP server): invitations by e-mail, "forgot my
password", a coordinator's reset link, and a new account that confirms its address before it is used."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from unit_support import NOW, PASSWORD, count_rows

from intervision import account_mail, accounts, auth, cases, invitations, personal_data, store
from intervision.account_mail import MailInvitationInput, ResetRequestInput
from intervision.errors import DomainError, NotAllowed
from intervision.mail.outbox import deliver_due_mail
from intervision.mail.rounds import mail_round
from intervision.models import (
    AuditAction,
    CaseInput,
    GroupRole,
    InvitationInput,
    JoinInput,
    Language,
    NewAccountInput,
    NewPasswordInput,
    QuestionType,
    Role,
    SignInInput,
    Want,
)

NEW_PASSWORD = "a brand new sentence"
# What a newcomer types as their password: it must never travel in a mail.
TYPED_PASSWORD = "geheim-wachtwoord-1234"


@pytest.fixture
def no_mail_server(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("INTERVISION_SMTP_HOST", "INTERVISION_SMTP_PORT", "INTERVISION_SMTP_TLS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("intervision.mail.settings._secrets_files", lambda: [])


def _link(text: str, path: str) -> str:
    found = re.search(rf"https://intervision\.test/{path}\?\S+", text)
    assert found, text
    return found.group(0)


def _token(text: str, path: str) -> str:
    return _link(text, path).split("token=", 1)[1]


def _deliver(path, mail_server, count: int, now=NOW):
    deliver_due_mail(path, now)
    return mail_server.wait_for(count)


def _newcomer(email: str = "noor@nieuw.example", name: str = "Noor Nieuw", password: str = TYPED_PASSWORD, **kw):
    return NewAccountInput(name=name, email=email, password=password, password_again=password, **kw)


def _code(path, coordinator, group_id: int, role: GroupRole = GroupRole.MEMBER, max_uses: int = 10) -> str:
    form = InvitationInput(group_id=group_id, group_role=role, max_uses=max_uses)
    return invitations.create_invitation(path, coordinator, form, now=NOW).code


def _members(path, group_id: int) -> dict[str, str]:
    with path.reading() as db:
        return {member.email: member.group_role.value for member in store.members(db, group_id)}


# --- invitations by e-mail ---------------------------------------------------------------------


def test_each_address_gets_its_own_invitation_mail_in_its_language_and_its_link_joins(
    path, coordinator, make_person, make_group, mail_server
):
    english = make_person("Emma English", email="emma@example.org")  # add_person gives English
    group_id = make_group("Team Noord")  # a Dutch group (the default language)
    form = MailInvitationInput(group_id=group_id, addresses="nieuw@voorbeeld.nl,\nEMMA@example.org ", valid_days=7)
    sent = account_mail.invite_by_mail(path, coordinator, form, now=NOW)

    assert [invitation.address for invitation in sent] == ["nieuw@voorbeeld.nl", "emma@example.org"]
    assert len({invitation.code for invitation in sent}) == 2
    arrived = _deliver(path, mail_server, 2)
    [dutch] = mail_server.to("nieuw@voorbeeld.nl")
    [mail_to_emma] = mail_server.to("emma@example.org")
    assert dutch.subject == "Uitnodiging voor Team Noord"
    assert "Cora Coordinator nodigt je uit" in dutch.text and "7 dagen" in dutch.text
    assert mail_to_emma.subject == "Invitation to join Team Noord"
    assert "Hello Emma English," in mail_to_emma.text
    assert len(arrived) == 2

    # Emma follows her link: its code is single-use and joins her to the group.
    code = _link(mail_to_emma.text, "join").split("code=", 1)[1]
    assert code == sent[1].code
    invitations.join_with_code(path, english, JoinInput(code=code), now=NOW)
    assert _members(path, group_id)["emma@example.org"] == "member"
    with path.reading() as db:
        assert store.invitation_by_code(db, code).max_uses == 1


def test_a_mailed_invitation_names_its_address_until_90_days_after_it_expired(
    path, coordinator, make_group, mail_server
):
    group_id = make_group()
    form = MailInvitationInput(group_id=group_id, addresses="nieuw@voorbeeld.nl", valid_days=7)
    [sent] = account_mail.invite_by_mail(path, coordinator, form, now=NOW)
    shared_by_hand = _code(path, coordinator, group_id)

    def addresses() -> dict[str, str | None]:
        return {invitation.code: invitation.mailed_to for invitation in invitations.invitations(path, coordinator)}

    assert addresses() == {sent.code: "nieuw@voorbeeld.nl", shared_by_hand: None}
    expired = NOW + timedelta(days=7)
    mail_round(path, expired + timedelta(days=89))
    assert addresses()[sent.code] == "nieuw@voorbeeld.nl"
    mail_round(path, expired + timedelta(days=91))
    assert addresses() == {sent.code: None, shared_by_hand: None}


def test_erasing_a_person_empties_the_address_of_the_invitation_mailed_to_them(
    path, coordinator, make_person, make_group, mail_server
):
    noor = make_person("Noor Nieuw", email="noor@nieuw.example")
    group_id = make_group()
    form = MailInvitationInput(group_id=group_id, addresses="noor@nieuw.example, ander@voorbeeld.nl")
    account_mail.invite_by_mail(path, coordinator, form, now=NOW)
    personal_data.erase_person(path, coordinator, noor.id, NOW)
    mailed_to = {invitation.mailed_to for invitation in invitations.invitations(path, coordinator)}
    assert mailed_to == {None, "ander@voorbeeld.nl"}


def test_a_facilitator_mails_member_invitations_only(path, make_person, make_group, mail_server):
    fay = make_person("Fay Facilitator", Role.FACILITATOR)
    group_id = make_group(facilitators=(fay,))
    with pytest.raises(NotAllowed):
        account_mail.invite_by_mail(
            path,
            fay,
            MailInvitationInput(group_id=group_id, group_role=GroupRole.FACILITATOR, addresses="a@b.nl"),
            now=NOW,
        )
    assert count_rows(path, "invitations") == 0
    assert count_rows(path, "outbox") == 0


def test_the_address_list_is_checked_and_limited():
    with pytest.raises(ValueError, match="account_mail.not_an_address"):
        MailInvitationInput(group_id=1, addresses="goed@voorbeeld.nl, geen-adres")
    with pytest.raises(ValueError, match="account_mail.too_many_addresses"):
        MailInvitationInput(group_id=1, addresses=" ".join(f"p{n}@voorbeeld.nl" for n in range(51)))
    with pytest.raises(ValueError, match="required"):
        MailInvitationInput(group_id=1, addresses=" ,\n")
    assert MailInvitationInput(group_id=1, addresses="A@b.nl a@b.nl").addresses == ["a@b.nl"]


def test_without_a_mail_server_the_invitations_are_made_and_kept_as_not_sent(
    path, coordinator, make_group, no_mail_server
):
    group_id = make_group()
    sent = account_mail.invite_by_mail(path, coordinator, MailInvitationInput(group_id=group_id, addresses="a@b.nl"))
    assert len(sent) == 1
    done = deliver_due_mail(path)
    assert len(done.not_sent) == 1
    assert invitations.invitation_preview(path, sent[0].code) is not None


# --- forgot my password ------------------------------------------------------------------------


def _ask(path, email: str, now=NOW, language: Language = Language.NL) -> None:
    account_mail.ask_password_reset(path, ResetRequestInput(email=email), language, now=now)


def test_a_reset_link_arrives_in_each_language_and_works_once(path, make_person, mail_server):
    anna = make_person("Anna Jansen", email="anna@example.org")  # English
    bram = make_person("Bram Bakker", email="bram@example.org")
    with path.writing() as db:
        store.set_language(db, bram.id, Language.NL)
    _ask(path, "Anna@Example.org ")
    _ask(path, "bram@example.org")
    _deliver(path, mail_server, 2)
    [english] = mail_server.to("anna@example.org")
    [dutch] = mail_server.to("bram@example.org")
    assert english.subject == "A link to set a new password"
    assert "it works once, for 30 minutes" in english.text
    assert dutch.subject == "Een link om een nieuw wachtwoord te kiezen"
    assert "30 minuten" in dutch.text

    token = _token(english.text, "reset")
    assert len(token) >= 43  # 32 random bytes
    with path.reading() as db:  # only a digest is kept, never the token
        stored = [row[0] for row in db.execute("SELECT token_hash FROM account_links")]
    assert token not in stored
    elsewhere = auth.sign_in(path, SignInInput(email=anna.email, password=PASSWORD), now=NOW)

    session = account_mail.reset_password(
        path, token, NewPasswordInput(new_password=NEW_PASSWORD, new_password_again=NEW_PASSWORD), now=NOW
    )
    assert auth.signed_in_person(path, session, NOW).id == anna.id
    assert auth.signed_in_person(path, elsewhere, NOW) is None  # signed out everywhere else
    auth.sign_in(path, SignInInput(email=anna.email, password=NEW_PASSWORD), now=NOW)
    with pytest.raises(DomainError, match="link_dead"):
        account_mail.reset_password(
            path, token, NewPasswordInput(new_password="yet another one", new_password_again="yet another one"), now=NOW
        )
    assert not account_mail.reset_link_works(path, token, NOW)


def test_an_unknown_address_gets_the_same_answer_and_no_mail(path, make_person, mail_server):
    make_person("Anna Jansen", email="anna@example.org")
    _ask(path, "nobody@example.org")  # returns quietly, exactly as for a known address
    deliver_due_mail(path, NOW)
    assert mail_server.arrived == []
    assert count_rows(path, "account_links") == 0


def test_a_reset_link_expires_after_30_minutes(path, make_person, mail_server):
    make_person("Anna Jansen", email="anna@example.org")
    _ask(path, "anna@example.org")
    [mail] = _deliver(path, mail_server, 1)
    token = _token(mail.text, "reset")
    later = NOW + timedelta(minutes=30)
    assert account_mail.reset_link_works(path, token, NOW + timedelta(minutes=29))
    assert not account_mail.reset_link_works(path, token, later)
    with pytest.raises(DomainError, match="link_dead"):
        account_mail.reset_password(
            path, token, NewPasswordInput(new_password=NEW_PASSWORD, new_password_again=NEW_PASSWORD), now=later
        )


def test_a_new_request_ends_the_older_links(path, make_person, mail_server):
    make_person("Anna Jansen", email="anna@example.org")
    _ask(path, "anna@example.org")
    _ask(path, "anna@example.org", now=NOW + timedelta(minutes=1))
    first, second = _deliver(path, mail_server, 2, now=NOW + timedelta(minutes=1))
    assert not account_mail.reset_link_works(path, _token(first.text, "reset"), NOW + timedelta(minutes=2))
    assert account_mail.reset_link_works(path, _token(second.text, "reset"), NOW + timedelta(minutes=2))


def test_at_most_three_links_an_hour_per_address_silently(path, make_person, mail_server):
    make_person("Anna Jansen", email="anna@example.org")
    for minute in range(5):
        _ask(path, "anna@example.org", now=NOW + timedelta(minutes=minute))
    deliver_due_mail(path, NOW + timedelta(minutes=5))
    assert len(mail_server.wait_for(3)) == 3
    _ask(path, "anna@example.org", now=NOW + timedelta(minutes=61))
    deliver_due_mail(path, NOW + timedelta(minutes=61))
    assert len(mail_server.wait_for(4)) == 4


def test_a_coordinator_hands_out_a_reset_link_that_is_audited(path, coordinator, make_person, no_mail_server):
    anna = make_person("Anna Jansen", email="anna@example.org")
    other = make_person("Otto Other", Role.COORDINATOR)
    token = account_mail.hand_out_reset_link(path, coordinator, anna.id, now=NOW)
    assert account_mail.reset_link_works(path, token, NOW)
    assert account_mail.hand_out_reset_link(path, coordinator, other.id, now=NOW)  # another coordinator: yes
    with pytest.raises(DomainError, match="not_for_yourself"):
        account_mail.hand_out_reset_link(path, coordinator, coordinator.id, now=NOW)
    with pytest.raises(NotAllowed):
        account_mail.hand_out_reset_link(path, anna, other.id, now=NOW)
    with path.reading() as db:
        events = [event for event in store.audit_events(db, 50) if event.action == AuditAction.RESET_LINK_HANDED_OUT]
    assert [event.subject for event in events] == [other.email, anna.email]
    assert {event.actor for event in events} == {"Cora Coordinator"}
    account_mail.reset_password(
        path, token, NewPasswordInput(new_password=NEW_PASSWORD, new_password_again=NEW_PASSWORD), now=NOW
    )
    auth.sign_in(path, SignInInput(email=anna.email, password=NEW_PASSWORD), now=NOW)


# --- a new account confirms its address --------------------------------------------------------


def _create(path, code: str, form: NewAccountInput, now=NOW):
    return account_mail.create_account_with_code(path, form, JoinInput(code=code), Language.NL, now=now)


def test_a_new_account_confirms_its_address_then_joins_and_signs_in(path, coordinator, make_group, mail_server):
    group_id = make_group("Team Noord")
    code = _code(path, coordinator, group_id)
    assert _create(path, code, _newcomer(language=Language.EN)) is None  # "check your mail"
    [mail] = _deliver(path, mail_server, 1)
    assert mail.envelope_to == ["noor@nieuw.example"]
    assert mail.subject == "Confirm your e-mail address"
    assert "Team Noord" in mail.text
    assert TYPED_PASSWORD not in mail.raw
    assert "noor@nieuw.example" not in _members(path, group_id)

    # Not before the owner confirmed: "confirm first" only to whoever knows the password.
    with pytest.raises(DomainError, match="sign_in_failed"):
        auth.sign_in(path, SignInInput(email="noor@nieuw.example", password="not the password"), now=NOW)
    with pytest.raises(DomainError, match="account_mail.confirm_first"):
        auth.sign_in(path, SignInInput(email="noor@nieuw.example", password=TYPED_PASSWORD), now=NOW)
    with path.reading() as db:  # not among the organisation's people yet
        assert "noor@nieuw.example" not in [person.email for person in store.everyone(db)]
    # Nor reached by single sign-on: whoever made the pending account chose its password.
    assert accounts.visit(path, None, single_sign_on_email="noor@nieuw.example", now=NOW).person is None
    assert accounts.person_by_email(path, "noor@nieuw.example") is None

    token = _token(mail.text, "confirm")
    confirmed = account_mail.confirm_account(path, token, now=NOW)
    assert confirmed.joined_group == "Team Noord"
    assert auth.signed_in_person(path, confirmed.session_token, NOW).name == "Noor Nieuw"
    assert _members(path, group_id)["noor@nieuw.example"] == "member"
    auth.sign_in(path, SignInInput(email="noor@nieuw.example", password=TYPED_PASSWORD), now=NOW)
    assert accounts.person_by_email(path, "noor@nieuw.example").name == "Noor Nieuw"
    with pytest.raises(DomainError, match="link_dead"):
        account_mail.confirm_account(path, token, now=NOW)


def test_an_address_with_an_account_gets_the_same_answer_and_its_owner_a_note(
    path, coordinator, make_person, make_group, mail_server
):
    anna = make_person("Anna Jansen", email="anna@example.org")  # English
    group_id = make_group("Team Noord")
    code = _code(path, coordinator, group_id)
    people_before = count_rows(path, "people")
    assert _create(path, code, _newcomer(email="anna@example.org", name="Someone Else")) is None
    assert _create(path, code, _newcomer(email="noor@nieuw.example")) is None  # the same answer for a new one
    _deliver(path, mail_server, 2)
    [note] = mail_server.to("anna@example.org")
    assert note.subject == "Someone tried to make an account with your address"
    assert "Hello Anna Jansen," in note.text and "Someone Else" not in note.text
    assert f"https://intervision.test/join?code={code}" in note.text
    assert TYPED_PASSWORD not in note.raw
    assert count_rows(path, "people") == people_before + 1  # only the new address's pending account
    auth.sign_in(path, SignInInput(email=anna.email, password=PASSWORD), now=NOW)  # her password is hers


def test_a_second_attempt_on_a_pending_address_replaces_it_and_sends_a_new_link(
    path, coordinator, make_group, mail_server
):
    group_id = make_group()
    code = _code(path, coordinator, group_id)
    _create(path, code, _newcomer(name="Eerste Poging", password="first password here"))
    _create(path, code, _newcomer(name="Noor Nieuw", password="second password here"), now=NOW + timedelta(minutes=5))
    first, second = _deliver(path, mail_server, 2, now=NOW + timedelta(minutes=5))
    with pytest.raises(DomainError, match="link_dead"):
        account_mail.confirm_account(path, _token(first.text, "confirm"), now=NOW + timedelta(minutes=6))
    confirmed = account_mail.confirm_account(path, _token(second.text, "confirm"), now=NOW + timedelta(minutes=6))
    assert auth.signed_in_person(path, confirmed.session_token, NOW + timedelta(minutes=6)).name == "Noor Nieuw"
    auth.sign_in(path, SignInInput(email="noor@nieuw.example", password="second password here"), now=NOW)


def test_confirming_after_the_invitation_was_used_up_opens_the_account_without_joining(
    path, coordinator, make_person, make_group, mail_server
):
    group_id = make_group()
    code = _code(path, coordinator, group_id, max_uses=1)
    _create(path, code, _newcomer())
    [mail] = _deliver(path, mail_server, 1)
    invitations.join_with_code(path, make_person("Quick Quinten"), JoinInput(code=code), now=NOW)
    confirmed = account_mail.confirm_account(path, _token(mail.text, "confirm"), now=NOW)
    assert confirmed.joined_group is None
    assert "noor@nieuw.example" not in _members(path, group_id)
    auth.sign_in(path, SignInInput(email="noor@nieuw.example", password=TYPED_PASSWORD), now=NOW)


def test_an_unusable_code_is_refused_before_anything_about_the_address(path, coordinator, make_group, mail_server):
    with pytest.raises(DomainError, match="invitation_unknown"):
        _create(path, "NOSUCHCODE", _newcomer())
    assert count_rows(path, "outbox") == 0


def test_without_a_mail_server_accounts_work_at_once_as_before(
    path, coordinator, make_person, make_group, no_mail_server
):
    make_person("Anna Jansen", email="anna@example.org")
    group_id = make_group()
    code = _code(path, coordinator, group_id)
    person_id = _create(path, code, _newcomer())
    assert person_id is not None
    auth.sign_in(path, SignInInput(email="noor@nieuw.example", password=TYPED_PASSWORD), now=NOW)
    with pytest.raises(DomainError, match="account_not_created"):
        _create(path, code, _newcomer(email="anna@example.org"))


# --- personal data -----------------------------------------------------------------------------


def test_links_are_in_the_export_and_go_when_the_person_is_erased(path, coordinator, make_person, mail_server):
    anna = make_person("Anna Jansen", email="anna@example.org")
    _ask(path, "anna@example.org")
    exported = personal_data.export_my_data(path, anna).decode()
    assert '"account_links"' in exported and '"purpose": "reset"' in exported
    assert '"email_confirmed_at"' in exported
    personal_data.erase_person(path, coordinator, anna.id, now=NOW)
    assert count_rows(path, "account_links") == 0


# --- the NEVER rule ----------------------------------------------------------------------------

SECRET = "VERTROUWELIJK-7731"


def test_no_case_text_is_in_any_account_mail(path, coordinator, make_person, make_group, mail_server):
    anna = make_person("Anna Jansen", email="anna@example.org")
    group_id = make_group("Team Noord", members=(anna,))
    cases.submit_case(
        path,
        anna,
        CaseInput(
            group_id=group_id,
            title=f"Casus {SECRET}",
            situation=f"Een ouder mailt elke week ({SECRET}) en zet de directie in de cc; ik wist niet wat te zeggen.",
            involved="een ouder",
            own_role="Ik ben de leerkracht.",
            evoked="Onzekerheid.",
            learning_question=f"Hoe kan ik grenzen stellen ({SECRET})?",
            question_type=QuestionType.OWN_BEHAVIOUR,
            wants=[Want.ADVICE],
            tried="Kort teruggemaild.",
            anonymised=True,
        ),
        now=NOW,
    )
    account_mail.invite_by_mail(path, coordinator, MailInvitationInput(group_id=group_id, addresses="x@y.nl"), now=NOW)
    _ask(path, "anna@example.org")
    code = _code(path, coordinator, group_id)
    _create(path, code, _newcomer())
    _create(path, code, _newcomer(email="anna@example.org"))
    arrived = _deliver(path, mail_server, 4)
    assert {mail.envelope_to[0] for mail in arrived} == {"x@y.nl", "anna@example.org", "noor@nieuw.example"}
    assert not [mail.subject for mail in arrived if SECRET in mail.raw]
