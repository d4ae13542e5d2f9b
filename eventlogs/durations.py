"""Durations as people write them in configuration files."""

from __future__ import annotations

import re

from eventlogs.errors import ConfigError

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(h|hours?|d|days?|w|weeks?)\s*$", re.IGNORECASE)
_HOURS_PER_UNIT = {"h": 1.0, "d": 24.0, "w": 168.0}


def parse_duration_hours(text: str | int | float, where: str) -> float:
    """'36h', '2d', '1.5 days', '1w' -> hours (calendar time); `where` names the place in errors."""
    match = _DURATION.match(str(text))
    if not match:
        raise ConfigError(f"{where}: '{text}' is not a duration such as 36h, 2d or 1w")
    return float(match.group(1)) * _HOURS_PER_UNIT[match.group(2)[0].lower()]
