"""The check-in: who is here, and a look back at the last session's action items and case."""

from __future__ import annotations

import streamlit as st

from intervision import groups, live
from intervision.exercises import Slot
from intervision.models import LiveSession
from ui.console.shared import Console, control_button
from ui.exercises import exercise_chooser
from ui.guard import escape_markdown, while_signed_in
from ui.learning_goals import shared_goals_panel
from ui.programmes import programme_line

PRESENCE = {"unknown": None, "present": True, "absent": False}


def check_in(console: Console, view: live.SessionView) -> None:
    database, viewer, person = console.database, console.viewer, console.person
    session = view.session
    st.header(viewer.t("live.check_in"))
    programme_line(database, viewer, person, session.group_id)  # the session is part of the group's programme
    st.markdown(f"### {viewer.t('live.check_in_prompt')}")
    who_is_here(console, session)
    shared_goals_panel(database, viewer, person, session.group_id)
    exercise_chooser(console, session.id, Slot.OPENING)
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
    control_button(
        console,
        "live.begin",
        lambda: live.begin_phases(database, person, session.id, session.revision),
        type="primary",
    )


def who_is_here(console: Console, session: LiveSession) -> None:
    """Attendance, asked at the check-in: it is what the organisation may see of who came.

    Every member starts unknown; each mark is stored the moment it is made."""
    database, viewer, person = console.database, console.viewer, console.person
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
