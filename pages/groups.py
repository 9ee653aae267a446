"""Groups: create a group, edit its contract, invite facilitators and members, plan sessions."""

from datetime import datetime, time
from functools import partial

import streamlit as st

from intervision import clock, groups, membership, method_library, overview, session_calendar
from intervision.database import configured as configured_database
from intervision.errors import DomainError
from intervision.mail.settings import mail_configured
from intervision.models import (
    DevelopmentPhase,
    Group,
    GroupInput,
    GroupRole,
    Language,
    Meeting,
    MeetingInput,
    Person,
    ReportItem,
    Role,
    SessionChangeInput,
)
from intervision.permissions import Action, allows
from ui import format, forms
from ui.browser import app_origin
from ui.guard import Viewer, escape_markdown, guard
from ui.programmes import programme_line

# The store this server was set up with (intervision/database.py), built once per process.
database = configured_database()

viewer = guard("groups")
person = viewer.signed_in
NEW = 0  # the selector's entry for a new group
CONTRACT_FIELDS = [
    "meets_every_weeks",
    "session_minutes",
    "confidentiality",
    "attendance_rule",
    "reported_to_organisation",
    "start_date",
    "development_phase",
]


def _group_input(form: str) -> GroupInput:
    return GroupInput(
        name=forms.value(form, "name") or "",
        description=forms.value(form, "description") or "",
        label=forms.value(form, "label") or "",
        language=forms.value(form, "language") or Language.NL,
        contract={field: forms.value(form, f"contract.{field}") for field in CONTRACT_FIELDS},
    )


def _defaults(group: Group | None, viewer: Viewer) -> dict[str, object]:
    if group is None:
        contract = {
            "meets_every_weeks": 6,
            "session_minutes": 105,
            "confidentiality": viewer.t("groups.default_confidentiality"),
            "attendance_rule": viewer.t("groups.default_attendance_rule"),
            "reported_to_organisation": [ReportItem.ATTENDANCE],
            "start_date": clock.today(),
            "development_phase": DevelopmentPhase.FORMING,
        }
        blank = {"name": "", "description": "", "label": "", "language": viewer.language}
        return blank | {f"contract.{k}": v for k, v in contract.items()}
    values = group.contract.model_dump()
    chosen = {"name": group.name, "description": group.description, "label": group.label, "language": group.language}
    return chosen | {f"contract.{field}": values[field] for field in CONTRACT_FIELDS}


def _create(form: str) -> str:
    group_id = groups.create_group(database, person, _group_input(form))
    forms.forget(form, list(_defaults(None, viewer)))
    st.session_state["group_choice"] = group_id
    return "groups.created"


def _update(form: str, group_id: int) -> str:
    groups.update_group(database, person, group_id, _group_input(form))
    return "groups.saved"


