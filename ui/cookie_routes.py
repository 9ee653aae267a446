"""The two HTTP routes that set and clear the sign-in cookie (HttpOnly, SameSite=Lax), and the browser's
binding cookie that a sign-in ticket is tied to.

JavaScript never sees the session token: the sign-in form hands the browser a single-use ticket, and
the route below exchanges it for the cookie. The ticket works only in the browser that asked for it (its
binding cookie, set on the first page it loaded), and neither route does anything for a request that
another site started: a link elsewhere can sign nobody in to someone else's account, nor sign anyone out.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlencode, urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import HTTPConnection, Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from intervision import auth
from intervision.config import BROWSER_COOKIE, SESSION_COOKIE, SESSION_LIFETIME
from intervision.database import configured as configured_database
from ui.registry import return_target

SIGN_IN_ROUTE = "/_intervision/signed-in"
SIGN_OUT_ROUTE = "/_intervision/signed-out"
BROWSER_COOKIE_LIFETIME = 400 * 24 * 3600  # the longest a browser keeps a cookie


def sign_in_url(ticket: str, then: str | None = None) -> str:
    """The route that sets the cookie; `then` is where the browser goes next (a return target's path)."""
    query = {"ticket": ticket} | ({"then": then} if then else {})
    return f"{SIGN_IN_ROUTE}?{urlencode(query)}"


def started_here(headers: Headers) -> bool:
    """Whether a request comes from this app's own pages (or the address bar), not from another site.

    Browsers say so in Sec-Fetch-Site; older ones are judged by Origin or Referer. A request with none of
    these is no browser following another site's link.
    """
    fetch_site = headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site in ("same-origin", "none")
    for header in ("origin", "referer"):
        if source := headers.get(header):
            return urlsplit(source).netloc == headers.get("host", "")
    return True


def _signed_in(request: Request) -> RedirectResponse:
    # Back to the link the person followed before signing in (the QR code's session), if it is one of ours.
    target = return_target(request.query_params.get("then"))
    response = RedirectResponse(target.path if target else "/", status_code=303)
    if not started_here(request.headers):
        return response
    # Presented by another browser (or one without its binding cookie), the ticket is used up for nothing.
    token = auth.redeem_cookie_ticket(
        configured_database(), request.query_params.get("ticket", ""), request.cookies.get(BROWSER_COOKIE, "")
    )
    if token:
        response.set_cookie(
            SESSION_COOKIE,
            token,
            max_age=int(SESSION_LIFETIME.total_seconds()),
            path="/",
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )
    return response


def _signed_out(request: Request) -> RedirectResponse:
    response = RedirectResponse("/", status_code=303)
    if not started_here(request.headers):
        return response
    # Ends the session on the server too: a copy of the cookie kept elsewhere opens nothing any more.
    if token := request.cookies.get(SESSION_COOKIE):
        auth.sign_out(configured_database(), token)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response


routes = [
    Route(SIGN_IN_ROUTE, _signed_in, methods=["GET"]),
    Route(SIGN_OUT_ROUTE, _signed_out, methods=["GET"]),
]


class BrowserBinding:
    """Gives every browser that loads a page a random binding cookie (HttpOnly) that it keeps; the sign-in
    form reads it over the websocket and ties its ticket to it.

    SameSite=Lax, not Strict: a page opened from another site's link (a join link in an e-mail) would not
    send a Strict cookie, get a new one, and leave a tab opened earlier holding a binding that no longer
    matches. No other site can read or set the value, so Lax binds as firmly.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or HTTPConnection(scope).cookies.get(BROWSER_COOKIE):
            await self.app(scope, receive, send)
            return

        async def send_with_binding(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if headers.get("content-type", "").startswith("text/html"):
                    headers.append("set-cookie", _binding_cookie(secure=scope.get("scheme") == "https"))
            await send(message)

        await self.app(scope, receive, send_with_binding)


def _binding_cookie(secure: bool) -> str:
    cookie = Response()
    cookie.set_cookie(
        BROWSER_COOKIE,
        secrets.token_urlsafe(32),
        max_age=BROWSER_COOKIE_LIFETIME,
        path="/",
        httponly=True,
        samesite="lax",
        secure=secure,
    )
    return cookie.headers["set-cookie"]
