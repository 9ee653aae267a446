"""Widgets the session screens share: the countdown, the board, and how phones join."""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import lru_cache
from html import escape

import segno
import streamlit as st

from intervision.live import SessionView, format_clock
from intervision.methods import BoardKind
from ui.guard import Viewer, escape_markdown, while_signed_in

COLOURS = {"green": "green", "amber": "orange", "red": "red"}  # Streamlit's Markdown colour names
# Board kinds the case bringer may mark as having helped most.
MARKABLE = (BoardKind.QUESTION.value, BoardKind.ADVICE.value)


def clock_line(view: SessionView, viewer: Viewer, size: str = "##") -> None:
    """The countdown in its colour, and whether the session runs ahead of or behind its plan."""
    clock = view.clock
    if clock is None:
        return
    colour = COLOURS[clock.colour]
    state = ""
    if not clock.started:
        state = f" · {viewer.t('live.not_started')}"
    elif not clock.running:
        state = f" · {viewer.t('live.paused')}"
    st.markdown(f"{size} :{colour}[{format_clock(clock.remaining_seconds)}]{state}")
    minutes = round(abs(view.behind_seconds) / 60)
    if minutes == 0:
        st.caption(viewer.t("live.on_plan"))
    else:
        st.caption(viewer.t("live.behind" if view.behind_seconds > 0 else "live.ahead", minutes=minutes))


HEX = {"green": "#1b7f3b", "amber": "#b85c00", "red": "#c62828"}  # readable on white from the back of a room
# The newest board items the beamer shows: eight at least, each in type a back row can read (issue 17).
PROJECTED_BOARD_ITEMS = 8


def big_clock(view: SessionView, viewer: Viewer) -> None:
    """The countdown as large as the projector allows, in its colour; once time is up it flashes.

    Only digits and our own catalog texts go into this markup (escaped all the same), never what a
    person typed; so st.html is safe here, and Markdown's largest heading is too small for a beamer.
    The sizes are the projector's CSS classes (pages/projector.py), which scale with the screen.
    """
    clock = view.clock
    if clock is None:
        return
    state = ""
    if not clock.started:
        state = viewer.t("live.not_started")
    elif not clock.running:
        state = viewer.t("live.paused")
    minutes = round(abs(view.behind_seconds) / 60)
    plan = (
        viewer.t("live.on_plan")
        if minutes == 0
        else viewer.t("live.behind" if view.behind_seconds > 0 else "live.ahead", minutes=minutes)
    )
    time_up = clock.started and clock.remaining_seconds <= 0
    flashing = " projector-time-up" if time_up else ""
    label = f' aria-label="{escape(viewer.t("projector.time_up"))}"' if time_up else ""
    st.html(
        f'<div class="projector-clock{flashing}"{label} style="color:{HEX[clock.colour]}">'
        f"{escape(format_clock(clock.remaining_seconds))}</div>"
        f'<div class="projector-plan">{escape(" · ".join(part for part in (state, plan) if part))}</div>'
    )


def board_list(
    view: SessionView,
    viewer: Viewer,
    helpful_toggle: Callable[[int, bool], None] | None = None,
    projected: bool = False,
) -> None:
    """The board grouped by kind; what helped most is starred.

    On the beamer only the newest items, as many as fit the screen; the console shows all.
    """
    if projected:
        _projected_board(view, viewer)
        return
    st.markdown(f"#### {viewer.t('live.board')}")
    if not view.board:
        st.caption(viewer.t("live.board_empty"))
        return
    kinds: dict[str, list] = {}
    for item in view.board:
        kinds.setdefault(item.kind, []).append(item)
    for kind, items in kinds.items():
        st.markdown(f"**{viewer.t(f'board.{kind}')}**")
        for item in items:
            star = "★ " if item.helpful else ""
            if helpful_toggle and kind in MARKABLE:
                st.checkbox(
                    f"{star}{escape_markdown(item.text)}",
                    value=item.helpful,
                    key=f"helpful.{item.id}",
                    help=viewer.t("live.helped"),
                    on_change=while_signed_in(
                        viewer,
                        lambda item_id=item.id: helpful_toggle(item_id, st.session_state[f"helpful.{item_id}"]),
                    ),
                )
            else:
                dots = f" · ● {viewer.t('board_edit.dots', count=item.dots)}" if item.dots else ""
                st.markdown(f"- {star}{escape_markdown(item.text)}{dots}")


def _projected_board(view: SessionView, viewer: Viewer) -> None:
    """The newest board items on the beamer, grouped by kind, in one block the projector's CSS sizes.

    What people typed is HTML-escaped here; st.html runs no script, so nothing typed can act on the page.
    A long item is cut after two lines so that eight always fit; the console shows it whole.
    """
    newest = list(reversed(view.board))[:PROJECTED_BOARD_ITEMS]
    parts = [f'<div class="projector-board-title">{escape(viewer.t("live.board"))}</div>']
    if not newest:
        parts.append(f'<div class="projector-board-empty">{escape(viewer.t("live.board_empty"))}</div>')
    kinds: dict[str, list] = {}
    for item in newest:
        kinds.setdefault(item.kind, []).append(item)
    for kind, items in kinds.items():
        parts.append(f'<div class="projector-board-kind">{escape(viewer.t(f"board.{kind}"))}</div><ul>')
        parts += [
            f"<li>{'★ ' if item.helpful else ''}{escape(item.text)}{_projected_dots(viewer, item.dots)}</li>"
            for item in items
        ]
        parts.append("</ul>")
    hidden = len(view.board) - len(newest)
    if hidden > 0:
        parts.append(f'<div class="projector-board-more">{escape(viewer.t("live.more", count=hidden))}</div>')
    st.html(f'<div class="projector-board">{"".join(parts)}</div>')


def _projected_dots(viewer: Viewer, dots: int) -> str:
    """How many dots the group gave an item, in the beamer's type; never who gave them."""
    if not dots:
        return ""
    return f' <span class="projector-dots">● {escape(viewer.t("board_edit.dots", count=dots))}</span>'


@lru_cache(maxsize=64)
def qr_png(url: str) -> bytes:
    """The picture for a session's follow link; the projector draws it every second, the link never changes."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=8, border=2)
    return buffer.getvalue()


def follow_url(origin: str, code: str) -> str:
    return f"{origin}/follow?code={code}"


def join_panel(view: SessionView, viewer: Viewer, origin: str, show_projector_link: bool = False) -> None:
    """The code and QR code for phones; for the facilitator, also the projector's link."""
    session = view.session
    with st.expander(viewer.t("live.join_code", code=session.join_code), expanded=False):
        code, picture = st.columns([2, 1])
        code.markdown(f"## {session.join_code}")
        code.code(follow_url(origin, session.join_code), language=None, wrap_lines=True)
        picture.image(qr_png(follow_url(origin, session.join_code)), width=180)
        if show_projector_link:
            st.markdown(f"**{viewer.t('live.projector_link')}**")
            st.caption(viewer.t("live.projector_hint"))
            st.code(f"{origin}/projector?token={session.projector_token}", language=None, wrap_lines=True)
