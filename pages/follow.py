"""Follow a session on a phone: the phase now, sending to the board, marking what helped, rating it."""

from functools import partial

import streamlit as st

from intervision import live
from intervision.database import configured as configured_database
from intervision.errors import DomainError
from intervision.methods import BoardKind
from intervision.models import BoardItemInput, RatingInput, SessionRole, SessionStatus
from ui import forms
from ui.board import phone_dots
from ui.guard import escape_markdown, guard, while_signed_in
from ui.learning_goals import follow_panel
from ui.live import MARKABLE, board_list, clock_line
from ui.push import listen_for_changes, safety_seconds, tick_in_the_browser
from ui.rounds import phone_round

# The store this server was set up with (intervision/database.py), built once per process.
database = configured_database()

viewer = guard("follow")
person = viewer.signed_in
CODE = "follow.code"
# What participants add to the board reaches a phone's copy of it within about this long (half to one and a half
# times; the projector at once); the session moving on reaches the phone at once.
PHONE_BOARD_CATCH_UP_SECONDS = 8.0
SEND = "send"

if "code" in st.query_params and not st.session_state.get("_follow_code_taken"):
    st.session_state[CODE] = st.query_params["code"]
    st.session_state["_follow_code_taken"] = True
if CODE not in st.session_state:
    under_way = live.open_sessions(database, person)
    st.session_state[CODE] = under_way[0].join_code if under_way else ""


def current_view() -> live.SessionView | None:
    code = st.session_state.get(CODE) or ""
    if not code:
        return None
    try:
        return live.participant_view(database, person, code)
    except DomainError as problem:
        st.error(viewer.t(f"error.{problem.key}"), icon=":material/error:")
        return None


def _send(session_id: int) -> str:
    live.send_to_board(
        database,
        person,
        session_id,
        BoardItemInput(kind=forms.value(SEND, "kind") or "", text=forms.value(SEND, "text") or ""),
    )
    forms.clear(SEND, ["text"])
    return "live.sent"


def _rate(session_id: int) -> str:
    live.rate(database, person, session_id, RatingInput(usefulness=forms.value("rating", "usefulness") or 0))
    return "follow.rated"


@st.fragment(run_every=safety_seconds())
def now_showing(session_id: int, revision: int) -> None:
    """The phase as it is now, its countdown, who speaks and the board (to read), drawn again the moment the
    session changes (the change stream); when the facilitator moves on, the whole page follows, so that the
    send field matches the new phase."""
    try:
        view = live.participant_view(database, person, st.session_state[CODE])
    except DomainError:
        return  # the code was changed or the session removed: the page itself says so on its next run
    if view.session.revision != revision:
        st.rerun()
    listen_for_changes(
        "phone", session_id, view.session.stamp, contributions_later_seconds=PHONE_BOARD_CATCH_UP_SECONDS
    )
    if view.phase:
        st.markdown(f"### {escape_markdown(view.phase.name(viewer.language))}")
        with st.container(key="phone-clock", gap=None):
            clock_line(view, viewer, size="###")
            tick_in_the_browser(view, "phone-clock")
        phone_round(database, viewer, view)
        speakers = ", ".join(viewer.t(f"speaker.{speaker}") for speaker in view.phase.speakers)
        st.caption(f"{viewer.t('live.speaks')}: {speakers}")
        for line in view.phase.prompts(viewer.language):
            st.markdown(f"- {escape_markdown(line)}")
        for line in view.phase.rules(viewer.language):
            st.caption(f":material/block: {escape_markdown(line)}")
    elif view.session.status is SessionStatus.CHECK_IN:
        st.markdown(f"### {viewer.t('follow.waiting')}")
    elif view.session.status is SessionStatus.CLOSING:
        st.markdown(f"### {viewer.t('live.closing_prompt')}")
    board_list(view, viewer)  # to read; the case bringer marks what helped further down


@st.fragment
def send_panel(session_id: int, accepted: list[str], moment: tuple) -> None:
    """The send field, offering what the phase collects. Sending draws only this part again, with its notice:
    thirty rooms of ten sending within ten seconds were more whole pages than one process could draw."""
    st.subheader(viewer.t("follow.send_title"))
    forms.notice(viewer)
    # When the phase moves on, propose what the new phase collects.
    chosen = st.session_state.get(forms.key(SEND, "kind"))
    if st.session_state.get("_send_kind_for") != moment or chosen not in accepted:
        st.session_state["_send_kind_for"] = moment
        st.session_state[forms.key(SEND, "kind")] = accepted[0]
    with st.form(SEND):
        st.selectbox(
            viewer.t("live.kind"),
            accepted,
            format_func=lambda kind: viewer.t(f"board.{kind}"),
            key=forms.key(SEND, "kind"),
        )
        forms.field_error(SEND, "kind")
        st.text_area(viewer.t("live.text"), max_chars=500, key=forms.key(SEND, "text"))
        forms.field_error(SEND, "text")
        forms.form_error(SEND)
        st.form_submit_button(
            viewer.t("live.send"),
            type="primary",
            on_click=forms.submit,
            args=(SEND, viewer, partial(_send, session_id)),
        )


st.title(viewer.t("follow.title"))
forms.notice(viewer)
st.text_input(viewer.t("follow.code"), max_chars=6, key=CODE)
view = current_view()
if view is None:
    st.caption(viewer.t("follow.not_in_session"))
    st.stop()
session = view.session
if session.status is SessionStatus.CLOSED:
    st.info(viewer.t("follow.closed"))
    st.stop()

now_showing(session.id, session.revision)
phone_dots(database, viewer, view)  # only in a phase that asks for a choice, and only for members
if session.status in (SessionStatus.CHECK_IN, SessionStatus.CLOSING):
    follow_panel(database, viewer, person)  # the person's own learning goals, with a quick progress note

# Action items are the facilitator's to write down, as before; a phone sends the rest of what is collected.
accepted = [kind for kind in live.accepted_kinds(view) if kind != BoardKind.ACTION_ITEM.value]
# The send field only when the phase collects something, offering only that: no form under a line that
# says the phase collects nothing. A phase that moves on while someone types is refused by the core.
if accepted:
    send_panel(session.id, accepted, (session.id, session.phase_index, session.status))
else:
    st.caption(viewer.t("follow.no_input"))

if SessionRole.CASE_BRINGER in view.viewer_roles:
    st.subheader(viewer.t("follow.helped_title"))
    for item in view.board:
        if item.kind in MARKABLE:
            st.checkbox(
                escape_markdown(item.text),
                value=item.helpful,
                key=f"phone_helpful.{item.id}",
                on_change=while_signed_in(
                    viewer,
                    lambda item_id=item.id: live.mark_helpful(
                        database, person, session.id, item_id, st.session_state[f"phone_helpful.{item_id}"]
                    ),
                ),
            )

if session.status is SessionStatus.CLOSING:
    with st.form("rating"):
        forms.prefill("rating", {"usefulness": live.my_rating(database, person, session.id)})
        st.radio(viewer.t("follow.rate"), [1, 2, 3, 4, 5], horizontal=True, key=forms.key("rating", "usefulness"))
        forms.field_error("rating", "usefulness")
        st.form_submit_button(
            viewer.t("follow.rate_save"), on_click=forms.submit, args=("rating", viewer, partial(_rate, session.id))
        )
