"""Cases: bring one in (kept as you type), the group's fair queue, my cases and their follow-up, the archive.

Coordinators who are not in a group see only counts: a case stays with its group.
"""

from datetime import datetime, timedelta
from functools import partial

import streamlit as st

from intervision import cases, clock, groups, membership, method_library
from intervision.case_checks import case_hints
from intervision.csv_export import write_csv
from intervision.database import configured as configured_database
from intervision.models import (
    CASE_FIELD_MAX,
    CASE_TEXT_MAX,
    CASE_TITLE_MAX,
    QUESTION_MAX,
    Case,
    CaseInput,
    CaseStatus,
    DiscussionInput,
    FollowUpInput,
    QuestionType,
    Role,
    Urgency,
    Want,
)
from intervision.permissions import Action, allows
from ui import format, forms
from ui.guard import escape_markdown, guard

# The store this server was set up with (intervision/database.py), built once per process.
database = configured_database()

viewer = guard("cases")
person = viewer.signed_in
INTAKE = "case"
SAVED = "_case_saved"  # what was last kept of the draft, to save only what changed
TEXTS = {  # field: (label key, limit, text area)
    "title": ("cases.title", CASE_TITLE_MAX, False),
    "situation": ("cases.situation", CASE_TEXT_MAX, True),
    "involved": ("cases.involved", CASE_FIELD_MAX, True),
    "own_role": ("cases.own_role", CASE_FIELD_MAX, True),
    "evoked": ("cases.evoked", CASE_FIELD_MAX, True),
    "learning_question": ("cases.learning_question", QUESTION_MAX, False),
    "tried": ("cases.tried", CASE_FIELD_MAX, True),
}
FIELDS = [*TEXTS, "question_type", "wants", "urgency", "preferred_method", "anonymised"]
HELP = {"situation": "cases.situation_help", "learning_question": "cases.learning_question_help"}

memberships = [(group, role) for group, role in groups.visible_groups(database, person) if role]
my_groups = {group.id: group.name for group, _ in memberships}
roles = {group.id: role for group, role in memberships}
methods = {entry.method.id: entry.method for entry in method_library.available_methods(database, person)}


def day(moment: datetime | None) -> str:
    return format.day(moment.astimezone(format.local_zone()), viewer) if moment else "—"


def paragraph(label: str, text: str) -> None:
    if text:
        st.markdown(f"**{label}**")
        st.text(text)


def case_details(case: Case, shown: tuple[str, ...] = ("title",)) -> None:
    """Everything the bringer wrote (but what is `shown` already), as text: never as Markdown."""
    if case.erased_at:
        st.caption(viewer.t("cases.erased"))
        return
    for field in TEXTS:
        if field not in shown:
            paragraph(viewer.t(f"case_field.{field}"), getattr(case, field))
    extras = []
    if case.question_type:
        extras.append(viewer.t(f"question_type.{case.question_type}"))
    if case.wants:
        extras.append(", ".join(viewer.t(f"want.{want}") for want in case.wants))
    if case.preferred_method in methods:
        extras.append(escape_markdown(methods[case.preferred_method].name(viewer.language)))
    st.caption(" · ".join(extras))


# --- bring a case in -------------------------------------------------------------------------------


def _intake_values() -> dict:
    values = forms.values(INTAKE, FIELDS)
    values["wants"] = values.get("wants") or []
    values["anonymised"] = bool(values.get("anonymised"))
    return values


def _load_draft() -> None:
    """Fill the form with the kept draft, once per browser session."""
    if st.session_state.get("_case_loaded"):
        return
    st.session_state["_case_loaded"] = True
    kept = cases.draft(database, person)
    defaults = {field: "" for field in TEXTS} | {
        "question_type": None,
        "wants": [],
        "urgency": Urgency.NORMAL,
        "preferred_method": None,
        "anonymised": False,
        "group_id": next(iter(my_groups), None),
    }
    if kept and kept.group_id in my_groups:
        defaults |= {field: getattr(kept, field) for field in FIELDS} | {"group_id": kept.group_id}
    forms.prefill(INTAKE, defaults)
    # What the widgets hold now counts as kept: only a real change is saved again.
    st.session_state[SAVED] = _intake_values() | {"group_id": forms.value(INTAKE, "group_id")}
    if kept:
        st.session_state["_case_resumed"] = True


