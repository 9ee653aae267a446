"""The board on the console (with each item's small menu: wording, hide or reveal, merge, remove, and the
board's history to restore from) and the dots a member gives on their phone."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import streamlit as st

from intervision import live, live_board
from intervision.database import Database
from intervision.models import BoardEditInput, BoardItem
from ui import format, forms
from ui.guard import Viewer, escape_markdown, while_signed_in
from ui.live import MARKABLE

BOARD_FORM = "board_tidy"  # where a problem with hide, merge, remove or restore is shown: the board's top


def dots_label(viewer: Viewer, dots: int) -> str:
    """ "● 3 dots" after an item that has any; nothing otherwise."""
    return f" · ● {viewer.t('board_edit.dots', count=dots)}" if dots else ""


# --- the console -----------------------------------------------------------------------------------------


def console_board(database: Database, viewer: Viewer, view: live.SessionView) -> None:
    """The whole board for the facilitator: hidden items greyed, what helped starred, dots counted; each item
    with one small menu; under it the board's history."""
    session_id = view.session.id
    st.markdown(f"#### {viewer.t('live.board')}")
    forms.form_error(BOARD_FORM)
    if not view.board:
        st.caption(viewer.t("live.board_empty"))
    kinds: dict[str, list[BoardItem]] = {}
    for item in view.board:
        kinds.setdefault(item.kind, []).append(item)
    for kind, items in kinds.items():
        st.markdown(f"**{viewer.t(f'board.{kind}')}**")
        for item in items:
            # Columns, not a horizontal row: a long item wraps in full beside its menu instead of being cut.
            with st.container(key=f"board-item-{item.id}"):
                line, menu = st.columns([5, 1], vertical_alignment="center", gap="small")
                with line:
                    _item_line(database, viewer, session_id, item)
                with menu:
                    _item_menu(database, viewer, session_id, item, [other for other in items if other.id != item.id])
    _history(database, viewer, session_id, {item.id: item.text for item in view.board})


def _item_line(database: Database, viewer: Viewer, session_id: int, item: BoardItem) -> None:
    star = "★ " if item.helpful else ""
    text = f"{star}{escape_markdown(item.text)}{dots_label(viewer, item.dots)}"
    if item.hidden:
        text = f":gray[{text} ({viewer.t('board_edit.hidden')})]"
    if item.kind in MARKABLE:
        st.checkbox(
            text,
            value=item.helpful,
            key=f"helpful.{item.id}",
            help=viewer.t("live.helped"),
            width="stretch",
            on_change=while_signed_in(
                viewer,
                lambda: live.mark_helpful(
                    database, viewer.signed_in, session_id, item.id, st.session_state[f"helpful.{item.id}"]
                ),
            ),
        )
    else:
        st.markdown(f"- {text}", width="stretch")


def _act(action: Callable[[], object]) -> None:
    action()  # no notice: the board itself shows the change


def _edit(database: Database, viewer: Viewer, session_id: int, item_id: int) -> None:
    form = BoardEditInput(text=st.session_state.get(f"board-wording-{item_id}") or "")
    live_board.edit_item(database, viewer.signed_in, session_id, item_id, form)


def _merge(database: Database, viewer: Viewer, session_id: int, item_id: int) -> None:
    folded = list(st.session_state.get(f"board-merge-{item_id}") or [])
    text = st.session_state.get(f"board-merged-wording-{item_id}")
    live_board.merge_items(database, viewer.signed_in, session_id, item_id, folded, text)


def _item_menu(database: Database, viewer: Viewer, session_id: int, item: BoardItem, others: list[BoardItem]) -> None:
    """One small menu per item, so that the board stays compact: wording, hide or reveal, merge, remove."""
    person = viewer.signed_in
    submit = partial(forms.submit, BOARD_FORM, viewer)
    with st.popover(
        "",
        icon=":material/more_vert:",
        type="tertiary",  # a quiet icon beside the item: the board stays the thing to read
        help=viewer.t("board_edit.menu_help"),
        key=f"board-menu-{item.id}",
    ):
        edit_form = f"board-edit-{item.id}"
        with st.form(edit_form, border=False):
            st.text_area(viewer.t("board_edit.wording"), value=item.text, max_chars=500, key=f"board-wording-{item.id}")
            forms.form_error(edit_form)
            forms.field_error(edit_form, "text")
            st.form_submit_button(
                viewer.t("board_edit.save"),
                on_click=forms.submit,
                args=(edit_form, viewer, partial(_edit, database, viewer, session_id, item.id)),
            )
        hide = partial(live_board.hide_item, database, person, session_id, item.id, not item.hidden)
        st.button(
            viewer.t("board_edit.reveal" if item.hidden else "board_edit.hide"),
            icon=":material/visibility:" if item.hidden else ":material/visibility_off:",
            help=None if item.hidden else viewer.t("board_edit.hide_help"),
            key=f"board-hide-{item.id}",
            on_click=submit,
            args=(partial(_act, hide),),
        )
        if others:
            with st.form(f"board-merge-form-{item.id}", border=False):
                st.multiselect(
                    viewer.t("board_edit.merge_with"),
                    [other.id for other in others],
                    format_func=lambda other_id: next(other.text for other in others if other.id == other_id),
                    help=viewer.t("board_edit.merge_help"),
                    placeholder=viewer.t("board_edit.merge_placeholder"),
                    key=f"board-merge-{item.id}",
                )
                st.text_area(
                    viewer.t("board_edit.wording"),
                    value=item.text,
                    max_chars=500,
                    key=f"board-merged-wording-{item.id}",
                )
                st.form_submit_button(
                    viewer.t("board_edit.merge"),
                    icon=":material/merge:",
                    on_click=submit,
                    args=(partial(_merge, database, viewer, session_id, item.id),),
                )
        remove = partial(live_board.remove_item, database, person, session_id, item.id)
        st.button(
            viewer.t("board_edit.remove"),
            icon=":material/delete:",
            help=viewer.t("board_edit.remove_help"),
            key=f"board-remove-{item.id}",
            on_click=submit,
            args=(partial(_act, remove),),
        )


