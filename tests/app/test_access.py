"""Every screen for every role: opened where allowed, refused by its own guard where not, in Dutch too."""

from __future__ import annotations

import pytest
from driving import ROLES, check_access, check_health_in_dutch

from ui.registry import SCREENS


@pytest.mark.parametrize("screen", list(SCREENS))
@pytest.mark.parametrize("role", ROLES)
def test_who_may_open_each_screen(people, screen, role):
    check_access(people, screen, role)


@pytest.mark.parametrize("screen", list(SCREENS))
@pytest.mark.parametrize("role", ROLES)
def test_each_screen_in_dutch(people, screen, role):
    check_health_in_dutch(people, screen, role)
