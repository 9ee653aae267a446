"""Set a new password with the one-time link from the "forgot my password" mail (or from a coordinator)."""

import streamlit as st

from intervision import account_mail
from intervision.database import configured as configured_database
from intervision.models import NewPasswordInput
from ui import forms
from ui.guard import RETURN_TO, guard, remember_sign_in

# The store this server was set up with (intervision/database.py), built once per process.
database = configured_database()

viewer = guard("reset")
FORM = "new_password"
FIELDS = ["new_password", "new_password_again"]
token = st.query_params.get("token", "")


def _reset() -> None:
    session = account_mail.reset_password(database, token, NewPasswordInput(**forms.values(FORM, FIELDS)))
    forms.clear(FORM, FIELDS)
    # The browser's trip to the cookie route comes back here, without the used link, to say it worked.
    st.session_state[RETURN_TO] = "/reset?done=password"
    st.query_params.pop("token", None)
    remember_sign_in(session)


st.title(viewer.t("nav.reset"))
if viewer.person is not None and st.query_params.get("done") == "password":
    st.success(viewer.t("account_mail.reset_done"), icon=":material/check_circle:")
    st.page_link("pages/home.py", label=viewer.t("nav.home"), icon=":material/home:")
    st.stop()
if not account_mail.reset_link_works(database, token):
    st.error(viewer.t("account_mail.link_dead"), icon=":material/link_off:")
    if viewer.person is None:
        st.page_link("pages/sign_in.py", label=viewer.t("account_mail.ask_again"), icon=":material/key:")
    st.stop()

st.write(viewer.t("account_mail.reset_intro"))
with st.form(FORM):
    st.text_input(
        viewer.t("field.new_password"),
        type="password",
        key=forms.key(FORM, "new_password"),
        autocomplete="new-password",
    )
    forms.field_error(FORM, "new_password")
    st.text_input(
        viewer.t("field.password_again"),
        type="password",
        key=forms.key(FORM, "new_password_again"),
        autocomplete="new-password",
    )
    forms.field_error(FORM, "new_password_again")
    st.caption(viewer.t("first_run.password_hint"))
    forms.form_error(FORM)
    st.form_submit_button(
        viewer.t("account_mail.reset_button"), type="primary", on_click=forms.submit, args=(FORM, viewer, _reset)
    )
