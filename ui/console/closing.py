"""Closing: the board once more, confirming the action items, the case bringer's choice, the evaluation,
and closing itself (which warns first while action items are unconfirmed)."""

from __future__ import annotations

from functools import partial

import streamlit as st

from intervision import live
from intervision.exercises import Slot
from intervision.models import LiveSession
from ui import forms
from ui.board import console_board
from ui.console.shared import CONTROLS, Console, act, action_panel, board_form, control_button, rating_line
from ui.exercises import exercise_chooser
from ui.learning_goals import shared_goals_panel

CHOICE = "choice"
CLOSE_WARNING = "close_warning"


def _choose(console: Console, session_id: int) -> str:
    live.record_bringer_choice(console.database, console.person, session_id, forms.value(CHOICE, "text") or "")
    return "live.choice_saved"


def confirm_step(console: Console, view: live.SessionView) -> int:
    """The action items with their confirm boxes, and how many are still open; returns that number."""
    viewer, session_id = console.viewer, view.session.id
    st.subheader(viewer.t("live.confirm_step"))
    st.caption(viewer.t("live.confirm_help"))
    items = live.action_items(console.database, console.person, session_id)
    unconfirmed = sum(not item.confirmed for item in items)
    if items and not unconfirmed:
        st.success(viewer.t("live.all_confirmed"))
    if unconfirmed:
        note, confirm_all = st.columns([3, 1])
        note.warning(viewer.t("live.unconfirmed_count", count=unconfirmed))
        confirm_all.button(
            viewer.t("live.confirm_all"),
            key="confirm_all",
            on_click=forms.submit,
            args=(CONTROLS, viewer, partial(_confirm_all, console, session_id)),
        )
    return unconfirmed


def _confirm_all(console: Console, session_id: int) -> None:
    live.confirm_all_action_items(console.database, console.person, session_id)
    # The boxes show what is stored now, not what they held before.
    for key in [key for key in st.session_state if str(key).startswith("confirm.")]:
        del st.session_state[key]


def _close(
    console: Console, session: LiveSession, unconfirmed: int, confirm_first: bool = False, anyway: bool = False
) -> str | None:
    """Close, unless action items are unconfirmed and the facilitator has not chosen yet: then ask first."""
    if unconfirmed and not (confirm_first or anyway):
        st.session_state[CLOSE_WARNING] = session.id
        return None
    st.session_state.pop(CLOSE_WARNING, None)
    if confirm_first:
        _confirm_all(console, session.id)
    return act(
        partial(live.close_session, console.database, console.person, session.id, session.revision), "live.closed"
    )


def close_buttons(console: Console, session: LiveSession, unconfirmed: int) -> None:
    """Back to the last phase, or close; with unconfirmed action items closing warns first."""
    viewer = console.viewer
    close = partial(_close, console, session, unconfirmed)
    if unconfirmed and st.session_state.get(CLOSE_WARNING) == session.id:
        st.warning(viewer.t("live.close_warning", count=unconfirmed))
        confirm_first, anyway, wait = st.columns(3)
        confirm_first.button(
            viewer.t("live.confirm_all_and_close"),
            type="primary",
            on_click=forms.submit,
            args=(CONTROLS, viewer, partial(close, confirm_first=True)),
        )
        anyway.button(
            viewer.t("live.close_anyway"),
            on_click=forms.submit,
            args=(CONTROLS, viewer, partial(close, anyway=True)),
        )
        wait.button(viewer.t("live.keep_open"), on_click=lambda: st.session_state.pop(CLOSE_WARNING, None))
        return
    back, close_column = st.columns(2)
    with back:
        control_button(
            console,
            "live.back_to_last_phase",
            partial(live.move, console.database, console.person, session.id, session.revision, -1),
        )
    close_column.button(viewer.t("live.close"), type="primary", on_click=forms.submit, args=(CONTROLS, viewer, close))


def closing(console: Console, view: live.SessionView) -> None:
    viewer, session = console.viewer, view.session
    st.header(viewer.t("live.closing"))
    st.markdown(f"### {viewer.t('live.closing_prompt')}")
    shared_goals_panel(console.database, viewer, console.person, session.group_id)
    exercise_chooser(console, session.id, Slot.CLOSING)
    board_form(console, view)
    console_board(console.database, viewer, view)
    unconfirmed = confirm_step(console, view)
    action_panel(console, view, title=False)
    forms.prefill(CHOICE, {"text": session.bringer_choice})
    with st.form(CHOICE):
        st.text_area(viewer.t("live.choice"), max_chars=1000, key=forms.key(CHOICE, "text"))
        st.form_submit_button(
            viewer.t("live.save_choice"),
            on_click=forms.submit,
            args=(CHOICE, viewer, partial(_choose, console, session.id)),
        )
    st.subheader(viewer.t("live.evaluation"))
    rating_line(console, session.id)
    close_buttons(console, session, unconfirmed)
    forms.form_error(CONTROLS)
