"""File sources under hostile and careless input: re-read exports, broken records, moved sources.

Every expected value is worked out by hand from the fixture written in the test."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from eventlogs.config import load_source_config
from eventlogs.errors import SourceError
from eventlogs.pipeline import extract_and_load, read_since
from eventlogs.sources.shared.csv_text import _read_well_formed, read_csv_as_text
from eventlogs.staging import create_staging_tables, write_staged
from eventlogs.store import connect_store
from eventlogs.store.loader import load_staged
from tests.csv_logs import HEADER, ledger, load, query, rejects
from tests.csv_logs import PLAIN_CONFIG as CONFIG

DAY_1 = [
    "c1,Open,2026-03-02 09:00:00,ann",
    "c1,Assign,2026-03-02 10:00:00,bob",
    "c2,Open,2026-03-02 11:00:00,ann",
    "c2,Close,2026-03-02 12:00:00,cy",
]
# day 2 repeats day 1 and adds a row at the top, one in the middle and one at the end
DAY_2 = [
    "c3,Open,2026-03-03 08:00:00,dee",
    *DAY_1[:2],
    "c1,Close,2026-03-03 09:30:00,bob",
    *DAY_1[2:],
    "c3,Close,2026-03-03 10:00:00,dee",
]


def test_a_longer_export_replayed_keeps_every_event_exactly_once(tmp_path: Path) -> None:
    assert ledger(load(tmp_path, HEADER + "\n".join(DAY_1) + "\n")) == (4, 4, 0, 0)
    # 7 rows: the 4 of day 1 are already loaded, the 3 new ones are loaded
    day_2 = load(tmp_path, HEADER + "\n".join(DAY_2) + "\n")
    assert ledger(day_2) == (7, 3, 0, 4)
    events = query(
        tmp_path / "store.duckdb",
        "SELECT journey_id, activity, strftime(ts, '%d %H:%M'), resource IS NOT NULL, count(*) "
        "FROM events GROUP BY ALL ORDER BY ALL",
    )
    assert events == [
        ("c1", "Assign", "02 10:00", True, 1),
        ("c1", "Close", "03 09:30", True, 1),
        ("c1", "Open", "02 09:00", True, 1),
        ("c2", "Close", "02 12:00", True, 1),
        ("c2", "Open", "02 11:00", True, 1),
        ("c3", "Close", "03 10:00", True, 1),
        ("c3", "Open", "03 08:00", True, 1),
    ]
    # the rows new on day 2 name their day-2 lines (the header is line 1)
    rows = query(
        tmp_path / "store.duckdb", f"SELECT source_row FROM events WHERE load_run_id = '{day_2.run_id}' ORDER BY 1"
    )
    assert [row for (row,) in rows] == ["line 2", "line 5", "line 8"]
    # and once more: nothing new
    assert ledger(load(tmp_path, HEADER + "\n".join(DAY_2) + "\n")) == (7, 0, 0, 7)


def test_identical_rows_in_a_file_are_counted_and_loaded_as_recorded(tmp_path: Path) -> None:
    rows = [DAY_1[0], DAY_1[1], DAY_1[1], DAY_1[2], DAY_1[1]]  # line 3 repeated on lines 4 and 6
    assert ledger(load(tmp_path, HEADER + "\n".join(rows) + "\n")) == (5, 5, 0, 0)
    checks = query(
        tmp_path / "store.duckdb", "SELECT count FROM quality_checks WHERE check_name = 'identical_rows_in_file'"
    )
    assert checks == [(2,)]
    # a copy moved elsewhere in the next export is still the same copy
    moved = [DAY_1[1], DAY_1[0], DAY_1[2], DAY_1[1], DAY_1[1]]
    assert ledger(load(tmp_path, HEADER + "\n".join(moved) + "\n")) == (5, 0, 0, 5)


def test_a_configured_event_id_names_the_event(tmp_path: Path) -> None:
    config = CONFIG.replace('resource = "who"', 'resource = "who"\nevent_id = "id"')
    day_1 = "id,case,activity,time,who\nE1,c1,Open,2026-03-02 09:00:00,ann\nE2,c1,Close,2026-03-02 10:00:00,bob\n"
    assert ledger(load(tmp_path, day_1, config)) == (2, 2, 0, 0)
    # E3 new at the top; E2's time corrected (the id says it is the same event); E2 twice: an export error
    day_2 = (
        "id,case,activity,time,who\nE3,c2,Open,2026-03-03 08:00:00,ann\nE1,c1,Open,2026-03-02 09:00:00,ann\n"
        "E2,c1,Close,2026-03-02 10:05:00,bob\nE2,c1,Close,2026-03-02 10:00:00,bob\n"
    )
    assert ledger(load(tmp_path, day_2, config)) == (4, 1, 1, 2)
    ids = query(tmp_path / "store.duckdb", "SELECT source_event_id, journey_id FROM events ORDER BY 1")
    assert ids == [("E1", "c1"), ("E2", "c1"), ("E3", "c2")]
    assert rejects(tmp_path) == [("line 5", "id", "id: event id 'E2' repeats line 4")]
    checks = query(
        tmp_path / "store.duckdb",
        "SELECT count FROM quality_checks WHERE check_name = 'repeated_event_ids_in_file' ORDER BY count",
    )
    assert checks == [(0,), (1,)]


def test_a_reject_after_a_quoted_multiline_field_names_its_own_line(tmp_path: Path) -> None:
    csv = (
        "case,activity,time,who,note\n"
        'c1,Open,2026-03-02 09:00:00,ann,"first line\nsecond line\nthird line"\n'  # lines 2 to 4
        "c1,Close,yesterday,bob,\n"  # line 5
        "c2,Open,2026-03-02 10:00:00,ann,\n"  # line 6
    )
    assert ledger(load(tmp_path, csv)) == (3, 2, 1, 0)
    assert rejects(tmp_path) == [("line 5", "time", "time: unparseable timestamp 'yesterday'")]
    notes = query(tmp_path / "store.duckdb", "SELECT source_row, attributes->>'note' FROM events ORDER BY 1")
    assert notes == [("line 2", "first line\nsecond line\nthird line"), ("line 6", "")]


def test_ragged_rows_are_rejected_naming_their_line(tmp_path: Path) -> None:
    csv = HEADER + DAY_1[0] + "\nc1,Assign,2026-03-02 10:00:00,bob,extra\nc2,Open,2026-03-02 11:00:00\n" + DAY_1[3]
    assert ledger(load(tmp_path, csv + "\n")) == (4, 2, 2, 0)
    assert rejects(tmp_path) == [
        ("line 3", "record", "record: 5 fields where the header has 4"),
        ("line 4", "record", "record: 3 fields where the header has 4"),
    ]


def test_latin1_bytes_reject_only_their_row(tmp_path: Path) -> None:
    # "c2,Open,2026-03-02 11:00:00,Jos" is 31 bytes: the latin-1 é is byte 32 of line 3
    csv = (HEADER + DAY_1[0] + "\n").encode() + b"c2,Open,2026-03-02 11:00:00,Jos\xe9\n" + (DAY_1[3] + "\n").encode()
    assert ledger(load(tmp_path, csv)) == (3, 2, 1, 0)
    assert rejects(tmp_path) == [("line 3", "record", "record: not UTF-8 text (byte 0xe9 at position 32 is not UTF-8)")]


def test_a_ten_megabyte_field_rejects_only_its_row(tmp_path: Path) -> None:
    huge = "c2,Open,2026-03-02 11:00:00," + "x" * (10 * 1024 * 1024) + "\n"
    size = len(huge.encode())  # 28 + 10,485,760 + 1 = 10,485,789 bytes
    assert size == 10_485_789
    assert ledger(load(tmp_path, HEADER + DAY_1[0] + "\n" + huge + DAY_1[3] + "\n")) == (3, 2, 1, 0)
    assert rejects(tmp_path) == [
        ("line 3", "record", "record: 10,485,789 bytes, longer than the 1,048,576 a record may have")
    ]
    (text,) = query(tmp_path / "store.duckdb", "SELECT length(record->>'text') FROM rejects")[0]
    assert text == 2000  # the reject keeps enough to recognise the record, not megabytes


TRACKING_CONFIG = """
[sources.requests]
kind = "csv_event_log"
path = "requests.csv"
journey_type = "laptop_request"
[sources.requests.fields]
journey_id = "number"
activity = "activity"
timestamp = "time"

