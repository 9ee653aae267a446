"""Observing as a second observer, and the debrief note the facilitator and the observer keep together.

A facilitator invites someone of the organisation (a co-facilitator of the group or a coach) to observe one of
their sessions. The observer notes what they see on the four communication levels from their own device while
the session runs; afterwards both keep one debrief note. Only these two ever see the observer's log and the note.
"""

from datetime import datetime
from functools import partial

import streamlit as st

from intervision import community
from intervision.database import configured as configured_database
from intervision.models import SessionStatus
from intervision.observation_log import LEVELS, categories
from ui import format, forms
from ui.guard import escape_markdown, guard

# The store this server was set up with (intervision/database.py), built once per process.
database = configured_database()

viewer = guard("observer")
person = viewer.signed_in
OBSERVE = "_second_observe"
CHOOSE = "_second_choose"
TAKE_BACK = "_second_take_back"
labels = categories()


def session_label(group_name: str, started_at: datetime, status: SessionStatus) -> str:
    return f"{group_name} · {format.moment(started_at, viewer)} · {viewer.t(f'observer.status.{status}')}"


def _observe(session_id: int, level: str) -> str:
    category = st.session_state.get(f"_second_category_{session_id}_{level}")
    community.observe_as_second(database, person, session_id, level, category)
    return "observer.noted"


def _take_back(session_id: int, observation_id: int) -> None:
    community.take_back_second(database, person, session_id, observation_id)


def _save_debrief(session_id: int) -> str:
    form = f"_debrief_{session_id}"
    community.save_debrief_note(
        database, person, session_id, community.DebriefInput(text=forms.value(form, "text") or "")
    )
    return "observer.debrief_saved"


def _choose(session_id: int) -> str:
    chosen = forms.value(CHOOSE, f"person_{session_id}")
    # Nothing chosen: the core refuses an unknown person, and the message stands under the field.
    community.choose_observer(database, person, session_id, chosen if chosen is not None else -1)
    return "observer.invited"


def _remove(session_id: int) -> str:
    community.remove_observer(database, person, session_id)
    return "observer.removed"


def observation_lines(session_id: int, own: bool) -> None:
    logged = community.second_observations(database, person, session_id)
    if not logged:
        st.caption(viewer.t("observer.nothing_noted"))
        return
    for observation in logged:
        text, action = st.columns([5, 1], vertical_alignment="center")
        category = (
            labels.label(observation.level, observation.category, viewer.language) if observation.category else ""
        )
        line = f"{format.moment(observation.at, viewer)} · {viewer.t(f'level.{observation.level}')}"
        text.text(f"{line} · {category}" if category else line)
        if own:
            action.button(
                viewer.t("observer.take_back"),
                key=f"_second_undo_{observation.id}",
                on_click=forms.submit,
                args=(TAKE_BACK, viewer, partial(_take_back, session_id, observation.id)),
            )
    forms.form_error(TAKE_BACK)


def debrief(session_id: int) -> None:
    st.markdown(f"**{viewer.t('observer.debrief')}**")
    st.caption(viewer.t("observer.debrief_hint"))
    note = community.debrief_note(database, person, session_id)
    form = f"_debrief_{session_id}"
    forms.prefill(form, {"text": note.text if note else ""})
    if note:
        who = escape_markdown(note.edited_by_name) if note.edited_by_name else viewer.t("observer.someone_gone")
        st.caption(viewer.t("observer.last_edit", who=who, when=format.moment(note.edited_at, viewer)))
    with st.form(form):
        st.text_area(viewer.t("observer.debrief_note"), key=forms.key(form, "text"), height=160)
        forms.field_error(form, "text")
        forms.form_error(form)
        st.form_submit_button(
            viewer.t("observer.save"), on_click=forms.submit, args=(form, viewer, partial(_save_debrief, session_id))
        )


def observe_panel(session: community.ObservedSession) -> None:
    if session.status is SessionStatus.CLOSED:
        st.info(viewer.t("observer.session_over"), icon=":material/event_available:")
    else:
        st.caption(viewer.t("observer.how_to_note"))
        for column, level in zip(st.columns(len(LEVELS)), LEVELS, strict=True):
            with column:
                st.markdown(f"**{viewer.t(f'level.{level}')}**")
                offered = labels.offered(level)
                st.selectbox(
                    viewer.t("observer.category"),
                    [category.id for category in offered],
                    index=None,
                    format_func=lambda category_id, level=level: labels.label(level, category_id, viewer.language),
                    placeholder=viewer.t("observer.no_category"),
                    key=f"_second_category_{session.session_id}_{level}",
                )
                st.button(
                    viewer.t("observer.note_it"),
                    key=f"_second_note_{session.session_id}_{level}",
                    on_click=forms.submit,
                    args=(OBSERVE, viewer, partial(_observe, session.session_id, level)),
                    width="stretch",
                )
        forms.form_error(OBSERVE)
    st.markdown(f"**{viewer.t('observer.my_log')}**")
    observation_lines(session.session_id, own=True)
    debrief(session.session_id)


def facilitator_panel(session_id: int) -> None:
    current = community.session_observer(database, person, session_id)
    if current is None:
        candidates = community.observer_candidates(database, person, session_id)
        names = {candidate.person_id: candidate.name for candidate in candidates}
        st.selectbox(
            viewer.t("observer.choose"),
            list(names),
            index=None,
            format_func=names.get,
            placeholder=viewer.t("observer.choose_placeholder"),
            key=forms.key(CHOOSE, f"person_{session_id}"),
        )
        forms.field_error(CHOOSE, "observer")
        forms.form_error(CHOOSE)
        st.button(
            viewer.t("observer.invite"),
            type="primary",
            on_click=forms.submit,
            args=(CHOOSE, viewer, partial(_choose, session_id)),
        )
        return
    who, action = st.columns([4, 1], vertical_alignment="center")
    who.markdown(viewer.t("observer.current", name=escape_markdown(current.name)))
    action.button(
        viewer.t("observer.remove"), on_click=forms.submit, args=(CHOOSE, viewer, partial(_remove, session_id))
    )
    st.markdown(f"**{viewer.t('observer.their_log')}**")
    observation_lines(session_id, own=False)
    debrief(session_id)


st.title(viewer.t("nav.observer"))
forms.notice(viewer)
st.caption(viewer.t("observer.intro"))
observed = community.sessions_to_observe(database, person)
running = community.facilitated_sessions(database, person)
if not observed and not running:
    st.info(viewer.t("observer.nothing_yet"), icon=":material/visibility:")
    st.stop()

if observed:
    st.subheader(viewer.t("observer.as_observer"))
    sessions = {session.session_id: session for session in observed}
    chosen = st.selectbox(
        viewer.t("observer.session"),
        list(sessions),
        format_func=lambda session_id: session_label(
            sessions[session_id].group_name, sessions[session_id].started_at, sessions[session_id].status
        ),
        key="_second_observed_session",
    )
    observe_panel(sessions[chosen])

if running:
    st.subheader(viewer.t("observer.as_facilitator"))
    mine = {session_id: (group, started, status) for session_id, group, started, status in running}
    chosen_own = st.selectbox(
        viewer.t("observer.session"),
        list(mine),
        format_func=lambda session_id: session_label(*mine[session_id]),
        key="_second_own_session",
    )
    facilitator_panel(chosen_own)
