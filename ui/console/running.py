"""A running phase: the phase with its clock and controls, the timeline, the board, the observation buttons
and the action items, on one 1920×1080 screen."""

from __future__ import annotations

from functools import partial

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from intervision import live, observation_log
from intervision.charts import method_timeline
from intervision.methods import Level
from intervision.models import ObservationDetailsInput, ObservationKind, SessionRole
from intervision.rounds import RoundView
from ui import format, forms
from ui.board import console_board
from ui.console.shared import CONTROLS, Console, action_panel, board_form, control_button
from ui.console.speaking_round import round_as_drawn, round_panel
from ui.guard import escape_markdown, while_signed_in
from ui.live import clock_line
from ui.push import listen_for_changes, safety_seconds, tick_in_the_browser


@st.fragment(run_every=safety_seconds())
def ticking_clock(console: Console, session_id: int, revision: int) -> None:
    """The countdown, ticking in the browser; drawn again when it turns amber or runs over (the overrun is
    logged then). A change made elsewhere reaches the console through the board's listener (below)."""
    live.log_overrun_if_due(console.database, session_id)
    view = live.console_view(console.database, console.person, session_id)
    if view.session.revision != revision:
        st.rerun()
    with st.container(key="console-clock", gap=None):
        clock_line(view, console.viewer)
        tick_in_the_browser(view, "console-clock")


@st.fragment(run_every=safety_seconds())
def ticking_board(console: Console, session_id: int, revision: int, speaking: RoundView | None) -> None:
    """The board, drawn again the moment a phone sends to it (the change stream); a step made elsewhere (a
    second device) or a turn that moved in a round (a phone's "I'm done") redraws the whole console.

    The console's only listener: two fragments told at the same moment would reach the server in one batch,
    and Streamlit reruns only one fragment of a batch.
    """
    view = live.console_view(console.database, console.person, session_id)
    if view.session.revision != revision or (speaking is not None and round_as_drawn(console, view) != speaking):
        st.rerun()
    listen_for_changes("console", session_id, view.session.stamp)
    console_board(console.database, console.viewer, view)


# The keys a facilitator presses without looking: Streamlit's own button shortcuts (not while typing in a field).
PAUSE_KEY, NEXT_KEY, PREVIOUS_KEY = "Space", "Right", "Left"


def controls(console: Console, view: live.SessionView) -> None:
    """Pause or resume, more time, and the moves between phases."""
    database, person, session = console.database, console.person, view.session
    at = (database, person, session.id, session.revision)
    clock = view.clock
    # One row that wraps, each button as wide as its label: seven equal columns cut "Volgende fase" to "V…"
    # at 1280 pixels.
    with st.container(horizontal=True, gap="small"):
        if clock and (not clock.started or not clock.running):
            label = "live.start_timer" if not clock.started else "live.resume"
            control_button(console, label, partial(live.resume, *at), type="primary", shortcut=PAUSE_KEY)
        else:
            control_button(console, "live.pause", partial(live.pause, *at), shortcut=PAUSE_KEY)
        for minutes, label in ((1, "live.plus_one"), (5, "live.plus_five")):
            control_button(console, label, partial(live.add_minutes, *at, minutes), key=f"plus.{minutes}")
        for steps, skip, label, kind, shortcut in (
            (-1, False, "live.previous", "secondary", PREVIOUS_KEY),
            (1, False, "live.next", "primary", NEXT_KEY),
            (1, True, "live.skip", "secondary", None),
        ):
            control_button(
                console,
                label,
                partial(live.move, *at, steps, skip),
                key=f"move.{label}",
                type=kind,
                disabled=steps < 0 and session.phase_index == 0,
                shortcut=shortcut,
            )


def shortcut_legend(console: Console) -> None:
    """The keys, said once in words: the buttons show them too, but not what 1–4 mean together."""
    viewer = console.viewer
    levels = " · ".join(f"{number} {viewer.t(f'level.{level}')}" for number, level in enumerate(Level, start=1))
    st.caption(viewer.t("live.shortcuts", levels=levels), help=viewer.t("live.shortcuts_help"))


def phase_heading(console: Console, view: live.SessionView) -> None:
    """Which phase of how many, its name, and its clock beside it."""
    viewer, phase = console.viewer, view.phase
    total = len(view.method.phases)
    st.caption(viewer.t("live.phase_of", number=view.session.phase_index + 1, total=total))
    title, clock = st.columns([3, 2], vertical_alignment="center")
    title.header(escape_markdown(phase.name(viewer.language)))
    with clock:
        ticking_clock(console, view.session.id, view.session.revision)


