"""Fixtures for the real-browser tests: a fresh `streamlit run app.py` per test or module, and Chromium.

Every server runs on a free port with its own temporary database (INTERVISION_DB). Every page opens in
a browser context of its own, so sessions and cookies never leak between tests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from e2e_support import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    Server,
    free_port,
    launch_server,
    seed_demo,
    start_server,
)
from live_support import start_server_on
from mail_server import MailServer
from playwright.sync_api import Browser, Page, sync_playwright

HERE = Path(__file__).parent
DESKTOP = {"width": 1280, "height": 900}
PROJECTOR = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test here needs Chromium: skip it (and only then) when Chromium is not installed."""
    if CHROMIUM.exists():
        return
    missing = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(missing)


# --- servers ------------------------------------------------------------------------------------


def _stop(server: Server) -> None:
    server.stop()
    if "Traceback" in server.log():  # shown with a failing test's captured output
        print(f"--- server log {server.log_path} ---\n{server.log()}")


@pytest.fixture
def fresh_server(tmp_path: Path) -> Iterator[Server]:
    """A just-started server on an empty database: the first-run screen."""
    server = start_server(tmp_path / "fresh")
    yield server
    _stop(server)


@pytest.fixture
def fresh_demo_server(tmp_path: Path) -> Iterator[Server]:
    """A just-started server whose database held the demo organisation before it started."""
    server = start_server(tmp_path / "fresh-demo", demo=True)
    yield server
    _stop(server)


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A demo-seeded server shared by tests that may add to it, never take away; each test signs in in
    its own browser context."""
    server = start_server(tmp_path_factory.mktemp("demo"), demo=True)
    yield server
    _stop(server)


@pytest.fixture
def mail_demo_server(tmp_path: Path) -> Iterator[tuple[Server, MailServer]]:
    """A demo server that mails through a real SMTP server running in this test (tests/mail_server.py); the
    links in its mails lead back to it."""
    mail = MailServer()
    mail.start()
    directory = tmp_path / "mail-demo"
    directory.mkdir()
    seed_demo(directory / "intervision.db")
    port = free_port()
    settings = mail.environment() | {"INTERVISION_PUBLIC_URL": f"http://127.0.0.1:{port}"}
    server = launch_server(port, directory / "intervision.db", directory / f"server-{port}.log", settings=settings)
    yield server, mail
    _stop(server)
    mail.stop()


@pytest.fixture(scope="session")
def empty_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """An empty server shared by tests that look at the first run but never complete it."""
    server = start_server(tmp_path_factory.mktemp("empty"))
    yield server
    _stop(server)


# --- the browser --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(chromium: Browser) -> Iterator[Callable[..., Page]]:
    """open_page(locale="en-US", viewport=DESKTOP, phone=False): a page in a browser context of its own.

    Uncaught JavaScript errors are collected in `page.js_errors`.
    """
    contexts = []

    def open_(locale: str = "en-US", viewport: dict[str, int] = DESKTOP, phone: bool = False) -> Page:
        options: dict[str, object] = {"locale": locale, "viewport": viewport}
        if phone:
            options |= {"is_mobile": True, "has_touch": True, "device_scale_factor": 2}
        context = chromium.new_context(**options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.js_errors = []
        page.on("pageerror", lambda error: page.js_errors.append(str(error)))
        return page

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where screenshots go (gitignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def restartable(tmp_path: Path) -> Iterator[dict]:
    """A demo database and a fixed free port; the test starts (and kills) servers on them, and the phones
    keep their address across a restart."""
    db_path = tmp_path / "intervision.db"
    seed_demo(db_path)
    state: dict = {"port": free_port(), "db_path": db_path, "log_path": tmp_path / "server.log", "servers": []}

    def start() -> Server:
        server = start_server_on(state["port"], db_path, state["log_path"])
        state["servers"].append(server)
        return server

    state["start"] = start
    yield state
    for server in state["servers"]:
        server.stop()
    log = state["log_path"].read_text(errors="replace") if state["log_path"].exists() else ""
    if "Traceback" in log:
        print(f"--- server log {state['log_path']} ---\n{log}")
