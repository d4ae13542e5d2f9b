"""A store written before file sources named events by content holds them under their position; its
next load re-keys them instead of loading every event a second time.

The old store is made the way the earlier version wrote it: load, then give each event and reject the id
that version gave it, 'line:' and the record's line (it wrote source_row 'line N' beside it, from the
same number; for these files without blank lines or quoted line breaks that is the physical line)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from tests.csv_logs import HEADER, ledger, load, query

A = "c1,Open,2026-03-02 09:00:00,ann"
B = "c1,Assign,2026-03-02 10:00:00,bob"
C = "c2,Open,2026-03-02 11:00:00,ann"
D = "c2,Close,2026-03-02 12:00:00,cy"
NEW = "c3,Open,2026-03-03 08:00:00,dee"
BAD = "c4,Open,not a time,ann"


def csv(*rows: str) -> str:
    return HEADER + "\n".join(rows) + "\n"


def make_positional(store: Path) -> None:
    """What the earlier version stored: ids 'line:N' where it wrote source_row 'line N'."""
    with duckdb.connect(str(store)) as connection:
        connection.execute("UPDATE events SET source_event_id = replace(source_row, 'line ', 'line:')")
        connection.execute("UPDATE rejects SET source_record_id = replace(source_row, 'line ', 'line:')")


def events(store: Path) -> list[tuple]:
    return query(
        store,
        "SELECT journey_id, activity, strftime(ts, '%d %H:%M'), source_row, source_event_id LIKE 'line:%' "
        "FROM events ORDER BY source_row, journey_id",
    )


def check(store: Path, run_id: str, name: str) -> list[tuple]:
    return query(store, f"SELECT count FROM quality_checks WHERE run_id = '{run_id}' AND check_name = '{name}'")


def test_an_old_store_is_re_keyed_not_loaded_twice(tmp_path: Path) -> None:
    store = tmp_path / "store.duckdb"
    # B twice, on lines 3 and 4; BAD on line 6 is rejected
    assert ledger(load(tmp_path, csv(A, B, B, C, BAD))) == (5, 4, 1, 0)
    make_positional(store)
    assert query(store, "SELECT source_event_id FROM events ORDER BY 1") == [
        ("line:2",),
        ("line:3",),
        ("line:4",),
        ("line:5",),
    ]
    # the next export: a new row at the top, B a third time at the end
    # lines: NEW 2, A 3, B 4, B 5, C 6, BAD 7, B 8
    result = load(tmp_path, csv(NEW, A, B, B, C, BAD, B))
    # 7 read: NEW and the third B loaded, BAD rejected again, A, B, B and C already loaded
    assert ledger(result) == (7, 2, 1, 4)
    assert check(store, result.run_id, "event_ids_rekeyed") == [(4,)]
    assert check(store, result.run_id, "reject_ids_rekeyed") == [(1,)]
    assert events(store) == [
        ("c1", "Open", "02 09:00", "line 2", False),  # A, loaded from line 2 of the first export
        ("c3", "Open", "03 08:00", "line 2", False),  # NEW, line 2 of the second
        ("c1", "Assign", "02 10:00", "line 3", False),
        ("c1", "Assign", "02 10:00", "line 4", False),
        ("c2", "Open", "02 11:00", "line 5", False),
        ("c1", "Assign", "02 10:00", "line 8", False),  # the third B
    ]
    # copies pair by order: the old first B (line 3) is the new first copy, the old line 4 the second
    b_ids = query(store, "SELECT source_row, source_event_id FROM events WHERE activity = 'Assign' ORDER BY 1")
    assert [row for row, _ in b_ids] == ["line 3", "line 4", "line 8"]
    first, second, third = (event_id for _, event_id in b_ids)
    assert len(first) == 32 and (second, third) == (first + "#2", first + "#3")
    # the reject is one reject still, under its content id
    rejects = query(store, "SELECT source_row, length(source_record_id) FROM rejects")
    assert rejects == [("line 6", 32)]
    # and again: nothing to re-key, nothing new
    again = load(tmp_path, csv(NEW, A, B, B, C, BAD, B))
    assert ledger(again) == (7, 0, 1, 6)
    assert check(store, again.run_id, "event_ids_rekeyed") == []
    assert query(store, "SELECT count(*) FROM events") == [(6,)]


def test_an_old_event_missing_from_the_new_export_keeps_its_id(tmp_path: Path) -> None:
    store = tmp_path / "store.duckdb"
    assert ledger(load(tmp_path, csv(A, B, C, D))) == (4, 4, 0, 0)
    make_positional(store)
    # D (line 5) is gone from the next export, NEW is added at the top
    result = load(tmp_path, csv(NEW, A, B, C))
    assert ledger(result) == (4, 1, 0, 3)
    assert check(store, result.run_id, "event_ids_rekeyed") == [(3,)]
    assert query(store, "SELECT activity, source_event_id FROM events WHERE source_event_id LIKE 'line:%'") == [
        ("Close", "line:5")
    ]
    assert query(store, "SELECT count(*), count(DISTINCT source_event_id) FROM events") == [(5, 5)]
    # D back in a later export: it is re-keyed then, not loaded a second time
    back = load(tmp_path, csv(NEW, A, B, C, D))
    assert ledger(back) == (5, 0, 0, 5)
    assert check(store, back.run_id, "event_ids_rekeyed") == [(1,)]
    assert query(store, "SELECT count(*) FROM events WHERE source_event_id LIKE 'line:%'") == [(0,)]
    assert query(store, "SELECT count(*) FROM events") == [(5,)]
