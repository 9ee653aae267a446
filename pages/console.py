"""The facilitator's console: start a session, guide it phase by phase, keep the board and the private log."""

from datetime import datetime
from functools import partial

import plotly.express as px
import plotly.graph_objects as go
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from intervision import cases, groups, live, method_library, observation_log
from intervision.charts import LEVEL_COLOURS, method_timeline, session_time_axis
from intervision.database import configured as configured_database
from intervision.errors import DomainError
from intervision.i18n import chart_date_format
from intervision.method_choice import chooser_need
from intervision.methods import Level, Standing, recommend
from intervision.models import (
    ActionItemInput,
    BoardItemInput,
    GroupRole,
    LiveSession,
    ObservationDetailsInput,
    ObservationKind,
    QuestionType,
    SessionRole,
    SessionStatus,
    StartSessionInput,
)
from intervision.overview_charts import CORRECTION_COLOURS
from intervision.reports import session_report_markdown, session_report_pdf
from ui import format, forms
from ui.browser import app_origin
from ui.chooser import group_line, plan_text, safety_line, show_ranking
from ui.guard import escape_markdown, guard, while_signed_in
from ui.live import board_list, clock_line, join_panel

# The store this server was set up with (intervision/database.py), built once per process.
database = configured_database()

viewer = guard("console")
person = viewer.signed_in
CURRENT = "live_session_id"
led = {group.id: group for group, role in groups.visible_groups(database, person) if role is GroupRole.FACILITATOR}
under_way = [session for session in live.open_sessions(database, person) if session.group_id in led]


def _act(action: object, notice: str | None = None) -> str | None:
    """Run a session control; if the session moved on meanwhile, say so instead of doing it twice."""
    try:
        action()
    except DomainError as problem:
        if problem.key != "session_moved_on":
            raise
        return "live.moved_on"
    return notice


# --- starting --------------------------------------------------------------------------------------

START = "start"


def _start() -> str:
    values = forms.values(START, ["group_id", "case", "spot", "method_id", "sequence_id"])
    roles = {
        SessionRole(role): [person_id]
        for role in ("case_bringer", "chair", "timekeeper", "note_taker")
        if (person_id := forms.value(START, role)) is not None
    }
    roles[SessionRole.OBSERVER] = forms.value(START, "observer") or []
    form = StartSessionInput(
        group_id=values["group_id"],
        case_id=values["case"] if isinstance(values["case"], int) else None,
        spot_case_title=values["spot"] or "" if values["case"] == "spot" else "",
        method_id=values["method_id"] or "",
        sequence_id=values["sequence_id"],
        roles=roles,
    )
    st.session_state[CURRENT] = live.start_session(database, person, form)
    return "live.started"