def closed_board_history(database: Database, viewer: Viewer, session_id: int) -> None:
    """After the session: the board's history beside the report, which leaves hidden and removed items out."""
    view = live.console_view(database, viewer.signed_in, session_id)
    _history(database, viewer, session_id, {item.id: item.text for item in view.board})


def _history(database: Database, viewer: Viewer, session_id: int, on_board: dict[int, str]) -> None:
    """What changed on the board, who did it and when; the items taken off it, each with "restore"."""
    history = live_board.board_history(database, viewer.signed_in, session_id)
    if not history.changes:
        return
    texts = on_board | {item.id: item.text for item in history.set_aside}
    with st.expander(viewer.t("board_edit.history"), icon=":material/history:", key="board-history"):
        if history.set_aside:
            st.markdown(f"**{viewer.t('board_edit.off_the_board')}**")
            for item in history.set_aside:
                why = (
                    viewer.t("board_edit.merged_into", text=texts.get(item.merged_into, "—"))
                    if item.merged_into
                    else viewer.t("board_edit.removed")
                )
                with st.container(horizontal=True, vertical_alignment="center", key=f"board-set-aside-{item.id}"):
                    st.markdown(f"{escape_markdown(item.text)} · :gray[{escape_markdown(why)}]", width="stretch")
                    restore = partial(live_board.restore_item, database, viewer.signed_in, session_id, item.id)
                    st.button(
                        viewer.t("board_edit.restore"),
                        icon=":material/undo:",
                        key=f"board-restore-{item.id}",
                        on_click=forms.submit,
                        args=(BOARD_FORM, viewer, partial(_act, restore)),
                    )
        st.markdown(f"**{viewer.t('board_edit.changed')}**")
        for change in reversed(history.changes):
            what = viewer.t(
                f"board_edit.action.{change.action}",
                earlier=change.earlier_text or "",
                other=texts.get(change.other_item_id or 0, "—"),
            )
            item_text = texts.get(change.item_id, "—")
            st.caption(
                f"{format.moment(change.at, viewer)} · {escape_markdown(change.actor or '—')}: "
                f"“{escape_markdown(item_text)}” {escape_markdown(what)}"
            )


# --- the phone -------------------------------------------------------------------------------------------


def phone_dots(database: Database, viewer: Viewer, view: live.SessionView) -> None:
    """A member's dots in a phase that asks for a choice: one large button to give a dot to a piece of advice,
    one to take it back; the counts show everyone's dots together, never whose."""
    person = viewer.signed_in
    mine = live_board.my_dots(database, person, view)
    advice = [item for item in view.board if live_board.dotted(item.kind)]
    if not mine.allowed or not advice:
        return
    session_id = view.session.id
    st.subheader(viewer.t("board_edit.dots_title"))
    st.caption(viewer.t("board_edit.dots_prompt", count=mine.allowed))
    st.markdown(f"**{viewer.t('board_edit.dots_left', count=mine.left)}**")
    forms.form_error(BOARD_FORM)
    for item in advice:
        given = mine.given.get(item.id, 0)
        with st.container(border=True, key=f"dots-{item.id}"):
            yours = f" ({viewer.t('board_edit.yours', count=given)})" if given else ""
            st.markdown(f"{escape_markdown(item.text)}{dots_label(viewer, item.dots)}{yours}")
            with st.container(horizontal=True, gap="small", wrap=False):  # side by side, even on a phone
                give = partial(live_board.give_dot, database, person, session_id, item.id)
                st.button(
                    viewer.t("board_edit.give"),
                    icon=":material/add_circle:",
                    type="primary",
                    disabled=mine.left == 0,
                    key=f"dot-give-{item.id}",
                    width="stretch",
                    on_click=forms.submit,
                    args=(BOARD_FORM, viewer, give),
                )
                take_back = partial(live_board.take_back_dot, database, person, session_id, item.id)
                st.button(
                    viewer.t("board_edit.take_back"),
                    icon=":material/remove_circle:",
                    disabled=given == 0,
                    key=f"dot-take-back-{item.id}",
                    width="stretch",
                    on_click=forms.submit,
                    args=(BOARD_FORM, viewer, take_back),
                )
