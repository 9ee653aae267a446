"""Browsers that leave while their connection is still being set up: a line in the log, not a traceback.

Under load a phone can give up before the server has accepted its websocket. Streamlit then tries to read
from, and to close, a connection that never opened, and Starlette raises WebSocketDisconnected from deep in
Streamlit's endpoint. Nothing is wrong with the server and nobody is waiting for an answer; the issue of
the room (17) asks that such departures leave no tracebacks.
"""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocketDisconnected

log = logging.getLogger("intervision")


class QuietWhenBrowsersLeave:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        except WebSocketDisconnected:
            log.info("A browser left before its connection was set up (%s)", scope.get("path", ""))
