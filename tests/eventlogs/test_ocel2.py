"""OCEL 2.0 logs, hand-made and written by the test in all three formats, flattened to journeys of orders.

The log (times UTC; e2 is written 10:00+01:00 in JSON and XML):

    objects  o1, o2, o3 Order;  p1, p2, p3 Package;  t1 Truck;  'pl9', 'ghost', 'x99' are named by links
             but never declared
    links    o1 -> p1, o1 -> p3, p2 -> o1 (the other way round), o2 -> p3 (p3 is shared), t1 -> p1,
             p2 -> pl9, o2 -> ghost
    events   e1 Place Order 03-02 09:00 o1        e6 Wash Truck 03-03 09:00 t1
             e2 Place Order 03-02 09:00 o2        e7 Stack      03-03 10:00 pl9
             e3 Pack        03-02 12:00 p1, p2    e8 Deliver    'yesterday' o2
             e4 Pack        03-02 13:00 p3        e9 Deliver    03-04 10:00 o1, x99
             e5 Load        03-03 08:00 p1, t1

Worked by hand, with Order as case object and Package as via type:
- o1's neighbourhood is {o1, p1, p3, p2} (p2 through its link towards o1): e1, e3 (once, though it
  reaches o1 through p1 and p2), e4, e5, e9;
- o2's is {o2, p3}: e2, e4 (so e4 is in both journeys: e4@o1 and e4@o2), and e8, rejected for its time;
- o3 has no event: no journey; e6 (truck only) and e7 (undeclared pallet only) reach no order;
- with via_missing_objects, pl9 joins o1's neighbourhood through p2, and e7 joins o1's journey.
"""

from __future__ import annotations

import json
import sqlite3
import xml.etree.ElementTree as ElementTree
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from eventlogs.config import load_source_config
from eventlogs.errors import ConfigError, SourceError
from eventlogs.pipeline import extract_and_load

EVENT_TYPES = {"Place Order": [], "Pack": [], "Load": ["weight"], "Wash Truck": [], "Stack": [], "Deliver": []}
OBJECT_TYPES = {"Order": ["amount", "status"], "Package": [], "Truck": [], "Pallet": []}  # Pallet: no objects
EPOCH = "1970-01-01T00:00:00Z"  # the time OCEL 2.0 gives an object's initial attribute values
EVENTS = [  # id, type, time, attributes, [(object, qualifier)]
    ("e1", "Place Order", "2026-03-02T09:00:00Z", {}, [("o1", "placed")]),
    ("e2", "Place Order", "2026-03-02T10:00:00+01:00", {}, [("o2", "placed")]),
    ("e3", "Pack", "2026-03-02T12:00:00Z", {}, [("p1", "packed"), ("p2", "packed")]),
    ("e4", "Pack", "2026-03-02T13:00:00Z", {}, [("p3", "packed")]),
    ("e5", "Load", "2026-03-03T08:00:00Z", {"weight": "12"}, [("p1", "loaded"), ("t1", "loads")]),
    ("e6", "Wash Truck", "2026-03-03T09:00:00Z", {}, [("t1", "washed")]),
    ("e7", "Stack", "2026-03-03T10:00:00Z", {}, [("pl9", "stacked")]),
    ("e8", "Deliver", "yesterday", {}, [("o2", "delivered")]),
    ("e9", "Deliver", "2026-03-04T10:00:00Z", {}, [("o1", "delivered"), ("x99", "signed by")]),
]
OBJECTS = [  # id, type, [(attribute, time, value)], [(linked object, qualifier)]
    (
        "o1",
        "Order",
        [("amount", EPOCH, "2"), ("status", "2026-03-02T11:00:00Z", "paid")],
        [("p1", "has"), ("p3", "has")],
    ),
    ("o2", "Order", [("amount", EPOCH, "1")], [("p3", "has"), ("ghost", "refers to")]),
    ("o3", "Order", [("amount", EPOCH, "5")], []),
    ("p1", "Package", [], []),
    ("p2", "Package", [], [("o1", "for"), ("pl9", "on")]),
    ("p3", "Package", [], []),
    ("t1", "Truck", [], [("p1", "carries")]),
]

CONFIG = """
[sources.shop]
kind = "{kind}"
path = "{path}"
case_object_type = "Order"
via_object_types = ["Package"]
resource_object_types = "Truck"
pseudonymise_resources = false
{extra}
[sources.shop.departments]
"Place Order" = "Sales"
Pack = "Warehouse"
Deliver = "Carrier"
"Wash Truck" = "Fleet"
"""

