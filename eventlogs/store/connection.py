"""Opening the canonical event store (one DuckDB file, its tables in eventlogs.store.schema), waiting
while another process holds it, and reading its watermarks."""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from eventlogs.errors import StoreError
from eventlogs.store.schema import SCHEMA
from eventlogs.work_connection import MEMORY_LIMIT

# DuckDB lets one process write a database file (and no other process read it meanwhile). A second
# load waits for the first this long, then stops with a clear message; it never writes alongside it.
STORE_LOCK_WAIT_SECONDS = float(os.environ.get("JOURNEY_STORE_LOCK_WAIT_SECONDS", "300"))
_LOCK_POLL_SECONDS = 0.5


def _held_by_another_process(error: duckdb.IOException) -> bool:
    """DuckDB's words for a file another process holds; a bare "lock" would also match the "block" of a
    corrupt file's checksum error."""
    text = str(error)
    return "Could not set lock on file" in text or "Conflicting lock" in text


def _foreign_file(path: Path) -> bool:
    """A file that exists and is no DuckDB database (its header names the format at bytes 8..12). DuckDB
    itself would open a SQLite file as if it were a store, and mistake some text files for one."""
    try:
        with path.open("rb") as file:
            header = file.read(12)
    except (FileNotFoundError, IsADirectoryError):
        return False  # created on first use; a folder is reported by DuckDB's own words
    except OSError as error:
        raise StoreError(f"event store {path} cannot be read: {error.strerror or error}") from error
    return bool(header) and header[8:12] != b"DUCK"


def connect_store(path: Path, read_only: bool = False, wait_seconds: float | None = None) -> duckdb.DuckDBPyConnection:
    """Opens (and on first use creates) the store, waiting up to `wait_seconds` while another process
    holds it."""
    if read_only and not path.exists():
        raise StoreError(f"event store {path} does not exist: run an extraction first")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreError(f"event store {path}: its folder cannot be created: {error.strerror or error}") from error
    if _foreign_file(path):
        raise StoreError(f"event store {path} is not a DuckDB database file (the store `journey extract` writes)")
    deadline = time.monotonic() + (STORE_LOCK_WAIT_SECONDS if wait_seconds is None else wait_seconds)
    while True:
        try:
            connection = duckdb.connect(str(path), read_only=read_only)
            break
        except duckdb.IOException as error:
            if not _held_by_another_process(error):  # a corrupt or foreign file: no use waiting for it
                raise StoreError(f"event store {path} cannot be opened: {error}") from error
            if time.monotonic() >= deadline:
                holder = re.search(r"PID (\d+)", str(error))
                who = f"process {holder.group(1)}" if holder else "another process"
                raise StoreError(
                    f"event store {path} is in use by {who} (a load or an analysis still running); "
                    "nothing was written. Run again when it has finished."
                ) from error
            time.sleep(_LOCK_POLL_SECONDS)
        except duckdb.Error as error:
            raise StoreError(f"event store {path} cannot be opened: {error}") from error
    connection.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    if not read_only:
        connection.execute(SCHEMA)
    elif not _has_events_table(connection):  # another DuckDB database: each analysis would fail in its own way
        connection.close()
        raise StoreError(f"event store {path} is a DuckDB database but no event store (it has no events table)")
    return connection


def _has_events_table(connection: duckdb.DuckDBPyConnection) -> bool:
    found = connection.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() AND table_name = 'events'"
    ).fetchone()
    return bool(found and found[0])


# Event columns only some sources fill (see schema.py), added on first need rather than in SCHEMA, so
# stores (and the positional inserts of fixtures and benchmarks) without such sources keep their columns;
# existing stores migrate in place, and readers of a read-only older store take them as NULL.
OPTIONAL_EVENT_COLUMNS = {"lifecycle": "VARCHAR", "instance": "VARCHAR", "sequence": "BIGINT"}


def add_event_columns(connection: duckdb.DuckDBPyConnection, names: set[str]) -> None:
    """Adds those of OPTIONAL_EVENT_COLUMNS among `names` (the columns a load stages) to events."""
    for name, column_type in OPTIONAL_EVENT_COLUMNS.items():
        if name in names:
            connection.execute(f"ALTER TABLE events ADD COLUMN IF NOT EXISTS {name} {column_type}")


def add_lifecycle_column(connection: duckdb.DuckDBPyConnection) -> None:
    """events.lifecycle ('start' | 'complete' | NULL), for sources with an activity's start and complete
    timestamps."""
    add_event_columns(connection, {"lifecycle"})


def event_columns(connection: duckdb.DuckDBPyConnection) -> set[str]:
    """The columns of the store's events table (an older store, opened read-only, lacks the optional ones)."""
    rows = connection.execute(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = 'events' AND schema_name = 'main'"
        " AND database_name = current_database()"
    ).fetchall()
    return {name for (name,) in rows}


def journey_order_sql(alias: str, columns: set[str]) -> str:
    """The order of a journey's events, defined once (the scope numbers positions by it, the coded copy is
    sorted by it): time; at equal times `sequence` (file sources: the configured tie-break, then the
    file's order), then source_event_id (a content hash for file sources: an arbitrary but repeatable
    order). `columns`: the relation's columns, without `sequence` in stores older than it."""
    prefix = f"{alias}." if alias else ""
    sequence = f"{prefix}sequence NULLS LAST, " if "sequence" in columns else ""
    return f"{prefix}ts, {sequence}{prefix}source_event_id"


@dataclass(frozen=True)
class Watermark:
    cursor_at: datetime
    location: str | None  # the file, server or URL it was read from; None in stores older than the column


def read_watermarks(path: Path) -> dict[str, Watermark]:
    """Each incremental source's watermark; empty for a store that does not exist yet."""
    if not path.exists():
        return {}
    connection = connect_store(path, read_only=True)
    try:
        tables = {row[0] for row in connection.execute("SHOW TABLES").fetchall()}
        if "watermarks" not in tables:
            return {}
        columns = {row[0] for row in connection.execute("DESCRIBE watermarks").fetchall()}
        location = "location" if "location" in columns else "NULL"  # a read-only store is not migrated
        rows = connection.execute(f"SELECT source, cursor_at, {location} FROM watermarks").fetchall()
        return {source: Watermark(cursor_at, where) for source, cursor_at, where in rows}
    finally:
        connection.close()
