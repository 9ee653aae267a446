"""Home: what is next for me — my groups, the next session, and what is waiting."""

from collections.abc import Callable
from functools import partial

import streamlit as st

from intervision import groups, live, membership
from intervision.agenda import agenda_for
from intervision.database import configured as configured_database
from intervision.models import GroupRole, Role
from ui import format, forms
from ui.guard import escape_markdown, guard

# The store this server was set up with (intervision/database.py), built once per process.
database = configured_database()

viewer = guard("home")
person = viewer.signed_in
INVITATIONS = "group_invitations"


def _answer(answer: Callable[..., object], invitation_id: int, notice: str) -> str:
    answer(database, person, invitation_id)
    return notice


agenda = agenda_for(database, person)

st.title(viewer.t("home.title", name=escape_markdown(person.name)))
forms.notice(viewer)
forms.form_error(INVITATIONS)
# Joining a group is the person's own act: an invitation waits here until they answer it.
for invitation in membership.my_invitations(database, person):
    with st.container(border=True):
        st.markdown(
            "**"
            + viewer.t(
                f"home.invitation_{invitation.group_role}",
                group=escape_markdown(invitation.group_name),
                name=escape_markdown(invitation.invited_by or "—"),
            )
            + "**"
        )
        accept_column, decline_column = st.columns(2)
        accept_column.button(
            viewer.t("home.invitation_accept"),
            type="primary",
            key=f"accept.{invitation.id}",
            on_click=forms.submit,
            args=(INVITATIONS, viewer, partial(_answer, membership.accept, invitation.id, "home.invitation_accepted")),
        )
        decline_column.button(
            viewer.t("home.invitation_decline"),
            key=f"decline.{invitation.id}",
            on_click=forms.submit,
            args=(INVITATIONS, viewer, partial(_answer, membership.decline, invitation.id, "home.invitation_declined")),
        )
under_way = live.open_sessions(database, person)
# Every facilitator of the group runs its session, not only the one who started it: a co-facilitator
# who opens the app mid-session belongs on the console, not on the participants' follow page.
led = (
    {group.id for group, role in groups.visible_groups(database, person) if role is GroupRole.FACILITATOR}
    if under_way
    else set()
)
for session in under_way:
    st.info(
        viewer.t("home.session_under_way", group=escape_markdown(session.group_name)), icon=":material/play_circle:"
    )
    leads = session.group_id in led
    st.page_link(
        "pages/console.py" if leads else "pages/follow.py",
        label=viewer.t("nav.console" if leads else "nav.follow"),
        icon=":material/arrow_forward:",
    )

next_session = agenda.next_session
next_column, waiting_column = st.columns(2, gap="large")
with next_column:
    st.subheader(viewer.t("home.next_session"))
    if next_session:
        # Plain heading, not st.metric: a metric value is cut off on a phone instead of wrapping.
        st.markdown(f"### {format.moment(next_session.starts_at, viewer)}")
        st.text(f"{next_session.group_name} · {viewer.t('home.minutes', minutes=next_session.minutes)}")
    else:
        st.write(viewer.t("home.no_next_session"))

with waiting_column:
    st.subheader(viewer.t("home.waiting"))
    if agenda.waiting:
        for item in agenda.waiting:
            params = {key: escape_markdown(str(value)) for key, value in item.params.items()}
            message = viewer.t(item.key, group=escape_markdown(item.group_name), **params)
            st.warning(message, icon=":material/pending_actions:")
    else:
        st.write(viewer.t("home.nothing_waiting"))

title = "home.all_groups" if person.role is Role.COORDINATOR else "home.my_groups"
st.subheader(viewer.t(title))
if not agenda.groups:
    st.info(viewer.t("home.no_groups"))
    st.page_link("pages/join.py", label=viewer.t("nav.join"), icon=":material/login:")
else:
    st.dataframe(
        [
            {
                viewer.t("field.group"): overview.group.name,
                viewer.t("home.my_role"): viewer.t(f"group_role.{overview.role}") if overview.role else "",
                viewer.t("field.development_phase"): viewer.t(f"phase.{overview.group.contract.development_phase}"),
                viewer.t("home.members"): overview.members,
                viewer.t("home.next_session"): (
                    format.moment(overview.next_session.starts_at, viewer) if overview.next_session else "—"
                ),
                viewer.t("home.sessions_last_year"): (
                    "—" if overview.sessions_last_year is None else str(overview.sessions_last_year)
                ),
            }
            for overview in agenda.groups
        ],
        hide_index=True,
        width="stretch",
    )
