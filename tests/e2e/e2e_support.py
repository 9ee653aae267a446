"""Helpers shared by the browser tests: a real server on a free port, and waiting for Streamlit.

Kept out of conftest.py so that test modules can import them by name.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import BrowserContext, Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from intervision.database import Database

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
SESSION_COOKIE = "intervision_session"
DEMO_PASSWORD = "demo-intervisie"
DEMO_DOMAIN = "@demo.example"
DEMO_COORDINATOR = ("Marieke van Dijk", "marieke.vandijk@demo.example")
DEMO_GROUPS = (
    "Leidinggevenden Zorg",
    "Wijkverpleging Noord",
    "Onderwijsteam Basisschool De Regenboog",
    "Jeugdhulp Gent",
)
# A demo participant whose language is English, and one whose language is Dutch.
DEMO_PARTICIPANT_EN = ("Emma Clarke", "emma.clarke@demo.example")
DEMO_PARTICIPANT_NL = ("Sofie Claes", "sofie.claes@demo.example")
# Texts in either language, for people whose language the demo chose.
WELCOME = re.compile(r"^(Welcome|Welkom), ")
SIGN_OUT = re.compile(r"^(Sign out|Uitloggen)$")
SIGN_IN_TITLE = re.compile(r"^(Sign in|Inloggen)$")
# An exception type as Python prints it, e.g. "AttributeError:" or "KeyError('x')".
EXCEPTION_TEXT = re.compile(r"\b[A-Z][A-Za-z]*(Error|Exception)\b[:(]|Traceback \(most recent call last\)")

expect.set_options(timeout=15_000)


def text(key: str, language: str = "en", **params: object) -> str:
    """A text from the app's own catalog, so a test survives a copy edit."""
    from intervision.i18n import t
    from intervision.models import Language

    return t(key, Language(language), **params)


def either(key: str, **params: object) -> re.Pattern[str]:
    """The English or the Dutch text, exactly: for people whose language the demo chose."""
    return re.compile(f"^({re.escape(text(key, 'en', **params))}|{re.escape(text(key, 'nl', **params))})$")


def button_name(label: str | re.Pattern[str]) -> re.Pattern[str]:
    """A button's accessible name: its label, exactly, and the keyboard shortcut Streamlit adds to some
    ("Volgende fase Shortcut →" for the console's next phase)."""
    exact = label.pattern.removeprefix("^").removesuffix("$") if isinstance(label, re.Pattern) else re.escape(label)
    return re.compile(f"^(?:{exact})(?: Shortcut .+)?$")


# --- the server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# The demo is seeded once per test process into this file and copied for each server that needs it:
# seeding hashes a password and writes a whole organisation, copying a file takes milliseconds.
_demo_template: Path | None = None
_databases: dict[str, Database] = {}


def database_at(path: Path) -> Database:
    """The Database of a SQLite file, one per file for the whole test process (an engine is not free)."""
    key = str(path.resolve())
    if key not in _databases:
        _databases[key] = Database.for_path(path)
    return _databases[key]


def database_of(url: str) -> Database:
    """The Database at a PostgreSQL URL, one per URL for the whole test process."""
    if url not in _databases:
        _databases[url] = Database(url, pool_size=2, max_overflow=4)
    return _databases[url]


def _seed_template() -> Path:
    global _demo_template
    if _demo_template is None:
        from intervision import demo

        directory = Path(tempfile.mkdtemp(prefix="intervision-demo-template-"))
        atexit.register(shutil.rmtree, directory, ignore_errors=True)
        path = directory / "demo.db"
        template = Database.for_path(path)
        template.migrate()
        demo.load_demo(template)
        template.dispose()
        _demo_template = path
    return _demo_template


def seed_demo(path: Path) -> None:
    """Fill a database file with the demo organisation before any server sees it: a copy of the demo
    seeded once per test process (SQLite's backup API, so the copy is consistent whatever the WAL holds)."""
    with closing(sqlite3.connect(_seed_template())) as source, closing(sqlite3.connect(path)) as copy:
        source.backup(copy)


def seed_demo_into(database: Database) -> None:
    """Fill an empty database (on either engine) with the demo organisation, through the core."""
    from intervision import demo

    database.migrate()
    demo.load_demo(database)


@dataclass
class Server:
    port: int
    db_path: Path
    log_path: Path
    process: subprocess.Popen = field(repr=False)
    database_url: str = ""  # set when the server runs on PostgreSQL (db_path is then unused)

    @property
    def database(self) -> Database:
        """What the server stores in, for the test to read or prepare through the core."""
        return database_of(self.database_url) if self.database_url else database_at(self.db_path)

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        """End the server's whole process group (it was started in a session of its own)."""
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


