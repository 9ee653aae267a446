"""The groups' calendar feeds: `GET /_intervision/calendar/<token>.ics` answers the group's sessions as
`text/calendar`, for calendar programs that subscribe (intervision/session_calendar.py builds it).

The token in the address is the only key: a calendar program signs in with nothing else. An unknown or
renewed token gets a bare 404, the same as a path that never existed, so a guess learns nothing.
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from intervision.database import configured as configured_database
from intervision.mail.settings import public_url_is_set
from intervision.session_calendar import FEED_ROUTE_PREFIX, feed_for_token

FEED_ROUTE = f"/{FEED_ROUTE_PREFIX}{{token}}.ics"


async def _feed(request: Request) -> Response:
    token = request.path_params.get("token", "")
    # Without a public address set, the links in the feed lead where the calendar program found the feed.
    origin = None if public_url_is_set() else str(request.base_url)
    calendar = await asyncio.to_thread(feed_for_token, configured_database(), token, None, origin)
    if calendar is None:
        return PlainTextResponse("Not Found", status_code=404)
    return Response(
        calendar,
        media_type="text/calendar; charset=utf-8",
        headers={
            # Not kept by a shared cache (a proxy), and not sent on as a Referer: the address is the key.
            "Cache-Control": "private, max-age=300",
            "Referrer-Policy": "no-referrer",
            "X-Robots-Tag": "noindex",
            "Content-Disposition": 'inline; filename="intervision.ics"',
        },
    )


routes = [Route(FEED_ROUTE, _feed, methods=["GET", "HEAD"])]
