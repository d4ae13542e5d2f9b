"""ServiceNow over its Table API (GET /api/now/table/{table}), mapped exactly as `servicenow_sqlite` maps it.

The fetched JSON pages become text tables named as the SQLite database names them (sn.task, sn.sys_audit,
sn.sysapproval_approver, sn.interaction) in an in-memory DuckDB, so one set of SQL checks and maps both.

Incremental reads (`since` given): the tasks, approvals and interactions updated since then, the tasks
those approvals and interactions belong to, and the whole state/assignment history (sys_audit) of every
one of those tasks, because a state change is attributed to the group that held the ticket before it.
ServiceNow writes an audit row only when it updates the record, so an audited change always moves its
task's sys_updated_on: the task query finds it. The cursor is the largest sys_updated_on returned by the
"updated since" queries.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from eventlogs.errors import SourceError
from eventlogs.located_config import Located
from eventlogs.sources.servicenow.mapping import ServiceNowMappingFields, read_servicenow_mapping
from eventlogs.sources.servicenow.stage import stage_servicenow_tables
from eventlogs.sources.shared.http_client import HttpSettings, PageProgress, RestClient, read_http_settings
from eventlogs.staging import StagedSource, write_staged
from eventlogs.work_connection import work_connection

# Only the fields the mapping reads are requested (sysparm_fields): less data, and no column surprises.
TASK_FIELDS = (
    "sys_id",
    "number",
    "category",
    "subcategory",
    "priority",
    "caller_id",
    "opened_by",
    "assignment_group",
    "state",
    "opened_at",
    "closed_at",
    "sys_updated_on",
)
AUDIT_FIELDS = (
    "sys_id",
    "tablename",
    "documentkey",
    "fieldname",
    "oldvalue",
    "newvalue",
    "sys_created_on",
    "sys_created_by",
)
APPROVAL_FIELDS = ("sys_id", "sysapproval", "approver", "state", "sys_created_on", "sys_updated_on")
INTERACTION_FIELDS = ("sys_id", "number", "type", "opened_at", "opened_for", "parent", "sys_updated_on")
AUDITED = "tablename=sc_req_item^fieldnameINstate,assignment_group"
IDS_PER_QUERY = 100  # sys_ids in one ...IN query: 100 x 33 characters keeps the URL far below 8 KB
_TABLE_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
_SYS_ID = re.compile(r"^[0-9A-Za-z_-]+$")
_SN_TIME = "%Y-%m-%d %H:%M:%S"  # ServiceNow's internal (UTC) date-time text


@dataclass(frozen=True)
class ServiceNowRestSource(ServiceNowMappingFields):
    """A ServiceNow instance read over REST; the mapping keys are those of `servicenow_sqlite`."""

    http: HttpSettings
    page_size: int
    kind: str = "servicenow_rest"


def read_config(section: Located, name: str, data_folder: Path) -> ServiceNowRestSource:
    task_table = section.text("task_table", "task")
    if not _TABLE_NAME.match(task_table):
        raise section.key_error("task_table", "must be a ServiceNow table name")
    page_size = int(
        section.number(
            "page_size", 1000, at_least=1, at_most=10000, whole=True, expected="must be a whole number from 1 to 10000"
        )
    )
    return ServiceNowRestSource(
        http=read_http_settings(section), page_size=page_size, **read_servicenow_mapping(section, name)
    )


def _text(value: Any) -> str | None:
    """Reference fields arrive as {"value": sys_id, "link": ...} unless links are excluded; keep the value."""
    if isinstance(value, dict):
        value = value.get("value")
    return None if value is None else str(value)


class _TableReader:
    """Pages through one table with sysparm_limit/sysparm_offset until a page comes back short."""

    def __init__(self, client: RestClient, source: ServiceNowRestSource) -> None:
        self.client, self.source = client, source

    def rows(self, table: str, query: str, fields: tuple[str, ...]) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        progress = PageProgress(self.source.name, f"table {table}")
        while True:
            body = self.client.get_json(
                f"/api/now/table/{table}",
                {
                    "sysparm_query": query,
                    "sysparm_fields": ",".join(fields),
                    "sysparm_limit": self.source.page_size,
                    "sysparm_offset": len(rows),
                    "sysparm_display_value": "false",  # internal values: codes, sys_ids, UTC times
                    "sysparm_exclude_reference_link": "true",
                },
            )
            page = body.get("result") if isinstance(body, dict) else None
            if not isinstance(page, list) or not all(isinstance(row, dict) for row in page):
                raise SourceError(f"source '{self.source.name}': table {table} did not answer with a 'result' list")
            progress.check(page, len(rows))
            rows.extend(page)
            if len(page) < self.source.page_size:
                return rows

    def rows_for_ids(
        self, table: str, column: str, ids: Iterable[str], condition: str, fields: tuple[str, ...]
    ) -> list[dict[str, Any]]:
        """The rows whose `column` is one of `ids`, asked for in chunks that keep the URL short."""
        wanted = sorted(ids)
        rows: list[dict[str, Any]] = []
        for start in range(0, len(wanted), IDS_PER_QUERY):
            chunk = ",".join(wanted[start : start + IDS_PER_QUERY])
            rows.extend(self.rows(table, f"{condition}{column}IN{chunk}^ORDERBYsys_id", fields))
        return rows


def _unique(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Offset paging over a table that changes meanwhile can return a record twice; keep its last copy."""
    by_id: dict[Any, dict[str, Any]] = {}
    for index, row in enumerate(rows):
        by_id[row.get("sys_id") or ("no sys_id", index)] = row
    return list(by_id.values())


