"""Requests that came through a reverse proxy: the browser's address and scheme, as far as the proxy is trusted.

Uvicorn already believes `X-Forwarded-For` and `X-Forwarded-Proto` from the peers in FORWARDED_ALLOW_IPS,
but Streamlit listens on "::" for IPv4 and IPv6 alike, so a proxy at 127.0.0.1 connects as
`::ffff:127.0.0.1`, which uvicorn does not find among `127.0.0.1`: the documented setting never matched
and the sign-in cookie lost its Secure flag. This middleware does for such peers what uvicorn meant to do.
"""

from __future__ import annotations

import logging
import threading

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from intervision.client_address import TrustedProxies, client_address, plain_address
from intervision.config import trusted_proxies_setting

log = logging.getLogger("intervision")
_FORWARDED_SCHEMES = ("http", "https", "ws", "wss")


class TrustedProxyHeaders:
    def __init__(self, app: ASGIApp, trusted: str | None = None) -> None:
        self.app = app
        self.setting = trusted_proxies_setting() if trusted is None else trusted
        self.trusted = TrustedProxies(self.setting)
        self._warned = threading.Event()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            scope = self._as_the_proxy_says(scope)
            self._warn_once_if_https_is_lost(scope)
        await self.app(scope, receive, send)

    def _as_the_proxy_says(self, scope: Scope) -> Scope:
        client = scope.get("client")
        peer = plain_address(client[0]) if client else None
        if not client or peer == client[0]:
            return scope  # uvicorn compared this peer as it is: its answer stands
        scope = dict(scope)
        scope["client"] = (peer, client[1])
        if not self.trusted.trusts(peer):
            return scope
        headers = Headers(scope=scope)
        proto = headers.get("x-forwarded-proto", "").strip().lower()
        if proto in _FORWARDED_SCHEMES:
            scope["scheme"] = proto.replace("http", "ws") if scope["type"] == "websocket" else proto
        forwarded_for = ",".join(headers.getlist("x-forwarded-for"))
        if forwarded_for.strip():
            scope["client"] = (client_address(peer, forwarded_for, self.trusted), 0)
        return scope

    def _warn_once_if_https_is_lost(self, scope: Scope) -> None:
        """The proxy says the browser used HTTPS, but it is not trusted: the sign-in cookie would go out
        without Secure. Said once, at the first such request, so that the log shows it near the start."""
        if self._warned.is_set() or scope.get("scheme") not in ("http", "ws"):
            return
        if Headers(scope=scope).get("x-forwarded-proto", "").strip().lower() not in ("https", "wss"):
            return
        self._warned.set()
        client = scope.get("client")
        log.warning(
            "A request from %s says (X-Forwarded-Proto) that the browser used HTTPS, but that address is not "
            "in FORWARDED_ALLOW_IPS (%r): the sign-in cookie is set without the Secure flag and client "
            "addresses are the proxy's. Set FORWARDED_ALLOW_IPS to the proxy's address (docs/deployment.md).",
            client[0] if client else "an unknown address",
            self.setting,
        )
