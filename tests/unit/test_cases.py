"""The life of a case: drafted, submitted, queued and voted on, chosen, discussed, followed up, erased.

Every test works on a group of its own (Team North: one facilitator, three members) in a fresh database,
and moves time with `now=`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError
from unit_support import NOW, audit_actions, count_rows

from intervision import agenda, cases, db, demo, groups, store
from intervision.agenda import Waiting
from intervision.errors import DomainError, NotAllowed
from intervision.models import (
    CASE_TEXT_FIELDS,
    CaseInput,
    CaseStatus,
    DiscussionInput,
    FollowUpInput,
    MeetingInput,
    Person,
    QuestionType,
    RetentionInput,
    Role,
    Urgency,
    Want,
)

NEXT = NOW + timedelta(days=7)
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Team:
    path: Path
    coordinator: Person
    lead: Person
    anna: Person
    ben: Person
    chris: Person
    group_id: int


@pytest.fixture
def team(path, coordinator, make_person, make_group) -> Team:
    lead = make_person("Fenna Facilitator", Role.FACILITATOR)
    anna, ben, chris = (make_person(name) for name in ("Anna Member", "Ben Member", "Chris Member"))
    group_id = make_group("Team North", facilitators=(lead,), members=(anna, ben, chris))
    return Team(path, coordinator, lead, anna, ben, chris, group_id)


def _form(group_id: int, **changes) -> CaseInput:
    return CaseInput(
        **{
            "group_id": group_id,
            "title": "Een ouder die elke week mailt",
            "situation": "Een ouder mailt wekelijks lange berichten en zet de directie in de cc. Bij het laatste "
            "gesprek zei hij dat ik zijn kind niet begrijp. Ik wist niet wat ik moest zeggen.",
            "involved": "een ouder, de directie, ikzelf",
            "own_role": "Ik ben de leerkracht.",
            "evoked": "Onzekerheid.",
            "learning_question": "Hoe kan ik grenzen stellen en toch in contact blijven?",
            "question_type": QuestionType.OWN_BEHAVIOUR,
            "wants": [Want.ADVICE],
            "tried": "Ik heb kort teruggemaild.",
            "anonymised": True,
        }
        | changes
    )


def _submit(team: Team, person: Person, now=NOW, **changes) -> int:
    return cases.submit_case(team.path, person, _form(team.group_id, **changes), now=now)


def _plan(team: Team, starts_at=NEXT, now=NOW) -> int:
    form = MeetingInput(group_id=team.group_id, starts_at=starts_at, minutes=90)
    return groups.plan_session(team.path, team.lead, form, now=now)


def _case(team: Team, case_id: int):
    with db.reading(team.path) as conn:
        return store.case(conn, case_id)


def _discuss(team: Team, case_id: int, now=NOW, method_id="incident", advice="Eerst luisteren.") -> None:
    cases.choose_case(team.path, team.lead, case_id, now=now)
    form = DiscussionInput(method_id=method_id, chosen_advice=advice)
    cases.record_discussion(team.path, team.lead, case_id, form, now=now)


def _queued_ids(team: Team, viewer: Person | None = None, now=NOW) -> list[int]:
    return [queued.case.id for queued in cases.queue(team.path, viewer or team.lead, team.group_id, now=now).cases]


def _refused_key(call) -> str:
    with pytest.raises(DomainError) as refused:
        call()
    return refused.value.key


# --- bringing a case in ------------------------------------------------------------------------


def test_a_draft_is_kept_as_typed_and_comes_back(team):
    first = cases.save_draft(team.path, team.anna, team.group_id, {"title": "Een ouder"}, now=NOW)
    again = cases.save_draft(
        team.path, team.anna, team.group_id, {"title": "Een ouder die mailt", "situation": "Elke week"}, now=NOW
    )

    kept = cases.draft(team.path, team.anna)
    assert first == again == kept.id
    assert (kept.status, kept.title, kept.situation) == (CaseStatus.DRAFT, "Een ouder die mailt", "Elke week")
    assert count_rows(team.path, "cases") == 1
    # A draft is nobody's business yet: not in the queue, not among the submitted cases.
    assert _queued_ids(team) == []
    assert cases.my_cases(team.path, team.anna) == []


def test_submitting_turns_the_draft_into_the_case(team):
    draft_id = cases.save_draft(team.path, team.anna, team.group_id, {"title": "Half af"}, now=NOW - DAY)

    case_id = _submit(team, team.anna, now=NOW)

    assert case_id == draft_id
    assert count_rows(team.path, "cases") == 1
    case = _case(team, case_id)
    assert (case.status, case.title, case.submitted_at) == (CaseStatus.SUBMITTED, "Een ouder die elke week mailt", NOW)
    assert (case.question_type, case.wants, case.urgency) == (QuestionType.OWN_BEHAVIOUR, [Want.ADVICE], Urgency.NORMAL)
    assert cases.draft(team.path, team.anna) is None
    assert [mine.id for mine in cases.my_cases(team.path, team.anna)] == [case_id]
    assert _queued_ids(team) == [case_id]


def test_a_case_can_be_submitted_without_a_draft(team):
    case_id = _submit(team, team.anna)
    assert count_rows(team.path, "cases") == 1
    assert _case(team, case_id).status is CaseStatus.SUBMITTED


def test_bringing_a_case_to_a_group_one_is_not_in_is_refused_and_writes_nothing(team, make_group):
    other = make_group("Team South")
    cases.save_draft(team.path, team.anna, team.group_id, {"title": "Mijn casus"}, now=NOW)
    before = count_rows(team.path, "cases")

    with pytest.raises(NotAllowed):
        cases.submit_case(team.path, team.anna, _form(other), now=NOW)
    with pytest.raises(NotAllowed):
        cases.save_draft(team.path, team.anna, other, {"title": "Elders"}, now=NOW)
    with pytest.raises(NotAllowed):  # a coordinator outside the group brings no case to it either
        cases.submit_case(team.path, team.coordinator, _form(team.group_id), now=NOW)

    assert count_rows(team.path, "cases") == before
    kept = cases.draft(team.path, team.anna)
    assert (kept.group_id, kept.title, kept.status) == (team.group_id, "Mijn casus", CaseStatus.DRAFT)


@pytest.mark.parametrize(
    ("changes", "field", "error"),
    [
        ({"title": ""}, "title", "required"),
        ({"title": "   "}, "title", "required"),
        ({"situation": ""}, "situation", "required"),
        ({"learning_question": " "}, "learning_question", "required"),
        ({"title": "x" * 121}, "title", "string_too_long"),
        ({"situation": "x" * 3001}, "situation", "string_too_long"),
        ({"learning_question": "x" * 501}, "learning_question", "string_too_long"),
        ({"anonymised": False}, "anonymised", "not_anonymised"),
        ({"question_type": None}, "question_type", "missing"),
    ],
)
def test_case_input_names_what_is_wrong_with_each_field(changes, field, error):
    values = {
        "group_id": 1,
        "title": "Een titel",
        "situation": "Wat er gebeurde.",
        "learning_question": "Hoe kan ik dit aanpakken?",
        "question_type": QuestionType.DECISION,
        "anonymised": True,
    } | changes
    values = {key: value for key, value in values.items() if value is not None}

    with pytest.raises(ValidationError) as refused:
        CaseInput(**values)

    assert [(problem["loc"], problem["type"]) for problem in refused.value.errors()] == [((field,), error)]


def test_case_input_takes_texts_up_to_their_limits():
    form = _form(1, title="x" * 120, situation="y" * 3000, learning_question="z" * 500)
    assert (len(form.title), len(form.situation), len(form.learning_question)) == (120, 3000, 500)


# --- the queue ---------------------------------------------------------------------------------


def test_the_queue_puts_votes_first_then_urgency_then_waiting_time(team):
    _plan(team)
    long_waiting = _submit(team, team.anna, now=NOW - 10 * DAY, title="Lang wachtend")
    urgent = _submit(team, team.ben, now=NOW - DAY, urgency=Urgency.HIGH, title="Dringend")
    short_waiting = _submit(team, team.chris, now=NOW - 3 * DAY, title="Kort wachtend")
    low = _submit(team, team.lead, now=NOW - 30 * DAY, urgency=Urgency.LOW, title="Niet dringend")

    assert _queued_ids(team) == [urgent, long_waiting, short_waiting, low]

    cases.vote(team.path, team.anna, low, now=NOW)
    cases.vote(team.path, team.ben, short_waiting, now=NOW)
    cases.vote(team.path, team.chris, short_waiting, now=NOW)

    queue = cases.queue(team.path, team.lead, team.group_id, now=NOW)
    assert [(q.case.id, q.votes, q.waited_days) for q in queue.cases] == [
        (short_waiting, 2, 3),
        (low, 1, 30),
        (urgent, 0, 1),
        (long_waiting, 0, 10),
    ]


def test_who_had_a_turn_recently_waits_behind_who_did_not(team):
    earlier = _submit(team, team.anna, now=NOW - 30 * DAY, title="Eerdere casus")
    _discuss(team, earlier, now=NOW - 20 * DAY)
    annas = _submit(team, team.anna, now=NOW - 2 * DAY, title="Anna weer")
    bens = _submit(team, team.ben, now=NOW - 2 * DAY, title="Ben voor het eerst")

    queue = cases.queue(team.path, team.anna, team.group_id, now=NOW)

    assert [(q.case.id, q.bringer_last_discussed) for q in queue.cases] == [
        (bens, None),
        (annas, NOW - 20 * DAY),
    ]


def test_of_two_cases_from_the_same_day_the_earlier_one_comes_first(team):
    morning = _submit(team, team.anna, now=NOW - 2 * DAY - timedelta(hours=6), title="Ochtend")
    afternoon = _submit(team, team.ben, now=NOW - 2 * DAY, title="Middag")

    assert _queued_ids(team) == [morning, afternoon]


# --- votes -------------------------------------------------------------------------------------


def test_each_member_votes_once_per_round(team):
    _plan(team)
    first = _submit(team, team.anna, title="Eerste")
    second = _submit(team, team.ben, title="Tweede")

    cases.vote(team.path, team.chris, first, now=NOW)
    assert _refused_key(lambda: cases.vote(team.path, team.chris, first, now=NOW)) == "already_voted"
    assert _refused_key(lambda: cases.vote(team.path, team.chris, second, now=NOW)) == "already_voted"

    assert count_rows(team.path, "case_votes") == 1
    queue = cases.queue(team.path, team.chris, team.group_id, now=NOW)
    assert queue.my_vote == first
    assert {q.case.id: q.votes for q in queue.cases} == {first: 1, second: 0}
    assert cases.queue(team.path, team.anna, team.group_id, now=NOW).my_vote is None


def test_votes_start_afresh_when_the_next_session_changes(team):
    first_session = _plan(team, starts_at=NEXT)
    second_session = _plan(team, starts_at=NEXT + 42 * DAY)
    case_id = _submit(team, team.anna)
    cases.vote(team.path, team.ben, case_id, now=NOW)

    before = cases.queue(team.path, team.ben, team.group_id, now=NOW)
    after_first = NEXT + timedelta(hours=2)
    after = cases.queue(team.path, team.ben, team.group_id, now=after_first)

    assert (before.next_session_id, before.my_vote, before.cases[0].votes) == (first_session, case_id, 1)
    assert (after.next_session_id, after.my_vote, after.cases[0].votes) == (second_session, None, 0)
    cases.vote(team.path, team.ben, case_id, now=after_first)  # a new round: a new vote
    assert cases.queue(team.path, team.ben, team.group_id, now=after_first).cases[0].votes == 1


def test_only_a_case_waiting_in_the_queue_gets_votes(team):
    _plan(team)
    chosen = _submit(team, team.anna)
    cases.choose_case(team.path, team.lead, chosen, now=NOW)
    withdrawn = _submit(team, team.ben)
    cases.withdraw_case(team.path, team.ben, withdrawn, now=NOW)

    assert _refused_key(lambda: cases.vote(team.path, team.chris, chosen, now=NOW)) == "case_not_open"
    assert _refused_key(lambda: cases.vote(team.path, team.chris, withdrawn, now=NOW)) == "case_not_open"
    assert count_rows(team.path, "case_votes") == 0


def test_a_vote_for_a_case_that_is_withdrawn_can_be_cast_again(team):
    _plan(team)
    withdrawn = _submit(team, team.anna, title="Teruggetrokken")
    other = _submit(team, team.ben, title="Blijft")
    cases.vote(team.path, team.chris, withdrawn, now=NOW)
    cases.withdraw_case(team.path, team.anna, withdrawn, now=NOW)

    cases.vote(team.path, team.chris, other, now=NOW)

    assert cases.queue(team.path, team.chris, team.group_id, now=NOW).my_vote == other


# --- choosing ----------------------------------------------------------------------------------


def test_the_facilitator_chooses_a_case_for_the_next_session_and_a_member_cannot(team):
    session = _plan(team)
    _plan(team, starts_at=NEXT + 42 * DAY)
    case_id = _submit(team, team.anna)

    with pytest.raises(NotAllowed):
        cases.choose_case(team.path, team.ben, case_id, now=NOW)
    assert _case(team, case_id).status is CaseStatus.SUBMITTED

    cases.choose_case(team.path, team.lead, case_id, now=NOW)

    chosen = _case(team, case_id)
    assert (chosen.status, chosen.meeting_id, chosen.chosen_at) == (CaseStatus.CHOSEN, session, NOW)
    queue = cases.queue(team.path, team.ben, team.group_id, now=NOW)
    assert (queue.cases, [case.id for case in queue.chosen]) == ([], [case_id])
    assert _refused_key(lambda: cases.choose_case(team.path, team.lead, case_id, now=NOW)) == "case_not_open"


def test_choosing_a_case_that_was_just_withdrawn_is_refused_and_writes_nothing(team):
    _plan(team)
    case_id = _submit(team, team.anna)
    seen = _queued_ids(team)  # the facilitator's screen still shows it
    cases.withdraw_case(team.path, team.anna, case_id, now=NOW)

    assert seen == [case_id]
    assert _refused_key(lambda: cases.choose_case(team.path, team.lead, case_id, now=NOW)) == "case_withdrawn"
    case = _case(team, case_id)
    assert (case.status, case.chosen_at, case.meeting_id) == (CaseStatus.WITHDRAWN, None, None)


def test_a_chosen_case_put_back_returns_to_the_queue_in_its_place(team):
    _plan(team)
    older = _submit(team, team.anna, now=NOW - 10 * DAY, title="Ouder")
    newer = _submit(team, team.ben, now=NOW - 2 * DAY, title="Nieuwer")
    cases.choose_case(team.path, team.lead, older, now=NOW)
    assert _queued_ids(team) == [newer]

    with pytest.raises(NotAllowed):
        cases.put_back(team.path, team.ben, older, now=NOW)
    cases.put_back(team.path, team.lead, older, now=NOW + DAY)

    case = _case(team, older)
    assert (case.status, case.meeting_id, case.submitted_at) == (CaseStatus.SUBMITTED, None, NOW - 10 * DAY)
    assert _queued_ids(team, now=NOW + DAY) == [older, newer]
    assert _refused_key(lambda: cases.put_back(team.path, team.lead, newer, now=NOW)) == "case_not_open"


# --- withdrawing and deleting ------------------------------------------------------------------


def test_a_case_can_be_withdrawn_while_submitted_or_chosen_but_not_after_discussion(team):
    _plan(team)
    submitted = _submit(team, team.anna, title="Ingediend")
    chosen = _submit(team, team.anna, title="Gekozen")
    cases.choose_case(team.path, team.lead, chosen, now=NOW)
    discussed = _submit(team, team.anna, title="Besproken")
    _discuss(team, discussed)

    cases.withdraw_case(team.path, team.anna, submitted, now=NOW)
    cases.withdraw_case(team.path, team.anna, chosen, now=NOW)
    refused = _refused_key(lambda: cases.withdraw_case(team.path, team.anna, discussed, now=NOW))

    assert refused == "case_not_open"
    assert [_case(team, case_id).status for case_id in (submitted, chosen, discussed)] == [
        CaseStatus.WITHDRAWN,
        CaseStatus.WITHDRAWN,
        CaseStatus.DISCUSSED,
    ]
    assert _case(team, chosen).meeting_id is None  # no longer on the session
    queue = cases.queue(team.path, team.lead, team.group_id, now=NOW)
    assert (queue.cases, queue.chosen) == ([], [])


def test_only_the_author_may_withdraw_or_delete(team):
    case_id = _submit(team, team.anna)

    for other in (team.ben, team.lead, team.coordinator):
        with pytest.raises(NotAllowed):
            cases.withdraw_case(team.path, other, case_id, now=NOW)
        with pytest.raises(NotAllowed):
            cases.delete_case(team.path, other, case_id, now=NOW)

    assert _case(team, case_id).status is CaseStatus.SUBMITTED
    assert "case_deleted" not in audit_actions(team.path)


def test_deleting_removes_the_case_with_its_votes_and_logs_only_that_a_case_went(team):
    _plan(team)
    case_id = _submit(team, team.anna)
    cases.vote(team.path, team.ben, case_id, now=NOW)
    form = _form(team.group_id)

    cases.delete_case(team.path, team.anna, case_id, now=NOW)

    assert _case(team, case_id) is None
    assert (count_rows(team.path, "cases"), count_rows(team.path, "case_votes")) == (0, 0)
    assert cases.my_cases(team.path, team.anna) == []
    assert audit_actions(team.path)[-1] == "case_deleted"
    with db.reading(team.path) as conn:
        [logged] = [dict(row) for row in conn.execute("SELECT * FROM audit_log WHERE action = 'case_deleted'")]
    assert logged["actor_id"] == team.anna.id
    written = f"{logged['subject']} {logged['detail']}"
    for text in (form.title, form.situation, form.learning_question, form.involved, form.own_role, form.tried):
        assert text not in written
    # The freed vote can go to another case.
    other = _submit(team, team.chris)
    cases.vote(team.path, team.ben, other, now=NOW)


def test_a_draft_can_be_deleted_and_an_unknown_case_is_named_as_such(team):
    draft_id = cases.save_draft(team.path, team.anna, team.group_id, {"title": "Toch niet"}, now=NOW)

    cases.delete_case(team.path, team.anna, draft_id, now=NOW)

    assert cases.draft(team.path, team.anna) is None
    assert _refused_key(lambda: cases.delete_case(team.path, team.anna, draft_id, now=NOW)) == "case_not_found"
    assert _refused_key(lambda: cases.withdraw_case(team.path, team.anna, 999, now=NOW)) == "case_not_found"


# --- discussion, follow-up, archive ------------------------------------------------------------


def test_a_discussion_is_recorded_for_a_chosen_case_by_the_facilitator(team):
    _plan(team)
    case_id = _submit(team, team.anna)
    form = DiscussionInput(method_id="incident", chosen_advice="Een vast contactmoment voorstellen.")

    refused = _refused_key(lambda: cases.record_discussion(team.path, team.lead, case_id, form, now=NOW))
    cases.choose_case(team.path, team.lead, case_id, now=NOW)
    with pytest.raises(NotAllowed):
        cases.record_discussion(team.path, team.ben, case_id, form, now=NOW)
    assert _case(team, case_id).status is CaseStatus.CHOSEN

    cases.record_discussion(team.path, team.lead, case_id, form, now=NEXT)

    assert refused == "case_not_chosen"
    case = _case(team, case_id)
    assert (case.status, case.discussed_at, case.method_id, case.chosen_advice) == (
        CaseStatus.DISCUSSED,
        NEXT,
        "incident",
        "Een vast contactmoment voorstellen.",
    )
    assert _refused_key(lambda: cases.record_discussion(team.path, team.lead, case_id, form)) == "case_not_chosen"


def test_only_the_author_follows_up_and_only_after_discussion(team):
    _plan(team)
    case_id = _submit(team, team.anna)
    form = FollowUpInput(text="Ik heb een vast moment voorgesteld; de mails zijn korter.")

    not_yet = _refused_key(lambda: cases.follow_up(team.path, team.anna, case_id, form, now=NOW))
    cases.choose_case(team.path, team.lead, case_id, now=NOW)
    still_not = _refused_key(lambda: cases.follow_up(team.path, team.anna, case_id, form, now=NOW))
    cases.record_discussion(team.path, team.lead, case_id, DiscussionInput(chosen_advice="Kort bevestigen."))
    for other in (team.ben, team.lead):
        with pytest.raises(NotAllowed):
            cases.follow_up(team.path, other, case_id, form, now=NEXT)

    cases.follow_up(team.path, team.anna, case_id, form, now=NEXT + 14 * DAY)

    assert (not_yet, still_not) == ("case_not_discussed", "case_not_discussed")
    case = _case(team, case_id)
    assert (case.status, case.follow_up, case.followed_up_at) == (
        CaseStatus.FOLLOWED_UP,
        "Ik heb een vast moment voorgesteld; de mails zijn korter.",
        NEXT + 14 * DAY,
    )
    original = _form(team.group_id)
    assert (case.title, case.situation, case.learning_question, case.chosen_advice) == (
        original.title,
        original.situation,
        original.learning_question,
        "Kort bevestigen.",
    )


def test_the_archive_lists_discussed_and_followed_up_cases_with_method_advice_and_follow_up(team):
    _plan(team)
    followed = _submit(team, team.anna, now=NOW - 60 * DAY, title="Gevolgd")
    _discuss(team, followed, now=NOW - 50 * DAY, method_id="incident", advice="Eerst luisteren.")
    cases.follow_up(team.path, team.anna, followed, FollowUpInput(text="Het werkte."), now=NOW - 10 * DAY)
    discussed = _submit(team, team.ben, now=NOW - 20 * DAY, title="Besproken")
    _discuss(team, discussed, now=NOW - 5 * DAY, method_id="six_hats", advice="Criteria eerst.")
    _submit(team, team.chris, title="Wacht nog")
    chosen = _submit(team, team.chris, title="Gekozen")
    cases.choose_case(team.path, team.lead, chosen, now=NOW)
    withdrawn = _submit(team, team.ben, title="Teruggetrokken")
    cases.withdraw_case(team.path, team.ben, withdrawn, now=NOW)

    archive = cases.archive(team.path, team.chris, team.group_id)

    assert [(c.title, c.status, c.method_id, c.chosen_advice, c.follow_up) for c in archive] == [
        ("Besproken", CaseStatus.DISCUSSED, "six_hats", "Criteria eerst.", ""),
        ("Gevolgd", CaseStatus.FOLLOWED_UP, "incident", "Eerst luisteren.", "Het werkte."),
    ]


def test_a_case_not_chosen_stays_in_the_queue_for_the_next_session(team):
    first_session = _plan(team, starts_at=NEXT)
    second_session = _plan(team, starts_at=NEXT + 42 * DAY)
    annas = _submit(team, team.anna, now=NOW - 3 * DAY, title="Gekozen")
    bens = _submit(team, team.ben, now=NOW - DAY, title="Blijft liggen")
    cases.choose_case(team.path, team.lead, annas, now=NOW)
    cases.record_discussion(team.path, team.lead, annas, DiscussionInput(), now=NEXT + timedelta(hours=1))

    after = NEXT + 2 * DAY
    queue = cases.queue(team.path, team.lead, team.group_id, now=after)

    assert [(q.case.id, q.waited_days) for q in queue.cases] == [(bens, 10)]
    assert queue.next_session_id == second_session
    cases.choose_case(team.path, team.lead, bens, now=after)
    assert (_case(team, annas).meeting_id, _case(team, bens).meeting_id) == (first_session, second_session)


# --- the agenda --------------------------------------------------------------------------------


def _waiting(team: Team, person: Person, now=NOW) -> list[Waiting]:
    return [
        item
        for item in agenda.agenda_for(team.path, person, now=now).waiting
        if item.key in ("waiting.queue", "waiting.follow_up")
    ]


def test_the_facilitator_sees_the_queue_and_the_author_the_follow_up_waiting(team):
    _plan(team)
    case_id = _submit(team, team.anna)
    _submit(team, team.ben, title="Nog een")

    assert _waiting(team, team.lead) == [Waiting("waiting.queue", "Team North", {"count": 2})]
    assert _waiting(team, team.anna) == []

    _discuss(team, case_id)

    assert _waiting(team, team.lead) == [Waiting("waiting.queue", "Team North", {"count": 1})]
    assert _waiting(team, team.anna) == [
        Waiting("waiting.follow_up", "Team North", {"title": "Een ouder die elke week mailt"})
    ]
    assert _waiting(team, team.ben) == []
    assert [case.id for case in cases.follow_ups_waiting(team.path, team.anna)] == [case_id]

    cases.follow_up(team.path, team.anna, case_id, FollowUpInput(text="Gedaan."), now=NEXT)

    assert _waiting(team, team.anna) == []
    assert cases.follow_ups_waiting(team.path, team.anna) == []


# --- retention ---------------------------------------------------------------------------------


def _organisation(path: Path) -> None:
    with db.writing(path) as conn:
        store.create_organisation(conn, "Zorggroep Oost", is_demo=False, now=NOW - 1000 * DAY)


def test_only_a_coordinator_sets_how_long_case_texts_are_kept(team):
    _organisation(team.path)

    for other in (team.lead, team.anna):
        with pytest.raises(NotAllowed):
            cases.set_retention(team.path, other, RetentionInput(days=30), now=NOW)
    assert cases.retention_days(team.path) is None

    cases.set_retention(team.path, team.coordinator, RetentionInput(days=365), now=NOW)
    assert cases.retention_days(team.path) == 365
    cases.set_retention(team.path, team.coordinator, RetentionInput(days=None), now=NOW)
    assert cases.retention_days(team.path) is None
    assert audit_actions(team.path)[-2:] == ["retention_changed", "retention_changed"]


@pytest.mark.parametrize("days", [0, 29, 3651])
def test_a_retention_outside_its_range_is_refused(days):
    with pytest.raises(ValidationError):
        RetentionInput(days=days)


def _history(team: Team) -> dict[str, int]:
    """Cases of all kinds, old and recent, as a year of a group's life leaves them."""
    _plan(team)
    old_followed = _submit(team, team.anna, now=NOW - 420 * DAY, title="Oud en gevolgd")
    _discuss(team, old_followed, now=NOW - 400 * DAY, advice="Oud advies.")
    follow_up = FollowUpInput(text="Oude follow-up.")
    cases.follow_up(team.path, team.anna, old_followed, follow_up, now=NOW - 360 * DAY)
    old_discussed = _submit(team, team.ben, now=NOW - 380 * DAY, title="Oud en besproken")
    _discuss(team, old_discussed, now=NOW - 366 * DAY, method_id="six_hats")
    recent = _submit(team, team.chris, now=NOW - 370 * DAY, title="Recent besproken")
    _discuss(team, recent, now=NOW - 364 * DAY)
    old_waiting = _submit(team, team.anna, now=NOW - 500 * DAY, title="Wacht al lang")
    old_withdrawn = _submit(team, team.ben, now=NOW - 500 * DAY, title="Lang geleden teruggetrokken")
    cases.withdraw_case(team.path, team.ben, old_withdrawn, now=NOW - 450 * DAY)
    old_chosen = _submit(team, team.chris, now=NOW - 500 * DAY, title="Lang geleden gekozen")
    cases.choose_case(team.path, team.lead, old_chosen, now=NOW - 450 * DAY)
    draft = cases.save_draft(team.path, team.lead, team.group_id, {"title": "Oud concept"}, now=NOW - 500 * DAY)
    return {
        "old_followed": old_followed,
        "old_discussed": old_discussed,
        "recent": recent,
        "old_waiting": old_waiting,
        "old_withdrawn": old_withdrawn,
        "old_chosen": old_chosen,
        "draft": draft,
    }