def start_panel() -> None:
    st.subheader(viewer.t("live.start_title"))
    if not led:
        st.info(viewer.t("live.no_groups"))
        return
    group_id = st.selectbox(
        viewer.t("live.group"), list(led), format_func=lambda key: led[key].name, key=forms.key(START, "group_id")
    )
    queue = cases.queue(database, person, group_id)
    candidates = {case.id: case for case in [*queue.chosen, *(queued.case for queued in queue.cases)]}
    options = [*candidates, "spot"]
    st.radio(
        viewer.t("live.case"),
        options,
        format_func=lambda key: (
            viewer.t("live.case_on_the_spot") if key == "spot" else escape_markdown(candidates[key].title)
        ),
        key=forms.key(START, "case"),
    )
    chosen_case = candidates.get(forms.value(START, "case"))
    if forms.value(START, "case") == "spot":
        st.text_input(viewer.t("live.spot_title"), max_chars=120, key=forms.key(START, "spot"))
        forms.field_error(START, "spot_case_title")
    forms.field_error(START, "case_id")

    members = {member.person_id: member.name for member in groups.members(database, person, group_id)}
    question_type = None
    if chosen_case is None or chosen_case.question_type is None:
        # The case does not say what kind of question it is: the facilitator asks and picks it here.
        question_type = st.selectbox(
            viewer.t("methods.question_types"),
            list(QuestionType),
            format_func=lambda kind: viewer.t(f"question_type.{kind}"),
            key=forms.key(START, "question_type"),
        )
    need = chooser_need(database, person, group_id, chosen_case, question_type=question_type)
    methods = [entry.method for entry in method_library.available_methods(database, person)]
    ranked = recommend(methods, need)
    by_id = {recommendation.method.id: recommendation for recommendation in ranked}
    marks = {Standing.RECOMMENDED: "✓ ", Standing.RULED_OUT: "✗ "}
    st.selectbox(
        viewer.t("live.method"),
        list(by_id),
        format_func=lambda key: (
            f"{marks.get(by_id[key].standing, '')}{by_id[key].method.name(viewer.language)} · "
            f"{format.minutes(by_id[key].method.total_minutes, viewer)}′"
        ),
        key=forms.key(START, "method_id"),
    )
    forms.field_error(START, "method_id")
    chosen = by_id[forms.value(START, "method_id")]
    method = chosen.method
    if (plan := plan_text(chosen, viewer)) is not None:
        st.text(plan)
    with st.expander(viewer.t("live.ranking"), expanded=True):
        st.caption(group_line(need, viewer))
        st.caption(safety_line(need.safety, viewer))
        show_ranking(ranked, viewer, only_recommended=True)
    if method.sequences:
        names = {sequence.id: sequence.name(viewer.language) for sequence in method.sequences}
        st.selectbox(
            viewer.t("live.sequence"),
            [None, *names],
            format_func=lambda key: names.get(key, "—"),
            key=forms.key(START, "sequence_id"),
        )
    else:
        st.session_state[forms.key(START, "sequence_id")] = None

    st.markdown(f"**{viewer.t('live.roles')}**")
    st.caption(viewer.t("live.suggested"))
    bringer = chosen_case.author_id if chosen_case else None
    suggestion = live.suggest_roles(database, person, group_id, bringer)
    defaults = {"case_bringer": bringer} | {role.value: person_id for role, person_id in suggestion.items()}
    if st.session_state.get("_roles_for") != (group_id, forms.value(START, "case")):
        st.session_state["_roles_for"] = (group_id, forms.value(START, "case"))
        for role, person_id in defaults.items():
            st.session_state[forms.key(START, role)] = person_id
    columns = st.columns(4)
    for column, role in zip(columns, ("case_bringer", "chair", "timekeeper", "note_taker"), strict=True):
        column.selectbox(
            viewer.t(f"session_role.{role}"),
            list(members),
            index=None,
            format_func=members.get,
            placeholder="—",
            key=forms.key(START, role),
        )
    st.multiselect(
        viewer.t("session_role.observer"),
        list(members),
        format_func=members.get,
        placeholder=viewer.t("common.choose"),
        key=forms.key(START, "observer"),
    )
    forms.field_error(START, "roles")
    forms.form_error(START)
    st.button(viewer.t("live.start"), type="primary", on_click=forms.submit, args=(START, viewer, _start))
    earlier_sessions(group_id)


def earlier_sessions(group_id: int) -> None:
    """The group's closed sessions, each told apart by its day, method and case: each opens its report again.
    The case title is the group's to see, and this console is its facilitator's (live.history keeps to the
    facilitator's circle)."""
    st.subheader(viewer.t("live.history"))
    closed = live.history(database, person, group_id)
    if not closed:
        st.caption(viewer.t("live.no_history"))
    method_names: dict[tuple[str, int, str | None], str] = {}  # one read per method version, not per session
    for session in closed[:20]:
        pinned = (session.method_id, session.method_version, session.sequence_id)
        if pinned not in method_names:
            method_names[pinned] = live.session_method(database, session).name(viewer.language)
        # Day and time: two sessions of one day (a second case, a restart) still read apart.
        when = format.moment(session.started_at, viewer)
        case = escape_markdown(session.case_title) or "—"
        label = f"**{when}** · {escape_markdown(method_names[pinned])} · {case}"
        st.button(
            label,
            key=f"report.{session.id}",
            icon=":material/description:",
            on_click=st.session_state.__setitem__,
            args=(CURRENT, session.id),
        )


