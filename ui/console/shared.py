"""What the console's screens share: who it is for, the session controls' guard, and the parts that show on
more than one screen (the bar with the code and the projector, the board's entry field, the action items)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import streamlit as st

from intervision import groups, live
from intervision.database import Database
from intervision.errors import DomainError
from intervision.models import ActionItemInput, BoardItemInput, Person
from ui import format, forms
from ui.browser import app_origin
from ui.guard import Viewer, escape_markdown, while_signed_in
from ui.live import join_panel

CURRENT = "live_session_id"  # the session this browser's console shows, kept across reruns
CONTROLS = "controls"  # the form key under which a session control's problem is shown


@dataclass(frozen=True)
class Console:
    """The facilitator this console is for, and the store it reads and writes."""

    database: Database
    viewer: Viewer

    @property
    def person(self) -> Person:
        return self.viewer.signed_in


def act(action: Callable[[], object], notice: str | None = None) -> str | None:
    """Run a session control; if the session moved on meanwhile, say so instead of doing it twice."""
    try:
        action()
    except DomainError as problem:
        if problem.key != "session_moved_on":
            raise
        return "live.moved_on"
    return notice


def control_button(console: Console, label: str, action: Callable[[], object], **button: object) -> None:
    """A button that runs a session control (pause, next phase, close…) and shows its problem by the controls."""
    st.button(
        console.viewer.t(label), on_click=forms.submit, args=(CONTROLS, console.viewer, partial(act, action)), **button
    )


# An open session needs the whole height of a 1920×1080 screen: less of Streamlit's white space above it. On a
# phone the four observation boxes take the whole width each, so that what was noted reads under the press.
SESSION_CSS = """<style>
.stMainBlockContainer { padding-top: 4rem; }
@media (max-width: 640px) {
  .st-key-observation-row > [data-testid="stLayoutWrapper"] { width: 100% !important; flex: 1 1 100% !important; }
}
</style>"""


def session_bar(console: Console, view: live.SessionView) -> None:
    """The code for phones, and the projector one press away: a new window the facilitator drags to the beamer.
    The link stays in the panel too, for a beamer driven by another computer."""
    viewer, origin = console.viewer, app_origin()
    st.html(SESSION_CSS)
    # Room for the button's whole label, also the longer Dutch one, next to the sidebar at 1280 pixels.
    join_column, projector_column = st.columns([3, 2], vertical_alignment="top")
    with join_column:
        join_panel(view, viewer, origin, show_projector_link=True)
    projector_column.link_button(
        viewer.t("live.open_projector"),
        f"{origin}/projector?token={view.session.projector_token}",
        help=viewer.t("live.open_projector_help"),
        icon=":material/cast:",
        type="primary",
        width="stretch",
    )


BOARD = "board_add"


def _add_to_board(console: Console, session_id: int) -> str:
    live.send_to_board(
        console.database,
        console.person,
        session_id,
        BoardItemInput(kind=forms.value(BOARD, "kind") or "", text=forms.value(BOARD, "text") or ""),
    )
    forms.clear(BOARD, ["text"])
    return "live.sent"


def board_form(console: Console, view: live.SessionView) -> None:
    """The facilitator's own entry field for the board, in the phases that collect something."""
    viewer = console.viewer
    kinds = live.accepted_kinds(view)
    if not kinds:
        return
    with st.form(BOARD):
        kind, text = st.columns([1, 3])
        kind.selectbox(
            viewer.t("live.kind"),
            list(kinds),
            format_func=lambda k: viewer.t(f"board.{k}"),
            key=forms.key(BOARD, "kind"),
        )
        text.text_input(viewer.t("live.text"), max_chars=500, key=forms.key(BOARD, "text"))
        forms.field_error(BOARD, "text")
        forms.field_error(BOARD, "kind")
        forms.form_error(BOARD)
        st.form_submit_button(
            viewer.t("live.add_to_board"),
            on_click=forms.submit,
            args=(BOARD, viewer, partial(_add_to_board, console, view.session.id)),
        )


ACTION = "action_add"


def _add_action(console: Console, session_id: int) -> str:
    live.add_action_item(
        console.database,
        console.person,
        session_id,
        ActionItemInput(**forms.values(ACTION, ["text", "owner_id", "due_date"])),
    )
    forms.clear(ACTION, ["text", "owner_id", "due_date"])
    return "live.action_added"


def action_panel(console: Console, view: live.SessionView, title: bool = True) -> None:
    """The session's action items, each with its confirm box, and the field for a new one."""
    database, viewer, person = console.database, console.viewer, console.person
    if title:
        st.subheader(viewer.t("live.actions"))
    members = {member.person_id: member.name for member in groups.members(database, person, view.session.group_id)}
    for item in live.action_items(database, person, view.session.id):
        due = f" · {format.day(item.due_date, viewer)}" if item.due_date else ""
        st.checkbox(
            escape_markdown(f"{item.text} · {item.owner or '—'}{due}"),
            value=item.confirmed,
            key=f"confirm.{item.id}",
            help=viewer.t("live.confirmed"),
            on_change=while_signed_in(
                viewer,
                lambda item_id=item.id: live.confirm_action_item(
                    database, person, view.session.id, item_id, st.session_state[f"confirm.{item_id}"]
                ),
            ),
        )
    with st.form(ACTION):
        text, owner, due = st.columns([3, 2, 2])
        text.text_input(viewer.t("live.action_text"), max_chars=500, key=forms.key(ACTION, "text"))
        owner.selectbox(
            viewer.t("live.owner"),
            list(members),
            index=None,
            format_func=members.get,
            placeholder="—",
            key=forms.key(ACTION, "owner_id"),
        )
        due.date_input(
            viewer.t("live.due"), value=None, format=format.date_input_format(viewer), key=forms.key(ACTION, "due_date")
        )
        forms.field_error(ACTION, "text")
        forms.field_error(ACTION, "owner_id")
        forms.form_error(ACTION)
        st.form_submit_button(
            viewer.t("live.add_action"),
            on_click=forms.submit,
            args=(ACTION, viewer, partial(_add_action, console, view.session.id)),
        )


def rating_line(console: Console, session_id: int) -> None:
    """While ratings come in only how many; the mean once the session is closed and enough people rated."""
    viewer = console.viewer
    summary = live.rating_summary(console.database, console.person, session_id)
    if not summary.closed:
        st.caption(viewer.t("live.rating_count", count=summary.count))
    elif summary.mean is None:
        st.caption(viewer.t("live.rating_too_few", threshold=summary.threshold))
    else:
        st.markdown(viewer.t("live.rating_mean", mean=format.number(summary.mean, viewer), count=summary.count))
