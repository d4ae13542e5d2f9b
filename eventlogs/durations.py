"""Durations as people write them in configuration files."""

from __future__ import annotations

import re

from eventlogs.errors import ConfigError

_PART = r"(\d+(?:\.\d+)?)\s*(h|hours?|d|days?|w|weeks?)"
_DURATION = re.compile(rf"^\s*(?:{_PART}\s*)+$", re.IGNORECASE)


def parse_duration_hours(text: str | int | float, where: str, day_hours: float = 24.0, week_days: float = 7.0) -> float:
    """'36h', '2d', '1.5 days', '1w', '1d12h' -> hours; `where` names the place in errors.

    Calendar time by default. For working time pass the length of a working day and of a working week
    (for example 8 and 5): "2d" is then 16 hours."""
    if not _DURATION.match(str(text)):
        raise ConfigError(f"{where}: '{text}' is not a duration such as 36h, 2d, 1d12h or 1w")
    hours_per_unit = {"h": 1.0, "d": day_hours, "w": day_hours * week_days}
    return sum(
        float(number) * hours_per_unit[unit[0].lower()] for number, unit in re.findall(_PART, str(text), re.IGNORECASE)
    )