def session_bar(view: live.SessionView) -> None:
    """The code for phones, and the projector one press away: a new window the facilitator drags to the beamer.
    The link stays in the panel too, for a beamer driven by another computer."""
    origin = app_origin()
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


# --- check-in --------------------------------------------------------------------------------------


def check_in(view: live.SessionView) -> None:
    session = view.session
    st.header(viewer.t("live.check_in"))
    st.markdown(f"### {viewer.t('live.check_in_prompt')}")
    who_is_here(session)
    back = live.look_back(database, person, session.id)
    st.subheader(viewer.t("live.look_back"))
    st.markdown(f"**{viewer.t('live.previous_actions')}**")
    if not back.action_items:
        st.caption(viewer.t("live.no_previous_actions"))
    for item in back.action_items:
        st.checkbox(
            escape_markdown(f"{item.text} · {item.owner or '—'}"),
            value=item.done,
            key=f"done.{item.id}",
            on_change=while_signed_in(
                viewer,
                lambda item_id=item.id: live.set_action_item_done(
                    database, person, session.id, item_id, st.session_state[f"done.{item_id}"]
                ),
            ),
        )
    if back.last_case_title:
        st.markdown(f"**{viewer.t('live.last_case', title=escape_markdown(back.last_case_title))}**")
        if back.last_case_follow_up:
            st.text(back.last_case_follow_up)
        else:
            st.caption(viewer.t("live.no_follow_up"))
    st.button(
        viewer.t("live.begin"),
        type="primary",
        on_click=forms.submit,
        args=(
            "controls",
            viewer,
            partial(_act, partial(live.begin_phases, database, person, session.id, session.revision)),
        ),
    )


PRESENCE = {"unknown": None, "present": True, "absent": False}


def who_is_here(session: LiveSession) -> None:
    """Attendance, asked at the check-in: it is what the organisation may see of who came.

    Every member starts unknown; each mark is stored the moment it is made."""
    st.subheader(viewer.t("live.who_is_here"))
    st.caption(viewer.t("live.who_is_here_help"))
    here = live.presence(database, person, session.id)
    names = {member.person_id: member.name for member in groups.members(database, person, session.group_id)}
    marks = {present: mark for mark, present in PRESENCE.items()}
    columns = st.columns(2)  # two, so that a member's three choices stay on one line at 1280 pixels wide
    for index, (person_id, present) in enumerate(sorted(here.items(), key=lambda item: names.get(item[0], ""))):
        columns[index % 2].radio(
            escape_markdown(names.get(person_id, "—")),
            list(PRESENCE),
            index=list(PRESENCE).index(marks[present]),
            format_func=lambda mark: viewer.t(f"live.{'presence_unknown' if mark == 'unknown' else mark}"),
            horizontal=True,
            key=f"present.{person_id}",
            on_change=while_signed_in(
                viewer,
                lambda person_id=person_id: live.set_present(
                    database, person, session.id, person_id, PRESENCE[st.session_state[f"present.{person_id}"]]
                ),
            ),
        )


# --- running ---------------------------------------------------------------------------------------


@st.fragment(run_every=1)
def ticking_clock(session_id: int, revision: int) -> None:
    """The countdown, every second; a change made elsewhere (a second device) redraws the whole console."""
    live.log_overrun_if_due(database, session_id)
    view = live.console_view(database, person, session_id)
    if view.session.revision != revision:
        st.rerun()
    clock_line(view, viewer)


@st.fragment(run_every=1)
def ticking_board(session_id: int) -> None:
    """The board as phones fill it."""
    view = live.console_view(database, person, session_id)
    board_list(view, viewer, helpful_toggle=partial(live.mark_helpful, database, person, session_id))


