"""Bench stores for the discovery benchmark: the demo simulator's TRUE canonical events, written straight
into a store with the project schema (no source systems, no loader), cached under outputs/bench/.

The simulator draws whole journeys at about 0.6 million events/s; going through the source systems and
the loader would be ten times slower, far too slow for 60 million events. Chunks use their own seed and
their own journey-id prefix, so the store holds distinct journeys that all follow the demo organisation.
"""

from __future__ import annotations

import time
from pathlib import Path

import duckdb

from eventlogs.demo.simulator import DemoSimulator
from eventlogs.store import connect_store
from eventlogs.store.coded_events import refresh_coded_events

BENCH_FOLDER = Path("outputs/bench")
JOURNEYS_PER_CHUNK = 200_000  # about 2.2 million work events: a chunk's pandas frames stay under ~2 GB
RUN_ID = "bench"


def bench_store_path(work_events: int) -> Path:
    return BENCH_FOLDER / f"discovery_{work_events // 1_000_000}M.duckdb"


def _append_chunk(connection: duckdb.DuckDBPyConnection, chunk: int, journeys: int, seed: int) -> int:
    """Simulates `journeys` journeys and appends them; returns the work events written."""
    journey_frame, event_frame = DemoSimulator(journeys, seed=seed).simulate()
    prefix = f"C{chunk:03d}-"
    connection.register(
        "chunk_journeys",
        journey_frame[["journey", "number", "journey_type", "opened_at", "closed_at", "is_open", "priority", "caller"]],
    )
    connection.register(
        "chunk_events", event_frame[["journey", "activity", "ts", "department", "team", "resource", "event_kind"]]
    )
    connection.execute(f"""
        INSERT INTO journeys
        SELECT '{prefix}' || number, journey_type, opened_at, closed_at, is_open, NULL, priority::VARCHAR, caller,
               CASE WHEN is_open THEN 'open' ELSE 'closed' END, 'bench', NULL, '{RUN_ID}'
        FROM chunk_journeys
    """)
    connection.execute(f"""
        INSERT INTO events
        SELECT '{prefix}' || 'RITM' || lpad((journey + 1)::VARCHAR, 7, '0'), activity, ts, department, team,
               resource, event_kind, 'bench', '{prefix}' || row_number() OVER (), NULL, NULL, '{RUN_ID}'
        FROM chunk_events
    """)
    connection.unregister("chunk_journeys")
    connection.unregister("chunk_events")
    return int((event_frame["event_kind"] == "work").sum())


def ensure_bench_store(work_events: int) -> Path:
    """The cached store with at least `work_events` work events (plus the customer contacts between them),
    generated on first use."""
    path = bench_store_path(work_events)
    if path.exists():
        return path
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    started = time.perf_counter()
    connection = connect_store(partial)
    connection.execute("SET enable_progress_bar = false")
    written, chunk = 0, 0
    try:
        while written < work_events:
            # ~11.15 work events per journey; the last chunk is sized to land just past the target
            journeys = min(JOURNEYS_PER_CHUNK, max(1_000, int((work_events - written) / 11.1) + 1))
            written += _append_chunk(connection, chunk, journeys, seed=1_000 + chunk)
            chunk += 1
            print(f"  generated {written:,} work events ({time.perf_counter() - started:.0f} s)", flush=True)
        connection.execute(
            "INSERT INTO load_runs SELECT ?, 'bench', now(), now(), count(*), count(*), 0, 0 FROM events",
            [RUN_ID],
        )
        coding = time.perf_counter()
        refresh_coded_events(connection)  # what a load does after writing: the coded copy for discovery
        print(f"  coded copy of {written:,} work events in {time.perf_counter() - coding:.1f} s", flush=True)
        connection.execute("CHECKPOINT")
    finally:
        connection.close()
    partial.rename(path)
    return path
