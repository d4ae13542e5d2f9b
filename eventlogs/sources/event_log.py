"""Flat event logs: CSV exports and XES (IEEE 1849, .xes or .xes.gz), mapped by the config's fields.

Both are first turned into one Arrow table of text columns (one row per event, numbered in file
order), so the checks, the time-zone handling and the staging are the same SQL for either format.
"""

from __future__ import annotations

import gzip
import json
from datetime import datetime
from pathlib import Path
from typing import IO

import duckdb
import pyarrow as pa
from lxml import etree

from eventlogs.config import EventLogSource
from eventlogs.errors import SourceError
from eventlogs.sources.csv_text import read_csv_as_text
from eventlogs.sql_text import HAS_UTC_OFFSET, sql_identifier, sql_literal
from eventlogs.staging import REASON_FIELD_SQL, StagedSource, write_staged
from eventlogs.work_connection import work_connection

_XES = "{http://www.xes-standard.org/}"


def _open_xes(path: Path) -> IO[bytes]:
    return gzip.open(path) if path.suffix == ".gz" else path.open("rb")


def read_xes(source: EventLogSource) -> pa.Table:
    """One row per event: the trace's case id, the mapped attributes as text, all attributes as JSON."""
    if not source.path.exists():
        raise SourceError(f"source '{source.name}': XES file {source.path} does not exist")
    wanted = {source.timestamp, *source.activity, *(k for k in (source.resource, source.team, source.department) if k)}
    columns: dict[str, list[str | None]] = {key: [] for key in wanted}
    cases: list[str | None] = []
    attributes: list[str] = []
    try:
        with _open_xes(source.path) as file:
            for _, trace in etree.iterparse(file, events=("end",), tag=f"{_XES}trace"):
                case = next(
                    (a.get("value") for a in trace if a.tag != f"{_XES}event" and a.get("key") == source.journey_id),
                    None,
                )
                for event in trace.iterfind(f"{_XES}event"):
                    values = {a.get("key"): a.get("value") for a in event}
                    cases.append(case)
                    for key in wanted:
                        columns[key].append(values.get(key))
                    attributes.append(json.dumps(values, ensure_ascii=False))
                trace.clear()
    except (OSError, etree.XMLSyntaxError) as error:
        raise SourceError(f"source '{source.name}' ({source.path}): not a readable XES file: {error}") from error
    # the trace's id is named as pm4py names it, so it cannot collide with the event's own concept:name
    table = {f"case:{source.journey_id}": cases, **columns, "attributes": attributes}
    arrow = pa.table({key: pa.array(values, pa.string()) for key, values in table.items()})
    return arrow.append_column("line", pa.array(range(1, arrow.num_rows + 1), pa.int64()))


def _timestamp_sql(source: EventLogSource, column_type: str) -> str:
    """The event time as TIMESTAMPTZ: typed columns are used as they are (naive ones in the configured
    zone); text is parsed with the configured format, or as ISO 8601 with or without an offset."""
    column = sql_identifier(source.timestamp)
    zone = sql_literal(source.timezone)
    if column_type.startswith("TIMESTAMP WITH TIME ZONE"):
        return column
    if column_type.startswith(("TIMESTAMP", "DATE")):
        return f"timezone({zone}, {column}::TIMESTAMP)"
    if source.timestamp_format:
        return f"timezone({zone}, try_strptime({column}, {sql_literal(source.timestamp_format)}))"
    return (
        f"CASE WHEN regexp_matches(trim({column}), '{HAS_UTC_OFFSET}') THEN try_cast({column} AS TIMESTAMPTZ) "
        f"ELSE timezone({zone}, try_cast({column} AS TIMESTAMP)) END"
    )


def _json_of(columns: list[str]) -> str:
    if not columns:
        return "NULL::JSON"
    return "to_json({" + ", ".join(f"{sql_literal(n)}: {sql_identifier(n)}" for n in columns) + "})"


def _open_raw_log(connection: duckdb.DuckDBPyConnection, source: EventLogSource) -> tuple[str, str, str]:
    """Makes `raw_log` (one row per event, numbered `line` in file order); returns the case column,
    the word for a record's place ("line", "row", "event") and the SQL of the whole raw record."""
    if source.kind == "xes":
        connection.register("raw_log", read_xes(source))
        return f"case:{source.journey_id}", "event", "attributes::JSON"
    required = (source.journey_id, *source.activity, source.timestamp)
    if source.kind == "parquet_event_log":
        if not source.path.exists():
            raise SourceError(f"source '{source.name}': Parquet file {source.path} does not exist")
        # typed columns stay typed: no text round trip for the common, large case
        connection.execute(
            "CREATE TEMP VIEW raw_log AS SELECT * EXCLUDE (file_row_number), file_row_number + 1 AS line "
            f"FROM read_parquet({sql_literal(str(source.path))}, file_row_number = true)"
        )
        where = "row"
    else:
        connection.register("raw_log", read_csv_as_text(source.path, source.name, required))
        where = "line"
    names = [row[0] for row in connection.execute("DESCRIBE raw_log").fetchall() if row[0] != "line"]
    missing = [column for column in required if column not in names]
    if missing:
        raise SourceError(f"source '{source.name}' ({source.path}): no column(s) {', '.join(missing)}")
    return source.journey_id, where, _json_of(names)


