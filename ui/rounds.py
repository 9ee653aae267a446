"""The speaking round on the live screens: the facilitator's order and "next", the projector's "now
speaking", and the phone's "I'm done" for whoever has the turn.

Each part reads the round again every second or two: a second console, a phone's "I'm done" or a restart
moves the turn in the store, and every screen follows by itself.
"""

from __future__ import annotations

from functools import partial
from html import escape

import streamlit as st

from intervision import live, rounds
from intervision.database import Database
from intervision.live import SessionView, format_clock
from intervision.rounds import RoundView
from ui import forms
from ui.guard import Viewer, escape_markdown
from ui.live import COLOURS, HEX

ROUND = "round"  # the form its problems are filed under


def _clock(speaking: RoundView) -> str:
    """The speaker's time left in its colour (Markdown), e.g. :green[1:12] or :red[−0:20]."""
    if speaking.clock is None:
        return ""
    return f":{COLOURS[speaking.clock.colour]}[{format_clock(speaking.clock.remaining_seconds)}]"


# --- the console ---------------------------------------------------------------------------------


def console_round(database: Database, viewer: Viewer, view: SessionView) -> None:
    """The round of the phase on the facilitator's console; nothing in a phase that is no round.

    The order is drawn the first time a console shows the phase, among who is marked here by then."""
    if view.phase is None or not view.phase.round:
        return
    rounds.draw(database, viewer.signed_in, view.session.id)
    with st.container(border=True, key="round-console"):
        _ticking_console_round(database, viewer, view.session.id)


def _next(database: Database, viewer: Viewer, session_id: int, phase_index: int, speaking_now: int | None) -> None:
    rounds.next_speaker(database, viewer.signed_in, session_id, phase_index, speaking_now)


@st.fragment(run_every=1)
def _ticking_console_round(database: Database, viewer: Viewer, session_id: int) -> None:
    person = viewer.signed_in
    view = live.console_view(database, person, session_id)
    speaking = rounds.current_round(database, view)
    if speaking is None:
        return
    phase_index = speaking.phase_index
    heading, press = st.columns([3, 2], vertical_alignment="center")
    each = viewer.t("rounds.each", time=format_clock(speaking.share_seconds))
    heading.markdown(f"**{viewer.t('rounds.title')}** · {each}")
    speaker_id = speaking.speaker.person_id if speaking.speaker else None
    following = speaking.next_speaker
    if speaking.speaker is None and following is not None:
        label = viewer.t("rounds.start", name=following.name)
    elif speaking.speaker is not None:
        label = viewer.t("rounds.next_speaker", name=following.name) if following else viewer.t("rounds.end")
    else:
        label = ""
    if label:
        # The press names who the console showed: a second press about them, after the turn moved, does nothing.
        press.button(
            label,
            type="primary",
            key="round.next",
            width="stretch",
            on_click=forms.submit,
            args=(ROUND, viewer, partial(_next, database, viewer, session_id, phase_index, speaker_id)),
        )
    if speaking.speaker is not None:
        line = f"{viewer.t('rounds.now')}: **{escape_markdown(speaking.speaker.name)}** {_clock(speaking)}"
        if following:
            line += f" · {viewer.t('rounds.then', name=escape_markdown(following.name))}"
        st.markdown(line)
    elif speaking.finished:
        st.markdown(viewer.t("rounds.finished"))
    elif not speaking.order:
        st.caption(viewer.t("rounds.nobody"))
    else:
        st.caption(viewer.t("rounds.not_started"))
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
        row.markdown(f"{number}. {text}", width="stretch")
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
                help=viewer.t(f"rounds.{name_of_move}"),
                on_click=forms.submit,
                args=(
                    ROUND,
                    viewer,
                    partial(rounds.move_speaker, database, person, session_id, phase_index, turn.person_id, steps),
                ),
            )
        row.button(
            viewer.t("rounds.take_back" if turn.skipped else "rounds.skip"),
            key=f"round.skip.{turn.person_id}",
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
    choice, add = st.columns([3, 1], vertical_alignment="bottom")
    chosen = choice.selectbox(
        viewer.t("rounds.add"),
        list(candidates),
        format_func=lambda person_id: candidates[person_id],
        key="round.add_who",
    )
    add.button(
        viewer.t("rounds.add_button"),
        key="round.add",
        on_click=forms.submit,
        args=(
            ROUND,
            viewer,
            partial(rounds.add_speaker, database, person, session_id, phase_index, chosen),
        ),
    )


# --- the projector -------------------------------------------------------------------------------

PROJECTED_CSS = """
<style>
.projector-round { font-size: calc(var(--u) * 4); line-height: 1.2; }
.projector-round-now strong { font-size: calc(var(--u) * 6); }
.projector-round-clock { font-weight: 700; margin-left: 0.4em; }
.projector-round-next { font-size: calc(var(--u) * 3.2); color: #333; }
</style>
"""


def projected_round(database: Database, viewer: Viewer, view: SessionView) -> None:
    """Who speaks now, with their time left, and who is next: names of the group's members, in large type.

    Names are HTML-escaped; st.html runs no script."""
    speaking = rounds.current_round(database, view)
    if speaking is None:
        return
    parts = [PROJECTED_CSS, '<div class="projector-round">']
    if speaking.speaker is not None:
        clock = speaking.clock
        timer = (
            f'<span class="projector-round-clock" style="color:{HEX[clock.colour]}">'
            f"{escape(format_clock(clock.remaining_seconds))}</span>"
            if clock
            else ""
        )
        parts.append(
            f'<div class="projector-round-now">{escape(viewer.t("rounds.now"))}: '
            f"<strong>{escape(speaking.speaker.name)}</strong>{timer}</div>"
        )
    elif speaking.finished:
        parts.append(f"<div>{escape(viewer.t('rounds.finished'))}</div>")
    else:
        each = viewer.t("rounds.each", time=format_clock(speaking.share_seconds))
        parts.append(f"<div>{escape(viewer.t('rounds.title'))} · {escape(each)}</div>")
    if speaking.next_speaker is not None:
        following = viewer.t("rounds.then", name=speaking.next_speaker.name)
        parts.append(f'<div class="projector-round-next">{escape(following)}</div>')
    parts.append("</div>")
    st.html("".join(parts))


# --- the phone -----------------------------------------------------------------------------------


def _done(database: Database, viewer: Viewer, session_id: int, phase_index: int) -> None:
    rounds.done_speaking(database, viewer.signed_in, session_id, phase_index)


def phone_round(database: Database, viewer: Viewer, view: SessionView) -> None:
    """Who speaks now and who is next; to the speaker alone, "I'm done", which passes the turn on."""
    speaking = rounds.current_round(database, view)
    if speaking is None:
        return
    person = viewer.signed_in
    if speaking.speaker is not None and speaking.speaker.person_id == person.id:
        st.markdown(f"**{viewer.t('rounds.your_turn')}** {_clock(speaking)}")
        st.button(
            viewer.t("rounds.done"),
            type="primary",
            key="round.done",
            width="stretch",
            on_click=forms.submit,
            args=(ROUND, viewer, partial(_done, database, viewer, view.session.id, speaking.phase_index)),
        )
    elif speaking.speaker is not None:
        st.markdown(f"{viewer.t('rounds.now')}: **{escape_markdown(speaking.speaker.name)}** {_clock(speaking)}")
    elif speaking.finished:
        st.caption(viewer.t("rounds.finished"))
    if speaking.next_speaker is not None:
        st.caption(viewer.t("rounds.then", name=escape_markdown(speaking.next_speaker.name)))
