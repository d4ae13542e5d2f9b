"""How durations and shares read in the report, the process map and the bottleneck sentence."""

from __future__ import annotations

import math


def is_missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def short_duration(hours: float | None, unit: str = "calendar") -> str:
    """Calendar time: '1.8 d' from a day on, '6.5 h' below. Working time: '27.0 wh' (working hours; a
    working day differs between departments, so no days). A dash where there is no value."""
    if hours is None or is_missing(hours):  # the `is None` lets the type checker see a float below
        return "–"
    if unit == "working":
        return f"{hours:,.1f} wh"
    return f"{hours / 24:,.1f} d" if hours >= 24 else f"{hours:.1f} h"


def _days_in_words(days: float, noun: str) -> str:
    """'1.8 days', or '1 day' when it rounds to one."""
    return f"{days:.1f} {noun}s" if abs(days - 1) > 0.05 else f"1 {noun}"


def duration_in_words(hours: float) -> str:
    """'1.8 days', or '1 day' when it rounds to one, for sentences."""
    return _days_in_words(hours / 24.0, "day")


def percent(value: float | None) -> str:
    return "–" if is_missing(value) else f"{value:.0%}"


def working_days_in_words(hours: float, working_day_hours: float = 8.0) -> str:
    """'4.1 working days', or '1 working day' when it rounds to one: working hours read as working days
    of `working_day_hours` (the designed journey's working day)."""
    return _days_in_words(hours / working_day_hours, "working day")


def time_in_words(hours: float, time: str, working_day_hours: float = 8.0) -> str:
    """A duration in its basis: working days for working time, days for calendar time."""
    return working_days_in_words(hours, working_day_hours) if time == "working" else duration_in_words(hours)
