"""A phone scans the projector's QR code while signed out: the sign-in, then straight into the session.

On a freshly started server (the first deep link is where "Page not found" used to show), at 390×844, in
the phone's own language: Sofie reads Dutch, Emma English.
"""

from __future__ import annotations

import pytest
from conftest import PHONE
from e2e_support import (
    DEMO_PARTICIPANT_EN,
    DEMO_PARTICIPANT_NL,
    DEMO_PASSWORD,
    goto,
    main,
    session_cookie,
    settle,
    text,
)
from live_support import INFORMATION_ROUND, LiveSetup
from playwright.sync_api import expect

from intervision.database import Database

# Each phone's person with a group of theirs and its facilitator.
GROUP_OF = {
    DEMO_PARTICIPANT_NL: ("Leidinggevenden Zorg", "Jeroen Bakker"),
    DEMO_PARTICIPANT_EN: ("Wijkverpleging Noord", "Fatima El Amrani"),
}


def _session_in_the_information_round(database: Database, group: str, facilitator_name: str) -> LiveSetup:
    """A session of the group started by its facilitator through the core, moved on to the information round."""
    from intervision import accounts, demo, groups, live
    from intervision.models import StartSessionInput

    email = next(account.email for account in demo.demo_accounts() if account.name == facilitator_name)
    facilitator = accounts.person_by_email(database, email)
    assert facilitator is not None
    group_id = next(g.id for g, _ in groups.visible_groups(database, facilitator) if g.name == group)
    form = StartSessionInput(group_id=group_id, spot_case_title="Een cliënt die niets meer wil", method_id="incident")
    setup = LiveSetup(database, live.start_session(database, facilitator, form), email)
    setup.begin()
    setup.go_to(INFORMATION_ROUND)
    return setup


@pytest.mark.parametrize(
    ("language", "locale", "who"), [("nl", "nl-NL", DEMO_PARTICIPANT_NL), ("en", "en-GB", DEMO_PARTICIPANT_EN)]
)
def test_the_qr_code_signed_out_leads_through_the_sign_in_into_the_session(
    fresh_demo_server, open_page, artifacts, language, locale, who
):
    setup = _session_in_the_information_round(fresh_demo_server.database, *GROUP_OF[who])
    phone = open_page(locale=locale, viewport=PHONE, phone=True)

    goto(phone, fresh_demo_server.url(setup.follow_path))  # what the QR code holds
    expect(phone.get_by_role("heading", level=1, name=text("sign_in.title", language))).to_be_visible()
    expect(main(phone).get_by_text(text("sign_in.then_follow", language))).to_be_visible()
    expect(phone.get_by_text("Page not found")).to_have_count(0)
    phone.screenshot(path=artifacts / f"phone-qr-sign-in-{language}.png")

    _, email = who
    phone.get_by_label(text("field.email", language), exact=True).fill(email)
    phone.get_by_label(text("field.password", language), exact=True).fill(DEMO_PASSWORD)
    phone.get_by_role("button", name=text("sign_in.button", language), exact=True).click()

    # Straight into the session: its phase, with the code from the QR code, the cookie set on the way.
    expect(phone.get_by_role("heading", level=1, name=text("follow.title", language))).to_be_visible()
    expect(phone).to_have_url(fresh_demo_server.url(setup.follow_path))
    settle(phone)
    expect(phone.get_by_role("heading", name=setup.phase_name(language))).to_be_visible()
    expect(phone.get_by_label(text("follow.code", language))).to_have_value(setup.join_code)
    expect(phone.get_by_role("button", name=text("live.send", language))).to_be_visible()
    expect(phone.get_by_text("Page not found")).to_have_count(0)
    assert session_cookie(phone.context) is not None, "signed in for good, not only in this tab"
    phone.screenshot(path=artifacts / f"phone-qr-in-session-{language}.png")
    phone.get_by_role("button", name=text("live.send", language)).scroll_into_view_if_needed()
    phone.screenshot(path=artifacts / f"phone-qr-send-field-{language}.png")
    assert not phone.js_errors
