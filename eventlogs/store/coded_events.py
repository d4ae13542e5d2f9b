"""A coded, time-ordered copy of the store's work events, for discovery at tens of millions of events/s.

Discovery over the string columns needs a window sort per analysis (about 5 million events/s); the coded
copy is sorted once, after a load: journey numbers (INTEGER), activity/department/team/resource codes
(INTEGER, 0 = NULL) and ts as BIGINT microseconds, ordered by journey and then as `define_scope` numbers
positions (connection.journey_order_sql: ts, sequence, source_event_id). `coded_state` remembers which
store contents it was built from, so a reader can tell a stale copy (a later load) and fall back to coding
the scope on the fly. A store with start and complete events is read through the scope's steps instead
(mining/discovery/coded_scope.py): this copy holds events, not activity instances.
"""

from __future__ import annotations

import itertools

import duckdb

from eventlogs.one_row import one_value
from eventlogs.store.connection import journey_order_sql

CODED_FIELDS = ("activity", "department", "team", "resource")
EVENTS_PER_SORT = 4_000_000  # events sorted at once while building: well within the 1 GB DuckDB cap

# What the copy was built from: row counts and the load ledger (every load adds a row to load_runs).
FINGERPRINT_SQL = """
    SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM journeys) AS journeys,
           (SELECT coalesce(string_agg(run_id || '|' || source || '|' || finished_at::VARCHAR, ','
                                       ORDER BY run_id, source), '') FROM load_runs) AS load_runs
"""


def coded_copy_is_fresh(connection: duckdb.DuckDBPyConnection) -> bool:
    """True when the store holds a coded copy built from exactly its current contents."""
    tables = {row[0] for row in connection.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    if "coded_state" not in tables:
        return False
    built = connection.execute("SELECT events, journeys, load_runs FROM coded_state").fetchone()
    return built == connection.execute(FINGERPRINT_SQL).fetchone()


def build_coded_tables(
    connection: duckdb.DuckDBPyConnection, events: str, journeys: str, temporary: bool, prefix: str = "coded_"
) -> None:
    """Creates {prefix}values, {prefix}journeys and {prefix}work_events from the `events` relation (work
    events with journey_id, activity, department, team, resource, ts, source_event_id, and `sequence` where
    the store has it; or steps a scope already numbered by `position`) and the `journeys` relation
    (journey_id, is_open, opened_at, closed_at). `temporary` builds them as temp tables (an analysis on a
    read-only store)."""
    kind = "TEMP TABLE" if temporary else "TABLE"
    columns = {row[0] for row in connection.execute(f"DESCRIBE SELECT * FROM {events}").fetchall()}
    order = "e.position" if "position" in columns else journey_order_sql("e", columns)
    value_selects = " UNION ALL ".join(
        f"SELECT DISTINCT '{field}' AS field, {field} AS value FROM {events} WHERE {field} IS NOT NULL"
        for field in CODED_FIELDS
    )
    connection.execute(f"""
        CREATE OR REPLACE {kind} {prefix}values AS
        SELECT field, (row_number() OVER (PARTITION BY field ORDER BY value))::INTEGER AS code, value
        FROM ({value_selects})
    """)
    connection.execute(f"""
        CREATE OR REPLACE {kind} {prefix}journeys AS
        SELECT (row_number() OVER (ORDER BY journey_id) - 1)::INTEGER AS journey_no, journey_id, is_open,
               CASE WHEN NOT is_open THEN epoch_us(closed_at) - epoch_us(opened_at) END AS lead_us
        FROM {journeys}
    """)
    joins = "\n".join(
        f"LEFT JOIN (SELECT code, value FROM {prefix}values WHERE field = '{field}') {field}_code "
        f"ON e.{field} = {field}_code.value"
        for field in CODED_FIELDS
    )
    codes = ", ".join(f"coalesce({field}_code.code, 0)::INTEGER AS {field}" for field in CODED_FIELDS)
    # Sorted in slices of journeys (one sort of every event spills under the memory cap and took longer),
    # each slice coded and sorted straight from the events: no intermediate copy of every event.
    connection.execute(f"""
        CREATE OR REPLACE {kind} {prefix}work_events
        (journey_no INTEGER, {", ".join(f"{field} INTEGER" for field in CODED_FIELDS)}, ts_us BIGINT)
    """)
    events_count = one_value(connection.execute(f"SELECT count(*) FROM {events}"))
    journeys_count = one_value(connection.execute(f"SELECT count(*) FROM {prefix}journeys"))
    slices = max(1, -(-events_count // EVENTS_PER_SORT))
    bounds = [journeys_count * k // slices for k in range(slices + 1)]
    for low, high in itertools.pairwise(bounds):
        # each slice joins every event to the slice's journeys: at 10 and 30 million events that took half
        # the time of coding all events into one intermediate table first, or of filtering by id range
        connection.execute(f"""
            INSERT INTO {prefix}work_events
            SELECT j.journey_no, {codes}, epoch_us(e.ts) AS ts_us
            FROM {events} e
            JOIN (FROM {prefix}journeys WHERE journey_no >= {low} AND journey_no < {high}) j USING (journey_id)
            {joins}
            ORDER BY j.journey_no, {order}
        """)


def refresh_coded_events(connection: duckdb.DuckDBPyConnection) -> None:
    """(Re)builds the store's coded copy of all work events; call after a load, on a writable connection."""
    connection.execute("CREATE OR REPLACE TEMP VIEW coding_work_events AS FROM events WHERE event_kind = 'work'")
    build_coded_tables(connection, "coding_work_events", "journeys", temporary=False)
    record_coded_state(connection)


def record_coded_state(connection: duckdb.DuckDBPyConnection) -> None:
    """Marks the coded copy as built from the store's current contents: after a rebuild, or after a load
    that changed no work event and no journey (a re-run), when the copy was fresh before it."""
    connection.execute(f"CREATE OR REPLACE TABLE coded_state AS {FINGERPRINT_SQL}")