def _keep_draft() -> None:
    """Save the draft whenever something changed since it was last kept."""
    current = _intake_values() | {"group_id": forms.value(INTAKE, "group_id")}
    if current == st.session_state.get(SAVED) or current["group_id"] not in my_groups:
        return
    cases.save_draft(database, person, current["group_id"], current)
    st.session_state[SAVED] = current
    st.session_state["_case_saved_at"] = format.local_now().strftime("%H:%M")


def _submit() -> str:
    form = CaseInput(**(_intake_values() | {"group_id": forms.value(INTAKE, "group_id")}))
    cases.submit_case(database, person, form)
    forms.forget(INTAKE, FIELDS)  # the next draw fills the form afresh, from an empty draft
    st.session_state.pop("_case_loaded", None)
    st.session_state.pop("_case_saved_at", None)
    return "cases.submitted"


def show_hints(field: str, hints: dict) -> None:
    """Advice on the question in blue; what may identify someone in yellow, so it is hard to miss."""
    for hint in hints.get(field, []):
        text = escape_markdown(viewer.t(f"hint.{hint.key}", excerpt=hint.excerpt))
        if hint.identifies_someone:
            st.warning(text, icon=":material/privacy_tip:")
        else:
            st.info(text, icon=":material/lightbulb:")


def bring_tab() -> None:
    if not my_groups:
        st.info(viewer.t("cases.no_groups"))
        return
    st.write(viewer.t("cases.intro"))
    _load_draft()
    if st.session_state.pop("_case_resumed", False):
        st.caption(viewer.t("cases.draft_resumed"))
    hints = case_hints({field: forms.value(INTAKE, field) or "" for field in TEXTS})
    st.selectbox(viewer.t("cases.group"), list(my_groups), format_func=my_groups.get, key=forms.key(INTAKE, "group_id"))
    forms.field_error(INTAKE, "group_id")
    for field, (label, limit, area) in TEXTS.items():
        widget = st.text_area if area else st.text_input
        help_text = viewer.t(HELP[field]) if field in HELP else None
        widget(viewer.t(label), key=forms.key(INTAKE, field), max_chars=limit, help=help_text)
        forms.field_error(INTAKE, field)
        show_hints(field, hints)
    kind, wants = st.columns(2)
    with kind:
        st.selectbox(
            viewer.t("cases.question_type"),
            list(QuestionType),
            format_func=lambda value: viewer.t(f"question_type.{value}"),
            placeholder=viewer.t("common.choose"),
            key=forms.key(INTAKE, "question_type"),
        )
        forms.field_error(INTAKE, "question_type")
    with wants:
        st.multiselect(
            viewer.t("cases.wants"),
            list(Want),
            format_func=lambda value: viewer.t(f"want.{value}"),
            placeholder=viewer.t("common.choose"),
            key=forms.key(INTAKE, "wants"),
        )
    urgency, method = st.columns(2)
    urgency.radio(
        viewer.t("cases.urgency"),
        list(Urgency),
        format_func=lambda value: viewer.t(f"urgency.{value}"),
        horizontal=True,
        key=forms.key(INTAKE, "urgency"),
    )
    method.selectbox(
        viewer.t("cases.preferred_method"),
        list(methods),
        format_func=lambda method_id: methods[method_id].name(viewer.language),
        placeholder=viewer.t("common.choose"),
        key=forms.key(INTAKE, "preferred_method"),
    )
    st.checkbox(viewer.t("cases.anonymised"), key=forms.key(INTAKE, "anonymised"))
    forms.field_error(INTAKE, "anonymised")
    _keep_draft()
    if saved_at := st.session_state.get("_case_saved_at"):
        st.caption(viewer.t("cases.draft_saved", time=saved_at))
    forms.form_error(INTAKE)
    st.button(viewer.t("cases.submit"), type="primary", on_click=forms.submit, args=(INTAKE, viewer, _submit))


# --- the queue -------------------------------------------------------------------------------------


def _act(action: object, notice: str) -> str:
    action()
    return notice


def _record(case_id: int) -> str:
    form = f"record.{case_id}"
    cases.record_discussion(
        database, person, case_id, DiscussionInput(**forms.values(form, ["method_id", "chosen_advice"]))
    )
    return "cases.recorded"


def group_picker(key: str) -> int | None:
    if not my_groups:
        st.info(viewer.t("cases.no_groups"))
        return None
    return st.selectbox(viewer.t("cases.choose_group"), list(my_groups), format_func=my_groups.get, key=key)


