"""Live screens told by push, in real Chromium: they follow a change the moment it is made, not on a timer.

The server runs with its safety timer (INTERVISION_LIVE_SAFETY_SECONDS) at ten minutes, so a screen that
follows a change within the few seconds these tests wait was told by the change stream: no timer could
have fired. The countdown ticks in the browser without asking the server for anything, and asks for one
redraw when time is up. After a restart the streams come back by themselves.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import PHONE, PROJECTOR
from e2e_support import Server, either, free_port, goto, launch_server, main, seed_demo, settle, sign_in
from live_support import INFORMATION_ROUND, MEMBER, LiveSetup, clock_seconds, open_session, shows, wait_until
from playwright.sync_api import Page, Request, WebSocket, expect

pytestmark = pytest.mark.browser

SAFETY_SECONDS = 600  # the fragments' safety timer in these tests: far longer than any wait below
TOLD_WITHIN = 5.0  # seconds: a screen told by push shows a change well within this, a timer would take minutes
CLOCK = re.compile(r"^−?\d+:\d{2}$")
STREAM = "/_intervision/live/changes"
LEFT = 12  # seconds left in the phase when a clock test opens its screen


@pytest.fixture
def push_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict]:
    """A demo server whose live fragments would poll only every ten minutes; restartable on its port."""
    monkeypatch.setenv("INTERVISION_LIVE_SAFETY_SECONDS", str(SAFETY_SECONDS))
    db_path = tmp_path / "intervision.db"
    seed_demo(db_path)
    port, log_path = free_port(), tmp_path / "server.log"
    state: dict = {"servers": []}

    def start() -> Server:
        server = launch_server(port, db_path, log_path)
        state["servers"].append(server)
        return server

    state["start"] = start
    state["server"] = start()
    yield state
    for server in state["servers"]:
        server.stop()
    log = log_path.read_text(errors="replace") if log_path.exists() else ""
    assert "Traceback" not in log, f"--- server log ---\n{log}"


@pytest.fixture
def session(push_server: dict) -> Iterator[LiveSetup]:
    setup = open_session(push_server["server"].database)
    yield setup
    setup.close()


def _counting_streams(page: Page) -> Page:
    """The page counts the change streams it opens (page.streams_opened)."""
    page.streams_opened = 0

    def opened(request: Request) -> None:
        if STREAM in request.url:
            page.streams_opened += 1

    page.on("request", opened)
    return page


def projector_of(open_page, server: Server, setup: LiveSetup) -> Page:
    page = _counting_streams(open_page(locale="en-US", viewport=PROJECTOR))
    page.reruns = Reruns(page)  # before the page opens its websocket
    goto(page, server.url(setup.projector_path))
    return page


def phone_of(open_page, server: Server, setup: LiveSetup) -> Page:
    page = _counting_streams(open_page(locale="en-US", viewport=PHONE, phone=True))
    sign_in(page, server, MEMBER[1])
    goto(page, server.url(setup.follow_path))
    return page


def clock_text(page: Page) -> str:
    # text_content, not inner_text: a flashing clock is invisible half of the time.
    return (main(page).get_by_text(CLOCK).first.text_content(timeout=2000) or "").strip()


class Reruns:
    """Counts what the browser asks of Streamlit over its websocket (a rerun is such a message)."""

    def __init__(self, page: Page) -> None:
        self.asked = 0
        page.on("websocket", self._watch)

    def _watch(self, socket: WebSocket) -> None:
        if "/_stcore/stream" in socket.url:
            socket.on("framesent", self._sent)

    def _sent(self, _payload: object) -> None:
        self.asked += 1


def test_the_projector_follows_next_phase_and_a_phone_s_question_without_waiting_for_a_timer(
    push_server, session, open_page
):
    server = push_server["server"]
    session.begin()
    projector = projector_of(open_page, server, session)
    expect(main(projector).get_by_role("heading", level=1, name=session.phase_name("en"))).to_be_visible()
    settle(projector)

    session.go_to(1)  # "Next phase", as the console does it
    took = wait_until(shows(main(projector), session.phase_name("en", 1)), timeout=TOLD_WITHIN)
    print(f"\nprojector followed the next phase after {took:.2f}s")

    session.go_to(INFORMATION_ROUND)
    expect(main(projector).get_by_role("heading", level=1, name="Information round")).to_be_visible(timeout=5000)
    phone = phone_of(open_page, server, session)
    question = "Wat maakte dat je die ochtend niets zei?"
    main(phone).get_by_label(either("live.text")).fill(question)
    main(phone).get_by_role("button", name=either("live.send")).click()
    took = wait_until(shows(main(projector), question), timeout=TOLD_WITHIN)
    print(f"the phone's question reached the projector after {took:.2f}s")

    # And the phone follows the next phase by itself, its send field with it.
    session.go_to(INFORMATION_ROUND + 1)
    took = wait_until(shows(main(phone), session.phase_name("nl", INFORMATION_ROUND + 1)), timeout=TOLD_WITHIN)
    print(f"the phone followed the next phase after {took:.2f}s")
    assert not projector.js_errors and not phone.js_errors


def test_a_running_console_follows_a_step_and_a_question_made_elsewhere(push_server, session, open_page):
    """A second device moves the phase on, a phone sends a question: the console follows both (it has one
    listener; two fragments told at once would be rerun as one)."""
    server = push_server["server"]
    session.begin()
    console = open_page(locale="en-US", viewport=PROJECTOR)
    sign_in(console, server, "jeroen.bakker@demo.example")
    goto(console, server.url("/session"))
    expect(main(console).get_by_role("heading", name=session.phase_name("nl"))).to_be_visible()
    settle(console)
    for phase in (1, INFORMATION_ROUND):
        session.go_to(phase)
        heading = main(console).get_by_role("heading", name=session.phase_name("nl", phase))
        took = wait_until(lambda heading=heading: heading.count() > 0, timeout=TOLD_WITHIN)
        print(f"\nthe console followed phase {phase + 1} after {took:.2f}s")
    settle(console)
    session.add_to_board("question", "Wie wist er nog meer van?")
    took = wait_until(shows(main(console), "Wie wist er nog meer van?"), timeout=TOLD_WITHIN)
    print(f"the question reached the console's board after {took:.2f}s")
    assert not console.js_errors


def test_the_countdown_ticks_in_the_browser_and_asks_for_one_redraw_when_time_is_up(push_server, session, open_page):
    server = push_server["server"]
    projector = projector_of(open_page, server, session)  # in the check-in: no clock yet
    reruns = projector.reruns
    settle(projector)
    session.begin(seconds_ago=session.phase(0).minutes * 60 - LEFT)  # the phase starts with LEFT seconds to go
    expect(main(projector).get_by_role("heading", level=1, name=session.phase_name("en"))).to_be_visible(
        timeout=TOLD_WITHIN * 1000
    )
    settle(projector)
    asked_before = reruns.asked
    first = clock_seconds(clock_text(projector))
    assert 0 < first <= LEFT, first
    # Counting down while the browser asks the server nothing (before time is up).
    wait_until(lambda: clock_seconds(clock_text(projector)) < first, timeout=3)
    assert reruns.asked == asked_before, "the digits ticked without a rerun"

    # Time is up: the browser asks for one redraw, which draws the flashing red clock.
    flashing = main(projector).locator(".projector-time-up")
    expect(flashing).to_be_attached(timeout=(LEFT + TOLD_WITHIN) * 1000)
    assert reruns.asked > asked_before
    wait_until(lambda: clock_text(projector).startswith("−"), timeout=3)
    assert not projector.js_errors


def test_the_console_logs_the_overrun_the_moment_time_is_up(push_server, session, open_page):
    from intervision import live

    server = push_server["server"]
    console = open_page(locale="en-US", viewport=PROJECTOR)
    sign_in(console, server, "jeroen.bakker@demo.example")
    goto(console, server.url("/session"))  # in the check-in
    settle(console)
    session.begin(seconds_ago=session.phase(0).minutes * 60 - LEFT)  # begun elsewhere: a second device
    expect(main(console).get_by_role("heading", name=session.phase_name("nl"))).to_be_visible(
        timeout=TOLD_WITHIN * 1000
    )

    def logged() -> bool:
        observations = live.observations(server.database, session.facilitator(), session.session_id)
        return any(observation.category == "time_overrun" for observation in observations)

    assert not logged()
    took = wait_until(logged, timeout=LEFT + TOLD_WITHIN)
    print(f"\nthe overrun was logged {took:.2f}s after the console opened")


def test_after_a_restart_the_screens_listen_again_by_themselves(push_server, session, open_page):
    server = push_server["server"]
    session.begin()
    projector = projector_of(open_page, server, session)
    phone = phone_of(open_page, server, session)
    expect(main(projector).get_by_role("heading", level=1, name=session.phase_name("en"))).to_be_visible()
    expect(main(phone).get_by_role("heading", name=session.phase_name("nl"))).to_be_visible()

    wait_until(lambda: projector.streams_opened >= 1 and phone.streams_opened >= 1, timeout=10)
    opened = (projector.streams_opened, phone.streams_opened)
    server.stop()
    # The streams end the moment the server is told to stop (SIGTERM): it need not be killed (SIGKILL).
    assert server.process.returncode != -9, "the open streams kept the server from stopping"
    expect(projector.locator('[data-testid="stApp"]:not([data-test-connection-state="CONNECTED"])')).to_be_attached()
    restarted = push_server["start"]()
    expect(projector.locator('[data-testid="stApp"][data-test-connection-state="CONNECTED"]')).to_be_attached(
        timeout=30_000
    )
    expect(phone.locator('[data-testid="stApp"][data-test-connection-state="CONNECTED"]')).to_be_attached(
        timeout=30_000
    )
    # Both open their change stream again (EventSource reconnects, or is opened again after a refusal).
    wait_until(lambda: projector.streams_opened > opened[0] and phone.streams_opened > opened[1], timeout=20)

    session.go_to(1)
    wait_until(shows(main(projector), session.phase_name("en", 1)), timeout=TOLD_WITHIN)
    wait_until(shows(main(phone), session.phase_name("nl", 1)), timeout=TOLD_WITHIN)
    assert restarted.process.poll() is None
    assert not projector.js_errors and not phone.js_errors