def test_texts_of_cases_discussed_longer_ago_than_kept_are_erased_and_the_rest_stays(team):
    _organisation(team.path)
    made = _history(team)
    cases.set_retention(team.path, team.coordinator, RetentionInput(days=365), now=NOW)
    before = {name: _case(team, case_id) for name, case_id in made.items()}
    year = (NOW - 2 * 365 * DAY, NOW + DAY)
    counts_before = cases.case_counts(team.path, team.coordinator, *year)

    erased = cases.erase_expired_case_texts(team.path, now=NOW)

    assert erased == 2
    for name in ("old_followed", "old_discussed"):
        old, now_ = before[name], _case(team, made[name])
        assert all(getattr(now_, field) == "" for field in CASE_TEXT_FIELDS), name
        assert (now_.chosen_advice, now_.follow_up, now_.erased_at) == ("", "", NOW)
        kept = ("status", "submitted_at", "chosen_at", "discussed_at", "followed_up_at", "method_id", "question_type")
        assert {field: getattr(now_, field) for field in kept} == {field: getattr(old, field) for field in kept}
    for name in ("recent", "old_waiting", "old_withdrawn", "old_chosen", "draft"):
        assert _case(team, made[name]) == before[name], name
    assert cases.case_counts(team.path, team.coordinator, *year) == counts_before
    assert audit_actions(team.path)[-1] == "case_texts_erased"
    # The archive keeps the erased cases as dates and methods, and the agenda asks nobody to follow one up.
    assert len(cases.archive(team.path, team.anna, team.group_id)) == 3
    assert _waiting(team, team.ben) == []

    assert cases.erase_expired_case_texts(team.path, now=NOW) == 0
    assert audit_actions(team.path).count("case_texts_erased") == 1