def group_form(group: Group | None) -> None:
    """The group's name, description and contract, to create or edit."""
    form = f"group.{group.id if group else 'new'}"
    forms.prefill(form, _defaults(group, viewer))
    with st.form(form):
        forms.text_inputs(form, viewer, [("name", "field.group_name", "default"), ("label", "field.label", "default")])
        st.text_area(viewer.t("field.description"), key=forms.key(form, "description"), height=80)
        forms.field_error(form, "description")
        st.selectbox(
            viewer.t("field.group_language"),
            list(Language),
            format_func=lambda language: viewer.t(f"language.{language}"),
            key=forms.key(form, "language"),
            help=viewer.t("groups.language_hint"),
        )
        st.markdown(f"**{viewer.t('groups.contract')}**")
        every, minutes, phase = st.columns(3)
        with every:
            st.number_input(
                viewer.t("field.meets_every_weeks"), step=1, key=forms.key(form, "contract.meets_every_weeks")
            )
            forms.field_error(form, "contract.meets_every_weeks")
        with minutes:
            st.number_input(viewer.t("field.session_minutes"), step=15, key=forms.key(form, "contract.session_minutes"))
            forms.field_error(form, "contract.session_minutes")
        with phase:
            st.selectbox(
                viewer.t("field.development_phase"),
                list(DevelopmentPhase),
                format_func=lambda value: viewer.t(f"phase.{value}"),
                key=forms.key(form, "contract.development_phase"),
            )
        st.date_input(
            viewer.t("field.start_date"),
            key=forms.key(form, "contract.start_date"),
            format=format.date_input_format(viewer),
        )
        forms.field_error(form, "contract.start_date")
        st.text_area(viewer.t("field.confidentiality"), key=forms.key(form, "contract.confidentiality"))
        forms.field_error(form, "contract.confidentiality")
        st.text_area(viewer.t("field.attendance_rule"), key=forms.key(form, "contract.attendance_rule"), height=80)
        forms.field_error(form, "contract.attendance_rule")
        st.multiselect(
            viewer.t("field.reported_to_organisation"),
            list(ReportItem),
            format_func=lambda item: viewer.t(f"report.{item}"),
            placeholder=viewer.t("common.choose"),
            key=forms.key(form, "contract.reported_to_organisation"),
        )
        st.caption(viewer.t("groups.reported_hint"))
        forms.form_error(form)
        action = partial(_update, form, group.id) if group else partial(_create, form)
        st.form_submit_button(
            viewer.t("common.save") if group else viewer.t("groups.create"),
            type="primary",
            on_click=forms.submit,
            args=(form, viewer, action),
        )


def show_contract(group: Group) -> None:
    contract = group.contract
    if group.description:
        st.text(group.description)
    facts = {
        viewer.t("field.label"): group.label or "—",
        viewer.t("field.meets_every_weeks"): contract.meets_every_weeks,
        viewer.t("field.session_minutes"): contract.session_minutes,
        viewer.t("field.start_date"): format.day(contract.start_date, viewer),
        viewer.t("field.development_phase"): viewer.t(f"phase.{contract.development_phase}"),
        viewer.t("field.reported_to_organisation"): ", ".join(
            viewer.t(f"report.{item}") for item in contract.reported_to_organisation
        ),
    }
    # st.table reads its cells as Markdown: what people typed is escaped to show as typed.
    st.table({viewer.t("groups.agreement"): list(facts), "": [escape_markdown(str(value)) for value in facts.values()]})
    st.markdown(f"**{viewer.t('field.confidentiality')}**")
    st.text(contract.confidentiality)
    if contract.attendance_rule:
        st.markdown(f"**{viewer.t('field.attendance_rule')}**")
        st.text(contract.attendance_rule)


def _invite(form: str, group_id: int) -> str | None:
    person_id = forms.value(form, "person_id")
    # A browser may still send the choice it showed before the list changed (the person was just invited).
    if not isinstance(person_id, int):
        raise DomainError("choose_person_to_invite", field="person_id")
    membership.invite(database, person, group_id, person_id, GroupRole(forms.value(form, "group_role")))
    # The person invited leaves the list of candidates: start the choice afresh.
    forms.forget(form, ["person_id"])
    return "groups.invited"


def _withdraw(invitation_id: int) -> str:
    membership.withdraw(database, person, invitation_id)
    return "groups.withdrawn"


def _remove_member(group_id: int, person_id: int) -> str:
    groups.remove_member(database, person, group_id, person_id)
    return "groups.member_removed"


def _role_label(role: GroupRole) -> str:
    return viewer.t(f"group_role.{role}").lower()


def show_history(group: Group) -> None:
    """Who joined and left when: the group's own business, so only for its facilitators and members."""
    st.markdown(f"**{viewer.t('groups.history')}**")
    st.caption(viewer.t("groups.history_hint"))
    st.dataframe(
        [
            {
                viewer.t("groups.history_when"): format.moment(event.at, viewer),
                viewer.t("groups.history_who"): event.name,
                viewer.t("groups.history_what"): viewer.t(
                    f"groups.change_{event.change}", role=_role_label(event.group_role)
                ),
            }
            for event in membership.history(database, person, group.id)
        ],
        hide_index=True,
        width="stretch",
    )


