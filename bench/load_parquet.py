"""Benchmark: load N events from a Parquet event log into the store; prints events/s and peak memory.

    .venv/bin/python bench/load_parquet.py --events 10000000

Figures, not a test: the goals (issue 3) are 5 million events/s from Parquet and under 2 GB peak memory.
Each phase runs in this process, so the peak resident memory covers all of them. The machine may be
shared, so each load is also given as a fraction of a plain DuckDB copy of the same file measured in
the same run, and with the CPU seconds this process spent (less sensitive to other people's work).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
from store_floor import rate, store_write_floor  # a sibling script

from eventlogs.pipeline import extract_and_load
from eventlogs.store.loader import LoadResult

CONFIG = """
[sources.bench]
kind = "parquet_event_log"
path = "events.parquet"
journey_type = "bench"
pseudonymise_resources = {pseudonymise}
[sources.bench.fields]
journey_id = "case_id"
activity = "activity"
timestamp = "ts"
resource = "resource"
team = "team"
department = "department"
"""


def write_log(path: Path, events: int) -> None:
    """About 14 events per case, 20 activities, 6 departments, 200 people; typed timestamps."""
    duckdb.sql(f"""
        COPY (
            SELECT 'case-' || (i // 14) AS case_id, 'activity ' || (hash(i) % 20) AS activity,
                   TIMESTAMPTZ '2026-01-01 00:00:00+00' + to_seconds(i * 37) AS ts,
                   'person ' || (hash(i * 7) % 200) AS resource, 'team ' || (hash(i * 3) % 30) AS team,
                   'department ' || (hash(i * 5) % 6) AS department
            FROM range({events}) t(i)
        ) TO '{path}' (FORMAT parquet)
    """)


def peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def prepare(data: Path, events: int) -> None:
    started = time.perf_counter()
    write_log(data / "events.parquet", events)
    print(f"wrote {events:,} events to Parquet in {time.perf_counter() - started:.1f} s")
    # the ceiling on this machine: DuckDB copying the same file into a table of its own, nothing else
    started = time.perf_counter()
    with duckdb.connect(str(data / "ceiling.duckdb")) as connection:
        connection.execute(f"CREATE TABLE copy AS SELECT * FROM read_parquet('{data / 'events.parquet'}')")
    seconds = time.perf_counter() - started
    print(f"ceiling (plain DuckDB copy into a table): {rate(events, seconds)}", flush=True)
    (data / "ceiling.seconds").write_text(str(seconds))
    (data / "ceiling.duckdb").unlink()
    # and without DuckDB's table format: the same file copied to another Parquet file (no store at all)
    started = time.perf_counter()
    duckdb.sql(f"COPY (FROM read_parquet('{data / 'events.parquet'}')) TO '{data / 'copy.parquet'}' (FORMAT parquet)")
    print(f"plain DuckDB copy into another Parquet file: {rate(events, time.perf_counter() - started)}", flush=True)
    (data / "copy.parquet").unlink()


def _timed_load(config: Path, store: Path, ceiling: float) -> tuple[LoadResult, str]:
    """One extract_and_load; its figures beside the plain copy's (`ceiling` seconds for the same events)."""
    started, cpu = time.perf_counter(), time.process_time()
    (result,) = extract_and_load(config, store)
    seconds = time.perf_counter() - started
    events = result.rows_read
    return result, (
        f"{rate(events, seconds)}, {time.process_time() - cpu:.1f} s CPU, "
        f"{ceiling / seconds:.0%} of the plain copy's speed ({seconds / ceiling:.1f} times its time)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--pseudonymise", action="store_true", help="include pseudonymising resources")
    parser.add_argument("--prepare", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    events = arguments.events
    if arguments.prepare:
        prepare(arguments.prepare, events)
        return
    with tempfile.TemporaryDirectory(prefix="journey-bench-") as folder:
        data = Path(folder)
        # writing the file and the ceiling run in a child process, so the peak memory below is the load's
        subprocess.run([sys.executable, __file__, "--prepare", str(data), "--events", str(events)], check=True)
        (data / "bench.toml").write_text(CONFIG.format(pseudonymise=str(arguments.pseudonymise).lower()))
        ceiling = float((data / "ceiling.seconds").read_text())
        result, figures = _timed_load(data / "bench.toml", data / "store.duckdb", ceiling)
        if result.rows_loaded != events:
            raise SystemExit(f"expected {events:,} events loaded, got {result}")
        print(f"extract + load: {figures}")
        again, figures = _timed_load(data / "bench.toml", data / "store.duckdb", ceiling)
        if again.rows_duplicate != events:
            raise SystemExit(f"expected {events:,} duplicates on the re-run, got {again}")
        print(f"re-run, all already loaded: {figures}")
        peak = peak_memory_mb()
        print(f"peak resident memory of the loads: {peak:,.0f} MB ({peak * 2**20 / events:.0f} bytes/event)")
        print(store_write_floor(data / "store.duckdb"))


if __name__ == "__main__":
    main()
