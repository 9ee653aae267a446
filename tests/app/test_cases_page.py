"""Cases, as the people involved see them: bringing one in (hints under the fields, the draft kept as you
type), the group's queue and its votes, the facilitator choosing and recording, the follow-up, the
archive, withdrawing and deleting.

In the demo, Sofie Claes takes part in "Leidinggevenden Zorg" (facilitated by Jeroen Bakker), and so does
Fatima El Amrani, who facilitates "Wijkverpleging Noord".
"""

from __future__ import annotations

import re

import pytest
from driving import app, assert_healthy, click, message_under, open_page, query, texts, values

from intervision import accounts, cases, membership
from intervision.database import configured as configured_database
from intervision.methods import built_in_library
from intervision.models import CaseInput, DiscussionInput, FollowUpInput, GroupRole, Language

CASES = "pages/cases.py"
HOME = "pages/home.py"
LEIDING = "Leidinggevenden Zorg"
WIJK = "Wijkverpleging Noord"

BRING = "Bring the case in"
REQUIRED = "Please fill this in."
NOT_ANONYMISED = "Please confirm that the case is anonymised."
SUBMITTED = "Your case is in the queue of your group."
DRAFT_KEPT = re.compile(r"^Draft saved at \d{1,2}:\d{2}\.$")

TITLE = "Talking to Jan Jansen about the rota"
SITUATION = "A colleague called me on 06-12345678 at night and asked me to swap shifts again. I said nothing."
WHY_QUESTION = "Why do I never say no?"
OPEN_QUESTION = "How can I say no and stay a good colleague?"
TEXT_KEYS = ["case.title", "case.situation", "case.involved", "case.own_role", "case.evoked"]
TEXT_KEYS += ["case.learning_question", "case.tried"]


# --- helpers -------------------------------------------------------------------------------------


def _group_id(name: str) -> int:
    return query("SELECT id FROM groups WHERE name = ?", (name,))[0][0]


def _page(person, page: str = CASES, locale: str = "en-GB", english: bool = True):
    """A new browser session of `person` on the page; English unless told otherwise."""
    at = app(person, locale=locale)
    if english:
        at.session_state["language"] = "en"
    open_page(at, page)
    assert_healthy(at)
    return at


def _run(at):
    at.run()
    assert_healthy(at)
    return at


def _tab(at, label: str):
    found = [tab for tab in at.tabs if tab.label == label]
    assert len(found) == 1, [tab.label for tab in at.tabs]
    return found[0]


def _clean(text: str) -> str:
    """Text as a person reads it: without the backslashes that keep typed text from being Markdown."""
    return text.replace("\\", "")


def _hints_under(at, key: str) -> list[str]:
    """The hints (info and warning boxes) drawn right under the widget with this key (after its error, if any)."""
    nodes = list(at.main)
    index = next(i for i, node in enumerate(nodes) if getattr(node, "key", None) == key)
    hints = []
    for node in nodes[index + 1 :]:
        if node.type == "error":
            continue
        if node.type not in ("info", "warning"):
            break
        hints.append(_clean(node.value).strip())
    return hints


def _headings(block) -> list[str]:
    return [node.value.removeprefix("#### ") for node in block if node.type == "markdown" and "####" in node.value]


def _caption_of(block, title: str) -> str:
    """The caption right under a case's heading (who brought it, urgency, waiting, votes …)."""
    nodes = list(block)
    index = next(i for i, node in enumerate(nodes) if node.type == "markdown" and node.value == f"#### {title}")
    return _clean(next(node.value for node in nodes[index + 1 :] if node.type == "caption"))


def _chosen(block) -> list[str]:
    """The headings of the cases under the subheader "Chosen for a session"."""
    nodes = list(block)
    start = next((i for i, node in enumerate(nodes) if node.type == "subheader"), len(nodes))
    return _headings(nodes[start:])


def _keys(block, prefix: str) -> list[str]:
    return [node.key for node in block if (getattr(node, "key", None) or "").startswith(prefix)]