[sources.logistics]
kind = "tracking_csv"
path = "tracking.csv"
correlates_with = "requests"
[sources.logistics.event_codes]
PICK = { activity = "Picked", department = "Warehouse" }
DLV = { activity = "Delivered", department = "Carrier" }
"""


def test_tracking_export_rejects_broken_rows_by_line_and_counts_duplicate_scans(tmp_path: Path) -> None:
    (tmp_path / "requests.csv").write_text("number,activity,time\nREQ1,Request submitted,2026-03-02T08:00:00Z\n")
    (tmp_path / "tracking.csv").write_bytes(
        b"shipment_id,order_ref,event_code,event_time,depot\n"
        b"S1,REQ1,PICK,2026-03-02T09:00:00+01:00,Gent\n"  # line 2
        b"S1,REQ1,PICK,2026-03-02T09:00:00+01:00,Gent\n"  # line 3: duplicate of line 2
        b"S1,REQ1,DLV,2026-03-03T09:00:00+01:00\n"  # line 4: 4 fields
        b"S1,REQ1,DLV,2026-03-03T10:00:00+01:00,Li\xe8ge\n"  # line 5: latin-1
        b"S1,REQ1,DLV,2026-03-03T11:00:00+01:00,Gent\n"  # line 6
    )
    (tmp_path / "sources.toml").write_text(TRACKING_CONFIG)
    results = extract_and_load(tmp_path / "sources.toml", tmp_path / "store.duckdb")
    logistics = next(result for result in results if result.source == "logistics")
    assert ledger(logistics) == (5, 2, 3, 0)
    assert query(
        tmp_path / "store.duckdb", "SELECT source_row, reason FROM rejects WHERE source = 'logistics' ORDER BY 1"
    ) == [
        ("line 3", "event_time: duplicate of line 2 (same shipment_id, event_code, event_time)"),
        ("line 4", "record: 4 fields where the header has 5"),
        ("line 5", "record: not UTF-8 text (byte 0xe8 at position 41 is not UTF-8)"),
    ]
    checks = query(
        tmp_path / "store.duckdb", "SELECT count FROM quality_checks WHERE check_name = 'duplicate_scans_in_file'"
    )
    assert checks == [(1,)]


XES_WITHOUT_NAMESPACE = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1.0">
  <trace>
    <string key="concept:name" value="c1"/>
    <event>
      <string key="concept:name" value="Open"/><date key="time:timestamp" value="2026-03-02T09:00:00+00:00"/>
    </event>
    <event>
      <string key="concept:name" value="Close"/><date key="time:timestamp" value="2026-03-02T10:00:00+00:00"/>
    </event>
  </trace>
</log>
"""
XES_CONFIG = """
[sources.log]
kind = "xes"
path = "log.xes"
journey_type = "ticket"
[sources.log.fields]
activity = "concept:name"
"""


