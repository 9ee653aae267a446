"""The two HTTP routes that set and clear the sign-in cookie (HttpOnly, SameSite=Lax).

JavaScript never sees the session token: the sign-in form hands the browser a single-use ticket, and
the route below exchanges it for the cookie.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from intervision import auth
from intervision.config import SESSION_COOKIE, SESSION_LIFETIME

SIGN_IN_ROUTE = "/_intervision/signed-in"
SIGN_OUT_ROUTE = "/_intervision/signed-out"


def sign_in_url(ticket: str) -> str:
    return f"{SIGN_IN_ROUTE}?ticket={ticket}"


def _signed_in(request: Request) -> RedirectResponse:
    response = RedirectResponse("/", status_code=303)
    token = auth.redeem_cookie_ticket(request.query_params.get("ticket", ""))
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
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response


routes = [
    Route(SIGN_IN_ROUTE, _signed_in, methods=["GET"]),
    Route(SIGN_OUT_ROUTE, _signed_out, methods=["GET"]),
]
