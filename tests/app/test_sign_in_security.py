"""Sign-in security as a browser meets it: an ended or expired sign-in, signing out everywhere, no telling
whether an address has an account, the sign-in cookie's flags, tickets tied to their browser, no sign-in or
sign-out started by another site, and the browser's address and HTTPS behind a trusted proxy.

What is already proven elsewhere is not repeated: the waits after failures, hashing and session lifetime in the
core (tests/unit/test_auth.py, test_client_address.py); the generic message for a wrong password and an unknown
address, the wait message, signing out and a token that was signed out (tests/app/test_sign_in.py,
test_router.py, test_profile.py); the cookie's HttpOnly and SameSite over plain HTTP in a real browser
(tests/e2e/test_browser.py); the real server behind a proxy on 127.0.0.1 (tests/e2e/test_behind_proxy.py).
The product has no "forgot password" flow, so the sign-in form is the only place an address is tried.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from http.cookies import SimpleCookie

import pytest
from driving import (
    COORDINATOR_EMAIL,
    SIGN_IN_FIRST,
    app,
    assert_healthy,
    click,
    deep_link,
    fill,
    open_page,
    query,
    refusals,
    texts,
    values,
)
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route
from streamlit.testing.v1 import AppTest

from intervision import accounts, auth, clock
from intervision.config import BROWSER_COOKIE, SESSION_COOKIE, SESSION_LIFETIME
from intervision.database import configured as configured_database
from intervision.models import Person, Role
from ui.cookie_routes import SIGN_IN_ROUTE, SIGN_OUT_ROUTE, BrowserBinding, routes
from ui.proxy import TrustedProxyHeaders

SIGN_IN = "Sign in"


def _emma() -> Person:
    """A demo participant who reads English."""
    found = accounts.person_by_email(configured_database(), "emma.clarke@demo.example")
    assert found is not None
    return found


def _browser(person: Person, token: str | None = None) -> AppTest:
    """A browser of this person (its own sign-in session unless `token` is given), in English."""
    at = app(None)
    at.session_state["sign_in_token"] = token or auth.open_session_for(configured_database(), person.id)
    at.session_state["language"] = "en"
    return at


def _signed_out_screen(at: AppTest, person: Person) -> None:
    """The sign-in form, or only the guard's request to sign in; nobody is signed in any more (the sidebar names
    no one and offers no sign-out). The demo's sign-in form itself lists the demo's showcased addresses."""
    assert_healthy(at)
    assert values(at.title) == [SIGN_IN] or (SIGN_IN_FIRST in refusals(at) and not values(at.title))
    sidebar = [str(getattr(node, "value", "")) for node in at.sidebar]
    assert not [line for line in sidebar if person.name in line]
    assert "Sign out" not in [button.label for button in at.sidebar.button]


def _later(monkeypatch: pytest.MonkeyPatch, by: timedelta) -> None:
    """The clock the app reads a visitor's sign-in with moves on (the core reads the clock injected with the store)."""
    monkeypatch.setattr(configured_database(), "clock", clock.FixedClock(clock.utcnow() + by))


# --- an ended sign-in ----------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["through the navigation", "by a deep link"])
def test_an_expired_sign_in_opens_no_page_and_asks_to_sign_in(demo_db, how):
    """A sign-in lasts SESSION_LIFETIME; after that the token a browser still holds opens nothing."""
    emma = _emma()
    expired = auth.open_session_for(
        configured_database(), emma.id, now=clock.utcnow() - SESSION_LIFETIME - timedelta(minutes=1)
    )
    at = _browser(emma, expired)
    if how == "by a deep link":
        deep_link(at, "pages/learning_goals.py")
        assert SIGN_IN_FIRST in refusals(at)
    else:
        at.run()
        assert values(at.title) == [SIGN_IN]
    _signed_out_screen(at, emma)


def test_a_page_left_open_past_the_sign_ins_lifetime_asks_to_sign_in_on_the_next_rerun(demo_db, monkeypatch):
    """The sign-in is asked again on every rerun, not only when a page is first opened."""
    emma = _emma()
    at = open_page(_browser(emma), "pages/profile.py")
    assert emma.email in texts(at)

    _later(monkeypatch, SESSION_LIFETIME + timedelta(seconds=1))
    at.run()

    _signed_out_screen(at, emma)


def test_signing_out_everywhere_signs_out_another_open_browser_on_its_next_rerun(demo_db):
    """What the button is for: a lost phone stops being signed in at its next tap; nobody else's sign-in ends."""
    emma = _emma()
    phone = open_page(_browser(emma), "pages/cases.py")
    laptop = open_page(_browser(emma), "pages/profile.py")
    colleague = _browser(accounts.person_by_email(configured_database(), "kim.bos@demo.example"))
    open_page(colleague, "pages/cases.py")

    click(laptop, "Sign out everywhere")
    _signed_out_screen(laptop, emma)
    phone.run()

    _signed_out_screen(phone, emma)
    colleague.run()
    assert_healthy(colleague)
    assert values(colleague.title) == ["Cases"], "only Emma's sign-ins ended"


