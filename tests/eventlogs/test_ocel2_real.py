"""The real OCEL 2.0 logistics log (SOURCES.md) loads completely with eventlogs/examples/ocel2_logistics.toml.

SOURCES.md counts 8,727 events, 970 objects, 16,738 event-to-object and 3,960 object-to-object links and
13 event types with plain SQL; pm4py 2.7 loads only 6,187 events. The journeys per customer order are
checked against a second, independent count: plain SQL on the SQLite file that follows the log's own
link structure (order -> transport document <- container -> handling unit) instead of the connector's
generic recursive neighbourhood.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import duckdb
import pytest

from eventlogs.pipeline import extract_and_load
from tests.realdata import REPOSITORY, real_data_file

EXAMPLE = REPOSITORY / "eventlogs" / "examples" / "ocel2_logistics.toml"
LOG = "ocel2_logistics.sqlite"

# Events per customer order, straight from the file: linked to the order, to its transport documents
# ('TD for CO'), to their containers ('CR for TD') or to those containers' handling units ('CR contains
# HU'; the units are not declared objects, which is why via_missing_objects is on in the example).
EVENTS_PER_ORDER_SQL = """
WITH orders AS (SELECT ocel_id AS co FROM object WHERE ocel_type = 'Customer Order'),
documents AS (
    SELECT l.ocel_source_id AS co, l.ocel_target_id AS td FROM object_object l
    JOIN orders o ON o.co = l.ocel_source_id
    JOIN object d ON d.ocel_id = l.ocel_target_id AND d.ocel_type = 'Transport Document'),
containers AS (
    SELECT d.co, l.ocel_source_id AS cr FROM documents d JOIN object_object l ON l.ocel_target_id = d.td
    JOIN object c ON c.ocel_id = l.ocel_source_id AND c.ocel_type = 'Container'),
units AS (
    SELECT c.co, l.ocel_target_id AS hu FROM containers c JOIN object_object l ON l.ocel_source_id = c.cr
    WHERE l.ocel_target_id NOT IN (SELECT ocel_id FROM object)),
neighbourhood AS (
    SELECT co, co AS object FROM orders UNION SELECT co, td FROM documents
    UNION SELECT co, cr FROM containers UNION SELECT co, hu FROM units)
SELECT n.co, count(DISTINCT l.ocel_event_id) FROM neighbourhood n
JOIN event_object l ON l.ocel_object_id = n.object GROUP BY n.co
"""


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list]:
    log = real_data_file(LOG)
    store = tmp_path_factory.mktemp("ocel2") / "store.duckdb"
    first = extract_and_load(EXAMPLE, store, log.parent)
    again = extract_and_load(EXAMPLE, store, log.parent)
    return log, store, [first, again]


def test_every_event_object_and_link_is_in_the_store(loaded: tuple[Path, Path, list]) -> None:
    _, store, _ = loaded
    with duckdb.connect(str(store), read_only=True) as connection:
        counts = connection.execute("""
            SELECT (SELECT count(*) FROM ocel_events), (SELECT count(*) FROM objects),
                   (SELECT count(*) FROM event_objects), (SELECT count(*) FROM object_links),
                   (SELECT count(DISTINCT event_type) FROM ocel_events),
                   (SELECT count(DISTINCT object_type) FROM objects),
                   (SELECT count(*) FROM ocel_events WHERE event_type = 'Collect Goods' AND ts IS NOT NULL)
        """).fetchone()
    # 6 object types populated (of 7 declared); the 2,540 Collect Goods events pm4py drops are there
    assert counts == (8_727, 970, 16_738, 3_960, 13, 6, 2_540)


def test_journeys_per_customer_order_match_an_independent_count(loaded: tuple[Path, Path, list]) -> None:
    log, store, _ = loaded
    with sqlite3.connect(f"file:{log}?mode=ro", uri=True) as database:
        expected = dict(database.execute(EVENTS_PER_ORDER_SQL).fetchall())
    with duckdb.connect(str(store), read_only=True) as connection:
        actual = dict(connection.execute("SELECT journey_id, count(*) FROM events GROUP BY journey_id").fetchall())
        journeys = connection.execute("SELECT count(*), count(DISTINCT journey_type) FROM journeys").fetchone()
        quality = dict(
            connection.execute(
                "SELECT check_name, count FROM quality_checks WHERE source = 'logistics' AND run_id = "
                "(SELECT min(run_id) FROM load_runs)"
            ).fetchall()
        )
        unreached = connection.execute("""
            SELECT DISTINCT event_type FROM ocel_events e
            WHERE NOT EXISTS (SELECT 1 FROM events j WHERE j.attributes->>'ocel_event_id' = e.event_id)
        """).fetchall()
    assert journeys == (200, 1)
    assert len(expected) == 200
    assert actual == expected
    assert sum(actual.values()) == 8_676
    assert (min(actual.values()), max(actual.values())) == (21, 68)
    # Depart names only the vessel, which is no via type: the 51 departures are in no journey
    assert quality["ocel_events_without_case_object"] == 51
    assert unreached == [("Depart",)]
    assert quality["ocel_events_in_several_journeys"] == 0
    assert quality["ocel_event_links_to_missing_objects"] == 5_080  # Collect Goods and Load Truck -> units
    assert quality["ocel_object_links_to_missing_objects"] == 2_540  # container -> unit


def test_the_ledgers_reconcile_and_a_rerun_loads_nothing_new(loaded: tuple[Path, Path, list]) -> None:
    _, _, ((first,), (again,)) = loaded
    assert (first.rows_read, first.rows_loaded, first.rows_rejected, first.rows_duplicate) == (8_676, 8_676, 0, 0)
    assert {table: counts["loaded"] for table, counts in first.ocel.items()} == {
        "ocel_events": 8_727,
        "objects": 970,
        "event_objects": 16_738,
        "object_links": 3_960,
    }
    assert (again.rows_loaded, again.rows_duplicate) == (0, 8_676)
    assert all(counts["loaded"] == 0 and counts["updated"] == 0 for counts in again.ocel.values())


def test_without_crossing_undeclared_objects_collect_goods_is_in_no_journey(tmp_path: Path) -> None:
    log = real_data_file(LOG)
    config = tmp_path / "logistics.toml"
    config.write_text(EXAMPLE.read_text().replace("via_missing_objects = true", "via_missing_objects = false"))
    (result,) = extract_and_load(config, tmp_path / "store.duckdb", log.parent)
    assert result.rows_loaded == 8_676 - 2_540
    with duckdb.connect(str(tmp_path / "store.duckdb"), read_only=True) as connection:
        checks = connection.execute("SELECT check_name, count FROM quality_checks WHERE source = 'logistics'")
        quality = dict(checks.fetchall())
        assert quality["ocel_events_without_case_object"] == 2_540 + 51
        assert connection.execute("SELECT count(*) FROM ocel_events").fetchone()[0] == 8_727
