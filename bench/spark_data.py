"""Data for the Spark benchmark: the demo simulator's TRUE events written straight to the canonical Parquet
layout `journey export` writes (eventlogs/store/export.py), and the embedded engine's store loaded from it.

    outputs/bench/spark_<N>M/events/month=YYYY-MM/*.parquet   events, Hive-partitioned by month of ts (UTC)
    outputs/bench/spark_<N>M/journeys/journeys.parquet        journeys
    outputs/bench/spark_<N>M/embedded.duckdb                  the same events in a store, with its coded copy

No store on the way to the Parquet: Spark's input must not depend on the embedded engine. Chunks of journeys
use their own seed and journey-id prefix (as bench/discovery_data.py does), so the log holds distinct journeys
that all follow the demo organisation. Each folder is built once, beside its final name, and moved in whole,
so an interrupted build is never taken for a finished one.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from eventlogs.demo.simulator import DemoSimulator
from eventlogs.sql_text import sql_literal
from eventlogs.store import connect_store
from eventlogs.store.coded_events import refresh_coded_events

BENCH_FOLDER = Path("outputs/bench")
JOURNEYS_PER_CHUNK = 200_000  # about 2.2 million work events: a chunk's pandas frames stay under ~2 GB
WORK_EVENTS_PER_JOURNEY = 11.1  # the demo's mean, a little under: the last chunk lands just past the target
RUN_ID = "bench"
STORE_NAME = "embedded.duckdb"
BUILD_TIMES_NAME = "build_seconds.json"


def _event_select(prefix_literal: str) -> str:
    """The chunk's events as the canonical columns, in the order of the `events` table, `attributes` as
    text; `month` is the Hive partition column (a folder name, not a column in the files)."""
    return f"""
        SELECT {prefix_literal} || 'RITM' || lpad((journey + 1)::VARCHAR, 7, '0') AS journey_id, activity, ts,
               department, team, resource, event_kind, 'bench' AS source,
               {prefix_literal} || row_number() OVER () AS source_event_id,
               NULL::VARCHAR AS source_row, NULL::VARCHAR AS attributes, '{RUN_ID}' AS load_run_id,
               month::VARCHAR AS month
        FROM chunk_events
    """


def _journey_select(prefix_literal: str) -> str:
    """The chunk's journeys as the columns of the `journeys` table, `attributes` as text."""
    return f"""
        SELECT {prefix_literal} || number AS journey_id, journey_type, opened_at, closed_at, is_open,
               NULL::VARCHAR AS category, priority::VARCHAR AS priority, caller,
               CASE WHEN is_open THEN 'open' ELSE 'closed' END AS state, 'bench' AS source,
               NULL::VARCHAR AS attributes, '{RUN_ID}' AS load_run_id
        FROM chunk_journeys
    """


@dataclass(frozen=True)
class BenchData:
    """Where a size's Parquet log and store are, what building them cost, and whether this run built them."""

    root: Path
    store: Path
    work_events: int
    generate_seconds: float | None  # None: built before build times were recorded
    store_seconds: float | None
    generated_now: bool
    loaded_now: bool


def parquet_root(work_events: int) -> Path:
    return BENCH_FOLDER / f"spark_{work_events // 1_000_000}M"


def _month_labels(event_frame: pd.DataFrame) -> pa.DictionaryArray:
    """Each event's month of ts in UTC as 'YYYY-MM', computed in numpy: DuckDB's strftime over a time zone
    cost a third of a chunk's writing time, and the log spans only a handful of months."""
    months = event_frame["ts"].to_numpy(dtype="datetime64[ns]").astype("datetime64[M]")  # ns values are UTC
    distinct, index = np.unique(months, return_inverse=True)
    return pa.DictionaryArray.from_arrays(pa.array(index.astype(np.int32)), pa.array(distinct.astype(str)))


