"""The mail screens' parts: a person's choice of mails (profile) and the outbox (coordinators, People → Mail)."""

from __future__ import annotations

import streamlit as st

from intervision.database import Database
from intervision.mail import choices
from intervision.mail.choices import OutboxLine
from intervision.mail.models import CHOOSABLE, MailKind, MailStatus, failure_reason
from intervision.mail.settings import smtp_settings
from intervision.models import Person
from ui import format, forms
from ui.guard import Viewer

MAIL_CHOICES = "mail_choices"
OUTBOX = "outbox"


def mail_choices_form(database: Database, viewer: Viewer, person: Person) -> None:
    """A box per kind of mail, ticked while the person gets it."""
    chosen = choices.mail_choices(database, person)
    forms.prefill(MAIL_CHOICES, {kind.value: wanted for kind, wanted in chosen.items()})

    def save() -> str:
        wanted = {kind: bool(forms.value(MAIL_CHOICES, kind.value)) for kind in CHOOSABLE}
        choices.choose_mails(database, person, wanted)
        return "mail_choices.saved"

    with st.form(MAIL_CHOICES):
        st.subheader(viewer.t("mail_choices.title"))
        st.caption(viewer.t("mail_choices.intro"))
        for kind in CHOOSABLE:
            st.checkbox(viewer.t(f"mail.kind.{kind.value}"), key=forms.key(MAIL_CHOICES, kind.value))
            if kind is MailKind.SESSION_INVITATION:
                # Off means off: a session already in the calendar is then neither moved nor cancelled there.
                st.caption(viewer.t("mail_choices.session_invitation_off"))
        if smtp_settings() is None:
            st.caption(viewer.t("mail_choices.no_server"))
        forms.form_error(MAIL_CHOICES)
        st.form_submit_button(viewer.t("mail_choices.save"), on_click=forms.submit, args=(MAIL_CHOICES, viewer, save))


def _status(viewer: Viewer, status: MailStatus) -> str:
    return viewer.t(f"mail.status.{status.value}")


def _reason(viewer: Viewer, line: OutboxLine) -> str:
    """Why the last attempt failed, in the reader's language; empty once sent, and for "not sent" (says why)."""
    if not line.error or line.status in (MailStatus.SENT, MailStatus.NOT_SENT):
        return ""
    return viewer.t(f"outbox.reason_{failure_reason(line.error)}")


def outbox_panel(database: Database, viewer: Viewer, coordinator: Person) -> None:
    """What was mailed in the last 30 days, failures first; a failed mail can be sent again."""
    overview = choices.outbox_overview(database, coordinator)
    st.caption(viewer.t("outbox.intro"))
    settings = smtp_settings()
    if settings is None:
        st.info(viewer.t("outbox.no_server"), icon=":material/mail_off:")
    else:
        st.caption(viewer.t("outbox.server", host=settings.host))
    if not overview.lines:
        st.write(viewer.t("outbox.empty"))
        return
    st.write(
        " · ".join(
            f"{_status(viewer, status)}: {viewer.t('outbox.count', count=overview.counts[status])}"
            for status in MailStatus
            if overview.counts.get(status)
        )
    )
    # A data frame, not a Markdown table: an address or an error is shown as it is, never as Markdown. The
    # recipient first: on a phone the first column is what shows.
    st.dataframe(
        [
            {
                viewer.t("outbox.to"): line.to_address or viewer.t("outbox.hidden"),
                viewer.t("outbox.status"): _status(viewer, line.status),
                viewer.t("outbox.reason"): _reason(viewer, line),
                viewer.t("outbox.kind"): viewer.t(f"outbox.kind_{line.kind.value}"),
                viewer.t("outbox.queued_at"): format.moment(line.queued_at, viewer),
                viewer.t("outbox.attempts"): line.attempts,
                # For whoever runs the server: its own answer, as it gave it.
                viewer.t("outbox.answer"): "" if line.status is MailStatus.NOT_SENT else line.error,
            }
            for line in overview.lines
        ],
        hide_index=True,
        width="stretch",
    )
    failed = [line for line in overview.lines if line.may_send_again]
    if not failed:
        return

    def send_again() -> str:
        choices.send_again(database, coordinator, forms.value(OUTBOX, "mail_id"))
        return "outbox.sent_again"

    with st.form(OUTBOX):
        st.selectbox(
            viewer.t("outbox.send_again"),
            [line.id for line in failed],
            format_func=lambda mail_id: next(
                f"{viewer.t(f'mail.kind.{line.kind.value}')} → {line.to_address or '—'}"
                f" ({format.moment(line.queued_at, viewer)})"
                for line in failed
                if line.id == mail_id
            ),
            key=forms.key(OUTBOX, "mail_id"),
        )
        forms.form_error(OUTBOX)
        st.form_submit_button(viewer.t("outbox.send_again"), on_click=forms.submit, args=(OUTBOX, viewer, send_again))