def _latest(rows: Iterable[dict[str, Any]]) -> datetime | None:
    stamps = []
    for row in rows:
        try:
            stamps.append(datetime.strptime(_text(row.get("sys_updated_on")) or "", _SN_TIME).replace(tzinfo=UTC))
        except ValueError:
            continue  # an unreadable time cannot move the cursor; the record itself is checked by the SQL
    return max(stamps, default=None)


def fetch_tables(
    client: RestClient, source: ServiceNowRestSource, since: datetime | None
) -> tuple[dict[str, list[dict[str, Any]]], datetime | None]:
    """The records to stage, per table, and the cursor (largest sys_updated_on of the updated records)."""
    reader = _TableReader(client, source)
    # The Table API compares date-time literals in the integration user's time zone: keep that user on UTC.
    updated = f"sys_updated_on>={since.astimezone(UTC):{_SN_TIME}}^" if since else ""
    order = "ORDERBYsys_updated_on^ORDERBYsys_id"
    tasks = _unique(reader.rows(source.task_table, updated + order, TASK_FIELDS))
    approvals = _unique(reader.rows("sysapproval_approver", updated + order, APPROVAL_FIELDS))
    interactions = _unique(reader.rows("interaction", updated + order, INTERACTION_FIELDS))
    cursor = _latest([*tasks, *approvals, *interactions])
    if since is None:
        audit = reader.rows("sys_audit", f"{AUDITED}^ORDERBYsys_created_on^ORDERBYsys_id", AUDIT_FIELDS)
    else:
        known = {_text(task.get("sys_id")) for task in tasks}
        referenced = {_text(a.get("sysapproval")) for a in approvals} | {_text(i.get("parent")) for i in interactions}
        # a malformed reference (with ^ or a comma) would change the query; it matches no task anyway
        missing = {sys_id for sys_id in referenced - known if sys_id and _SYS_ID.match(sys_id)}
        tasks += reader.rows_for_ids(source.task_table, "sys_id", missing, "", TASK_FIELDS)
        every_task = {_text(task.get("sys_id")) or "" for task in tasks} - {""}
        audit = reader.rows_for_ids("sys_audit", "documentkey", every_task, f"{AUDITED}^", AUDIT_FIELDS)
    tables = {
        source.task_table: _unique(tasks),
        "sys_audit": _unique(audit),
        "sysapproval_approver": approvals,
        "interaction": interactions,
    }
    return tables, cursor


def _create_text_table(
    connection: duckdb.DuckDBPyConnection, table: str, fields: tuple[str, ...], rows: list[dict[str, Any]]
) -> None:
    arrow = pa.table({field: pa.array([_text(row.get(field)) for row in rows], pa.string()) for field in fields})
    connection.register("fetched_rows", arrow)
    connection.execute(f"CREATE TABLE sn.{table} AS SELECT * FROM fetched_rows")
    connection.unregister("fetched_rows")


def extract(source: ServiceNowRestSource, staging_folder: Path, since: datetime | None = None) -> StagedSource:
    with RestClient(source.name, source.http) as client:
        tables, cursor = fetch_tables(client, source, since)
    fields = {
        source.task_table: TASK_FIELDS,
        "sys_audit": AUDIT_FIELDS,
        "sysapproval_approver": APPROVAL_FIELDS,
        "interaction": INTERACTION_FIELDS,
    }
    connection = work_connection()
    try:
        connection.execute("SET TimeZone = 'UTC'")
        connection.execute("CREATE SCHEMA sn")
        for table, rows in tables.items():
            _create_text_table(connection, table, fields[table], rows)
        rows_read = stage_servicenow_tables(connection, source)
        return write_staged(connection, staging_folder, source.name, rows_read, quality=[], cursor=cursor)
    except duckdb.Error as error:
        raise SourceError(f"source '{source.name}' ({source.http.base_url}): {error}") from error
    finally:
        connection.close()
