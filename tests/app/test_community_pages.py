"""Learning and community on screen: the coordinator's community tab in the overview, and the Observing page where
a facilitator invites a second observer, who notes what they see and keeps the debrief note with them."""

from __future__ import annotations

from datetime import timedelta

from driving import app, assert_healthy, click, open_as, open_page, query, texts

from intervision import clock, community, overview
from intervision.database import configured as configured_database
from intervision.overview import Period

OVERVIEW = "pages/overview.py"
OBSERVER = "pages/observer.py"
TAB = "Learning and community"
ASPECTS = ["Safety", "Trust", "Shared responsibility", "Conversation skills"]
LEARNING = ["Sessions", "Cases followed up", "Action items done", "Self-efficacy"]
NOTE = "Ben listened well; summarising is the next step"


def _tab(at, label: str):
    (found,) = [tab for tab in at.tabs if tab.label == label]
    return found


def test_the_overview_shows_each_groups_community_profile_beside_its_learning_results(people):
    at = app(people.coordinator)
    at.session_state["language"] = "en"
    open_page(at, OVERVIEW)
    assert_healthy(at)
    tab = _tab(at, TAB)
    table = tab.dataframe[0].value
    assert list(table.columns) == ["Group", *ASPECTS, *LEARNING]
    today = clock.today()
    comparison = overview.compare_groups(
        configured_database(), people.coordinator, Period(today - timedelta(days=364), today), today=today
    )
    profiles = community.community_profiles(configured_database(), people.coordinator, comparison, today)
    assert sorted(table["Group"]) == sorted(profile.name for profile in profiles)
    shown = texts(at)
    assert "How this is computed" in shown and "Safety in our group" in shown
    # Every score shown is a percentage or says why there is none: never a made-up number.
    for aspect in ASPECTS:
        for cell in table[aspect]:
            assert cell.rstrip(" ▼*").endswith("%") or cell.rstrip(" ▼") in {"too little data", "not shared"}, cell
    # A weak group gets its suggestions, with the facilitator's focus and the methods that suit it.
    for profile in profiles:
        for suggestion in community.suggestions(profile):
            assert suggestion.focus.en in shown
    if not any(community.suggestions(profile) for profile in profiles):
        assert "No group is weak" in shown


def test_the_community_tab_speaks_dutch(people):
    at = open_as(people.coordinator, OVERVIEW, "nl")
    tab = _tab(at, "Leren en community")
    assert list(tab.dataframe[0].value.columns[1:5]) == [
        "Veiligheid",
        "Vertrouwen",
        "Gedeelde verantwoordelijkheid",
        "Gespreksvaardigheden",
    ]
    assert "Hoe dit berekend wordt" in texts(at)


def _open_session_of(person) -> int:
    rows = query("SELECT id FROM live_sessions WHERE facilitator_id = ? ORDER BY started_at DESC", (person.id,))
    assert rows, "the demo facilitator has run sessions"
    return rows[0][0]


def test_a_facilitator_invites_a_second_observer_and_only_the_two_share_the_debrief(people):
    lead = people.facilitator
    session_id = _open_session_of(lead)
    observer = people.participant

    at = open_as(lead, OBSERVER)
    at.selectbox(key="_second_own_session").set_value(session_id).run()
    at.selectbox(key=f"_second_choose.person_{session_id}").set_value(observer.id).run()
    click(at, "Invite")
    assert_healthy(at)
    assert "The second observer is invited: they find the session under Observing." in [s.value for s in at.success]
    assert f"Second observer: **{observer.name}**" in texts(at)

    seen = open_as(observer, OBSERVER)
    assert seen.selectbox(key="_second_observed_session").value == session_id
    status = query("SELECT status FROM live_sessions WHERE id = ?", (session_id,))[0][0]
    if status != "closed":
        seen.selectbox(key=f"_second_category_{session_id}_interaction").set_value("open_question").run()
        seen.button(key=f"_second_note_{session_id}_interaction").click().run()
        assert_healthy(seen)
        assert "An open question" in texts(seen)
    seen.text_area(key=f"_debrief_{session_id}.text").set_value(NOTE)
    click(seen, "Save note")
    assert_healthy(seen)
    assert "The debrief note is saved." in [s.value for s in seen.success]

    again = open_as(lead, OBSERVER)
    again.selectbox(key="_second_own_session").set_value(session_id).run()
    assert again.text_area(key=f"_debrief_{session_id}.text").value == NOTE
    assert f"Last saved by {observer.name}" in texts(again)

    # Neither the coordinator nor a member of the group reads it anywhere on this page.
    for outsider in (people.coordinator, people.participant_facilitator):
        shown = texts(open_as(outsider, OBSERVER))
        assert NOTE not in shown


def test_a_removed_observer_no_longer_finds_the_session(people):
    lead = people.facilitator
    session_id = _open_session_of(lead)
    community.choose_observer(configured_database(), lead, session_id, people.participant.id)
    at = open_as(lead, OBSERVER)
    at.selectbox(key="_second_own_session").set_value(session_id).run()
    click(at, "Remove")
    assert_healthy(at)
    shown = open_as(people.participant, OBSERVER)
    assert "nobody has invited you to observe" in texts(shown) or (
        session_id not in (shown.selectbox(key="_second_observed_session").options or [])
    )
