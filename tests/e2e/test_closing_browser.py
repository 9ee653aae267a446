"""The check-in's attendance and the closing's action items in a real browser, at 1280×720 and on a phone.

Attendance starts unknown and is marked per member; closing with unconfirmed action items warns first, and
"close anyway" keeps them in the report. Screenshots go to the artifacts folder.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import PHONE
from e2e_support import Server, either, main, settle, start_server, text
from live_support import LiveSetup, facilitators_console, open_session
from playwright.sync_api import Page, expect

from intervision import live
from intervision.models import ActionItemInput

LAPTOP = {"width": 1280, "height": 720}


@pytest.fixture(scope="module")
def closing_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = start_server(tmp_path_factory.mktemp("closing"), demo=True)
    yield server
    server.stop()
    assert "Traceback" not in server.log(), server.log()


@pytest.fixture
def session(closing_server: Server) -> Iterator[LiveSetup]:
    setup = open_session(closing_server.database)
    yield setup
    setup.close()


def _in_view(page: Page, locator) -> None:
    """The element lies within the window as it is now (after scrolling to it)."""
    # Centred, as a person scrolls to what they want to press (scrolled just into view, a box of fractional
    # height can end a twentieth of a pixel past the window's edge).
    locator.evaluate("element => element.scrollIntoView({block: 'center'})")
    box = locator.bounding_box()
    window = page.viewport_size
    assert box is not None and window is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= window["width"], box
    assert box["y"] >= 0 and box["y"] + box["height"] <= window["height"], box


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1280x720", "phone"])
def test_attendance_starts_unknown_and_a_mark_is_stored(closing_server, session, open_page, artifacts, viewport):
    console = facilitators_console(open_page, closing_server, viewport)
    expect(main(console).get_by_role("heading", name=either("live.who_is_here"))).to_be_visible()
    unknown = main(console).get_by_role("radio", name=text("live.presence_unknown", "nl"))
    expect(unknown.first).to_be_checked()
    assert all(radio.is_checked() for radio in unknown.all()), "nobody is ticked present in advance"

    facilitator = session.facilitator()
    first = next(iter(live.presence(session.database, facilitator, session.session_id)))
    group = main(console).locator(f".st-key-present-{first}")
    _in_view(console, group)
    group.get_by_text(text("live.present", "nl"), exact=True).click()
    settle(console)
    assert live.presence(session.database, facilitator, session.session_id)[first] is True
    console.screenshot(path=Path(artifacts) / f"closing-check-in-{viewport['width']}.png")


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1280x720", "phone"])
def test_closing_with_an_unconfirmed_action_item_warns_and_close_anyway_keeps_it(
    closing_server, session, open_page, artifacts, viewport
):
    facilitator = session.facilitator()
    live.add_action_item(session.database, facilitator, session.session_id, ActionItemInput(text="Bel HR"))
    session.begin()
    session.to_closing()
    console = facilitators_console(open_page, closing_server, viewport)
    expect(main(console).get_by_role("heading", name=either("live.confirm_step"))).to_be_visible()
    expect(main(console).get_by_text(text("live.unconfirmed_count", "nl", count=1))).to_be_visible()

    main(console).get_by_role("button", name=either("live.close")).click()
    warning = main(console).get_by_text(text("live.close_warning", "nl", count=1))
    expect(warning).to_be_visible()
    anyway = main(console).get_by_role("button", name=either("live.close_anyway"))
    _in_view(console, anyway)
    _in_view(console, main(console).get_by_role("button", name=either("live.confirm_all_and_close")))
    console.screenshot(path=Path(artifacts) / f"closing-warning-{viewport['width']}.png")
    assert session.session().status.value == "closing", "nothing closes before the facilitator chooses"

    anyway.click()
    expect(main(console).get_by_text(either("live.closed"))).to_be_visible()
    [item] = live.action_items(session.database, facilitator, session.session_id)
    assert not item.confirmed
    with console.expect_download() as download:
        main(console).get_by_role("button", name=either("live.download_markdown")).click()
    unconfirmed = text("session_report.unconfirmed", "nl")
    assert f"Bel HR (—) \\[{unconfirmed}\\]" in Path(download.value.path()).read_text()