def controls(view: live.SessionView) -> None:
    session = view.session
    do = partial(_act)
    # One row that wraps, each button as wide as its label: seven equal columns cut "Volgende fase" to "V…"
    # at 1280 pixels.
    row = st.container(horizontal=True, gap="small")
    buttons = [row] * 6
    clock = view.clock
    if clock and (not clock.started or not clock.running):
        label = "live.start_timer" if not clock.started else "live.resume"
        buttons[0].button(
            viewer.t(label),
            type="primary",
            on_click=forms.submit,
            args=(
                "controls",
                viewer,
                partial(do, partial(live.resume, database, person, session.id, session.revision)),
            ),
        )
    else:
        buttons[0].button(
            viewer.t("live.pause"),
            on_click=forms.submit,
            args=("controls", viewer, partial(do, partial(live.pause, database, person, session.id, session.revision))),
        )
    for column, minutes, label in ((buttons[1], 1, "live.plus_one"), (buttons[2], 5, "live.plus_five")):
        column.button(
            viewer.t(label),
            key=f"plus.{minutes}",
            on_click=forms.submit,
            args=(
                "controls",
                viewer,
                partial(do, partial(live.add_minutes, database, person, session.id, session.revision, minutes)),
            ),
        )
    for column, steps, skip, label, kind in (
        (buttons[3], -1, False, "live.previous", "secondary"),
        (buttons[4], 1, False, "live.next", "primary"),
        (buttons[5], 1, True, "live.skip", "secondary"),
    ):
        column.button(
            viewer.t(label),
            key=f"move.{label}",
            type=kind,
            disabled=steps < 0 and session.phase_index == 0,
            on_click=forms.submit,
            args=(
                "controls",
                viewer,
                partial(do, partial(live.move, database, person, session.id, session.revision, steps, skip)),
            ),
        )


def phase_panel(view: live.SessionView) -> None:
    phase = view.phase
    total = len(view.method.phases)
    st.caption(viewer.t("live.phase_of", number=view.session.phase_index + 1, total=total))
    title, clock = st.columns([3, 2], vertical_alignment="center")
    title.header(escape_markdown(phase.name(viewer.language)))
    with clock:
        ticking_clock(view.session.id, view.session.revision)
    st.markdown(f"**{viewer.t('live.purpose')}:** {escape_markdown(phase.purpose(viewer.language))}")
    speakers = ", ".join(viewer.t(f"speaker.{speaker}") for speaker in phase.speakers)
    line = f"**{viewer.t('live.speaks')}:** {speakers}"
    if phase.listeners:
        line += f" · **{viewer.t('live.listens')}:** " + ", ".join(viewer.t(f"speaker.{s}") for s in phase.listeners)
    st.markdown(line)
    prompts, rules = st.columns(2)
    with prompts:
        st.markdown(f"**{viewer.t('live.prompts')}**")
        st.markdown("\n".join(f"- {escape_markdown(line)}" for line in phase.prompts(viewer.language)))
    with rules:
        st.markdown(f"**{viewer.t('live.rules')}**")
        st.markdown("\n".join(f"- {escape_markdown(line)}" for line in phase.rules(viewer.language)))
    if phase.tips(viewer.language):
        # Folded: the facilitator opens them when needed, and the observation buttons stay on the screen.
        with st.expander(viewer.t("live.tips"), expanded=False):
            st.markdown("\n".join(f"- {escape_markdown(line)}" for line in phase.tips(viewer.language)))


BOARD = "board_add"


def _add_to_board(session_id: int) -> str:
    live.send_to_board(
        database,
        person,
        session_id,
        BoardItemInput(kind=forms.value(BOARD, "kind") or "", text=forms.value(BOARD, "text") or ""),
    )
    forms.clear(BOARD, ["text"])
    return "live.sent"


def board_form(view: live.SessionView) -> None:
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
            args=(BOARD, viewer, partial(_add_to_board, view.session.id)),
        )


