"""A browser that leaves while its websocket is still being set up leaves one line in the log, no traceback."""

from __future__ import annotations

import asyncio
import logging

import pytest
from starlette.websockets import WebSocketDisconnected

from ui.departures import QuietWhenBrowsersLeave


async def _nothing() -> dict:
    return {"type": "websocket.disconnect", "code": 1006}


async def _ignore(_message: dict) -> None:
    return None


def _run(app, scope_type: str = "websocket") -> None:
    scope = {"type": scope_type, "path": "/_stcore/stream"}
    asyncio.run(QuietWhenBrowsersLeave(app)(scope, _nothing, _ignore))


def test_a_browser_gone_before_the_handshake_is_one_line_in_the_log(caplog):
    async def streamlit_endpoint(scope, receive, send) -> None:
        await receive()
        raise WebSocketDisconnected('WebSocket is not connected. Need to call "accept" first.')

    with caplog.at_level(logging.INFO, logger="intervision"):
        _run(streamlit_endpoint)
    assert [record.getMessage() for record in caplog.records] == [
        "A browser left before its connection was set up (/_stcore/stream)"
    ]
    assert not any(record.exc_info for record in caplog.records)


def test_other_errors_and_plain_requests_are_left_alone():
    async def broken(scope, receive, send) -> None:
        raise ValueError("a real bug")

    with pytest.raises(ValueError):
        _run(broken)
    with pytest.raises(WebSocketDisconnected):

        async def http_endpoint(scope, receive, send) -> None:
            raise WebSocketDisconnected("not a websocket request")

        _run(http_endpoint, "http")
