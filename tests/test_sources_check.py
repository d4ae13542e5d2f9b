"""`journey sources check` on the demo: what would load and be rejected, with nothing written to a store."""

from __future__ import annotations

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
