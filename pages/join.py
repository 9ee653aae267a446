"""Join a group with an invitation code; a newcomer creates their account on the way."""

import streamlit as st

from intervision import account_mail, auth, invitations
from intervision.database import configured as configured_database
from intervision.models import JoinInput, NewAccountInput
from ui import forms
from ui.guard import escape_markdown, guard, remember_sign_in

# The store this server was set up with (intervision/database.py), built once per process.
database = configured_database()

viewer = guard("join")
JOIN = "join"
NEW = "new_account"
NEW_FIELDS = ["name", "email", "password", "password_again", "language"]
# With a mail server set up, creating an account always ends here: "check your mail" (intervision/account_mail.py).
CHECK_MAIL = "_check_mail_to_confirm"

if "code" in st.query_params and not st.session_state.get("_link_code_taken"):
    # The link's code fills the field once; after joining, the field stays empty.
    st.session_state[forms.key(JOIN, "code")] = st.query_params["code"]
    st.session_state["_link_code_taken"] = True


def _join() -> str:
    joined = invitations.join_with_code(database, viewer.signed_in, JoinInput(code=forms.value(JOIN, "code") or ""))
    st.session_state["_joined_group"] = joined.group_name
    forms.clear(JOIN, ["code"])
    return "join.joined"


def _create_account() -> None:
    code = JoinInput(code=forms.value(JOIN, "code") or "")
    form = NewAccountInput(**forms.values(NEW, NEW_FIELDS))
    person_id = account_mail.create_account_with_code(database, form, code, viewer.language)
    if person_id is None:
        forms.clear(NEW, ["password", "password_again"])
        st.session_state[CHECK_MAIL] = True
        return
    remember_sign_in(auth.open_session_for(database, person_id))


st.title(viewer.t("join.title"))
forms.notice(viewer)
if joined := st.session_state.pop("_joined_group", None):
    st.write(viewer.t("join.joined_group", group=escape_markdown(joined)))

st.text_input(viewer.t("field.code"), key=forms.key(JOIN, "code"), max_chars=32)
forms.field_error(JOIN, "code")
forms.field_error(NEW, "code")  # a newcomer's form is refused for its code: say so under the code
preview = invitations.invitation_preview(database, forms.value(JOIN, "code") or "")
if preview:
    st.info(
        viewer.t(
            "join.preview",
            group=escape_markdown(preview.group_name),
            role=viewer.t(f"group_role.{preview.group_role}").lower(),  # "als lid", mid-sentence
        )
    )

if viewer.person:
    st.button(viewer.t("join.button"), type="primary", on_click=forms.submit, args=(JOIN, viewer, _join))
    forms.form_error(JOIN)
    st.stop()

st.subheader(viewer.t("join.new_account_title"))
if st.session_state.pop(CHECK_MAIL, False):
    st.success(viewer.t("account_mail.check_mail"), icon=":material/mark_email_unread:")
st.caption(viewer.t("join.new_account_intro"))
with st.form(NEW):
    forms.text_inputs(NEW, viewer, forms.NEW_ACCOUNT_FIELDS)
    forms.language_select(NEW, viewer)
    forms.form_error(NEW)
    st.form_submit_button(
        viewer.t("join.create_button"),
        type="primary",
        on_click=forms.submit,
        args=(NEW, viewer, _create_account),
    )
st.page_link("pages/sign_in.py", label=viewer.t("join.have_account"), icon=":material/key:")
