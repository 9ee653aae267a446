"""First run: create the organisation's first coordinator, or load the demo organisation."""

import streamlit as st

from intervision import accounts, auth, demo
from intervision.database import configured as configured_database
from intervision.models import FirstRunInput
from ui import forms
from ui.guard import guard, remember_sign_in

# The store this server was set up with (intervision/database.py), built once per process.
database = configured_database()

viewer = guard("first_run")
FORM = "first_run"
FIELDS = ["organisation_name", "name", "email", "password", "password_again", "language"]


def _create_coordinator() -> None:
    person_id = accounts.create_first_coordinator(database, FirstRunInput(**forms.values(FORM, FIELDS)))
    remember_sign_in(auth.open_session_for(database, person_id))


def _load_demo() -> None:
    demo.load_demo(database)


st.title(viewer.t("first_run.title"))
st.write(viewer.t("first_run.intro"))
left, right = st.columns(2, gap="large")

with left:
    st.subheader(viewer.t("first_run.create_title"))
    with st.form(FORM):
        forms.text_inputs(
            FORM,
            viewer,
            [("organisation_name", "field.organisation_name", "default"), *forms.NEW_ACCOUNT_FIELDS],
        )
        forms.language_select(FORM, viewer)
        st.caption(viewer.t("first_run.password_hint"))
        forms.form_error(FORM)
        st.form_submit_button(
            viewer.t("first_run.create_button"),
            type="primary",
            on_click=forms.submit,
            args=(FORM, viewer, _create_coordinator),
        )

with right:
    st.subheader(viewer.t("first_run.demo_title"))
    st.write(viewer.t("first_run.demo_intro"))
    st.button(
        viewer.t("first_run.demo_button"),
        on_click=forms.submit,
        args=("demo", viewer, _load_demo),
        icon=":material/science:",
    )
    forms.form_error("demo")
