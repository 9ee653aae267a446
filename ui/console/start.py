"""Starting a session: the group, the case, the method (ranked for this case and group), the roles; and the
group's earlier sessions, each of which opens its report again."""

from __future__ import annotations

from functools import partial

import streamlit as st

from intervision import cases, groups, live, method_library
from intervision.method_choice import chooser_need
from intervision.methods import Standing, recommend
from intervision.models import Group, Language, QuestionType, SessionRole, StartSessionInput
from ui import format, forms
from ui.chooser import group_line, plan_text, safety_line, show_ranking
from ui.console.shared import CURRENT, Console
from ui.guard import escape_markdown

START = "start"


def _start(console: Console) -> str:
    values = forms.values(START, ["group_id", "case", "spot", "method_id", "sequence_id", "language"])
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
        language=values["language"],
    )
    st.session_state[CURRENT] = live.start_session(console.database, console.person, form)
    return "live.started"


def start_panel(console: Console, led: dict[int, Group]) -> None:
    """The form that starts a session in one of the groups this facilitator leads."""
    database, viewer, person = console.database, console.viewer, console.person
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
    defaults = (
        {"case_bringer": bringer}
        | {role.value: person_id for role, person_id in suggestion.items()}
        | {"language": led[group_id].language}
    )
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
    st.radio(
        viewer.t("field.group_language"),
        list(Language),
        format_func=lambda language: viewer.t(f"language.{language}"),
        horizontal=True,
        key=forms.key(START, "language"),
        help=viewer.t("live.language_help"),
    )
    forms.form_error(START)
    st.button(
        viewer.t("live.start"), type="primary", on_click=forms.submit, args=(START, viewer, partial(_start, console))
    )
    earlier_sessions(console, group_id)


def earlier_sessions(console: Console, group_id: int) -> None:
    """The group's closed sessions, each told apart by its day, method and case: each opens its report again.
    The case title is the group's to see, and this console is its facilitator's (live.history keeps to the
    facilitator's circle)."""
    viewer = console.viewer
    st.subheader(viewer.t("live.history"))
    closed = live.history(console.database, console.person, group_id)
    if not closed:
        st.caption(viewer.t("live.no_history"))
    method_names: dict[tuple[str, int, str | None], str] = {}  # one read per method version, not per session
    for session in closed[:20]:
        pinned = (session.method_id, session.method_version, session.sequence_id)
        if pinned not in method_names:
            method_names[pinned] = live.session_method(console.database, session).name(viewer.language)
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