def _type_case(at, group_id: int, **fields: object) -> None:
    at.selectbox(key="case.group_id").set_value(group_id)
    for field, value in fields.items():
        at.get_by_key(f"case.{field}").set_value(value)
    _run(at)


def _complete_case(at, group_id: int, title: str) -> None:
    _type_case(
        at,
        group_id,
        title=title,
        situation="In the team meeting a colleague interrupted me three times. I stopped talking.",
        learning_question=OPEN_QUESTION,
        question_type="own_behaviour",
        urgency="high",
        anonymised=True,
    )


def _bring(author, group: str, title: str, **overrides: object) -> int:
    """A case brought in through the core, as if typed on another day."""
    form = {
        "group_id": _group_id(group),
        "title": title,
        "situation": "During the handover a colleague rolled her eyes when I spoke. I did not react.",
        "learning_question": "How can I respond when I feel dismissed?",
        "question_type": "own_behaviour",
        "urgency": "normal",
        "preferred_method": "incident",
        "anonymised": True,
    } | overrides
    return cases.submit_case(configured_database(), author, CaseInput(**form))


def _discussed(author, facilitator, group: str, title: str) -> int:
    case_id = _bring(author, group, title)
    cases.choose_case(configured_database(), facilitator, case_id)
    cases.record_discussion(
        configured_database(), facilitator, case_id, DiscussionInput(method_id="incident", chosen_advice="Ask first.")
    )
    return case_id


def _status(case_id: int) -> str | None:
    found = query("SELECT status FROM cases WHERE id = ?", (case_id,))
    return found[0][0] if found else None


def _method_name(method_id: str) -> str:
    return built_in_library().methods[method_id].name(Language.EN)


def _queue(person, group: str):
    at = _page(person)
    at.selectbox(key="queue_group").set_value(_group_id(group))
    return _run(at)


# --- bringing a case in --------------------------------------------------------------------------


def test_hints_appear_under_the_fields_they_are_about(people):
    at = _page(people.participant)
    _type_case(at, _group_id(LEIDING), title=TITLE, situation=SITUATION, learning_question=WHY_QUESTION)

    [name] = _hints_under(at, "case.title")
    assert name.startswith("This may be a person's name: “Jan Jansen”.")
    [phone] = _hints_under(at, "case.situation")
    assert phone == "This looks like a phone number: “06-12345678”. Leave it out."
    [why] = _hints_under(at, "case.learning_question")
    assert why.startswith("A “why” question")
    for quiet in ["case.involved", "case.own_role", "case.evoked", "case.tried"]:
        assert _hints_under(at, quiet) == [], quiet
    # Hints are hints, never errors.
    assert values(at.error) == []
    assert [caption for caption in values(at.caption) if DRAFT_KEPT.match(caption)]

    # Once the question is open and positive, its hint goes away; the others stay.
    at.text_input(key="case.learning_question").set_value(OPEN_QUESTION)
    _run(at)
    assert _hints_under(at, "case.learning_question") == []
    assert len(_hints_under(at, "case.situation")) == 1


def test_hints_on_the_story_the_question_and_what_identifies_someone_show_as_advice_and_as_warnings(people):
    at = _page(people.participant)
    _type_case(
        at,
        _group_id(LEIDING),
        situation="Years ago Mrs Patel complained about me to the board. Since then things have been better.",
        involved="Her son; her national number 85.07.30-033.28 was on the letter.",
        learning_question="How do I get my manager to take my workload seriously?",
    )

    outcome, long_ago, name = _hints_under(at, "case.situation")
    assert (
        outcome.startswith("It sounds as if you tell how it ended") and "Since then things have been better" in outcome
    )
    assert long_ago.startswith("This seems to have happened a while ago (“Years ago") and "recent moment" in long_ago
    assert name.startswith("This may be a person's name: “Mrs Patel”.")
    assert _hints_under(at, "case.involved") == [
        "This looks like a Belgian national register number: “national number 85.07.30-033.28”. Leave it out."
    ]
    [someone_else] = _hints_under(at, "case.learning_question")
    assert someone_else.startswith("This asks what someone else should do or change (“How do I get my manager to")
    # What identifies someone is a warning; advice on the case is a tip.
    warnings = [_clean(text) for text in values(at.warning)]
    tips = [_clean(text) for text in values(at.info)]
    assert [name, *_hints_under(at, "case.involved")] == [text.strip() for text in warnings]
    assert {outcome, long_ago, someone_else} <= {text.strip() for text in tips}


