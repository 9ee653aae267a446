"""Invitations: create a join code and link for a group, copy it, revoke it."""

from functools import partial

import streamlit as st

from intervision import account_mail, invitations
from intervision.account_mail import MAIL_INVITATIONS_AT_ONCE, MailInvitationInput
from intervision.clock import utcnow
from intervision.database import configured as configured_database
from intervision.mail.settings import mail_configured
from intervision.models import GroupRole, InvitationInput, InvitationStatus, Role
from ui import format, forms
from ui.browser import app_origin
from ui.guard import guard

# The store this server was set up with (intervision/database.py), built once per process.
database = configured_database()

viewer = guard("invitations")
person = viewer.signed_in
FORM = "invitation"
FIELDS = ["group_id", "group_role", "valid_days", "max_uses"]
CREATED = "_created_invitation"
MAIL = "mail_invitation"
MAIL_FIELDS = ["group_id", "group_role", "valid_days", "addresses"]
MAILED = "_mailed_invitations"

groups = dict(invitations.groups_to_invite_to(database, person))


def _create() -> str:
    created = invitations.create_invitation(database, person, InvitationInput(**forms.values(FORM, FIELDS)))
    st.session_state[CREATED] = created.code
    st.session_state.pop(MAILED, None)
    return "invitations.created"


def _invite_by_mail() -> None:
    sent = account_mail.invite_by_mail(database, person, MailInvitationInput(**forms.values(MAIL, MAIL_FIELDS)))
    st.session_state[MAILED] = [(invitation.address, invitation.code) for invitation in sent]
    forms.clear(MAIL, ["addresses"])


def _revoke(invitation_id: int) -> None:
    invitations.revoke_invitation(database, person, invitation_id)


st.title(viewer.t("nav.invitations"))
if not groups:
    st.info(viewer.t("invitations.no_groups"))
    st.stop()

forms.notice(viewer)
if code := st.session_state.get(CREATED):
    st.subheader(viewer.t("invitations.share_title"))
    st.markdown(f"## `{code}`")
    st.code(invitations.join_link(app_origin(), code), language=None, wrap_lines=True)
    st.caption(viewer.t("invitations.share_hint"))

with st.expander(viewer.t("invitations.new"), expanded=code is None), st.form(FORM):
    st.selectbox(viewer.t("field.group"), list(groups), format_func=groups.get, key=forms.key(FORM, "group_id"))
    forms.field_error(FORM, "group_id")
    # Member first: an invitation made with the defaults never hands out a facilitator's role.
    roles = [GroupRole.MEMBER, GroupRole.FACILITATOR] if person.role is Role.COORDINATOR else [GroupRole.MEMBER]
    st.selectbox(
        viewer.t("field.group_role"),
        roles,
        format_func=lambda role: viewer.t(f"group_role.{role}"),
        key=forms.key(FORM, "group_role"),
    )
    forms.field_error(FORM, "group_role")
    st.number_input(viewer.t("field.valid_days"), value=14, step=1, key=forms.key(FORM, "valid_days"))
    forms.field_error(FORM, "valid_days")
    st.number_input(viewer.t("field.max_uses"), value=10, step=1, key=forms.key(FORM, "max_uses"))
    forms.field_error(FORM, "max_uses")
    forms.form_error(FORM)
    st.form_submit_button(
        viewer.t("invitations.create"), type="primary", on_click=forms.submit, args=(FORM, viewer, _create)
    )


def _roles_offered() -> list[GroupRole]:
    # Member first: an invitation made with the defaults never hands out a facilitator's role.
    return [GroupRole.MEMBER, GroupRole.FACILITATOR] if person.role is Role.COORDINATOR else [GroupRole.MEMBER]


if mailed := st.session_state.get(MAILED):
    if mail_configured():
        st.success(viewer.t("account_mail.sent", count=len(mailed)), icon=":material/outgoing_mail:")
    else:
        # Nothing goes out: the facilitator sends each address its own link.
        st.success(viewer.t("account_mail.made", count=len(mailed)), icon=":material/check_circle:")
        st.warning(viewer.t("account_mail.no_server"), icon=":material/unsubscribe:")
        st.subheader(viewer.t("account_mail.links_title"))
        st.dataframe(
            [
                {
                    viewer.t("account_mail.address"): address,
                    viewer.t("account_mail.link"): invitations.join_link(app_origin(), code),
                }
                for address, code in mailed
            ],
            hide_index=True,
            width="stretch",
        )

with st.expander(viewer.t("account_mail.invite_title"), expanded=bool(forms.value(MAIL, "addresses"))), st.form(MAIL):
    intro = "account_mail.invite_intro" if mail_configured() else "account_mail.invite_intro_no_mail"
    st.caption(viewer.t(intro, most=MAIL_INVITATIONS_AT_ONCE))
    st.selectbox(viewer.t("field.group"), list(groups), format_func=groups.get, key=forms.key(MAIL, "group_id"))
    forms.field_error(MAIL, "group_id")
    st.selectbox(
        viewer.t("field.group_role"),
        _roles_offered(),
        format_func=lambda role: viewer.t(f"group_role.{role}"),
        key=forms.key(MAIL, "group_role"),
    )
    forms.field_error(MAIL, "group_role")
    st.number_input(viewer.t("field.valid_days"), value=14, step=1, key=forms.key(MAIL, "valid_days"))
    forms.field_error(MAIL, "valid_days")
    st.text_area(
        viewer.t("account_mail.addresses"),
        help=viewer.t("account_mail.addresses_help"),
        key=forms.key(MAIL, "addresses"),
    )
    forms.field_error(MAIL, "addresses")
    forms.form_error(MAIL)
    st.form_submit_button(
        viewer.t("account_mail.send_button"),
        type="primary",
        on_click=forms.submit,
        args=(MAIL, viewer, _invite_by_mail),
    )

st.subheader(viewer.t("invitations.list_title"))
existing = invitations.invitations(database, person)
now = utcnow()
if not existing:
    st.write(viewer.t("invitations.none"))
for invitation in existing:
    code_column, group_column, status_column, action_column = st.columns([2, 3, 3, 2], vertical_alignment="center")
    code_column.markdown(f"#### {invitation.code}")  # codes are letters and digits only
    group_column.text(f"{invitation.group_name} · {viewer.t(f'group_role.{invitation.group_role}')}")
    if invitation.mailed_to:
        group_column.text(viewer.t("invitations.mailed_to", address=invitation.mailed_to))  # as typed, never a link
    status = viewer.t(f"invitations.status_{invitation.status(now)}")
    until = viewer.t("invitations.until", day=format.moment(invitation.expires_at, viewer))
    status_column.text(f"{status} · {invitation.uses}/{invitation.max_uses} · {until}")
    if invitation.status(now) is InvitationStatus.ACTIVE:
        action_column.button(
            viewer.t("invitations.revoke"),
            key=f"revoke.{invitation.id}",
            on_click=forms.submit,
            args=("revoke", viewer, partial(_revoke, invitation.id)),
        )
forms.form_error("revoke")
