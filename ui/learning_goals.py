"""Personal learning goals on screen: the person's own goals (their page and the phone's panel at the
check-in and closing), the goals shared with a facilitator (the console), and a coordinator's counts.

A goal's text reaches the screen only through `learning_goals.my_learning_goals` (the owner) and
`learning_goals.shared_with_me` (a facilitator, while the share holds); coordinators get numbers only.
"""

from __future__ import annotations

from functools import partial

import streamlit as st

from intervision import learning_goals
from intervision.database import Database
from intervision.learning_goals import (
    HOW_FAR,
    LearningGoalInput,
    LearningGoalState,
    MyLearningGoal,
    ProgressInput,
    ProgressNote,
)
from intervision.models import Person
from intervision.overview import Period
from intervision.surveys import threshold
from ui import format, forms
from ui.guard import Viewer, escape_markdown

NEW = "learning_goal"
NEW_FIELDS = ["what", "why", "practice", "signs", "due"]
PROGRESS_FIELDS = ["how_far", "note"]
# "Nobody" in the share picker: a select box shows None as an empty choice, not as an option of its own.
NOBODY = 0
STATE_ICONS = {
    LearningGoalState.OPEN: ":material/flag:",
    LearningGoalState.REACHED: ":material/check_circle:",
    LearningGoalState.LET_GO: ":material/do_not_disturb_on:",
}


def _latest_line(viewer: Viewer, note: ProgressNote | None) -> str:
    if note is None:
        return viewer.t("learning_goals.no_progress_yet")
    return viewer.t(
        "learning_goals.latest",
        how_far=note.how_far,
        day=format.day(note.noted_at.astimezone(format.local_zone()).date(), viewer),
    )


# --- writing a goal -------------------------------------------------------------------------------------


def new_goal_form(database: Database, viewer: Viewer, person: Person) -> None:
    """The learning contract's questions, one goal at a time."""

    def add() -> str:
        learning_goals.add_learning_goal(database, person, LearningGoalInput(**forms.values(NEW, NEW_FIELDS)))
        forms.forget(NEW, NEW_FIELDS)
        return "learning_goals.added"

    forms.prefill(NEW, {"due": None})
    with st.form(NEW):
        for field, height in (("what", 68), ("why", 68), ("practice", 68), ("signs", 68)):
            st.text_area(
                viewer.t(f"learning_goals.{field}"),
                help=viewer.t(f"learning_goals.{field}_help"),
                max_chars=300 if field == "what" else 1000,
                height=height,
                key=forms.key(NEW, field),
            )
            forms.field_error(NEW, field)
        st.date_input(
            viewer.t("learning_goals.due"),
            help=viewer.t("learning_goals.due_help"),
            format=format.date_input_format(viewer),
            key=forms.key(NEW, "due"),
        )
        forms.field_error(NEW, "due")
        forms.form_error(NEW)
        st.form_submit_button(
            viewer.t("learning_goals.add"), type="primary", on_click=forms.submit, args=(NEW, viewer, add)
        )


# --- progress ---------------------------------------------------------------------------------------------


def progress_form(database: Database, viewer: Viewer, person: Person, goal_id: int, where: str) -> None:
    """How far am I (1–5) and a few words; `where` keeps the page's and the phone's forms apart."""
    form = f"{where}_progress_{goal_id}"

    def note() -> str:
        learning_goals.note_progress(database, person, goal_id, ProgressInput(**forms.values(form, PROGRESS_FIELDS)))
        forms.forget(form, PROGRESS_FIELDS)
        return "learning_goals.progress_saved"

    with st.form(form):
        st.radio(
            viewer.t("learning_goals.how_far"),
            HOW_FAR,
            index=None,
            horizontal=True,
            help=viewer.t("learning_goals.how_far_help"),
            key=forms.key(form, "how_far"),
        )
        forms.field_error(form, "how_far")
        st.text_input(viewer.t("learning_goals.note"), max_chars=500, key=forms.key(form, "note"))
        forms.field_error(form, "note")
        forms.form_error(form)
        st.form_submit_button(
            viewer.t("learning_goals.save_progress"), on_click=forms.submit, args=(form, viewer, note)
        )


# --- the person's own goals -------------------------------------------------------------------------------


def _text_block(viewer: Viewer, label_key: str, text: str) -> None:
    if text:
        st.markdown(f"**{viewer.t(label_key)}**")
        st.text(text)


def _share_picker(
    database: Database, viewer: Viewer, person: Person, mine: MyLearningGoal, groups: dict[int, str]
) -> None:
    goal = mine.goal
    form = f"share_{goal.id}"
    # Drawn from what is stored on every run: a share that ended by itself (a membership change) shows so.
    st.session_state[forms.key(form, "group_id")] = goal.shared_group_id or NOBODY

    def change() -> str:
        chosen = forms.value(form, "group_id") or None
        learning_goals.share(database, person, goal.id, chosen)
        return "learning_goals.shared" if chosen is not None else "learning_goals.unshared"

    st.selectbox(
        viewer.t("learning_goals.share"),
        [NOBODY, *groups],
        format_func=lambda group_id: (
            viewer.t("learning_goals.share_nobody")
            if group_id == NOBODY
            else viewer.t("learning_goals.share_with", group=groups[group_id])
        ),
        help=viewer.t("learning_goals.share_help"),
        key=forms.key(form, "group_id"),
        on_change=forms.submit,
        args=(form, viewer, change),
    )
    forms.field_error(form, "group_id")
    forms.form_error(form)


