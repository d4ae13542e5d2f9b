"""Timestamps that parse but cannot be when a step of a journey happened: `infinity` (which DuckDB reads
as a timestamp and which then breaks every subtraction), `epoch` (read as 1970-01-01), year 1 and the
like. Such an event is a reject with its reason, like any unparseable one, so one bad cell never reaches
the store.

The check runs on the staged events' Parquet file, whatever connector wrote it: one scan of its time
column, and the file is rewritten only when an event was set aside.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from eventlogs.one_row import one_value

# Business event logs start well after 1970; a time before that is a placeholder (epoch, year 1, 1900).
EARLIEST = "1971-01-01"
LATEST = "2100-01-01"
SET_ASIDE_TABLE = "implausible_time_rejects"

_REASON_SQL = f"""CASE
    WHEN NOT isfinite(ts) THEN 'ts: infinite timestamp (' || ts::VARCHAR || '): not a moment'
    WHEN ts < TIMESTAMPTZ '{EARLIEST}' THEN 'ts: timestamp ' || ts::VARCHAR || ' is before {EARLIEST}: a placeholder (epoch, year 1, ...), not a moment'
    WHEN ts >= TIMESTAMPTZ '{LATEST}' THEN 'ts: timestamp ' || ts::VARCHAR || ' is after {LATEST}: not a moment'
END"""  # noqa: E501


def set_aside_implausible_times(connection: duckdb.DuckDBPyConnection, events: Path) -> int:
    """Moves events whose time is not a plausible moment out of the staged events file into the temp table
    SET_ASIDE_TABLE (reject columns, the event itself as the record); returns how many moved (0: the file
    is untouched and the table empty)."""
    path = {"path": str(events)}
    connection.execute(
        f"""CREATE OR REPLACE TEMP TABLE {SET_ASIDE_TABLE} AS
            SELECT source, source_event_id AS source_record_id, source_row, to_json(e) AS record,
                   'ts' AS field, {_REASON_SQL} AS reason
            FROM read_parquet($path) AS e WHERE {_implausible("ts")}""",
        path,
    )
    moved = int(one_value(connection.execute(f"SELECT count(*) FROM {SET_ASIDE_TABLE}")))
    if moved:
        kept = events.with_name(events.name + ".kept")
        connection.execute(
            f"COPY (SELECT * FROM read_parquet($path) WHERE NOT {_implausible('ts')}) TO $kept (FORMAT parquet)",
            {**path, "kept": str(kept)},
        )
        kept.replace(events)
    return moved


def _implausible(column: str) -> str:
    return f"({column} IS NOT NULL AND (NOT isfinite({column}) OR {column} < TIMESTAMPTZ '{EARLIEST}' OR {column} >= TIMESTAMPTZ '{LATEST}'))"  # noqa: E501


def repair_journey_times(connection: duckdb.DuckDBPyConnection, journeys: Path, events: Path) -> dict[str, object]:
    """Journeys whose opened_at or closed_at is no plausible moment (a connector derived it from all rows,
    or read it from a field of its own) take their first and last kept event's time instead; a journey
    with no kept event left is dropped (its rows are rejects). Returns the data-quality observation."""
    paths = {"journeys": str(journeys), "events": str(events)}
    bad = one_value(
        connection.execute(
            "SELECT count(*) FROM read_parquet($journeys) "
            f"WHERE {_implausible('opened_at')} OR {_implausible('closed_at')}",
            {"journeys": paths["journeys"]},
        )
    )
    if bad:
        repaired = journeys.with_name(journeys.name + ".repaired")
        connection.execute(
            f"""COPY (
                SELECT j.* REPLACE (
                    CASE WHEN {_implausible("j.opened_at")} THEN k.first_ts ELSE j.opened_at END AS opened_at,
                    CASE WHEN {_implausible("j.closed_at")} THEN k.last_ts ELSE j.closed_at END AS closed_at)
                FROM read_parquet($journeys) AS j
                LEFT JOIN (SELECT journey_id, min(ts) AS first_ts, max(ts) AS last_ts
                           FROM read_parquet($events) GROUP BY journey_id) AS k USING (journey_id)
                WHERE NOT ({_implausible("j.opened_at")} AND k.first_ts IS NULL)
            ) TO $repaired (FORMAT parquet)""",
            {**paths, "repaired": str(repaired)},
        )
        repaired.replace(journeys)
    return {
        "check": "journeys_with_implausible_times",
        "count": int(bad),
        "detail": f"opened or closed before {EARLIEST}, after {LATEST} or infinite: times taken from their kept "
        "events, journeys without any dropped",
    }