def test_the_draft_is_kept_for_the_next_visit(people):
    at = _page(people.participant)
    _type_case(at, _group_id(LEIDING), title=TITLE, situation=SITUATION, learning_question=WHY_QUESTION)

    later = _page(people.participant)  # another browser session, as after closing the tab

    assert later.text_input(key="case.title").value == TITLE
    assert later.text_area(key="case.situation").value == SITUATION
    assert later.text_input(key="case.learning_question").value == WHY_QUESTION
    assert later.selectbox(key="case.group_id").value == _group_id(LEIDING)
    assert len(_hints_under(later, "case.situation")) == 1
    # A draft is the writer's own: not in the group's queue, not under My cases.
    assert query("SELECT status FROM cases WHERE title = ?", (TITLE,)) == [("draft",)]
    queue = _queue(people.facilitator, LEIDING)
    assert TITLE not in texts(queue)
    assert TITLE not in _headings(_tab(later, "My cases"))


def test_empty_required_fields_are_named_and_what_was_typed_stays(people):
    at = _page(people.participant)
    _type_case(at, _group_id(LEIDING), evoked="Unease, and the urge to fix it fast.")
    click(at, BRING)
    assert_healthy(at)

    for key in ["case.title", "case.situation", "case.learning_question", "case.question_type"]:
        assert message_under(at, key) == REQUIRED, key
    assert message_under(at, "case.anonymised") == NOT_ANONYMISED
    for key in ["case.involved", "case.own_role", "case.evoked", "case.tried"]:
        assert message_under(at, key) is None, key
    assert at.text_area(key="case.evoked").value == "Unease, and the urge to fix it fast."
    assert SUBMITTED not in values(at.success)
    assert query("SELECT status FROM cases WHERE evoked LIKE 'Unease%'") == [("draft",)]


def test_without_the_anonymised_tick_the_case_is_not_brought_in(people):
    at = _page(people.participant)
    _complete_case(at, _group_id(LEIDING), "A colleague who interrupts me")
    at.checkbox(key="case.anonymised").uncheck()
    _run(at)
    click(at, BRING)
    assert_healthy(at)

    assert values(at.error) == [NOT_ANONYMISED]
    assert message_under(at, "case.anonymised") == NOT_ANONYMISED
    assert at.text_input(key="case.title").value == "A colleague who interrupts me"
    assert at.text_input(key="case.learning_question").value == OPEN_QUESTION
    assert SUBMITTED not in values(at.success)
    assert query("SELECT status FROM cases WHERE title = 'A colleague who interrupts me'") == [("draft",)]


@pytest.mark.date_sensitive
def test_a_complete_case_goes_to_the_queue_and_the_form_is_empty_again(people):
    title = "A colleague who interrupts me"
    at = _page(people.participant)
    _complete_case(at, _group_id(LEIDING), title)
    click(at, BRING)
    assert_healthy(at)

    assert values(at.success) == [SUBMITTED]
    assert values(at.error) == []
    for key in TEXT_KEYS:
        assert at.get_by_key(key).value == "", key
    assert at.selectbox(key="case.question_type").value is None
    assert at.checkbox(key="case.anonymised").value is False
    assert query("SELECT status FROM cases WHERE title = ?", (title,)) == [("submitted",)]

    queue = _queue(people.participant, LEIDING)
    assert title in _headings(_tab(queue, "Queue"))
    caption = _caption_of(_tab(queue, "Queue"), title)
    assert caption.startswith(f"by {people.participant.name} · Urgent · waiting 0 days · 0 votes"), caption
    assert "In the queue" in _caption_of(_tab(queue, "My cases"), title)
    # The draft became the case: the next visit starts with an empty form.
    assert _page(people.participant).text_input(key="case.title").value == ""


