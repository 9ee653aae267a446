"""The capacity bench's rooms (bench/room.py): each group's session under way in its questions phase, its
members able to follow it and no other, its projector in English, on each engine."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from intervision import live
from intervision.database import Database
from intervision.errors import DomainError
from intervision.models import BoardItemInput, Language, SessionStatus

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository root, where bench/ lives
from bench import room  # noqa: E402


def test_every_room_is_a_session_in_its_questions_phase_for_its_own_members(path: Database) -> None:
    rooms = room.seed_rooms(path, sessions=3, per_session=4)

    assert len(rooms) == 3
    assert len({one.session_id for one in rooms}) == 3
    assert len({person.id for one in rooms for person in one.members}) == 12
    for seeded, other in zip(rooms, rooms[1:] + rooms[:1], strict=True):
        session = seeded.session()
        assert session.status is SessionStatus.RUNNING and session.phase_index == room.QUESTIONS_PHASE
        member = seeded.members[0]
        view = live.participant_view(path, member, session.join_code)
        assert "question" in live.accepted_kinds(view)
        with pytest.raises(DomainError):
            live.participant_view(path, member, other.session().join_code)
        projected = live.projector_view(path, session.projector_token)
        assert projected is not None and projected.session.group_language is Language.EN


def test_a_rooms_member_sends_to_its_board(path: Database) -> None:
    seeded = room.seed_rooms(path, sessions=1, per_session=2)[0]

    live.send_to_board(path, seeded.members[1], seeded.session_id, BoardItemInput(kind="question", text="Why then?"))

    checked = room.check_board(seeded, [room.Sender(0, seeded.members[1], None, "Why then?")])  # type: ignore[arg-type]
    assert checked.passed, checked.detail
