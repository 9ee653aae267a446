"""Screenshots of every main screen at projector and phone size, in test-artifacts/ (gitignored).

On each screen: no missing translation (⟦key⟧), no traceback or exception text, no error box, no
JavaScript error. Look at the pictures afterwards: text must be readable at the back of a room.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import PHONE, PROJECTOR
from e2e_support import (
    DEMO_COORDINATOR,
    DEMO_PARTICIPANT_NL,
    DEMO_PASSWORD,
    EXCEPTION_TEXT,
    either,
    error_boxes,
    goto,
    main,
    redrawn,
    settle,
    sign_in,
    visible_text,
)
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

SIZES = {"projector": (PROJECTOR, False), "phone": (PHONE, True)}


def shoot(page: Page, folder: Path, size: str, name: str) -> None:
    """Check what the screen shows, then save <name>-<size>.png (the first screen, as the room or the
    phone shows it) and, when the page is longer, <name>-<size>-full.png (all of it)."""
    settle(page, pause_ms=400)
    shown = visible_text(page)
    assert "⟦" not in shown, f"{name}: a missing translation: {re.findall(r'⟦[^⟧]*⟧', shown)}"
    assert not EXCEPTION_TEXT.search(shown), f"{name}: exception text on the screen:\n{shown}"
    assert not error_boxes(page), f"{name}: error boxes: {error_boxes(page)}"
    assert not page.js_errors, f"{name}: JavaScript errors: {page.js_errors}"
    page.screenshot(path=folder / f"{name}-{size}.png")
    # Streamlit scrolls inside its main element, so a full-page screenshot needs a taller window.
    viewport = page.viewport_size
    length = page.locator('[data-testid="stMain"]').evaluate("main => main.scrollHeight")
    if length > viewport["height"] + 10:
        page.set_viewport_size({"width": viewport["width"], "height": min(length, 6000)})
        redrawn(page)
        page.screenshot(path=folder / f"{name}-{size}-full.png")
        page.set_viewport_size(viewport)


@pytest.mark.parametrize("size", SIZES)
def test_screenshots(size, empty_server, demo_server, open_page, artifacts):
    viewport, phone = SIZES[size]

    def new_page() -> Page:
        return open_page(locale="en-US", viewport=viewport, phone=phone)

    welcome = new_page()
    goto(welcome, empty_server.url("/"))
    expect(welcome.get_by_role("heading", level=1, name="Welcome to Intervision")).to_be_visible()
    shoot(welcome, artifacts, size, "01-welcome")

    coordinator = new_page()
    goto(coordinator, demo_server.url("/"))
    expect(coordinator.get_by_role("heading", name="Try the demo")).to_be_visible()
    expect(main(coordinator).get_by_text(DEMO_PASSWORD, exact=True)).to_be_visible()
    expect(main(coordinator).locator('[data-testid="stTable"]')).to_contain_text(DEMO_COORDINATOR[1])
    shoot(coordinator, artifacts, size, "02-sign-in-demo")

    sign_in(coordinator, demo_server, DEMO_COORDINATOR[1], go=False)
    shoot(coordinator, artifacts, size, "03-home-coordinator")

    goto(coordinator, demo_server.url("/groups"))
    expect(coordinator.get_by_role("heading", level=1, name=either("nav.groups"))).to_be_visible()
    shoot(coordinator, artifacts, size, "05-groups")

    goto(coordinator, demo_server.url("/invitations"))
    coordinator.get_by_role("button", name=either("invitations.create")).click()
    expect(coordinator.get_by_role("heading", name=either("invitations.share_title"))).to_be_visible()
    settle(coordinator)
    link = main(coordinator).locator('[data-testid="stCode"]').inner_text().strip()
    assert re.fullmatch(re.escape(demo_server.url("/join?code=")) + r"[A-Z0-9]{6,}", link), link
    shoot(coordinator, artifacts, size, "06-invitations")

    participant = new_page()
    sign_in(participant, demo_server, DEMO_PARTICIPANT_NL[1])
    shoot(participant, artifacts, size, "04-home-participant")

    newcomer = new_page()
    goto(newcomer, link)
    expect(newcomer.get_by_role("heading", level=1, name="Join a group")).to_be_visible()
    expect(newcomer.get_by_label("Invitation code")).to_have_value(link.rsplit("=", 1)[1])
    expect(main(newcomer).locator('[data-testid="stAlertContentInfo"]')).to_be_visible()  # the preview
    shoot(newcomer, artifacts, size, "07-join")

    goto(coordinator, demo_server.url("/methods?method=disney"))
    expect(
        coordinator.get_by_role("heading", level=2, name=re.compile("^(Disney method|Disneymethode)$"))
    ).to_be_visible()
    cycle = main(coordinator).locator('[data-testid="stAlertContentInfo"]')
    expect(cycle).to_contain_text(re.compile("The critic has no relevant|De criticus heeft geen relevante"))
    shoot(coordinator, artifacts, size, "08-method-disney")

    coordinator.get_by_role("tab", name=either("methods.chooser")).click()
    expect(main(coordinator).get_by_role("heading", level=4, name=re.compile(r"^1\. "))).to_be_visible()
    shoot(coordinator, artifacts, size, "09-chooser")

    goto(coordinator, demo_server.url("/my-methods"))
    coordinator.get_by_text(either("editor.start_copy")).click()
    settle(coordinator)
    coordinator.get_by_role("button", name=either("editor.start")).click()
    expect(coordinator.get_by_role("heading", name=re.compile(r"^(Draft|Concept): "))).to_be_visible()
    shoot(coordinator, artifacts, size, "10-method-editor")
    # The server is shared: leave no draft behind for the next screen size.
    coordinator.get_by_role("button", name=either("editor.discard")).click()
    expect(coordinator.get_by_text(either("editor.discarded"))).to_be_visible()
