"""Rules that once relied on one writer hold when many write at once, on SQLite and on PostgreSQL.

Each test lets several threads, each with its own unit of work (its own pooled connection), do the racing
action at the same moment (a barrier releases them together) and then checks the rule: one open session per
group, at least one coordinator, an invitation's use limit, distinct join codes, one response per person
per wave. On SQLite the writers queue for the file's write lock; on PostgreSQL they really overlap, and the
rules hold through conditional updates, constraints and named locks (`Unit.lock`).

Migrations run from several processes at once (spawned, as app servers starting together would), and the
hourly erasure job from two threads, without colliding.
"""

from __future__ import annotations

import multiprocessing
import secrets
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

from unit_support import NOW, SQLITE_FILE, audit_actions, count_rows

from intervision import accounts, cases, db, invitations, live, method_library, personal_data, store, surveys
from intervision.database import Database
from intervision.errors import DomainError
from intervision.instruments import shipped_instruments
from intervision.migrations import current_revision, head
from intervision.models import (
    CaseInput,
    DiscussionInput,
    InvitationInput,
    JoinInput,
    Person,
    QuestionType,
    RetentionInput,
    Role,
    StartSessionInput,
)

RACERS = 8
DAY = timedelta(days=1)

Result = TypeVar("Result")


def race(racers: int, action: Callable[[int], Result]) -> list[Result | DomainError]:
    """Run `action(0)` … `action(racers - 1)` in as many threads, released together; what each returned, or
    the DomainError it was refused with. Any other exception fails the test: a broken rule must not surface
    as a driver's error."""
    start = threading.Barrier(racers)

    def run(index: int) -> Result | DomainError:
        start.wait()
        try:
            return action(index)
        except DomainError as refused:
            return refused

    with ThreadPoolExecutor(max_workers=racers) as pool:
        return list(pool.map(run, range(racers)))


def refusals(outcomes: list[object]) -> list[str]:
    return [outcome.key for outcome in outcomes if isinstance(outcome, DomainError)]


# --- one open session per group ---------------------------------------------------------------------


def _start(path: Database, facilitator: Person, group_id: int) -> int:
    form = StartSessionInput(group_id=group_id, method_id="incident", spot_case_title="Een ouder die mailt")
    return live.start_session(path, facilitator, form, now=NOW)


def test_of_many_facilitators_starting_a_session_at_once_exactly_one_opens_it(path, make_person, make_group):
    leads = [make_person(f"Lead {index}", Role.FACILITATOR) for index in range(RACERS)]
    group_id = make_group("Team North", facilitators=tuple(leads))

    outcomes = race(RACERS, lambda index: _start(path, leads[index], group_id))

    assert refusals(outcomes) == ["session_already_open"] * (RACERS - 1)
    with db.reading(path) as conn:
        assert len(store.open_live_sessions(conn, [group_id])) == 1


class _FirstCodeTaken:
    """`secrets` for intervision.live whose first join code in every thread is the same: the racers all find
    it free at once, and only one may have it."""

    def __init__(self) -> None:
        self._drawn = threading.local()

    def choice(self, alphabet: str) -> str:
        drawn = getattr(self._drawn, "count", 0)
        self._drawn.count = drawn + 1
        return alphabet[0] if drawn < 6 else secrets.choice(alphabet)

    def token_urlsafe(self, size: int) -> str:
        return secrets.token_urlsafe(size)


def test_sessions_started_at_once_in_many_groups_get_distinct_join_codes(path, make_person, make_group, monkeypatch):
    leads = [make_person(f"Lead {index}", Role.FACILITATOR) for index in range(RACERS)]
    group_ids = [make_group(f"Team {index}", facilitators=(lead,)) for index, lead in enumerate(leads)]
    # The method's version is kept before the race: keeping it inside the race would queue the starters on
    # its row, and they would no longer overlap where the join code is drawn.
    with db.writing(path) as conn:
        method_library.pin_version(conn, method_library.method_entry(path, leads[0], "incident").method, NOW)
    monkeypatch.setattr(live, "secrets", _FirstCodeTaken())

    outcomes = race(RACERS, lambda index: _start(path, leads[index], group_ids[index]))

    assert refusals(outcomes) == []
    with db.reading(path) as conn:
        codes = [store.live_session(conn, session_id).join_code for session_id in outcomes]
    assert len(set(codes)) == RACERS
    assert codes.count(live.CODE_ALPHABET[0] * 6) == 1


# --- the last coordinator stays one -----------------------------------------------------------------


