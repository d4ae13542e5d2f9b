"""`journey export`: the store's events and journeys as Parquet, events partitioned by month (Hive style),
read back whole by another reader; an export already in the folder is replaced only when asked."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from typer.testing import CliRunner

from flows.cli import app
from tests.conftest import event_row, hand_made_store, journey_row

# J1 in January (two events), J2 from 31 January 23:30 UTC into February, J3 in March: by month of the
# event time (UTC) 3 events in 2026-01, 1 in 2026-02, 1 in 2026-03
EVENTS = [
    ("J1", "Open", datetime(2026, 1, 5, 9, tzinfo=UTC)),
    ("J1", "Close", datetime(2026, 1, 6, 9, tzinfo=UTC)),
    ("J2", "Open", datetime(2026, 1, 31, 23, 30, tzinfo=UTC)),
    ("J2", "Close", datetime(2026, 2, 1, 0, 30, tzinfo=UTC)),
    ("J3", "Open", datetime(2026, 3, 2, 9, tzinfo=UTC)),
]


def _store(tmp_path: Path) -> Path:
    store = tmp_path / "store.duckdb"
    journeys = [
        journey_row("J1", EVENTS[0][2], EVENTS[1][2], attributes=json.dumps({"priority": "1"})),
        journey_row("J2", EVENTS[2][2], EVENTS[3][2]),
        journey_row("J3", EVENTS[4][2], None),
    ]
    events = [event_row(j, a, ts, "Desk", f"{j}-{a}") for j, a, ts in EVENTS]
    hand_made_store(store, journeys, events).close()
    return store


def test_events_by_month_and_journeys_read_back_whole(tmp_path: Path) -> None:
    store, out = _store(tmp_path), tmp_path / "lake"
    result = CliRunner().invoke(app, ["export", "--store", str(store), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "exported 5 events in 3 partition(s) and 3 journeys" in result.output
    months = sorted(path.name for path in (out / "events").iterdir())
    assert months == ["month=2026-01", "month=2026-02", "month=2026-03"]
    reader = duckdb.connect()
    events = f"read_parquet('{out}/events/*/*.parquet', hive_partitioning = true)"
    assert reader.execute(f"SELECT month, count(*) FROM {events} GROUP BY ALL ORDER BY 1").fetchall() == [
        ("2026-01", 3),
        ("2026-02", 1),
        ("2026-03", 1),
    ]
    exported = reader.execute(f"SELECT journey_id, activity, ts FROM {events} ORDER BY ts").fetchall()
    assert [(j, a, ts.astimezone(UTC)) for j, a, ts in exported] == EVENTS
    journeys = reader.execute(
        f"SELECT journey_id, is_open, attributes FROM read_parquet('{out}/journeys/*.parquet') ORDER BY 1"
    ).fetchall()
    parsed = [(j, is_open, None if text is None else json.loads(text)) for j, is_open, text in journeys]
    assert parsed == [("J1", False, {"priority": "1"}), ("J2", False, None), ("J3", True, None)]


def test_an_export_is_replaced_only_when_asked(tmp_path: Path) -> None:
    store, out = _store(tmp_path), tmp_path / "lake"
    arguments = ["export", "--store", str(store), "--out", str(out), "--partition-by", "none"]
    assert CliRunner().invoke(app, arguments).exit_code == 0
    assert [path.name for path in (out / "events").iterdir()] == ["events.parquet"]
    again = CliRunner().invoke(app, arguments)
    assert again.exit_code == 1 and "is not empty" in again.output
    assert CliRunner().invoke(app, [*arguments, "--replace"]).exit_code == 0
    count = duckdb.connect().execute(f"SELECT count(*) FROM read_parquet('{out}/events/*.parquet')").fetchone()
    assert count == (5,)
    assert not [path for path in tmp_path.iterdir() if path.name.startswith(".lake-")]  # no staging left


def test_extract_writes_the_export_beside_the_store_and_replaces_it_on_the_next_run(tmp_path: Path) -> None:
    from tests.conftest import EXAMPLES
    from tests.realdata import real_data_file

    log = real_data_file("helpdesk.csv")
    store, lake = tmp_path / "store.duckdb", tmp_path / "lake"
    arguments = ["extract", "--config", str(EXAMPLES / "helpdesk.toml"), "--data", str(log.parent)]
    arguments += ["--store", str(store), "--parquet-out", str(lake)]
    for _ in range(2):  # the second run loads nothing new and writes the same export again, whole
        result = CliRunner().invoke(app, arguments)
        assert result.exit_code == 0, result.output
        reader = duckdb.connect()
        in_lake = reader.execute(
            f"SELECT count(*), count(DISTINCT journey_id) FROM read_parquet('{lake}/events/*/*.parquet')"
        ).fetchone()
        in_store = duckdb.connect(str(store), read_only=True)
        assert in_lake == in_store.execute("SELECT count(*), count(DISTINCT journey_id) FROM events").fetchone()
        in_store.close()
        # SOURCES.md: 21,348 events of 4,580 cases
        assert in_lake == (21_348, 4_580)
        assert f"exported 21,348 events and 4,580 journeys to {lake}" in " ".join(result.output.split())
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".lake")] == []  # no staging left
