"""The speaking round on the projector ("now speaking", "next") and the phone ("I'm done" for whoever has
the turn); the console's part is ui/console/speaking_round.py.

Each part is drawn by its screen's live fragment, which the change stream reruns when the turn moves (a
second console, a phone's "I'm done"); the speaker's countdown ticks in the browser in between.
"""

from __future__ import annotations

from functools import partial
from html import escape

import streamlit as st

from intervision import rounds
from intervision.database import Database
from intervision.live import SessionView, format_clock, seconds_until_recoloured
from intervision.rounds import RoundView
from ui import forms
from ui.guard import Viewer, escape_markdown
from ui.live import COLOURS, HEX
from ui.push import tick_countdown_in_the_browser

ROUND = "round"  # the form its problems are filed under


def speaker_clock_markdown(speaking: RoundView) -> str:
    """The speaker's time left in its colour (Markdown), e.g. :green[1:12] or :red[−0:20]."""
    if speaking.clock is None:
        return ""
    return f":{COLOURS[speaking.clock.colour]}[{format_clock(speaking.clock.remaining_seconds)}]"


def tick_speaker_clock(speaking: RoundView, box_key: str) -> None:
    """Let the browser count the speaker's time down in the container `box_key`; redrawn when its colour turns."""
    if speaking.clock is not None:
        tick_countdown_in_the_browser(speaking.clock, seconds_until_recoloured(speaking.clock), box_key)


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
        key = "rounds.then" if speaking.speaker else "rounds.first"
        following = viewer.t(key, name=speaking.next_speaker.name)
        parts.append(f'<div class="projector-round-next">{escape(following)}</div>')
    parts.append("</div>")
    with st.container(key="projector-round-box", gap=None):
        st.html("".join(parts))
        tick_speaker_clock(speaking, "projector-round-box")


# --- the phone -----------------------------------------------------------------------------------


def _done(database: Database, viewer: Viewer, session_id: int, phase_index: int) -> None:
    rounds.done_speaking(database, viewer.signed_in, session_id, phase_index)


def phone_round(database: Database, viewer: Viewer, view: SessionView) -> None:
    """Who speaks now and who is next; to the speaker alone, "I'm done", which passes the turn on."""
    speaking = rounds.current_round(database, view)
    if speaking is None:
        return
    with st.container(key="phone-round-box", gap=None):
        _phone_round_lines(database, viewer, view, speaking)
        tick_speaker_clock(speaking, "phone-round-box")


def _phone_round_lines(database: Database, viewer: Viewer, view: SessionView, speaking: RoundView) -> None:
    person = viewer.signed_in
    if speaking.speaker is not None and speaking.speaker.person_id == person.id:
        st.markdown(f"**{viewer.t('rounds.your_turn')}** {speaker_clock_markdown(speaking)}")
        st.button(
            viewer.t("rounds.done"),
            type="primary",
            key="round.done",
            width="stretch",
            on_click=forms.submit,
            args=(ROUND, viewer, partial(_done, database, viewer, view.session.id, speaking.phase_index)),
        )
    elif speaking.speaker is not None:
        name = escape_markdown(speaking.speaker.name)
        st.markdown(f"{viewer.t('rounds.now')}: **{name}** {speaker_clock_markdown(speaking)}")
    elif speaking.finished:
        st.caption(viewer.t("rounds.finished"))
    if speaking.next_speaker is not None:
        key = "rounds.then" if speaking.speaker else "rounds.first"
        st.caption(viewer.t(key, name=escape_markdown(speaking.next_speaker.name)))
