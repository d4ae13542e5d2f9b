"""The floor under any load into the store: DuckDB writing the loaded events into a fresh store, nothing else.

A load ends with its events in the store's `events` table, so no load can be faster than copying that
table's rows into an empty store: the twelve canonical columns, most of them text (journey, activity,
team, resource, the source's own keys), written in DuckDB's compressed table format. The load benchmarks
print this beside their own figures, measured on the same machine in the same run.
"""

from __future__ import annotations

import time
from pathlib import Path

from eventlogs.sql_text import sql_literal
from eventlogs.store import connect_store


def rate(count: int, seconds: float) -> str:
    return f"{count:,} events in {seconds:.1f} s = {count / seconds:,.0f} events/s"


def store_write_floor(loaded_store: Path) -> str:
    """Copies `loaded_store`'s events into a new store beside it (removed afterwards); the figures as text."""
    fresh = loaded_store.with_name("floor-" + loaded_store.name)
    connection = connect_store(fresh)
    try:
        connection.execute(f"ATTACH {sql_literal(str(loaded_store))} AS loaded (READ_ONLY)")
        columns = [row[0] for row in connection.execute("DESCRIBE loaded.events").fetchall()]
        if "lifecycle" in columns:
            connection.execute("ALTER TABLE events ADD COLUMN lifecycle VARCHAR")
        started, cpu = time.perf_counter(), time.process_time()
        connection.execute("INSERT INTO events BY NAME SELECT * FROM loaded.events")
        connection.execute("CHECKPOINT")
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
        events = connection.execute("SELECT count(*) FROM events").fetchone()[0]
    finally:
        connection.close()
        fresh.unlink(missing_ok=True)
        fresh.with_name(fresh.name + ".wal").unlink(missing_ok=True)
    return (
        f"floor, DuckDB writing the loaded events into a fresh store and nothing else: {rate(events, seconds)}, "
        f"{cpu_seconds:.1f} s CPU"
    )
