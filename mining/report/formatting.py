"""How durations and shares read in the report, the process map and the bottleneck sentence.

The unit rules, once for every output (`journey mine`, `compare`, `pilot` and the flow's report):

- The basis of an output is decided once per run from the scope (`basis_of(Scope.working_time)`):
  working time when time rules define business calendars or pauses, calendar time otherwise. Without
  time rules every figure is calendar time and says so; nothing then says "working".
- Working time reads in working hours only ('2.5 wh', '2.5 working hours'): a wait is counted on the
  calendar of the department that picks the work up, and those calendars' days differ in length (a
  9-17 office, a 6-22 warehouse), so no working day would be true for every figure.
- Calendar time reads in hours below a day and in days of 24 hours from a day on ('18.5 h' / '18.5
  hours', '2.1 d' / '2.1 days').
- Tables and maps take the short form (`short_duration`), sentences the words (`duration_in_words`).
"""

from __future__ import annotations

import math

from mining.design.journey import TimeBasis

# Each basis as headers and legends name it, what it leaves out, and its short units.
_BASIS_NAMES = {"calendar": "calendar time", "working": "working time"}
_BASIS_DETAIL = {"calendar": "", "working": "business calendars, pauses left out"}
_UNITS = {"calendar": "h = hours, d = days of 24 hours", "working": "wh = working hours"}


def basis_of(working_time: bool) -> TimeBasis:
    """The basis of a run's figures from `Scope.working_time` (carried as `JourneyComparison.working_time`,
    `PilotScope.working_time`, `MapGraph.wait_unit`, `Analysis.wait_unit`)."""
    return "working" if working_time else "calendar"


def basis_words(basis: str, units: bool = False) -> str:
    """'calendar time', 'working time (business calendars, pauses left out)'; with `units` their legend:
    'calendar time (h = hours, d = days of 24 hours)', 'working time (business calendars, pauses left out;
    wh = working hours)'."""
    key = "working" if basis == "working" else "calendar"
    said = [part for part in (_BASIS_DETAIL[key], _UNITS[key] if units else "") if part]
    return f"{_BASIS_NAMES[key]} ({'; '.join(said)})" if said else _BASIS_NAMES[key]


def times_header(basis: str) -> str:
    """What a page's header says of its times: in working time the waits are, while the lead times of the
    variants and journey types stay calendar time (a customer lives through those)."""
    calendar = basis_words("calendar", units=True)
    if basis != "working":
        return f"all times in {calendar}"
    return f"waits in {basis_words('working', units=True)}; lead times in {calendar}"


def is_missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def short_duration(hours: float | None, basis: str = "calendar") -> str:
    """For tables and maps. Calendar time: '1.8 d' from a day on, '6.5 h' below. Working time: '27.0 wh'.
    A dash where there is no value."""
    if hours is None or is_missing(hours):  # the `is None` lets the type checker see a float below
        return "–"
    if basis == "working":
        return f"{hours:,.1f} wh"
    return f"{hours / 24:,.1f} d" if hours >= 24 else f"{hours:.1f} h"


def _days_in_words(days: float, noun: str) -> str:
    """'1.8 days', or '1 day' when it rounds to one."""
    return f"{days:,.1f} {noun}s" if abs(days - 1) > 0.05 else f"1 {noun}"


def duration_in_words(hours: float, basis: str = "calendar") -> str:
    """For sentences, the same units as `short_duration`: '27.0 working hours'; '6.5 hours', '1.8 days'
    (or '1 day' when it rounds to one)."""
    if basis == "working":
        return f"{hours:,.1f} working hours"
    return _days_in_words(hours / 24.0, "day") if hours >= 24 else f"{hours:.1f} hours"


def durations_in_words(first: float, second: float, basis: str = "calendar") -> str:
    """Two durations in one unit, the one that suits the larger: '2.5 -> 3.0 working hours', '0.8 -> 1.2
    days'. A missing one reads 'not reached'."""
    if is_missing(first) or is_missing(second):
        return " -> ".join("not reached" if is_missing(v) else duration_in_words(v, basis) for v in (first, second))
    if basis == "working":
        return f"{first:,.1f} -> {second:,.1f} working hours"
    if max(first, second) >= 24:
        return f"{first / 24:,.1f} -> {second / 24:,.1f} days"
    return f"{first:.1f} -> {second:.1f} hours"


def percent(value: float | None) -> str:
    return "–" if is_missing(value) else f"{value:.0%}"
