"""The projector screen: what may be projected, in large type, following the console by itself.

Opened by a link with the session's projector token (no sign-in on the beamer's computer). Tips and the
observation log are never part of what this page reads.
"""

import streamlit as st

from intervision import live
from intervision.database import configured as configured_database
from intervision.models import SessionStatus
from ui.browser import app_origin
from ui.guard import escape_markdown, guard
from ui.live import big_clock, board_list, follow_url, qr_png

# The store this server was set up with (intervision/database.py), built once per process.
database = configured_database()

viewer = guard("projector", chrome=False)
token = st.query_params.get("token", "")


@st.fragment(run_every=1)
def projection() -> None:
    """Read the session again every second; after a network blip or a restart the next tick catches up."""
    view = live.projector_view(database, token) if token else None
    if view is None:
        st.error(viewer.t("projector.invalid"))
        return
    session = view.session
    if session.status is SessionStatus.CLOSED:
        st.title(viewer.t("projector.closed"))
        return
    main, side = st.columns([3, 2], gap="large")
    with side:
        # The way in for phones on top, where it stays put; the board, newest first, beneath it.
        join, code = st.columns([1, 1], vertical_alignment="center")
        join.image(qr_png(follow_url(app_origin(), session.join_code)), width=240)
        code.markdown(f"### {viewer.t('projector.join')}\n# {session.join_code}")
        if session.status is not SessionStatus.CHECK_IN:
            board_list(view, viewer, projected=True)
    with main:
        if session.status is SessionStatus.CHECK_IN:
            st.title(viewer.t("projector.check_in"))
            st.markdown(f"## {viewer.t('live.check_in_prompt')}")
            return
        if session.status is SessionStatus.CLOSING:
            st.title(viewer.t("projector.closing"))
            st.markdown(f"## {viewer.t('live.closing_prompt')}")
            return
        phase = view.phase
        st.title(escape_markdown(phase.name(viewer.language)))
        big_clock(view, viewer)
        speakers = ", ".join(viewer.t(f"speaker.{speaker}") for speaker in phase.speakers)
        st.markdown(f"### {viewer.t('live.speaks')}: {speakers}")
        if phase.listeners:
            listeners = ", ".join(viewer.t(f"speaker.{speaker}") for speaker in phase.listeners)
            st.markdown(f"### {viewer.t('live.listens')}: {listeners}")
        for line in phase.prompts(viewer.language):
            st.markdown(f"## {escape_markdown(line)}")
        for line in phase.rules(viewer.language):
            st.markdown(f"### :material/block: {escape_markdown(line)}")


projection()
