"""Real-browser tests: a fresh `streamlit run app.py` on a free port, and Debian's Chromium.

Every server gets its own temporary database (INTERVISION_DB). Pages are driven with Playwright's
sync API; `settle()` waits until Streamlit has finished the script run.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
STARTUP_TIMEOUT = 30.0
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SETTLED = '[data-testid="stApp"][data-test-script-state="notRunning"]'
RUNNING = '[data-testid="stApp"][data-test-script-state="running"]'


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test here needs a browser: mark it, and skip it only when Chromium is not installed."""
    here = Path(__file__).parent
    missing = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    for item in items:
        if here in Path(item.fspath).parents or Path(item.fspath).parent == here:
            item.add_marker(pytest.mark.browser)
            if not CHROMIUM.exists():
                item.add_marker(missing)


# --- the server ---------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def seed_demo(path: Path) -> None:
    """Fill a database with the demo organisation, through the core, before any server sees it."""
    from intervision import db, demo

    db.migrate(path)
    demo.load_demo(path=path)


@dataclass
class Server:
    port: int
    db_path: Path
    log_path: Path
    process: subprocess.Popen = field(repr=False)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.base + path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)
        except ProcessLookupError:
            pass


def start_server(directory: Path, *, demo: bool = False) -> Server:
    """`streamlit run app.py` on a free port with its own database; returns once /_stcore/health is 200."""
    directory.mkdir(parents=True, exist_ok=True)
    db_path = directory / "intervision.db"
    if demo:
        seed_demo(db_path)
    port = _free_port()
    log_path = directory / f"server-{port}.log"
    env = os.environ | {
        "INTERVISION_DB": str(db_path),
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
        "PYTHONUNBUFFERED": "1",
    }
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--server.fileWatcherType",
        "none",
    ]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = Server(port=port, db_path=db_path, log_path=log_path, process=process)
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}:\n{server.log()}")
        try:
            with urllib.request.urlopen(server.url("/_stcore/health"), timeout=1) as response:
                if response.status == 200:
                    return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"streamlit did not answer /_stcore/health within {STARTUP_TIMEOUT}s:\n{server.log()}")


def _report_server_errors(server: Server) -> None:
    """Print the server log when it holds a traceback, so a failing test shows it."""
    text = server.log()
    if "Traceback" in text:
        print(f"--- server log ({server.log_path}) ---\n{text}")


@pytest.fixture
def fresh_server(tmp_path: Path) -> Iterator[Server]:
    """A just-started server on an empty database: the first-run screen."""
    server = start_server(tmp_path / "fresh")
    yield server
    server.stop()
    _report_server_errors(server)


@pytest.fixture
def fresh_demo_server(tmp_path: Path) -> Iterator[Server]:
    """A just-started server whose database held the demo organisation before it started."""
    server = start_server(tmp_path / "fresh-demo", demo=True)
    yield server
    server.stop()
    _report_server_errors(server)


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One demo-seeded server shared by a module's tests (each test uses its own browser context)."""
    server = start_server(tmp_path_factory.mktemp("demo"), demo=True)
    yield server
    server.stop()
    _report_server_errors(server)


@pytest.fixture(scope="module")
def empty_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One empty server for a module's tests that only look at, but never complete, the first run."""
    server = start_server(tmp_path_factory.mktemp("empty"))
    yield server
    server.stop()
    _report_server_errors(server)


# --- the browser --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


PHONE = {"width": 390, "height": 844}
PROJECTOR = {"width": 1920, "height": 1080}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def open_page(chromium: object) -> Iterator[Callable[..., object]]:
    """open_page(locale="en-US", viewport=DESKTOP, mobile=False) -> a Page in a fresh browser context.

    Uncaught JavaScript errors are collected on `page.js_errors`.
    """
    contexts = []

    def open_(locale: str = "en-US", viewport: dict[str, int] = DESKTOP, mobile: bool = False) -> object:
        options: dict[str, object] = {"locale": locale, "viewport": viewport}
        if mobile:
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


def settle(page: object, pause_ms: int = 300, timeout_ms: int = 20_000) -> None:
    """Wait until Streamlit finished running the script, then give the page a moment to draw."""
    page.wait_for_selector(SETTLED, state="attached", timeout=timeout_ms)
    page.wait_for_timeout(pause_ms)
    # A rerun may start right after (a callback, a browser trip): wait for that one as well.
    page.wait_for_selector(SETTLED, state="attached", timeout=timeout_ms)


def goto(page: object, url: str) -> None:
    page.goto(url, wait_until="domcontentloaded")
    settle(page)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
