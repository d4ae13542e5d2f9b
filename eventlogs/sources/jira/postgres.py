"""Jira's own database on PostgreSQL: issues and their change history (jiraissue, changegroup, changeitem).

Kind `jira_postgres`. Each issue is a journey; events are its creation and every status change
(changeitem.field = 'status', the new status name mapped to an activity), each with the team that held
the issue at that moment: the configured team field (a custom field such as 'Team', or 'assignee')
taken as of the change from the same history. Changes of the team field become assignment events.

Incremental read: with `since`, only issues with jiraissue.updated >= since are read, with their WHOLE
history (a status change takes its team from team changes that may be older than `since`); the largest
`updated` read becomes the source's new watermark. Jira moves `updated` with every change it records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from eventlogs.errors import SourceError
from eventlogs.located_config import Located
from eventlogs.one_row import one_value
from eventlogs.sources.jira.stage import JIRA_TIME, TIME_FORMAT, JiraMapping, stage_jira
from eventlogs.sources.shared.attached import AttachedDatabase, ServerDatabase, fetch_as_text, server_since
from eventlogs.sources.shared.database_connection import DatabaseConnection, read_database_connection
from eventlogs.sql_text import sql_literal
from eventlogs.staging import StagedSource, write_staged
from eventlogs.work_connection import work_connection

ISSUE_KEYS = ("pkey", "project_issuenum")


@dataclass(frozen=True)
class JiraPostgresSource:
    name: str
    database: DatabaseConnection
    mapping: JiraMapping
    # "pkey": jiraissue.pkey holds the key (Jira before 6.1); "project_issuenum": the key is
    # project.pkey || '-' || issuenum, project found by jiraissue.project = project.id (Jira 6.1 on)
    issue_key: str
    kind: str = "jira_postgres"


def read_config(section: Located, name: str, data_folder: Path) -> JiraPostgresSource:
    issue_key = section.text("issue_key", "pkey")
    if issue_key not in ISSUE_KEYS:
        raise section.key_error("issue_key", f"must be one of {list(ISSUE_KEYS)}")
    mapping = JiraMapping(
        journey_type=section.text("journey_type"),
        journey_types=section.text_map("journey_types") if "journey_types" in section else {},
        opened_activity=section.text("opened_activity", "Issue created"),
        opened_team=section.text("opened_team"),
        team_field=section.text("team_field"),
        status_activities=section.text_map("status_activities"),
        departments=section.text_map("departments"),
    )
    return JiraPostgresSource(
        name=name,
        database=read_database_connection(section, "postgres"),
        mapping=mapping,
        issue_key=issue_key,
    )


def extract(source: JiraPostgresSource, staging_folder: Path, since: datetime | None = None) -> StagedSource:
    database = ServerDatabase(source.database)
    connection = work_connection()
    try:
        connection.execute("SET TimeZone = 'UTC'")
        database.attach(connection)
        _fetch(connection, database, source, since)
        rows_read = stage_jira(connection, source.name, source.mapping, source.issue_key)
        cursor = one_value(connection.execute(f"SELECT max({JIRA_TIME.format(column='updated')}) FROM raw_issue"))
        return write_staged(
            connection,
            staging_folder,
            source.name,
            rows_read,
            quality=[],
            cursor=cursor.astimezone(UTC) if cursor is not None else None,
        )
    except duckdb.Error as error:
        raise SourceError(f"source '{source.name}' ({database.describe()}): {database.redact(str(error))}") from None
    finally:
        connection.close()


def _fetch(
    connection: duckdb.DuckDBPyConnection,
    database: AttachedDatabase,
    source: JiraPostgresSource,
    since: datetime | None,
) -> None:
    """Into raw_issue, raw_changegroup, raw_changeitem (as text). The server narrows by (a day before)
    `since` and by the fields that matter; the exact cut is made here on the parsed UTC time."""
    issue, group, item = (database.table(t) for t in ("jiraissue", "changegroup", "changeitem"))
    updated = f"updated >= {server_since(since)}" if since else "1 = 1"
    issues = f"SELECT id FROM {issue} WHERE {updated}"
    groups_of_issues = f"issueid IN ({issues})" if since else "1 = 1"
    items_of_issues = f"groupid IN (SELECT id FROM {group} WHERE {groups_of_issues})" if since else "1 = 1"
    project = (
        f", (SELECT p.pkey FROM {database.table('project')} p WHERE p.id = i.project) AS project_key"
        if source.issue_key == "project_issuenum"
        else ""
    )
    fields = f"({sql_literal('status')}, {sql_literal(source.mapping.team_field)})"
    fetch_as_text(connection, database, "raw_issue", f"SELECT i.*{project} FROM {issue} i WHERE {updated}", TIME_FORMAT)
    fetch_as_text(
        connection, database, "raw_changegroup", f"SELECT * FROM {group} WHERE {groups_of_issues}", TIME_FORMAT
    )
    fetch_as_text(
        connection,
        database,
        "raw_changeitem",
        f"SELECT * FROM {item} WHERE field IN {fields} AND {items_of_issues}",
        TIME_FORMAT,
    )
    if since is None:
        return
    connection.execute(
        f"DELETE FROM raw_issue WHERE coalesce({JIRA_TIME.format(column='updated')} < $since, true)", {"since": since}
    )
    connection.execute(
        "DELETE FROM raw_changegroup "
        "WHERE coalesce(issueid NOT IN (SELECT id FROM raw_issue WHERE id IS NOT NULL), true)"
    )
    connection.execute(
        "DELETE FROM raw_changeitem "
        "WHERE coalesce(groupid NOT IN (SELECT id FROM raw_changegroup WHERE id IS NOT NULL), true)"
    )