def show_members(group: Group, my_role: GroupRole | None) -> None:
    manages = allows(Action.MANAGE_MEMBERS, person.role, my_role)
    assigns = allows(Action.ASSIGN_FACILITATORS, person.role, my_role)
    forms.form_error("members")
    for member in groups.members(database, person, group.id):
        name_column, role_column, action_column = st.columns([4, 3, 2], vertical_alignment="center")
        name_column.text(member.name)
        role = viewer.t(f"group_role.{member.group_role}")
        if my_role and member.joined_at:
            joined = format.day(member.joined_at.astimezone(format.local_zone()), viewer)
            role = f"{role} · {viewer.t('groups.joined_on', day=joined)}"
        role_column.text(role)
        may_remove = assigns if member.group_role is GroupRole.FACILITATOR else manages
        if may_remove and member.person_id != person.id:
            action_column.button(
                viewer.t("groups.remove"),
                key=f"remove.{group.id}.{member.person_id}",
                on_click=forms.submit,
                args=("members", viewer, partial(_remove_member, group.id, member.person_id)),
            )
    if manages:
        show_invitations(group, assigns)
    if allows(Action.VIEW_MEMBERSHIP_HISTORY, person.role, my_role):
        show_history(group)


# Everyone in the organisation not yet in the group: 1,600 people on a large organisation, read and shown
# again on every click of the page. Made again after any process's write (the change signal in the key), or
# after a minute: an invitation that expired meanwhile may keep someone off the list for that minute.
@st.cache_resource(ttl=60, max_entries=32, show_spinner=False)
def invitable(_viewer: Person, viewer_id: int, group_id: int, version: tuple) -> dict[int, str]:
    """Whom the viewer may invite to the group, by person id, as the picker names them."""
    return {
        candidate.id: f"{candidate.name} ({candidate.email})"
        for candidate in groups.candidates_to_invite(database, _viewer, group_id)
    }


def show_invitations(group: Group, assigns: bool) -> None:
    """Nobody is added by someone else: they are invited, and join when they accept."""
    waiting = membership.open_invitations_to(database, person, group.id)
    if waiting:
        st.markdown(f"**{viewer.t('groups.invitations_open')}**")
    for invitation in waiting:
        name_column, role_column, action_column = st.columns([4, 3, 2], vertical_alignment="center")
        name_column.text(invitation.person_name)
        role_column.text(viewer.t(f"group_role.{invitation.group_role}"))
        if assigns or invitation.group_role is GroupRole.MEMBER:
            action_column.button(
                viewer.t("groups.withdraw"),
                key=f"withdraw.{group.id}.{invitation.id}",
                on_click=forms.submit,
                args=("members", viewer, partial(_withdraw, invitation.id)),
            )
    candidates = invitable(person, person.id, group.id, overview.data_version(database))
    form = f"invite.{group.id}"
    with st.form(form):
        st.markdown(f"**{viewer.t('groups.invite_member')}**")
        st.caption(viewer.t("groups.invite_hint"))
        st.selectbox(
            viewer.t("field.person"),
            list(candidates),
            index=None,
            placeholder=viewer.t("people.choose_person"),
            format_func=candidates.get,
            key=forms.key(form, "person_id"),
        )
        forms.field_error(form, "person_id")
        roles = [GroupRole.MEMBER, GroupRole.FACILITATOR] if assigns else [GroupRole.MEMBER]
        st.selectbox(
            viewer.t("field.group_role"),
            roles,
            format_func=lambda role: viewer.t(f"group_role.{role}"),
            key=forms.key(form, "group_role"),
        )
        forms.form_error(form)
        st.form_submit_button(
            viewer.t("groups.invite"),
            on_click=forms.submit,
            args=(form, viewer, partial(_invite, form, group.id)),
        )
    st.page_link("pages/invitations.py", label=viewer.t("groups.invite_newcomers"), icon=":material/mail:")