# --- the queue -------------------------------------------------------------------------------------


def test_a_member_votes_once(people):
    case_id = _bring(people.participant, LEIDING, "Rolling eyes at the handover")
    at = _queue(people.participant_facilitator, LEIDING)
    queue = _tab(at, "Queue")
    offered = _keys(queue, "vote.")
    assert f"vote.{case_id}" in offered and len(offered) > 1

    at.button(key=f"vote.{case_id}").click()
    _run(at)

    assert values(at.success) == ["Your vote is counted."]
    queue = _tab(at, "Queue")
    assert _headings(queue)[0] == "Rolling eyes at the handover"  # most votes first
    assert re.search(r"· 1 votes? ·", _caption_of(queue, "Rolling eyes at the handover"))
    assert "You voted for this case." in values(queue.caption)
    assert _keys(queue, "vote.") == [], "a second vote is not offered"
    # Nor in a new session.
    assert _keys(_tab(_queue(people.participant_facilitator, LEIDING), "Queue"), "vote.") == []


def test_a_member_sees_no_choose_button(people):
    _bring(people.participant, LEIDING, "Rolling eyes at the handover")
    at = _queue(people.participant, LEIDING)
    queue = _tab(at, "Queue")

    assert "Rolling eyes at the handover" in _headings(queue)
    assert _keys(queue, "vote.")
    assert _keys(queue, "choose.") == []
    assert "Choose for the next session" not in [button.label for button in at.button]


def test_who_facilitates_a_group_chooses_there_and_only_there(people):
    fatima = people.participant_facilitator
    _bring(people.participant, LEIDING, "Rolling eyes at the handover")

    assert _keys(_tab(_queue(fatima, WIJK), "Queue"), "choose.")
    assert _keys(_tab(_queue(fatima, LEIDING), "Queue"), "choose.") == []


def test_the_facilitator_chooses_the_case_and_records_it_as_discussed(people):
    title = "Rolling eyes at the handover"
    case_id = _bring(people.participant, LEIDING, title)
    at = _queue(people.facilitator, LEIDING)

    at.button(key=f"choose.{case_id}").click()
    _run(at)

    assert values(at.success) == ["The case is chosen for the next session."]
    queue = _tab(at, "Queue")
    assert "Chosen for a session" in values(queue.subheader)
    assert _headings(queue).count(title) == 1
    assert title in _chosen(queue), "listed under “Chosen for a session”, no longer among the waiting cases"
    assert f"choose.{case_id}" not in _keys(queue, "choose.")
    assert _caption_of(queue, title).startswith(f"by {people.participant.name} · for the session of ")
    # The form to record it starts with the method the case bringer preferred.
    assert at.selectbox(key=f"record.{case_id}.method_id").value == "incident"

    at.selectbox(key=f"record.{case_id}.method_id").set_value("six_hats")
    at.text_area(key=f"record.{case_id}.chosen_advice").set_value("Name the pattern at the start of a meeting.")
    click(at, "Record as discussed")
    assert_healthy(at)

    assert values(at.success) == ["The case is recorded as discussed."]
    assert title not in _headings(_tab(at, "Queue"))
    archive = _tab(at, "Archive")
    assert _headings(archive)[0] == title
    caption = _caption_of(archive, title)
    assert caption.startswith(f"by {people.participant.name} · discussed on ")
    assert caption.endswith(f"· {_method_name('six_hats')} · Discussed")
    assert "Name the pattern at the start of a meeting." in values(archive.text)
    assert _status(case_id) == "discussed"


def test_the_facilitator_puts_a_chosen_case_back_in_the_queue(people):
    title = "Rolling eyes at the handover"
    case_id = _bring(people.participant, LEIDING, title)
    cases.choose_case(configured_database(), people.facilitator, case_id)
    at = _queue(people.facilitator, LEIDING)

    at.button(key=f"put_back.{case_id}").click()
    _run(at)

    assert values(at.success) == ["The case is back in the queue."]
    queue = _tab(at, "Queue")
    assert "Chosen for a session" not in values(queue.subheader)
    assert title in _headings(queue) and title not in _chosen(queue)
    assert f"choose.{case_id}" in _keys(queue, "choose.")


