"""The facilitator's console: start a session, guide it phase by phase, keep the board and the private log.

The screens live in ui/console/; this page decides which one the session is on.
"""

import streamlit as st

from intervision import groups, live
from intervision.database import configured as configured_database
from intervision.models import GroupRole, SessionStatus
from ui import forms
from ui.console.check_in import check_in
from ui.console.closing import closing
from ui.console.report import report_panel
from ui.console.running import running
from ui.console.shared import CURRENT, Console, session_bar
from ui.console.start import start_panel
from ui.guard import guard
from ui.push import redraw_when_changed

# The store this server was set up with (intervision/database.py), built once per process.
database = configured_database()

viewer = guard("console")
console = Console(database, viewer)
led = {
    group.id: group for group, role in groups.visible_groups(database, console.person) if role is GroupRole.FACILITATOR
}

forms.notice(viewer)
session_id = st.session_state.get(CURRENT)
if session_id is None:
    under_way = [session for session in live.open_sessions(database, console.person) if session.group_id in led]
    if under_way:
        # Remember it, so that after closing this console still shows the session's report.
        session_id = st.session_state[CURRENT] = under_way[0].id
if session_id is None:
    st.title(viewer.t("nav.console"))
    start_panel(console, led)
    st.stop()

view = live.console_view(database, console.person, session_id)
if view.session.status is SessionStatus.CLOSED:
    st.title(viewer.t("nav.console"))
else:
    # The session itself leads: no page title, and the bar with the code and the projector on top.
    session_bar(console, view)
if view.session.status in (SessionStatus.CHECK_IN, SessionStatus.CLOSING):
    # The running phase's clock and board follow the session themselves (ui/console/running.py).
    redraw_when_changed(
        "console", session_id, view.session.stamp,
        lambda: live.console_view(database, console.person, session_id).session.stamp,
    )  # fmt: skip
match view.session.status:
    case SessionStatus.CHECK_IN:
        check_in(console, view)
    case SessionStatus.RUNNING:
        running(console, view)
    case SessionStatus.CLOSING:
        closing(console, view)
    case SessionStatus.CLOSED:
        report_panel(console, view.session)
        if st.button(viewer.t("live.start_title")):
            st.session_state.pop(CURRENT, None)
            st.rerun()
