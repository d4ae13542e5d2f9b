"""One writer at a time, and a load killed midway (kill -9) leaves the store as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from eventlogs.errors import StoreError
from eventlogs.pipeline import extract_and_load
from eventlogs.store import connect_store
from tests.realdata import REPOSITORY

CONFIG = """
[sources.big]
kind = "parquet_event_log"
path = "events.parquet"
journey_type = "big"
pseudonymise_resources = false
[sources.big.fields]
journey_id = "case_id"
activity = "activity"
timestamp = "ts"
resource = "resource"
"""


def _python(code: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", code], cwd=REPOSITORY, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_a_second_writer_waits_then_stops_with_a_clear_message(tmp_path: Path) -> None:
    store = tmp_path / "store.duckdb"
    connect_store(store).close()
    holder = _python(
        f"import duckdb, time; c = duckdb.connect({str(store)!r}); print('holding', flush=True); time.sleep(4)"
    )
    assert holder.stdout.readline().strip() == "holding"
    with pytest.raises(StoreError, match=r"is in use by process \d+ .*nothing was written"):
        connect_store(store, wait_seconds=1)
    started = time.monotonic()
    connect_store(store, wait_seconds=30).close()  # waits until the holder is gone, then opens
    assert time.monotonic() - started > 1
    holder.wait(timeout=30)


def test_kill_minus_nine_during_a_load_leaves_the_store_consistent(tmp_path: Path) -> None:
    events = 1_500_000
    duckdb.sql(f"""
        COPY (SELECT 'c' || (i // 10) AS case_id, 'step ' || (i % 10) AS activity,
                     TIMESTAMPTZ '2026-01-01 00:00:00+00' + to_seconds(i) AS ts, 'r' || (i % 50) AS resource
              FROM range({events}) t(i)) TO '{tmp_path / "events.parquet"}' (FORMAT parquet)
    """)
    (tmp_path / "big.toml").write_text(CONFIG)
    store = tmp_path / "store.duckdb"
    loader = _python(
        "from pathlib import Path; from eventlogs.pipeline import extract_and_load; "
        f"print('started', flush=True); extract_and_load(Path({str(tmp_path / 'big.toml')!r}), Path({str(store)!r}))"
    )
    assert loader.stdout.readline().strip() == "started"
    # wait until the load holds the store (it writes only inside its one transaction), then kill it
    deadline = time.monotonic() + 60
    while not (store.exists() and (tmp_path / "store.duckdb.wal").exists()) and time.monotonic() < deadline:
        if loader.poll() is not None:
            pytest.fail(f"the load finished before it could be killed: {loader.stderr.read()}")
        time.sleep(0.05)
    time.sleep(0.5)
    os.kill(loader.pid, signal.SIGKILL)
    assert loader.wait(timeout=30) == -signal.SIGKILL
    with connect_store(store, read_only=True) as connection:
        assert connection.execute("SELECT count(*) FROM events").fetchone()[0] == 0
        assert connection.execute("SELECT count(*) FROM load_runs").fetchone()[0] == 0
    (result,) = extract_and_load(tmp_path / "big.toml", store)  # the next run completes it
    assert (result.rows_read, result.rows_loaded, result.rows_duplicate) == (events, events, 0)