def test_xes_without_its_namespace_is_read(tmp_path: Path) -> None:
    (tmp_path / "log.xes").write_text(XES_WITHOUT_NAMESPACE)
    (tmp_path / "log.toml").write_text(XES_CONFIG)
    (result,) = extract_and_load(tmp_path / "log.toml", tmp_path / "store.duckdb")
    assert ledger(result) == (2, 2, 0, 0)
    events = query(
        tmp_path / "store.duckdb", "SELECT journey_id, activity, strftime(ts, '%H:%M') FROM events ORDER BY 3"
    )
    assert events == [("c1", "Open", "09:00"), ("c1", "Close", "10:00")]


def test_a_file_that_is_no_xes_is_refused_naming_it(tmp_path: Path) -> None:
    (tmp_path / "log.xes").write_text("<html><body>export failed</body></html>")
    (tmp_path / "log.toml").write_text(XES_CONFIG)
    with pytest.raises(SourceError, match=r"log\.xes\): not an XES file: its root element is <html>"):
        extract_and_load(tmp_path / "log.toml", tmp_path / "store.duckdb")


def test_a_watermark_taken_at_another_location_is_not_used(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    store = tmp_path / "store.duckdb"
    old_place, new_place = (tmp_path / "old" / "log.csv").resolve(), (tmp_path / "log.csv").resolve()
    connection = connect_store(store)
    connection.execute(
        "INSERT INTO watermarks (source, cursor_at, run_id, location) "
        "VALUES ('log', '2026-03-05 00:00:00+00', 'r1', ?)",
        [str(old_place)],
    )
    connection.close()
    (tmp_path / "log.toml").write_text(CONFIG)
    config = load_source_config(tmp_path / "log.toml")
    with caplog.at_level(logging.WARNING):
        assert read_since(config, store) == {"log": None}
    assert f"source 'log' now reads {new_place}, not {old_place}" in caplog.text
    assert "reading it from the start" in caplog.text

    # a load from the new place starts the watermark there, even below the old one
    work = duckdb.connect()
    create_staging_tables(work)
    staged = write_staged(work, tmp_path / "staged", "log", 0, [], cursor=datetime(2026, 3, 1, tzinfo=UTC))
    manifest = staged.manifest() | {"location": str(new_place)}
    staged.manifest_file.write_text(json.dumps(manifest))
    load_staged(store, [staged], "r2")
    mark = query(store, "SELECT strftime(cursor_at, '%Y-%m-%d'), location FROM watermarks")
    assert mark == [("2026-03-01", str(new_place))]
    # read from the same place, the watermark holds: 1 March less nothing (no look-back configured)
    assert read_since(config, store) == {"log": datetime(2026, 3, 1, tzinfo=UTC)}


def test_a_well_formed_file_is_read_fast_with_the_same_lines(tmp_path: Path) -> None:
    # BOM, CRLF, a blank line (line 3), quoted commas and doubled quotes: lines 2, 4 and 5 are records
    path = tmp_path / "log.csv"
    path.write_bytes('\ufeffcase,note\r\nc1,"a, b"\r\n\r\nc2,"say ""hi"""\r\nc3,\r\n'.encode())
    fast = _read_well_formed(path, ("case",))
    assert fast is not None
    assert fast.to_pylist() == [
        {"case": "c1", "note": "a, b", "line": 2},
        {"case": "c2", "note": 'say "hi"', "line": 4},
        {"case": "c3", "note": "", "line": 5},
    ]
    assert read_csv_as_text(path, "log", ("case",)).table.equals(fast)
    # a quoted line break would shift pyarrow's numbering, a bare carriage return may split differently:
    # both are read record by record
    path.write_text('case,note\nc1,"two\nlines"\nc2,x\n')
    assert _read_well_formed(path, ("case",)) is None
    assert read_csv_as_text(path, "log", ("case",)).table["line"].to_pylist() == [2, 4]
    path.write_bytes(b"case,note\rc1,x\n")
    assert _read_well_formed(path, ("case",)) is None