ACTION = "action_add"


def _add_action(session_id: int) -> str:
    live.add_action_item(
        database, person, session_id, ActionItemInput(**forms.values(ACTION, ["text", "owner_id", "due_date"]))
    )
    forms.clear(ACTION, ["text", "owner_id", "due_date"])
    return "live.action_added"


def action_panel(view: live.SessionView, title: bool = True) -> None:
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
            args=(ACTION, viewer, partial(_add_action, view.session.id)),
        )


DETAILS = "observation"
PRESS = "press"
# One press per level and kind; the two that measure a group learning to run itself sit under each level.
PRESSES = (
    (ObservationKind.INTERVENTION, "live.intervene", ":material/front_hand:"),
    (ObservationKind.SELF_CORRECTION, "live.self_correct", ":material/groups:"),
)


def _observe(session_id: int, level: str, kind: ObservationKind = ObservationKind.OBSERVATION) -> None:
    at = format.local_now().strftime("%H:%M")
    pressed = live.observe(database, person, session_id, level, kind=kind)
    st.session_state["_last_observation"] = (session_id, pressed, level, at, kind)
    forms.clear(DETAILS, ["category", "concerns", "note"])


def _take_back(session_id: int) -> str:
    _, observation_id, *_ = st.session_state.pop("_last_observation")
    live.take_back(database, person, session_id, observation_id)
    return "live.taken_back"


def _describe(session_id: int) -> str:
    _, observation_id, *_ = st.session_state["_last_observation"]
    live.describe_observation(
        database,
        person,
        session_id,
        observation_id,
        ObservationDetailsInput(**forms.values(DETAILS, ["category", "concerns", "note"])),
    )
    forms.clear(DETAILS, ["category", "concerns", "note"])
    return "live.details_saved"


def _category_options(level: str) -> dict[str, str]:
    """What may be noted on a level, helpful ones first, then hindering ones, then signals (the facilitator's
    own body: information, neither), each labelled with its kind."""
    known = observation_log.categories()
    return {
        category.id: f"{viewer.t(f'observation_effect.{effect}')}: {category.name(viewer.language)}"
        for effect in observation_log.Effect
        for category in known.offered(level, effect)
    }


def last_press(box: DeltaGenerator, session_id: int, last: tuple) -> None:
    """What was just noted, and the button that takes it back."""
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
        args=(PRESS, viewer, partial(_take_back, session_id)),
    )
    with box:
        forms.form_error(PRESS)


def observation_panel(view: live.SessionView) -> None:
    # A bold line with its explanation behind the "?": a heading and a caption pushed the buttons off a
    # 1920x1080 screen.
    st.markdown(f"**{viewer.t('live.observe')}**", help=viewer.t("live.observe_help"))
    last = st.session_state.get("_last_observation")
    if last and last[0] != view.session.id:  # an observation of an earlier session is not offered
        last = None
    for column, level in zip(st.columns(4), Level, strict=True):
        box = column.container(border=True)
        box.button(
            viewer.t(f"level.{level}"),
            key=f"observe.{level}",
            type="primary",
            icon=":material/visibility:",
            width="stretch",
            on_click=while_signed_in(viewer, _observe),
            args=(view.session.id, level.value),
        )
        for kind, label, icon in PRESSES:
            box.button(
                viewer.t(label),
                key=f"{kind}.{level}",
                icon=icon,
                width="stretch",
                on_click=while_signed_in(viewer, _observe),
                args=(view.session.id, level.value, kind),
            )
        if last and last[2] == level.value:  # right under the button just pressed, also on a phone
            last_press(box, view.session.id, last)
    if not last:
        return
    level = last[2]
    with st.form(DETAILS):
        options = _category_options(level)
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
            args=(DETAILS, viewer, partial(_describe, view.session.id)),
        )


