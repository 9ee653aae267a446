"""My profile: name, e-mail, language and password; which mails I get; sign out on every device; download all
my data."""

import streamlit as st

from intervision import accounts, auth, personal_data
from intervision.database import configured as configured_database
from intervision.models import PasswordChangeInput, ProfileInput
from ui import format, forms
from ui.guard import LANGUAGE_KEY, guard, sign_in_token
from ui.mail import mail_choices_form

# The store this server was set up with (intervision/database.py), built once per process.
database = configured_database()

viewer = guard("profile")
person = viewer.signed_in
PROFILE = "profile"
PASSWORD = "password_change"
PASSWORD_FIELDS = ["current_password", "new_password", "new_password_again"]

forms.prefill(PROFILE, {"name": person.name, "email": person.email, "language": viewer.language})


def _save_profile() -> str:
    form = ProfileInput(**forms.values(PROFILE, ["name", "email", "language"]))
    accounts.update_profile(database, person.id, form)
    st.session_state[LANGUAGE_KEY] = form.language.value
    return "profile.saved"


def _change_password() -> str:
    form = PasswordChangeInput(**forms.values(PASSWORD, PASSWORD_FIELDS))
    auth.change_password(database, person.id, form, current_token=sign_in_token())
    forms.clear(PASSWORD, PASSWORD_FIELDS)
    return "profile.password_changed"


def _sign_out_everywhere() -> str:
    auth.sign_out_everywhere(database, person.id)
    return "profile.signed_out_everywhere"


st.title(viewer.t("nav.profile"))
forms.notice(viewer)
st.caption(viewer.t("profile.role", role=viewer.t(f"role.{person.role}")))
left, right = st.columns(2, gap="large")
with left, st.form(PROFILE):
    st.subheader(viewer.t("profile.details"))
    forms.text_inputs(PROFILE, viewer, [("name", "field.name", "default"), ("email", "field.email", "default")])
    forms.language_select(PROFILE, viewer)
    forms.form_error(PROFILE)
    st.form_submit_button(
        viewer.t("common.save"), type="primary", on_click=forms.submit, args=(PROFILE, viewer, _save_profile)
    )
with left:
    # Every mail links to this page: the choice sits right under the address it goes to.
    mail_choices_form(database, viewer, person)
with right:
    with st.form(PASSWORD):
        st.subheader(viewer.t("profile.password"))
        forms.text_inputs(
            PASSWORD,
            viewer,
            [
                ("current_password", "field.current_password", "password"),
                ("new_password", "field.new_password", "password"),
                ("new_password_again", "field.password_again", "password"),
            ],
        )
        st.caption(viewer.t("first_run.password_hint"))
        forms.form_error(PASSWORD)
        st.form_submit_button(
            viewer.t("profile.change_password"),
            on_click=forms.submit,
            args=(PASSWORD, viewer, _change_password),
        )
    st.subheader(viewer.t("profile.devices"))
    st.write(viewer.t("profile.devices_intro"))
    st.button(
        viewer.t("profile.sign_out_everywhere"),
        on_click=forms.submit,
        args=("everywhere", viewer, _sign_out_everywhere),
        icon=":material/devices:",
    )
    st.subheader(viewer.t("profile.my_data"))
    st.write(viewer.t("profile.my_data_intro"))
    st.download_button(
        viewer.t("profile.download_data"),
        data=personal_data.export_my_data(database, person),
        file_name=f"my-data-{format.local_now().date().isoformat()}.json",
        mime="application/json",
        icon=":material/download:",
    )
