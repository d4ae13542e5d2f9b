"""The demo organisation through extraction, loading and analysis, checked against its ground truth."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from eventlogs.store.loader import load_staged
from flows.paths import DEMO_DESIGNED_JOURNEY
from mining.design.load import load_designed_journey
from mining.runs.analysis import analyse
from tests.conftest import stage_demo


@pytest.fixture(scope="module")
def loaded_store(small_demo, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list, list]:
    folder = tmp_path_factory.mktemp("store")
    staged = stage_demo(small_demo, folder / "staging")
    store = folder / "journeys.duckdb"
    first = load_staged(store, staged, "run-1")
    second = load_staged(store, staged, "run-2")
    return store, first, second


def test_counts_reconcile_and_second_load_adds_nothing(loaded_store, small_demo_truth) -> None:
    store, first, second = loaded_store
    for result in first:
        assert result.rows_read == result.rows_loaded + result.rows_rejected
        assert result.rows_duplicate == 0
    rows = small_demo_truth["source_rows"]
    by_source = {r.source: r for r in first}
    # every row of the four ticketing tables is read once (sys_audit holds no rows of other tables here)
    assert by_source["ticketing"].rows_read == (
        rows["task"] + rows["sys_audit"] + rows["sysapproval_approver"] + rows["interaction"]
    )
    assert by_source["logistics"].rows_read == rows["logistics_tracking"]
    for before, again in zip(first, second, strict=True):
        assert again.rows_loaded == 0
        assert again.rows_duplicate == before.rows_loaded
        assert again.rows_rejected == before.rows_rejected
    with duckdb.connect(str(store), read_only=True) as connection:
        events = connection.execute("SELECT count(*) FROM events").fetchone()[0]
        rejects = connection.execute("SELECT count(*) FROM rejects").fetchone()[0]
    assert events == sum(r.rows_loaded for r in first)
    assert rejects == sum(r.rows_rejected for r in first)  # the re-run rejected the same records again


def _rejected(store: Path) -> dict[str, str]:
    with duckdb.connect(str(store), read_only=True) as connection:
        return dict(connection.execute("SELECT source_row, reason FROM rejects").fetchall())


def test_every_injected_defect_is_rejected_with_its_reason(loaded_store, small_demo_truth) -> None:
    store, _, _ = loaded_store
    rejected = _rejected(store)
    defects = small_demo_truth["defects"]
    for duplicate, original in defects["duplicate_audit_rows"].items():
        assert rejected[f"sys_audit sys_id={duplicate}"].startswith(f"sys_id: duplicate of sys_audit {original}")
    for sys_id in defects["missing_timestamp"]["sys_ids"]:
        assert rejected[f"sys_audit sys_id={sys_id}"] == "sys_created_on: missing timestamp"
    for sys_id in defects["unknown_state_code"]["sys_ids"]:
        assert rejected[f"sys_audit sys_id={sys_id}"] == "newvalue: unknown state code '99'"
    orphan_reasons = [reason for reason in rejected.values() if reason.startswith("order_ref: no request 'PO-77")]
    assert len(orphan_reasons) == 2 * len(defects["orphan_shipments"])  # two scans each
    expected = (
        len(defects["duplicate_audit_rows"])
        + len(defects["missing_timestamp"]["sys_ids"])
        + len(defects["unknown_state_code"]["sys_ids"])
        + len(orphan_reasons)
    )
    assert len(rejected) == expected  # nothing else was rejected


def test_out_of_order_listing_is_reported_and_lowercase_refs_correlate(loaded_store, small_demo_truth) -> None:
    store, _, _ = loaded_store
    with duckdb.connect(str(store), read_only=True) as connection:
        listed = connection.execute(
            "SELECT count FROM quality_checks WHERE run_id = 'run-1' AND check_name = 'listed_out_of_time_order'"
        ).fetchone()[0]
        shipped_journeys = connection.execute(
            "SELECT count(DISTINCT journey_id) FROM events WHERE source = 'logistics'"
        ).fetchone()[0]
        logistics_events = connection.execute("SELECT count(*) FROM events WHERE source = 'logistics'").fetchone()[0]
    truth = small_demo_truth["defects"]
    assert listed == len(truth["out_of_order_shipments"])
    assert truth["lowercase_order_refs"] > 0
    # every non-orphan scan found its request, including " ritm..." references
    assert logistics_events == small_demo_truth["source_rows"]["logistics_tracking"] - 2 * len(
        truth["orphan_shipments"]
    )
    assert shipped_journeys > 0


def test_top_bottleneck_and_its_waits_match_the_ground_truth(loaded_store, small_demo_truth) -> None:
    store, _, _ = loaded_store
    analysis = analyse(store, load_designed_journey(DEMO_DESIGNED_JOURNEY))
    worst = small_demo_truth["worst_handover"]
    top = analysis.tables["handover_norms"].iloc[0]
    assert f"{top['from_department']} -> {top['to_department']}" == worst
    assert analysis.bottleneck.startswith(worst.replace(" -> ", " → "))
    measured = analysis.tables["handovers_department_all"].set_index(["from_department", "to_department"])
    for name in ("Management -> Procurement", "Warehouse -> Carrier", "Service Desk -> Management"):
        truth = small_demo_truth["handovers"][name]["realised_calendar_hours"]["all"]
        row = measured.loc[tuple(name.split(" -> "))]
        # a handful of events are lost to the injected defects, so allow 3% (or 2 handovers)
        assert row["handovers"] == pytest.approx(truth["n"], abs=max(2, 0.03 * truth["n"]))
        assert row["median_wait_hours"] == pytest.approx(truth["median_hours"], rel=0.03)
        assert row["total_wait_hours"] == pytest.approx(truth["total_hours"], rel=0.03)
