"""After the session: the report to download, the evaluation, who corrected the course, and the
facilitator's observation log in two charts."""

from __future__ import annotations

from datetime import datetime
from functools import partial

import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from intervision import live, observation_log, shared_reports
from intervision.charts import LEVEL_COLOURS, session_time_axis
from intervision.i18n import chart_date_format
from intervision.mail.settings import mail_configured
from intervision.methods import Level
from intervision.models import LiveSession
from intervision.overview_charts import CORRECTION_COLOURS
from intervision.reports import session_report_markdown, session_report_pdf
from ui import format, forms
from ui.board import closed_board_history
from ui.console.shared import Console, rating_line


def balance_panel(console: Console, session_id: int, group_id: int) -> None:
    """Who corrected the course in this session, and over the group's sessions: the group learning to run
    itself shows as a growing share of corrections it made without the facilitator."""
    database, viewer, person = console.database, console.viewer, console.person
    st.subheader(viewer.t("live.balance_title"))
    here, over_time = st.columns(2)
    balance = live.session_balance(database, person, session_id)
    with here:
        st.markdown(f"**{viewer.t('live.balance_session')}**")
        if not balance.corrections:
            st.caption(viewer.t("live.balance_none"))
        else:
            # A plain table headed with the buttons' own short words: a data frame of three columns lost its
            # level column at 1280 and 390 pixels, the counts behind a sideways scroll.
            rows = [
                f"| {viewer.t(f'level.{level}')} | {balance.interventions[level]} | {balance.self_corrections[level]} |"
                for level in Level
            ]
            st.markdown(
                "\n".join(
                    [
                        f"| {viewer.t('live.level_column')} | {viewer.t('live.intervene')} | "
                        f"{viewer.t('live.self_correct')} |",
                        "| :-- | --: | --: |",
                        *rows,
                    ]
                )
            )
            st.write(viewer.t("live.balance_share", share=f"{balance.self_share or 0:.0%}"))
    sessions = live.group_balance(database, person, group_id)
    with over_time:
        st.markdown(f"**{viewer.t('live.balance_group')}**")
        counted = [entry for entry in sessions if entry.balance.corrections]
        if not counted:
            st.caption(viewer.t("live.balance_too_few"))
            return
        days = [entry.started_at.astimezone(format.local_zone()) for entry in counted]
        figure = go.Figure()
        for key, label, counts in (
            ("intervened", "observation_kind.intervention", [e.balance.total_interventions for e in counted]),
            ("self_corrected", "observation_kind.self_correction", [e.balance.total_self_corrections for e in counted]),
        ):
            figure.add_trace(go.Bar(x=days, y=counts, name=viewer.t(label), marker_color=CORRECTION_COLOURS[key]))
        figure.update_layout(
            barmode="group", font={"size": 16}, height=320, legend={"orientation": "h", "y": -0.25}, xaxis_title=""
        )
        figure.update_xaxes(tickformat=chart_date_format(viewer.language))
        figure.update_yaxes(dtick=1)
        st.plotly_chart(figure, width="stretch", config={"displayModeBar": False})
        intervened = sum(entry.balance.total_interventions for entry in counted)
        corrected = sum(entry.balance.total_self_corrections for entry in counted)
        st.write(
            viewer.t(
                "live.balance_group_counts",
                sessions=viewer.t("common.sessions", count=len(counted)),
                intervened=viewer.t("common.times", count=intervened),
                self_corrected=viewer.t("common.times", count=corrected),
            )
        )
        balances = [entry.balance for entry in sessions]
        trend = observation_log.share_trend(balances)
        if trend is None:
            st.caption(viewer.t("live.balance_too_few"))
        else:
            early, recent = observation_log.early_share(balances) or 0.0, observation_log.recent_share(balances) or 0.0
            st.write(
                viewer.t(
                    f"live.balance_{observation_log.trend_direction(trend)}",
                    early=f"{early:.0%}",
                    recent=f"{recent:.0%}",
                )
            )