def _write_chunk(chunk_folder: Path, chunk: int, journeys: int) -> int:
    """Simulates `journeys` journeys into `chunk_folder`: events/month=YYYY-MM/chunk<n>_*.parquet and
    journeys.parquet. Runs in a worker process, so chunks are simulated on both cores; each writes only its
    own folder, so no two processes create the same month folder. Returns the work events written."""
    journey_frame, event_frame = DemoSimulator(journeys, seed=1_000 + chunk).simulate()
    prefix_literal = sql_literal(f"C{chunk:03d}-")
    events = pa.Table.from_pandas(
        event_frame[["journey", "activity", "ts", "department", "team", "resource", "event_kind"]],
        preserve_index=False,
    ).append_column("month", _month_labels(event_frame))
    # Arrow tables, not pandas frames: DuckDB scans pandas' string columns four times slower
    journey_table = pa.Table.from_pandas(
        journey_frame[["journey", "number", "journey_type", "opened_at", "closed_at", "is_open", "priority", "caller"]],
        preserve_index=False,
    )
    chunk_folder.mkdir(parents=True)
    connection = duckdb.connect()
    try:
        connection.execute("SET enable_progress_bar = false")
        connection.register("chunk_events", events)
        connection.register("chunk_journeys", journey_table)
        connection.execute(
            f"COPY ({_event_select(prefix_literal)}) TO {sql_literal(str(chunk_folder / 'events'))} "
            f"(FORMAT parquet, PARTITION_BY (month), FILENAME_PATTERN 'chunk{chunk:03d}_{{i}}')"
        )
        connection.execute(
            f"COPY ({_journey_select(prefix_literal)}) TO {sql_literal(str(chunk_folder / 'journeys.parquet'))} "
            "(FORMAT parquet)"
        )
    finally:
        connection.close()
    return int((event_frame["event_kind"] == "work").sum())


def _chunk_plan(work_events: int, first_chunk: int = 0) -> list[tuple[int, int]]:
    """(chunk number, journeys) covering about `work_events` work events, in chunks of JOURNEYS_PER_CHUNK."""
    journeys_left = max(1_000, int(work_events / WORK_EVENTS_PER_JOURNEY) + 1)
    plan = []
    while journeys_left > 0:
        journeys = min(JOURNEYS_PER_CHUNK, journeys_left)
        plan.append((first_chunk + len(plan), max(1_000, journeys)))
        journeys_left -= journeys
    return plan


def _move_chunk_in(chunk_folder: Path, staging: Path) -> None:
    """The chunk's event files into the dataset's month folders; its journeys stay until gathered."""
    for month_folder in (chunk_folder / "events").iterdir():
        target = staging / "events" / month_folder.name
        target.mkdir(parents=True, exist_ok=True)
        for file in month_folder.iterdir():
            file.rename(target / file.name)


def _generate_parquet(root: Path, work_events: int) -> None:
    staging = root.with_name(root.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "journeys").mkdir(parents=True)
    chunks_folder = staging / "chunks"
    started = time.perf_counter()
    written = 0
    plan = _chunk_plan(work_events)
    with ProcessPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
        while plan:
            futures = {
                pool.submit(_write_chunk, chunks_folder / f"{chunk:03d}", chunk, journeys): chunk
                for chunk, journeys in plan
            }
            for future in as_completed(futures):
                written += future.result()
                _move_chunk_in(chunks_folder / f"{futures[future]:03d}", staging)
                print(f"    generated {written:,} work events ({time.perf_counter() - started:.0f} s)", flush=True)
            # the demo's journeys vary in length: a log that fell short gets one more, smaller chunk
            plan = _chunk_plan(work_events - written, max(futures) + 1) if written < work_events else []
    connection = duckdb.connect()
    try:
        connection.execute("SET enable_progress_bar = false")
        connection.execute(
            f"COPY (FROM read_parquet({sql_literal(str(chunks_folder / '*' / 'journeys.parquet'))})) "
            f"TO {sql_literal(str(staging / 'journeys' / 'journeys.parquet'))} (FORMAT parquet)"
        )
    finally:
        connection.close()
    shutil.rmtree(chunks_folder)
    staging.rename(root)


