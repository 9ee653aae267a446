"""A speaking round in real Chromium: the console starts it and presses "next", the projector follows with who
speaks now and who is next, and the speaker's own phone says "I'm done", which the projector follows too.

Screenshots go to test-artifacts/rounds-*.png (console and projector at 1920×1080, phones at 390×844).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import PHONE
from e2e_support import Server, goto, main, signed_in_page, start_server, text
from live_support import LiveSetup, facilitators_console, open_session
from playwright.sync_api import Page, expect

BEAMER = {"width": 1920, "height": 1080}
NL = "nl"  # the demo facilitator's console speaks Dutch; the projector the group's English (open_session)
DIAGNOSIS = 3  # the incident method's diagnosis: each member in turn, the case bringer only listens
FOLLOWS = 15_000  # milliseconds a screen may take to follow a change made elsewhere (it reads every 1–2 s)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = start_server(tmp_path_factory.mktemp("rounds"), demo=True)
    yield server
    server.stop()


@pytest.fixture
def session(server: Server) -> Iterator[LiveSetup]:
    session = open_session(server.database, language="en")
    session.begin()
    session.go_to(DIAGNOSIS)
    yield session
    session.close()


def _round(session: LiveSetup) -> object:
    from intervision import live, rounds

    view = live.console_view(session.database, session.facilitator(), session.session_id)
    return rounds.current_round(session.database, view)


def _phone(open_page, server: Server, session: LiveSetup, person_id: int) -> tuple[Page, str]:
    """A member's phone on the session, signed in, and the language it speaks (theirs)."""
    from intervision import accounts

    person = accounts.person(session.database, person_id)
    assert person is not None
    language = person.language.value if person.language else "en"  # else the browser's (en-US)
    phone = signed_in_page(open_page, server, person.email, viewport=PHONE)
    goto(phone, server.url(session.follow_path))
    expect(main(phone).get_by_role("heading", name=session.phase_name(language))).to_be_visible()
    return phone, language


def test_next_on_the_console_moves_the_projector_and_the_speakers_phone_says_done(
    server, session, open_page, artifacts
):
    console = facilitators_console(open_page, server, BEAMER)
    expect(main(console).get_by_text(text("rounds.title", NL), exact=False).first).to_be_visible()
    drawn = _round(session)
    first, second, third = drawn.order[:3]
    assert not set(_case_bringers(session)) & {turn.person_id for turn in drawn.order}, "they only listen"

    projector = open_page(locale="en-US", viewport=BEAMER)
    goto(projector, server.url(session.projector_path))
    expect(main(projector).get_by_role("heading", level=1, name=session.phase_name("en"))).to_be_visible()

    main(console).get_by_role("button", name=text("rounds.start", NL, name=first.name)).click()
    expect(main(projector).get_by_text(f"{text('rounds.now')}: {first.name}")).to_be_visible(timeout=FOLLOWS)
    expect(main(projector).get_by_text(text("rounds.then", name=second.name))).to_be_visible(timeout=FOLLOWS)

    main(console).get_by_role("button", name=text("rounds.next_speaker", NL, name=second.name)).click()
    expect(main(projector).get_by_text(f"{text('rounds.now')}: {second.name}")).to_be_visible(timeout=FOLLOWS)
    expect(main(console).get_by_role("button", name=text("rounds.next_speaker", NL, name=third.name))).to_be_visible(
        timeout=FOLLOWS
    )
    console.screenshot(path=artifacts / "rounds-console-1920x1080.png")
    projector.screenshot(path=artifacts / "rounds-projector-1920x1080.png")

    # The speaker's phone offers "I'm done"; the next one's does not, until the turn is theirs.
    speaking, spoken = _phone(open_page, server, session, second.person_id)
    waiting, waits = _phone(open_page, server, session, third.person_id)
    done = main(speaking).get_by_role("button", name=text("rounds.done", spoken))
    expect(done).to_be_visible(timeout=FOLLOWS)
    now_on_phone = f"{text('rounds.now', waits)}: {second.name}"
    expect(main(waiting).get_by_text(now_on_phone)).to_be_visible(timeout=FOLLOWS)
    expect(main(waiting).get_by_role("button", name=text("rounds.done", waits))).to_have_count(0)
    speaking.screenshot(path=artifacts / "rounds-phone-speaking-390x844.png")

    done.click()
    expect(main(projector).get_by_text(f"{text('rounds.now')}: {third.name}")).to_be_visible(timeout=FOLLOWS)
    expect(main(waiting).get_by_role("button", name=text("rounds.done", waits))).to_be_visible(timeout=FOLLOWS)
    expect(main(speaking).get_by_role("button", name=text("rounds.done", spoken))).to_have_count(0, timeout=FOLLOWS)
    expect(main(console).get_by_text(f"{text('rounds.now', NL)}: {third.name}", exact=False)).to_be_visible(
        timeout=FOLLOWS
    )
    waiting.screenshot(path=artifacts / "rounds-phone-next-390x844.png")
    projector.screenshot(path=artifacts / "rounds-projector-after-done-1920x1080.png")
    assert _round(session).speaker.person_id == third.person_id
    for page in (console, projector, speaking, waiting):
        assert not page.js_errors


def _case_bringers(session: LiveSetup) -> list[int]:
    from intervision import store
    from intervision.models import SessionRole

    with session.database.reading() as db:
        return [holder.person_id for holder in store.session_roles(db, session.session_id)[SessionRole.CASE_BRINGER]]