def timeline(view: live.SessionView) -> None:
    """The method's phases along the minutes, a line where the session is now."""
    figure = method_timeline(view.method, viewer.language)
    figure.add_vline(
        x=sum(p.minutes for p in view.method.phases[: view.session.phase_index]), line_width=4, line_color="#111"
    )
    figure.update_layout(height=60 + 30 * len(view.method.phases), showlegend=False, font={"size": 13})
    st.plotly_chart(figure, width="stretch", config={"displayModeBar": False})


def running(view: live.SessionView) -> None:
    # One 1920x1080 screen holds a running phase: the phase, its clock and controls beside the timeline and
    # the board (which grows), the observation buttons right under them; the action items below.
    guide, side = st.columns([3, 2], gap="medium")
    with guide:
        phase_panel(view)
        controls(view)
        forms.form_error("controls")
    with side:
        timeline(view)
        board_form(view)
        ticking_board(view.session.id)
    observation_panel(view)
    action_panel(view)


# --- closing ---------------------------------------------------------------------------------------

CHOICE = "choice"


def _choose(session_id: int) -> str:
    live.record_bringer_choice(database, person, session_id, forms.value(CHOICE, "text") or "")
    return "live.choice_saved"


CLOSE_WARNING = "close_warning"


def confirm_step(view: live.SessionView) -> int:
    """The action items with their confirm boxes, and how many are still open; returns that number."""
    session_id = view.session.id
    st.subheader(viewer.t("live.confirm_step"))
    st.caption(viewer.t("live.confirm_help"))
    items = live.action_items(database, person, session_id)
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
            args=("controls", viewer, partial(_confirm_all, session_id)),
        )
    return unconfirmed


def _confirm_all(session_id: int) -> None:
    live.confirm_all_action_items(database, person, session_id)
    # The boxes show what is stored now, not what they held before.
    for key in [key for key in st.session_state if str(key).startswith("confirm.")]:
        del st.session_state[key]


def _close(session: LiveSession, unconfirmed: int, confirm_first: bool = False, anyway: bool = False) -> str | None:
    """Close, unless action items are unconfirmed and the facilitator has not chosen yet: then ask first."""
    if unconfirmed and not (confirm_first or anyway):
        st.session_state[CLOSE_WARNING] = session.id
        return None
    st.session_state.pop(CLOSE_WARNING, None)
    if confirm_first:
        _confirm_all(session.id)
    return _act(partial(live.close_session, database, person, session.id, session.revision), "live.closed")


def close_buttons(session: LiveSession, unconfirmed: int) -> None:
    """Back to the last phase, or close; with unconfirmed action items closing warns first."""
    if unconfirmed and st.session_state.get(CLOSE_WARNING) == session.id:
        st.warning(viewer.t("live.close_warning", count=unconfirmed))
        confirm_first, anyway, wait = st.columns(3)
        confirm_first.button(
            viewer.t("live.confirm_all_and_close"),
            type="primary",
            on_click=forms.submit,
            args=("controls", viewer, partial(_close, session, unconfirmed, confirm_first=True)),
        )
        anyway.button(
            viewer.t("live.close_anyway"),
            on_click=forms.submit,
            args=("controls", viewer, partial(_close, session, unconfirmed, anyway=True)),
        )
        wait.button(viewer.t("live.keep_open"), on_click=lambda: st.session_state.pop(CLOSE_WARNING, None))
        return
    back, close = st.columns(2)
    back.button(
        viewer.t("live.back_to_last_phase"),
        on_click=forms.submit,
        args=(
            "controls",
            viewer,
            partial(_act, partial(live.move, database, person, session.id, session.revision, -1)),
        ),
    )
    close.button(
        viewer.t("live.close"),
        type="primary",
        on_click=forms.submit,
        args=("controls", viewer, partial(_close, session, unconfirmed)),
    )