def test_signing_out_leaves_the_other_browsers_of_the_same_person_signed_in(demo_db):
    """Signing out ends this browser's sign-in; the others are what "sign out everywhere" is for."""
    emma = _emma()
    phone = open_page(_browser(emma), "pages/cases.py")
    laptop = open_page(_browser(emma), "pages/home.py")

    [sign_out] = [button for button in laptop.sidebar.button if button.label == "Sign out"]
    sign_out.click().run()
    _signed_out_screen(laptop, emma)
    phone.run()

    assert_healthy(phone)
    assert values(phone.title) == ["Cases"]


ENDED = {
    "expired": lambda monkeypatch, person: _later(monkeypatch, SESSION_LIFETIME + timedelta(seconds=1)),
    "signed out everywhere": lambda monkeypatch, person: auth.sign_out_everywhere(configured_database(), person.id),
}


def _rename_myself(at: AppTest, emma: Person) -> None:
    fill(at, {"profile.name": "Iemand anders"})
    click(at, "Save")


def _make_emma_coordinator(at: AppTest, emma: Person) -> None:
    fill(at, {"role_change.person_id": emma.id, "role_change.role": Role.COORDINATOR})
    [save] = [button for button in at.button if getattr(button, "form_id", None) == "role_change"]
    save.click().run()


# A browser left signed in (or taken over), its last page still drawn; then the sign-in ends; then a click.
CLICKS = {
    "Emma renames herself": ("emma.clarke@demo.example", "pages/profile.py", _rename_myself),
    "a coordinator makes Emma a coordinator": (
        "marieke.vandijk@demo.example",
        "pages/people.py",
        _make_emma_coordinator,
    ),
}


@pytest.mark.parametrize("ended", list(ENDED))
@pytest.mark.parametrize("what", list(CLICKS))
def test_a_click_in_a_browser_whose_sign_in_ended_changes_nothing(demo_db, monkeypatch, what, ended):
    """Ending a sign-in must also end what the browser's last drawn page can still do."""
    email, page, act = CLICKS[what]
    person, emma = accounts.person_by_email(configured_database(), email), _emma()
    left_open = open_page(_browser(person), page)
    ENDED[ended](monkeypatch, person)

    act(left_open, emma)

    _signed_out_screen(left_open, person)
    assert query("SELECT name, role FROM people WHERE id = ?", (emma.id,)) == [(emma.name, emma.role.value)]


# --- no telling whether an address has an account ----------------------------------------------------


def _failed_sign_in(email: str, password: str) -> AppTest:
    at = app().run()
    fill(at, {"sign_in.email": email, "sign_in.password": password})
    return click(at, SIGN_IN)


def _screen(at: AppTest) -> list[tuple[str, str]]:
    """What is drawn, in order, leaving out what the visitor typed themselves (the e-mail field's value)."""
    return [(node.type, str(getattr(node, "value", ""))) for node in at.main if node.type != "text_input"]


def test_an_unknown_address_and_a_wrong_password_draw_the_same_screen(organisation_db):
    """Whoever tries addresses learns from the screen not whether one has an account; nor from a wait, which
    is counted per typed address whether it has an account or not (tests/app/test_sign_in.py)."""
    wrong = _failed_sign_in(COORDINATOR_EMAIL, "niet het wachtwoord")
    unknown = _failed_sign_in("niemand@proef.example", "niet het wachtwoord")

    assert _screen(unknown) == _screen(wrong)
    assert values(wrong.error) and "sign_in_token" not in wrong.session_state


# --- the sign-in cookie ------------------------------------------------------------------------------------

HOST = "intervision.example.org"
BROWSER = "this browser's binding cookie"


def _site() -> Starlette:
    """The app's own HTTP layer: its middleware and cookie routes, with a page and an echo of the request."""

    def page(request: Request) -> HTMLResponse:
        return HTMLResponse("<html></html>")

    def who(request: Request) -> JSONResponse:
        return JSONResponse({"client": request.client.host if request.client else None, "scheme": request.url.scheme})

    return Starlette(
        routes=[*routes, Route("/", page), Route("/who", who)],
        middleware=[Middleware(TrustedProxyHeaders, trusted="127.0.0.1"), Middleware(BrowserBinding)],
    )


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def cookies(self) -> SimpleCookie:
        cookie = SimpleCookie()
        for name, value in self.headers:
            if name == "set-cookie":
                cookie.load(value)
        return cookie


