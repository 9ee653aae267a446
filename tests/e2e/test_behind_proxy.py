"""The real server behind a reverse proxy on the same host, with FORWARDED_ALLOW_IPS=127.0.0.1 as documented.

Streamlit listens on "::" for IPv4 and IPv6 alike, so the proxy's requests from 127.0.0.1 arrive as
::ffff:127.0.0.1. This client plays the proxy: it connects from 127.0.0.1 and sets X-Forwarded-Proto and
X-Forwarded-For as nginx does (docs/deployment.md).
"""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from e2e_support import DEMO_PARTICIPANT_EN, Server, goto, start_server
from playwright.sync_api import expect

from intervision import accounts, auth
from intervision.config import BROWSER_COOKIE, SESSION_COOKIE
from ui.cookie_routes import sign_in_url

pytestmark = pytest.mark.browser

BROWSERS_ADDRESS = "203.0.113.50"
PROXY = {"X-Forwarded-Proto": "https", "X-Forwarded-For": BROWSERS_ADDRESS}


@pytest.fixture
def proxied_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "127.0.0.1")
    server = start_server(tmp_path / "proxied", demo=True)
    yield server
    server.stop()


def _get(server: Server, path: str, headers: dict[str, str]) -> tuple[int, SimpleCookie]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        cookies = SimpleCookie()
        for header in response.headers.get_all("set-cookie") or []:
            cookies.load(header)
        return response.status, cookies
    finally:
        connection.close()


def test_behind_the_proxy_on_127_0_0_1_the_cookies_are_secure(proxied_server):
    status, cookies = _get(proxied_server, "/", PROXY)
    assert status == 200
    binding = cookies[BROWSER_COOKIE]
    assert binding["secure"] is True and binding["httponly"] is True

    emma = accounts.person_by_email(proxied_server.database, DEMO_PARTICIPANT_EN[1])
    token = auth.open_session_for(proxied_server.database, emma.id)
    ticket = auth.issue_cookie_ticket(proxied_server.database, token, binding.value)
    trip = PROXY | {"Sec-Fetch-Site": "same-origin", "Cookie": f"{BROWSER_COOKIE}={binding.value}"}
    status, cookies = _get(proxied_server, sign_in_url(ticket), trip)

    assert status == 303
    assert cookies[SESSION_COOKIE].value == token and cookies[SESSION_COOKIE]["secure"] is True
    assert "FORWARDED_ALLOW_IPS" not in proxied_server.log(), "no warning: the proxy is trusted"


def test_behind_the_proxy_a_failed_sign_in_counts_against_the_browsers_address(proxied_server, open_page):
    """The waits after failures are per browser address: the forwarded one, not the proxy's."""
    page = open_page(locale="en-US")
    page.context.set_extra_http_headers(PROXY)
    goto(page, proxied_server.url("/"))
    email = DEMO_PARTICIPANT_EN[1]
    page.get_by_label("E-mail address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill("not the password")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_text("The e-mail address or password is not right.")).to_be_visible()

    with proxied_server.database.reading() as conn:
        counted = {row[0] for row in conn.execute("SELECT key FROM sign_in_delays")}
    assert counted == set(auth._wait_keys(email, BROWSERS_ADDRESS).rules)
