"""A ServiceNow-shaped ticketing database, wherever it is kept (SQLite file, PostgreSQL, MariaDB/MySQL).

Records that become events:
- task rows: the request is opened (and becomes a journey);
- sys_audit rows: state changes (activities) and assignment-group changes (who holds the ticket);
- sysapproval_approver rows: approval decisions;
- interaction rows: customer contacts about an open request.
Everything is read as text (date-times as UTC text, as ServiceNow keeps them), so a rejected record is
kept as the source held it. How the database is reached is an `AttachedDatabase`; the mapping is the same.

Incremental read: with `since`, only tasks with sys_updated_on >= since are read, with ALL their audit,
approval and interaction rows (a state change takes its team from the assignment history before it,
which may be older than `since`). The largest sys_updated_on read becomes the source's new watermark.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from eventlogs.errors import SourceError
from eventlogs.one_row import one_value
from eventlogs.sources.servicenow.mapping import ServiceNowMappingFields
from eventlogs.sources.shared.attached import AttachedDatabase, fetch_as_text, server_since
from eventlogs.sql_text import sql_literal
from eventlogs.staging import (
    REASON_FIELD_SQL,
    StagedSource,
    create_mapping_table,
    create_staged_events_view,
    create_staging_tables,
    write_staged,
)
from eventlogs.work_connection import work_connection

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"  # ServiceNow's own: UTC, to the second
_UTC = "(try_strptime({column}, '%Y-%m-%d %H:%M:%S') AT TIME ZONE 'UTC')"
_TEXT_TIME_CHECK = """
    CASE WHEN {column} IS NULL OR trim({column}) = '' THEN '{column}: missing timestamp'
         WHEN {parsed} IS NULL THEN '{column}: unparseable timestamp ''' || {column} || ''''
    END"""


@dataclass(frozen=True)
class ServiceNowTables:
    """Where the staging SQL finds the four tables, each with every column as text."""

    task: str
    audit: str
    approval: str
    interaction: str


# the database connectors fetch the four tables into these temp tables before anything is checked
RAW = ServiceNowTables(task="raw_task", audit="raw_sys_audit", approval="raw_approval", interaction="raw_interaction")


def tables_in_schema_sn(task_table: str) -> ServiceNowTables:
    """The tables as a connector that builds them itself names them (schema `sn`, ServiceNow's names)."""
    return ServiceNowTables(f"sn.{task_table}", "sn.sys_audit", "sn.sysapproval_approver", "sn.interaction")


# reading only what becomes events: state and assignment-group changes of requested items
_AUDIT_FILTER = "tablename = 'sc_req_item' AND fieldname IN ('state', 'assignment_group')"


def extract_servicenow(
    source: ServiceNowMappingFields, database: AttachedDatabase, staging_folder: Path, since: datetime | None
) -> StagedSource:
    connection = work_connection()
    try:
        connection.execute("SET TimeZone = 'UTC'")
        database.attach(connection)
        _fetch(connection, database, source, since)
        rows_read = stage_servicenow_tables(connection, source, RAW)
        cursor = one_value(connection.execute(f"SELECT max({_UTC.format(column='sys_updated_on')}) FROM {RAW.task}"))
        return write_staged(connection, staging_folder, source.name, rows_read, quality=[], cursor=_as_utc(cursor))
    except duckdb.Error as error:
        raise SourceError(f"source '{source.name}' ({database.describe()}): {database.redact(str(error))}") from None
    finally:
        connection.close()


def _as_utc(value: datetime | None) -> datetime | None:
    return value.astimezone(UTC) if value is not None else None


def _fetch(
    connection: duckdb.DuckDBPyConnection,
    database: AttachedDatabase,
    source: ServiceNowMappingFields,
    since: datetime | None,
) -> None:
    """The database narrows by (a day before) `since`; the exact cut is made here on the parsed UTC time."""
    task = database.table(source.task_table)
    updated = f"sys_updated_on >= {server_since(since)}" if since else "1 = 1"

    def of_tasks(column: str) -> str:
        return f"{column} IN (SELECT sys_id FROM {task} WHERE {updated})" if since else "1 = 1"

    fetch_as_text(connection, database, RAW.task, f"SELECT * FROM {task} WHERE {updated}", TIME_FORMAT)
    if since is not None:
        connection.execute(
            f"DELETE FROM {RAW.task} WHERE coalesce({_UTC.format(column='sys_updated_on')} < $since, true)",
            {"since": since},
        )
    # The other three are read once each, by the step that checks them: streamed into it, not first
    # copied into tables of their own (at millions of audit rows that copy spilled past the memory cap).
    for local_table, table, column, condition in (
        (RAW.audit, "sys_audit", "documentkey", f"{_AUDIT_FILTER} AND "),
        (RAW.approval, "sysapproval_approver", "sysapproval", ""),
        (RAW.interaction, "interaction", "parent", ""),
    ):
        fetch_as_text(
            connection,
            database,
            local_table,
            f"SELECT * FROM {database.table(table)} WHERE {condition}{of_tasks(column)}",
            TIME_FORMAT,
            # with `since`, only the records of the tasks kept above
            keep_where=f"{column} IN (SELECT sys_id FROM {RAW.task} WHERE sys_id IS NOT NULL)" if since else None,
            stream=True,
        )


def _time_check(column: str) -> str:
    return _TEXT_TIME_CHECK.format(column=column, parsed=_UTC.format(column=column))


def _request_check(column: str) -> str:
    """The record must point at a request that was itself valid (joined as `request_number`)."""
    return f"CASE WHEN request_number IS NULL THEN '{column}: no valid request with sys_id ''' || {column} || '''' END"


def _code_check(column: str, known: str, what: str) -> str:
    return (
        f"CASE WHEN {column} IS NULL OR {column} NOT IN {known} "
        f"THEN '{column.split('.')[-1]}: unknown {what} ''' || coalesce({column}, 'NULL') || '''' END"
    )


def _register_mappings(connection: duckdb.DuckDBPyConnection, source: ServiceNowMappingFields) -> None:
    create_mapping_table(connection, "state_map", source.state_activities, "code", "activity")
    create_mapping_table(connection, "approval_map", source.approval_activities, "state", "activity")
    create_mapping_table(connection, "department_map", source.departments, "team", "department")
    create_mapping_table(connection, "journey_type_map", source.journey_types, "kind", "journey_type")


def stage_servicenow_tables(
    connection: duckdb.DuckDBPyConnection, source: ServiceNowMappingFields, tables: ServiceNowTables | None = None
) -> int:
    """Checks and maps the four tables (default: schema `sn`) into the staging tables; returns the count
    of records read (every one of them becomes an event or a reject)."""
    tables = tables or tables_in_schema_sn(source.task_table)
    _register_mappings(connection, source)
    create_staging_tables(connection)
    return _stage(connection, source, tables)


def _stage(connection: duckdb.DuckDBPyConnection, source: ServiceNowMappingFields, tables: ServiceNowTables) -> int:
    # the events: parts of the staged_events view, written to Parquet in one pass (EVENT_COLUMNS order)
    events = _stage_tasks(connection, source, tables)
    events += _stage_audit(connection, source, tables)
    events += _stage_approvals(connection, source, tables)
    events += _stage_interactions(connection, source, tables)
    create_staged_events_view(connection, events)
    return sum(
        one_value(connection.execute(f"SELECT count(*) FROM {table}"))
        for table in ("task_checked", "audit_checked", "approval_checked", "interaction_checked")
    )


# the requests that passed their checks, joined by the records that refer to them
_VALID_TASKS = "(SELECT sys_id, number AS request_number FROM task_checked WHERE reason IS NULL)"


def _stage_tasks(
    connection: duckdb.DuckDBPyConnection, source: ServiceNowMappingFields, tables: ServiceNowTables
) -> list[str]:
    """Tasks: one journey each, and each one's opening event (the events' SQL parts)."""
    name = sql_literal(source.name)
    opened_team = sql_literal(source.opened_team)
    sql = connection.execute
    sql(f"""
        CREATE TEMP TABLE task_checked AS
        SELECT t.*, {_UTC.format(column="opened_at")} AS opened_ts, {_UTC.format(column="closed_at")} AS closed_ts,
               coalesce(
                 CASE WHEN number IS NULL OR trim(number) = '' THEN 'number: missing request number' END,
                 {_time_check("opened_at")},
                 CASE WHEN closed_at IS NOT NULL AND trim(closed_at) <> ''
                           AND {_UTC.format(column="closed_at")} IS NULL
                      THEN 'closed_at: unparseable timestamp ''' || closed_at || '''' END) AS reason
        FROM {tables.task} t
    """)
    sql(f"""
        INSERT INTO staged_journeys
        SELECT number, coalesce(m.journey_type, 'other'), opened_ts, closed_ts, closed_ts IS NULL,
               category, priority, caller_id, state, {name},
               to_json({{'subcategory': subcategory, 'assignment_group': assignment_group}})
        FROM task_checked t LEFT JOIN journey_type_map m ON m.kind = t.category || '/' || t.subcategory
        WHERE reason IS NULL
    """)
    events = [
        f"""
        SELECT number, NULL, {sql_literal(source.opened_activity)}, opened_ts, {sql_literal(source.opened_department)},
               {opened_team}, opened_by, 'work', {name}, 'task:' || sys_id,
               {sql_literal(source.task_table + " sys_id=")} || sys_id, to_json({{'priority': priority}})
        FROM task_checked WHERE reason IS NULL
        """
    ]
    _reject(connection, source.name, "task_checked", tables.task, source.task_table)
    return events


def _stage_audit(
    connection: duckdb.DuckDBPyConnection, source: ServiceNowMappingFields, tables: ServiceNowTables
) -> list[str]:
    """State and assignment-group changes (the events' SQL parts)."""
    name = sql_literal(source.name)
    opened_team = sql_literal(source.opened_team)
    sql = connection.execute
    events: list[str] = []
    sql(f"""
        CREATE TEMP TABLE audit_checked AS
        WITH audit AS (
            SELECT a.*, {_UTC.format(column="sys_created_on")} AS ts, t.request_number
            FROM {tables.audit} a LEFT JOIN {_VALID_TASKS} t ON t.sys_id = a.documentkey
            WHERE a.tablename = 'sc_req_item' AND a.fieldname IN ('state', 'assignment_group')
        ), checked AS MATERIALIZED (  -- read three times below; the audit rows may stream from the database
            SELECT audit.*, coalesce(
                {_time_check("sys_created_on")},
                {_request_check("documentkey")},
                CASE WHEN fieldname = 'state' THEN
                     {_code_check("newvalue", "(SELECT code FROM state_map)", "state code")} END,
                CASE WHEN fieldname = 'assignment_group' AND coalesce(trim(newvalue), '') = ''
                     THEN 'newvalue: empty assignment group' END) AS reason
            FROM audit
        ), repeated_hashes AS (
            -- valid records only, whose keys are all set (checked above), so `=` finds every twin. Grouping
            -- by one hash first, then by the four columns only where a hash repeats, took a tenth of the
            -- time of grouping every row by the four columns (a window over all rows was slower still)
            SELECT hash(documentkey, fieldname, newvalue, ts) AS key_hash
            FROM checked WHERE reason IS NULL GROUP BY ALL HAVING count(*) > 1
        ), twins AS (
            SELECT documentkey, fieldname, newvalue, ts, min(sys_id) AS first_of_twins
            FROM checked WHERE reason IS NULL
                 AND hash(documentkey, fieldname, newvalue, ts) IN (SELECT key_hash FROM repeated_hashes)
            GROUP BY ALL HAVING count(*) > 1
        )
        SELECT c.* EXCLUDE (reason), coalesce(c.reason,
                 CASE WHEN t.first_of_twins <> c.sys_id THEN 'sys_id: duplicate of sys_audit ' || t.first_of_twins
                      || ' (same documentkey, fieldname, newvalue, sys_created_on)' END) AS reason
        FROM checked c LEFT JOIN twins t
          ON c.reason IS NULL AND t.documentkey = c.documentkey AND t.fieldname = c.fieldname
             AND t.newvalue = c.newvalue AND t.ts = c.ts
    """)
    events.append(f"""
        WITH assignment AS (SELECT documentkey, ts, newvalue AS team FROM audit_checked
                            WHERE reason IS NULL AND fieldname = 'assignment_group'),
             state AS (SELECT * FROM audit_checked WHERE reason IS NULL AND fieldname = 'state')
        SELECT s.request_number, NULL, m.activity, s.ts, coalesce(d.department, 'Unknown'),
               coalesce(g.team, {opened_team}), s.sys_created_by, 'work', {name},
               'sys_audit:' || s.sys_id, 'sys_audit sys_id=' || s.sys_id,
               to_json({{'state_code': s.newvalue, 'previous_state_code': s.oldvalue}})
        FROM state s
        JOIN state_map m ON m.code = s.newvalue
        -- strictly earlier: a state change saved in the same update as a reassignment was made by the
        -- group that held the ticket, before it let go
        ASOF LEFT JOIN assignment g ON g.documentkey = s.documentkey AND s.ts > g.ts
        LEFT JOIN department_map d ON d.team = coalesce(g.team, {opened_team})
    """)
    events.append(f"""
        SELECT a.request_number, NULL, 'Assigned', a.ts, coalesce(d.department, 'Unknown'), a.newvalue,
               a.sys_created_by, 'assignment', {name}, 'sys_audit:' || a.sys_id, 'sys_audit sys_id=' || a.sys_id,
               to_json({{'previous_group': a.oldvalue}})
        FROM audit_checked a LEFT JOIN department_map d ON d.team = a.newvalue
        WHERE a.reason IS NULL AND a.fieldname = 'assignment_group'
    """)
    _reject(connection, source.name, "audit_checked", tables.audit, "sys_audit")
    return events


def _stage_approvals(
    connection: duckdb.DuckDBPyConnection, source: ServiceNowMappingFields, tables: ServiceNowTables
) -> list[str]:
    """Approvals (the events' SQL parts)."""
    name = sql_literal(source.name)
    sql = connection.execute
    events: list[str] = []
    sql(f"""
        CREATE TEMP TABLE approval_checked AS
        SELECT a.*, {_UTC.format(column="sys_updated_on")} AS ts, t.request_number, m.activity,
               coalesce(
                 {_time_check("sys_updated_on")},
                 {_request_check("sysapproval")},
                 {_code_check("a.state", "(SELECT state FROM approval_map)", "approval state")}
               ) AS reason
        FROM {tables.approval} a LEFT JOIN {_VALID_TASKS} t ON t.sys_id = a.sysapproval
        LEFT JOIN approval_map m ON m.state = a.state
    """)
    events.append(f"""
        SELECT request_number, NULL, activity, ts, {sql_literal(source.approval_department)},
               {sql_literal(source.approval_team)}, approver,
               'work', {name}, 'sysapproval_approver:' || sys_id, 'sysapproval_approver sys_id=' || sys_id,
               to_json({{'requested_at': sys_created_on}})
        FROM approval_checked WHERE reason IS NULL
    """)
    _reject(connection, source.name, "approval_checked", tables.approval, "sysapproval_approver")
    return events


def _stage_interactions(
    connection: duckdb.DuckDBPyConnection, source: ServiceNowMappingFields, tables: ServiceNowTables
) -> list[str]:
    """Customer contacts (the events' SQL parts)."""
    name = sql_literal(source.name)
    sql = connection.execute
    events: list[str] = []
    sql(f"""
        CREATE TEMP TABLE interaction_checked AS
        SELECT i.*, {_UTC.format(column="opened_at")} AS ts, t.request_number,
               coalesce({_time_check("opened_at")},
                        {_request_check("parent")}
               ) AS reason
        FROM {tables.interaction} i LEFT JOIN {_VALID_TASKS} t ON t.sys_id = i.parent
    """)
    events.append(f"""
        SELECT request_number, NULL, {sql_literal(source.contact_activity)}, ts, 'Customer', type, opened_for,
               'contact', {name}, 'interaction:' || sys_id, 'interaction sys_id=' || sys_id,
               to_json({{'channel': type, 'interaction': number}})
        FROM interaction_checked WHERE reason IS NULL
    """)
    _reject(connection, source.name, "interaction_checked", tables.interaction, "interaction")
    return events


def _reject(connection: duckdb.DuckDBPyConnection, source: str, checked: str, raw: str, table: str) -> None:
    """Moves the rows of `checked` with a reason into staged_rejects, keeping the raw record."""
    raw_columns = [row[0] for row in connection.execute(f"DESCRIBE {raw}").fetchall()]
    record = "to_json({" + ", ".join(f'{sql_literal(column)}: "{column}"' for column in raw_columns) + "})"
    connection.execute(f"""
        INSERT INTO staged_rejects
        SELECT {sql_literal(source)}, {sql_literal(table + ":")} || coalesce(sys_id, 'row?'),
               {sql_literal(table + " sys_id=")} || coalesce(sys_id, '?'),
               {record}, {REASON_FIELD_SQL}, reason
        FROM {checked} WHERE reason IS NOT NULL
    """)