def phase_guidance(console: Console, view: live.SessionView) -> None:
    """The phase's purpose, who speaks, its prompts and rules, and the tips folded away."""
    viewer, phase = console.viewer, view.phase
    speakers = ", ".join(viewer.t(f"speaker.{speaker}") for speaker in phase.speakers)
    line = f"**{viewer.t('live.speaks')}:** {speakers}"
    if phase.listeners:
        line += f" · **{viewer.t('live.listens')}:** " + ", ".join(viewer.t(f"speaker.{s}") for s in phase.listeners)
    st.markdown(f"**{viewer.t('live.purpose')}:** {escape_markdown(phase.purpose(viewer.language))}  \n{line}")
    prompts, rules = st.columns(2)
    with prompts:
        st.markdown(f"**{viewer.t('live.prompts')}**")
        st.markdown("\n".join(f"- {escape_markdown(line)}" for line in phase.prompts(viewer.language)))
    with rules:
        st.markdown(f"**{viewer.t('live.rules')}**")
        st.markdown("\n".join(f"- {escape_markdown(line)}" for line in phase.rules(viewer.language)))
    if phase.tips(viewer.language):
        with st.expander(viewer.t("live.tips"), expanded=False):
            st.markdown("\n".join(f"- {escape_markdown(line)}" for line in phase.tips(viewer.language)))


DETAILS = "observation"
PRESS = "press"
LAST_OBSERVATION = "_last_observation"
OBSERVATION_BOX_WIDTH = 185  # pixels: four fit the left two thirds of a 1920-pixel screen
# One press per level and kind; the two that measure a group learning to run itself sit under each level.
PRESSES = (
    (ObservationKind.INTERVENTION, "live.intervene", ":material/front_hand:"),
    (ObservationKind.SELF_CORRECTION, "live.self_correct", ":material/groups:"),
)


def _observe(
    console: Console, session_id: int, level: str, kind: ObservationKind = ObservationKind.OBSERVATION
) -> None:
    at = format.local_now().strftime("%H:%M")
    pressed = live.observe(console.database, console.person, session_id, level, kind=kind)
    st.session_state[LAST_OBSERVATION] = (session_id, pressed, level, at, kind)
    forms.clear(DETAILS, ["category", "concerns", "note"])


def _take_back(console: Console, session_id: int) -> str:
    _, observation_id, *_ = st.session_state.pop(LAST_OBSERVATION)
    live.take_back(console.database, console.person, session_id, observation_id)
    return "live.taken_back"


def _describe(console: Console, session_id: int) -> str:
    _, observation_id, *_ = st.session_state[LAST_OBSERVATION]
    live.describe_observation(
        console.database,
        console.person,
        session_id,
        observation_id,
        ObservationDetailsInput(**forms.values(DETAILS, ["category", "concerns", "note"])),
    )
    forms.clear(DETAILS, ["category", "concerns", "note"])
    return "live.details_saved"


def _category_options(console: Console, level: str) -> dict[str, str]:
    """What may be noted on a level, helpful ones first, then hindering ones, then signals (the facilitator's
    own body: information, neither), each labelled with its kind."""
    known = observation_log.categories()
    language = console.viewer.language
    return {
        category.id: f"{console.viewer.t(f'observation_effect.{effect}')}: {category.name(language)}"
        for effect in observation_log.Effect
        for category in known.offered(level, effect)
    }


def last_press(console: Console, box: DeltaGenerator, session_id: int, last: tuple) -> None:
    """What was just noted, and the button that takes it back."""
    viewer = console.viewer
    _, _, level, at, kind = last
    if kind is ObservationKind.OBSERVATION:
        box.caption(viewer.t("live.observed", level=viewer.t(f"level.{level}"), time=at))
    else:
        said = viewer.t(f"observation_kind.{kind}")
        box.caption(viewer.t("live.pressed", kind=said, level=viewer.t(f"level.{level}"), time=at))
    box.button(
        viewer.t("live.take_back"),
        key="take_back",
        icon=":material/undo:",
        width="stretch",
        on_click=forms.submit,
        args=(PRESS, viewer, partial(_take_back, console, session_id)),
    )
    with box:
        forms.form_error(PRESS)