FORMATS = {"ocel2_sqlite": "log.sqlite", "ocel2_json": "log.jsonocel", "ocel2_xml": "log.xmlocel"}

# journey, source_event_id, activity, time (UTC), department, resource
EXPECTED_EVENTS = [
    ("o1", "e1@o1", "Place Order", "03-02 09:00", "Sales", None),
    ("o1", "e3@o1", "Pack", "03-02 12:00", "Warehouse", None),
    ("o1", "e4@o1", "Pack", "03-02 13:00", "Warehouse", None),
    ("o1", "e5@o1", "Load", "03-03 08:00", None, "t1"),  # Load has no department in the config
    ("o1", "e9@o1", "Deliver", "03-04 10:00", "Carrier", None),
    ("o2", "e2@o2", "Place Order", "03-02 09:00", "Sales", None),
    ("o2", "e4@o2", "Pack", "03-02 13:00", "Warehouse", None),
]


def _naive_utc(time: str) -> str:
    """SQLite OCEL stores times without offset; the test's source reads them as UTC."""
    try:
        return datetime.fromisoformat(time).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return time  # 'yesterday' stays as broken as it is


def _table(kind: str, type_name: str) -> str:
    return f"{kind}_{type_name.replace(' ', '')}"


def write_sqlite(path: Path) -> None:
    database = sqlite3.connect(path)
    database.executescript("""
        CREATE TABLE event (ocel_id TEXT, ocel_type TEXT);
        CREATE TABLE object (ocel_id TEXT, ocel_type TEXT);
        CREATE TABLE event_object (ocel_event_id TEXT, ocel_object_id TEXT, ocel_qualifier TEXT);
        CREATE TABLE object_object (ocel_source_id TEXT, ocel_target_id TEXT, ocel_qualifier TEXT);
        CREATE TABLE event_map_type (ocel_type TEXT, ocel_type_map TEXT);
        CREATE TABLE object_map_type (ocel_type TEXT, ocel_type_map TEXT);
    """)
    for type_name, attributes in EVENT_TYPES.items():
        database.execute("INSERT INTO event_map_type VALUES (?, ?)", [type_name, type_name.replace(" ", "")])
        columns = "".join(f', "{a}" TEXT' for a in attributes)
        database.execute(f"CREATE TABLE {_table('event', type_name)} (ocel_id TEXT, ocel_time TEXT{columns})")
    for type_name, attributes in OBJECT_TYPES.items():
        database.execute("INSERT INTO object_map_type VALUES (?, ?)", [type_name, type_name.replace(" ", "")])
        columns = "".join(f', "{a}" TEXT' for a in attributes)
        database.execute(
            f"CREATE TABLE {_table('object', type_name)} "
            f"(ocel_id TEXT, ocel_time TEXT, ocel_changed_field TEXT{columns})"
        )
    for event_id, type_name, time, attributes, links in EVENTS:
        database.execute("INSERT INTO event VALUES (?, ?)", [event_id, type_name])
        names = EVENT_TYPES[type_name]
        marks = ", ?" * len(names)
        values = [event_id, _naive_utc(time), *(attributes.get(n) for n in names)]
        database.execute(f"INSERT INTO {_table('event', type_name)} VALUES (?, ?{marks})", values)
        database.executemany("INSERT INTO event_object VALUES (?, ?, ?)", [(event_id, o, q) for o, q in links])
    for object_id, type_name, attributes, links in OBJECTS:
        database.execute("INSERT INTO object VALUES (?, ?)", [object_id, type_name])
        names = OBJECT_TYPES[type_name]
        table, marks = _table("object", type_name), ", ?" * len(names)
        initial = {name: value for name, time, value in attributes if time == EPOCH}
        row = [object_id, _naive_utc(EPOCH), None, *(initial.get(n) for n in names)]
        database.execute(f"INSERT INTO {table} VALUES (?, ?, ?{marks})", row)
        for name, time, value in attributes:
            if time != EPOCH:
                changed = [object_id, _naive_utc(time), name, *(value if n == name else None for n in names)]
                database.execute(f"INSERT INTO {table} VALUES (?, ?, ?{marks})", changed)
        database.executemany("INSERT INTO object_object VALUES (?, ?, ?)", [(object_id, o, q) for o, q in links])
    database.commit()
    database.close()