def _get(
    url: str,
    *,
    scheme: str = "https",
    cookies: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    peer: str = "198.51.100.7",
) -> Answer:
    """A GET through the app's HTTP layer, as uvicorn hands it over (the ASGI scope, `peer` as the socket saw it)."""
    raw = [(b"host", HOST.encode())] + [
        (name.lower().encode(), value.encode()) for name, value in (headers or {}).items()
    ]
    if cookies:
        raw.append((b"cookie", "; ".join(f"{name}={value}" for name, value in cookies.items()).encode()))
    path, _, query_string = url.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": scheme,
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": query_string.encode(),
        "headers": raw,
        "client": (peer, 50000),
        "server": (HOST, 443 if scheme == "https" else 80),
    }
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(_site()(scope, receive, send))
    start = next(message for message in sent if message["type"] == "http.response.start")
    body = b"".join(message.get("body", b"") for message in sent if message["type"] == "http.response.body")
    return Answer(start["status"], [(name.decode(), value.decode()) for name, value in start["headers"]], body)


def _ticket(emma: Person, browser: str = BROWSER) -> str:
    return auth.issue_cookie_ticket(
        configured_database(), auth.open_session_for(configured_database(), emma.id), browser
    )


def _sign_in_trip(ticket: str, browser: str | None = BROWSER, scheme: str = "https", **headers: str) -> Answer:
    """The browser's trip to the cookie route, as the sign-in form starts it (from this app's own page)."""
    cookies = {BROWSER_COOKIE: browser} if browser else None
    return _get(f"{SIGN_IN_ROUTE}?ticket={ticket}", scheme=scheme, cookies=cookies, headers=headers or SAME_ORIGIN)


SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}
CROSS_SITE = {
    "another site's link": {"Sec-Fetch-Site": "cross-site"},
    "a sibling subdomain's link": {"Sec-Fetch-Site": "same-site"},
    "another site, older browser (Origin)": {"Origin": "https://elsewhere.example"},
    "another site, older browser (Referer)": {"Referer": "https://elsewhere.example/page"},
}


def test_over_https_the_cookie_is_secure_httponly_samesite_and_lives_as_long_as_the_sign_in(demo_db):
    """The cookie is the sign-in: no script may read it (HttpOnly), another site's form does not carry it
    (SameSite=Lax), and over HTTPS it never travels unencrypted (Secure)."""
    emma = _emma()
    answer = _sign_in_trip(_ticket(emma))

    assert answer.status == 303
    morsel = answer.cookies()[SESSION_COOKIE]
    assert morsel["secure"] is True and morsel["httponly"] is True
    assert morsel["samesite"].lower() == "lax" and morsel["path"] == "/"
    assert int(morsel["max-age"]) == int(SESSION_LIFETIME.total_seconds())
    assert auth.signed_in_person(configured_database(), morsel.value).id == emma.id, (
        "the cookie holds the sign-in, not the ticket"
    )


def test_over_plain_http_the_cookie_is_not_marked_secure(demo_db):
    """Served on localhost or behind a proxy that does not say HTTPS (docs/deployment.md): a Secure cookie
    would not come back, and nobody could stay signed in."""
    morsel = _sign_in_trip(_ticket(_emma()), scheme="http").cookies()[SESSION_COOKIE]
    assert not morsel["secure"] and morsel["httponly"] is True


@pytest.mark.parametrize("ticket", ["used", "unknown", "missing"])
def test_a_used_unknown_or_missing_ticket_sets_no_cookie(demo_db, ticket):
    """A ticket that leaked (in a log, the browser's history) signs nobody in a second time."""
    used = _ticket(_emma())
    _sign_in_trip(used)
    answer = _sign_in_trip({"used": used, "unknown": "verzonnen", "missing": ""}[ticket])

    assert answer.status == 303
    assert SESSION_COOKIE not in answer.cookies()


@pytest.mark.parametrize("browser", ["another browser", None])
def test_a_ticket_signs_in_no_other_browser(demo_db, browser):
    """Someone signs in to their own account and sends the ticket's link to a colleague: the colleague's browser
    (another binding cookie, or none) is not signed in to the sender's account."""
    ticket = _ticket(_emma())

    answer = _sign_in_trip(ticket, browser=browser)

    assert answer.status == 303 and SESSION_COOKIE not in answer.cookies()
    assert SESSION_COOKIE not in _sign_in_trip(ticket).cookies(), "and the ticket is used up"


@pytest.mark.parametrize("how", list(CROSS_SITE))
def test_a_sign_in_link_on_another_site_signs_nobody_in(demo_db, how):
    answer = _sign_in_trip(_ticket(_emma()), **CROSS_SITE[how])

    assert answer.status == 303 and answer.cookies() == SimpleCookie()


def _signed_in_browser(emma: Person) -> dict[str, str]:
    return {BROWSER_COOKIE: BROWSER, SESSION_COOKIE: auth.open_session_for(configured_database(), emma.id)}