def queue_tab() -> None:
    group_id = group_picker("queue_group")
    if group_id is None:
        return
    leads = allows(Action.CHOOSE_CASE, person.role, roles.get(group_id))
    queue = cases.queue(database, person, group_id)
    forms.form_error("queue")
    if not queue.cases:
        st.caption(viewer.t("cases.queue_empty"))
    for queued in queue.cases:
        case = queued.case
        with st.container(border=True):
            st.markdown(f"#### {escape_markdown(case.title)}")
            turn = (
                viewer.t("cases.last_turn", day=day(queued.bringer_last_discussed))
                if queued.bringer_last_discussed
                else viewer.t("cases.never_turn")
            )
            st.caption(
                " · ".join(
                    [
                        viewer.t("cases.by", name=escape_markdown(case.author)),
                        viewer.t(f"urgency.{case.urgency}"),
                        viewer.t("cases.waited", count=queued.waited_days),
                        viewer.t("cases.votes", count=queued.votes),
                        turn,
                    ]
                )
            )
            paragraph(viewer.t("case_field.learning_question"), case.learning_question)
            with st.expander(viewer.t("cases.read")):
                case_details(case, shown=("title", "learning_question"))
            buttons = st.columns(3)
            if queue.my_vote == case.id:
                buttons[0].caption(viewer.t("cases.your_vote"))
            elif queue.my_vote is None:
                buttons[0].button(
                    viewer.t("cases.vote"),
                    key=f"vote.{case.id}",
                    on_click=forms.submit,
                    args=(
                        "queue",
                        viewer,
                        partial(_act, partial(cases.vote, database, person, case.id), "cases.voted"),
                    ),
                )
            if leads:
                buttons[1].button(
                    viewer.t("cases.choose"),
                    key=f"choose.{case.id}",
                    type="primary",
                    on_click=forms.submit,
                    args=(
                        "queue",
                        viewer,
                        partial(_act, partial(cases.choose_case, database, person, case.id), "cases.chosen"),
                    ),
                )
            if case.author_id == person.id:
                buttons[2].button(
                    viewer.t("cases.withdraw"),
                    key=f"withdraw.{case.id}",
                    on_click=forms.submit,
                    args=(
                        "queue",
                        viewer,
                        partial(_act, partial(cases.withdraw_case, database, person, case.id), "cases.withdrawn"),
                    ),
                )
    if queue.chosen:
        st.subheader(viewer.t("cases.chosen_title"))
    for case in queue.chosen:
        with st.container(border=True):
            st.markdown(f"#### {escape_markdown(case.title)}")
            session = (
                viewer.t("cases.chosen_for", day=format.moment(case.meeting_starts_at, viewer))
                if case.meeting_starts_at
                else viewer.t("cases.no_session")
            )
            st.caption(f"{viewer.t('cases.by', name=escape_markdown(case.author))} · {session}")
            with st.expander(viewer.t("cases.read")):
                case_details(case)
            if leads:
                record_form(case)


def record_form(case: Case) -> None:
    form = f"record.{case.id}"
    forms.prefill(form, {"method_id": case.preferred_method if case.preferred_method in methods else None})
    with st.form(form):
        st.selectbox(
            viewer.t("cases.method_used"),
            list(methods),
            format_func=lambda method_id: methods[method_id].name(viewer.language),
            placeholder=viewer.t("common.choose"),
            key=forms.key(form, "method_id"),
        )
        st.text_area(viewer.t("cases.chosen_advice"), key=forms.key(form, "chosen_advice"), max_chars=CASE_FIELD_MAX)
        forms.field_error(form, "chosen_advice")
        forms.form_error(form)
        st.form_submit_button(
            viewer.t("cases.record"), on_click=forms.submit, args=(form, viewer, partial(_record, case.id))
        )
    st.button(
        viewer.t("cases.put_back"),
        key=f"put_back.{case.id}",
        on_click=forms.submit,
        args=(
            "queue",
            viewer,
            partial(_act, partial(cases.put_back, database, person, case.id), "cases.put_back_done"),
        ),
    )


# --- my cases ------------------------------------------------------------------------------------


def _follow_up(case_id: int) -> str:
    form = f"follow_up.{case_id}"
    cases.follow_up(database, person, case_id, FollowUpInput(text=forms.value(form, "text") or ""))
    return "cases.followed_up"


