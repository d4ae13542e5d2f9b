"""The loader's shortcuts keep its guarantees: typed columns checked without text casts, rejects still
found when some lines fail, people pseudonymised as the staged files are written."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from eventlogs.config import load_source_config
from eventlogs.pipeline import extract_and_load, stage_source
from eventlogs.store import connect_store, loader
from eventlogs.store.coded_events import coded_copy_is_fresh
from eventlogs.store.coded_events import refresh_coded_events as refresh
from tests.csv_logs import CONFIG

PARQUET_CONFIG = CONFIG.replace('"csv_event_log"', '"parquet_event_log"').replace("log.csv", "log.parquet")


def _write_log(folder: Path, cases: list[str | None], times: list[str | None]) -> None:
    frame = pd.DataFrame(
        {
            "case": cases,
            "activity": ["Open"] * len(cases),
            "time": pd.to_datetime(times),
            "who": ["ann", "bob", "ann", "bob"][: len(cases)],
        }
    )
    frame.to_parquet(folder / "log.parquet")
    (folder / "log.toml").write_text(PARQUET_CONFIG)


def test_typed_parquet_nulls_are_rejected_by_field_and_counts_reconcile(tmp_path: Path) -> None:
    # 4 rows: row 2 has no case, row 4 no time -> 2 loaded + 2 rejected = 4 read
    _write_log(tmp_path, ["c1", None, "c1", "c2"], ["2026-03-02 09:00", "2026-03-02 10:00", "2026-03-02 11:00", None])
    store = tmp_path / "store.duckdb"
    (result,) = extract_and_load(tmp_path / "log.toml", store)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected, result.rows_duplicate) == (4, 2, 2, 0)
    with duckdb.connect(str(store), read_only=True) as connection:
        rejects = connection.execute("SELECT source_row, field, reason FROM rejects ORDER BY source_row").fetchall()
    assert rejects == [("row 2", "case", "case: missing case id"), ("row 4", "time", "time: missing timestamp")]
    (again,) = extract_and_load(tmp_path / "log.toml", store)  # the same file again: nothing new
    assert (again.rows_read, again.rows_loaded, again.rows_rejected, again.rows_duplicate) == (4, 0, 2, 2)


def test_staged_files_already_hold_pseudonyms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOURNEY_PSEUDONYM_KEY", "secret-key-number-1")
    _write_log(tmp_path, ["c1", "c1"], ["2026-03-02 09:00", "2026-03-02 10:00"])
    config = load_source_config(tmp_path / "log.toml")
    staged = stage_source(config, "log", tmp_path / "staging", None, tmp_path / "store.duckdb")
    with duckdb.connect() as connection:
        resources = connection.execute(f"SELECT resource FROM '{staged.events}' ORDER BY source_row").fetchall()
    # the keyed hash of "<key>|<name>", first 12 hex digits, as pseudonymise.pseudonym_sql defines it
    ann = "p-" + hashlib.sha256(b"secret-key-number-1|ann").hexdigest()[:12]
    bob = "p-" + hashlib.sha256(b"secret-key-number-1|bob").hexdigest()[:12]
    assert resources == [(ann,), (bob,)]


def test_a_rerun_that_adds_nothing_keeps_the_coded_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The coded copy is rebuilt only when a load changes an event or a journey; a re-run marks it fresh."""
    rebuilds = []
    monkeypatch.setattr(loader, "refresh_coded_events", lambda connection: rebuilds.append(refresh(connection)))
    store = tmp_path / "store.duckdb"
    cases, times = ["c1", "c1", "c2"], ["2026-03-02 09:00", "2026-03-02 10:00", "2026-03-02 11:00"]
    # the first load, the same file again, then the file with one more event
    for extra, rebuilt in (([], 1), ([], 1), (["c2"], 2)):
        _write_log(tmp_path, cases + extra, times + ["2026-03-02 12:00"] * len(extra))
        extract_and_load(tmp_path / "log.toml", store)
        assert len(rebuilds) == rebuilt
        with connect_store(store, read_only=True) as connection:
            assert coded_copy_is_fresh(connection)
            events = connection.execute("SELECT count(*) FROM coded_work_events").fetchone()[0]
            assert events == len(cases + extra)
