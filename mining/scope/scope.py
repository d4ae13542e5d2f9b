"""The slice of the store an analysis looks at, as temp views every query reads from; `define_scope`
returns them as a `Scope`, the first argument of every analysis.

`scope_journeys`: the journeys in scope with `lead_hours` and `lead_working_hours` (finished only, NULL
while open), and for open journeys `censored_at` (the store's extraction moment: its latest recorded
time) with `open_hours` / `open_working_hours` from opening until then. Open journeys stay in scope as
censored: never dropped, never counted as finished.

`scope_work_events`: the journeys' steps, numbered by `position` in time order (at equal times as
eventlogs.store.journey_order_sql says: the file's order or a tie-break, then the event id). A step is
a work event, or, where the source records lifecycles, an activity instance: a start and its complete
are ONE step (`ts` its start, `completed_at` its complete), so every analysis (variants, directly
follows, rework, handovers, conformance, norms, pilot) sees instances. A start pairs with a complete
of the same activity in the journey, of the same `instance` id where the source maps one; first come,
first paired (the k-th start with the k-th complete that has an open start before it). A start or a
complete left unpaired, and an event without lifecycle, is a step of its own (`completed_at` NULL).
A step's department, team and resource are its start's, else its complete's.

Each step has the wait leading into it: `wait_hours` (calendar hours from the previous step's end, its
complete or else its time, to this step's start; NULL for the first; 0 when the step started before
the previous one ended: parallel work), `wait_working_hours` (the same wait on the business calendar of
THIS step's department, the receiving one; pause time excluded), `paused_hours` /
`paused_working_hours` (the wait when the previous step was a pause activity: the customer's time, not
internal waiting, else 0); its processing: `processing_hours` / `processing_working_hours` (start to
complete, on the step's calendar; NULL without a pair); and `lifecycle` ('start': the step began with
a start, paired or not; 'complete': a complete without its start; NULL: no lifecycle). Without
calendars working time is calendar time; the lead is measured on the default calendar. `calendar` and
`clock_hours` (the working hours of that calendar up to the step's start, on an arbitrary origin) let
any two steps on the same calendar be measured in working time by difference.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import duckdb

from eventlogs.one_row import one_row, one_value
from eventlogs.sql_connection import SqlConnection
from eventlogs.sql_text import sql_literal
from eventlogs.store.connection import event_columns, journey_order_sql
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
    the extraction moment where open journeys are censored, and the number of journeys in scope.
    `lifecycle`: the store records starts and completes, so the steps are activity instances."""

    connection: SqlConnection  # DuckDB's, or the Spark engine's (mining/spark/sql_connection.py)
    journey_type: str | None
    period: tuple[date, date] | None
    time_rules: TimeRules
    extracted_at: datetime
    journey_count: int
    journeys: str = JOURNEYS_VIEW
    work_events: str = WORK_EVENTS_VIEW
    lifecycle: bool = False

    @property
    def working_time(self) -> bool:
        """The basis the time rules define: business calendars and/or pauses left out of the waits."""
        return bool(self.time_rules.calendars or self.time_rules.pause_activities)


def embedded_connection(scope: Scope) -> duckdb.DuckDBPyConnection:
    """The scope's DuckDB connection, for the steps only the embedded engine runs (the numba pass over the
    coded copy); on the Spark engine's connection, an error saying so instead of a missing method."""
    if not isinstance(scope.connection, duckdb.DuckDBPyConnection):
        raise AnalysisError("this step runs on the embedded engine only (a DuckDB store), not on Spark")
    return scope.connection


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


def _has_lifecycle_events(connection: duckdb.DuckDBPyConnection, columns: set[str]) -> bool:
    """Whether any event has a lifecycle (stores without such a source lack the column)."""
    if "lifecycle" not in columns:
        return False
    return bool(one_value(connection.execute("SELECT EXISTS (FROM events WHERE lifecycle IS NOT NULL)")))


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


def _event_steps_sql(columns: set[str]) -> tuple[str, str]:
    """Every work event a step of its own (stores without lifecycles): the steps, and the order that
    numbers them."""
    lifecycle = "e.lifecycle" if "lifecycle" in columns else "NULL::VARCHAR"
    sequence = ", e.sequence" if "sequence" in columns else ""
    steps = f"""
        SELECT e.journey_id, e.activity, e.ts, e.department, e.team, e.resource, e.source_event_id,
               {lifecycle} AS lifecycle, NULL::TIMESTAMPTZ AS completed_at{sequence}
        FROM events e SEMI JOIN {JOURNEYS_VIEW} j USING (journey_id)
        WHERE e.event_kind = 'work'"""
    return steps, journey_order_sql("s", columns)