def closing(view: live.SessionView) -> None:
    session = view.session
    st.header(viewer.t("live.closing"))
    st.markdown(f"### {viewer.t('live.closing_prompt')}")
    board_form(view)
    board_list(view, viewer, helpful_toggle=partial(live.mark_helpful, database, person, session.id))
    unconfirmed = confirm_step(view)
    action_panel(view, title=False)
    forms.prefill(CHOICE, {"text": session.bringer_choice})
    with st.form(CHOICE):
        st.text_area(viewer.t("live.choice"), max_chars=1000, key=forms.key(CHOICE, "text"))
        st.form_submit_button(
            viewer.t("live.save_choice"), on_click=forms.submit, args=(CHOICE, viewer, partial(_choose, session.id))
        )
    st.subheader(viewer.t("live.evaluation"))
    rating_line(session.id)
    close_buttons(session, unconfirmed)
    forms.form_error("controls")


def rating_line(session_id: int) -> None:
    """While ratings come in only how many; the mean once the session is closed and enough people rated."""
    summary = live.rating_summary(database, person, session_id)
    if not summary.closed:
        st.caption(viewer.t("live.rating_count", count=summary.count))
    elif summary.mean is None:
        st.caption(viewer.t("live.rating_too_few", threshold=summary.threshold))
    else:
        st.markdown(viewer.t("live.rating_mean", mean=format.number(summary.mean, viewer), count=summary.count))


# --- after the session -----------------------------------------------------------------------------


def balance_panel(session_id: int, group_id: int) -> None:
    """Who corrected the course in this session, and over the group's sessions: the group learning to run
    itself shows as a growing share of corrections it made without the facilitator."""
    st.subheader(viewer.t("live.balance_title"))
    here, over_time = st.columns(2)
    balance = live.session_balance(database, person, session_id)
    with here:
        st.markdown(f"**{viewer.t('live.balance_session')}**")
        if not balance.corrections:
            st.caption(viewer.t("live.balance_none"))
        else:
            # A plain table headed with the buttons' own short words: a data frame of three columns lost its
            # level column at 1280 and 390 pixels, the counts behind a sideways scroll.
            rows = [
                f"| {viewer.t(f'level.{level}')} | {balance.interventions[level]} | {balance.self_corrections[level]} |"
                for level in Level
            ]
            st.markdown(
                "\n".join(
                    [
                        f"| {viewer.t('live.level_column')} | {viewer.t('live.intervene')} | "
                        f"{viewer.t('live.self_correct')} |",
                        "| :-- | --: | --: |",
                        *rows,
                    ]
                )
            )
            st.write(viewer.t("live.balance_share", share=f"{balance.self_share or 0:.0%}"))
    sessions = live.group_balance(database, person, group_id)
    with over_time:
        st.markdown(f"**{viewer.t('live.balance_group')}**")
        counted = [entry for entry in sessions if entry.balance.corrections]
        if not counted:
            st.caption(viewer.t("live.balance_too_few"))
            return
        days = [entry.started_at.astimezone(format.local_zone()) for entry in counted]
        figure = go.Figure()
        for key, label, counts in (
            ("intervened", "observation_kind.intervention", [e.balance.total_interventions for e in counted]),
            ("self_corrected", "observation_kind.self_correction", [e.balance.total_self_corrections for e in counted]),
        ):
            figure.add_trace(go.Bar(x=days, y=counts, name=viewer.t(label), marker_color=CORRECTION_COLOURS[key]))
        figure.update_layout(
            barmode="group", font={"size": 16}, height=320, legend={"orientation": "h", "y": -0.25}, xaxis_title=""
        )
        figure.update_xaxes(tickformat=chart_date_format(viewer.language))
        figure.update_yaxes(dtick=1)
        st.plotly_chart(figure, width="stretch", config={"displayModeBar": False})
        intervened = sum(entry.balance.total_interventions for entry in counted)
        corrected = sum(entry.balance.total_self_corrections for entry in counted)
        st.write(
            viewer.t(
                "live.balance_group_counts",
                sessions=viewer.t("common.sessions", count=len(counted)),
                intervened=viewer.t("common.times", count=intervened),
                self_corrected=viewer.t("common.times", count=corrected),
            )
        )
        balances = [entry.balance for entry in sessions]
        trend = observation_log.share_trend(balances)
        if trend is None:
            st.caption(viewer.t("live.balance_too_few"))
        else:
            early, recent = observation_log.early_share(balances) or 0.0, observation_log.recent_share(balances) or 0.0
            st.write(
                viewer.t(
                    f"live.balance_{observation_log.trend_direction(trend)}",
                    early=f"{early:.0%}",
                    recent=f"{recent:.0%}",
                )
            )


