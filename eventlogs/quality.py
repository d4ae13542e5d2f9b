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
    "events_before_journey_start": (
        "events earlier than their journey's opening",
        "SELECT count(*) FROM events e JOIN journeys j USING (journey_id) WHERE e.ts < j.opened_at",
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


def record_store_quality(connection: duckdb.DuckDBPyConnection, run_id: str, loaded_at: datetime) -> None:
    for name, (detail, query) in STORE_CHECKS.items():
        parameters = {"loaded_at": loaded_at} if "$loaded_at" in query else {}
        count = connection.execute(query, parameters).fetchone()[0]
        connection.execute(
            "INSERT OR REPLACE INTO quality_checks VALUES (?, 'store', ?, ?, ?)",
            [run_id, name, count, detail],
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
