"""How durations and shares read in the report, the process map and the bottleneck sentence."""

from __future__ import annotations

import math


def is_missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def short_duration(hours: float | None) -> str:
    """'1.8 d' from a day on, '6.5 h' below; a dash where there is no value (no finished journey)."""
    if is_missing(hours):
        return "–"
    return f"{hours / 24:,.1f} d" if hours >= 24 else f"{hours:.1f} h"


def duration_in_words(hours: float) -> str:
    """'1.8 days', or '1 day' when it rounds to one, for sentences."""
    days = hours / 24.0
    return f"{days:.1f} days" if abs(days - 1) > 0.05 else "1 day"


def percent(value: float | None) -> str:
    return "–" if is_missing(value) else f"{value:.0%}"
