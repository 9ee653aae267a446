"""When a countdown that ticks in the browser must be drawn again by the server (live.seconds_until_redrawn).

The browser rewrites only the digits; the colour (amber in the last fifth, red when over), the flashing at
time up and the plan's "n min behind" are drawn by the server, at the moment they change.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from unit_support import NOW

from intervision import live
from intervision.live import REDRAW_MARGIN_SECONDS, seconds_until_redrawn
from intervision.models import Person, Role, StartSessionInput

FIRST_PHASE_SECONDS = 10 * 60  # the incident method's first phase


def at(seconds: float):
    return NOW + timedelta(seconds=seconds)


@pytest.fixture
def running(path, make_person, make_group) -> tuple[object, Person, int]:
    lead = make_person("Fenna Facilitator", Role.FACILITATOR)
    group_id = make_group("Team North", facilitators=(lead,), members=(make_person("Anna Member"),))
    session_id = live.start_session(path, lead, StartSessionInput(group_id=group_id, method_id="incident"), now=NOW)
    live.begin_phases(path, lead, session_id, 0, now=NOW)
    return path, lead, session_id


def _redraw_after(running, seconds_in: float) -> float | None:
    path, lead, session_id = running
    return seconds_until_redrawn(live.console_view(path, lead, session_id, now=at(seconds_in)))


def test_a_fresh_phase_is_drawn_again_when_it_turns_amber(running):
    # Amber with a fifth left: 8 minutes into a 10-minute phase.
    assert _redraw_after(running, 0) == pytest.approx(8 * 60 + REDRAW_MARGIN_SECONDS)
    assert _redraw_after(running, 7 * 60) == pytest.approx(60 + REDRAW_MARGIN_SECONDS)


def test_an_amber_phase_is_drawn_again_when_time_is_up(running):
    assert _redraw_after(running, FIRST_PHASE_SECONDS - 5) == pytest.approx(5 + REDRAW_MARGIN_SECONDS)


def test_over_time_it_is_drawn_again_when_the_plans_minutes_change(running):
    # 10 s over: "on plan" until the overrun rounds to a minute, at 30 s over.
    assert _redraw_after(running, FIRST_PHASE_SECONDS + 10) == pytest.approx(20 + REDRAW_MARGIN_SECONDS)
    # 100 s over ("2 min behind"), next change at 150 s over ("3 min behind").
    assert _redraw_after(running, FIRST_PHASE_SECONDS + 100) == pytest.approx(50 + REDRAW_MARGIN_SECONDS)
    path, lead, session_id = running
    before = live.console_view(path, lead, session_id, now=at(FIRST_PHASE_SECONDS + 149)).behind_seconds
    after = live.console_view(path, lead, session_id, now=at(FIRST_PHASE_SECONDS + 150.3)).behind_seconds
    assert (round(before / 60), round(after / 60)) == (2, 3), "the text does change then"


def test_a_paused_clock_is_never_drawn_again_by_itself(running):
    path, lead, session_id = running
    live.pause(path, lead, session_id, 1, now=at(30))
    assert _redraw_after(running, 60) is None


def test_extra_minutes_move_the_moments_but_not_the_plan(running):
    """Five more minutes: amber and time up move by five minutes (of 15), the plan still counts the phase's 10."""
    path, lead, session_id = running
    live.add_minutes(path, lead, session_id, 1, 5, now=at(0))
    # 9 minutes in: not time up at 10 (that is 15 now) nor amber (at 12), but "1 min behind" the plan's
    # 10 minutes, once the phase runs 30 s past them.
    assert _redraw_after(running, 9 * 60) == pytest.approx(90 + REDRAW_MARGIN_SECONDS)
    # 12 minutes in: "2 min behind" the plan's 10 minutes, "3 min" 30 s later, well before time is up at 15.
    assert _redraw_after(running, 12 * 60) == pytest.approx(30 + REDRAW_MARGIN_SECONDS)
