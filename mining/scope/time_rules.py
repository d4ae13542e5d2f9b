"""Time rules of one organisation, read from YAML: business calendars, which department works to which
calendar, and the pause activities whose following gap is the customer's time, not internal waiting.

    calendars:
      office:
        timezone: Europe/Amsterdam
        hours: {mon-fri: "08:00-17:00", sat: "09:00-12:00, 13:00-17:00"}
        holidays: [2026-04-06, 2026-12-25]
    departments: {Service Desk: office, Warehouse: warehouse}
    default_calendar: office
    pause_activities: ["Awaiting caller", "*Wait - User*"]

Every error names the file, the line and the key (read through eventlogs.located_config).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from pathlib import Path

from eventlogs.located_config import Located, read_yaml
from eventlogs.sql_text import sql_literal

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_INTERVAL = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_GLOB_CHARACTERS = re.compile(r"[*?\[]")

# Minutes after local midnight, end exclusive; 24:00 closes at the next midnight.
Interval = tuple[int, int]


@dataclass(frozen=True)
class BusinessCalendar:
    """When one calendar works: intervals per weekday (Monday = 0) in its local time zone, minus holidays."""

    name: str
    timezone: str
    hours: dict[int, tuple[Interval, ...]]
    holidays: frozenset[date] = frozenset()

    def intervals_on(self, day: date) -> tuple[Interval, ...]:
        return () if day in self.holidays else self.hours.get(day.weekday(), ())


@dataclass(frozen=True)
class TimeRules:
    """Calendars by name, each department's calendar, the fallback calendar and the pause activities.
    A department without a calendar (and no default) runs round the clock."""

    calendars: dict[str, BusinessCalendar] = field(default_factory=dict)
    departments: dict[str, str] = field(default_factory=dict)
    default_calendar: str | None = None
    pause_activities: tuple[str, ...] = ()
    source: Path | None = None

    def calendar_of(self, department: str | None) -> str | None:
        return self.departments.get(department, self.default_calendar) if department else self.default_calendar

    def pause_condition(self, column: str = "activity") -> str:
        """SQL that is true for a pause activity: glob patterns (*, ?, [...]) via GLOB, other names exactly."""
        if not self.pause_activities:
            return "FALSE"
        terms = [
            f"{column} GLOB {sql_literal(name)}" if _GLOB_CHARACTERS.search(name) else f"{column} = {sql_literal(name)}"
            for name in self.pause_activities
        ]
        return "(" + " OR ".join(terms) + ")"


def _weekdays(text: str) -> list[int]:
    """'mon-fri' → [0..4], 'sat' → [5], 'mon,wed' → [0, 2]; ValueError when a name is unknown."""
    days: list[int] = []
    for part in text.lower().replace(" ", "").split(","):
        first, _, last = part.partition("-")
        start = WEEKDAYS.index(first)
        end = WEEKDAYS.index(last) if last else start
        if end < start:
            raise ValueError(part)
        days.extend(range(start, end + 1))
    return days


def _intervals(text: str) -> tuple[Interval, ...]:
    """'08:00-12:00, 13:00-17:00' → ((480, 720), (780, 1020)); ValueError when malformed or overlapping."""
    if text.strip().lower() in ("closed", "none", ""):
        return ()
    intervals: list[Interval] = []
    for part in text.split(","):
        match = _INTERVAL.match(part)
        if not match:
            raise ValueError(f"'{part.strip()}' is not HH:MM-HH:MM")
        h1, m1, h2, m2 = (int(value) for value in match.groups())
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if m1 > 59 or m2 > 59 or start >= 24 * 60 or end > 24 * 60 or end <= start:
            raise ValueError(f"'{part.strip()}' is not a time range within one day")
        intervals.append((start, end))
    intervals.sort()
    for (_, previous_end), (start, _) in pairwise(intervals):
        if start < previous_end:
            raise ValueError("intervals overlap")
    return tuple(intervals)


def _hours(hours: Located) -> dict[int, tuple[Interval, ...]]:
    """{mon-fri: "08:00-17:00", sat: closed} as intervals per weekday; a day given twice is an error."""
    result: dict[int, tuple[Interval, ...]] = {}
    for days_text in hours.key_names():
        try:
            days = _weekdays(days_text)
        except ValueError as error:
            raise hours.key_error(days_text, "expected weekdays such as mon-fri, sat or mon,wed") from error
        try:
            intervals = _intervals(hours.text(days_text))
        except ValueError as error:
            raise hours.key_error(days_text, f'{error}; expected e.g. "08:00-17:00"') from error
        for day in days:
            if day in result:
                raise hours.key_error(days_text, f"{WEEKDAYS[day]} is given twice")
            result[day] = intervals
    return result


def _calendar(name: str, entry: Located) -> BusinessCalendar:
    entry.check_keys({"timezone", "hours", "holidays"})
    timezone = entry.time_zone("timezone")
    hours = _hours(entry.section("hours"))
    holidays: set[date] = set()
    for index, text in enumerate(entry.text_list("holidays")):
        try:
            holidays.add(date.fromisoformat(text))
        except ValueError as error:
            raise entry.error_at(("holidays", index), f"'{text}' is no ISO date (YYYY-MM-DD)") from error
    return BusinessCalendar(name, timezone, hours, frozenset(holidays))


def _known_calendar(section: Located, key: str, calendars: dict[str, BusinessCalendar]) -> str:
    name = section.text(key)
    if name not in calendars:
        known = ", ".join(sorted(calendars)) or "none defined"
        raise section.key_error(key, f"unknown calendar '{name}' (calendars: {known})")
    return name


def load_time_rules(path: Path) -> TimeRules:
    """Reads and validates a time-rules YAML file."""
    root = read_yaml(path, "time-rules file (YAML)")
    root.check_keys({"calendars", "departments", "default_calendar", "pause_activities"})
    calendars: dict[str, BusinessCalendar] = {}
    if "calendars" in root:
        entries = root.section("calendars")
        calendars = {name: _calendar(name, entries.section(name)) for name in entries.key_names()}
    departments: dict[str, str] = {}
    if "departments" in root:
        listed = root.section("departments")
        departments = {name: _known_calendar(listed, name, calendars) for name in listed.key_names()}
    default = _known_calendar(root, "default_calendar", calendars) if "default_calendar" in root else None
    pauses = tuple(root.text_list("pause_activities"))
    return TimeRules(calendars, departments, default, pauses, path)
