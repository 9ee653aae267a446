"""Sign in with e-mail and password (or the organisation's single sign-on, when configured)."""

import streamlit as st

from intervision import account_mail, auth, demo
from intervision.account_mail import ResetRequestInput
from intervision.database import configured as configured_database
from intervision.mail.settings import mail_configured
from intervision.models import SignInInput
from ui import forms
from ui.guard import client_address, guard, keep_return_target, remember_sign_in, single_sign_on_configured

# The store this server was set up with (intervision/database.py), built once per process.
database = configured_database()

viewer = guard("sign_in")
FORM = "sign_in"
FORGOT = "forgot_password"
# Set once a reset link was asked for: the answer is the same whether or not the address has an account.
ASKED = "_reset_link_asked"
# Came from the QR code's link or a mail's: signing in (or creating an account) goes straight on to it.
going_on_to = keep_return_target()


def _sign_in() -> None:
    form = SignInInput(**forms.values(FORM, ["email", "password"]))
    remember_sign_in(auth.sign_in(database, form, client_address()))


def _ask_for_reset_link() -> None:
    form = ResetRequestInput(**forms.values(FORGOT, ["email"]))
    account_mail.ask_password_reset(database, form, viewer.language)
    st.session_state[ASKED] = True


def _describe(account: demo.DemoAccount) -> str:
    parts = [viewer.t("role.coordinator")] if account.is_coordinator else []
    if account.facilitates:
        parts.append(viewer.t("demo.facilitates", groups=", ".join(account.facilitates)))
    if account.takes_part_in:
        parts.append(viewer.t("demo.takes_part_in", groups=", ".join(account.takes_part_in)))
    return "; ".join(parts)


st.title(viewer.t("sign_in.title"))
if going_on_to:
    st.info(viewer.t(f"sign_in.then_{going_on_to.screen.key}"), icon=going_on_to.screen.icon)
left, right = st.columns([3, 2], gap="large")
with left, st.form(FORM):
    st.text_input(viewer.t("field.email"), key=forms.key(FORM, "email"), autocomplete="username")
    forms.field_error(FORM, "email")
    st.text_input(
        viewer.t("field.password"),
        type="password",
        key=forms.key(FORM, "password"),
        autocomplete="current-password",
    )
    forms.field_error(FORM, "password")
    forms.form_error(FORM)
    # Someone else finished the first run while this person filled in its form: tell them here.
    forms.form_error("first_run")
    st.form_submit_button(
        viewer.t("sign_in.button"), type="primary", on_click=forms.submit, args=(FORM, viewer, _sign_in)
    )
with left:
    if single_sign_on_configured():
        st.button(viewer.t("sign_in.single_sign_on"), on_click=st.login, icon=":material/domain:")
    st.page_link("pages/join.py", label=viewer.t("sign_in.have_code"), icon=":material/login:")
    asked = st.session_state.pop(ASKED, False)
    with st.expander(viewer.t("account_mail.forgot_title"), expanded=asked or bool(forms.value(FORGOT, "email"))):
        if not mail_configured():
            st.info(viewer.t("account_mail.forgot_no_server"), icon=":material/support_agent:")
        else:
            if asked:
                st.success(viewer.t("account_mail.forgot_answer"), icon=":material/mark_email_read:")
            with st.form(FORGOT):
                st.caption(viewer.t("account_mail.forgot_intro"))
                st.text_input(viewer.t("field.email"), key=forms.key(FORGOT, "email"), autocomplete="username")
                forms.field_error(FORGOT, "email")
                forms.form_error(FORGOT)
                st.form_submit_button(
                    viewer.t("account_mail.forgot_button"),
                    on_click=forms.submit,
                    args=(FORGOT, viewer, _ask_for_reset_link),
                )

with right:
    if viewer.organisation and viewer.organisation.is_demo:
        st.subheader(viewer.t("demo.accounts_title"))
        st.write(viewer.t("demo.accounts_intro"))
        st.code(demo.DEMO_PASSWORD, language=None)
if viewer.organisation and viewer.organisation.is_demo:
    # Across the whole width: beside the form, at 1280 pixels with the sidebar open, the column is too narrow
    # for an address and who it is, and the table would hide the second behind a scroll bar.
    with st.container(width=1100):
        st.table(
            [
                {
                    viewer.t("field.email"): account.email,
                    viewer.t("demo.who"): _describe(account),
                }
                for account in demo.demo_accounts()
            ],
            hide_index=True,
            border="horizontal",
        )