def observation_panel(console: Console, view: live.SessionView) -> None:
    """The four levels, each with its observation button and the two that count who corrected the course; under
    the button just pressed, what was noted and its undo."""
    viewer = console.viewer
    observe = while_signed_in(viewer, partial(_observe, console))
    # A bold line with its explanation behind the "?": a heading and a caption pushed the buttons off a
    # 1920x1080 screen.
    st.markdown(f"**{viewer.t('live.observe')}**", help=viewer.t("live.observe_help"))
    last = last_observation(view)
    # Four boxes in a row that wraps: side by side on a 1920-pixel screen, two by two on a laptop, where four
    # columns cut "Inhoud" to "I".
    row = st.container(horizontal=True, gap="small", wrap=True, key="observation-row")
    for number, level in enumerate(Level, start=1):
        box = row.container(border=True, width=OBSERVATION_BOX_WIDTH)
        box.button(
            viewer.t(f"level.{level}"),
            key=f"observe.{level}",
            type="primary",
            width="stretch",  # no icon: the level's name and its key fit a box a quarter of the left side wide
            on_click=observe,
            args=(view.session.id, level.value),
            shortcut=str(number),  # 1–4: content, procedure, interaction, feelings, as they stand
        )
        for kind, label, icon in PRESSES:
            box.button(
                viewer.t(label),
                key=f"{kind}.{level}",
                icon=icon,
                width="stretch",
                on_click=observe,
                args=(view.session.id, level.value, kind),
            )
        if last and last[2] == level.value:  # right under the button just pressed, also on a phone
            last_press(console, box, view.session.id, last)


def last_observation(view: live.SessionView) -> tuple | None:
    """The press just made in this session (its details may follow), if any."""
    last = st.session_state.get(LAST_OBSERVATION)
    return last if last and last[0] == view.session.id else None  # not one of an earlier session


def observation_details(console: Console, view: live.SessionView, level: str) -> None:
    """What was seen, about whom, and a note: all optional, the press itself is already logged."""
    viewer = console.viewer
    with st.form(DETAILS):
        options = _category_options(console, level)
        # The whole width: in half of it the longer categories were cut off at 1280 pixels.
        st.selectbox(
            viewer.t("live.category"),
            list(options),
            index=None,
            format_func=options.get,
            placeholder="—",
            key=forms.key(DETAILS, "category"),
        )
        who = {role.value: viewer.t(f"session_role.{role}") for role in SessionRole} | {
            "group": viewer.t("live.concerns_group"),
            "member": viewer.t("live.concerns_member"),
            "facilitator": viewer.t("live.concerns_facilitator"),
        }
        st.selectbox(
            viewer.t("live.concerns"),
            list(who),
            index=None,
            format_func=who.get,
            placeholder="—",
            key=forms.key(DETAILS, "concerns"),
        )
        st.text_input(viewer.t("live.note"), max_chars=500, key=forms.key(DETAILS, "note"))
        forms.form_error(DETAILS)
        st.form_submit_button(
            viewer.t("live.save_details"),
            on_click=forms.submit,
            args=(DETAILS, viewer, partial(_describe, console, view.session.id)),
        )


def timeline(console: Console, view: live.SessionView) -> None:
    """The method's phases along the minutes, a line where the session is now; a slim bar per phase, so that
    ten phases leave room for the board beneath."""
    figure = method_timeline(view.method, console.viewer.language)
    figure.add_vline(
        x=sum(p.minutes for p in view.method.phases[: view.session.phase_index]), line_width=4, line_color="#111"
    )
    figure.update_layout(height=60 + 24 * len(view.method.phases), showlegend=False, font={"size": 12})
    st.plotly_chart(figure, width="stretch", config={"displayModeBar": False})


def running(console: Console, view: live.SessionView) -> None:
    # One 1920x1080 screen holds what a running phase needs: the phase, its clock, the controls and the
    # observation buttons on the left; the timeline, the board's entry field and the board on the right.
    # Beneath them, the whole width: the details of a press (a category cut off in two thirds of a laptop's
    # width), the phase's prompts and rules (the projector shows those too), and the action items.
    guide, side = st.columns([3, 2], gap="medium")
    with guide:
        phase_heading(console, view)
        controls(console, view)
        forms.form_error(CONTROLS)
        # In a round the next speaker is the press that matters most: right under the phase's own controls.
        drawn_round = round_panel(console, view)
        shortcut_legend(console)
        observation_panel(console, view)
    with side:
        timeline(console, view)
        board_form(console, view)
        ticking_board(console, view.session.id, view.session.revision, drawn_round)
    if last := last_observation(view):
        observation_details(console, view, last[2])
    phase_guidance(console, view)
    action_panel(console, view)
