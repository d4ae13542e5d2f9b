"""Data-quality checks over the store after a load, recorded per run in `quality_checks`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from eventlogs.one_row import one_value

STORE_CHECKS: dict[str, tuple[str, str]] = {
    "future_timestamps": (
        "events of this load dated after it started",
        "SELECT count(*) FROM events WHERE load_run_id = $run_id AND ts > $loaded_at",
    ),
    "journeys_without_end": (
        "journeys still open (kept, never treated as finished)",
        "SELECT count(*) FROM journeys WHERE is_open",
    ),
    "events_without_journey_record": (
        "events whose journey has no case record",
        "SELECT count(*) FROM events e ANTI JOIN journeys j USING (journey_id)",
    ),
}

# Per source, over this load's events: events outside their journey's opening and closing. When one
# system's clock runs ahead of or behind another's, its events spill over the journey's bounds set by
# the other system; the median spill shows how far. (median(CASE ...) rather than median(...) FILTER:
# the FILTER form took 100 times longer in DuckDB 1.5.)
CLOCK_SKEW_SQL = """
    SELECT e.source,
           count(*) FILTER (WHERE e.ts < j.opened_at) AS before_start,
           median(CASE WHEN e.ts < j.opened_at THEN epoch(j.opened_at - e.ts) / 60 END) AS before_minutes,
           count(*) FILTER (WHERE e.ts > j.closed_at) AS after_end,
           median(CASE WHEN e.ts > j.closed_at THEN epoch(e.ts - j.closed_at) / 60 END) AS after_minutes
    FROM events e JOIN journeys j USING (journey_id)
    WHERE e.load_run_id = $run_id
      AND e.event_kind <> 'contact'   -- customers may call after closure: that is no clock problem
    GROUP BY e.source
"""


def record_store_quality(connection: duckdb.DuckDBPyConnection, run_id: str, loaded_at: datetime) -> None:
    def record(source: str, name: str, count: int, detail: str) -> None:
        connection.execute(
            "INSERT OR REPLACE INTO quality_checks VALUES (?, ?, ?, ?, ?)", [run_id, source, name, count, detail]
        )

    for name, (detail, query) in STORE_CHECKS.items():
        parameters = {key: value for key, value in (("loaded_at", loaded_at), ("run_id", run_id)) if f"${key}" in query}
        record("store", name, one_value(connection.execute(query, parameters)), detail)
    without_department = connection.execute(
        "SELECT source, count(*) FILTER (WHERE coalesce(trim(department), '') = '') FROM events "
        "WHERE load_run_id = $run_id AND event_kind = 'work' GROUP BY source",
        {"run_id": run_id},
    ).fetchall()
    for source, count in without_department:  # every kind of source: a typo in a mapping shows here
        record(source, "events_without_department", count, "work events of this load with no (or a blank) department")
    skew = connection.execute(CLOCK_SKEW_SQL, {"run_id": run_id}).fetchall()
    for source, before, before_minutes, after, after_minutes in skew:
        record(
            source,
            "events_before_journey_start",
            before,
            "events earlier than their journey's opening"
            + (f" (median {before_minutes:.0f} min early: clock skew?)" if before else ""),
        )
        record(
            source,
            "events_after_journey_end",
            after,
            "events later than their journey's closing" + (f" (median {after_minutes:.0f} min late)" if after else ""),
        )


def quality_summary(connection: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The latest run's checks, and the reject reasons (counted by field and kind) across the store."""
    return connection.execute("""
        SELECT source, check_name AS "check", count, detail FROM quality_checks
        -- the run that finished last: ids of two runs within one second do not sort in load order
        WHERE run_id = (SELECT arg_max(run_id, finished_at) FROM load_runs)
        UNION ALL
        SELECT source, 'rejected: ' || field, count(*),
               'e.g. ' || min(reason) FROM rejects GROUP BY source, field
        ORDER BY source, "check"
    """).df()


def quality_findings(store: Path, run_id: str) -> list[tuple[str, str, int, str]]:
    """A load's checks that found something (source, check, count, detail), to show beside its ledger."""
    from eventlogs.store.connection import connect_store

    connection = connect_store(store, read_only=True)
    try:
        rows = connection.execute(
            "SELECT source, check_name, count, detail FROM quality_checks WHERE run_id = ? AND count > 0 "
            "ORDER BY source, check_name",
            [run_id],
        ).fetchall()
    finally:
        connection.close()
    return [(str(source), str(check), int(count), str(detail)) for source, check, count, detail in rows]
