"""The session report, sent to the group when the facilitator chooses to (the console's report screen), and
read by the group on "Reports and action items"; never by a coordinator outside the group, never with the
facilitator's observation log.

In the demo, Jeroen Bakker facilitates "Leidinggevenden Zorg"; Sofie Claes takes part in it. The demo's
coordinator is in no group.
"""

from __future__ import annotations

from datetime import date, timedelta

from driving import assert_healthy, button, open_as, query, texts, values

from intervision import i18n, live, shared_reports, surveys
from intervision.database import configured as configured_database
from intervision.models import ActionItemInput, BoardItemInput, Language, ObservationDetailsInput, StartSessionInput
from ui import format

REPORTS = "pages/reports.py"
CONSOLE = "pages/console.py"
LEIDING = "Leidinggevenden Zorg"
BOARD = "Inzicht dat alleen de groep kent"
NOTE = "Notitie die alleen de begeleider kent"
ACTION = "Sofie spreekt haar teamleider aan"
SEND = "Send the report to the group"


def _group_id(name: str = LEIDING) -> int:
    return query("SELECT id FROM groups WHERE name = ?", (name,))[0][0]


def _closed_session(people) -> int:
    """A session of Leidinggevenden Zorg, closed, with an insight on the board, a confirmed action item of
    Sofie's and a note in the facilitator's log."""
    database, lead = configured_database(), people.facilitator
    form = StartSessionInput(group_id=_group_id(), spot_case_title="Een casus ter plekke", method_id="incident")
    session_id = live.start_session(database, lead, form)

    def revision() -> int:
        return live.console_view(database, lead, session_id).session.revision

    live.begin_phases(database, lead, session_id, revision())
    live.move(database, lead, session_id, revision(), steps=99)  # past the last phase: the closing round
    live.send_to_board(database, lead, session_id, BoardItemInput(kind="insight", text=BOARD))
    noted = live.observe(database, lead, session_id, "interaction")
    live.describe_observation(
        database,
        lead,
        session_id,
        noted,
        ObservationDetailsInput(category="interrupting", concerns="member", note=NOTE),
    )
    item = ActionItemInput(text=ACTION, owner_id=people.participant.id, due_date=date(2099, 1, 31))
    live.confirm_action_item(database, lead, session_id, live.add_action_item(database, lead, session_id, item), True)
    live.close_session(database, lead, session_id, revision())
    return session_id


def _run(at):
    at.run()
    assert_healthy(at)
    return at


def test_the_facilitator_sends_the_report_to_the_group_once_from_the_report_screen(people):
    session_id = _closed_session(people)
    at = open_as(people.facilitator, CONSOLE)
    [earlier] = [b for b in at.button if b.key == f"report.{session_id}"]
    earlier.click()
    _run(at)
    assert "Report" in values(at.subheader)
    assert query("SELECT count(*) FROM outbox WHERE kind = 'session_report'") == [(0,)], "not before choosing"
    assert "No mail server is set up" in texts(at), "the facilitator is told to let the group know"

    button(at, SEND).click()
    _run(at)

    assert "The report is shared with the group." in values(at.success)
    assert SEND not in [b.label for b in at.button], "sent once: no second button"
    assert any(caption.startswith("You sent the report to the group on") for caption in values(at.caption))
    members = query(
        "SELECT count(*) FROM memberships WHERE group_id = ? AND person_id != ?", (_group_id(), people.facilitator.id)
    )
    assert query("SELECT count(*) FROM outbox WHERE kind = 'session_report'") == members
    [(body,)] = query("SELECT group_concat(body, ' ') FROM outbox WHERE kind = 'session_report'")
    assert BOARD not in body and NOTE not in body and ACTION not in body


def test_a_member_reads_the_shared_report_without_the_observation_log_and_finds_their_action_item(people):
    session_id = _closed_session(people)
    shared_reports.share_with_group(configured_database(), people.facilitator, session_id)
    at = open_as(people.participant, REPORTS)
    shown = texts(at)
    assert BOARD in shown and NOTE not in shown
    assert "Who corrected the course" not in shown, "nor the counts drawn from the log"
    assert ACTION in values(at.text), "her own action item, as typed"
    assert [b.label for b in at.get("download_button")] == ["Download as PDF"]
    chooser = at.selectbox(key="reports.session")
    assert chooser.value == session_id and LEIDING in chooser.format_func(session_id)


def test_a_report_not_sent_stays_with_the_facilitator(people):
    _closed_session(people)
    at = open_as(people.participant, REPORTS)
    assert BOARD not in texts(at)
    assert any(caption.startswith("No session report has been shared with you yet.") for caption in values(at.caption))


def test_a_coordinator_outside_the_group_cannot_read_the_shared_report(people):
    session_id = _closed_session(people)
    shared_reports.share_with_group(configured_database(), people.facilitator, session_id)
    at = open_as(people.coordinator, REPORTS)
    shown = texts(at)
    assert BOARD not in shown and ACTION not in shown and NOTE not in shown
    assert any(caption.startswith("No session report has been shared with you yet.") for caption in values(at.caption))
    assert at.get("download_button") == []


def test_the_page_speaks_dutch(people):
    session_id = _closed_session(people)
    shared_reports.share_with_group(configured_database(), people.facilitator, session_id)
    at = open_as(people.participant, REPORTS, "nl")
    assert values(at.title) == ["Verslagen en actiepunten"]
    assert {"Mijn actiepunten", "Verslagen van bijeenkomsten"} <= set(values(at.subheader))
    assert [b.label for b in at.get("download_button")] == ["Download als PDF"]


def test_the_facilitator_chooses_the_last_day_a_survey_is_open_and_the_members_are_mailed(people):
    group_id = _group_id()
    for (open_wave,) in query("SELECT id FROM survey_waves WHERE group_id = ? AND closed_at IS NULL", (group_id,)):
        surveys.close_wave(configured_database(), people.facilitator, open_wave)
    at = open_as(people.facilitator, "pages/surveys.py")
    last_day = format.local_now().date() + timedelta(days=10)
    assert at.date_input(key="open_wave.closes_on").value == format.local_now().date() + timedelta(days=14)
    assert "No mail server is set up: the members are not mailed" in texts(at), "told to let the members know"
    at.selectbox(key="open_wave.instrument_id").set_value("psychological_safety")
    at.selectbox(key="open_wave.moment").set_value("start")
    at.date_input(key="open_wave.closes_on").set_value(last_day)
    [opener] = [b for b in at.button if getattr(b, "form_id", None) == "open_wave"]
    opener.click()
    _run(at)
    assert "The survey is open. Members see it on their home screen." in values(at.success)
    assert f"open until {i18n.day(last_day, Language.EN)}" in texts(at)
    members = query("SELECT count(*) FROM memberships WHERE group_id = ? AND group_role = 'member'", (group_id,))
    assert query("SELECT count(*) FROM outbox WHERE kind = 'survey_opened'") == members
