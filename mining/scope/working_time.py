"""Working time in DuckDB SQL: a temp table of each calendar's working intervals as UTC instants, with the
working hours before each interval, so the working clock at any instant is one ASOF JOIN away and the
working hours between two instants are the difference of their clocks.

The intervals are built from the rules in local time with zoneinfo, so a day on which the clocks change
still opens and closes at its local hours (and working hours across a DST change stay exact).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd

from eventlogs.one_row import one_row
from eventlogs.sql_text import sql_literal
from mining.scope.frames import registered
from mining.scope.time_rules import BusinessCalendar, TimeRules

INTERVALS_TABLE = "working_intervals"
DEPARTMENTS_TABLE = "department_calendars"


def working_intervals(calendar: BusinessCalendar, first: date, last: date) -> list[tuple[datetime, datetime]]:
    """The calendar's working intervals on local dates `first`..`last` (inclusive), as UTC instants."""
    zone = ZoneInfo(calendar.timezone)
    intervals: list[tuple[datetime, datetime]] = []
    day = first
    while day <= last:
        midnight = datetime.combine(day, time(), tzinfo=zone)
        for start_minute, end_minute in calendar.intervals_on(day):
            # aware datetime + timedelta is wall-clock arithmetic: 00:00 + 8 h is 08:00 local on a DST day too
            starts = (midnight + timedelta(minutes=start_minute)).astimezone(UTC)
            ends = (
                datetime.combine(day + timedelta(days=1), time(), tzinfo=zone)
                if end_minute == 24 * 60
                else midnight + timedelta(minutes=end_minute)
            ).astimezone(UTC)
            if ends > starts:  # an interval inside a skipped DST hour has no length
                intervals.append((starts, ends))
        day += timedelta(days=1)
    return intervals


def install_working_clock(
    connection: duckdb.DuckDBPyConnection, rules: TimeRules, first: datetime, last: datetime
) -> None:
    """Creates the temp tables `working_intervals(calendar, starts_at, ends_at, hours_before)` covering
    `first`..`last` and `department_calendars(department, calendar)`."""
    frames = []
    # a day either side: local dates differ from UTC dates by the zone's offset
    first_day, last_day = first.date() - timedelta(days=2), last.date() + timedelta(days=2)
    for name, calendar in rules.calendars.items():
        rows = working_intervals(calendar, first_day, last_day)
        frame = pd.DataFrame(rows, columns=["starts_at", "ends_at"])
        lengths = (frame["ends_at"] - frame["starts_at"]).dt.total_seconds() / 3600.0
        frame["hours_before"] = lengths.cumsum() - lengths
        frame.insert(0, "calendar", name)
        frames.append(frame)
    intervals = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=["calendar", "starts_at", "ends_at", "hours_before"])
    )
    connection.execute(f"""
        CREATE OR REPLACE TEMP TABLE {INTERVALS_TABLE} (
            calendar VARCHAR, starts_at TIMESTAMPTZ, ends_at TIMESTAMPTZ, hours_before DOUBLE)
    """)
    if len(intervals):
        with registered(connection, _working_interval_rows=intervals):
            connection.execute(f"INSERT INTO {INTERVALS_TABLE} SELECT * FROM _working_interval_rows")
    connection.execute(f"CREATE OR REPLACE TEMP TABLE {DEPARTMENTS_TABLE} (department VARCHAR, calendar VARCHAR)")
    if rules.departments:
        connection.executemany(f"INSERT INTO {DEPARTMENTS_TABLE} VALUES (?, ?)", list(rules.departments.items()))


def clock_sql(interval_alias: str, instant: str) -> str:
    """Working hours on the calendar's clock at `instant`, given the interval ASOF-joined as
    `interval_alias` (the last one starting at or before the instant)."""
    return (
        f"({interval_alias}.hours_before + least(epoch({instant} - {interval_alias}.starts_at), "
        f"epoch({interval_alias}.ends_at - {interval_alias}.starts_at)) / 3600.0)"
    )


def default_calendar_sql(rules: TimeRules) -> str:
    return "NULL::VARCHAR" if rules.default_calendar is None else sql_literal(rules.default_calendar)


def working_hours(connection: duckdb.DuckDBPyConnection, calendar: str, starts: datetime, ends: datetime) -> float:
    """Working hours of one calendar between two instants (the temp tables installed first)."""
    row = one_row(
        connection.execute(
            f"""
        WITH instants AS (SELECT ?::VARCHAR AS calendar, ?::TIMESTAMPTZ AS starts, ?::TIMESTAMPTZ AS ends)
        SELECT coalesce({clock_sql("b", "i.ends")}, 0) - coalesce({clock_sql("a", "i.starts")}, 0)
        FROM instants i
        ASOF LEFT JOIN {INTERVALS_TABLE} a ON i.calendar = a.calendar AND i.starts >= a.starts_at
        ASOF LEFT JOIN {INTERVALS_TABLE} b ON i.calendar = b.calendar AND i.ends >= b.starts_at
        """,
            [calendar, starts, ends],
        )
    )
    return float(row[0])
