"""Flat event logs: CSV exports and XES (IEEE 1849, .xes or .xes.gz), mapped by the config's fields.

Both are first turned into one Arrow table of text columns (one row per event, numbered in file
order), so the checks, the time-zone handling and the staging are the same SQL for either format.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from datetime import datetime
from io import BufferedReader
from pathlib import Path

import duckdb
import pyarrow as pa
from lxml import etree

from eventlogs.errors import ConfigError, SourceError
from eventlogs.located_config import Located
from eventlogs.one_row import one_value
from eventlogs.sources.event_log.case_table import (
    CaseTable,
    case_attributes_sql,
    case_rows_without_journey,
    load_case_table,
    read_case_table,
)
from eventlogs.sources.shared.csv_text import read_csv_as_text, read_separator, separator_hint
from eventlogs.sources.shared.event_identity import (
    content_hash_sql,
    create_id_salt,
    numbered_copies_sql,
    repeated_rows_check,
)
from eventlogs.sql_text import HAS_UTC_OFFSET, sql_identifier, sql_literal
from eventlogs.staging import REASON_FIELD_SQL, StagedSource, write_staged
from eventlogs.work_connection import work_connection

XES_NAMESPACE = "http://www.xes-standard.org/"


@dataclass(frozen=True)
class EventLogSource:
    """A flat event log (CSV or XES): one record per event, the case id naming the journey.

    `fields` maps the canonical names (journey_id, activity, timestamp, resource, team, department) to
    the log's own column or attribute names; `activity` may join several (for example XES's
    concept:name and lifecycle:transition). `lifecycle` ('start' / 'complete') and `instance` pair an
    activity's start with its complete (mining/scope/scope.py makes one step of the two); `tie_break`
    orders a journey's events at equal times (else the file's order does)."""

    name: str
    kind: str  # csv_event_log | parquet_event_log | xes
    path: Path
    journey_type: str
    journey_id: str
    activity: tuple[str, ...]
    timestamp: str
    resource: str | None
    team: str | None
    department: str | None
    timestamp_format: str | None  # strptime format; None: ISO 8601
    timezone: str  # of timestamps without an offset
    activity_separator: str
    cases_complete: bool  # a historical log: every case ended at its last event
    lifecycle: str | None = None  # the field whose start / complete pairs an activity's two timestamps
    event_id: str | None = None  # a column naming each event uniquely; None: the event's content names it
    instance: str | None = None  # the activity instance a start and its complete share (XES concept:instance)
    tie_break: str | None = None  # the column ordering a journey's events at equal times, before file order
    separator: str = ","  # of a CSV log's fields
    cases: CaseTable | None = None  # a second file of case attributes, joined on the case id


def read_config(section: Located, name: str, data_folder: Path) -> EventLogSource:
    fields = section.section("fields")
    activity = fields.text_list("activity", non_empty=True, one_allowed=True, expected="a name or a list of names")

    complete = section.flag("cases_complete", True)
    return EventLogSource(
        name=name,
        kind=section.text("kind"),
        path=data_folder / section.text("path"),
        journey_type=section.text("journey_type"),
        journey_id=fields.text("journey_id", "concept:name" if section.text("kind") == "xes" else None),
        activity=tuple(activity),
        timestamp=fields.text("timestamp", "time:timestamp" if section.text("kind") == "xes" else None),
        resource=fields.optional_text("resource"),
        team=fields.optional_text("team"),
        department=fields.optional_text("department"),
        timestamp_format=section.optional_text("timestamp_format"),
        timezone=section.time_zone("timezone", "UTC"),
        activity_separator=section.string("activity_separator", " - "),
        cases_complete=complete,
        lifecycle=fields.optional_text("lifecycle"),
        event_id=fields.optional_text("event_id"),
        instance=fields.optional_text("instance"),
        tie_break=section.optional_text("tie_break"),
        # only a CSV log has a separator: set on another kind it is an unknown key
        separator=read_separator(section) if section.text("kind") == "csv_event_log" else ",",
        cases=read_case_table(section, data_folder),
    )


def _open_xes(path: Path) -> gzip.GzipFile | BufferedReader:
    return gzip.open(path) if path.suffix == ".gz" else path.open("rb")


def _xes_prefix(source: EventLogSource) -> str:
    """The tag prefix of the file's elements: the XES namespace, or none when the root <log> declares
    none (exporters that leave it out still write XES); any other root is no XES file."""
    with _open_xes(source.path) as file:
        _, root = next(etree.iterparse(file, events=("start",)))
    name = etree.QName(root)
    if name.localname != "log" or name.namespace not in (XES_NAMESPACE, None):
        raise SourceError(
            f"source '{source.name}' ({source.path}): not an XES file: its root element is <{root.tag}>, "
            f"not <log> (in the XES namespace {XES_NAMESPACE} or in none)"
        )
    return f"{{{name.namespace}}}" if name.namespace else ""


def read_xes(source: EventLogSource) -> pa.Table:
    """One row per event: the trace's case id, the mapped attributes as text, all attributes as JSON."""
    if not source.path.exists():
        raise SourceError(f"source '{source.name}': XES file {source.path} does not exist")
    wanted = {source.timestamp, *source.activity, *(k for k in (source.resource, source.team, source.department) if k)}
    wanted.update(k for k in (source.lifecycle, source.event_id, source.instance, source.tie_break) if k)
    columns: dict[str, list[str | None]] = {key: [] for key in wanted}
    seen: set[str] = set()  # the keys any event has: a mapped key no event has is no column of the log
    trace_keys: set[str] = set()
    cases: list[str | None] = []
    attributes: list[str] = []
    try:
        prefix = _xes_prefix(source)
        with _open_xes(source.path) as file:
            for _, trace in etree.iterparse(file, events=("end",), tag=f"{prefix}trace"):
                case = next(
                    (a.get("value") for a in trace if a.tag != f"{prefix}event" and a.get("key") == source.journey_id),
                    None,
                )
                trace_keys.update(key for a in trace if a.tag != f"{prefix}event" and (key := a.get("key")))
                for event in trace.iterfind(f"{prefix}event"):
                    values = {a.get("key"): a.get("value") for a in event}
                    seen.update(key for key in values if key is not None)
                    cases.append(case)
                    for key in wanted:
                        columns[key].append(values.get(key))
                    attributes.append(json.dumps(values, ensure_ascii=False))
                trace.clear()
    except (OSError, EOFError, StopIteration, etree.XMLSyntaxError) as error:
        raise SourceError(f"source '{source.name}' ({source.path}): not a readable XES file: {error}") from error
    if cases:  # an empty log shows no keys: it simply has no events
        _check_mapped_fields(source, sorted(seen), "event attributes")
        if source.journey_id not in trace_keys:
            raise ConfigError(
                f"source '{source.name}' ({source.path}): fields.journey_id = '{source.journey_id}': no trace "
                f"has that attribute (the traces' attributes: {', '.join(sorted(trace_keys)) or 'none'})"
            )
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
    """Makes `raw_log` (one row per event, numbered `line` in file order) and `unreadable_records` (CSV
    records that could not be parsed, with their line and reason); returns the case column, the word
    for a record's place ("line", "row", "event") and the SQL of the whole raw record."""
    connection.execute(
        "CREATE TEMP TABLE unreadable_records (line BIGINT, record_id VARCHAR, text VARCHAR, reason VARCHAR)"
    )
    if source.kind == "xes":
        connection.register("raw_log", read_xes(source))
        return f"case:{source.journey_id}", "event", "attributes::JSON"
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
        # no required columns here: _check_mapped_fields names every missing one, with the columns there are
        text = read_csv_as_text(source.path, source.name, (), source.separator)
        connection.register("raw_log", text.table)
        connection.register("unreadable_arrow", text.unreadable_table())
        connection.execute("INSERT INTO unreadable_records SELECT line, record_id, text, reason FROM unreadable_arrow")
        where = "line"
    names = [row[0] for row in connection.execute("DESCRIBE raw_log").fetchall() if row[0] != "line"]
    _check_mapped_fields(source, names)
    return source.journey_id, where, _json_of(names)


