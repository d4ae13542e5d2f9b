"""Date ranges as users type them on the command line and in config files: `FROM..TO`, both inclusive."""

from __future__ import annotations

import re
from datetime import date

from mining.errors import ConfigError

DATE_RANGE_FORMAT = "FROM..TO with ISO dates, e.g. 2026-03-01..2026-03-31"


def parse_date_range(text: str, what: str) -> tuple[date, date]:
    """`2026-03-01..2026-03-31` -> (first day, last day); `what` names the option or key in errors."""
    match = re.fullmatch(r"\s*(\S+)\s*\.\.\s*(\S+)\s*", text)
    if match is None:
        raise ConfigError(f"{what}: {text!r} is not {DATE_RANGE_FORMAT}")
    try:
        first, last = (date.fromisoformat(part) for part in match.groups())
    except ValueError as error:
        raise ConfigError(f"{what}: {text!r}: {error} (expected {DATE_RANGE_FORMAT})") from error
    if first > last:
        raise ConfigError(f"{what}: {text!r} ends before it starts")
    return first, last
