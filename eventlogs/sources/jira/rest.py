"""Jira Cloud over REST (GET /rest/api/3/search with expand=changelog): an issue is a journey.

Records that become events:
- the issue: it is created (by its reporter, held by the team it started with);
- changelog items on `status`: the status reached is mapped to an activity (unmapped: rejected);
- changelog items on the configured team field: who holds the issue (`assignment` events), so a status
  change is credited to the team that held the issue just before it, as for ServiceNow.
Times are ISO text with an offset ("2026-03-02T09:15:00.000+0100"); text without one is rejected
rather than guessed. People appear only as resource (history author) and caller (reporter), the two
columns pseudonymisation covers; the assignee is therefore not stored.

Incremental reads use JQL `updated >= "yyyy/MM/dd HH:mm"` (minute precision, in the Jira user's time
zone: `jql_timezone`); each issue comes with its whole changelog, so history before `since` is at hand.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import duckdb
import pyarrow as pa

from eventlogs.errors import SourceError
from eventlogs.located_config import Located
from eventlogs.sources.shared.http_client import HttpSettings, PageProgress, RestClient, read_http_settings
from eventlogs.sql_text import HAS_UTC_OFFSET, sql_literal
from eventlogs.staging import REASON_FIELD_SQL, StagedSource, create_mapping_table, create_staging_tables, write_staged
from eventlogs.work_connection import work_connection

ISSUE_FIELDS = ("created", "updated", "resolutiondate", "status", "reporter", "issuetype", "priority")
ISSUE_COLUMNS = (
    "key",
    "created",
    "updated",
    "resolutiondate",
    "issue_type",
    "status",
    "priority",
    "reporter",
    "team",
    "record",
)
CHANGE_COLUMNS = ("key", "history_id", "item", "created", "author", "from_value", "to_value", "record")
CHANGELOG_PAGE = 100  # the most Jira returns per changelog page


@dataclass(frozen=True)
class JiraRestSource:
    """A Jira Cloud site read over REST; `jql` narrows the issues (for example `project = SUP`)."""

    name: str
    http: HttpSettings
    page_size: int
    jql: str | None
    jql_timezone: str  # the Jira account's time zone, in which JQL reads date literals
    opened_activity: str
    default_team: str  # holds issues whose team field is empty
    team_field: str | None  # field id (customfield_10001) or name (Team) of the team; None: no teams
    journey_types: dict[str, str]  # issue type -> journey type
    status_activities: dict[str, str]  # status name -> activity
    departments: dict[str, str]  # team -> department
    kind: str = "jira_rest"


def read_config(section: Located, name: str, data_folder: Path) -> JiraRestSource:
    page_size = int(
        section.number(
            "page_size", 100, at_least=1, at_most=100, whole=True, expected="must be a whole number from 1 to 100"
        )
    )
    zone = section.time_zone("jql_timezone", "UTC")
    return JiraRestSource(
        name=name,
        http=read_http_settings(section),
        page_size=page_size,
        jql=section.optional_text("jql"),
        jql_timezone=zone,
        opened_activity=section.text("opened_activity"),
        default_team=section.text("default_team"),
        team_field=section.optional_text("team_field"),
        journey_types=section.text_map("journey_types"),
        status_activities=section.text_map("status_activities"),
        departments=section.text_map("departments"),
    )


def search_jql(source: JiraRestSource, since: datetime | None) -> str:
    """The issues to read, oldest update first; with `since`, only those updated since (to the minute)."""
    conditions = [f"({source.jql})"] if source.jql else []
    if since is not None:
        local = since.astimezone(ZoneInfo(source.jql_timezone))
        conditions.append(f'updated >= "{local:%Y/%m/%d %H:%M}"')  # drops the seconds: reads a little more
    where = " AND ".join(conditions)
    return f"{where} ORDER BY updated ASC" if where else "ORDER BY updated ASC"


def _name(value: Any) -> str | None:
    """Jira's objects (users, statuses, options, teams) by their readable name; plain values as text."""
    if value is None:
        return None
    if isinstance(value, dict):
        for key in ("name", "displayName", "value", "title", "accountId", "id"):
            if value.get(key) is not None:
                return str(value[key])
        return None
    if isinstance(value, list):
        return ", ".join(name for name in map(_name, value) if name) or None
    return str(value)