def _plan(form: str, group_id: int) -> str:
    day, at = forms.value(form, "day"), forms.value(form, "time")
    starts_at = datetime.combine(day, at, tzinfo=format.local_zone()) if day and at else None
    groups.plan_session(
        database,
        person,
        MeetingInput(
            group_id=group_id,
            starts_at=starts_at,
            minutes=forms.value(form, "minutes"),
            method_id=forms.value(form, "method_id"),
        ),
    )
    return "groups.session_planned"


def show_sessions(group: Group, my_role: GroupRole | None) -> None:
    upcoming = groups.next_sessions(database, [group.id]).get(group.id)
    st.markdown(f"**{viewer.t('home.next_session')}**")
    st.write(format.moment(upcoming.starts_at, viewer) if upcoming else viewer.t("home.no_next_session"))
    if allows(Action.PLAN_SESSIONS, person.role, my_role):
        form = f"plan.{group.id}"
        forms.prefill(form, {"day": None, "time": time(14, 0), "minutes": group.contract.session_minutes})
        with st.form(form):
            st.markdown(f"**{viewer.t('groups.plan_session')}**")
            day_column, time_column, minutes_column = st.columns(3)
            with day_column:
                st.date_input(
                    viewer.t("field.day"), key=forms.key(form, "day"), format=format.date_input_format(viewer)
                )
            with time_column:
                st.time_input(viewer.t("field.time"), key=forms.key(form, "time"), step=900)
            with minutes_column:
                st.number_input(viewer.t("field.session_minutes"), step=15, key=forms.key(form, "minutes"))
            methods = {entry.method.id: entry.method for entry in method_library.available_methods(database, person)}
            st.selectbox(
                viewer.t("field.method"),
                list(methods),
                index=None,
                format_func=lambda method_id: (
                    f"{methods[method_id].name(viewer.language)} · "
                    f"{format.minutes(methods[method_id].total_minutes, viewer)}′"
                ),
                placeholder=viewer.t("groups.method_later"),
                key=forms.key(form, "method_id"),
            )
            forms.field_error(form, "starts_at")
            forms.field_error(form, "minutes")
            forms.field_error(form, "method_id")
            forms.form_error(form)
            st.form_submit_button(
                viewer.t("groups.plan"),
                on_click=forms.submit,
                args=(form, viewer, partial(_plan, form, group.id)),
            )
        if mail_configured():
            st.caption(viewer.t("calendar.planned_mailed"))
        else:  # the calendar address is shown to the group's own people only (show_calendar_feed)
            sees_feed = allows(Action.TAKE_PART, person.role, my_role)
            st.caption(viewer.t("calendar.no_mail_server" if sees_feed else "calendar.no_mail_server_outside"))
    show_planned(group, my_role)
    show_calendar_feed(group, my_role)
    held = groups.sessions_held(database, person, group.id)
    if held is None:
        st.caption(viewer.t("groups.sessions_held_not_reported"))
        return
    method_names = {
        entry.method.id: entry.method.name(viewer.language)
        for entry in method_library.available_methods(database, person)
    }
    st.markdown(f"**{viewer.t('groups.sessions_held', count=len(held))}**")
    st.dataframe(
        [
            {
                viewer.t("field.day"): format.moment(meeting.starts_at, viewer),
                viewer.t("field.session_minutes"): meeting.minutes,
                viewer.t("field.method"): method_names.get(meeting.method_id, meeting.method_id or "—"),
            }
            for meeting in held
        ],
        hide_index=True,
        width="stretch",
    )


# Which planned session has its change form or its cancel question open: (meeting id, "change" or "cancel").
OPEN_SESSION = "_calendar_session_open"
# Shown by the planned sessions (show_planned), where they were planned, moved or cancelled: not at the top.
SESSION_NOTICES = ("calendar.", "groups.session_planned")


def _open_session(meeting_id: int, what: str) -> None:
    st.session_state[OPEN_SESSION] = (meeting_id, what)


def _close_session() -> None:
    st.session_state.pop(OPEN_SESSION, None)


