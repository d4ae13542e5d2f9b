"""The slice of the store an analysis looks at, as temp views every query reads from."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb

from eventlogs.sql_text import sql_literal
from mining.errors import AnalysisError


def _period_filter(period: tuple[date, date] | None) -> str:
    """Journeys opened from the first date to the last, both inclusive, as UTC calendar days (the store
    holds UTC instants; the session's own time zone must not shift the bounds)."""
    if period is None:
        return "TRUE"
    first, last = period
    end = last + timedelta(days=1)  # inclusive last day: everything before the next midnight
    return f"opened_at >= TIMESTAMPTZ '{first} 00:00:00+00' AND opened_at < TIMESTAMPTZ '{end} 00:00:00+00'"


def define_scope(
    connection: duckdb.DuckDBPyConnection,
    journey_type: str | None = None,
    period: tuple[date, date] | None = None,
) -> int:
    """Creates `scope_journeys` and `scope_work_events` (work events only, numbered in time order);
    returns the number of journeys in scope. Customer contacts and assignment changes are kept out of
    the paths: they are not steps of the journey, and a chasing call must not split a handover in two.
    `period` keeps the journeys opened on those dates (inclusive, UTC)."""
    # Views cannot hold prepared parameters, so the filter is an escaped literal.
    type_filter = "TRUE" if journey_type is None else f"journey_type = {sql_literal(journey_type)}"
    type_filter = f"{type_filter} AND {_period_filter(period)}"
    connection.execute(f"""
        CREATE OR REPLACE TEMP VIEW scope_journeys AS
        SELECT *, CASE WHEN NOT is_open THEN epoch(closed_at - opened_at) / 3600.0 END AS lead_hours
        FROM journeys WHERE {type_filter}
    """)
    connection.execute("""
        CREATE OR REPLACE TEMP VIEW scope_work_events AS
        SELECT e.journey_id, e.activity, e.ts, e.department, e.team, e.resource, e.source_event_id,
               row_number() OVER (PARTITION BY e.journey_id ORDER BY e.ts, e.source_event_id) AS position
        FROM events e SEMI JOIN scope_journeys j USING (journey_id)
        WHERE e.event_kind = 'work'
    """)
    count = connection.execute("SELECT count(*) FROM scope_journeys").fetchone()[0]
    if count == 0 and period is not None:
        kind = "journeys" if journey_type is None else f"journeys of type '{journey_type}'"
        raise AnalysisError(f"no {kind} opened from {period[0]} to {period[1]} in the store")
    if count == 0:
        raise AnalysisError(f"no journeys of type '{journey_type}' in the store")
    return count
