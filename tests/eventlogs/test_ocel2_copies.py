"""An OCEL configuration that copies events into several journeys says how many, exactly.

The hand-made log (OCEL 2.0 JSON, times UTC), Order as case object, Package as via type:

    objects  o1, o2, o3 Order;  p1 Package -> o1, o2, o3;  p2 Package -> o1, o2
    events   e1, e2, e3 Place Order, one order each            -> 1 journey each
             e4 Pack   p1                                       -> o1, o2, o3: 3 journeys (2 extra copies)
             e5 Ship   p2                                       -> o1, o2: 2 journeys (1 extra copy)
             e6 Pack   p1, time 'soon'                          -> rejected: no journey event, so no copy

Worked by hand: 2 events copied (e4, e5), 2 + 1 = 3 extra copies, event type Pack 3-fold at most; the
journey events are the 5 valid OCEL events + 3 extra copies = 8, and read = 8 + 1 rejected (e6) = 9.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
from typer.testing import CliRunner

from eventlogs.pipeline import extract_and_load
from eventlogs.sources.ocel2.copies import JourneyCopies
from flows.cli import app

CONFIG = """
[sources.shop]
kind = "ocel2_json"
path = "log.jsonocel"
case_object_type = "Order"
via_object_types = ["Package"]
"""


def _relations(*objects: str) -> list[dict[str, str]]:
    return [{"objectId": name, "qualifier": "q"} for name in objects]


def _event(event_id: str, type_name: str, time: str, *objects: str) -> dict[str, object]:
    return {"id": event_id, "type": type_name, "time": time, "attributes": [], "relationships": _relations(*objects)}


LOG = {
    "objectTypes": [{"name": name, "attributes": []} for name in ("Order", "Package")],
    "eventTypes": [{"name": name, "attributes": []} for name in ("Place Order", "Pack", "Ship")],
    "objects": [
        *({"id": name, "type": "Order", "attributes": [], "relationships": []} for name in ("o1", "o2", "o3")),
        {"id": "p1", "type": "Package", "attributes": [], "relationships": _relations("o1", "o2", "o3")},
        {"id": "p2", "type": "Package", "attributes": [], "relationships": _relations("o1", "o2")},
    ],
    "events": [
        _event("e1", "Place Order", "2026-03-02T09:00:00Z", "o1"),
        _event("e2", "Place Order", "2026-03-02T09:10:00Z", "o2"),
        _event("e3", "Place Order", "2026-03-02T09:20:00Z", "o3"),
        _event("e4", "Pack", "2026-03-02T12:00:00Z", "p1"),
        _event("e5", "Ship", "2026-03-03T08:00:00Z", "p2"),
        _event("e6", "Pack", "soon", "p1"),
    ],
}


def test_events_copied_into_several_journeys_are_counted_and_printed(tmp_path: Path) -> None:
    (tmp_path / "log.jsonocel").write_text(json.dumps(LOG))
    config = tmp_path / "shop.toml"
    config.write_text(CONFIG)
    store = tmp_path / "store.duckdb"

    printed = CliRunner().invoke(app, ["extract", "--config", str(config), "--store", str(store)])
    assert printed.exit_code == 0, printed.output
    assert "shop: read 9 = loaded 8 + rejected 1 + already loaded 0" in printed.output
    line = "shop: 2 events copied into several journeys (3 extra copies; event type 'Pack': 3-fold at most)"
    assert f"  {line}\n" in printed.output  # one line, whole
    with duckdb.connect(str(store), read_only=True) as connection:
        copies = connection.execute("SELECT journey_id FROM events WHERE source_event_id LIKE 'e4@%' ORDER BY 1")
        assert copies.fetchall() == [("o1",), ("o2",), ("o3",)]
        several = connection.execute(
            "SELECT count, detail FROM quality_checks WHERE check_name = 'ocel_events_in_several_journeys'"
        ).fetchone()
    assert several is not None and several[0] == 2  # e4 and e5; not e6, which reached no journey
    assert "3 extra journey events, event type 'Pack' 3-fold at most" in several[1]

    # the typed result a load returns: the same on every extraction of the same log and configuration
    (again,) = extract_and_load(config, store)
    assert (again.rows_read, again.rows_loaded, again.rows_duplicate) == (9, 0, 8)
    assert again.journey_copies == JourneyCopies(
        "shop", events=2, extra_copies=3, widest_event_type="Pack", widest_fold=3
    )


def test_a_source_that_copies_nothing_prints_no_copies(tmp_path: Path) -> None:
    one_order = {**LOG, "events": [event for event in LOG["events"] if event["id"] in ("e1", "e2")]}
    (tmp_path / "log.jsonocel").write_text(json.dumps(one_order))
    config = tmp_path / "shop.toml"
    config.write_text(CONFIG)
    (result,) = extract_and_load(config, tmp_path / "store.duckdb")
    assert result.rows_loaded == 2
    assert result.journey_copies == JourneyCopies("shop", 0, 0, None, 0)
    assert result.journey_copies.summary() is None
