"""A flat CSV event log with broken rows: each bad row is rejected with the field, nothing is lost."""

from __future__ import annotations

from pathlib import Path

import duckdb

from eventlogs.pipeline import extract_and_load
from tests.csv_logs import CONFIG, LOG


def test_rejects_name_line_and_field_and_naive_times_take_the_zone(tmp_path: Path) -> None:
    (tmp_path / "log.csv").write_text(LOG)
    (tmp_path / "log.toml").write_text(CONFIG)
    store = tmp_path / "store.duckdb"
    (result,) = extract_and_load(tmp_path / "log.toml", store)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (6, 3, 3)
    with duckdb.connect(str(store), read_only=True) as connection:
        rejects = connection.execute("SELECT source_row, field, reason FROM rejects ORDER BY source_row").fetchall()
        assert rejects == [
            ("line 4", "case", "case: missing case id"),
            ("line 5", "time", "time: unparseable timestamp 'yesterday'"),
            ("line 7", "activity", "activity: missing activity"),
        ]
        connection.execute("SET TimeZone = 'UTC'")
        times = connection.execute("SELECT strftime(ts, '%H:%M') FROM events ORDER BY source_row").fetchall()
        # 09:00 and 11:30 in Amsterdam (CET, +01:00) are 08:00 and 10:30 UTC; the offset in line 6 wins
        assert [t for (t,) in times] == ["08:00", "10:30", "07:00"]
        lead = connection.execute("SELECT epoch(closed_at - opened_at) / 3600 FROM journeys WHERE journey_id = 'c1'")
        assert lead.fetchone()[0] == 2.5
    (again,) = extract_and_load(tmp_path / "log.toml", store)
    assert (again.rows_loaded, again.rows_duplicate, again.rows_rejected) == (0, 3, 3)


def test_parquet_event_log_with_typed_naive_timestamps(tmp_path: Path) -> None:
    import pandas as pd

    frame = pd.DataFrame(
        {
            "case": ["c1", "c1", "c2"],
            "activity": ["Open", "Close", "Open"],
            "time": pd.to_datetime(["2026-03-02 09:00", "2026-03-02 11:30", "2026-07-01 09:00"]),
            "who": ["ann", "bob", None],
        }
    )
    frame.to_parquet(tmp_path / "log.parquet")
    config = CONFIG.replace('kind = "csv_event_log"', 'kind = "parquet_event_log"').replace("log.csv", "log.parquet")
    (tmp_path / "log.toml").write_text(config)
    store = tmp_path / "store.duckdb"
    (result,) = extract_and_load(tmp_path / "log.toml", store)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (3, 3, 0)
    with duckdb.connect(str(store), read_only=True) as connection:
        connection.execute("SET TimeZone = 'UTC'")
        times = connection.execute("SELECT strftime(ts, '%m-%d %H:%M') FROM events ORDER BY source_row").fetchall()
    # Amsterdam is UTC+1 in March and UTC+2 (summer time) in July
    assert [t for (t,) in times] == ["03-02 08:00", "03-02 10:30", "07-01 07:00"]


def test_a_bare_date_takes_the_configured_zone_not_an_offset(tmp_path: Path) -> None:
    """'2026-03-03' ends in '-03', which must not be read as a UTC offset of minus three hours."""
    (tmp_path / "log.csv").write_text("case,activity,time,who\nc1,Open,2026-03-03,ann\n")
    (tmp_path / "log.toml").write_text(CONFIG)
    store = tmp_path / "store.duckdb"
    (result,) = extract_and_load(tmp_path / "log.toml", store)
    assert result.rows_loaded == 1
    with duckdb.connect(str(store), read_only=True) as connection:
        connection.execute("SET TimeZone = 'UTC'")
        # midnight in Amsterdam (CET, +01:00) is 23:00 UTC the day before
        assert connection.execute("SELECT strftime(ts, '%Y-%m-%d %H:%M') FROM events").fetchone()[0] == (
            "2026-03-02 23:00"
        )
