"""The canonical events and journeys of a store as Parquet, for engines that read files (Spark, Databricks,
pm4py, another DuckDB): `<out>/events/` and `<out>/journeys/`, the columns of eventlogs/store/schema.py
(plus the optional event columns the store has: lifecycle, instance, sequence), `attributes` as JSON text.

Events may be partitioned by month of their time (`month=2026-01/` folders, Hive style: Spark and DuckDB read
the month as a column and skip months a query does not need). The store is opened read-only; a folder that
already holds an export is replaced only when asked, as a whole, so no reader sees two exports mixed.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from eventlogs.errors import StoreError
from eventlogs.one_row import one_value
from eventlogs.sql_text import sql_literal
from eventlogs.store.connection import connect_store

Partitioning = Literal["month", "none"]
PARTITIONINGS: tuple[Partitioning, ...] = ("month", "none")


@dataclass(frozen=True)
class Export:
    out: Path
    events: int
    journeys: int
    partitions: int  # event folders written (1 without partitioning)


def export_parquet(store: Path, out: Path, partition_by: Partitioning = "month", replace: bool = False) -> Export:
    """Writes the store's events and journeys under `out` (see the module notes); returns what was written."""
    if partition_by not in PARTITIONINGS:
        raise StoreError(f"--partition-by must be one of {', '.join(PARTITIONINGS)}, not {partition_by!r}")
    if out.exists() and not out.is_dir():
        raise StoreError(f"{out} is a file: the export needs a folder")
    if out.exists() and any(out.iterdir()) and not replace:
        raise StoreError(f"{out} is not empty: choose an empty folder, or replace the export there (--replace)")
    out.parent.mkdir(parents=True, exist_ok=True)
    # written beside the target and moved in at the end: a failed export leaves the old one whole
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    connection = connect_store(store, read_only=True)
    try:
        events_folder, journeys_file = staging / "events", staging / "journeys" / "journeys.parquet"
        journeys_file.parent.mkdir()
        columns = ", ".join(
            f"{name}::VARCHAR AS {name}" if name == "attributes" else name
            for (name,) in connection.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = 'events' AND schema_name = 'main' "
                "AND database_name = current_database() ORDER BY column_index"
            ).fetchall()
        )
        if partition_by == "month":
            connection.execute(
                f"COPY (SELECT {columns}, strftime(ts AT TIME ZONE 'UTC', '%Y-%m') AS month FROM events) "
                f"TO {sql_literal(str(events_folder))} (FORMAT parquet, PARTITION_BY (month))"
            )
            events_folder.mkdir(exist_ok=True)  # a store without events writes no partition
        else:
            events_folder.mkdir()
            connection.execute(
                f"COPY (SELECT {columns} FROM events) TO {sql_literal(str(events_folder / 'events.parquet'))} "
                "(FORMAT parquet)"
            )
        connection.execute(
            "COPY (SELECT * REPLACE (attributes::VARCHAR AS attributes) FROM journeys) "
            f"TO {sql_literal(str(journeys_file))} (FORMAT parquet)"
        )
        events = int(one_value(connection.execute("SELECT count(*) FROM events")))
        journeys = int(one_value(connection.execute("SELECT count(*) FROM journeys")))
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        connection.close()
    if out.exists():
        shutil.rmtree(out)
    staging.rename(out)
    partitions = sum(1 for path in (out / "events").iterdir() if path.is_dir()) or 1
    return Export(out, events, journeys, partitions)
