"""The slice of the store an analysis looks at, as temp views every query reads from; `define_scope`
returns them as a `Scope`, the first argument of every analysis.

`scope_journeys`: the journeys in scope with `lead_hours` and `lead_working_hours` (finished only, NULL
while open), and for open journeys `censored_at` (the store's extraction moment: its latest recorded
time) with `open_hours` / `open_working_hours` from opening until then. Open journeys stay in scope as
censored: never dropped, never counted as finished.

`scope_work_events`: the work events, numbered by `position` in time order, each with the wait leading
into it: `wait_hours` (calendar hours since the journey's previous work event, NULL for the first),
`wait_working_hours` (the same wait on the business calendar of THIS event's department, the receiving
one; pause time excluded), `paused_hours` / `paused_working_hours` (the wait when the previous event was
a pause activity: the customer's time, not internal waiting, else 0) and `lifecycle` ('start' |
'complete' | NULL). Without calendars working time is calendar time; the lead is measured on the
default calendar. `calendar` and `clock_hours` (the working hours of that calendar up to the event, on
an arbitrary origin) let any two events on the same calendar be measured in working time by difference.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import duckdb

from eventlogs.one_row import one_row, one_value
from eventlogs.sql_text import sql_literal
from mining.errors import AnalysisError
from mining.scope.time_rules import TimeRules
from mining.scope.working_time import (
    DEPARTMENTS_TABLE,
    INTERVALS_TABLE,
    clock_sql,
    default_calendar_sql,
    install_working_clock,
)

JOURNEYS_VIEW = "scope_journeys"
WORK_EVENTS_VIEW = "scope_work_events"
SCOPE_VIEWS = (JOURNEYS_VIEW, WORK_EVENTS_VIEW)
MATERIALISED = "_materialised"  # suffix of the temp tables `materialise_scope` fills


@dataclass(frozen=True)
class Scope:
    """The scope `define_scope` made on `connection`: the views to read (`journeys`, `work_events`), what
    was chosen (journey type, period, time rules), the time basis (`working_time`: time rules define it,
    business calendars and/or pauses left out of the waits; without them the working-time columns equal
    the calendar ones),
    the extraction moment where open journeys are censored, and the number of journeys in scope."""

    connection: duckdb.DuckDBPyConnection
    journey_type: str | None
    period: tuple[date, date] | None
    time_rules: TimeRules
    extracted_at: datetime
    journey_count: int
    journeys: str = JOURNEYS_VIEW
    work_events: str = WORK_EVENTS_VIEW

    @property
    def working_time(self) -> bool:
        """The basis the time rules define: business calendars and/or pauses left out of the waits."""
        return bool(self.time_rules.calendars or self.time_rules.pause_activities)


def _period_filter(period: tuple[date, date] | None) -> str:
    """Journeys opened from the first date to the last, both inclusive, as UTC calendar days (the store
    holds UTC instants; the session's own time zone must not shift the bounds)."""
    if period is None:
        return "TRUE"
    first, last = period
    end = last + timedelta(days=1)  # inclusive last day: everything before the next midnight
    return f"opened_at >= TIMESTAMPTZ '{first} 00:00:00+00' AND opened_at < TIMESTAMPTZ '{end} 00:00:00+00'"


def store_time_range(connection: duckdb.DuckDBPyConnection) -> tuple[datetime | None, datetime | None]:
    """The earliest and latest instant the store records (events, openings, closings); the latest is the
    extraction moment, where open journeys are censored (`Scope.extracted_at`)."""
    return one_row(
        connection.execute("""
        SELECT least((SELECT min(ts) FROM events), (SELECT min(opened_at) FROM journeys)),
               greatest((SELECT max(ts) FROM events), (SELECT max(opened_at) FROM journeys),
                        (SELECT max(closed_at) FROM journeys))
    """)
    )


def _timestamp_sql(moment: datetime | None) -> str:
    return "NULL::TIMESTAMPTZ" if moment is None else f"TIMESTAMPTZ '{moment.isoformat()}'"


def _has_lifecycle(connection: duckdb.DuckDBPyConnection) -> bool:
    """Stores made before the lifecycle column, opened read-only, lack it."""
    return bool(
        one_value(
            connection.execute(
                "SELECT count(*) FROM duckdb_columns() WHERE table_name = 'events' AND column_name = 'lifecycle'"
                " AND schema_name = 'main' AND database_name = current_database()"
            )
        )
    )


def _journeys_sql(type_filter: str, censored_at: str, calendared: bool, default_calendar: str) -> str:
    if not calendared:
        return f"""
        SELECT *, CASE WHEN NOT is_open THEN epoch(closed_at - opened_at) / 3600.0 END AS lead_hours,
               CASE WHEN NOT is_open THEN epoch(closed_at - opened_at) / 3600.0 END AS lead_working_hours,
               CASE WHEN is_open THEN {censored_at} END AS censored_at,
               CASE WHEN is_open THEN epoch({censored_at} - opened_at) / 3600.0 END AS open_hours,
               CASE WHEN is_open THEN epoch({censored_at} - opened_at) / 3600.0 END AS open_working_hours
        FROM journeys WHERE {type_filter}"""
    # the journey's own clock: the default calendar's intervals at opening, closing and censoring
    intervals = f"(SELECT * FROM {INTERVALS_TABLE} WHERE calendar = {default_calendar})"
    return f"""
        WITH chosen AS (
            SELECT *, CASE WHEN is_open THEN {censored_at} END AS censored_at FROM journeys WHERE {type_filter}
        )
        SELECT c.*, CASE WHEN NOT c.is_open THEN epoch(c.closed_at - c.opened_at) / 3600.0 END AS lead_hours,
               CASE WHEN NOT c.is_open THEN coalesce({clock_sql("k", "c.closed_at")}, 0)
                                          - coalesce({clock_sql("o", "c.opened_at")}, 0) END AS lead_working_hours,
               CASE WHEN c.is_open THEN epoch(c.censored_at - c.opened_at) / 3600.0 END AS open_hours,
               CASE WHEN c.is_open THEN coalesce({clock_sql("x", "c.censored_at")}, 0)
                                      - coalesce({clock_sql("o", "c.opened_at")}, 0) END AS open_working_hours
        FROM chosen c
        ASOF LEFT JOIN {intervals} o ON c.opened_at >= o.starts_at
        ASOF LEFT JOIN {intervals} k ON c.closed_at >= k.starts_at
        ASOF LEFT JOIN {intervals} x ON c.censored_at >= x.starts_at"""


def _work_events_sql(rules: TimeRules, lifecycle: str, calendared: bool) -> str:
    ordered = f"""
        SELECT e.journey_id, e.activity, e.ts, e.department, e.team, e.resource, e.source_event_id,
               {lifecycle} AS lifecycle,
               row_number() OVER w AS position, lag(e.ts) OVER w AS previous_ts,
               coalesce({rules.pause_condition("lag(e.activity) OVER w")}, FALSE) AS after_pause
        FROM events e SEMI JOIN {JOURNEYS_VIEW} j USING (journey_id)
        WHERE e.event_kind = 'work'
        WINDOW w AS (PARTITION BY e.journey_id ORDER BY e.ts, e.source_event_id)"""
    calendar_hours = "epoch(ts - previous_ts) / 3600.0"
    if calendared:
        source = f"""(
            SELECT c.*, coalesce({clock_sql("n", "c.ts")}, 0) AS clock_at,
                   coalesce({clock_sql("p", "c.previous_ts")}, 0) AS clock_before
            FROM (
                SELECT o.*, coalesce(d.calendar, {default_calendar_sql(rules)}) AS calendar
                FROM ({ordered}) o LEFT JOIN {DEPARTMENTS_TABLE} d USING (department)
            ) c
            ASOF LEFT JOIN {INTERVALS_TABLE} n ON c.calendar = n.calendar AND c.ts >= n.starts_at
            ASOF LEFT JOIN {INTERVALS_TABLE} p ON c.calendar = p.calendar AND c.previous_ts >= p.starts_at
        )"""
        # a department on no calendar works round the clock
        working_hours = f"CASE WHEN calendar IS NULL THEN {calendar_hours} ELSE clock_at - clock_before END"
        clock = "calendar, CASE WHEN calendar IS NULL THEN epoch(ts) / 3600.0 ELSE clock_at END AS clock_hours"
    else:
        source, working_hours = f"({ordered})", calendar_hours
        clock = "NULL::VARCHAR AS calendar, epoch(ts) / 3600.0 AS clock_hours"
    return f"""
        SELECT journey_id, activity, ts, department, team, resource, source_event_id, lifecycle, position,
               {calendar_hours} AS wait_hours,
               CASE WHEN previous_ts IS NULL THEN NULL WHEN after_pause THEN 0.0 ELSE {working_hours} END
                   AS wait_working_hours,
               CASE WHEN previous_ts IS NULL THEN NULL WHEN after_pause THEN {calendar_hours} ELSE 0.0 END
                   AS paused_hours,
               CASE WHEN previous_ts IS NULL THEN NULL WHEN after_pause THEN {working_hours} ELSE 0.0 END
                   AS paused_working_hours,
               {clock}
        FROM {source}"""


def materialise_scope(connection: duckdb.DuckDBPyConnection) -> None:
    """Computes the scope views once into temp tables and points the views at them. With business
    calendars every read of the views redoes the ASOF joins onto the working intervals; an analysis that
    reads them a dozen times pays that once instead. The names stay views, so `define_scope` can redefine
    them later; it drops the tables then."""
    for view in SCOPE_VIEWS:
        connection.execute(f"CREATE OR REPLACE TEMP TABLE {view}{MATERIALISED} AS FROM {view}")
    for view in SCOPE_VIEWS:  # scope_work_events reads scope_journeys: repoint only once both are copied
        connection.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS FROM {view}{MATERIALISED}")


def _drop_materialised(connection: duckdb.DuckDBPyConnection) -> None:
    for view in SCOPE_VIEWS:
        connection.execute(f"DROP TABLE IF EXISTS temp.{view}{MATERIALISED}")


def define_scope(
    connection: duckdb.DuckDBPyConnection,
    journey_type: str | None = None,
    period: tuple[date, date] | None = None,
    time_rules: TimeRules | None = None,
    materialise: bool = False,
) -> Scope:
    """Creates `scope_journeys` and `scope_work_events` (work events only, numbered in time order, with
    their waits in calendar and working time); returns the `Scope` every analysis takes. Customer
    contacts and assignment changes are kept out of the paths: they are not steps of the journey, and a
    chasing call must not split a handover in two. `period` keeps the journeys opened on those dates
    (inclusive, UTC); `time_rules` gives the business calendars and pause activities. `materialise`
    computes the scope once (`materialise_scope`): for callers that read it many times."""
    rules = time_rules or TimeRules()
    # Views cannot hold prepared parameters, so the filter is an escaped literal.
    type_filter = "TRUE" if journey_type is None else f"journey_type = {sql_literal(journey_type)}"
    type_filter = f"{type_filter} AND {_period_filter(period)}"
    first, last = store_time_range(connection)
    _drop_materialised(connection)
    calendared = bool(rules.calendars) and first is not None
    if calendared and first is not None and last is not None:  # a first instant comes with a last one
        install_working_clock(connection, rules, first, last)
    default_calendar = default_calendar_sql(rules)
    connection.execute(
        f"CREATE OR REPLACE TEMP VIEW {JOURNEYS_VIEW} AS "
        + _journeys_sql(
            type_filter, _timestamp_sql(last), calendared and rules.default_calendar is not None, default_calendar
        )
    )
    lifecycle = "e.lifecycle" if _has_lifecycle(connection) else "NULL::VARCHAR"
    connection.execute(
        f"CREATE OR REPLACE TEMP VIEW {WORK_EVENTS_VIEW} AS " + _work_events_sql(rules, lifecycle, calendared)
    )
    count = one_value(connection.execute(f"SELECT count(*) FROM {JOURNEYS_VIEW}"))
    if count == 0 and period is not None:
        kind = "journeys" if journey_type is None else f"journeys of type '{journey_type}'"
        raise AnalysisError(f"no {kind} opened from {period[0]} to {period[1]} in the store")
    if count == 0:
        raise AnalysisError(f"no journeys of type '{journey_type}' in the store")
    if last is None:  # journeys in scope were opened, so the store records an instant: for the type checker
        raise AnalysisError("the store records no instant")
    if materialise:
        materialise_scope(connection)
    return Scope(connection, journey_type, period, rules, last, count)