def test_coordinators_demoting_each_other_at_once_leave_one_coordinator(path, coordinator, make_person):
    coordinators = [coordinator] + [make_person(f"Coordinator {index}", Role.COORDINATOR) for index in range(1, RACERS)]

    def demote(index: int) -> None:
        # Each demotes the next one round the circle: every coordinator is demoted by someone.
        demoted = coordinators[(index + 1) % RACERS]
        accounts.change_role(path, coordinators[index], demoted.id, Role.FACILITATOR, now=NOW)

    outcomes = race(RACERS, demote)

    assert refusals(outcomes) == ["last_coordinator"]
    with db.reading(path) as conn:
        assert store.count_coordinators(conn) == 1


def test_two_coordinators_erasing_each_other_at_once_leave_one_coordinator(path, coordinator, make_person):
    other = make_person("Corry Coordinator", Role.COORDINATOR)
    pair = [coordinator, other]

    outcomes = race(2, lambda index: personal_data.erase_person(path, pair[index], pair[1 - index].id, now=NOW))

    assert refusals(outcomes) == ["last_coordinator"]
    with db.reading(path) as conn:
        assert store.count_coordinators(conn) == 1


# --- an invitation's use limit -----------------------------------------------------------------------


def test_people_joining_at_once_never_use_an_invitation_more_often_than_allowed(
    path, coordinator, make_person, make_group
):
    group_id = make_group("Team North")
    limit = 3
    invitation = invitations.create_invitation(
        path, coordinator, InvitationInput(group_id=group_id, max_uses=limit), now=NOW
    )
    newcomers = [make_person(f"Newcomer {index}") for index in range(RACERS)]
    code = JoinInput(code=invitation.code)

    outcomes = race(RACERS, lambda index: invitations.join_with_code(path, newcomers[index], code, now=NOW))

    assert refusals(outcomes) == ["invitation_used_up"] * (RACERS - limit)
    with db.reading(path) as conn:
        assert store.invitation(conn, invitation.id).uses == limit
        joined = [person for person in newcomers if store.group_role(conn, group_id, person.id) is not None]
    assert len(joined) == limit


# --- one response per person per wave ----------------------------------------------------------------


