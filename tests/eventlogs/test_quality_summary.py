"""The quality summary shows the checks of the load that finished last, whatever its run id sorts as."""

from __future__ import annotations

from pathlib import Path

from eventlogs.store.connection import connect_store
from eventlogs.store.quality import quality_summary


def test_the_latest_run_is_the_one_that_finished_last(tmp_path: Path) -> None:
    connection = connect_store(tmp_path / "s.duckdb")
    # two loads within one second: the later one's random suffix sorts first
    for run_id, finished in (("20260302T090000Z-ffffff", "09:00:00.2"), ("20260302T090000Z-000000", "09:00:00.7")):
        connection.execute(
            "INSERT INTO load_runs VALUES (?, 'log', TIMESTAMPTZ '2026-03-02 09:00:00+00', ?::TIMESTAMPTZ, 1, 1, 0, 0)",
            [run_id, f"2026-03-02 {finished}+00"],
        )
        connection.execute(
            "INSERT INTO quality_checks VALUES (?, 'log', 'events_without_department', ?, NULL)",
            [run_id, 7 if run_id.endswith("ffffff") else 3],
        )
    summary = quality_summary(connection)
    assert summary[["check", "count"]].values.tolist() == [["events_without_department", 3]]