def _local_clock(moment: datetime) -> datetime:
    """A stored moment as the facilitator's wall clock shows it (a chart axis has no time zones)."""
    return moment.astimezone(format.local_zone()).replace(tzinfo=None)


SHARE = "share_report"


def _share(console: Console, session_id: int) -> str:
    shared_reports.share_with_group(console.database, console.person, session_id)
    return "report_mail.sent_notice"


def share_panel(console: Console, session: LiveSession) -> None:
    """Send the report to the group: the facilitator's choice, once. The mail says only that it is ready; the
    group reads it in the app, without the observation log."""
    viewer = console.viewer
    st.markdown(f"**{viewer.t('report_mail.send_title')}**")
    sent = shared_reports.shared_at(console.database, console.person, session.id)
    if sent is not None:
        st.caption(viewer.t("report_mail.sent_on", date=format.moment(sent, viewer)))
    else:
        st.caption(
            viewer.t("report_mail.send_explained" if mail_configured() else "report_mail.send_explained_no_mail")
        )
        st.button(
            viewer.t("report_mail.send"),
            key=f"{SHARE}.{session.id}",
            icon=":material/send:",
            on_click=forms.submit,
            args=(SHARE, viewer, partial(_share, console, session.id)),
        )
        forms.form_error(SHARE)
    if not mail_configured():
        # Nobody gets the mail: the facilitator has to tell the group where the report is.
        st.caption(viewer.t("report_mail.no_mail_server"))


def report_panel(console: Console, session: LiveSession) -> None:
    """The closed session's report, evaluation, balance and observation log."""
    database, viewer, person = console.database, console.viewer, console.person
    session_id, group_id = session.id, session.group_id
    st.subheader(viewer.t("live.report"))
    include = st.toggle(viewer.t("live.include_observations"), value=False)
    report = live.session_report(database, person, session_id, viewer.language, include_observations=include)
    markdown = session_report_markdown(report, viewer.language, format.local_zone())
    markdown_button, pdf_button = st.columns(2)
    markdown_button.download_button(
        viewer.t("live.download_markdown"), markdown, file_name=f"session-{session_id}.md", mime="text/markdown"
    )
    pdf_button.download_button(
        viewer.t("live.download_pdf"),
        session_report_pdf(report, viewer.language, format.local_zone()),
        file_name=f"session-{session_id}.pdf",
        mime="application/pdf",
    )
    share_panel(console, session)
    closed_board_history(database, viewer, session_id)
    st.subheader(viewer.t("live.evaluation"))
    rating_line(console, session_id)
    balance_panel(console, session_id, group_id)
    logged = live.observations(database, person, session_id)
    st.subheader(viewer.t("live.observations_title"))
    if not logged:
        st.caption("—")
        return
    levels = [viewer.t(f"level.{observation.level}") for observation in logged]
    colours = {viewer.t(f"level.{level}"): colour for level, colour in LEVEL_COLOURS.items()}
    by_level, along = st.columns(2)
    with by_level:
        st.markdown(f"**{viewer.t('live.by_level')}**")
        counts = {level: levels.count(level) for level in colours}
        figure = px.bar(x=list(counts), y=list(counts.values()), color=list(counts), color_discrete_map=colours)
        figure.update_layout(showlegend=False, xaxis_title="", yaxis_title="", font={"size": 16}, height=320)
        figure.update_yaxes(dtick=1)
        st.plotly_chart(figure, width="stretch", config={"displayModeBar": False})
    with along:
        st.markdown(f"**{viewer.t('live.along_time')}**")
        times = [_local_clock(observation.at) for observation in logged]
        figure = px.scatter(x=times, y=levels, color=levels, color_discrete_map=colours)
        figure.update_traces(marker={"size": 16})
        start = min(_local_clock(session.started_at), *times)
        end = max(_local_clock(session.closed_at) if session.closed_at else start, *times)
        figure.update_xaxes(**session_time_axis(start, end))
        figure.update_layout(showlegend=False, xaxis_title="", yaxis_title="", font={"size": 16}, height=320)
        st.plotly_chart(figure, width="stretch", config={"displayModeBar": False})
