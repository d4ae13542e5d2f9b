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

Every error names the file, the line and the key (yaml.compose keeps each node's position).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from eventlogs.sql_text import sql_literal
from eventlogs.yaml_lines import compose_yaml
from mining.errors import ConfigError

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


class _Reader:
    """Turns composed YAML nodes into values, each error naming the file, line and key path."""

    def __init__(self, file: Path) -> None:
        self.file = file

    def error(self, node: yaml.Node | None, where: str, message: str) -> ConfigError:
        line = f":{node.start_mark.line + 1}" if node is not None else ""
        return ConfigError(f"{self.file}{line}: {where}: {message}")

    def mapping(self, node: yaml.Node, where: str) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """Key → (key node, value node), in file order; duplicate keys are an error, not a silent override."""
        if not isinstance(node, yaml.MappingNode):
            raise self.error(node, where, "must be a mapping of keys to values")
        entries: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            key = self.scalar(key_node, where)
            if key in entries:
                raise self.error(key_node, f"{where}.{key}", "appears twice")
            entries[key] = (key_node, value_node)
        return entries

    def scalar(self, node: yaml.Node, where: str) -> str:
        if not isinstance(node, yaml.ScalarNode) or node.value == "":
            raise self.error(node, where, "must be a non-empty text value")
        return str(node.value)

    def scalar_list(self, node: yaml.Node, where: str) -> list[tuple[yaml.Node, str]]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.error(node, where, "must be a list")
        return [(item, self.scalar(item, f"{where}[{index}]")) for index, item in enumerate(node.value)]


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


def _calendar(reader: _Reader, name: str, node: yaml.Node) -> BusinessCalendar:
    where = f"calendars.{name}"
    entries = reader.mapping(node, where)
    for key, (key_node, _) in entries.items():
        if key not in ("timezone", "hours", "holidays"):
            raise reader.error(key_node, f"{where}.{key}", "unknown key (expected timezone, hours, holidays)")
    if "timezone" not in entries:
        raise reader.error(node, where, "key 'timezone' is missing")
    zone_node = entries["timezone"][1]
    timezone = reader.scalar(zone_node, f"{where}.timezone")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise reader.error(zone_node, f"{where}.timezone", f"'{timezone}' is no IANA time zone") from error
    if "hours" not in entries:
        raise reader.error(node, where, "key 'hours' is missing")
    hours: dict[int, tuple[Interval, ...]] = {}
    for days_text, (days_node, value_node) in reader.mapping(entries["hours"][1], f"{where}.hours").items():
        key_where = f"{where}.hours.{days_text}"
        try:
            days = _weekdays(days_text)
        except ValueError as error:
            raise reader.error(days_node, key_where, "expected weekdays such as mon-fri, sat or mon,wed") from error
        try:
            intervals = _intervals(reader.scalar(value_node, key_where))
        except ValueError as error:
            raise reader.error(value_node, key_where, f'{error}; expected e.g. "08:00-17:00"') from error
        for day in days:
            if day in hours:
                raise reader.error(days_node, key_where, f"{WEEKDAYS[day]} is given twice")
            hours[day] = intervals
    holidays: set[date] = set()
    if "holidays" in entries:
        for item, text in reader.scalar_list(entries["holidays"][1], f"{where}.holidays"):
            try:
                holidays.add(date.fromisoformat(text))
            except ValueError as error:
                raise reader.error(item, f"{where}.holidays", f"'{text}' is no ISO date (YYYY-MM-DD)") from error
    return BusinessCalendar(name, timezone, hours, frozenset(holidays))


def load_time_rules(path: Path) -> TimeRules:
    """Reads and validates a time-rules YAML file."""
    root = compose_yaml(path, "time-rules file (YAML)")
    reader = _Reader(path)
    if root is None:
        return TimeRules(source=path)
    entries = reader.mapping(root, "time rules")
    for key, (key_node, _) in entries.items():
        if key not in ("calendars", "departments", "default_calendar", "pause_activities"):
            raise reader.error(
                key_node, key, "unknown key (expected calendars, departments, default_calendar, pause_activities)"
            )
    calendars: dict[str, BusinessCalendar] = {}
    if "calendars" in entries:
        for name, (_, node) in reader.mapping(entries["calendars"][1], "calendars").items():
            calendars[name] = _calendar(reader, name, node)

    def known_calendar(node: yaml.Node, where: str) -> str:
        name = reader.scalar(node, where)
        if name not in calendars:
            known = ", ".join(sorted(calendars)) or "none defined"
            raise reader.error(node, where, f"unknown calendar '{name}' (calendars: {known})")
        return name

    departments: dict[str, str] = {}
    if "departments" in entries:
        for department, (_, node) in reader.mapping(entries["departments"][1], "departments").items():
            departments[department] = known_calendar(node, f"departments.{department}")
    default = (
        known_calendar(entries["default_calendar"][1], "default_calendar") if "default_calendar" in entries else None
    )
    pauses: tuple[str, ...] = ()
    if "pause_activities" in entries:
        pauses = tuple(text for _, text in reader.scalar_list(entries["pause_activities"][1], "pause_activities"))
    return TimeRules(calendars, departments, default, pauses, path)
