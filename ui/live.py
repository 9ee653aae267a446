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
PROJECTED_ITEMS = 5  # per kind, newest first: what fits a 1080-pixel beamer beside the phase


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


def big_clock(view: SessionView, viewer: Viewer) -> None:
    """The countdown as large as the projector allows, in its colour.

    Only digits and our own catalog texts go into this markup (escaped all the same), never what a
    person typed; so st.html is safe here, and Markdown's largest heading is too small for a beamer.
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
    st.html(
        f'<div style="font-size:10rem;font-weight:700;line-height:1;color:{HEX[clock.colour]}">'
        f"{escape(format_clock(clock.remaining_seconds))}</div>"
        f'<div style="font-size:2rem;color:#333">{escape(" · ".join(part for part in (state, plan) if part))}</div>'
    )


def board_list(
    view: SessionView,
    viewer: Viewer,
    helpful_toggle: Callable[[int, bool], None] | None = None,
    projected: bool = False,
) -> None:
    """The board grouped by kind; what helped most is starred.

    On the beamer the newest items come first and only as many as fit the screen; the console shows all.
    """
    st.markdown(f"## {viewer.t('live.board')}" if projected else f"#### {viewer.t('live.board')}")
    if not view.board:
        st.caption(viewer.t("live.board_empty"))
        return
    kinds: dict[str, list] = {}
    for item in reversed(view.board) if projected else view.board:
        kinds.setdefault(item.kind, []).append(item)
    for kind, items in kinds.items():
        label = viewer.t(f"board.{kind}")
        st.markdown(f"### {label}" if projected else f"**{label}**")
        shown = items[:PROJECTED_ITEMS] if projected else items
        for item in shown:
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
            elif projected:
                st.markdown(f"#### • {star}{escape_markdown(item.text)}")
            else:
                st.markdown(f"- {star}{escape_markdown(item.text)}")
        if len(items) > len(shown):
            st.markdown(f"#### {viewer.t('live.more', count=len(items) - len(shown))}")


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