def test_a_member_reads_the_chosen_case_but_does_not_record_it(people):
    title = "Rolling eyes at the handover"
    case_id = _bring(people.participant_facilitator, LEIDING, title)
    cases.choose_case(configured_database(), people.facilitator, case_id)
    queue = _tab(_queue(people.participant, LEIDING), "Queue")

    assert "Chosen for a session" in values(queue.subheader)
    assert title in _chosen(queue)
    assert not [node for node in queue if getattr(node, "key", None) == f"record.{case_id}"]
    assert "Record as discussed" not in [button.label for button in queue.button]
    assert _keys(queue, "put_back.") == []


# --- after the session: the follow-up --------------------------------------------------------------


def test_the_author_follows_up_and_the_archive_shows_it(people):
    title = "Rolling eyes at the handover"
    case_id = _discussed(people.participant, people.facilitator, LEIDING, title)
    waiting = f"Tell your group how it went with your case “{title}”."
    assert waiting in values(_page(people.participant, HOME).warning)

    at = _page(people.participant)
    mine = _tab(at, "My cases")
    assert "Discussed" in _caption_of(mine, title)
    assert f"follow_up.{case_id}.text" in _keys(mine, f"follow_up.{case_id}")
    assert f"mine_withdraw.{case_id}" not in _keys(mine, "mine_withdraw.")  # discussed: too late to withdraw

    at.button(key=f"FormSubmitter:follow_up.{case_id}-Save the follow-up").click()
    _run(at)
    assert message_under(at, f"follow_up.{case_id}.text") == REQUIRED

    at.text_area(key=f"follow_up.{case_id}.text").set_value("I asked how she was; she was worried about her mother.")
    at.button(key=f"FormSubmitter:follow_up.{case_id}-Save the follow-up").click()
    _run(at)

    assert values(at.success) == ["Thank you: your follow-up is saved with the case."]
    assert f"follow_up.{case_id}.text" not in _keys(_tab(at, "My cases"), f"follow_up.{case_id}")
    at.selectbox(key="archive_group").set_value(_group_id(LEIDING))
    _run(at)
    archive = _tab(at, "Archive")
    assert _caption_of(archive, title).endswith("· Followed up")
    assert "I asked how she was; she was worried about her mother." in values(archive.text)
    assert waiting not in values(_page(people.participant, HOME).warning)
    assert _status(case_id) == "followed_up"


# --- withdrawing and deleting ----------------------------------------------------------------------


@pytest.mark.parametrize(("tab", "key"), [("Queue", "withdraw"), ("My cases", "mine_withdraw")])
def test_the_author_withdraws_a_queued_case(people, tab, key):
    title = "Rolling eyes at the handover"
    case_id = _bring(people.participant, LEIDING, title)
    at = _queue(people.participant, LEIDING)
    assert title in _headings(_tab(at, tab))

    at.button(key=f"{key}.{case_id}").click()
    _run(at)

    assert values(at.success) == ["Your case was withdrawn."]
    assert title not in _headings(_tab(at, "Queue"))
    mine = _tab(at, "My cases")
    assert _caption_of(mine, title) == f"{LEIDING} · Withdrawn"
    assert f"mine_withdraw.{case_id}" not in _keys(mine, "mine_withdraw.")
    assert title not in texts(_queue(people.facilitator, LEIDING))
    assert _status(case_id) == "withdrawn"


def test_only_the_author_may_withdraw(people):
    case_id = _bring(people.participant, LEIDING, "Rolling eyes at the handover")
    queue = _tab(_queue(people.participant_facilitator, LEIDING), "Queue")
    assert f"withdraw.{case_id}" not in _keys(queue, "withdraw.")