def _load_store(root: Path, store: Path) -> None:
    """The embedded engine's store from the Parquet log: both tables as a load leaves them, then the
    coded copy a load builds after writing (what bench/discovery_data.py does after its inserts)."""
    partial = store.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    connection = connect_store(partial)
    connection.execute("SET enable_progress_bar = false")
    events_glob = sql_literal(str(root / "events" / "*" / "*.parquet"))
    try:
        connection.execute(f"""
            INSERT INTO events
            SELECT * EXCLUDE (month) REPLACE (attributes::JSON AS attributes)
            FROM read_parquet({events_glob}, hive_partitioning = true)
        """)
        connection.execute(f"""
            INSERT INTO journeys SELECT * REPLACE (attributes::JSON AS attributes)
            FROM read_parquet({sql_literal(str(root / "journeys" / "journeys.parquet"))})
        """)
        connection.execute(
            "INSERT INTO load_runs SELECT ?, 'bench', now(), now(), count(*), count(*), 0, 0 FROM events", [RUN_ID]
        )
        refresh_coded_events(connection)
        connection.execute("CHECKPOINT")
    finally:
        connection.close()
    partial.rename(store)


def _build_times(root: Path) -> dict[str, float]:
    """The generation and store-loading seconds recorded when the data was built, for a run that finds it
    cached; empty when nothing was recorded."""
    record = root / BUILD_TIMES_NAME
    return json.loads(record.read_text()) if record.exists() else {}


def ensure_bench_data(work_events: int) -> BenchData:
    """The Parquet log with at least `work_events` work events (plus the customer contacts between them) and
    its store, each built on first use and timed apart: generating is the simulator and the Parquet writer,
    the store is loading, and neither is mining. Cached data reports the times recorded when it was built."""
    root = parquet_root(work_events)
    generated_now = not root.exists()
    if generated_now:
        started = time.perf_counter()
        _generate_parquet(root, work_events)
        (root / BUILD_TIMES_NAME).write_text(json.dumps({"generate_seconds": time.perf_counter() - started}))
    store = root / STORE_NAME
    loaded_now = not store.exists()
    if loaded_now:
        started = time.perf_counter()
        _load_store(root, store)
        times = {**_build_times(root), "store_seconds": time.perf_counter() - started}
        (root / BUILD_TIMES_NAME).write_text(json.dumps(times))
    times = _build_times(root)
    return BenchData(
        root, store, work_events, times.get("generate_seconds"), times.get("store_seconds"), generated_now, loaded_now
    )


def relaid_root(root: Path, layout: str) -> Path:
    return root.with_name(f"{root.name}_{layout}")


def ensure_relaid(root: Path, layout: str, rows_per_file: int) -> tuple[Path, int]:
    """The same events and journeys with another number of input files: `month_files` writes one file per
    month, `small_files` files of at most `rows_per_file` events within each month. Returns the folder and
    its number of event files. The journeys are linked, not copied: only the events are read in parallel."""
    target = relaid_root(root, layout)
    if not target.exists():
        staging = target.with_name(target.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        (staging / "events").mkdir(parents=True)
        (staging / "journeys").mkdir()
        (staging / "journeys" / "journeys.parquet").hardlink_to(root / "journeys" / "journeys.parquet")
        connection = duckdb.connect()
        connection.execute("SET enable_progress_bar = false")
        # one writer thread: DuckDB otherwise writes a file per thread, which is not the layout asked for
        connection.execute("SET threads = 1")
        try:
            for month_folder in sorted(path for path in (root / "events").iterdir() if path.is_dir()):
                source = sql_literal(str(month_folder / "*.parquet"))
                if layout == "month_files":
                    destination = staging / "events" / month_folder.name / "data.parquet"
                    destination.parent.mkdir()
                    options = "FORMAT parquet"
                else:
                    destination = staging / "events" / month_folder.name
                    options = f"FORMAT parquet, ROW_GROUP_SIZE {rows_per_file}, ROW_GROUPS_PER_FILE 1"
                connection.execute(f"COPY (FROM read_parquet({source})) TO {sql_literal(str(destination))} ({options})")
        finally:
            connection.close()
        staging.rename(target)
    return target, sum(1 for _ in (target / "events").glob("*/*.parquet"))