def _parse_time(text: Any) -> datetime | None:
    try:
        return datetime.strptime(str(text), "%Y-%m-%dT%H:%M:%S.%f%z")
    except ValueError:
        return None


class _Reader:
    def __init__(self, client: RestClient, source: JiraRestSource) -> None:
        self.client, self.source = client, source

    def issues(self, since: datetime | None) -> list[dict[str, Any]]:
        """Pages by startAt until `total` is reached (or a page comes back empty)."""
        fields = [*ISSUE_FIELDS, *([self.source.team_field] if self.source.team_field else [])]
        jql = search_jql(self.source, since)
        issues: list[dict[str, Any]] = []
        progress = PageProgress(self.source.name, "the issue search")
        while True:
            body = self.client.get_json(
                "/rest/api/3/search",
                {
                    "jql": jql,
                    "expand": "changelog",
                    "fields": ",".join(fields),
                    "startAt": len(issues),
                    "maxResults": self.source.page_size,
                },
            )
            page = body.get("issues") if isinstance(body, dict) else None
            total = body.get("total") if isinstance(body, dict) else None
            if not isinstance(page, list) or not isinstance(total, int):
                raise SourceError(f"source '{self.source.name}': the search did not answer with 'issues' and 'total'")
            progress.check(page, len(issues))
            issues.extend(self._with_whole_changelog(issue) for issue in page)
            if not page or len(issues) >= total:
                return issues

    def _with_whole_changelog(self, issue: dict[str, Any]) -> dict[str, Any]:
        """The search embeds at most 100 histories per issue; longer changelogs are read page by page."""
        changelog = issue.get("changelog") or {}
        histories = changelog.get("histories") or []
        if changelog.get("total", len(histories)) <= len(histories):
            return issue
        histories = []
        progress = PageProgress(self.source.name, f"the changelog of {issue.get('key')}")
        while True:
            body = self.client.get_json(
                f"/rest/api/3/issue/{quote(str(issue.get('key')), safe='')}/changelog",
                {"startAt": len(histories), "maxResults": CHANGELOG_PAGE},
            )
            values = body.get("values") if isinstance(body, dict) else None
            if not isinstance(values, list):
                raise SourceError(f"source '{self.source.name}': changelog of {issue.get('key')} has no 'values'")
            progress.check(values, len(histories))
            histories.extend(values)
            if not values or body.get("isLast", True):
                return {**issue, "changelog": {"histories": histories, "total": len(histories)}}


def _is(item: dict[str, Any], field: str | None) -> bool:
    return field is not None and field in (item.get("fieldId"), item.get("field"))


def flatten(issues: list[dict[str, Any]], source: JiraRestSource) -> tuple[pa.Table, pa.Table]:
    """One text row per issue and one per status or team changelog item, each with its raw record."""
    by_key = {str(issue.get("key")): issue for issue in issues}  # paging over moving data can repeat one
    issue_rows: list[tuple[str | None, ...]] = []
    change_rows: list[tuple[str | None, ...]] = []
    for issue in by_key.values():
        fields = issue.get("fields") or {}
        key = _name(issue.get("key"))
        team = _name(fields.get(source.team_field)) if source.team_field else None
        raw = {"key": key, "id": issue.get("id"), "fields": fields}
        issue_rows.append(
            (
                key,
                _name(fields.get("created")),
                _name(fields.get("updated")),
                _name(fields.get("resolutiondate")),
                _name(fields.get("issuetype")),
                _name(fields.get("status")),
                _name(fields.get("priority")),
                _name(fields.get("reporter")),
                team,
                json.dumps(raw, ensure_ascii=False),
            )
        )
        for history in (issue.get("changelog") or {}).get("histories") or []:
            author = history.get("author") or {}
            for item in history.get("items") or []:
                kind = "status" if _is(item, "status") else "team" if _is(item, source.team_field) else None
                if kind is None:
                    continue  # other fields (assignee, description, ...) are not steps of the journey
                raw_change = {"key": key, "history_id": history.get("id"), "created": history.get("created")}
                change_rows.append(
                    (
                        key,
                        _name(history.get("id")),
                        kind,
                        _name(history.get("created")),
                        _name(author.get("displayName") or author.get("accountId")),
                        _name(item.get("fromString")),
                        _name(item.get("toString")),
                        json.dumps({**raw_change, "item": item}, ensure_ascii=False),
                    )
                )

    def table(columns: tuple[str, ...], rows: list[tuple[str | None, ...]]) -> pa.Table:
        return pa.table({c: pa.array([row[i] for row in rows], pa.string()) for i, c in enumerate(columns)})

    return table(ISSUE_COLUMNS, issue_rows), table(CHANGE_COLUMNS, change_rows)