def test_the_author_deletes_a_case_only_after_ticking_the_confirmation(people):
    title = "Rolling eyes at the handover"
    case_id = _bring(people.participant, LEIDING, title)
    at = _page(people.participant)
    delete = at.button(key=f"delete.{case_id}")
    assert delete.label == "Delete"
    assert delete.disabled, "deleting needs the tick first"
    assert _status(case_id) == "submitted"

    at.checkbox(key=f"confirm_delete_case.{case_id}").check()
    _run(at)
    assert at.checkbox(key=f"confirm_delete_case.{case_id}").label == "Yes, delete this case for good"
    assert not at.button(key=f"delete.{case_id}").disabled
    at.button(key=f"delete.{case_id}").click()
    _run(at)

    assert values(at.success) == ["Your case was deleted."]
    assert title not in texts(at)
    assert _status(case_id) is None
    # The log says that a case went, never what it was about.
    logged = query("SELECT subject, detail FROM audit_log WHERE action = 'case_deleted'")
    assert logged == [(f"case {case_id}", str(_group_id(LEIDING)))]


def test_a_withdrawn_case_gives_its_voters_their_vote_back(people):
    withdrawn = _bring(people.participant, LEIDING, "Rolling eyes at the handover")
    waiting = _bring(people.participant, LEIDING, "A colleague who interrupts me")
    at = _queue(people.participant_facilitator, LEIDING)
    at.button(key=f"vote.{withdrawn}").click()
    _run(at)
    assert values(at.success) == ["Your vote is counted."]

    cases.withdraw_case(configured_database(), people.participant, withdrawn)
    queue = _tab(_queue(people.participant_facilitator, LEIDING), "Queue")

    assert "Rolling eyes at the handover" not in _headings(queue)
    assert "You voted for this case." not in values(queue.caption)
    assert f"vote.{waiting}" in _keys(queue, "vote."), "the vote is free again"


def test_a_title_is_shown_as_typed_never_as_a_link(people):
    title = "[Sign in again](https://phish.example) *now*"
    _discussed(people.participant, people.facilitator, LEIDING, title)
    unescaped = re.compile(r"(?<!\\)\]\(|(?<!\\)\*now")
    shown = {
        "home": values(_page(people.participant, HOME).warning),
        "my cases": values(_tab(_page(people.participant), "My cases").markdown),
        "archive": values(_tab(_queue(people.facilitator, LEIDING), "Archive").markdown),
    }

    for where, texts_ in shown.items():
        found = [text for text in texts_ if "phish.example" in text]
        assert found, where
        assert not [text for text in found if unescaped.search(text)], (where, found)


# --- in Dutch ----------------------------------------------------------------------------------------


def test_a_dutch_participant_brings_a_case_in_dutch(people):
    at = _page(people.participant, locale="nl-NL", english=False)

    assert [tab.label for tab in at.tabs] == ["Een casus inbrengen", "Wachtrij", "Mijn casussen", "Archief"]
    assert values(at.title) == ["Casussen"]
    _type_case(
        at,
        _group_id(LEIDING),
        title="Een collega die steeds belt",
        situation="Ze belde me 's avonds op 06-12345678 en vroeg of ik weer wilde ruilen.",
        learning_question="Waarom zeg ik nooit nee?",
    )

    assert _hints_under(at, "case.situation") == ["Dit lijkt een telefoonnummer: ‘06-12345678’. Laat het weg."]
    [why] = _hints_under(at, "case.learning_question")
    assert why.startswith("Een waarom-vraag")
    assert [caption for caption in values(at.caption) if re.match(r"^Concept bewaard om \d{1,2}:\d{2}\.$", caption)]


def test_a_dutch_participant_sees_the_new_hints_in_dutch(people):
    at = _page(people.participant, locale="nl-NL", english=False)
    _type_case(
        at,
        _group_id(LEIDING),
        situation="Vorig jaar stond dhr. Özdemir boos aan de balie. Inmiddels gaat het goed met hem.",
        involved="Het gezin woont in 9100 Sint-Niklaas.",
        learning_question="Hoe voorkom ik dat ik weer uitval tegen een ouder?",
    )

    outcome, long_ago, name = _hints_under(at, "case.situation")
    assert outcome.startswith("Het lijkt alsof je vertelt hoe het afliep (‘…") and "Inmiddels" in outcome
    assert long_ago.startswith("Dit lijkt al een tijd geleden (‘Vorig jaar")
    assert name.startswith("Dit is misschien een naam: ‘dhr. Özdemir’.")
    assert _hints_under(at, "case.involved") == ["Dit lijkt een postcode: ‘9100 Sint-Niklaas’. Laat het weg."]
    [negative] = _hints_under(at, "case.learning_question")
    assert negative.startswith("Je vraag zegt wat je wilt vermijden (‘Hoe voorkom ik")
    assert "wél wilt" in negative


