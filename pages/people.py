"""People (coordinators): everyone in the organisation, their roles, erasing someone, the audit log, and what
was mailed."""

from collections.abc import Callable
from functools import partial

import streamlit as st

from intervision import account_mail, accounts, cases, personal_data
from intervision.database import configured as configured_database
from intervision.errors import DomainError
from intervision.models import PersonErasureInput, RetentionInput, Role, RoleChangeInput
from ui import format, forms
from ui.browser import app_origin
from ui.guard import escape_markdown, guard
from ui.mail import outbox_panel

# The store this server was set up with (intervision/database.py), built once per process.
database = configured_database()

viewer = guard("people")
coordinator = viewer.signed_in
FORM = "role_change"
RETENTION = "retention"
ERASE = "erase"
ERASE_FIELDS = ["person_id", "confirm_email"]
RESET = "reset_link"
# The link just made: shown on the next drawing only, then gone (it opens the account).
HANDED_OUT = "_reset_link_handed_out"

everyone = accounts.people(database, coordinator)
by_id = {person.id: person for person in everyone}


def _set_retention() -> str:
    cases.set_retention(database, coordinator, RetentionInput(days=forms.value(RETENTION, "days")))
    return "organisation.retention_saved"


def _change_role() -> str:
    form = RoleChangeInput(**forms.values(FORM, ["person_id", "role"]))
    accounts.change_role(database, coordinator, form.person_id, form.role)
    forms.clear(FORM, ["person_id", "role"])
    return "people.role_changed"


def _hand_out_reset_link() -> None:
    chosen = forms.value(RESET, "person_id")
    if chosen not in by_id:
        raise DomainError("required", field="person_id")
    token = account_mail.hand_out_reset_link(database, coordinator, chosen)
    st.session_state[HANDED_OUT] = (by_id[chosen].name, account_mail.reset_link(app_origin(), token))
    forms.clear(RESET, ["person_id"])


def _erase() -> str:
    chosen = forms.value(ERASE, "person_id")
    form = PersonErasureInput(
        person_id=chosen,
        email=by_id[chosen].email if chosen in by_id else "",
        confirm_email=forms.value(ERASE, "confirm_email"),
    )
    personal_data.erase_person(database, coordinator, form.person_id)
    forms.clear(ERASE, ERASE_FIELDS)
    return "people.erased"


def choose_someone_else(form: str, on_change: Callable[[], None] | None = None) -> None:
    """Anyone in the organisation but the coordinator themselves, by name and address."""
    st.selectbox(
        viewer.t("field.person"),
        [person_id for person_id in by_id if person_id != coordinator.id],
        format_func=lambda person_id: f"{by_id[person_id].name} ({by_id[person_id].email})",
        index=None,
        placeholder=viewer.t("people.choose_person"),
        key=forms.key(form, "person_id"),
        on_change=on_change,
    )


st.title(viewer.t("nav.people"))
forms.notice(viewer)
people_tab, audit_tab, mail_tab, organisation_tab = st.tabs(
    [
        viewer.t("people.tab_people"),
        viewer.t("people.tab_audit"),
        viewer.t("outbox.title"),
        viewer.t("organisation.tab"),
    ],
    # Kept by key: a notice drawn above the tabs after a click (a mail sent again) must not reopen the first tab.
    key="people_tabs",
    on_change="rerun",
)

with people_tab:
    st.dataframe(
        [
            {
                viewer.t("field.name"): person.name,
                viewer.t("field.email"): person.email,
                viewer.t("field.role"): viewer.t(f"role.{person.role}"),
            }
            for person in everyone
        ],
        hide_index=True,
        width="stretch",
    )
    with st.form(FORM):
        st.subheader(viewer.t("people.change_role"))
        st.selectbox(
            viewer.t("field.person"),
            list(by_id),
            format_func=lambda person_id: f"{by_id[person_id].name} ({by_id[person_id].email})",
            index=None,
            placeholder=viewer.t("people.choose_person"),
            key=forms.key(FORM, "person_id"),
        )
        forms.field_error(FORM, "person_id")
        st.selectbox(
            viewer.t("field.role"),
            list(Role),
            format_func=lambda role: viewer.t(f"role.{role}"),
            index=None,
            placeholder=viewer.t("people.choose_role"),
            key=forms.key(FORM, "role"),
        )
        forms.field_error(FORM, "role")
        forms.form_error(FORM)
        st.form_submit_button(
            viewer.t("common.save"), type="primary", on_click=forms.submit, args=(FORM, viewer, _change_role)
        )

    st.subheader(viewer.t("account_mail.hand_out_title"))
    st.caption(viewer.t("account_mail.hand_out_intro"))
    if handed_out := st.session_state.pop(HANDED_OUT, None):
        name, link = handed_out
        st.warning(viewer.t("account_mail.hand_out_made", name=escape_markdown(name)), icon=":material/key:")
        st.code(link, language=None, wrap_lines=True)
    with st.form(RESET):
        choose_someone_else(RESET)
        forms.field_error(RESET, "person_id")
        forms.form_error(RESET)
        st.form_submit_button(
            viewer.t("account_mail.hand_out_button"),
            on_click=forms.submit,
            args=(RESET, viewer, _hand_out_reset_link),
            icon=":material/lock_reset:",
        )

    st.subheader(viewer.t("people.erase"))
    st.caption(viewer.t("people.erase_intro"))
    choose_someone_else(ERASE, on_change=partial(forms.clear, ERASE, ["confirm_email"]))
    chosen = forms.value(ERASE, "person_id")
    if chosen in by_id:
        with st.form(ERASE):
            st.warning(
                viewer.t(
                    "people.erase_warning",
                    name=escape_markdown(by_id[chosen].name),
                    email=escape_markdown(by_id[chosen].email),
                ),
                icon=":material/warning:",
            )
            st.text_input(viewer.t("people.erase_confirm"), key=forms.key(ERASE, "confirm_email"))
            forms.field_error(ERASE, "confirm_email")
            forms.form_error(ERASE)
            st.form_submit_button(
                viewer.t("people.erase_button"),
                on_click=forms.submit,
                args=(ERASE, viewer, _erase),
                icon=":material/delete_forever:",
            )

with audit_tab:
    st.caption(viewer.t("people.audit_intro"))
    st.dataframe(
        [
            {
                viewer.t("audit.when"): format.moment(event.at, viewer),
                viewer.t("audit.who"): event.actor,
                viewer.t("audit.what"): viewer.t(f"audit.{event.action}"),
                viewer.t("audit.subject"): event.subject,
                viewer.t("audit.detail"): event.detail,
            }
            for event in accounts.audit_log(database, coordinator)
        ],
        hide_index=True,
        width="stretch",
    )

with mail_tab:
    outbox_panel(database, viewer, coordinator)

with organisation_tab, st.form(RETENTION):
    st.number_input(
        viewer.t("organisation.retention"),
        step=30,
        value=cases.retention_days(database),
        help=viewer.t("organisation.retention_help"),
        key=forms.key(RETENTION, "days"),
    )
    forms.field_error(RETENTION, "days")
    forms.form_error(RETENTION)
    st.form_submit_button(
        viewer.t("organisation.retention_save"),
        type="primary",
        on_click=forms.submit,
        args=(RETENTION, viewer, _set_retention),
    )

with organisation_tab:
    # Backups hold everything, so they are the operator's (intervision/backup.py), never a download here.
    st.caption(viewer.t("organisation.backups_by_operator"))
