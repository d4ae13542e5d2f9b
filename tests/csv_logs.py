"""Small CSV event logs for the loading tests: the files, their source configuration, and helpers that
load them and read the store."""

from __future__ import annotations

from pathlib import Path

import duckdb

from eventlogs.pipeline import extract_and_load
from eventlogs.store.loader import LoadResult

# Six lines, three of them broken (no case id, an unparseable time, no activity); naive times in
# Amsterdam time.
LOG = """case,activity,time,who
c1,Open,2026-03-02 09:00:00,ann
c1,Close,2026-03-02 11:30:00,bob
,Open,2026-03-02 09:00:00,ann
c2,Open,yesterday,ann
c2,Open,2026-03-03 08:00:00+01:00,ann
c2,,2026-03-03 09:00:00,bob
"""
CONFIG = """
[sources.log]
kind = "csv_event_log"
path = "log.csv"
journey_type = "ticket"
timezone = "Europe/Amsterdam"
[sources.log.fields]
journey_id = "case"
activity = "activity"
timestamp = "time"
resource = "who"
"""

# The same columns, times read as UTC.
PLAIN_CONFIG = """
[sources.log]
kind = "csv_event_log"
path = "log.csv"
journey_type = "ticket"
[sources.log.fields]
journey_id = "case"
activity = "activity"
timestamp = "time"
resource = "who"
"""
HEADER = "case,activity,time,who\n"


def ledger(result: LoadResult) -> tuple[int, int, int, int]:
    """read, loaded, rejected, already loaded; read = the other three, always."""
    assert result.rows_read == result.rows_loaded + result.rows_rejected + result.rows_duplicate
    return result.rows_read, result.rows_loaded, result.rows_rejected, result.rows_duplicate


def query(store: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(store), read_only=True) as connection:
        connection.execute("SET TimeZone = 'UTC'")
        return connection.execute(sql).fetchall()


def load(tmp_path: Path, csv: bytes | str, config: str = PLAIN_CONFIG) -> LoadResult:
    (tmp_path / "log.csv").write_bytes(csv.encode() if isinstance(csv, str) else csv)
    (tmp_path / "log.toml").write_text(config)
    (result,) = extract_and_load(tmp_path / "log.toml", tmp_path / "store.duckdb")
    return result


def rejects(tmp_path: Path) -> list[tuple]:
    return query(tmp_path / "store.duckdb", "SELECT source_row, field, reason FROM rejects ORDER BY source_row")