# --- bugs found ------------------------------------------------------------------------------------


def test_the_emptied_form_is_not_kept_as_a_new_draft(people):
    at = _page(people.participant)
    assert at.selectbox(key="case.group_id").value != _group_id(LEIDING), "the first group is another one"
    _complete_case(at, _group_id(LEIDING), "A colleague who interrupts me")
    click(at, BRING)
    assert_healthy(at)

    assert values(at.success) == [SUBMITTED]
    assert not [caption for caption in values(at.caption) if DRAFT_KEPT.match(caption)], values(at.caption)
    assert query("SELECT count(*) FROM cases WHERE status = 'draft'") == [(0,)]


def test_one_vote_reads_as_one_vote(people):
    case_id = _bring(people.participant, LEIDING, "Rolling eyes at the handover")
    cases.vote(configured_database(), people.participant_facilitator, case_id)
    caption = _caption_of(_tab(_queue(people.participant, LEIDING), "Queue"), "Rolling eyes at the handover")

    assert "· 1 vote ·" in caption, caption


def test_the_archive_labels_a_follow_up_neutrally(people):
    case_id = _discussed(people.participant, people.facilitator, LEIDING, "Rolling eyes at the handover")
    cases.follow_up(configured_database(), people.participant, case_id, FollowUpInput(text="I asked."))
    archive = _tab(_queue(people.facilitator, LEIDING), "Archive")

    assert "I asked." in values(archive.text)
    assert "**What did you do, and what happened?**" not in values(archive.markdown)


def test_a_hint_quotes_whole_words(people):
    at = _page(people.participant)
    _type_case(at, _group_id(LEIDING), situation="She said it was fine. In the end it was resolved by the manager.")

    [outcome] = _hints_under(at, "case.situation")
    quoted = re.search(r"\(“(.*)”\)", outcome).group(1).strip("…")
    situation = "She said it was fine. In the end it was resolved by the manager."
    start = situation.index(quoted)
    end = start + len(quoted)
    assert start == 0 or situation[start - 1] == " ", quoted
    assert end == len(situation) or not situation[end].isalnum(), quoted


def test_a_new_member_finds_no_case_discussed_before_they_joined_in_the_archive(people):
    """Kim Bos accepts an invitation to Leidinggevenden Zorg today: its rich archive is not hers to read."""
    kim = accounts.person_by_email(configured_database(), "kim.bos@demo.example")
    gid = _group_id(LEIDING)
    membership.accept(
        configured_database(),
        kim,
        membership.invite(configured_database(), people.facilitator, gid, kim.id, GroupRole.MEMBER),
    )
    old_hand = _page(people.participant)
    old_hand.selectbox(key="archive_group").set_value(gid)
    old_hand.selectbox(key="queue_group").set_value(gid)
    assert _headings(_tab(_run(old_hand), "Archive")), "Sofie, there from the start, reads the archive"

    at = _page(kim)
    at.selectbox(key="archive_group").set_value(gid)
    at.selectbox(key="queue_group").set_value(gid)
    archive = _tab(_run(at), "Archive")

    assert _headings(archive) == []
    assert "No discussed cases to show yet." in values(archive.caption)
    assert any(
        text.startswith("You see the cases this group discussed since you joined it on")
        for text in values(archive.caption)
    )
    # The queue is hers: she will be in the room when those cases are discussed.
    waiting = _headings(_tab(at, "Queue"))
    assert waiting and waiting == _headings(_tab(old_hand, "Queue"))