def goal_card(database: Database, viewer: Viewer, person: Person, mine: MyLearningGoal, groups: dict[int, str]) -> None:
    """One goal: the contract, its progress over time, sharing, and reached / let go / delete."""
    goal = mine.goal
    form = f"goal_{goal.id}"

    def set_state(state: LearningGoalState) -> str:
        learning_goals.set_state(database, person, goal.id, state)
        return f"learning_goals.now_{state.value}"

    def remove() -> str:
        learning_goals.remove(database, person, goal.id)
        return "learning_goals.removed"

    with st.container(border=True, key=f"learning-goal-{goal.id}"):
        st.markdown(f"{STATE_ICONS[goal.state]} **{escape_markdown(goal.what)}**")
        facts = [viewer.t(f"learning_goals.state_{goal.state.value}")]
        if goal.due:
            facts.append(viewer.t("learning_goals.by", day=format.day(goal.due, viewer)))
        if goal.shared_group_name:
            facts.append(viewer.t("learning_goals.shared_with", group=goal.shared_group_name))
        st.caption(" · ".join(escape_markdown(fact) for fact in facts))
        if mine.latest:
            st.progress(mine.latest.how_far / 5, text=_latest_line(viewer, mine.latest))
        with st.expander(viewer.t("learning_goals.details")):
            _text_block(viewer, "learning_goals.why", goal.why)
            _text_block(viewer, "learning_goals.practice", goal.practice)
            _text_block(viewer, "learning_goals.signs", goal.signs)
            st.markdown(f"**{viewer.t('learning_goals.history')}**")
            if not mine.notes:
                st.caption(viewer.t("learning_goals.no_progress_yet"))
            for note in reversed(mine.notes):
                st.caption(_latest_line(viewer, note))
                if note.note:
                    st.text(note.note)
        if goal.state is LearningGoalState.OPEN:
            progress_form(database, viewer, person, goal.id, "page")
            _share_picker(database, viewer, person, mine, groups)
            reached, let_go = st.columns(2)
            reached.button(
                viewer.t("learning_goals.mark_reached"),
                key=f"{form}.reached",
                icon=":material/check_circle:",
                on_click=forms.submit,
                args=(form, viewer, partial(set_state, LearningGoalState.REACHED)),
            )
            let_go.button(
                viewer.t("learning_goals.let_go"),
                key=f"{form}.let_go",
                icon=":material/do_not_disturb_on:",
                on_click=forms.submit,
                args=(form, viewer, partial(set_state, LearningGoalState.LET_GO)),
            )
        else:
            st.button(
                viewer.t("learning_goals.take_up_again"),
                key=f"{form}.reopen",
                icon=":material/undo:",
                on_click=forms.submit,
                args=(form, viewer, partial(set_state, LearningGoalState.OPEN)),
            )
        # Deleting cannot be undone: asked once more, in a small box of its own.
        with st.popover(viewer.t("learning_goals.remove"), icon=":material/delete:"):
            st.write(viewer.t("learning_goals.remove_help"))
            st.button(
                viewer.t("learning_goals.remove_for_good"),
                key=f"{form}.remove",
                type="primary",
                on_click=forms.submit,
                args=(form, viewer, remove),
            )
        forms.form_error(form)


# --- in a session ----------------------------------------------------------------------------------------


def follow_panel(database: Database, viewer: Viewer, person: Person) -> None:
    """On the phone at the check-in and the closing: a look at one's own open goals, with a quick note."""
    open_goals = [
        mine for mine in learning_goals.my_learning_goals(database, person) if mine.goal.state is LearningGoalState.OPEN
    ]
    with st.expander(viewer.t("learning_goals.follow_title"), icon=":material/flag:"):
        st.caption(viewer.t("learning_goals.follow_intro"))
        if not open_goals:
            st.caption(viewer.t("learning_goals.follow_none"))
        for mine in open_goals:
            st.markdown(f"**{escape_markdown(mine.goal.what)}**")
            st.caption(_latest_line(viewer, mine.latest))
            progress_form(database, viewer, person, mine.goal.id, "phone")


def shared_goals_panel(database: Database, viewer: Viewer, person: Person, group_id: int) -> None:
    """On the console at the check-in and the closing: what the group's people chose to share with you."""
    shared = learning_goals.shared_with_me(database, person, group_id)
    with st.expander(viewer.t("learning_goals.console_title", count=len(shared)), icon=":material/flag:"):
        if not shared:
            st.caption(viewer.t("learning_goals.console_none"))
        for goal in shared:
            st.markdown(f"**{escape_markdown(goal.owner_name)}**")
            st.text(goal.what)
            st.caption(_latest_line(viewer, goal.latest))
            if goal.latest and goal.latest.note:
                st.text(goal.latest.note)


# --- for a coordinator -----------------------------------------------------------------------------------


def counts_table(database: Database, viewer: Viewer, person: Person, group_ids: list[int], period: Period) -> None:
    """Per group: people with learning goals, goals reviewed and reached in the period; numbers only."""
    rows = learning_goals.learning_goal_counts(database, person, group_ids, period)
    st.subheader(viewer.t("learning_goals.counts_title"))
    st.caption(viewer.t("learning_goals.counts_intro", threshold=threshold(database)))
    too_few = viewer.t("learning_goals.too_few")

    def shown(value: int | None) -> str:
        return too_few if value is None else str(value)

    # A data frame, not st.table: st.table draws its cells as Markdown, and a group's name is typed text.
    st.dataframe(
        {
            viewer.t("learning_goals.counts_group"): [row.group_name for row in rows],
            viewer.t("learning_goals.counts_people"): [shown(row.people_with_goals) for row in rows],
            viewer.t("learning_goals.counts_reviewed"): [shown(row.goals_reviewed) for row in rows],
            viewer.t("learning_goals.counts_reached"): [shown(row.goals_reached) for row in rows],
        },
        hide_index=True,
    )
