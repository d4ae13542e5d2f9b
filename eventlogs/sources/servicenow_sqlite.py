"""ServiceNow-shaped ticketing database in SQLite, read through DuckDB's sqlite extension (Arrow-native).

Records that become events:
- task rows: the request is opened (and becomes a journey);
- sys_audit rows: state changes (activities) and assignment-group changes (who holds the ticket);
- sysapproval_approver rows: approval decisions;
- interaction rows: customer contacts about an open request.
Everything is read as text, so a rejected record is kept exactly as the source held it.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Protocol

import duckdb
import pandas as pd

from eventlogs.config import ServiceNowSqliteSource
from eventlogs.duckdb_extensions import load_sqlite_extension
from eventlogs.errors import SourceError
from eventlogs.staging import REASON_FIELD_SQL, StagedSource, create_staging_tables, write_staged

# ServiceNow keeps date-times as UTC text.
_UTC = "(try_strptime({column}, '%Y-%m-%d %H:%M:%S') AT TIME ZONE 'UTC')"
_TEXT_TIME_CHECK = """
    CASE WHEN {column} IS NULL OR trim({column}) = '' THEN '{column}: missing timestamp'
         WHEN {parsed} IS NULL THEN '{column}: unparseable timestamp ''' || {column} || ''''
    END"""


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


class ServiceNowMapping(Protocol):
    """What the staging SQL reads from a ServiceNow source's configuration, whichever way its tables arrive."""

    name: str
    task_table: str
    opened_activity: str
    opened_department: str
    opened_team: str
    contact_activity: str
    approval_department: str
    approval_team: str
    journey_types: dict[str, str]
    state_activities: dict[str, str]
    approval_activities: dict[str, str]
    departments: dict[str, str]


def stage_servicenow_tables(connection: duckdb.DuckDBPyConnection, source: ServiceNowMapping) -> int:
    """Stages events, rejects and journeys from the tables sn.<task_table>, sn.sys_audit,
    sn.sysapproval_approver and sn.interaction (all text columns) already attached or created on
    `connection`; returns the number of records read. The REST connector fills them from JSON."""
    _register_mappings(connection, source)
    create_staging_tables(connection)
    return _stage(connection, source)


def _register_mappings(connection: duckdb.DuckDBPyConnection, source: ServiceNowMapping) -> None:
    def table(name: str, mapping: dict[str, str], key: str, value: str) -> None:
        frame = pd.DataFrame({key: list(mapping), value: list(mapping.values())}, dtype="string")
        connection.register(f"{name}_frame", frame)
        connection.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {name}_frame")

    table("state_map", source.state_activities, "code", "activity")
    table("approval_map", source.approval_activities, "state", "activity")
    table("department_map", source.departments, "team", "department")
    table("journey_type_map", source.journey_types, "kind", "journey_type")


def extract_servicenow_sqlite(
    source: ServiceNowSqliteSource, staging_folder: Path, since: datetime | None = None
) -> StagedSource:
    """Reads the whole database every time (`since` is not used yet: a state change needs the assignment
    history before it, so an incremental read must fetch that too); the loader's merge makes it safe."""
    if not source.path.exists():
        raise SourceError(f"source '{source.name}': ticketing database {source.path} does not exist")
    connection = duckdb.connect()
    try:
        load_sqlite_extension(connection)
        connection.execute("SET sqlite_all_varchar = true")
        connection.execute(f"ATTACH '{source.path}' AS sn (TYPE sqlite, READ_ONLY)")
        rows_read = stage_servicenow_tables(connection, source)
        return write_staged(connection, staging_folder, source.name, rows_read, quality=[])
    except duckdb.Error as error:
        raise SourceError(f"source '{source.name}' ({source.path}): {error}") from error
    finally:
        connection.close()


def _stage(connection: duckdb.DuckDBPyConnection, source: ServiceNowMapping) -> int:
    name = source.name
    sql = connection.execute
    # -- tasks: one journey each ------------------------------------------------------------------
    sql(f"""
        CREATE TEMP TABLE task_checked AS
        SELECT t.*, {_UTC.format(column="opened_at")} AS opened_ts, {_UTC.format(column="closed_at")} AS closed_ts,
               coalesce(
                 CASE WHEN number IS NULL OR trim(number) = '' THEN 'number: missing request number' END,
                 {_time_check("opened_at")},
                 CASE WHEN closed_at IS NOT NULL AND trim(closed_at) <> ''
                           AND {_UTC.format(column="closed_at")} IS NULL
                      THEN 'closed_at: unparseable timestamp ''' || closed_at || '''' END) AS reason
        FROM sn.{source.task_table} t
    """)
    sql(f"""
        INSERT INTO staged_journeys
        SELECT number, coalesce(m.journey_type, 'other'), opened_ts, closed_ts, closed_ts IS NULL,
               category, priority, caller_id, state, '{name}',
               to_json({{'subcategory': subcategory, 'assignment_group': assignment_group}})
        FROM task_checked t LEFT JOIN journey_type_map m ON m.kind = t.category || '/' || t.subcategory
        WHERE reason IS NULL
    """)
    sql(f"""
        INSERT INTO staged_events
        SELECT number, NULL, '{source.opened_activity}', opened_ts, '{source.opened_department}',
               '{source.opened_team}', opened_by, 'work', '{name}', 'task:' || sys_id,
               '{source.task_table} sys_id=' || sys_id, to_json({{'priority': priority}})
        FROM task_checked WHERE reason IS NULL
    """)
    _reject(connection, name, "task_checked", source.task_table)
    valid_tasks = "(SELECT sys_id, number AS request_number FROM task_checked WHERE reason IS NULL)"

    # -- audit: state and assignment-group changes -------------------------------------------------
    sql(f"""
        CREATE TEMP TABLE audit_checked AS
        WITH audit AS (
            SELECT a.*, {_UTC.format(column="sys_created_on")} AS ts, t.request_number
            FROM sn.sys_audit a LEFT JOIN {valid_tasks} t ON t.sys_id = a.documentkey
            WHERE a.tablename = 'sc_req_item' AND a.fieldname IN ('state', 'assignment_group')
        ), checked AS (
            SELECT audit.*, coalesce(
                {_time_check("sys_created_on")},
                {_request_check("documentkey")},
                CASE WHEN fieldname = 'state' THEN
                     {_code_check("newvalue", "(SELECT code FROM state_map)", "state code")} END,
                CASE WHEN fieldname = 'assignment_group' AND coalesce(trim(newvalue), '') = ''
                     THEN 'newvalue: empty assignment group' END) AS reason
            FROM audit
        )
        SELECT * EXCLUDE (reason, first_of_twins), coalesce(reason,
                 CASE WHEN first_of_twins <> sys_id THEN 'sys_id: duplicate of sys_audit ' || first_of_twins
                      || ' (same documentkey, fieldname, newvalue, sys_created_on)' END) AS reason
        FROM (SELECT *, min(sys_id) OVER (PARTITION BY reason IS NULL, documentkey, fieldname, newvalue, ts)
                        AS first_of_twins FROM checked)
    """)
    sql(f"""
        INSERT INTO staged_events
        WITH assignment AS (SELECT documentkey, ts, newvalue AS team FROM audit_checked
                            WHERE reason IS NULL AND fieldname = 'assignment_group'),
             state AS (SELECT * FROM audit_checked WHERE reason IS NULL AND fieldname = 'state')
        SELECT s.request_number, NULL, m.activity, s.ts, coalesce(d.department, 'Unknown'),
               coalesce(g.team, '{source.opened_team}'), s.sys_created_by, 'work', '{name}',
               'sys_audit:' || s.sys_id, 'sys_audit sys_id=' || s.sys_id,
               to_json({{'state_code': s.newvalue, 'previous_state_code': s.oldvalue}})
        FROM state s
        JOIN state_map m ON m.code = s.newvalue
        -- strictly earlier: a state change saved in the same update as a reassignment was made by the
        -- group that held the ticket, before it let go
        ASOF LEFT JOIN assignment g ON g.documentkey = s.documentkey AND s.ts > g.ts
        LEFT JOIN department_map d ON d.team = coalesce(g.team, '{source.opened_team}')
    """)
    sql(f"""
        INSERT INTO staged_events
        SELECT a.request_number, NULL, 'Assigned', a.ts, coalesce(d.department, 'Unknown'), a.newvalue,
               a.sys_created_by, 'assignment', '{name}', 'sys_audit:' || a.sys_id, 'sys_audit sys_id=' || a.sys_id,
               to_json({{'previous_group': a.oldvalue}})
        FROM audit_checked a LEFT JOIN department_map d ON d.team = a.newvalue
        WHERE a.reason IS NULL AND a.fieldname = 'assignment_group'
    """)
    _reject(connection, name, "audit_checked", "sys_audit")

    # -- approvals -------------------------------------------------------------------------------
    sql(f"""
        CREATE TEMP TABLE approval_checked AS
        SELECT a.*, {_UTC.format(column="sys_updated_on")} AS ts, t.request_number, m.activity,
               coalesce(
                 {_time_check("sys_updated_on")},
                 {_request_check("sysapproval")},
                 {_code_check("a.state", "(SELECT state FROM approval_map)", "approval state")}
               ) AS reason
        FROM sn.sysapproval_approver a LEFT JOIN {valid_tasks} t ON t.sys_id = a.sysapproval
        LEFT JOIN approval_map m ON m.state = a.state
    """)
    sql(f"""
        INSERT INTO staged_events
        SELECT request_number, NULL, activity, ts, '{source.approval_department}', '{source.approval_team}', approver,
               'work', '{name}', 'sysapproval_approver:' || sys_id, 'sysapproval_approver sys_id=' || sys_id,
               to_json({{'requested_at': sys_created_on}})
        FROM approval_checked WHERE reason IS NULL
    """)
    _reject(connection, name, "approval_checked", "sysapproval_approver")

    # -- customer contacts -------------------------------------------------------------------------
    sql(f"""
        CREATE TEMP TABLE interaction_checked AS
        SELECT i.*, {_UTC.format(column="opened_at")} AS ts, t.request_number,
               coalesce({_time_check("opened_at")},
                        {_request_check("parent")}
               ) AS reason
        FROM sn.interaction i LEFT JOIN {valid_tasks} t ON t.sys_id = i.parent
    """)
    sql(f"""
        INSERT INTO staged_events
        SELECT request_number, NULL, '{source.contact_activity}', ts, 'Customer', type, opened_for, 'contact', '{name}',
               'interaction:' || sys_id, 'interaction sys_id=' || sys_id,
               to_json({{'channel': type, 'interaction': number}})
        FROM interaction_checked WHERE reason IS NULL
    """)
    _reject(connection, name, "interaction_checked", "interaction")
    return sum(
        connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in ("task_checked", "audit_checked", "approval_checked", "interaction_checked")
    )


def _reject(connection: duckdb.DuckDBPyConnection, source: str, checked: str, table: str) -> None:
    """Moves the rows of `checked` with a reason into staged_rejects, keeping the raw record."""
    raw_columns = [row[0] for row in connection.execute(f"DESCRIBE sn.{table}").fetchall()]
    record = "to_json({" + ", ".join(f"'{column}': \"{column}\"" for column in raw_columns) + "})"
    connection.execute(f"""
        INSERT INTO staged_rejects
        SELECT '{source}', '{table}:' || coalesce(sys_id, 'row?'), '{table} sys_id=' || coalesce(sys_id, '?'),
               {record}, {REASON_FIELD_SQL}, reason
        FROM {checked} WHERE reason IS NOT NULL
    """)
