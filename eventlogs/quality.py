"""Data-quality checks over the store after a load, recorded per run in `quality_checks`."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pandas as pd

STORE_CHECKS: dict[str, tuple[str, str]] = {
    "future_timestamps": (
        "events dated after the load started",
        "SELECT count(*) FROM events WHERE ts > $loaded_at",
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

# Per source: events outside their journey's opening and closing. When one system's clock runs ahead
# of or behind another's, its events spill over the journey's bounds set by the other system; the
# median spill shows how far.
CLOCK_SKEW_SQL = """
    SELECT e.source,
           count(*) FILTER (WHERE e.ts < j.opened_at) AS before_start,
           median(epoch(j.opened_at - e.ts) / 60) FILTER (WHERE e.ts < j.opened_at) AS before_minutes,
           count(*) FILTER (WHERE e.ts > j.closed_at) AS after_end,
           median(epoch(e.ts - j.closed_at) / 60) FILTER (WHERE e.ts > j.closed_at) AS after_minutes
    FROM events e JOIN journeys j USING (journey_id)
    WHERE e.event_kind <> 'contact'   -- customers may call after closure: that is no clock problem
    GROUP BY e.source
"""


def record_store_quality(connection: duckdb.DuckDBPyConnection, run_id: str, loaded_at: datetime) -> None:
    def record(source: str, name: str, count: int, detail: str) -> None:
        connection.execute(
            "INSERT OR REPLACE INTO quality_checks VALUES (?, ?, ?, ?, ?)", [run_id, source, name, count, detail]
        )

    for name, (detail, query) in STORE_CHECKS.items():
        parameters = {"loaded_at": loaded_at} if "$loaded_at" in query else {}
        record("store", name, connection.execute(query, parameters).fetchone()[0], detail)
    for source, before, before_minutes, after, after_minutes in connection.execute(CLOCK_SKEW_SQL).fetchall():
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
        WHERE run_id = (SELECT max(run_id) FROM load_runs)
        UNION ALL
        SELECT source, 'rejected: ' || field, count(*),
               'e.g. ' || min(reason) FROM rejects GROUP BY source, field
        ORDER BY source, "check"
    """).df()
