"""Mail in a real browser, through a real SMTP server: a coordinator invites a newcomer by e-mail; the
newcomer opens the mail's link on a phone, makes an account, confirms their address from the second mail
and lands in the group; nothing in either mail is more than a link and the group's name."""

from __future__ import annotations

import re

from e2e_support import (
    DEMO_COORDINATOR,
    DEMO_GROUPS,
    WELCOME,
    button_name,
    choose,
    goto,
    main,
    settle,
    signed_in_page,
    text,
    visible_text,
)
from playwright.sync_api import expect

from intervision import accounts

NEWCOMER = "noor.nieuw@voorbeeld.nl"
PASSWORD = "een lang genoeg wachtwoord"
PHONE = {"width": 390, "height": 844}
LINK = re.compile(r"https?://\S+")


def _link(text: str, path: str) -> str:
    return next(found for found in LINK.findall(text) if f"/{path}?" in found)


def test_an_invitation_by_mail_brings_a_newcomer_into_the_group(mail_demo_server, open_page, artifacts):
    server, mail = mail_demo_server
    group = DEMO_GROUPS[1]

    coordinator = signed_in_page(open_page, server, DEMO_COORDINATOR[1])  # she reads Dutch
    goto(coordinator, server.url("/invitations"))
    main(coordinator).get_by_text(text("account_mail.invite_title", "nl"), exact=True).click()
    form = main(coordinator).locator('[data-testid="stForm"]').filter(has_text=text("account_mail.addresses", "nl"))
    choose(coordinator, text("field.group", "nl"), group, within=form)
    form.get_by_label(text("account_mail.addresses", "nl"), exact=True).fill(NEWCOMER)
    form.get_by_role("button", name=button_name(text("account_mail.send_button", "nl"))).click()
    settle(coordinator)
    expect(main(coordinator).get_by_text(text("account_mail.sent", "nl", count=1))).to_be_visible()

    [invitation] = mail.wait_for_mail_to(NEWCOMER, 1)
    assert invitation.envelope_to == [NEWCOMER]
    assert group in invitation.subject  # an unknown address reads the group's language
    join_link = _link(invitation.text, "join")

    newcomer = open_page(locale="nl-NL", viewport=PHONE, phone=True)
    goto(newcomer, join_link)
    for label, typed in [
        ("field.name", "Noor Nieuw"),
        ("field.email", NEWCOMER),
        ("field.password", PASSWORD),
        ("field.password_again", PASSWORD),
    ]:
        main(newcomer).get_by_label(text(label, "nl"), exact=True).fill(typed)
    main(newcomer).get_by_role("button", name=button_name(text("join.create_button", "nl"))).click()
    settle(newcomer)
    expect(main(newcomer).get_by_text(text("account_mail.check_mail", "nl"))).to_be_visible()
    newcomer.screenshot(path=artifacts / "mail-join-check-your-mail-390.png", full_page=True)
    assert accounts.person_by_email(server.database, NEWCOMER) is None  # not before the address is confirmed

    confirmation = mail.wait_for_mail_to(NEWCOMER, 2)[1]
    assert confirmation.envelope_to == [NEWCOMER]
    assert PASSWORD not in confirmation.raw and PASSWORD not in invitation.raw
    goto(newcomer, _link(confirmation.text, "confirm"))
    main(newcomer).get_by_role("button", name=button_name(text("account_mail.confirm_button", "nl"))).click()
    # After the browser's trip that keeps the sign-in, the page says it worked and where they are now.
    expect(main(newcomer).get_by_text(text("account_mail.confirmed", "nl"))).to_be_visible()
    expect(main(newcomer).get_by_text(text("account_mail.confirmed_joined", "nl", group=group))).to_be_visible()
    newcomer.screenshot(path=artifacts / "mail-confirmed-390.png", full_page=True)
    goto(newcomer, server.url("/"))
    expect(newcomer.get_by_role("heading", level=1, name=WELCOME)).to_be_visible()
    settle(newcomer)
    assert group in visible_text(newcomer)
