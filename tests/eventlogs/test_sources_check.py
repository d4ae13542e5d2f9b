"""`journey sources check` on the demo: what would load and be rejected, with nothing written to a store."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from eventlogs.check import check_sources
from flows.paths import DEMO_SOURCE_CONFIG


def test_check_reports_defects_without_loading(small_demo, small_demo_truth, tmp_path: Path) -> None:
    checks = {check.source: check for check in check_sources(DEMO_SOURCE_CONFIG, small_demo.folder)}
    ticketing, logistics = checks["ticketing"], checks["logistics"]
    defects = small_demo_truth["defects"]
    reasons = dict(ticketing.rejects_by_reason)
    assert reasons["sys_created_on: missing timestamp"] == len(defects["missing_timestamp"]["sys_ids"])
    assert reasons["newvalue: unknown state code …"] == len(defects["unknown_state_code"]["sys_ids"])
    assert ticketing.journeys == small_demo_truth["counts"]["journeys"]
    assert ticketing.rows_read == ticketing.events + sum(reasons.values())
    # the orphan shipments' scans (two each) name no request
    assert logistics.uncorrelated == 2 * len(defects["orphan_shipments"])
    assert logistics.uncorrelated_example.startswith("PO-77")
    assert not list(small_demo.folder.glob("*.duckdb"))


def test_unreadable_source_is_reported_and_others_still_checked(small_demo, tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "ticketing.sqlite").write_bytes(small_demo.ticketing.read_bytes())  # logistics file missing
    checks = {check.source: check for check in check_sources(DEMO_SOURCE_CONFIG, folder)}
    assert checks["ticketing"].problem is None and checks["ticketing"].events > 0
    assert "logistics_tracking.csv does not exist" in checks["logistics"].problem


def test_databases_are_sampled_by_recent_updates(small_demo, small_demo_truth) -> None:
    """The ticketing source reads incrementally, so a sample holds only recently updated requests;
    the tracking file is read whole."""
    since = (datetime.now(UTC) - timedelta(days=100)).strftime("%Y-%m-%d %H:%M:%S")
    sampled = {check.source: check for check in check_sources(DEMO_SOURCE_CONFIG, small_demo.folder, 100)}
    with sqlite3.connect(small_demo.ticketing) as database:
        expected = database.execute("SELECT count(*) FROM task WHERE sys_updated_on >= ?", [since]).fetchone()[0]
    assert 0 < sampled["ticketing"].journeys == expected < small_demo_truth["counts"]["journeys"]
    assert sampled["logistics"].rows_read == small_demo_truth["source_rows"]["logistics_tracking"]