def extract_event_log(source: EventLogSource, staging_folder: Path, since: datetime | None = None) -> StagedSource:
    """Reads the whole source every time (`since` is not used: a file has no updated-at); the loader's
    merge makes that safe."""
    connection = work_connection()
    try:
        connection.execute("SET TimeZone = 'UTC'")
        case_column, where, record = _open_raw_log(connection, source)
        types = dict((row[0], row[1]) for row in connection.execute("DESCRIBE raw_log").fetchall())
        mapped = {case_column, *source.activity, source.timestamp, source.resource, source.team, source.department}
        mapped.add(source.lifecycle)
        extras = [name for name in types if name not in mapped and name != "line"]
        attributes = "attributes::JSON" if source.kind == "xes" else _json_of(extras)
        _stage(connection, source, case_column, where, record, attributes, types)
        rows_read = connection.execute("SELECT count(*) FROM raw_log").fetchone()[0]
        # one event per line, keyed by its line number: events and rejects split the lines between them
        return write_staged(
            connection,
            staging_folder,
            source.name,
            rows_read,
            quality=[],
            rejects_are_the_rest=True,
            event_ids_unique=True,
        )
    except duckdb.Error as error:
        raise SourceError(f"source '{source.name}' ({source.path}): {error}") from error
    finally:
        connection.close()


def _lifecycle_sql(source: EventLogSource) -> str:
    """The staged lifecycle column, only for a source that maps one (the loader reads staged files by
    name, so the others need none): 'start' or 'complete' in any case; other values are no lifecycle."""
    if source.lifecycle is None:
        return ""
    value = f"lower(trim({sql_identifier(source.lifecycle)}::VARCHAR))"
    return f", CASE WHEN {value} IN ('start', 'complete') THEN {value} END AS lifecycle"


def _stage(
    connection: duckdb.DuckDBPyConnection,
    source: EventLogSource,
    case_column: str,
    where: str,
    record: str,
    attributes: str,
    types: dict[str, str],
) -> None:
    case, stamp = sql_identifier(case_column), sql_identifier(source.timestamp)
    timestamp = _timestamp_sql(source, types[source.timestamp])

    def blank(column: str) -> str:
        # a typed value is missing only when NULL; casting every typed timestamp to text to trim it
        # cost more than the rest of the checks together
        if types[column] in ("VARCHAR", "BLOB"):
            return f"coalesce(trim({sql_identifier(column)}::VARCHAR), '') = ''"
        return f"{sql_identifier(column)} IS NULL"

    activity = f"concat_ws({sql_literal(source.activity_separator)}, {', '.join(map(sql_identifier, source.activity))})"

    def optional(column: str | None) -> str:
        return sql_identifier(column) if column else "NULL"

    connection.execute(f"""
        CREATE TEMP VIEW log_checked AS  -- a view: a table would hold every row of a large log in memory
        SELECT *, {timestamp} AS parsed_ts, nullif({activity}, '') AS activity_name,
               coalesce(
                 CASE WHEN {blank(case_column)}
                      THEN {sql_literal(source.journey_id + ": missing case id")} END,
                 CASE WHEN nullif({activity}, '') IS NULL
                      THEN {sql_literal(source.activity[0] + ": missing activity")} END,
                 CASE WHEN {blank(source.timestamp)}
                      THEN {sql_literal(source.timestamp + ": missing timestamp")} END,
                 CASE WHEN {timestamp} IS NULL
                      THEN {sql_literal(source.timestamp + ": unparseable timestamp '")} || {stamp}::VARCHAR || '''' END
               ) AS reason
        FROM raw_log
    """)
    # views, not tables: write_staged streams each from the log into its Parquet file, never holding a
    # large log in memory (the rejects are not even read when every line became an event)
    name = sql_literal(source.name)
    connection.execute(f"""
        CREATE TEMP VIEW staged_events AS
        SELECT {case}::VARCHAR AS journey_id, NULL::VARCHAR AS correlation_key, activity_name AS activity,
               parsed_ts AS ts, {optional(source.department)}::VARCHAR AS department,
               {optional(source.team)}::VARCHAR AS team, {optional(source.resource)}::VARCHAR AS resource,
               'work' AS event_kind, {name} AS source, '{where}:' || line AS source_event_id,
               '{where} ' || line AS source_row, {attributes} AS attributes{_lifecycle_sql(source)}
        FROM log_checked WHERE reason IS NULL
    """)
    closed = "max(parsed_ts)" if source.cases_complete else "NULL::TIMESTAMPTZ"
    connection.execute(f"""
        CREATE TEMP VIEW staged_journeys AS
        SELECT {case}::VARCHAR AS journey_id, {sql_literal(source.journey_type)} AS journey_type,
               min(parsed_ts) AS opened_at, {closed} AS closed_at, {not source.cases_complete} AS is_open,
               NULL::VARCHAR AS category, NULL::VARCHAR AS priority, NULL::VARCHAR AS caller,
               NULL::VARCHAR AS state, {name} AS source, NULL::JSON AS attributes
        FROM log_checked WHERE reason IS NULL GROUP BY {case}
    """)
    connection.execute(f"""
        CREATE TEMP VIEW staged_rejects AS
        SELECT {name} AS source, '{where}:' || line AS source_record_id, '{where} ' || line AS source_row,
               ({record})::JSON AS record, {REASON_FIELD_SQL} AS field, reason
        FROM log_checked WHERE reason IS NOT NULL
    """)
