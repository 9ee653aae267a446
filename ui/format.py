"""Dates and times as a Dutch or English reader expects them, in the browser's time zone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import streamlit as st

from intervision import clock
from ui.guard import Viewer


def local_zone() -> ZoneInfo:
    try:
        return ZoneInfo(st.context.timezone or "Europe/Amsterdam")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Europe/Amsterdam")


def local_now() -> datetime:
    """The moment now on the clock, in the browser's time zone."""
    return clock.utcnow().astimezone(local_zone())


def day(moment: date, viewer: Viewer) -> str:
    return f"{moment.day} {viewer.t(f'month.{moment.month}')} {moment.year}"


def moment(when: datetime, viewer: Viewer) -> str:
    local = when.astimezone(local_zone())
    return f"{day(local, viewer)}, {local:%H:%M}"