def mine_tab() -> None:
    mine = cases.my_cases(database, person)
    forms.form_error("mine")
    if not mine:
        st.caption(viewer.t("cases.mine_empty"))
    for case in mine:
        with st.container(border=True):
            st.markdown(f"#### {escape_markdown(case.title or '—')}")
            st.caption(f"{escape_markdown(case.group_name)} · {viewer.t(f'case_status.{case.status}')}")
            with st.expander(viewer.t("cases.read")):
                case_details(case)
            if case.status is CaseStatus.DISCUSSED:
                form = f"follow_up.{case.id}"
                with st.form(form):
                    st.write(viewer.t("cases.follow_up_intro"))
                    st.text_area(viewer.t("cases.follow_up"), key=forms.key(form, "text"), max_chars=CASE_FIELD_MAX)
                    forms.field_error(form, "text")
                    forms.form_error(form)
                    st.form_submit_button(
                        viewer.t("cases.follow_up_save"),
                        on_click=forms.submit,
                        args=(form, viewer, partial(_follow_up, case.id)),
                    )
            if case.status in cases.OPEN:
                st.button(
                    viewer.t("cases.withdraw"),
                    key=f"mine_withdraw.{case.id}",
                    on_click=forms.submit,
                    args=(
                        "mine",
                        viewer,
                        partial(_act, partial(cases.withdraw_case, database, person, case.id), "cases.withdrawn"),
                    ),
                )
            confirmed = st.checkbox(viewer.t("cases.delete_confirm"), key=f"confirm_delete_case.{case.id}")
            st.button(
                viewer.t("cases.delete"),
                key=f"delete.{case.id}",
                disabled=not confirmed,
                on_click=forms.submit,
                args=(
                    "mine",
                    viewer,
                    partial(_act, partial(cases.delete_case, database, person, case.id), "cases.deleted"),
                ),
            )


# --- the archive ---------------------------------------------------------------------------------


def archive_tab() -> None:
    group_id = group_picker("archive_group")
    if group_id is None:
        return
    done = cases.archive(database, person, group_id)
    # What was shared before someone joined stays with the circle that heard it: say so, not "nothing yet".
    joined = membership.member_since(database, person, group_id)
    if joined:
        st.caption(viewer.t("cases.archive_since", day=format.day(joined.astimezone(format.local_zone()), viewer)))
    if not done:
        st.caption(viewer.t("cases.archive_empty"))
    for case in done:
        with st.container(border=True):
            st.markdown(f"#### {escape_markdown(case.title or '—')}")
            method = methods[case.method_id].name(viewer.language) if case.method_id in methods else ""
            st.caption(
                " · ".join(
                    part
                    for part in [
                        viewer.t("cases.by", name=escape_markdown(case.author)),
                        viewer.t("cases.discussed_on", day=day(case.discussed_at)),
                        escape_markdown(method),
                        viewer.t(f"case_status.{case.status}"),
                    ]
                    if part
                )
            )
            if case.erased_at:
                st.caption(viewer.t("cases.erased"))
                continue
            paragraph(viewer.t("case_field.learning_question"), case.learning_question)
            paragraph(viewer.t("cases.chosen_advice"), case.chosen_advice)
            paragraph(viewer.t("case_field.follow_up"), case.follow_up)


# --- counts for coordinators ----------------------------------------------------------------------


def counts_tab() -> None:
    st.write(viewer.t("cases.counts_intro"))
    today = clock.today()
    start, end = st.columns(2)
    since = start.date_input(
        viewer.t("cases.from"), today - timedelta(days=365), format=format.date_input_format(viewer)
    )
    until = end.date_input(viewer.t("cases.until"), today, format=format.date_input_format(viewer))
    counts = cases.case_counts(database, person, since, until)
    header = [
        viewer.t(label)
        for label in ("field.group", "cases.submitted_count", "cases.discussed_count", "cases.followed_up_count")
    ]
    rows = [[count.group_name, count.submitted, count.discussed, count.followed_up] for count in counts]
    st.dataframe([dict(zip(header, row, strict=True)) for row in rows], hide_index=True, width="stretch")
    st.download_button(
        viewer.t("cases.download"),
        write_csv(header, rows, viewer.language),
        file_name=f"cases-{since}-{until}.csv",
        mime="text/csv",
        icon=":material/download:",
    )


st.title(viewer.t("nav.cases"))
forms.notice(viewer)
# A coordinator outside every group sees the counts only; in a group, they work with its cases too.
views = {"cases.bring": bring_tab, "cases.queue": queue_tab, "cases.mine": mine_tab, "cases.archive": archive_tab}
if not my_groups:
    views = {"cases.mine": mine_tab} if person.role is not Role.COORDINATOR else {}
if person.role is Role.COORDINATOR:
    views["cases.counts"] = counts_tab
for tab, show in zip(st.tabs([viewer.t(label) for label in views]), views.values(), strict=True):
    with tab:
        show()