def _reschedule(form: str, meeting_id: int) -> str | None:
    day, at = forms.value(form, "day"), forms.value(form, "time")
    starts_at = datetime.combine(day, at, tzinfo=format.local_zone()) if day and at else None
    change = groups.reschedule_session(
        database, person, meeting_id, SessionChangeInput(starts_at=starts_at, minutes=forms.value(form, "minutes"))
    )
    _close_session()
    if change is None:
        return None  # saved as it was: nothing to tell
    return f"calendar.{change}" if mail_configured() else f"calendar.{change}_no_mail"


def _cancel(meeting_id: int) -> str:
    groups.cancel_session(database, person, meeting_id)
    _close_session()
    return "calendar.cancelled" if mail_configured() else "calendar.cancelled_no_mail"


def change_form(meeting: Meeting, when: str) -> None:
    """The session's new day, time and length; what was typed stays when it is refused."""
    form = f"change.{meeting.id}"
    local = meeting.starts_at.astimezone(format.local_zone())
    forms.prefill(form, {"day": local.date(), "time": local.time().replace(tzinfo=None), "minutes": meeting.minutes})
    with st.form(form):
        st.markdown(f"**{viewer.t('calendar.change_title', when=when)}**")
        day_column, time_column, minutes_column = st.columns(3)
        with day_column:
            st.date_input(viewer.t("field.day"), key=forms.key(form, "day"), format=format.date_input_format(viewer))
        with time_column:
            st.time_input(viewer.t("field.time"), key=forms.key(form, "time"), step=900)
        with minutes_column:
            st.number_input(viewer.t("field.session_minutes"), step=15, key=forms.key(form, "minutes"))
        forms.field_error(form, "starts_at")
        forms.field_error(form, "minutes")
        forms.form_error(form)
        save_column, keep_column = st.columns(2)
        save_column.form_submit_button(
            viewer.t("calendar.save_change"),
            type="primary",
            on_click=forms.submit,
            args=(form, viewer, partial(_reschedule, form, meeting.id)),
        )
        keep_column.form_submit_button(viewer.t("calendar.keep"), on_click=_close_session)


def cancel_question(meeting: Meeting, when: str) -> None:
    question = "calendar.cancel_question" if mail_configured() else "calendar.cancel_question_no_mail"
    st.warning(viewer.t(question, when=when), icon=":material/event_busy:")
    confirm_column, keep_column = st.columns(2)
    confirm_column.button(
        viewer.t("calendar.cancel_confirm"),
        key=f"cancel_confirm.{meeting.id}",
        type="primary",
        on_click=forms.submit,
        args=("sessions", viewer, partial(_cancel, meeting.id)),
    )
    keep_column.button(viewer.t("calendar.keep"), key=f"cancel_keep.{meeting.id}", on_click=_close_session)


def show_planned(group: Group, my_role: GroupRole | None) -> None:
    """The sessions still to come; whoever plans them may move or cancel each (a cancel asks first)."""
    planned = groups.planned_sessions(database, person, group.id)
    plans = allows(Action.PLAN_SESSIONS, person.role, my_role)
    st.markdown(f"**{viewer.t('calendar.planned_title')}**")
    forms.notice(viewer, about=SESSION_NOTICES)  # by the list it is about, not at the top of a long page
    if not planned:
        st.caption(viewer.t("calendar.none_planned"))
        return
    forms.form_error("sessions")
    opened = st.session_state.get(OPEN_SESSION)
    for meeting in planned:
        when = format.moment(meeting.starts_at, viewer)
        when_column, length_column, change_column, cancel_column = st.columns([4, 2, 2, 2], vertical_alignment="center")
        when_column.text(when)
        length_column.text(viewer.t("calendar.minutes", count=meeting.minutes))
        if not plans:
            continue
        change_column.button(
            viewer.t("calendar.change"),
            key=f"change_open.{meeting.id}",
            on_click=_open_session,
            args=(meeting.id, "change"),
        )
        cancel_column.button(
            viewer.t("calendar.cancel"),
            key=f"cancel_open.{meeting.id}",
            on_click=_open_session,
            args=(meeting.id, "cancel"),
        )
        if opened == (meeting.id, "change"):
            change_form(meeting, when)
        elif opened == (meeting.id, "cancel"):
            cancel_question(meeting, when)