def launch_server(
    port: int, db_path: Path, log_path: Path, *, database_url: str = "", settings: dict[str, str] | None = None
) -> Server:
    """`streamlit run app.py` on this port, on the SQLite file or (with database_url) on PostgreSQL, in a
    process group of its own, with extra environment `settings` (a mail server); returns once
    /_stcore/health answers 200."""
    env = os.environ | {
        "INTERVISION_DB": str(db_path),
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
        "PYTHONUNBUFFERED": "1",
        **(settings or {}),
    }
    if database_url:
        env["INTERVISION_DATABASE_URL"] = database_url
    else:
        env.pop("INTERVISION_DATABASE_URL", None)
    command = [sys.executable, "-m", "streamlit", "run", "app.py"]
    command += ["--server.port", str(port), "--server.headless", "true", "--server.fileWatcherType", "none"]
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = Server(port=port, db_path=db_path, log_path=log_path, process=process, database_url=database_url)
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
        time.sleep(0.05)  # polling for the port to open, not a fixed wait
    server.stop()
    raise RuntimeError(f"streamlit did not answer /_stcore/health within {STARTUP_TIMEOUT}s:\n{server.log()}")


def start_server(directory: Path, *, demo: bool = False, settings: dict[str, str] | None = None) -> Server:
    """`streamlit run app.py` on a free port with its own database file (the demo in it when asked)."""
    directory.mkdir(parents=True, exist_ok=True)
    db_path = directory / "intervision.db"
    if demo:
        seed_demo(db_path)
    port = free_port()
    return launch_server(port, db_path, directory / f"server-{port}.log", settings=settings)


# --- the page -----------------------------------------------------------------------------------


def settle(page: Page, pause_ms: int = 200, timeout_ms: int = 20_000) -> None:
    """Wait until Streamlit finished running the script, then give the page a moment to draw."""
    page.wait_for_selector(SETTLED, state="attached", timeout=timeout_ms)
    page.wait_for_timeout(pause_ms)
    # A rerun may have started in that moment (a callback, a trip to the cookie route): wait for it too.
    page.wait_for_selector(SETTLED, state="attached", timeout=timeout_ms)


def redrawn(page: Page) -> None:
    """Wait until the browser has laid out and painted what changed (after a resize, say): two animation
    frames, since layout and resize observers run before the first one's paint."""
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


def goto(page: Page, url: str) -> None:
    page.goto(url, wait_until="domcontentloaded")
    settle(page)


def main(page: Page) -> object:
    """The page's main area (not the sidebar or the navigation)."""
    return page.locator('[data-testid="stMain"]')


def visible_text(page: Page) -> str:
    """Everything the page shows as text, including the cells of data frames (drawn on a canvas).

    A data frame's cells are not in the DOM as text; its accessibility table holds the rows it shows.
    """
    text = page.locator("body").inner_text()
    for table in page.locator('[data-testid="stDataFrame"] table').all():
        text += "\n" + (table.text_content() or "")
    return text


def error_boxes(page: Page) -> list[str]:
    return [box.inner_text() for box in page.locator('[data-testid="stAlertContentError"]').all()]


def sign_in(page: Page, server: Server, email: str, password: str = DEMO_PASSWORD, *, go: bool = True) -> None:
    """Sign in through the form and wait for the round-trip that sets the cookie to reach the home page.

    With go=False the page already shows the sign-in form.
    """
    if go:
        goto(page, server.url("/"))
    page.get_by_label("E-mail address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", level=1, name=WELCOME)).to_be_visible()
    settle(page)


def session_cookie(context: BrowserContext) -> dict | None:
    return next((cookie for cookie in context.cookies() if cookie["name"] == SESSION_COOKIE), None)


def signed_in_page(open_page: Callable[..., Page], server: Server, email: str, **options: object) -> Page:
    """A page in a browser that signed in before: it holds the cookie of a sign-in session opened through
    the core. (The sign-in form has tests of its own, and five sign-ins through it take half a minute on
    a busy machine.)"""
    from intervision import accounts, auth

    person = accounts.person_by_email(server.database, email)
    assert person is not None, email
    token = auth.open_session_for(server.database, person.id)
    page = open_page(locale="en-US", **options)
    cookie = {"name": SESSION_COOKIE, "value": token, "url": server.url("/"), "httpOnly": True, "sameSite": "Lax"}
    page.context.add_cookies([cookie])
    return page


def choose(page: Page, label: str, option: str | re.Pattern[str], within: Locator | None = None) -> None:
    """Pick an option in a Streamlit select box (the first tap after a rerun sometimes opens nothing)."""
    box = (within or main(page)).get_by_label(label, exact=True)
    for _ in range(5):
        box.click()
        try:
            page.get_by_role("option", name=option, exact=isinstance(option, str)).first.click(timeout=2000)
        except PlaywrightTimeoutError:
            page.keyboard.press("Escape")
            continue
        settle(page)
        return
    raise AssertionError(f"the select box {label} did not open")