def write_json(path: Path) -> None:
    def types(declared: dict[str, list[str]]) -> list[dict]:
        return [
            {"name": t, "attributes": [{"name": a, "type": "string"} for a in names]} for t, names in declared.items()
        ]

    log = {
        "objectTypes": types(OBJECT_TYPES),
        "eventTypes": types(EVENT_TYPES),
        "objects": [
            {
                "id": object_id,
                "type": type_name,
                "attributes": [{"name": n, "time": t, "value": v} for n, t, v in attributes],
                "relationships": [{"objectId": o, "qualifier": q} for o, q in links],
            }
            for object_id, type_name, attributes, links in OBJECTS
        ],
        "events": [
            {
                "id": event_id,
                "type": type_name,
                "time": time,
                "attributes": [{"name": n, "value": v} for n, v in attributes.items()],
                "relationships": [{"objectId": o, "qualifier": q} for o, q in links],
            }
            for event_id, type_name, time, attributes, links in EVENTS
        ],
    }
    path.write_text(json.dumps(log, indent=2))


def write_xml(path: Path) -> None:
    log = ElementTree.Element("log")
    for tag, declared in (("object", OBJECT_TYPES), ("event", EVENT_TYPES)):
        group = ElementTree.SubElement(log, f"{tag}-types")
        for type_name, names in declared.items():
            kind = ElementTree.SubElement(group, f"{tag}-type", name=type_name)
            listed = ElementTree.SubElement(kind, "attributes")
            for name in names:
                ElementTree.SubElement(listed, "attribute", name=name, type="string")
    objects = ElementTree.SubElement(log, "objects")
    for object_id, type_name, attributes, links in OBJECTS:
        item = ElementTree.SubElement(objects, "object", id=object_id, type=type_name)
        listed = ElementTree.SubElement(item, "attributes")
        for name, time, value in attributes:
            ElementTree.SubElement(listed, "attribute", name=name, time=time).text = value
        related = ElementTree.SubElement(item, "objects")
        for other, qualifier in links:
            ElementTree.SubElement(related, "relationship", {"object-id": other, "qualifier": qualifier})
    events = ElementTree.SubElement(log, "events")
    for event_id, type_name, time, attributes, links in EVENTS:
        event = ElementTree.SubElement(events, "event", id=event_id, type=type_name, time=time)
        listed = ElementTree.SubElement(event, "attributes")
        for name, value in attributes.items():
            ElementTree.SubElement(listed, "attribute", name=name).text = value
        related = ElementTree.SubElement(event, "objects")
        for other, qualifier in links:
            ElementTree.SubElement(related, "relationship", {"object-id": other, "qualifier": qualifier})
    ElementTree.indent(log)
    ElementTree.ElementTree(log).write(path, encoding="utf-8", xml_declaration=True)


WRITERS = {"ocel2_sqlite": write_sqlite, "ocel2_json": write_json, "ocel2_xml": write_xml}


def _config(folder: Path, kind: str, extra: str = "") -> Path:
    WRITERS[kind](folder / FORMATS[kind])
    config = folder / f"{kind}.toml"
    config.write_text(CONFIG.format(kind=kind, path=FORMATS[kind], extra=extra))
    return config


def _journey_events(connection: duckdb.DuckDBPyConnection) -> list[tuple]:
    connection.execute("SET TimeZone = 'UTC'")
    return connection.execute("""
        SELECT journey_id, source_event_id, activity, strftime(ts, '%m-%d %H:%M'), department, resource
        FROM events ORDER BY journey_id, ts, source_event_id
    """).fetchall()


