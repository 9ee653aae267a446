"""Confirm a new account's e-mail address with the link from the mail: the account opens, joins the group it
was made for (if the invitation can still be used) and is signed in."""

import streamlit as st

from intervision import account_mail, groups
from intervision.database import configured as configured_database
from ui import forms
from ui.guard import RETURN_TO, escape_markdown, guard, remember_sign_in

# The store this server was set up with (intervision/database.py), built once per process.
database = configured_database()

viewer = guard("confirm")
FORM = "confirm_address"
token = st.query_params.get("token", "")


def _confirm() -> None:
    confirmed = account_mail.confirm_account(database, token)
    # The browser's trip to the cookie route comes back here, without the used link, to say it worked.
    st.session_state[RETURN_TO] = f"/confirm?done={'joined' if confirmed.joined_group else 'not_joined'}"
    st.query_params.pop("token", None)
    remember_sign_in(confirmed.session_token)


st.title(viewer.t("nav.confirm"))
done = st.query_params.get("done")
if viewer.person is not None and done in ("joined", "not_joined"):
    st.success(viewer.t("account_mail.confirmed"), icon=":material/check_circle:")
    # A new account is in the one group its invitation was for.
    joined = [group.name for group, _ in groups.visible_groups(database, viewer.person)]
    if done == "joined" and joined:
        st.write(viewer.t("account_mail.confirmed_joined", group=escape_markdown(", ".join(joined))))
    else:
        st.warning(viewer.t("account_mail.confirmed_not_joined"), icon=":material/info:")
    st.page_link("pages/home.py", label=viewer.t("nav.home"), icon=":material/home:")
    st.stop()
if not account_mail.confirm_link_works(database, token):
    st.error(viewer.t("account_mail.link_dead"), icon=":material/link_off:")
    st.page_link("pages/join.py", label=viewer.t("account_mail.ask_again"), icon=":material/login:")
    st.stop()

# A button, not on opening: a mail program that opens links to check them confirms nothing.
st.write(viewer.t("account_mail.confirm_intro"))
st.button(viewer.t("account_mail.confirm_button"), type="primary", on_click=forms.submit, args=(FORM, viewer, _confirm))
forms.form_error(FORM)
