"""Events of a journey at the same time: in the file's order by default, else by a configured tie-break.

The log: Open 09:00, then four events at 10:00 (X, Y, Z, W in file order, tie-break values 10, 9, 100 and
blank), Close 11:00. By hand:
- default: the file's order, Open → X → Y → Z → W → Close (event ids are keyed hashes, different in every
  store: ordering by them would shuffle the four; 1 chance in 24 to come out like this);
- tie_break = "seq", all numbers: 9, 10, 100, blank last: Open → Y → X → Z → W → Close;
- tie_break = "seq" with W's value 'b' (not a number: all compared as text): "10" < "100" < "9" < "b":
  Open → X → Z → Y → W → Close.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from eventlogs.pipeline import extract_and_load
from mining.discovery import tables as discovery
from mining.discovery.step import discovery_tables
from mining.scope.scope import define_scope

LOG = """case,activity,time,seq
t1,Open,2026-03-02 09:00:00,1
t1,X,2026-03-02 10:00:00,10
t1,Y,2026-03-02 10:00:00,9
t1,Z,2026-03-02 10:00:00,100
t1,W,2026-03-02 10:00:00,
t1,Close,2026-03-02 11:00:00,2
"""
CONFIG = """
[sources.log]
kind = "{kind}"
path = "log.{suffix}"
journey_type = "ticket"
{tie_break}
[sources.log.fields]
journey_id = "case"
activity = "activity"
timestamp = "time"
"""


def _variants(folder: Path, log: str, tie_break: str = "", kind: str = "csv_event_log") -> tuple[str, str]:
    """The journey's variant as the SQL and as the discovery engine (from the store's coded copy) see it."""
    (folder / "log.csv").write_text(log)
    suffix = "csv"
    if kind == "parquet_event_log":  # typed columns: seq as integers
        suffix = "parquet"
        duckdb.execute(
            f"COPY (SELECT * FROM read_csv('{folder / 'log.csv'}', types={{'seq': 'INTEGER'}})) "
            f"TO '{folder / 'log.parquet'}' (FORMAT parquet)"
        )
    (folder / "log.toml").write_text(CONFIG.format(kind=kind, suffix=suffix, tie_break=tie_break))
    extract_and_load(folder / "log.toml", folder / "store.duckdb")
    with duckdb.connect(str(folder / "store.duckdb"), read_only=True) as connection:
        scope = define_scope(connection)
        sql = discovery.variants(scope)["variant"].tolist()
        engine = discovery_tables(scope, ("department",))["variants"]["variant"].tolist()
    assert len(sql) == len(engine) == 1
    return sql[0], engine[0]


@pytest.mark.parametrize("kind", ["csv_event_log", "parquet_event_log"])
def test_equal_times_keep_the_file_order_by_default(tmp_path: Path, kind: str) -> None:
    expected = "Open → X → Y → Z → W → Close"
    assert _variants(tmp_path, LOG, kind=kind) == (expected, expected)


@pytest.mark.parametrize("kind", ["csv_event_log", "parquet_event_log"])
def test_a_numeric_tie_break_orders_equal_times_as_numbers(tmp_path: Path, kind: str) -> None:
    expected = "Open → Y → X → Z → W → Close"
    assert _variants(tmp_path, LOG, 'tie_break = "seq"', kind) == (expected, expected)


def test_a_tie_break_with_text_orders_as_text(tmp_path: Path) -> None:
    log = LOG.replace("t1,W,2026-03-02 10:00:00,", "t1,W,2026-03-02 10:00:00,b")
    expected = "Open → X → Z → Y → W → Close"
    assert _variants(tmp_path, log, 'tie_break = "seq"') == (expected, expected)
