"""Send the browser to a URL of our own: the round-trip that lets an HTTP route set or clear a cookie."""

from __future__ import annotations

from urllib.parse import urlsplit

import streamlit as st
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime.scriptrunner import get_script_run_ctx


def send_browser_to(url: str) -> None:
    """Navigate the whole page to `url` (a path on this server) once the current run reaches the browser.

    Streamlit's frontend follows this message for st.login; it is the only way a script can make the
    browser load a page, which an HttpOnly cookie needs.
    """
    context = get_script_run_ctx()
    if context is None:
        return
    message = ForwardMsg()
    message.auth_redirect.url = url
    context.enqueue(message)


def app_origin() -> str:
    """This app's address as the browser sees it, e.g. https://intervision.example.org."""
    parts = urlsplit(st.context.url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""
