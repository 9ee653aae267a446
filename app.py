"""The router, and the ASGI server that `streamlit run app.py` starts.

Streamlit runs this file as `__main__` on every rerun: then it only builds the navigation over the
screens this person may open. When the server starts, `streamlit run` imports it as a module and
finds `app`: our HTTP routes (the sign-in cookie), the middleware that reads a trusted proxy's headers and
gives each browser its binding cookie, the live screens' change stream (ui/push_routes.py), the groups'
calendar feeds (ui/calendar_routes.py), and start-up work (migrations) live there.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

import streamlit as st

from intervision.cases import erase_expired_case_texts
from intervision.database import configured as configured_database
from intervision.database import storage_problem
from intervision.i18n import t
from intervision.models import Language
from ui.guard import LANGUAGE_SHOWN

log = logging.getLogger("intervision")


def route() -> None:
    from ui.guard import asks_sign_in_first, current_viewer, may_open, return_after_sign_in
    from ui.memory import freeze_what_start_up_made
    from ui.registry import SCREENS

    freeze_what_start_up_made()
    viewer = current_viewer()
    pages = [
        st.Page(
            screen.file,
            title=viewer.t(f"nav.{screen.key}"),
            icon=screen.icon,
            url_path=screen.url_path,
            default=index == 0,
            visibility="hidden" if screen.hidden or not may_open(screen, viewer) else "visible",
        )
        # A signed-out phone's QR link is routed too (not "Page not found"): its guard sends it to sign in.
        for index, screen in enumerate(
            s for s in SCREENS.values() if may_open(s, viewer) or asks_sign_in_first(s, viewer)
        )
    ]
    # The beamer shows the projector screen and nothing else: no menu.
    projecting = urlsplit(st.context.url or "").path.rstrip("/").endswith("/projector")
    page = st.navigation(pages, position="hidden" if projecting else "top")
    return_after_sign_in(viewer)
    page.run()


def _apologise(error: Exception) -> bool:
    """Log an unexpected error and show a short apology instead of a traceback."""
    log.exception("Unexpected error on a page", exc_info=error)
    language = Language(st.session_state.get(LANGUAGE_SHOWN) or "en")
    # A full disk or a read-only database is not a bug: say what it is, so someone can fix the server.
    st.error(t(f"error.{storage_problem(error) or 'unexpected'}", language), icon=":material/sentiment_dissatisfied:")
    return True


async def _erase_expired_case_texts() -> None:
    """Erase case texts past the organisation's retention period, at start and then every hour."""
    while True:
        try:
            await asyncio.to_thread(erase_expired_case_texts, configured_database())
        except Exception:  # noqa: BLE001 - a failed round is logged and tried again next hour
            log.exception("Erasing expired case texts failed")
        await asyncio.sleep(3600)


# A mail round every half minute; sooner when a page queues a mail (intervision/mail/rounds.py).
MAIL_ROUND_SECONDS = 30


async def _send_mail() -> None:
    """Write the reminders that came due and deliver the outbox, for as long as the server runs."""
    from intervision.mail.outbox import wake_when_mail_is_queued
    from intervision.mail.rounds import mail_round

    loop = asyncio.get_running_loop()
    queued = asyncio.Event()
    # Pages queue mail from their script threads: the event is set on the loop's own thread.
    wake_when_mail_is_queued(lambda: loop.call_soon_threadsafe(queued.set))
    while True:
        try:
            await asyncio.to_thread(mail_round, configured_database())
        except Exception:  # noqa: BLE001 - a failed round is logged; the outbox keeps every mail for the next
            log.exception("A mail round failed")
        try:
            await asyncio.wait_for(queued.wait(), MAIL_ROUND_SECONDS)
            queued.clear()
            await asyncio.sleep(0.2)  # the page's transaction commits first
        except TimeoutError:
            pass


def _route_from_the_first_run() -> None:
    """Until the first st.navigation call in a process, Streamlit treats an app with a pages/ folder as a
    legacy multipage app: the first deep link after a (re)start was looked up among pages/ by file name,
    and a facilitator reloading /session saw "Page not found" over the console. This app always routes
    through st.navigation, so Streamlit is told before the first run, as st.navigation itself would."""
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False


@asynccontextmanager
async def _lifespan(_app: object) -> AsyncIterator[None]:
    configured_database().migrate()
    _route_from_the_first_run()
    eraser = asyncio.create_task(_erase_expired_case_texts())
    mailer = asyncio.create_task(_send_mail())
    from ui.push_routes import end_streams_when_the_server_stops

    end_streams_when_the_server_stops()
    yield
    eraser.cancel()
    mailer.cancel()


if __name__ == "__main__":
    route()
else:
    from starlette.middleware import Middleware

    from ui import calendar_routes, push_routes
    from ui.cookie_routes import BrowserBinding
    from ui.cookie_routes import routes as cookie_routes
    from ui.departures import QuietWhenBrowsersLeave
    from ui.proxy import TrustedProxyHeaders

    # A browser that leaves mid-handshake is one line in the log (outermost: it covers the others too); then
    # the proxy's headers, so that the binding cookie knows whether the browser used HTTPS.
    middleware = [Middleware(QuietWhenBrowsersLeave), Middleware(TrustedProxyHeaders), Middleware(BrowserBinding)]
    # The sign-in cookie; the live screens' change stream; the groups' calendar feeds.
    routes = [*cookie_routes, *push_routes.routes, *calendar_routes.routes]
    app = st.App("app.py", routes=routes, middleware=middleware, lifespan=_lifespan, on_script_error=_apologise)
