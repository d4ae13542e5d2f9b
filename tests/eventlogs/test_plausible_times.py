"""A timestamp that parses but is no moment (infinity, epoch, year 1) is a reject with its reason: one bad
cell must not reach the store, where it broke every later `journey mine`."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from eventlogs.pipeline import extract_and_load
from flows.cli import app

LOG = """case,activity,time,who
c1,Open,2026-03-02 09:00:00,ann
c1,Close,infinity,bob
c2,Open,epoch,ann
c2,Close,0001-01-01 00:00:00,bob
c3,Open,2026-03-03 09:00:00,ann
c3,Close,-infinity,bob
c3,Check,2999-01-01 00:00:00,bob
c3,Close,2026-03-03 10:00:00,bob
"""
CONFIG = """
[sources.log]
kind = "csv_event_log"
path = "log.csv"
journey_type = "ticket"
pseudonymise_resources = false
[sources.log.fields]
journey_id = "case"
activity = "activity"
timestamp = "time"
resource = "who"
"""


def test_infinite_and_placeholder_times_are_rejects_and_the_store_can_be_mined(tmp_path: Path) -> None:
    (tmp_path / "log.csv").write_text(LOG)
    (tmp_path / "log.toml").write_text(CONFIG)
    store = tmp_path / "store.duckdb"
    (result,) = extract_and_load(tmp_path / "log.toml", store)
    # 8 lines: 3 plausible events; infinity, epoch, year 1, -infinity and 2999 are rejected
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (8, 3, 5)
    with duckdb.connect(str(store), read_only=True) as connection:
        events = connection.execute("SELECT journey_id, activity FROM events ORDER BY ts").fetchall()
        rejects = connection.execute("SELECT source_row, field, reason FROM rejects ORDER BY source_row").fetchall()
        journeys = connection.execute(
            "SELECT journey_id, strftime(opened_at, '%d %H:%M'), strftime(closed_at, '%d %H:%M') FROM journeys "
            "ORDER BY journey_id"
        ).fetchall()
    # each journey spans its kept events; c2 kept none and is no journey
    assert journeys == [("c1", "02 09:00", "02 09:00"), ("c3", "03 09:00", "03 10:00")]
    assert events == [("c1", "Open"), ("c3", "Open"), ("c3", "Close")]
    assert [(row, field) for row, field, _ in rejects] == [
        ("line 3", "ts"),
        ("line 4", "ts"),
        ("line 5", "ts"),
        ("line 7", "ts"),
        ("line 8", "ts"),
    ]
    reasons = [reason for _, _, reason in rejects]
    assert "infinite" in reasons[0] and "infinite" in reasons[3]
    assert "1970-01-01" in reasons[1] and "placeholder" in reasons[1]
    assert "0001-01-01" in reasons[2] and "2999-01-01" in reasons[4]
    mined = CliRunner().invoke(app, ["mine", "--store", str(store), "--out", str(tmp_path / "mined")])
    assert mined.exit_code == 0, mined.output


@pytest.mark.parametrize("cell", ["2026-03-02 09:00:00", "1971-01-01 00:00:00", "2099-12-31 23:59:59"])
def test_times_in_range_are_kept(tmp_path: Path, cell: str) -> None:
    (tmp_path / "log.csv").write_text(f"case,activity,time,who\nc1,Open,{cell},ann\n")
    (tmp_path / "log.toml").write_text(CONFIG)
    (result,) = extract_and_load(tmp_path / "log.toml", tmp_path / "store.duckdb")
    assert (result.rows_loaded, result.rows_rejected) == (1, 0)
