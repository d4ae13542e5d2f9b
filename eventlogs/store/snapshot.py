"""The store's read-only snapshot for the explorer (`journey explore`).

DuckDB lets one process write a database file and no other process open it meanwhile. So a load never
waits for an open explorer, and the explorer keeps answering during a load, the load ends by publishing a
copy of the store beside it, `<store>.snapshot.duckdb`: written to a temporary file in the same folder
and swapped in with os.replace, so a reader sees either the old snapshot or the new one, never half of
one. The explorer reads the snapshot (copying what it needs into memory) and notices the swap.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from eventlogs.errors import StoreError
from eventlogs.store.connection import connect_store

SNAPSHOT_SUFFIX = ".snapshot.duckdb"


def snapshot_path(store: Path) -> Path:
    """Where the snapshot of `store` lives: beside it, `journeys.duckdb` -> `journeys.duckdb.snapshot.duckdb`
    (so the demo's `journeys.duckdb*` clean-up removes it with its store)."""
    return store.with_name(store.name + SNAPSHOT_SUFFIX)


def publish_snapshot(store: Path) -> Path:
    """Copies the store to its snapshot atomically and returns the snapshot's path. Holds the store's write
    lock while copying (waiting, like any writer, for another one to finish) after a checkpoint, so the
    copy is one consistent database with nothing left in the write-ahead log."""
    target = snapshot_path(store)
    connection = connect_store(store)
    try:
        connection.execute("CHECKPOINT")
        handle, temporary = tempfile.mkstemp(prefix=f".{store.name}.", suffix=".tmp", dir=store.parent)
        os.close(handle)
        try:
            shutil.copyfile(store, temporary)
            os.replace(temporary, target)
        except OSError as error:
            Path(temporary).unlink(missing_ok=True)
            raise StoreError(f"snapshot of the event store {store} cannot be written to {target}: {error}") from error
    finally:
        connection.close()
    return target
