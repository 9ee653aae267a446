"""Helpers shared by the browser tests: a real server on a free port, and waiting for Streamlit.

Kept out of conftest.py so that test modules can import them by name.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, expect

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


# --- the server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def seed_demo(path: Path) -> None:
    """Fill a database with the demo organisation, through the core, before any server sees it."""
    from intervision import db, demo

    db.migrate(path)
    demo.load_demo(path)


@dataclass
class Server:
    port: int
    db_path: Path
    log_path: Path
    process: subprocess.Popen = field(repr=False)

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


def start_server(directory: Path, *, demo: bool = False) -> Server:
    """`streamlit run app.py` on a free port with its own database; returns once /_stcore/health is 200."""
    directory.mkdir(parents=True, exist_ok=True)
    db_path = directory / "intervision.db"
    if demo:
        seed_demo(db_path)
    port = free_port()
    log_path = directory / f"server-{port}.log"
    env = os.environ | {
        "INTERVISION_DB": str(db_path),
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
        "PYTHONUNBUFFERED": "1",
    }
    command = [sys.executable, "-m", "streamlit", "run", "app.py"]
    command += ["--server.port", str(port), "--server.headless", "true", "--server.fileWatcherType", "none"]
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


# --- the page -----------------------------------------------------------------------------------


def settle(page: Page, pause_ms: int = 200, timeout_ms: int = 20_000) -> None:
    """Wait until Streamlit finished running the script, then give the page a moment to draw."""
    page.wait_for_selector(SETTLED, state="attached", timeout=timeout_ms)
    page.wait_for_timeout(pause_ms)
    # A rerun may have started in that moment (a callback, a trip to the cookie route): wait for it too.
    page.wait_for_selector(SETTLED, state="attached", timeout=timeout_ms)


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

    person = accounts.person_by_email(server.db_path, email)
    assert person is not None, email
    token = auth.open_session_for(server.db_path, person.id)
    page = open_page(locale="en-US", **options)
    cookie = {"name": SESSION_COOKIE, "value": token, "url": server.url("/"), "httpOnly": True, "sameSite": "Lax"}
    page.context.add_cookies([cookie])
    return page
