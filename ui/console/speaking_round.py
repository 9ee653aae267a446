"""The speaking round on the facilitator's console: the drawn order to adjust, who speaks now with their
time, and the next speaker with one press.

The panel is drawn with the console; when a second console or a phone's "I'm done" moves the turn, the
console's listener (the board's fragment, ui/console/running.py) draws the console again. The speaker's
countdown ticks in the browser in between.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

import streamlit as st

from intervision import rounds
from intervision.database import Database
from intervision.live import SessionView, format_clock
from intervision.rounds import RoundView
from ui import forms
from ui.console.shared import Console
from ui.guard import Viewer, escape_markdown
from ui.rounds import ROUND, speaker_clock_markdown, tick_speaker_clock


def round_panel(console: Console, view: SessionView) -> RoundView | None:
    """The round of the phase on the facilitator's console, and the round as drawn (see round_as_drawn);
    nothing in a phase that is no round.

    The order is drawn the first time a console shows the phase, among who is marked here by then."""
    if view.phase is None or not view.phase.round:
        return None
    rounds.draw(console.database, console.person, view.session.id)
    speaking = rounds.current_round(console.database, view)
    if speaking is None:
        return None
    with st.container(border=True, key="round-console"):
        _console_round(console.database, console.viewer, view.session.id, speaking)
    return replace(speaking, clock=None)


def round_as_drawn(console: Console, view: SessionView) -> RoundView | None:
    """The round as the console draws it, its ticking clock aside: when this differs from what the console
    drew, the turn or the order moved elsewhere."""
    speaking = rounds.current_round(console.database, view)
    return replace(speaking, clock=None) if speaking else None


def _next(database: Database, viewer: Viewer, session_id: int, phase_index: int, speaking_now: int | None) -> None:
    rounds.next_speaker(database, viewer.signed_in, session_id, phase_index, speaking_now)


def _console_round(database: Database, viewer: Viewer, session_id: int, speaking: RoundView) -> None:
    phase_index = speaking.phase_index
    # The heading and the one press on one line where they fit; the press wraps under it where they do not,
    # and is always as wide as its label (a name can be long).
    top = st.container(horizontal=True, vertical_alignment="center", gap="small")
    each = viewer.t("rounds.each", time=format_clock(speaking.share_seconds))
    top.markdown(f"**{viewer.t('rounds.title')}** · {each}", width="content")
    speaker_id = speaking.speaker.person_id if speaking.speaker else None
    following = speaking.next_speaker
    if speaking.speaker is None and following is not None:
        label = viewer.t("rounds.start", name=escape_markdown(following.name))
    elif speaking.speaker is not None:
        label = (
            viewer.t("rounds.next_speaker", name=escape_markdown(following.name))
            if following
            else viewer.t("rounds.end")
        )
    else:
        label = ""
    if label:
        top.space("stretch")
        # The press names who the console showed: a second press about them, after the turn moved, does nothing.
        top.button(
            label,
            type="primary",
            key="round.next",
            width="content",
            on_click=forms.submit,
            args=(ROUND, viewer, partial(_next, database, viewer, session_id, phase_index, speaker_id)),
        )
    if speaking.speaker is not None:
        name = escape_markdown(speaking.speaker.name)
        line = f"{viewer.t('rounds.now')}: **{name}** {speaker_clock_markdown(speaking)}"
        if following:
            line += f" · {viewer.t('rounds.then', name=escape_markdown(following.name))}"
        st.markdown(line)
        tick_speaker_clock(speaking, "round-console")
    elif speaking.finished:
        st.markdown(viewer.t("rounds.finished"))
    elif not speaking.waiting:
        st.caption(viewer.t("rounds.nobody"))
    forms.form_error(ROUND)
    with st.expander(viewer.t("rounds.order"), expanded=False):
        st.caption(viewer.t("rounds.drawn"))
        _order_rows(database, viewer, session_id, speaking)
        _add_someone(database, viewer, session_id, phase_index)


def _order_rows(database: Database, viewer: Viewer, session_id: int, speaking: RoundView) -> None:
    person = viewer.signed_in
    phase_index = speaking.phase_index
    for number, turn in enumerate(speaking.order, start=1):
        name = escape_markdown(turn.name)
        if turn.skipped:
            text = f"~~{name}~~ · {viewer.t('rounds.skipped')}"
        elif turn.spoke_at is not None:
            text = f":gray[{name} · {viewer.t('rounds.spoke')}]"
        elif speaking.speaker and turn.person_id == speaking.speaker.person_id:
            text = f"**{name}** · {viewer.t('rounds.now').lower()}"
        else:
            text = name
        row = st.container(horizontal=True, vertical_alignment="center", gap="small", key=f"round-row-{turn.person_id}")
        row.markdown(f"{number}. {text}", width="content")
        row.space("stretch")
        waiting = turn.spoke_at is None and not (speaking.speaker and turn.person_id == speaking.speaker.person_id)
        if not waiting:
            continue
        moves = (
            (":material/arrow_upward:", "up", -1),
            (":material/arrow_downward:", "down", 1),
        )
        for icon, name_of_move, steps in moves:
            row.button(
                icon,
                key=f"round.{name_of_move}.{turn.person_id}",
                type="tertiary",
                help=viewer.t(f"rounds.{name_of_move}"),
                on_click=forms.submit,
                args=(
                    ROUND,
                    viewer,
                    partial(rounds.move_speaker, database, person, session_id, phase_index, turn.person_id, steps),
                ),
            )
        # Icons with a tooltip: a row holds a name and three buttons even in the console's narrow column.
        row.button(
            ":material/undo:" if turn.skipped else ":material/block:",
            key=f"round.skip.{turn.person_id}",
            type="tertiary",
            help=viewer.t("rounds.take_back" if turn.skipped else "rounds.skip"),
            on_click=forms.submit,
            args=(
                ROUND,
                viewer,
                partial(rounds.leave_out, database, person, session_id, phase_index, turn.person_id, not turn.skipped),
            ),
        )


def _add_someone(database: Database, viewer: Viewer, session_id: int, phase_index: int) -> None:
    person = viewer.signed_in
    candidates = rounds.people_to_add(database, person, session_id, phase_index)
    if not candidates:
        return
    line = st.container(horizontal=True, vertical_alignment="bottom", gap="small")
    chosen = line.selectbox(
        viewer.t("rounds.add"),
        list(candidates),
        format_func=lambda person_id: candidates[person_id],
        key="round.add_who",
    )
    line.button(
        viewer.t("rounds.add_button"),
        width="content",
        key="round.add",
        on_click=forms.submit,
        args=(
            ROUND,
            viewer,
            partial(rounds.add_speaker, database, person, session_id, phase_index, chosen),
        ),
    )