def _local_clock(moment: datetime) -> datetime:
    """A stored moment as the facilitator's wall clock shows it (a chart axis has no time zones)."""
    return moment.astimezone(format.local_zone()).replace(tzinfo=None)


def report_panel(session: LiveSession) -> None:
    session_id, group_id = session.id, session.group_id
    st.subheader(viewer.t("live.report"))
    include = st.toggle(viewer.t("live.include_observations"), value=False)
    report = live.session_report(database, person, session_id, viewer.language, include_observations=include)
    markdown = session_report_markdown(report, viewer.language)
    markdown_button, pdf_button = st.columns(2)
    markdown_button.download_button(
        viewer.t("live.download_markdown"), markdown, file_name=f"session-{session_id}.md", mime="text/markdown"
    )
    pdf_button.download_button(
        viewer.t("live.download_pdf"),
        session_report_pdf(report, viewer.language),
        file_name=f"session-{session_id}.pdf",
        mime="application/pdf",
    )
    st.subheader(viewer.t("live.evaluation"))
    rating_line(session_id)
    balance_panel(session_id, group_id)
    logged = live.observations(database, person, session_id)
    st.subheader(viewer.t("live.observations_title"))
    if not logged:
        st.caption("—")
        return
    levels = [viewer.t(f"level.{observation.level}") for observation in logged]
    colours = {viewer.t(f"level.{level}"): colour for level, colour in LEVEL_COLOURS.items()}
    by_level, along = st.columns(2)
    with by_level:
        st.markdown(f"**{viewer.t('live.by_level')}**")
        counts = {level: levels.count(level) for level in colours}
        figure = px.bar(x=list(counts), y=list(counts.values()), color=list(counts), color_discrete_map=colours)
        figure.update_layout(showlegend=False, xaxis_title="", yaxis_title="", font={"size": 16}, height=320)
        figure.update_yaxes(dtick=1)
        st.plotly_chart(figure, width="stretch", config={"displayModeBar": False})
    with along:
        st.markdown(f"**{viewer.t('live.along_time')}**")
        times = [_local_clock(observation.at) for observation in logged]
        figure = px.scatter(x=times, y=levels, color=levels, color_discrete_map=colours)
        figure.update_traces(marker={"size": 16})
        start = min(_local_clock(session.started_at), *times)
        end = max(_local_clock(session.closed_at) if session.closed_at else start, *times)
        figure.update_xaxes(**session_time_axis(start, end))
        figure.update_layout(showlegend=False, xaxis_title="", yaxis_title="", font={"size": 16}, height=320)
        st.plotly_chart(figure, width="stretch", config={"displayModeBar": False})


# --- the page --------------------------------------------------------------------------------------

st.title(viewer.t("nav.console"))
forms.notice(viewer)
session_id = st.session_state.get(CURRENT)
if session_id is None and under_way:
    # Remember it, so that after closing this console still shows the session's report.
    session_id = st.session_state[CURRENT] = under_way[0].id
if session_id is None:
    start_panel()
    st.stop()

view = live.console_view(database, person, session_id)
if view.session.status is not SessionStatus.CLOSED:
    session_bar(view)
match view.session.status:
    case SessionStatus.CHECK_IN:
        check_in(view)
    case SessionStatus.RUNNING:
        running(view)
    case SessionStatus.CLOSING:
        closing(view)
    case SessionStatus.CLOSED:
        report_panel(view.session)
        if st.button(viewer.t("live.start_title")):
            st.session_state.pop(CURRENT, None)
            st.rerun()
