"""Dates and times as a Dutch or English reader expects them, in the browser's time zone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import streamlit as st

from intervision import clock, i18n
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
    """ "2 december 2026" or "2 December 2026"."""
    return i18n.day(moment, viewer.language)


def date_input_format(viewer: Viewer) -> str:
    """How a date picker writes its date: the language's short date (DD-MM-YYYY in Dutch, DD/MM/YYYY in English)."""
    pattern = str(i18n.locale(viewer.language).date_formats["short"])  # "dd-MM-y", "dd/MM/y"
    return pattern.replace("dd", "DD").replace("y", "YYYY")


def short_day(moment: date, viewer: Viewer) -> str:
    """ "2 dec" or "2 Dec", where the year goes without saying."""
    return i18n.short_day(moment, viewer.language)


def moment(when: datetime, viewer: Viewer) -> str:
    """ "2 december 2026, 14:05" in the browser's time zone."""
    return i18n.moment(when, viewer.language, local_zone())


def number(value: float, viewer: Viewer, decimals: int = 1) -> str:
    """ "3,5" or "3.5"."""
    return i18n.number(value, viewer.language, decimals)


def minutes(value: float, viewer: Viewer) -> str:
    """Minutes as written: "7,5" or "7.5", and "50" when whole."""
    return i18n.short_number(value, viewer.language)
