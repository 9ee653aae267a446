"""A live session on PostgreSQL, with two app processes behind the sticky proxy, in real Chromium.

This is the deployment for organisations that outgrow one machine (docs/deployment.md, More than one
server): the facilitator's laptop is pinned to one process, the beamer to the other, and they share only
the database. The console starts the session and moves it on; the projector, served by the other process,
must follow through the cross-process change signal alone.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import DESKTOP, PROJECTOR
from e2e_support import (
    SESSION_COOKIE,
    WELCOME,
    Server,
    button_name,
    choose,
    database_of,
    either,
    free_port,
    launch_server,
    main,
    seed_demo_into,
    settle,
    text,
)
from live_support import CASE_BRINGER, FACILITATOR, GROUP, the_open_session
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sticky_proxy import STICKY_COOKIE, StickyProxy, start_sticky_proxy

from intervision import accounts, auth
from intervision.database import Database
from intervision.models import Language

pytestmark = pytest.mark.browser

CASE_TITLE = "Een cliënt die niet meer komt opdagen"
METHOD = re.compile(r"^([✓✗] )?Incident method · 50′$")
MAX_CONTEXTS = 4  # round robin alternates; a few tries are plenty to reach the other replica


@dataclass
class Replicas:
    servers: list[Server]
    proxy: StickyProxy
    database_url: str


@pytest.fixture
def replicas(postgres_server, tmp_path: Path) -> Iterator[Replicas]:
    """The demo in a fresh PostgreSQL database, two app processes on it and the sticky proxy in front."""
    name = f"e2e_live_{uuid.uuid4().hex[:12]}"
    url = postgres_server.create_database(name)
    database = database_of(url)
    seed_demo_into(database)
    # The facilitator reads English here, so the test can use the app's English texts.
    facilitator = accounts.person_by_email(database, FACILITATOR[1])
    assert facilitator is not None
    accounts.set_language(database, facilitator.id, Language.EN)
    servers: list[Server] = []
    proxy: StickyProxy | None = None
    try:
        for replica in range(2):
            port = free_port()
            unused_file = tmp_path / f"replica{replica + 1}-unused.db"  # the URL wins over INTERVISION_DB
            servers.append(launch_server(port, unused_file, tmp_path / f"server-{port}.log", database_url=url))
        proxy = start_sticky_proxy([server.port for server in servers], tmp_path / "proxy")
        yield Replicas(servers=servers, proxy=proxy, database_url=url)
    finally:
        if proxy is not None:
            proxy.stop()
        for server in servers:
            server.stop()
            if "Traceback" in server.log():
                print(f"--- server log {server.log_path} ---\n{server.log()}")
        database.dispose()
        postgres_server.drop_database(name)


def replica_of(context: BrowserContext) -> str | None:
    return next((cookie["value"] for cookie in context.cookies() if cookie["name"] == STICKY_COOKIE), None)


def new_page(chromium: Browser, viewport: dict[str, int]) -> Page:
    context = chromium.new_context(locale="en-US", viewport=viewport)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda error: page.js_errors.append(str(error)))
    return page


def press(page: Page, key: str) -> None:
    main(page).get_by_role("button", name=button_name(text(key))).click()


def test_the_projector_on_the_other_replica_follows_the_console_on_postgresql(
    replicas: Replicas, chromium: Browser
) -> None:
    proxy = replicas.proxy
    database = database_of(replicas.database_url)
    pages: list[Page] = []

    def opened(viewport: dict[str, int]) -> Page:
        page = new_page(chromium, viewport)
        pages.append(page)
        return page

    try:
        _run_session(proxy, database, opened)
    finally:
        for page in pages:
            page.context.close()


def _run_session(proxy: StickyProxy, database: Database, opened: Callable[[dict[str, int]], Page]) -> None:
    # The facilitator's laptop: signed in before (a session cookie for the proxy's address), opens the app.
    facilitator = accounts.person_by_email(database, FACILITATOR[1])
    assert facilitator is not None
    console = opened(DESKTOP)
    token = auth.open_session_for(database, facilitator.id)
    console.context.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": proxy.url("/"), "httpOnly": True}])
    console.goto(proxy.url("/"), wait_until="domcontentloaded")
    expect(main(console).get_by_role("heading", level=1, name=WELCOME)).to_be_visible()
    console_replica = replica_of(console.context)
    assert console_replica is not None, "the proxy set no replica cookie"

    # The console starts a session for a case told on the spot.
    console.goto(proxy.url("/session"), wait_until="domcontentloaded")
    settle(console)
    main(console).get_by_text(text("live.case_on_the_spot"), exact=True).click()
    settle(console)
    title = main(console).get_by_label(text("live.spot_title"), exact=True)
    title.fill(CASE_TITLE)
    title.press("Tab")
    settle(console)
    choose(console, text("live.method"), METHOD)
    bringer = accounts.person_by_email(database, CASE_BRINGER)
    assert bringer is not None
    choose(console, text("session_role.case_bringer"), bringer.name)
    press(console, "live.start")
    expect(main(console).get_by_role("heading", name=text("live.check_in"))).to_be_visible()
    session = the_open_session(database, FACILITATOR[1], GROUP)
    assert replica_of(console.context) == console_replica, "the console moved to another replica"

    # The beamer: a browser of its own, which the proxy must send to the other process.
    projector = opened(PROJECTOR)
    projector.goto(proxy.url(session.projector_path), wait_until="domcontentloaded")
    for _ in range(MAX_CONTEXTS - 1):
        if replica_of(projector.context) not in (None, console_replica):
            break
        projector = opened(PROJECTOR)
        projector.goto(proxy.url(session.projector_path), wait_until="domcontentloaded")
    projector_replica = replica_of(projector.context)
    assert projector_replica is not None and projector_replica != console_replica, (
        f"console on {console_replica}, projector on {projector_replica}"
    )
    expect(main(projector).get_by_role("heading", level=1, name=either("projector.check_in"))).to_be_visible()

    # The facilitator ends the check-in and moves on a phase; the projector, on the other process, follows.
    press(console, "live.begin")
    expect(main(console).get_by_role("heading", name=session.phase_name("en", 0))).to_be_visible()
    # The projector speaks the group's language (Dutch in the demo), whatever the facilitator reads.
    expect(main(projector).get_by_role("heading", level=1, name=session.phase_name("nl", 0))).to_be_visible()
    settle(console)
    press(console, "live.next")
    expect(main(console).get_by_role("heading", name=session.phase_name("en", 1))).to_be_visible()
    expect(main(projector).get_by_role("heading", level=1, name=session.phase_name("nl", 1))).to_be_visible()

    assert session.session().phase_index == 1  # one press, one phase: none counted twice across processes
    assert replica_of(console.context) == console_replica
    assert replica_of(projector.context) == projector_replica
    for page in (console, projector):
        assert not page.js_errors, f"JavaScript errors: {page.js_errors}"