def _renew_feed(group_id: int, sees_it: bool) -> str:
    session_calendar.renew_feed(database, person, group_id)
    return "calendar.renewed" if sees_it else "calendar.renewed_elsewhere"


def show_calendar_feed(group: Group, my_role: GroupRole | None) -> None:
    """The group's calendar address, for its members and facilitators only: a coordinator outside the group
    never sees it (it is a key that keeps working for whoever holds it), but may renew it."""
    sees_it = allows(Action.TAKE_PART, person.role, my_role)
    renews = allows(Action.PLAN_SESSIONS, person.role, my_role)
    if not sees_it and not renews:
        return
    st.markdown(f"**{viewer.t('calendar.feed_title')}**")
    if sees_it:
        st.caption(viewer.t("calendar.feed_explain"))
        address = session_calendar.group_feed_address(database, person, group.id, origin=app_origin() or None)
        st.code(address, language=None, wrap_lines=True)
    if renews:
        forms.form_error("calendar_feed")
        with st.expander(viewer.t("calendar.renew")):
            st.caption(viewer.t("calendar.renew_explain"))
            confirmed = st.checkbox(viewer.t("calendar.renew_confirm"), key=f"renew_confirm.{group.id}")
            st.button(
                viewer.t("calendar.renew"),
                key=f"renew.{group.id}",
                disabled=not confirmed,
                on_click=forms.submit,
                args=("calendar_feed", viewer, partial(_renew_feed, group.id, sees_it)),
            )


def _delete(group_id: int) -> str:
    groups.delete_group(database, person, group_id)
    st.session_state.pop("group_choice", None)
    return "groups.deleted"


st.title(viewer.t("nav.groups"))
forms.notice(viewer, not_about=SESSION_NOTICES)
visible = dict((group.id, (group, role)) for group, role in groups.visible_groups(database, person))
may_create = allows(Action.CREATE_GROUP, person.role)
choices = [*visible, *([NEW] if may_create else [])]
if not choices:
    st.info(viewer.t("home.no_groups"))
    st.page_link("pages/join.py", label=viewer.t("nav.join"), icon=":material/login:")
    st.stop()
if st.session_state.get("group_choice") not in choices:
    st.session_state["group_choice"] = choices[0]
chosen = st.selectbox(
    viewer.t("field.group"),
    choices,
    format_func=lambda group_id: viewer.t("groups.new") if group_id == NEW else visible[group_id][0].name,
    key="group_choice",
)
if chosen == NEW:
    st.subheader(viewer.t("groups.new"))
    group_form(None)
    st.stop()

group, my_role = visible[chosen]
if my_role:
    st.caption(viewer.t("groups.your_role", role=viewer.t(f"group_role.{my_role}")))
programme_line(database, viewer, person, group.id)  # for everyone who may open the group
# The tabs keep their state, so that after inviting or withdrawing the person stays on Members.
contract_tab, members_tab, sessions_tab = st.tabs(
    [viewer.t("groups.contract"), viewer.t("groups.members"), viewer.t("groups.sessions")],
    key=f"group_tabs.{group.id}",
    on_change="rerun",
)
with contract_tab:
    if allows(Action.EDIT_CONTRACT, person.role, my_role):
        group_form(group)
    else:
        show_contract(group)
    if allows(Action.DELETE_GROUP, person.role, my_role):
        with st.expander(viewer.t("groups.delete_title")):
            st.warning(viewer.t("groups.delete_warning"))
            confirmed = st.checkbox(
                viewer.t("groups.delete_confirm", group=escape_markdown(group.name)),
                key=f"confirm_delete.{group.id}",
            )
            st.button(
                viewer.t("groups.delete"),
                disabled=not confirmed,
                on_click=forms.submit,
                args=("delete", viewer, partial(_delete, group.id)),
            )
with members_tab:
    show_members(group, my_role)
with sessions_tab:
    show_sessions(group, my_role)
if person.role is Role.COORDINATOR and my_role is None:
    st.caption(viewer.t("groups.coordinator_view"))