def _mapped_fields(source: EventLogSource) -> list[tuple[str, str]]:
    """(config key, column) of every event column the configuration names (XES: event attributes; the
    case id is the trace's)."""
    fields = [] if source.kind == "xes" else [("fields.journey_id", source.journey_id)]
    fields += [*(("fields.activity", column) for column in source.activity), ("fields.timestamp", source.timestamp)]
    optional = {
        "fields.resource": source.resource,
        "fields.team": source.team,
        "fields.department": source.department,
        "fields.lifecycle": source.lifecycle,
        "fields.instance": source.instance,
        "fields.event_id": source.event_id,
        "tie_break": source.tie_break,
    }
    return fields + [(key, column) for key, column in optional.items() if column]


def _check_mapped_fields(source: EventLogSource, available: list[str], what: str = "columns") -> None:
    """A configured column the log lacks is a ConfigError naming the file, the key and the columns there
    are (rather than DuckDB's binder error on the first query that reads it)."""
    missing = [(key, column) for key, column in _mapped_fields(source) if column not in available]
    if missing:
        named = "; ".join(f"{key} = '{column}'" for key, column in missing)
        columns = tuple(column for _, column in _mapped_fields(source))
        hint = separator_hint(source.path, columns, source.separator) if source.kind == "csv_event_log" else ""
        raise ConfigError(
            f"source '{source.name}' ({source.path}): {named}: no such {what[:-1]} in the log "
            f"(its {what}: {', '.join(sorted(available)) or 'none'}){hint}"
        )