def _quality(connection: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return dict(connection.execute("SELECT check_name, count FROM quality_checks WHERE source = 'shop'").fetchall())


@pytest.mark.parametrize("kind", list(FORMATS))
def test_journeys_as_worked_by_hand_and_nothing_lost(tmp_path: Path, kind: str) -> None:
    store = tmp_path / "store.duckdb"
    (result,) = extract_and_load(_config(tmp_path, kind), store)
    # read = 7 journey events + 1 rejected OCEL event (e8)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected, result.rows_duplicate) == (8, 7, 1, 0)
    assert {table: counts["loaded"] for table, counts in result.ocel.items()} == {
        "ocel_events": 9,
        "objects": 7,
        "event_objects": 12,
        "object_links": 7,
    }
    with duckdb.connect(str(store), read_only=True) as connection:
        assert _journey_events(connection) == EXPECTED_EVENTS
        journeys = connection.execute("""
            SELECT journey_id, journey_type, strftime(opened_at, '%m-%d %H:%M'), strftime(closed_at, '%m-%d %H:%M'),
                   is_open FROM journeys ORDER BY journey_id
        """).fetchall()
        assert journeys == [
            ("o1", "Order", "03-02 09:00", "03-04 10:00", False),
            ("o2", "Order", "03-02 09:00", "03-02 13:00", False),
        ]
        # every OCEL event is kept, the two in no journey and the rejected one (without a time) too
        kept = connection.execute("SELECT event_id, ts IS NULL FROM ocel_events ORDER BY event_id").fetchall()
        assert kept == [(f"e{n}", n == 8) for n in range(1, 10)]
        field = "ocel_time" if kind == "ocel2_sqlite" else "time"
        rejects = connection.execute("SELECT source_record_id, field, reason FROM rejects").fetchall()
        assert rejects == [("e8", field, f"{field}: unparseable timestamp 'yesterday'")]
        # links to objects the log never declares are kept as they are
        dangling = connection.execute("""
            SELECT object_id FROM event_objects ANTI JOIN objects USING (source, object_id) ORDER BY object_id
        """).fetchall()
        assert dangling == [("pl9",), ("x99",)]
        ends = connection.execute("""
            SELECT from_object, to_object FROM object_links l
            WHERE to_object NOT IN (SELECT object_id FROM objects) ORDER BY to_object
        """).fetchall()
        assert ends == [("o2", "ghost"), ("p2", "pl9")]
        history = connection.execute("SELECT attributes FROM objects WHERE object_id = 'o1'").fetchone()[0]
        assert [(a["name"], a["value"]) for a in json.loads(history)] == [("amount", "2"), ("status", "paid")]
        weight = connection.execute("SELECT attributes->>'weight' FROM ocel_events WHERE event_id = 'e5'")
        assert weight.fetchone()[0] == "12"
        quality = _quality(connection)
        assert quality["ocel_events_without_case_object"] == 2  # e6, e7
        assert quality["ocel_events_in_several_journeys"] == 1  # e4
        assert quality["ocel_case_objects_without_journey"] == 1  # o3
        assert quality["ocel_event_links_to_missing_objects"] == 2  # e7 -> pl9, e9 -> x99
        assert quality["ocel_object_links_to_missing_objects"] == 2  # o2 -> ghost, p2 -> pl9
        assert quality["events_without_department"] == 1  # e5@o1: Load has no department

    (again,) = extract_and_load(tmp_path / f"{kind}.toml", store)
    assert (again.rows_read, again.rows_loaded, again.rows_rejected, again.rows_duplicate) == (8, 0, 1, 7)
    assert {table: (c["loaded"], c["duplicate"]) for table, c in again.ocel.items()} == {
        "ocel_events": (0, 9),
        "objects": (0, 7),
        "event_objects": (0, 12),
        "object_links": (0, 7),
    }


@pytest.mark.parametrize("kind", list(FORMATS))
def test_via_missing_objects_crosses_undeclared_objects(tmp_path: Path, kind: str) -> None:
    store = tmp_path / "store.duckdb"
    extract_and_load(_config(tmp_path, kind, "via_missing_objects = true"), store)
    with duckdb.connect(str(store), read_only=True) as connection:
        added = [row for row in _journey_events(connection) if row not in EXPECTED_EVENTS]
        assert added == [("o1", "e7@o1", "Stack", "03-03 10:00", None, None)]  # p2 -> pl9 <- e7
        assert _quality(connection)["ocel_events_without_case_object"] == 1  # e6 (truck only)


def test_the_three_formats_give_the_same_store(tmp_path: Path) -> None:
    query = """
        SELECT 'event', event_id, event_type, ts::VARCHAR, attributes::VARCHAR FROM ocel_events
        UNION ALL SELECT 'object', object_id, object_type, NULL, NULL FROM objects
        UNION ALL SELECT 'link', event_id, object_id, qualifier, NULL FROM event_objects
        UNION ALL SELECT 'o2o', from_object, to_object, qualifier, NULL FROM object_links
        UNION ALL SELECT 'journey event', journey_id, source_event_id, ts::VARCHAR, resource FROM events
        ORDER BY ALL
    """
    contents = []
    for kind in FORMATS:
        folder = tmp_path / kind
        folder.mkdir()
        extract_and_load(_config(folder, kind), folder / "store.duckdb")
        with duckdb.connect(str(folder / "store.duckdb"), read_only=True) as connection:
            contents.append(connection.execute(query).fetchall())
    assert len(contents[0]) == 9 + 7 + 12 + 7 + 7
    assert contents[0] == contents[1] == contents[2]


def test_configuration_errors_name_line_and_key(tmp_path: Path) -> None:
    config = _config(tmp_path, "ocel2_json", "via_object_type = 'Package'")
    line = config.read_text().splitlines().index("via_object_type = 'Package'") + 1
    with pytest.raises(ConfigError, match=rf"ocel2_json\.toml:{line}: \[sources\.shop\] unknown key 'via_object_type'"):
        load_source_config(config)
    config.write_text(
        CONFIG.format(kind="ocel2_json", path="log.jsonocel", extra="").replace('["Package"]', '["Order"]')
    )
    with pytest.raises(ConfigError, match="via_object_types must not hold the case object type 'Order'"):
        load_source_config(config)
    config.write_text(CONFIG.format(kind="ocel2_json", path="log.jsonocel", extra="").replace('"Truck"', '"Lorry"'))
    with pytest.raises(
        SourceError, match=r"object type\(s\) 'Lorry' not in the log, which has: Order, Package, Pallet, Truck"
    ):
        extract_and_load(config, tmp_path / "store.duckdb")


def test_unreadable_logs_are_source_errors(tmp_path: Path) -> None:
    for kind, text in (("ocel2_json", '{"events": 3}'), ("ocel2_xml", "<trace/>"), ("ocel2_sqlite", "")):
        config = _config(tmp_path, kind)
        log = tmp_path / FORMATS[kind]
        if kind == "ocel2_sqlite":
            log.unlink()
            sqlite3.connect(log).execute("CREATE TABLE event (ocel_id TEXT)").connection.close()
        else:
            log.write_text(text)
        with pytest.raises(SourceError, match=r"not an OCEL 2\.0"):
            extract_and_load(config, tmp_path / "store.duckdb")


def test_sqlite_event_without_a_row_in_its_type_table_is_kept_and_rejected(tmp_path: Path) -> None:
    config = _config(tmp_path, "ocel2_sqlite")
    with sqlite3.connect(tmp_path / FORMATS["ocel2_sqlite"]) as database:
        database.execute("DELETE FROM event_PlaceOrder WHERE ocel_id = 'e1'")  # its time is gone
    store = tmp_path / "store.duckdb"
    (result,) = extract_and_load(config, store)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (8, 6, 2)  # e1 and e8 rejected
    with duckdb.connect(str(store), read_only=True) as connection:
        rejected = connection.execute("SELECT reason FROM rejects WHERE source_record_id = 'e1'").fetchone()[0]
        assert rejected == "ocel_time: missing timestamp"
        kept = connection.execute("SELECT event_type, ts FROM ocel_events WHERE event_id = 'e1'").fetchone()
        assert kept == ("Place Order", None)


def test_repeated_and_missing_event_ids_are_rejected_with_the_record(tmp_path: Path) -> None:
    config = _config(tmp_path, "ocel2_json")
    log = json.loads((tmp_path / "log.jsonocel").read_text())
    again = {**log["events"][0], "time": "2026-03-05T09:00:00Z"}  # e1 once more, another time
    log["events"] += [again, {"type": "Pack", "time": "2026-03-05T10:00:00Z", "relationships": []}]
    (tmp_path / "log.jsonocel").write_text(json.dumps(log))
    store = tmp_path / "store.duckdb"
    (result,) = extract_and_load(config, store)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (10, 7, 3)
    with duckdb.connect(str(store), read_only=True) as connection:
        rejects = connection.execute("SELECT source_record_id, reason FROM rejects ORDER BY 1").fetchall()
        assert rejects == [
            ("e8", "time: unparseable timestamp 'yesterday'"),
            ("events[10]", "id: missing event id"),
            ("events[9]", "id: duplicate event id 'e1' (first at events[0])"),
        ]
        assert connection.execute("SELECT count(*) FROM ocel_events").fetchone()[0] == 9  # the first e1 only
