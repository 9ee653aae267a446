"""People (coordinators): everyone in the organisation, their roles, and the audit log."""

import streamlit as st

from intervision import accounts, cases
from intervision.models import RetentionInput, Role, RoleChangeInput
from ui import format, forms
from ui.guard import guard

viewer = guard("people")
coordinator = viewer.signed_in
FORM = "role_change"
RETENTION = "retention"

everyone = accounts.people(coordinator)
by_id = {person.id: person for person in everyone}


def _set_retention() -> str:
    cases.set_retention(coordinator, RetentionInput(days=forms.value(RETENTION, "days")))
    return "organisation.retention_saved"


def _change_role() -> str:
    form = RoleChangeInput(**forms.values(FORM, ["person_id", "role"]))
    accounts.change_role(coordinator, form.person_id, form.role)
    forms.clear(FORM, ["person_id", "role"])
    return "people.role_changed"


st.title(viewer.t("nav.people"))
forms.notice(viewer)
people_tab, audit_tab, organisation_tab = st.tabs(
    [viewer.t("people.tab_people"), viewer.t("people.tab_audit"), viewer.t("organisation.tab")]
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
            for event in accounts.audit_log(coordinator)
        ],
        hide_index=True,
        width="stretch",
    )

with organisation_tab, st.form(RETENTION):
    st.number_input(
        viewer.t("organisation.retention"),
        step=30,
        value=cases.retention_days(),
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