def extract(source: EventLogSource, staging_folder: Path, since: datetime | None = None) -> StagedSource:
    """Reads the whole source every time (`since` is not used: a file has no updated-at); the loader's
    merge on the events' content ids makes that safe."""
    connection = work_connection()
    try:
        connection.execute("SET TimeZone = 'UTC'")
        create_id_salt(connection)
        case_column, where, record = _open_raw_log(connection, source)
        types = dict((row[0], row[1]) for row in connection.execute("DESCRIBE raw_log").fetchall())
        mapped = {case_column, *source.activity, source.timestamp, source.resource, source.team, source.department}
        mapped.update((source.lifecycle, source.instance))
        extras = [name for name in types if name not in mapped and name != "line"]
        attributes = "attributes::JSON" if source.kind == "xes" else _json_of(extras)
        if source.cases is not None:
            load_case_table(connection, source.name, source.cases)
        quality = _stage(connection, source, case_column, where, record, attributes, types)
        if source.cases is not None:
            journeys = f"SELECT {sql_identifier(case_column)}::VARCHAR FROM log_checked WHERE reason IS NULL"
            quality.append(case_rows_without_journey(connection, source.cases, journeys))
        rows_read = one_value(
            connection.execute("SELECT (SELECT count(*) FROM raw_log) + (SELECT count(*) FROM unreadable_records)")
        )
        # every record is one event or one reject, and no two events share an id (see _identify)
        return write_staged(
            connection,
            staging_folder,
            source.name,
            rows_read,
            quality=quality,
            rejects_are_the_rest=True,
            event_ids_unique=True,
        )
    except duckdb.Error as error:
        raise SourceError(f"source '{source.name}' ({source.path}): {error}") from error
    finally:
        connection.close()


def _event_key_sql(source: EventLogSource, case_column: str) -> str:
    """What names an event: its configured id column, else what the store keeps of it: case, activity
    (each mapped part), instant, resource, team, department and lifecycle. Columns left unmapped
    describe the event or its case rather than say which event it is: a re-export that adds or
    corrects one must not make every event new."""
    if source.event_id:
        return f"{sql_identifier(source.event_id)}::VARCHAR"
    named = [case_column, *source.activity, source.resource, source.team, source.department, source.lifecycle]
    named.append(source.instance)  # only when mapped: the ids of logs without instances stay as they were
    parts = [f"{sql_identifier(column)}::VARCHAR" for column in named if column]
    return content_hash_sql([*parts, "epoch_us(parsed_ts)::VARCHAR"])


