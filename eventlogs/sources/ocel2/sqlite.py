"""Reads an OCEL 2.0 SQLite log into the raw tables of eventlogs.sources.ocel2.read, table by table.

The standard's layout: `event` (ocel_id, ocel_type) and `object` (ocel_id, ocel_type); `event_object`
and `object_object` (the links, with qualifiers); `event_map_type` / `object_map_type` name each type's
own table (`event_<map>`: ocel_id, ocel_time, attributes; `object_<map>`: ocel_id, ocel_time,
ocel_changed_field, attributes, one row for the initial values and one per change).

The tables are read directly rather than through pm4py: pm4py 2.7 drops every event linked only to
objects missing from `object` (2,540 'Collect Goods' events of the logistics log), and this reader must
lose none. An event's time is taken from its type's table; an event listed in `event` but absent from
its type's table keeps no time and is rejected for it, one found only in a type's table is still read.
Everything is read as text (sqlite_all_varchar), so a value is kept exactly as the log held it.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from eventlogs.duckdb_extensions import load_sqlite_extension
from eventlogs.errors import SourceError
from eventlogs.sql_text import sql_identifier, sql_literal

_REQUIRED = ("event", "object", "event_object", "object_object", "event_map_type", "object_map_type")


def _columns(connection: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    rows = connection.execute("""
        SELECT table_name, column_name FROM information_schema.columns
        WHERE table_catalog = 'ocel' ORDER BY table_name, ordinal_position
    """).fetchall()
    tables: dict[str, list[str]] = {}
    for table, column in rows:
        tables.setdefault(table, []).append(column)
    return tables


def _type_tables(
    connection: duckdb.DuckDBPyConnection, tables: dict[str, list[str]], kind: str
) -> list[tuple[str, str, list[str]]]:
    """(type, table, attribute columns) for every declared type whose table exists."""
    found = []
    for type_name, mapped in connection.execute(
        f"SELECT ocel_type, ocel_type_map FROM ocel.{kind}_map_type"
    ).fetchall():
        table = f"{kind}_{mapped}"
        if type_name is not None and table in tables:
            standard = {"ocel_id", "ocel_time", "ocel_changed_field"}
            found.append((type_name, table, [c for c in tables[table] if c not in standard]))
    return found


def _event_attributes(columns: list[str]) -> str:
    """{name: value} of the non-NULL attribute columns (an event's attributes do not change)."""
    if not columns:
        return "'{}'::JSON"
    entries = ", ".join(f"{{'key': {sql_literal(c)}, 'value': {sql_identifier(c)}}}" for c in columns)
    return f"map_from_entries(list_filter([{entries}], x -> x.value IS NOT NULL))::JSON"


def _read_events(connection: duckdb.DuckDBPyConnection, tables: dict[str, list[str]]) -> None:
    typed = [
        f"SELECT ocel_id, {sql_literal(type_name)} AS event_type, ocel_time, "
        f"{_event_attributes(columns)} AS attributes, "
        f"{sql_literal(table + ' row ')} || rowid AS source_row FROM ocel.{sql_identifier(table)}"
        for type_name, table, columns in _type_tables(connection, tables, "event")
    ]
    typed.append("SELECT NULL, NULL, NULL, NULL::JSON, NULL WHERE false")  # a log may declare no event type
    connection.execute(f"""
        CREATE TEMP TABLE raw_events AS
        WITH typed AS ({" UNION ALL ".join(typed)})
        SELECT coalesce(e.ocel_id, t.ocel_id) AS event_id, coalesce(e.ocel_type, t.event_type) AS event_type,
               t.ocel_time AS time_text, coalesce(t.attributes, '{{}}'::JSON) AS attributes,
               coalesce('event row ' || e.rowid, t.source_row) AS source_row,
               row_number() OVER (ORDER BY e.rowid NULLS LAST, t.source_row) AS position
        FROM ocel.event e FULL JOIN typed t ON t.ocel_id = e.ocel_id AND t.event_type = e.ocel_type
    """)


def _read_objects(connection: duckdb.DuckDBPyConnection, tables: dict[str, list[str]]) -> None:
    """Each object's attributes as [{name, time, value}], as OCEL 2.0 JSON writes them: the initial row
    (ocel_changed_field NULL) gives every non-NULL column, a change row only the field it changed."""
    history = []
    for type_name, table, columns in _type_tables(connection, tables, "object"):
        if not columns:
            continue
        changed = "ocel_changed_field" if "ocel_changed_field" in tables[table] else "NULL"
        entries = ", ".join(f"{{'name': {sql_literal(c)}, 'value': {sql_identifier(c)}}}" for c in columns)
        history.append(f"""
            SELECT ocel_id, {sql_literal(type_name)} AS object_type, {sql_literal(table)} AS type_table, r, ocel_time,
                   a.name, a.value
            FROM (SELECT *, rowid AS r, {changed} AS changed, unnest([{entries}]) AS a
                  FROM ocel.{sql_identifier(table)})
            WHERE a.value IS NOT NULL AND (changed IS NULL OR changed = a.name)
        """)
    history.append("SELECT NULL, NULL, NULL, NULL::BIGINT, NULL, NULL, NULL WHERE false")
    connection.execute(f"""
        CREATE TEMP TABLE raw_objects AS
        WITH history AS ({" UNION ALL ".join(history)}),
        described AS (
            SELECT ocel_id, object_type, any_value(type_table) AS type_table,
                   to_json(list({{'name': name, 'time': ocel_time, 'value': value}} ORDER BY r)) AS attributes
            FROM history GROUP BY ocel_id, object_type
        )
        SELECT coalesce(o.ocel_id, d.ocel_id) AS object_id, coalesce(o.ocel_type, d.object_type) AS object_type,
               coalesce(d.attributes, '[]'::JSON) AS attributes,
               coalesce('object row ' || o.rowid, d.type_table) AS source_row,
               row_number() OVER (ORDER BY o.rowid NULLS LAST, d.ocel_id) AS position
        FROM ocel.object o FULL JOIN described d ON d.ocel_id = o.ocel_id AND d.object_type = o.ocel_type
    """)


def read_ocel2_sqlite(connection: duckdb.DuckDBPyConnection, path: Path, name: str) -> None:
    load_sqlite_extension(connection)
    connection.execute("SET sqlite_all_varchar = true")
    connection.execute(f"ATTACH {sql_literal(str(path))} AS ocel (TYPE sqlite, READ_ONLY)")
    tables = _columns(connection)
    missing = [table for table in _REQUIRED if table not in tables]
    if missing:
        raise SourceError(f"source '{name}' ({path}): not an OCEL 2.0 SQLite log: no table(s) {', '.join(missing)}")
    _read_events(connection, tables)
    _read_objects(connection, tables)
    connection.execute("""
        CREATE TEMP TABLE raw_event_objects AS
        SELECT ocel_event_id AS event_id, ocel_object_id AS object_id, ocel_qualifier AS qualifier
        FROM ocel.event_object
    """)
    connection.execute("""
        CREATE TEMP TABLE raw_object_links AS
        SELECT ocel_source_id AS from_object, ocel_target_id AS to_object, ocel_qualifier AS qualifier
        FROM ocel.object_object
    """)
    connection.execute("""
        CREATE TEMP TABLE ocel_types AS
        SELECT 'event' AS kind, ocel_type AS name FROM ocel.event_map_type
        UNION SELECT 'object', ocel_type FROM ocel.object_map_type
    """)