def test_answers_sent_at_once_leave_one_whole_response_per_person(path, coordinator, make_person, make_group):
    with db.writing(path) as conn:
        store.create_organisation(conn, "Test Org", is_demo=False, now=NOW)
    facilitator = make_person("Fay Facilitator", Role.FACILITATOR)
    members = [make_person(f"Member {index}") for index in range(RACERS // 2)]
    group_id = make_group(facilitators=(facilitator,), members=tuple(members))
    wave_id = surveys.open_wave(path, facilitator, group_id, "self_efficacy", "after_session", now=NOW)
    items = [item.id for item in shipped_instruments().instruments["self_efficacy"].items]

    def send(index: int) -> None:
        # Two sends per member (a double click, two devices), each with its own answers.
        member, value = members[index % len(members)], 1 + index // len(members)
        surveys.answer(path, member, wave_id, dict.fromkeys(items, value), now=NOW)

    outcomes = race(RACERS, send)

    assert refusals(outcomes) == []
    assert count_rows(path, "survey_responses") == len(members)
    for member in members:
        answers = surveys.my_answers(path, member, wave_id)
        assert set(answers) == set(items)
        assert len(set(answers.values())) == 1, "one send's answers, not a mix of two"


# --- migrations, once, from several processes --------------------------------------------------------


def _migrate(url: str) -> None:
    Database(url, pool_size=1, max_overflow=0).migrate()


def _migrate_from_processes(url: str, processes: int = 4) -> None:
    spawn = multiprocessing.get_context("spawn")
    starters = [spawn.Process(target=_migrate, args=(url,)) for _ in range(processes)]
    for starter in starters:
        starter.start()
    for starter in starters:
        starter.join(timeout=120)
    assert [starter.exitcode for starter in starters] == [0] * processes


def _assert_at_head_once(database: Database) -> None:
    assert current_revision(database) == head()
    with database.reading() as unit:
        assert unit.execute("SELECT count(*) FROM alembic_version").scalar() == 1
        assert unit.execute("SELECT count(*) FROM people").scalar() == 0


def test_app_servers_starting_together_on_a_new_sqlite_file_migrate_it_once(tmp_path: Path):
    url = f"sqlite+pysqlite:///{tmp_path / 'new.db'}"

    _migrate_from_processes(url)

    database = Database(url)
    _assert_at_head_once(database)
    database.dispose()


def test_app_servers_starting_together_on_a_new_postgresql_database_migrate_it_once(postgres_server):
    name = f"fresh_{uuid.uuid4().hex[:16]}"
    postgres_server.create_database(name)
    url = postgres_server.url(name)

    _migrate_from_processes(url)

    database = Database(url, pool_size=1, max_overflow=0)
    _assert_at_head_once(database)
    database.dispose()
    postgres_server.drop_database(name)


# --- the hourly erasure job ----------------------------------------------------------------------------


def test_two_app_servers_erasing_expired_case_texts_at_once_erase_and_log_each_case_once(
    path, coordinator, make_person, make_group
):
    with db.writing(path) as conn:
        store.create_organisation(conn, "Zorggroep Oost", is_demo=False, now=NOW - 1000 * DAY)
    lead = make_person("Fenna Facilitator", Role.FACILITATOR)
    authors = [make_person(f"Author {index}") for index in range(3)]
    group_id = make_group("Team North", facilitators=(lead,), members=tuple(authors))
    long_ago = NOW - 400 * DAY
    for author in authors:
        form = CaseInput(
            group_id=group_id,
            title="Een ouder die elke week mailt",
            situation="Een ouder mailt wekelijks lange berichten en zet de directie in de cc. Bij het laatste "
            "gesprek zei hij dat ik zijn kind niet begrijp. Ik wist niet wat ik moest zeggen.",
            involved="een ouder, de directie, ikzelf",
            own_role="Ik ben de leerkracht.",
            evoked="Onzekerheid.",
            learning_question="Hoe kan ik grenzen stellen en toch in contact blijven?",
            question_type=QuestionType.OWN_BEHAVIOUR,
            anonymised=True,
        )
        case_id = cases.submit_case(path, author, form, now=long_ago)
        cases.choose_case(path, lead, case_id, now=long_ago)
        cases.record_discussion(
            path, lead, case_id, DiscussionInput(method_id="incident", chosen_advice="Eerst luisteren."), now=long_ago
        )
    cases.set_retention(path, coordinator, RetentionInput(days=365), now=NOW)
    logged_before = audit_actions(path).count("case_texts_erased")

    erased = race(2, lambda _: cases.erase_expired_case_texts(path, now=NOW))

    assert sorted(erased) == [0, len(authors)]
    assert audit_actions(path).count("case_texts_erased") == logged_before + 1
    assert cases.erase_expired_case_texts(path, now=NOW) == 0
    assert audit_actions(path).count("case_texts_erased") == logged_before + 1


# --- the change signal reaches the live screens ------------------------------------------------------


def _another_database_on(database: Database) -> Database:
    """A second Database object on the same store: what another app process holds."""
    return Database(database.url, pool_size=1, max_overflow=1)


def test_a_write_through_another_database_object_moves_the_signal_of_both(path, coordinator):
    other = _another_database_on(path)
    try:
        before = (path.changes(), other.changes())
        with other.writing() as unit:
            store.create_organisation(unit, "Zorggroep Oost", is_demo=False, now=NOW)
        after_theirs = (path.changes(), other.changes())
        with path.writing() as unit:
            unit.execute("UPDATE organisation SET name = ?", ["Zorggroep West"])
        after_ours = (path.changes(), other.changes())
    finally:
        other.dispose()

    assert after_theirs[0] != before[0] and after_theirs[1] != before[1]
    assert after_ours[0] != after_theirs[0] and after_ours[1] != after_theirs[1]


@SQLITE_FILE
def test_the_signal_never_goes_back_when_the_watching_connection_is_opened_again(path):
    with path.writing() as unit:
        store.create_organisation(unit, "Zorggroep Oost", is_demo=False, now=NOW)
    seen = path.changes()

    path.dispose()  # as before a restore replaces the file

    assert path.changes() > seen


def test_a_live_screen_sees_a_write_by_another_process_on_its_next_poll_and_its_clock_ticks_between(
    path, make_person, make_group
):
    lead = make_person("Fenna Facilitator", Role.FACILITATOR)
    anna = make_person("Anna Member")
    group_id = make_group("Team North", facilitators=(lead,), members=(anna,))
    session_id = _start(path, lead, group_id)
    revision = live.console_view(path, lead, session_id, now=NOW).session.revision
    live.begin_phases(path, lead, session_id, revision, now=NOW)
    first = live.console_view(path, lead, session_id, now=NOW)
    token, code = first.session.projector_token, first.session.join_code
    screens = {
        "console": lambda now: live.console_view(path, lead, session_id, now=now),
        "projector": lambda now: live.projector_view(path, token, now=now),
        "phone": lambda now: live.participant_view(path, anna, code, now=now),
    }
    for screen in screens.values():
        screen(NOW)

    # Polls with nothing written in between read nothing from the store, yet the countdown runs on.
    with path.timing() as timings:
        later = {name: screen(NOW + timedelta(seconds=10)) for name, screen in screens.items()}
    assert timings.statements == []
    for name, view in later.items():
        assert view.clock.remaining_seconds == first.clock.remaining_seconds - 10, name

    other = _another_database_on(path)
    try:
        live.move(other, lead, session_id, first.session.revision, 1, now=NOW + timedelta(seconds=11))
    finally:
        other.dispose()

    for name, screen in screens.items():
        assert screen(NOW + timedelta(seconds=11)).session.phase_index == first.session.phase_index + 1, name
