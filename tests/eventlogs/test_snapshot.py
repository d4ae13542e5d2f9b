"""The store's snapshot for the explorer: written by every load, swapped atomically, a consistent copy."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from eventlogs.store import connect_store, publish_snapshot, snapshot_path
from tests.csv_logs import HEADER, load


def _journeys(database: Path) -> list[str]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return [row[0] for row in connection.execute("SELECT journey_id FROM journeys ORDER BY 1").fetchall()]


def test_a_load_publishes_the_snapshot_with_what_it_loaded(tmp_path: Path) -> None:
    # two cases in the log: c1 and c2
    load(tmp_path, HEADER + "c1,Open,2026-03-02 09:00:00,ann\nc2,Open,2026-03-02 10:00:00,bob\n")
    snapshot = tmp_path / "store.duckdb.snapshot.duckdb"
    assert snapshot_path(tmp_path / "store.duckdb") == snapshot
    assert _journeys(snapshot) == ["c1", "c2"]
    assert not list(tmp_path.glob(".store.duckdb.*.tmp"))  # the temporary copy was swapped in, not left


def test_a_new_snapshot_replaces_the_old_file_while_a_reader_keeps_the_old_one(tmp_path: Path) -> None:
    load(tmp_path, HEADER + "c1,Open,2026-03-02 09:00:00,ann\n")
    snapshot = tmp_path / "store.duckdb.snapshot.duckdb"
    before = os.stat(snapshot).st_ino
    reader = duckdb.connect(str(snapshot), read_only=True)  # an explorer reading the old snapshot
    try:
        # the next load (c3 added; the read-only reader of the snapshot does not block it)
        load(tmp_path, HEADER + "c1,Open,2026-03-02 09:00:00,ann\nc3,Open,2026-03-04 09:00:00,cid\n")
        assert os.stat(snapshot).st_ino != before  # a new file swapped in (os.replace), not written over
        assert reader.execute("SELECT count(*) FROM journeys").fetchone() == (1,)
    finally:
        reader.close()
    assert _journeys(snapshot) == ["c1", "c3"]


def test_the_snapshot_holds_what_was_written_before_it_even_if_not_checkpointed(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    writer = connect_store(store)
    try:
        writer.execute("INSERT INTO journeys (journey_id, journey_type, is_open, source, load_run_id) "
                       "VALUES ('x', 't', true, 'h', 'r')")  # fmt: skip
        # still open: the row is in the write-ahead log only, which a plain file copy would miss
        assert (tmp_path / "s.duckdb.wal").exists()
        assert _journeys(publish_snapshot(store)) == ["x"]
    finally:
        writer.close()
