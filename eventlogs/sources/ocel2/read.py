"""Reads an OCEL 2.0 log in any of its three serialisations into the same raw DuckDB tables.

Every reader creates, in the connection:
- raw_events(event_id, event_type, time_text, attributes JSON {name: value}, source_row, position);
- raw_objects(object_id, object_type, attributes JSON [{name, time, value}], source_row, position);
- raw_event_objects(event_id, object_id, qualifier) and raw_object_links(from_object, to_object, qualifier);
- ocel_types(kind 'event' | 'object', name): the declared types, plus (added here) the types in use.
Nothing is checked or dropped here: the flattening decides, so every format is judged by the same SQL.
Times stay text until then, because the SQLite format has no offsets and JSON/XML may have any.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from lxml import etree

from eventlogs.errors import SourceError
from eventlogs.sources.ocel2.sqlite import read_ocel2_sqlite


@dataclass(frozen=True)
class OcelFields:
    """How the format names an event's id, type and time (reject reasons name the field)."""

    event_id: str
    event_type: str
    time: str


SQLITE_FIELDS = OcelFields("ocel_id", "ocel_type", "ocel_time")
FILE_FIELDS = OcelFields("id", "type", "time")


class _RawLog:
    """Rows collected from a JSON or XML log, turned into the raw tables at the end."""

    def __init__(self) -> None:
        self.types: list[tuple[str, str | None]] = []
        self.events: list[tuple[str | None, str | None, str | None, str, str]] = []
        self.objects: list[tuple[str | None, str | None, str, str]] = []
        self.event_objects: list[tuple[str | None, str | None, str | None]] = []
        self.object_links: list[tuple[str | None, str | None, str | None]] = []

    def write(self, connection: duckdb.DuckDBPyConnection) -> None:
        def create(table: str, names: list[str], rows: list[tuple[Any, ...]], json_columns: tuple[str, ...]) -> None:
            columns: list[Sequence[Any]] = list(zip(*rows, strict=True)) if rows else [[] for _ in names]
            arrow = pa.table({n: pa.array(list(c), pa.string()) for n, c in zip(names, columns, strict=True)})
            connection.register(f"{table}_arrow", arrow)
            select = ", ".join(f"{n}::JSON AS {n}" if n in json_columns else n for n in names)
            position = ", row_number() OVER () AS position" if table in ("raw_events", "raw_objects") else ""
            connection.execute(f"CREATE TEMP TABLE {table} AS SELECT {select}{position} FROM {table}_arrow")
            connection.unregister(f"{table}_arrow")

        event_columns = ["event_id", "event_type", "time_text", "attributes", "source_row"]
        create("raw_events", event_columns, self.events, ("attributes",))
        create("raw_objects", ["object_id", "object_type", "attributes", "source_row"], self.objects, ("attributes",))
        create("raw_event_objects", ["event_id", "object_id", "qualifier"], self.event_objects, ())
        create("raw_object_links", ["from_object", "to_object", "qualifier"], self.object_links, ())
        create("ocel_types", ["kind", "name"], self.types, ())


def _text(value: Any) -> str | None:
    """Ids, types and times as text; a number where text belongs is kept as its JSON spelling."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value)


def _json(value: Any) -> str:
    """Compact, as DuckDB writes JSON, so the same log gives the same text whatever its format."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _read_json(connection: duckdb.DuckDBPyConnection, path: Path, name: str) -> None:
    try:
        log = json.loads(path.read_bytes())
    except (OSError, ValueError) as error:
        raise SourceError(f"source '{name}' ({path}): not a readable OCEL 2.0 JSON log: {error}") from error
    if not isinstance(log, dict) or not isinstance(log.get("events"), list) or not isinstance(log.get("objects"), list):
        raise SourceError(f"source '{name}' ({path}): not an OCEL 2.0 JSON log: needs 'events' and 'objects' lists")
    raw = _RawLog()
    raw.types += [("event", _text(t.get("name"))) for t in _dicts(log.get("eventTypes"))]
    raw.types += [("object", _text(t.get("name"))) for t in _dicts(log.get("objectTypes"))]
    for index, event in enumerate(log["events"]):
        event = event if isinstance(event, dict) else {}  # kept as an event without id: it is rejected
        event_id = _text(event.get("id"))
        attributes = {_text(a.get("name")): a.get("value") for a in _dicts(event.get("attributes"))}
        raw.events.append(
            (
                event_id,
                _text(event.get("type")),
                _text(event.get("time")),
                _json(attributes),
                f"events[{index}]",
            )
        )
        for link in _dicts(event.get("relationships")):
            raw.event_objects.append((event_id, _text(link.get("objectId")), _text(link.get("qualifier"))))
    for index, item in enumerate(log["objects"]):
        item = item if isinstance(item, dict) else {}
        object_id = _text(item.get("id"))
        object_attributes = [
            {"name": a.get("name"), "time": a.get("time"), "value": a.get("value")}
            for a in _dicts(item.get("attributes"))
        ]
        raw.objects.append((object_id, _text(item.get("type")), _json(object_attributes), f"objects[{index}]"))
        for link in _dicts(item.get("relationships")):
            raw.object_links.append((object_id, _text(link.get("objectId")), _text(link.get("qualifier"))))
    raw.write(connection)