def test_the_sign_out_route_ends_the_sign_in_on_the_server_and_clears_the_cookie_with_the_same_flags(demo_db):
    """A browser only drops a cookie that is cleared with the path it was set with; and a copy of the cookie
    (kept by someone who had the browser for a moment) opens nothing any more."""
    emma = _emma()
    cookies = _signed_in_browser(emma)

    answer = _get(SIGN_OUT_ROUTE, cookies=cookies, headers=SAME_ORIGIN)

    morsel = answer.cookies()[SESSION_COOKIE]
    assert morsel.value in ("", '""') and int(morsel["max-age"]) == 0
    assert morsel["httponly"] is True and morsel["samesite"].lower() == "lax" and morsel["path"] == "/"
    assert auth.signed_in_person(configured_database(), cookies[SESSION_COOKIE]) is None
    assert query("SELECT action FROM audit_log ORDER BY id DESC LIMIT 1") == [("sign_out",)]


@pytest.mark.parametrize("how", list(CROSS_SITE))
def test_a_sign_out_link_on_another_site_leaves_the_cookie_and_the_sign_in(demo_db, how):
    emma = _emma()
    cookies = _signed_in_browser(emma)

    answer = _get(SIGN_OUT_ROUTE, cookies=cookies, headers=CROSS_SITE[how])

    assert answer.status == 303 and answer.cookies() == SimpleCookie()
    assert auth.signed_in_person(configured_database(), cookies[SESSION_COOKIE]).id == emma.id


def test_a_browser_gets_its_binding_cookie_with_its_first_page_and_keeps_it(demo_db):
    first = _get("/").cookies()[BROWSER_COOKIE]
    assert len(first.value) >= 40 and first["httponly"] is True and first["secure"] is True
    assert first["samesite"].lower() == "lax" and first["path"] == "/"
    assert not _get("/", scheme="http").cookies()[BROWSER_COOKIE]["secure"]
    assert BROWSER_COOKIE not in _get("/", cookies={BROWSER_COOKIE: first.value}).cookies(), "kept, not replaced"
    assert BROWSER_COOKIE not in _get("/who").cookies(), "only pages set it"


# --- behind a reverse proxy ----------------------------------------------------------------------------

PROXY_SAYS_HTTPS = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.50"}


@pytest.mark.parametrize("peer", ["127.0.0.1", "::ffff:127.0.0.1"])
def test_behind_the_trusted_proxy_the_app_sees_the_browsers_address_and_https(peer):
    """FORWARDED_ALLOW_IPS=127.0.0.1 as documented, on a server listening on IPv4 and IPv6 (the proxy then
    connects as ::ffff:127.0.0.1). Uvicorn handles the plain form before the app (not in this test)."""
    answer = _get("/who", scheme="http", headers=PROXY_SAYS_HTTPS, peer=peer)

    expected = (
        {"client": "203.0.113.50", "scheme": "https"} if peer != "127.0.0.1" else {"client": peer, "scheme": "http"}
    )
    assert json.loads(answer.body) == expected


def test_behind_the_trusted_proxy_the_sign_in_cookie_is_secure(demo_db):
    cookies = {BROWSER_COOKIE: BROWSER}
    url = f"{SIGN_IN_ROUTE}?ticket={_ticket(_emma())}"
    answer = _get(url, scheme="http", cookies=cookies, headers=SAME_ORIGIN | PROXY_SAYS_HTTPS, peer="::ffff:127.0.0.1")

    assert answer.cookies()[SESSION_COOKIE]["secure"] is True


@pytest.mark.parametrize("peer", ["::ffff:198.51.100.9", "198.51.100.9", "2001:db8::9"])
def test_forwarded_headers_from_anyone_else_are_not_believed(peer, caplog):
    answer = _get("/who", scheme="http", headers=PROXY_SAYS_HTTPS, peer=peer)

    assert json.loads(answer.body) == {"client": peer.removeprefix("::ffff:"), "scheme": "http"}


def test_https_through_a_proxy_that_is_not_trusted_is_warned_about_once(caplog):
    """Otherwise nobody notices that the sign-in cookie goes out without Secure."""
    app = _site()
    scope = {
        "type": "http",
        "method": "GET",
        "scheme": "http",
        "path": "/who",
        "query_string": b"",
        "headers": [(b"host", HOST.encode()), (b"x-forwarded-proto", b"https")],
        "client": ("::ffff:10.0.0.2", 1),
    }
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    with caplog.at_level(logging.WARNING, logger="intervision"):
        for _ in range(3):
            asyncio.run(app(dict(scope), receive, send))
    warnings = [record.getMessage() for record in caplog.records if "FORWARDED_ALLOW_IPS" in record.getMessage()]
    assert len(warnings) == 1 and "10.0.0.2" in warnings[0] and "Secure" in warnings[0]