def _identify(connection: duckdb.DuckDBPyConnection, source: EventLogSource) -> list[dict[str, object]]:
    """log_checked: log_keyed with each event's `event_id`; returns the quality check on repeated keys.

    Rows alike in every field that names an event are each loaded as recorded (real logs have them:
    Helpdesk repeats 127 rows whole), numbered as copies and counted; a repeated configured id is an
    error of the export: the later rows are rejected, naming the first."""
    repeats = one_value(
        connection.execute("SELECT count(*) - count(DISTINCT event_key) FROM log_keyed WHERE reason IS NULL")
    )
    if not repeats:
        connection.execute("CREATE TEMP VIEW log_checked AS SELECT *, event_key AS event_id FROM log_keyed")
    elif source.event_id is None:
        event_id = numbered_copies_sql("event_key", "reason IS NULL", "line")
        connection.execute(f"CREATE TEMP VIEW log_checked AS SELECT *, {event_id} AS event_id FROM log_keyed")
    else:
        repeated = sql_literal(f"{source.event_id}: event id '")
        connection.execute(f"""
            CREATE TEMP VIEW log_checked AS
            SELECT * REPLACE (coalesce(reason, CASE WHEN first_line <> line THEN {repeated} || event_key
                                                    || ''' repeats line ' || first_line END) AS reason),
                   event_key AS event_id
            FROM (SELECT *, min(line) OVER (PARTITION BY reason IS NULL, event_key) AS first_line FROM log_keyed)
        """)
    return [repeated_rows_check(repeats, configured_id=source.event_id is not None)]


def _lifecycle_sql(source: EventLogSource) -> str:
    """The staged lifecycle and instance columns, only for a source that maps them (the loader reads
    staged files by name, so the others need none): 'start' or 'complete' in any case; other values are
    no lifecycle."""
    staged = ""
    if source.lifecycle is not None:
        value = f"lower(trim({sql_identifier(source.lifecycle)}::VARCHAR))"
        staged += f", CASE WHEN {value} IN ('start', 'complete') THEN {value} END AS lifecycle"
    if source.instance is not None:
        staged += f", nullif(trim({sql_identifier(source.instance)}::VARCHAR), '') AS instance"
    return staged


def _sequence_sql(connection: duckdb.DuckDBPyConnection, source: EventLogSource) -> str:
    """events.sequence, the order of a journey's events at equal times (eventlogs.store.journey_order_sql):
    the file's order (line, row or event number); with `tie_break`, that column's order first (as numbers
    when every non-blank value is one, else as text; blank values last), then the file's."""
    if source.tie_break is None:
        return "line"
    text = f"nullif(trim({sql_identifier(source.tie_break)}::VARCHAR), '')"
    numeric = one_value(
        connection.execute(
            f"SELECT coalesce(bool_and(try_cast({text} AS DOUBLE) IS NOT NULL), TRUE) FROM raw_log "
            f"WHERE {text} IS NOT NULL"
        )
    )
    key = f"try_cast({text} AS DOUBLE)" if numeric else text
    return f"row_number() OVER (ORDER BY {key} NULLS LAST, line)"


def _stage(
    connection: duckdb.DuckDBPyConnection,
    source: EventLogSource,
    case_column: str,
    where: str,
    record: str,
    attributes: str,
    types: dict[str, str],
) -> list[dict[str, object]]:
    _check_log(connection, source, case_column, types)
    quality = _identify(connection, source)
    _create_staged_views(connection, source, case_column, where, record, attributes)
    return quality


