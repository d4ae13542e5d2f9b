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
from eventlogs.staging import REASON_FIELD_SQL, StagedSource, create_staging_tables, write_staged

_XES = "{http://www.xes-standard.org/}"
_HAS_OFFSET = r"(Z|[+-]\d\d(:?\d\d)?)$"


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


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


def read_parquet_as_text(source: EventLogSource) -> pa.Table:
    """Every column as text (typed timestamps become ISO text, with '+00' when they carry a zone), numbered
    by their row in the file, so the same checks apply as to CSV."""
    if not source.path.exists():
        raise SourceError(f"source '{source.name}': Parquet file {source.path} does not exist")
    connection = duckdb.connect()
    try:
        connection.execute("SET TimeZone = 'UTC'")
        return connection.execute(
            "SELECT COLUMNS(c -> c <> 'file_row_number')::VARCHAR, file_row_number + 1 AS line "
            "FROM read_parquet(?, file_row_number = true) ORDER BY file_row_number",
            [str(source.path)],
        ).to_arrow_table()
    except duckdb.Error as error:
        raise SourceError(f"source '{source.name}' ({source.path}): not a readable Parquet file: {error}") from error
    finally:
        connection.close()


def _timestamp_sql(source: EventLogSource) -> str:
    column = _quoted(source.timestamp)
    zone = _literal(source.timezone)
    if source.timestamp_format:
        return f"timezone({zone}, try_strptime({column}, {_literal(source.timestamp_format)}))"
    return (
        f"CASE WHEN regexp_matches(trim({column}), '{_HAS_OFFSET}') THEN try_cast({column} AS TIMESTAMPTZ) "
        f"ELSE timezone({zone}, try_cast({column} AS TIMESTAMP)) END"
    )


def extract_event_log(source: EventLogSource, staging_folder: Path, since: datetime | None = None) -> StagedSource:
    """Reads the whole source every time (`since` is not used: a file has no updated-at); the loader's
    merge makes that safe."""
    if source.kind == "xes":
        raw, where, record = read_xes(source), "event", "attributes::JSON"
        case_column = f"case:{source.journey_id}"
    else:
        case_column = source.journey_id
        required = (source.journey_id, *source.activity, source.timestamp)
        if source.kind == "parquet_event_log":
            raw, where = read_parquet_as_text(source), "row"
            missing = [column for column in required if column not in raw.column_names]
            if missing:
                raise SourceError(f"source '{source.name}' ({source.path}): no column(s) {', '.join(missing)}")
        else:
            raw, where = read_csv_as_text(source.path, source.name, required), "line"
        names = [name for name in raw.column_names if name != "line"]
        record = "to_json({" + ", ".join(f"{_literal(n)}: {_quoted(n)}" for n in names) + "})"
    connection = duckdb.connect()
    try:
        connection.execute("SET TimeZone = 'UTC'")
        connection.register("raw_log", raw)
        create_staging_tables(connection)
        _stage(connection, source, case_column, where, record)
        return write_staged(connection, staging_folder, source.name, raw.num_rows, quality=[])
    except duckdb.Error as error:
        raise SourceError(f"source '{source.name}' ({source.path}): {error}") from error
    finally:
        connection.close()


def _stage(
    connection: duckdb.DuckDBPyConnection, source: EventLogSource, case_column: str, where: str, record: str
) -> None:
    case, stamp = _quoted(case_column), _quoted(source.timestamp)
    activity = f"concat_ws({_literal(source.activity_separator)}, {', '.join(map(_quoted, source.activity))})"

    def optional(column: str | None) -> str:
        return _quoted(column) if column else "NULL"

    connection.execute(f"""
        CREATE TEMP TABLE log_checked AS
        SELECT *, {_timestamp_sql(source)} AS parsed_ts, nullif({activity}, '') AS activity_name,
               coalesce(
                 CASE WHEN coalesce(trim({case}), '') = '' THEN {_literal(source.journey_id + ": missing case id")} END,
                 CASE WHEN nullif({activity}, '') IS NULL
                      THEN {_literal(source.activity[0] + ": missing activity")} END,
                 CASE WHEN coalesce(trim({stamp}), '') = ''
                      THEN {_literal(source.timestamp + ": missing timestamp")} END,
                 CASE WHEN {_timestamp_sql(source)} IS NULL
                      THEN {_literal(source.timestamp + ": unparseable timestamp '")} || {stamp} || '''' END
               ) AS reason
        FROM raw_log
    """)
    name = _literal(source.name)
    connection.execute(f"""
        INSERT INTO staged_events
        SELECT {case}, NULL, activity_name, parsed_ts, {optional(source.department)}, {optional(source.team)},
               {optional(source.resource)}, 'work', {name}, '{where}:' || line, '{where} ' || line, {record}
        FROM log_checked WHERE reason IS NULL
    """)
    closed = "max(parsed_ts)" if source.cases_complete else "NULL::TIMESTAMPTZ"
    connection.execute(f"""
        INSERT INTO staged_journeys
        SELECT {case}, {_literal(source.journey_type)}, min(parsed_ts), {closed}, {not source.cases_complete},
               NULL, NULL, NULL, NULL, {name}, NULL
        FROM log_checked WHERE reason IS NULL GROUP BY {case}
    """)
    connection.execute(f"""
        INSERT INTO staged_rejects
        SELECT {name}, '{where}:' || line, '{where} ' || line, {record}, {REASON_FIELD_SQL}, reason
        FROM log_checked WHERE reason IS NOT NULL
    """)
