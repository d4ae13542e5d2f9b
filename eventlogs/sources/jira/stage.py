"""Jira issues and change history (as text tables raw_issue, raw_changegroup, raw_changeitem) to staged
journeys, events and rejects. Every issue and every status or team change read becomes an event or a
reject naming its field, so read = loaded + rejected + already loaded."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from eventlogs.one_row import one_value
from eventlogs.sql_text import sql_literal
from eventlogs.staging import REASON_FIELD_SQL, create_mapping_table, create_staging_tables

TIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"  # Jira keeps milliseconds: two changes in one second stay in order
JIRA_TIME = "(try_strptime({column}, ['%Y-%m-%d %H:%M:%S.%f', '%Y-%m-%d %H:%M:%S']) AT TIME ZONE 'UTC')"


@dataclass(frozen=True)
class JiraMapping:
    journey_type: str  # of issues whose type journey_types does not name
    journey_types: dict[str, str]  # jiraissue.issuetype -> journey type
    opened_activity: str
    opened_team: str  # the team of an issue whose team field was never set
    team_field: str  # changeitem.field whose newstring names the team (a custom field 'Team', 'assignee', ...)
    status_activities: dict[str, str]  # status name (changeitem.newstring) -> activity
    departments: dict[str, str]  # team -> department


def _time_check(expression: str, field: str) -> str:
    parsed = JIRA_TIME.format(column=expression)
    return f"""
        CASE WHEN {expression} IS NULL OR trim({expression}) = '' THEN '{field}: missing timestamp'
             WHEN {parsed} IS NULL THEN '{field}: unparseable timestamp ''' || {expression} || ''''
        END"""


def _missing(expression: str, message: str) -> str:
    return f"CASE WHEN coalesce(trim({expression}), '') = '' THEN {sql_literal(message)} END"


def _issue_key(issue_key: str) -> tuple[str, str]:
    """The key's expression, and the check that explains a missing one by the field at fault."""
    if issue_key == "pkey":
        return "nullif(trim(pkey), '')", _missing("pkey", "pkey: missing issue key")
    check = f"""coalesce(
        CASE WHEN coalesce(trim(project_key), '') = ''
             THEN 'project: no project with id ''' || coalesce(project, 'NULL') || '''' END,
        {_missing("issuenum", "issuenum: missing issue number")})"""
    return "project_key || '-' || trim(issuenum)", check


def stage_jira(connection: duckdb.DuckDBPyConnection, source: str, mapping: JiraMapping, issue_key: str) -> int:
    """Returns the count of records read: issues plus status and team changes."""
    create_staging_tables(connection)
    create_mapping_table(connection, "status_map", mapping.status_activities, "status", "activity")
    create_mapping_table(connection, "department_map", mapping.departments, "team", "department")
    create_mapping_table(connection, "journey_type_map", mapping.journey_types, "issuetype", "journey_type")
    _check(connection, mapping, issue_key)
    name = sql_literal(source)
    _stage_issues(connection, name, mapping)
    _stage_changes(connection, name, mapping)
    _reject(connection, source, "issue_checked", "raw_issue", "jiraissue", {})
    _reject(
        connection,
        source,
        "change_checked",
        "raw_changeitem",
        "changeitem",
        {
            "changegroup.issueid": "group_issueid",
            "changegroup.author": "author",
            "changegroup.created": "group_created",
        },
    )
    return sum(one_value(connection.execute(f"SELECT count(*) FROM {t}")) for t in ("issue_checked", "change_checked"))


def _check(connection: duckdb.DuckDBPyConnection, mapping: JiraMapping, issue_key: str) -> None:
    key, key_check = _issue_key(issue_key)
    connection.execute(f"""
        CREATE TEMP TABLE issue_checked AS
        SELECT i.*, {key} AS issue_key, {JIRA_TIME.format(column="created")} AS created_ts,
               {JIRA_TIME.format(column="resolutiondate")} AS resolved_ts,
               coalesce({key_check}, {_time_check("created", "created")},
                        CASE WHEN coalesce(trim(resolutiondate), '') <> ''
                                  AND {JIRA_TIME.format(column="resolutiondate")} IS NULL
                             THEN 'resolutiondate: unparseable timestamp ''' || resolutiondate || '''' END) AS reason
        FROM raw_issue i
    """)
    team_field = sql_literal(mapping.team_field)
    connection.execute(f"""
        CREATE TEMP TABLE change_checked AS
        SELECT c.*, g.issueid AS group_issueid, g.author, g.created AS group_created,
               {JIRA_TIME.format(column="g.created")} AS ts, i.issue_key, m.activity,
               coalesce(
                 CASE WHEN g.id IS NULL THEN 'groupid: no change group ''' || coalesce(c.groupid, 'NULL') || '''' END,
                 {_time_check("g.created", "changegroup.created")},
                 CASE WHEN i.issue_key IS NULL
                      THEN 'changegroup.issueid: no valid issue with id ''' || g.issueid || '''' END,
                 CASE WHEN c.field = 'status' AND m.activity IS NULL
                      THEN 'newstring: unknown status ''' || coalesce(c.newstring, 'NULL') || '''' END,
                 CASE WHEN c.field = {team_field} AND coalesce(trim(c.newstring), '') = ''
                      THEN 'newstring: empty team (' || {team_field} || ')' END) AS reason
        FROM raw_changeitem c
        LEFT JOIN raw_changegroup g ON g.id = c.groupid
        LEFT JOIN (SELECT id, issue_key FROM issue_checked WHERE reason IS NULL) i ON i.id = g.issueid
        LEFT JOIN status_map m ON m.status = c.newstring
    """)


def _stage_issues(connection: duckdb.DuckDBPyConnection, name: str, mapping: JiraMapping) -> None:
    connection.execute(f"""
        INSERT INTO staged_journeys
        SELECT issue_key, coalesce(t.journey_type, {sql_literal(mapping.journey_type)}), created_ts, resolved_ts,
               resolved_ts IS NULL, i.issuetype, priority, reporter, issuestatus, {name},
               to_json({{'issue_id': id}})  -- not the summary: free text may name people
        FROM issue_checked i LEFT JOIN journey_type_map t ON t.issuetype = i.issuetype
        WHERE reason IS NULL
    """)


def _stage_changes(connection: duckdb.DuckDBPyConnection, name: str, mapping: JiraMapping) -> None:
    team_field = sql_literal(mapping.team_field)
    connection.execute(f"""
        CREATE TEMP TABLE team_change AS
        SELECT group_issueid AS issueid, ts, newstring AS team, oldstring AS previous_team, id
        FROM change_checked WHERE reason IS NULL AND field = {team_field}
    """)
    # The team before an issue's first team change is that change's old value: Jira records no change
    # for a field set when the issue was created.
    connection.execute(f"""
        INSERT INTO staged_events
        WITH work AS (
            SELECT issue_key, id AS issueid, {sql_literal(mapping.opened_activity)} AS activity, created_ts AS ts,
                   reporter AS resource, 'jiraissue:' || id AS event_id, 'jiraissue id=' || id AS source_row,
                   to_json({{'issuetype': issuetype, 'priority': priority}}) AS attributes
            FROM issue_checked WHERE reason IS NULL
            UNION ALL
            SELECT issue_key, group_issueid, activity, ts, author, 'changeitem:' || id, 'changeitem id=' || id,
                   to_json({{'status': newstring, 'previous_status': oldstring, 'status_id': newvalue}})
            FROM change_checked WHERE reason IS NULL AND field = 'status'
        ), first_team AS (
            SELECT issueid, arg_min(nullif(trim(previous_team), ''), (ts, id)) AS team
            FROM team_change GROUP BY issueid
        ), teamed AS (
            -- strictly earlier: a status change saved together with a team change (one change group)
            -- was made while the issue was still with the team before
            SELECT w.*, coalesce(g.team, f.team, {sql_literal(mapping.opened_team)}) AS team
            FROM work w
            ASOF LEFT JOIN team_change g ON g.issueid = w.issueid AND w.ts > g.ts
            LEFT JOIN first_team f ON f.issueid = w.issueid
        )
        SELECT t.issue_key, NULL, t.activity, t.ts, coalesce(d.department, 'Unknown'), t.team, t.resource, 'work',
               {name}, t.event_id, t.source_row, t.attributes
        FROM teamed t LEFT JOIN department_map d ON d.team = t.team
    """)
    connection.execute(f"""
        INSERT INTO staged_events
        SELECT c.issue_key, NULL, 'Assigned', c.ts, coalesce(d.department, 'Unknown'), c.newstring, c.author,
               'assignment', {name}, 'changeitem:' || c.id, 'changeitem id=' || c.id,
               to_json({{'previous_team': c.oldstring, 'team_field': c.field}})
        FROM change_checked c LEFT JOIN department_map d ON d.team = c.newstring
        WHERE c.reason IS NULL AND c.field = {team_field}
    """)


def _reject(
    connection: duckdb.DuckDBPyConnection, source: str, checked: str, raw: str, table: str, extra: dict[str, str]
) -> None:
    """Moves the rows of `checked` with a reason into staged_rejects with the raw record (for a change,
    with its change group's issue, author and time, which the reasons may be about)."""
    columns = {row[0]: row[0] for row in connection.execute(f"DESCRIBE {raw}").fetchall()} | extra
    record = "to_json({" + ", ".join(f'{sql_literal(key)}: "{value}"' for key, value in columns.items()) + "})"
    connection.execute(f"""
        INSERT INTO staged_rejects
        SELECT {sql_literal(source)}, '{table}:' || coalesce(id, 'row?'), '{table} id=' || coalesce(id, '?'),
               {record}, {REASON_FIELD_SQL}, reason
        FROM {checked} WHERE reason IS NOT NULL
    """)