def _instance_steps_sql(columns: set[str]) -> tuple[str, str]:
    """Activity instances (see the module's docstring): a start and the complete it pairs with are one
    step; the steps, and the order that numbers them (that of their first event)."""
    instance = "e.instance" if "instance" in columns else "NULL::VARCHAR"
    group = "PARTITION BY journey_id, activity, instance ORDER BY event_no"
    steps = f"""
        WITH events_in_order AS (
            SELECT e.journey_id, e.activity, e.ts, e.department, e.team, e.resource, e.source_event_id,
                   e.lifecycle, {instance} AS instance,
                   row_number() OVER (PARTITION BY e.journey_id ORDER BY {journey_order_sql("e", columns)}) AS event_no
            FROM events e SEMI JOIN {JOURNEYS_VIEW} j USING (journey_id)
            WHERE e.event_kind = 'work'
        ), counted AS (
            SELECT *, count(*) FILTER (WHERE lifecycle = 'start') OVER g AS starts,
                   count(*) FILTER (WHERE lifecycle = 'complete') OVER g AS completes
            FROM events_in_order WHERE lifecycle IS NOT NULL WINDOW g AS ({group})
        ), unmatched AS (
            -- completes that found no open start so far: the highest excess of completes over starts
            SELECT *, greatest(max(completes - starts) OVER g, 0) AS unmatched_completes
            FROM counted WINDOW g AS ({group})
        ), numbered AS (
            -- a start is the k-th of its activity (and instance); a complete that found an open start
            -- closes the (completes - unmatched)-th, first come first paired; one that found none
            -- (the unmatched count grew with it) closes nothing
            SELECT journey_id, event_no, activity, instance, lifecycle, ts, department, team, resource,
                   CASE WHEN lifecycle = 'start' THEN starts
                        WHEN unmatched_completes = lag(unmatched_completes, 1, 0) OVER g
                        THEN completes - unmatched_completes END AS pair_no
            FROM unmatched WINDOW g AS ({group})
        )
        SELECT o.journey_id, o.activity, o.ts, coalesce(o.department, c.department) AS department,
               coalesce(o.team, c.team) AS team, coalesce(o.resource, c.resource) AS resource,
               o.source_event_id, o.lifecycle, c.ts AS completed_at, o.event_no
        FROM events_in_order o
        LEFT JOIN numbered n USING (journey_id, event_no)
        LEFT JOIN numbered c
               ON o.lifecycle = 'start' AND c.lifecycle = 'complete' AND c.journey_id = o.journey_id
              AND c.activity = o.activity AND c.instance IS NOT DISTINCT FROM o.instance AND c.pair_no = n.pair_no
        WHERE o.lifecycle IS DISTINCT FROM 'complete' OR n.pair_no IS NULL"""
    return steps, "s.event_no"


def _work_events_sql(rules: TimeRules, columns: set[str], calendared: bool, instances: bool) -> str:
    steps, order = _instance_steps_sql(columns) if instances else _event_steps_sql(columns)
    # previous_ts: where the wait into a step starts, the previous step's end (its complete, else its time)
    ordered = f"""
        SELECT s.journey_id, s.activity, s.ts, s.department, s.team, s.resource, s.source_event_id,
               s.lifecycle, s.completed_at,
               row_number() OVER w AS position, lag(coalesce(s.completed_at, s.ts)) OVER w AS previous_ts,
               coalesce({rules.pause_condition("lag(s.activity) OVER w")}, FALSE) AS after_pause
        FROM ({steps}) s
        WINDOW w AS (PARTITION BY s.journey_id ORDER BY {order})"""
    # a step that starts before the previous one ended (parallel work) waited for nothing; without
    # instances no step can, and the figures stay exactly as they were
    calendar_hours = "epoch(ts - previous_ts) / 3600.0"
    processing = "epoch(completed_at - ts) / 3600.0"
    if instances:  # (greatest would turn the first step's NULL into 0)
        calendar_hours = f"CASE WHEN ts < previous_ts THEN 0.0 ELSE {calendar_hours} END"
    if calendared:
        completed_clock, completed_join = "NULL::DOUBLE AS clock_completed", ""
        if instances:
            completed_clock = f"{clock_sql('k', 'c.completed_at')} AS clock_completed"
            completed_join = (
                f"ASOF LEFT JOIN {INTERVALS_TABLE} k ON c.calendar = k.calendar AND c.completed_at >= k.starts_at"
            )
        source = f"""(
            SELECT c.*, coalesce({clock_sql("n", "c.ts")}, 0) AS clock_at,
                   coalesce({clock_sql("p", "c.previous_ts")}, 0) AS clock_before, {completed_clock}
            FROM (
                SELECT o.*, coalesce(d.calendar, {default_calendar_sql(rules)}) AS calendar
                FROM ({ordered}) o LEFT JOIN {DEPARTMENTS_TABLE} d USING (department)
            ) c
            ASOF LEFT JOIN {INTERVALS_TABLE} n ON c.calendar = n.calendar AND c.ts >= n.starts_at
            ASOF LEFT JOIN {INTERVALS_TABLE} p ON c.calendar = p.calendar AND c.previous_ts >= p.starts_at
            {completed_join}
        )"""
        # a department on no calendar works round the clock
        working_hours = f"CASE WHEN calendar IS NULL THEN {calendar_hours} ELSE clock_at - clock_before END"
        if instances:
            working_hours = f"CASE WHEN ts < previous_ts THEN 0.0 ELSE {working_hours} END"
        processing_working = (
            f"CASE WHEN calendar IS NULL THEN {processing} ELSE coalesce(clock_completed, 0) - clock_at END"
        )
        clock = "calendar, CASE WHEN calendar IS NULL THEN epoch(ts) / 3600.0 ELSE clock_at END AS clock_hours"
    else:
        source, working_hours, processing_working = f"({ordered})", calendar_hours, processing
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
               {clock}, completed_at,
               CASE WHEN completed_at IS NOT NULL THEN {processing} END AS processing_hours,
               CASE WHEN completed_at IS NOT NULL THEN {processing_working} END AS processing_working_hours
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
    columns = event_columns(connection)
    instances = _has_lifecycle_events(connection, columns)
    connection.execute(
        f"CREATE OR REPLACE TEMP VIEW {WORK_EVENTS_VIEW} AS " + _work_events_sql(rules, columns, calendared, instances)
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
    return Scope(connection, journey_type, period, rules, last, count, lifecycle=instances)