def _check_log(
    connection: duckdb.DuckDBPyConnection, source: EventLogSource, case_column: str, types: dict[str, str]
) -> None:
    """The views log_parsed (time and activity parsed) and log_keyed (with each event's key and reason)."""
    stamp = sql_identifier(source.timestamp)
    timestamp = _timestamp_sql(source, types[source.timestamp])

    def blank(column: str) -> str:
        # a typed value is missing only when NULL; casting every typed timestamp to text to trim it
        # cost more than the rest of the checks together
        if types[column] in ("VARCHAR", "BLOB"):
            return f"coalesce(trim({sql_identifier(column)}::VARCHAR), '') = ''"
        return f"{sql_identifier(column)} IS NULL"

    activity = f"concat_ws({sql_literal(source.activity_separator)}, {', '.join(map(sql_identifier, source.activity))})"

    missing_id = (
        f"CASE WHEN {blank(source.event_id)} THEN {sql_literal(source.event_id + ': missing event id')} END"
        if source.event_id
        else "NULL"
    )
    unparseable = sql_literal(source.timestamp + ": unparseable timestamp '")
    # views, not tables: a table would hold every row of a large log in memory
    connection.execute(f"""
        CREATE TEMP VIEW log_parsed AS
        SELECT *, {timestamp} AS parsed_ts, nullif({activity}, '') AS activity_name FROM raw_log
    """)
    connection.execute(f"""
        CREATE TEMP VIEW log_keyed AS
        SELECT *, {_event_key_sql(source, case_column)} AS event_key,
               coalesce(
                 CASE WHEN {blank(case_column)}
                      THEN {sql_literal(source.journey_id + ": missing case id")} END,
                 CASE WHEN activity_name IS NULL
                      THEN {sql_literal(source.activity[0] + ": missing activity")} END,
                 CASE WHEN {blank(source.timestamp)}
                      THEN {sql_literal(source.timestamp + ": missing timestamp")} END,
                 CASE WHEN parsed_ts IS NULL
                      THEN {unparseable} || {stamp}::VARCHAR || '''' END,
                 {missing_id}
               ) AS reason
        FROM log_parsed
    """)


def _create_staged_views(
    connection: duckdb.DuckDBPyConnection,
    source: EventLogSource,
    case_column: str,
    where: str,
    record: str,
    attributes: str,
) -> None:
    """The staged_events, staged_journeys and staged_rejects views over log_checked."""
    case = sql_identifier(case_column)

    def optional(column: str | None) -> str:
        return sql_identifier(column) if column else "NULL"

    # views: write_staged streams each from the log into its Parquet file, never holding a large log
    # in memory (the rejects are not even read when every line became an event)
    name = sql_literal(source.name)
    connection.execute(f"""
        CREATE TEMP VIEW staged_events AS
        SELECT {case}::VARCHAR AS journey_id, NULL::VARCHAR AS correlation_key, activity_name AS activity,
               parsed_ts AS ts, {optional(source.department)}::VARCHAR AS department,
               {optional(source.team)}::VARCHAR AS team, {optional(source.resource)}::VARCHAR AS resource,
               'work' AS event_kind, {name} AS source, event_id AS source_event_id,
               '{where} ' || line AS source_row, {attributes} AS attributes,
               {_sequence_sql(connection, source)} AS sequence{_lifecycle_sql(source)}
        FROM log_checked WHERE reason IS NULL
    """)
    closed = "max(parsed_ts)" if source.cases_complete else "NULL::TIMESTAMPTZ"
    connection.execute(f"""
        CREATE TEMP VIEW staged_journeys AS
        SELECT {case}::VARCHAR AS journey_id, {sql_literal(source.journey_type)} AS journey_type,
               min(parsed_ts) AS opened_at, {closed} AS closed_at, {not source.cases_complete} AS is_open,
               NULL::VARCHAR AS category, NULL::VARCHAR AS priority, NULL::VARCHAR AS caller,
               NULL::VARCHAR AS state, {name} AS source,
               {case_attributes_sql(source.cases, f"{case}::VARCHAR")} AS attributes
        FROM log_checked WHERE reason IS NULL GROUP BY {case}
    """)
    # a rejected record is named by its whole raw content too (numbered when it repeats), so the next
    # export's copy of it is the same reject, wherever it sits
    record_key = content_hash_sql([f"({record})::VARCHAR"])
    reject_id = numbered_copies_sql("record_key", "reason IS NOT NULL", "line")
    connection.execute(f"""
        CREATE TEMP VIEW staged_rejects AS
        SELECT {name} AS source, {reject_id} AS source_record_id, '{where} ' || line AS source_row,
               ({record})::JSON AS record, {REASON_FIELD_SQL} AS field, reason
        FROM (SELECT *, {record_key} AS record_key FROM log_checked WHERE reason IS NOT NULL)
        UNION ALL
        SELECT {name}, record_id, 'line ' || line, to_json({{'text': text}}), {REASON_FIELD_SQL}, reason
        FROM unreadable_records
    """)