def _children(element: etree._Element, tag: str) -> list[etree._Element]:
    """The elements `tag` inside the child list `tag + 's'` (<attributes><attribute/>...)."""
    return [child for group in element if group.tag == f"{tag}s" for child in group if child.tag == tag]


def _read_xml_element(raw: _RawLog, element: etree._Element) -> None:
    where = f"line {element.sourceline}"
    if element.tag in ("event-type", "object-type"):
        raw.types.append((element.tag.removesuffix("-type"), element.get("name")))
    elif element.tag == "event":
        event_id = element.get("id")
        attributes = {a.get("name"): a.text for a in _children(element, "attribute")}
        raw.events.append((event_id, element.get("type"), element.get("time"), _json(attributes), where))
        for link in [child for group in element if group.tag == "objects" for child in group]:
            raw.event_objects.append((event_id, link.get("object-id"), link.get("qualifier")))
    elif element.tag == "object":
        object_id = element.get("id")
        object_attributes = [
            {"name": a.get("name"), "time": a.get("time"), "value": a.text} for a in _children(element, "attribute")
        ]
        raw.objects.append((object_id, element.get("type"), _json(object_attributes), where))
        for link in [child for group in element if group.tag == "objects" for child in group]:
            raw.object_links.append((object_id, link.get("object-id"), link.get("qualifier")))


def _read_xml(connection: duckdb.DuckDBPyConnection, path: Path, name: str) -> None:
    raw = _RawLog()
    try:
        with path.open("rb") as file:
            # streamed: each event or object is read at its end tag, then dropped (logs run to millions)
            parsing = etree.iterparse(file, events=("end",), tag=("event-type", "object-type", "event", "object"))
            for _, element in parsing:
                _read_xml_element(raw, element)
                element.clear()
                while element.getprevious() is not None:
                    del element.getparent()[0]
            root = parsing.root
    except (OSError, etree.XMLSyntaxError) as error:
        raise SourceError(f"source '{name}' ({path}): not a readable OCEL 2.0 XML log: {error}") from error
    if root is None or root.tag != "log":
        raise SourceError(f"source '{name}' ({path}): not an OCEL 2.0 XML log: the root element must be <log>")
    raw.write(connection)


_FORMATS: dict[str, tuple[Callable[[duckdb.DuckDBPyConnection, Path, str], None], OcelFields]] = {
    "ocel2_sqlite": (read_ocel2_sqlite, SQLITE_FIELDS),
    "ocel2_json": (_read_json, FILE_FIELDS),
    "ocel2_xml": (_read_xml, FILE_FIELDS),
}


def read_ocel2(connection: duckdb.DuckDBPyConnection, kind: str, path: Path, name: str) -> OcelFields:
    """Creates the raw tables for the log at `path`; returns how its format names event fields."""
    reader, fields = _FORMATS[kind]
    try:
        reader(connection, path, name)
    except RecursionError as error:  # Python's JSON reading and writing recurse once per level of nesting
        raise SourceError(f"source '{name}' ({path}): not a readable OCEL 2.0 log: nested too deep") from error
    # a type in use but not declared is still a type of the log (the configuration may name it)
    connection.execute("""
        INSERT INTO ocel_types
        SELECT DISTINCT 'event', event_type FROM raw_events WHERE event_type IS NOT NULL
        UNION SELECT DISTINCT 'object', object_type FROM raw_objects WHERE object_type IS NOT NULL
        EXCEPT SELECT kind, name FROM ocel_types
    """)
    return fields
