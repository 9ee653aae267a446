"""Who reads a case: its group and that group's facilitator, nobody else (DOMAIN.md sections 3 and 5).

Coordinators see counts, never case texts, unless they take part in the group themselves. The audit log
says what happened to a case, never what it was about. A draft is its writer's alone.

Every text of every case here carries a code word, so a leak shows up wherever the text ends up.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from unit_support import NOW, audit_actions

from intervision import accounts, agenda, cases, db, groups, store
from intervision.errors import NotAllowed
from intervision.models import (
    CaseInput,
    DiscussionInput,
    FollowUpInput,
    MeetingInput,
    Person,
    QuestionType,
    ReportItem,
    RetentionInput,
    Role,
)

DAY = timedelta(days=1)
NEXT = NOW + timedelta(days=7)
TEXT_FIELDS = ("title", "situation", "involved", "own_role", "evoked", "learning_question", "tried")


def _texts(code: str) -> dict[str, str]:
    return {field: f"{field} {code}" for field in TEXT_FIELDS}


ADVICE = "advice kiwi"
FOLLOW_UP = "follow_up kiwi"
SECRETS = [
    *_texts("kiwi").values(),  # discussed and followed up
    *_texts("mango").values(),  # waiting in the queue
    *_texts("papaya").values(),  # chosen for the next session
    *_texts("guava").values(),  # Anna's draft
    ADVICE,
    FOLLOW_UP,
]


@dataclass(frozen=True)
class World:
    path: Path
    coordinator: Person  # not in the group
    boss: Person  # a coordinator who is a member of the group
    lead: Person  # facilitates the group
    anna: Person  # a member, who brings the cases
    ben: Person  # a member
    outsider: Person  # takes part in another group
    other_lead: Person  # facilitates another group
    group_id: int
    other_group_id: int
    followed: int
    waiting: int
    chosen: int


def _form(group_id: int, code: str) -> CaseInput:
    return CaseInput(group_id=group_id, question_type=QuestionType.OWN_BEHAVIOUR, anonymised=True, **_texts(code))


@pytest.fixture
def world(path, coordinator, make_person, make_group) -> World:
    boss = make_person("Bo Boss", Role.COORDINATOR)
    lead = make_person("Fenna Facilitator", Role.FACILITATOR)
    anna, ben, outsider = (make_person(name) for name in ("Anna Member", "Ben Member", "Olga Outsider"))
    other_lead = make_person("Otto Facilitator", Role.FACILITATOR)
    # Both contracts report case counts to the organisation (a third group's does not).
    counted = {"reported_to_organisation": [ReportItem.CASE_COUNTS]}
    group_id = make_group("Team North", facilitators=(lead,), members=(anna, ben, boss), **counted)
    other_group_id = make_group("Team South", facilitators=(other_lead,), members=(outsider,), **counted)
    make_group("Team Quiet", facilitators=(other_lead,), members=(outsider,))
    groups.plan_session(path, lead, MeetingInput(group_id=group_id, starts_at=NEXT, minutes=90), now=NOW)

    followed = cases.submit_case(path, anna, _form(group_id, "kiwi"), now=NOW - 40 * DAY)
    cases.choose_case(path, lead, followed, now=NOW - 30 * DAY)
    discussion = DiscussionInput(method_id="incident", chosen_advice=ADVICE)
    cases.record_discussion(path, lead, followed, discussion, now=NOW - 28 * DAY)
    cases.follow_up(path, anna, followed, FollowUpInput(text=FOLLOW_UP), now=NOW - 5 * DAY)
    waiting = cases.submit_case(path, anna, _form(group_id, "mango"), now=NOW - 3 * DAY)
    chosen = cases.submit_case(path, ben, _form(group_id, "papaya"), now=NOW - 2 * DAY)
    cases.choose_case(path, lead, chosen, now=NOW - DAY)
    cases.save_draft(path, anna, group_id, _texts("guava"), now=NOW)
    return World(
        path=path,
        coordinator=coordinator,
        boss=boss,
        lead=lead,
        anna=anna,
        ben=ben,
        outsider=outsider,
        other_lead=other_lead,
        group_id=group_id,
        other_group_id=other_group_id,
        followed=followed,
        waiting=waiting,
        chosen=chosen,
    )


def _leaks(*found: object) -> list[str]:
    """The case texts that appear anywhere in what a read path returned."""
    written = " ".join(repr(item) for item in found)
    return [secret for secret in SECRETS if secret in written]


# Who is who, and whether they may read Team North's cases.
READERS = [
    ("coordinator", False),
    ("boss", True),
    ("lead", True),
    ("ben", True),
    ("outsider", False),
    ("other_lead", False),
]


@pytest.mark.parametrize(("who", "reads"), READERS)
def test_only_the_group_and_its_facilitator_read_the_queue(world, who, reads):
    viewer = getattr(world, who)

    if not reads:
        with pytest.raises(NotAllowed):
            cases.queue(world.path, viewer, world.group_id, now=NOW)
        return
    queue = cases.queue(world.path, viewer, world.group_id, now=NOW)
    assert [queued.case.title for queued in queue.cases] == ["title mango"]
    assert [case.title for case in queue.chosen] == ["title papaya"]
    assert "guava" not in repr(queue)  # the draft is not in it


@pytest.mark.parametrize(("who", "reads"), READERS)
def test_only_the_group_and_its_facilitator_read_the_archive(world, who, reads):
    viewer = getattr(world, who)

    if not reads:
        with pytest.raises(NotAllowed):
            cases.archive(world.path, viewer, world.group_id)
        return
    [case] = cases.archive(world.path, viewer, world.group_id)
    assert (case.title, case.chosen_advice, case.follow_up) == ("title kiwi", ADVICE, FOLLOW_UP)


@pytest.mark.parametrize("who", [who for who, _ in READERS])
def test_nobody_else_gets_the_authors_cases_or_draft_through_their_own_pages(world, who):
    viewer = getattr(world, who)

    own = cases.my_cases(world.path, viewer)
    draft = cases.draft(world.path, viewer)
    follow_ups = cases.follow_ups_waiting(world.path, viewer)
    home = agenda.agenda_for(world.path, viewer, now=NOW)

    assert all(case.author_id == viewer.id for case in own)
    assert draft is None
    assert follow_ups == []
    leaks = _leaks(home, draft, follow_ups, [case for case in own if case.author_id != viewer.id])
    assert leaks == []
    if who == "ben":
        assert [case.id for case in own] == [world.chosen]


def test_the_author_gets_her_own_cases_and_draft(world):
    assert [case.id for case in cases.my_cases(world.path, world.anna)] == [world.waiting, world.followed]
    assert cases.draft(world.path, world.anna).title == "title guava"


def test_a_draft_is_never_visible_to_another_person(world):
    cases.save_draft(world.path, world.ben, world.group_id, {"title": "title of Ben's draft"}, now=NOW)

    assert cases.draft(world.path, world.ben).title == "title of Ben's draft"
    assert cases.draft(world.path, world.anna).title == "title guava"  # Ben's draft did not overwrite hers
    for reader in (world.lead, world.ben, world.boss):
        seen = (
            cases.queue(world.path, reader, world.group_id, now=NOW),
            cases.archive(world.path, reader, world.group_id),
            cases.my_cases(world.path, reader),
            cases.follow_ups_waiting(world.path, reader),
            agenda.agenda_for(world.path, reader, now=NOW),
        )
        assert [secret for secret in _leaks(*seen) if "guava" in secret] == []
    counts = cases.case_counts(world.path, world.coordinator, NOW - DAY, NOW + DAY)
    assert {count.group_name: count.submitted for count in counts}["Team North"] == 0  # a draft is not submitted


def _what_the_facilitator_sees(world: World) -> tuple:
    return (
        cases.queue(world.path, world.lead, world.group_id, now=NOW),
        cases.archive(world.path, world.lead, world.group_id),
    )


@pytest.mark.parametrize("who", ["coordinator", "outsider", "other_lead"])
def test_someone_outside_the_group_cannot_act_on_its_cases(world, who):
    viewer = getattr(world, who)
    before = _what_the_facilitator_sees(world)

    for act in (
        lambda: cases.vote(world.path, viewer, world.waiting, now=NOW),
        lambda: cases.choose_case(world.path, viewer, world.waiting, now=NOW),
        lambda: cases.put_back(world.path, viewer, world.chosen, now=NOW),
        lambda: cases.record_discussion(world.path, viewer, world.chosen, DiscussionInput(), now=NOW),
        lambda: cases.withdraw_case(world.path, viewer, world.waiting, now=NOW),
        lambda: cases.delete_case(world.path, viewer, world.waiting, now=NOW),
        lambda: cases.follow_up(world.path, viewer, world.followed, FollowUpInput(text="x"), now=NOW),
    ):
        with pytest.raises(NotAllowed):
            act()

    assert _what_the_facilitator_sees(world) == before


def test_a_member_who_leaves_the_group_no_longer_reads_its_cases(world):
    groups.remove_member(world.path, world.lead, world.group_id, world.ben.id, now=NOW)

    with pytest.raises(NotAllowed):
        cases.queue(world.path, world.ben, world.group_id, now=NOW)
    with pytest.raises(NotAllowed):
        cases.archive(world.path, world.ben, world.group_id)


# --- what the organisation may know --------------------------------------------------------------


@pytest.mark.parametrize(("who", "counts"), [(who, who in ("coordinator", "boss")) for who, _ in READERS])
def test_case_counts_are_for_coordinators_only_and_hold_numbers_only(world, who, counts):
    viewer = getattr(world, who)
    since, until = NOW - 365 * DAY, NOW + DAY

    if not counts:
        with pytest.raises(NotAllowed):
            cases.case_counts(world.path, viewer, since, until)
        return
    result = cases.case_counts(world.path, viewer, since, until)

    serialised = json.dumps([count.model_dump(mode="json") for count in result])
    assert _leaks(serialised) == []
    assert [(count.group_id, count.submitted, count.discussed, count.followed_up) for count in result] == [
        (world.group_id, 3, 1, 1),
        (world.other_group_id, 0, 0, 0),
    ]
    # Nothing but the group and numbers: no field where a text could go.
    assert set(result[0].model_dump()) == {"group_id", "group_name", "submitted", "discussed", "followed_up"}


def test_case_counts_leave_out_a_group_whose_contract_does_not_report_them(world):
    counts = cases.case_counts(world.path, world.coordinator, NOW - 365 * DAY, NOW + DAY)
    assert "Team Quiet" not in {count.group_name for count in counts}


def test_case_counts_follow_the_period_asked_for(world):
    recent = cases.case_counts(world.path, world.coordinator, NOW - 10 * DAY, NOW + DAY)
    assert [(count.submitted, count.discussed, count.followed_up) for count in recent][0] == (2, 0, 1)


# --- the audit log -------------------------------------------------------------------------------


def _whole_audit_log(path: Path) -> list[dict]:
    with db.reading(path) as conn:
        return [dict(row) for row in conn.execute("SELECT * FROM audit_log")]


def test_the_audit_log_never_holds_a_case_text(world):
    with db.writing(world.path) as conn:
        store.create_organisation(conn, "Zorggroep Oost", is_demo=False, now=NOW - 400 * DAY)
    cases.record_discussion(world.path, world.lead, world.chosen, DiscussionInput(chosen_advice=ADVICE), now=NOW)
    cases.follow_up(world.path, world.ben, world.chosen, FollowUpInput(text=FOLLOW_UP), now=NOW)
    cases.set_retention(world.path, world.coordinator, RetentionInput(days=30), now=NOW)
    erased = cases.erase_expired_case_texts(world.path, now=NOW + 10 * DAY)
    cases.delete_case(world.path, world.anna, world.waiting, now=NOW)
    draft = cases.draft(world.path, world.anna)
    cases.delete_case(world.path, world.anna, draft.id, now=NOW)

    assert erased == 1
    assert {"case_texts_erased", "case_deleted", "retention_changed"} <= set(audit_actions(world.path))
    assert _leaks(accounts.audit_log(world.path, world.coordinator)) == []
    assert _leaks(_whole_audit_log(world.path)) == []