def extract(source: JiraRestSource, staging_folder: Path, since: datetime | None = None) -> StagedSource:
    with RestClient(source.name, source.http) as client:
        issues = _Reader(client, source).issues(since)
    issue_table, change_table = flatten(issues, source)
    updated = [stamp for issue in issues if (stamp := _parse_time((issue.get("fields") or {}).get("updated")))]
    connection = work_connection()
    try:
        connection.execute("SET TimeZone = 'UTC'")
        connection.register("jira_issues", issue_table)
        connection.register("jira_changes", change_table)
        _register_mappings(connection, source)
        create_staging_tables(connection)
        _stage(connection, source)
        rows_read = issue_table.num_rows + change_table.num_rows
        cursor = max(updated, default=None)
        return write_staged(connection, staging_folder, source.name, rows_read, quality=[], cursor=cursor)
    except duckdb.Error as error:
        raise SourceError(f"source '{source.name}' ({source.http.base_url}): {error}") from error
    finally:
        connection.close()


def _register_mappings(connection: duckdb.DuckDBPyConnection, source: JiraRestSource) -> None:
    for name, mapping, key, value in (
        ("status_map", source.status_activities, "status", "activity"),
        ("department_map", source.departments, "team", "department"),
        ("journey_type_map", source.journey_types, "kind", "journey_type"),
    ):
        create_mapping_table(connection, name, mapping, key, value)


def _parsed(column: str) -> str:
    return f"CASE WHEN regexp_matches(trim({column}), '{HAS_UTC_OFFSET}') THEN try_cast({column} AS TIMESTAMPTZ) END"


def _time_check(column: str, field: str) -> str:
    return f"""CASE WHEN coalesce(trim({column}), '') = '' THEN '{field}: missing timestamp'
                    WHEN NOT regexp_matches(trim({column}), '{HAS_UTC_OFFSET}')
                    THEN '{field}: no UTC offset in ''' || {column} || ''''
                    WHEN {_parsed(column)} IS NULL THEN '{field}: unparseable timestamp ''' || {column} || '''' END"""


def _stage(connection: duckdb.DuckDBPyConnection, source: JiraRestSource) -> None:
    _check_records(connection, source)
    _stage_checked(connection, source)


def _check_records(connection: duckdb.DuckDBPyConnection, source: JiraRestSource) -> None:
    """issues_checked and changes_checked (each record with its reason, if any) and each issue's first team."""
    sql = connection.execute
    team_field = source.team_field or "team"
    sql(f"""
        CREATE TEMP TABLE issues_checked AS
        SELECT i.*, {_parsed("created")} AS ts, {_parsed("resolutiondate")} AS closed_ts,
               coalesce(CASE WHEN coalesce(trim(key), '') = '' THEN 'key: missing issue key' END,
                        {_time_check("created", "created")},
                        CASE WHEN coalesce(trim(resolutiondate), '') <> ''
                             THEN {_time_check("resolutiondate", "resolutiondate")} END) AS reason
        FROM jira_issues i
    """)
    sql(f"""
        CREATE TEMP TABLE changes_checked AS
        SELECT c.*, {_parsed("c.created")} AS ts, m.activity,
               coalesce({_time_check("c.created", "created")},
                        CASE WHEN i.key IS NULL THEN 'key: no valid issue ''' || coalesce(c.key, '') || '''' END,
                        CASE WHEN c.item = 'status' AND m.activity IS NULL
                             THEN 'status: unknown status ''' || coalesce(c.to_value, 'NULL') || '''' END,
                        CASE WHEN c.item = 'team' AND coalesce(trim(c.to_value), '') = ''
                             THEN {sql_literal(team_field + ": empty team")} END) AS reason
        FROM jira_changes c
        LEFT JOIN (SELECT key FROM issues_checked WHERE reason IS NULL) i ON i.key = c.key
        LEFT JOIN status_map m ON m.status = c.to_value
    """)
    # The team an issue started with: the one its first team change moved it away from; without
    # changes, the team it has now; without either, the default team.
    sql(f"""
        CREATE TEMP TABLE first_team AS
        SELECT i.key, coalesce(CASE WHEN f.key IS NOT NULL THEN nullif(trim(f.from_team), '')
                                    ELSE nullif(trim(i.team), '') END, {sql_literal(source.default_team)}) AS team
        FROM issues_checked i
        LEFT JOIN (SELECT key, arg_min(from_value, ts) AS from_team FROM changes_checked
                   WHERE item = 'team' AND ts IS NOT NULL GROUP BY key) f ON f.key = i.key
        WHERE i.reason IS NULL
    """)