def test_a_follow_up_added_after_erasure_does_not_outlive_the_retention(team):
    _organisation(team.path)
    case_id = _submit(team, team.anna, now=NOW - 100 * DAY)
    _discuss(team, case_id, now=NOW - 80 * DAY)
    cases.set_retention(team.path, team.coordinator, RetentionInput(days=30), now=NOW)
    assert cases.erase_expired_case_texts(team.path, now=NOW) == 1
    late = FollowUpInput(text="Ik heb het gesprek opnieuw gevoerd met de moeder.")

    try:
        cases.follow_up(team.path, team.anna, case_id, late, now=NOW)
    except DomainError:
        return  # refusing a follow-up on an erased case is one good answer
    cases.erase_expired_case_texts(team.path, now=NOW + 400 * DAY)

    # Erasing it in its turn, once it is older than the retention, is the other.
    assert _case(team, case_id).follow_up == ""


def test_nothing_is_erased_while_no_retention_is_set(team):
    _organisation(team.path)
    made = _history(team)
    before = {name: _case(team, case_id) for name, case_id in made.items()}

    assert cases.erase_expired_case_texts(team.path, now=NOW + 3000 * DAY) == 0

    assert {name: _case(team, case_id) for name, case_id in made.items()} == before
    assert "case_texts_erased" not in audit_actions(team.path)


# --- the demo ----------------------------------------------------------------------------------


def test_the_demo_groups_have_an_archive_and_a_queue_that_their_members_can_read(path):
    demo.load_demo(path, now=NOW)
    with db.reading(path) as conn:
        people = store.everyone(conn)
        memberships = {person.id: store.groups_of(conn, person.id) for person in people}
    coordinator = next(person for person in people if person.role is Role.COORDINATOR)

    discussed = waiting = 0
    for person in people:
        for group, _role in memberships[person.id]:
            archive = cases.archive(path, person, group.id)
            assert all(case.discussed_at and case.discussed_at < NOW and case.chosen_advice for case in archive)
            discussed = max(discussed, len(archive))
            waiting = max(waiting, len(cases.queue(path, person, group.id, now=NOW).cases))
    counts = cases.case_counts(path, coordinator, NOW - 3 * 365 * DAY, NOW + DAY)

    assert discussed >= 2 and waiting >= 1
    # Three of the four demo contracts report case counts to the organisation.
    assert len(counts) == 3 and sum(count.discussed for count in counts) >= 5
