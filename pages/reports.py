"""Reports and action items: the session reports a facilitator shared with the group, and one's own open
action items. Where the mails about a shared report and an action item coming due link to: a mail never
carries the board or an action item's text, so they are read here."""

import streamlit as st

from intervision import shared_reports
from intervision.database import configured as configured_database
from intervision.reports import session_report_markdown, session_report_pdf
from ui import format, forms
from ui.guard import escape_markdown, guard

# The store this server was set up with (intervision/database.py), built once per process.
database = configured_database()

viewer = guard("reports")
person = viewer.signed_in


def _under_the_page_title(markdown: str) -> str:
    """The report's headings two levels down, so that they sit under this page's own title and sections.
    Typed text never starts a line with "#" in the report (reports.py escapes it): only headings do."""
    return "\n".join(f"##{line}" if line.startswith("#") else line for line in markdown.splitlines())


st.title(viewer.t("report_mail.title"))
st.caption(viewer.t("report_mail.intro"))
forms.notice(viewer)

st.subheader(viewer.t("report_mail.my_items"))
mine = shared_reports.my_action_items(database, person)
if not mine:
    st.caption(viewer.t("report_mail.no_items"))
for item in mine:
    with st.container(border=True):
        due = (
            viewer.t("report_mail.item_due", date=format.day(item.due_date, viewer))
            if item.due_date
            else viewer.t("report_mail.item_no_date")
        )
        st.caption(f"{escape_markdown(item.group_name)} · {due}")
        st.text(item.text)  # typed in the session: shown as typed

st.subheader(viewer.t("report_mail.reports"))
readable = shared_reports.readable_reports(database, person)
if not readable:
    st.caption(viewer.t("report_mail.no_reports"))
else:
    labels = {
        entry.session_id: viewer.t(
            "report_mail.report_label", group=entry.group_name, date=format.day(entry.held_on, viewer)
        )
        for entry in readable
    }
    # One report at a time, the latest first: its PDF is made only for the report that is open.
    chosen = st.selectbox(
        viewer.t("report_mail.reports"),
        list(labels),
        format_func=labels.get,
        key="reports.session",
        label_visibility="collapsed",  # the section's heading says it
    )
    entry = next(entry for entry in readable if entry.session_id == chosen)
    report = shared_reports.shared_report(database, person, entry.session_id, viewer.language)
    st.caption(viewer.t("report_mail.shared_on", date=format.moment(entry.shared_at, viewer)))
    st.download_button(
        viewer.t("report_mail.download_pdf"),
        session_report_pdf(report, viewer.language, format.local_zone()),
        file_name=f"session-{entry.session_id}.pdf",
        mime="application/pdf",
        icon=":material/download:",
    )
    with st.container(border=True):
        st.markdown(_under_the_page_title(session_report_markdown(report, viewer.language, format.local_zone())))