def _stage_checked(connection: duckdb.DuckDBPyConnection, source: JiraRestSource) -> None:
    """The checked records into the staging tables: journeys, events and rejects."""
    name, sql = sql_literal(source.name), connection.execute
    sql(f"""
        INSERT INTO staged_journeys
        SELECT i.key, coalesce(m.journey_type, 'other'), ts, closed_ts, closed_ts IS NULL, issue_type, priority,
               reporter, status, {name}, to_json({{'team': team, 'updated': updated}})
        FROM issues_checked i LEFT JOIN journey_type_map m ON m.kind = i.issue_type
        WHERE reason IS NULL
    """)
    sql(f"""
        INSERT INTO staged_events
        SELECT i.key, NULL, {sql_literal(source.opened_activity)}, i.ts, coalesce(d.department, 'Unknown'), f.team,
               reporter, 'work', {name}, 'issue:' || i.key, 'issue ' || i.key,
               to_json({{'issue_type': issue_type, 'priority': priority}})
        FROM issues_checked i JOIN first_team f ON f.key = i.key LEFT JOIN department_map d ON d.team = f.team
        WHERE i.reason IS NULL
    """)
    sql(f"""
        INSERT INTO staged_events
        WITH teams AS (SELECT key, ts, to_value AS team FROM changes_checked WHERE reason IS NULL AND item = 'team'),
             status AS (SELECT * FROM changes_checked WHERE reason IS NULL AND item = 'status')
        SELECT s.key, NULL, s.activity, s.ts, coalesce(d.department, 'Unknown'), coalesce(g.team, f.team), s.author,
               'work', {name}, 'changelog:' || s.history_id || ':status',
               'issue ' || s.key || ' changelog ' || s.history_id,
               to_json({{'status': s.to_value, 'previous_status': s.from_value}})
        FROM status s
        JOIN first_team f ON f.key = s.key
        -- strictly earlier: a status set in the same change as a new team was set by the team letting go
        ASOF LEFT JOIN teams g ON g.key = s.key AND s.ts > g.ts
        LEFT JOIN department_map d ON d.team = coalesce(g.team, f.team)
    """)
    sql(f"""
        INSERT INTO staged_events
        SELECT c.key, NULL, 'Assigned', c.ts, coalesce(d.department, 'Unknown'), c.to_value, c.author, 'assignment',
               {name}, 'changelog:' || c.history_id || ':team', 'issue ' || c.key || ' changelog ' || c.history_id,
               to_json({{'previous_team': c.from_value}})
        FROM changes_checked c LEFT JOIN department_map d ON d.team = c.to_value
        WHERE c.reason IS NULL AND c.item = 'team'
    """)
    sql(f"""
        INSERT INTO staged_rejects
        SELECT {name}, 'issue:' || coalesce(key, '?'), 'issue ' || coalesce(key, '?'), record::JSON,
               {REASON_FIELD_SQL}, reason
        FROM issues_checked WHERE reason IS NOT NULL
        UNION ALL
        SELECT {name}, 'changelog:' || coalesce(history_id, '?') || ':' || item,
               'issue ' || coalesce(key, '?') || ' changelog ' || coalesce(history_id, '?'), record::JSON,
               {REASON_FIELD_SQL}, reason
        FROM changes_checked WHERE reason IS NOT NULL
    """)
