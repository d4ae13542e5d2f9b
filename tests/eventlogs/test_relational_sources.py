"""Database connectors (ServiceNow on PostgreSQL and MariaDB, Jira on PostgreSQL) against the machine's
real servers: mapping, teams as of each change, rejects, reconciled counts, incremental runs and
watermarks, and credentials that never leak. Every expected value was worked out by hand from the rows."""

from __future__ import annotations

import socket
import traceback
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from eventlogs.config import load_source_config
from eventlogs.errors import ConfigError, SourceError
from eventlogs.extract import extract_source
from eventlogs.pipeline import extract_and_load
from eventlogs.store.loader import LoadResult
from tests.database_servers import Place, insert, mariadb_database, postgres_schema
from tests.realdata import REPOSITORY

__all__ = ["mariadb_database", "postgres_schema"]  # fixtures, used by name

EXAMPLES = REPOSITORY / "eventlogs" / "examples"


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def ledger(result: LoadResult) -> tuple[int, int, int, int]:
    return result.rows_read, result.rows_loaded, result.rows_rejected, result.rows_duplicate


def query(store: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(store), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def watermark(store: Path, source: str) -> datetime:
    return query(store, f"SELECT cursor_at FROM watermarks WHERE source = '{source}'")[0][0]


def write_config(tmp_path: Path, text: str, place: Place, variable: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(variable, place.password)
    config = tmp_path / "sources.toml"
    config.write_text(
        text.replace("DATABASE", place.database).replace("SCHEMA", place.schema).replace("USER", place.user)
    )
    return config


def assert_no_canary(place: Place, folder: Path) -> None:
    """The password is in no file the runs wrote (store, pseudonym key, staged Parquet)."""
    for path in folder.rglob("*"):
        if path.is_file():
            assert place.password.encode() not in path.read_bytes(), path


# -- ServiceNow on PostgreSQL and MariaDB ---------------------------------------------------------------

SERVICENOW_CONFIG = """
[sources.tickets]
kind = "KIND"
host = "127.0.0.1"
port = PORT
database = "DATABASE"
schema = "SCHEMA"
user = "USER"
password_env = "JM_TEST_SN_PASSWORD"
lookback = "1h"
pseudonymise_resources = false
opened_activity = "Request submitted"
opened_department = "Service Desk"
opened_team = "Service Desk L1"
contact_activity = "Customer contact"
approval_department = "Management"
approval_team = "Line Management"

[sources.tickets.journey_types]
"hardware/laptop" = "laptop_request"
"software/software" = "software_request"

[sources.tickets.state_activities]
"10" = "Sent for approval"
"20" = "Order placed"

[sources.tickets.approval_activities]
approved = "Approved"

[sources.tickets.departments]
"Service Desk L1" = "Service Desk"
"Line Management" = "Management"
"Procurement Hardware" = "Procurement"
"""

TASK = "sys_id, number, category, subcategory, priority, caller_id, opened_by, assignment_group, state, " + (
    "opened_at, closed_at, sys_updated_on"
)
AUDIT = "sys_id, tablename, documentkey, fieldname, oldvalue, newvalue, sys_created_on, sys_created_by"
APPROVAL = "sys_id, sysapproval, approver, state, sys_created_on, sys_updated_on"
INTERACTION = "sys_id, number, type, opened_at, opened_for, parent, short_description"


def create_servicenow_tables(place: Place) -> None:
    # PostgreSQL keeps task.sys_updated_on as ServiceNow's UTC text, the rest as timestamps; MariaDB has
    # DATETIME throughout: the connector must read both the same way.
    postgres = place.server.engine == "postgres"
    ts = "timestamp" if postgres else "DATETIME"
    updated = "varchar(19)" if postgres else "DATETIME"
    text = "varchar(80)"
    run, table = place.server.run, place.table
    run(
        f"CREATE TABLE {table('task')} (sys_id varchar(32) PRIMARY KEY, number {text}, category {text}, "
        f"subcategory {text}, priority {text}, caller_id {text}, opened_by {text}, assignment_group {text}, "
        f"state {text}, opened_at {ts}, closed_at {ts}, sys_updated_on {updated})"
    )
    run(
        f"CREATE TABLE {table('sys_audit')} (sys_id varchar(32) PRIMARY KEY, tablename {text}, "
        f"documentkey varchar(32), fieldname {text}, oldvalue {text}, newvalue {text}, sys_created_on {ts} NULL, "
        f"sys_created_by {text})"
    )
    run(
        f"CREATE TABLE {table('sysapproval_approver')} (sys_id varchar(32) PRIMARY KEY, sysapproval varchar(32), "
        f"approver {text}, state {text}, sys_created_on {ts}, sys_updated_on {ts})"
    )
    run(
        f"CREATE TABLE {table('interaction')} (sys_id varchar(32) PRIMARY KEY, number {text}, type {text}, "
        f"opened_at {ts}, opened_for {text}, parent varchar(32), short_description {text})"
    )


def fill_servicenow(place: Place) -> None:
    """t1 moves Service Desk -> Line Management -> Procurement; t2 holds two defects; t3 has no number."""
    insert(
        place,
        "task",
        TASK,
        [
            ("t1", "RITM1", "hardware", "laptop", "3", "alice", "alice", "Procurement Hardware", "20",
             "2026-03-02 09:00:00", None, "2026-03-03 10:00:00"),
            ("t2", "RITM2", "software", "software", "4", "bob", "bob", "Service Desk L1", "1",
             "2026-03-02 10:00:00", None, "2026-03-02 12:00:00"),
            ("t3", None, "hardware", "laptop", "4", "carl", "carl", "Service Desk L1", "1",
             "2026-03-02 11:00:00", None, "2026-03-02 11:00:00"),
        ],
    )  # fmt: skip
    insert(
        place,
        "sys_audit",
        AUDIT,
        [
            ("a1", "sc_req_item", "t1", "assignment_group", None, "Service Desk L1", "2026-03-02 09:00:00", "system"),
            ("a2", "sc_req_item", "t1", "state", "1", "10", "2026-03-02 11:00:00", "sam"),
            ("a3", "sc_req_item", "t1", "assignment_group", "Service Desk L1", "Line Management",
             "2026-03-02 11:00:00", "sam"),
            ("a4", "sc_req_item", "t1", "state", "10", "20", "2026-03-03 10:00:00", "pete"),
            ("a5", "sc_req_item", "t1", "assignment_group", "Line Management", "Procurement Hardware",
             "2026-03-03 09:00:00", "system"),
            ("a6", "sc_req_item", "t2", "state", "1", "99", "2026-03-02 12:00:00", "sam"),
            ("a7", "sc_req_item", "t2", "state", "1", "10", None, "sam"),
            ("a8", "sc_req_item", "nope", "state", "1", "10", "2026-03-02 12:00:00", "sam"),
            ("a9", "incident", "t1", "state", "1", "2", "2026-03-02 12:00:00", "sam"),
        ],
    )  # fmt: skip
    insert(place, "sysapproval_approver", APPROVAL, [("p1", "t1", "mia", "approved", "2026-03-02 11:00:00",
                                                      "2026-03-02 15:00:00")])  # fmt: skip
    insert(place, "interaction", INTERACTION, [("i1", "IMS1", "phone", "2026-03-02 16:00:00", "alice", "t1",
                                                "Where is my laptop?")])  # fmt: skip


def change_servicenow(place: Place) -> None:
    """Between the runs: t2 is sent for approval, t4 is opened and its caller phones."""
    place.server.run(
        f"UPDATE {place.table('task')} SET state = '10', sys_updated_on = '2026-03-04 08:00:00' WHERE sys_id = 't2'"
    )
    insert(place, "sys_audit", AUDIT, [("a10", "sc_req_item", "t2", "state", "1", "10", "2026-03-04 08:00:00", "sam")])
    insert(place, "task", TASK, [("t4", "RITM4", "software", "software", "4", "dora", "dora", "Service Desk L1", "1",
                                  "2026-03-04 07:00:00", None, "2026-03-04 07:30:00")])  # fmt: skip
    insert(place, "interaction", INTERACTION, [("i2", "IMS2", "email", "2026-03-04 07:30:00", "dora", "t4", "?")])


@pytest.fixture(params=["postgres", "mysql"])
def servicenow_place(request: pytest.FixtureRequest) -> Place:
    return request.getfixturevalue("postgres_schema" if request.param == "postgres" else "mariadb_database")


def servicenow_config(tmp_path: Path, place: Place, monkeypatch: pytest.MonkeyPatch) -> Path:
    engine = place.server.engine
    text = SERVICENOW_CONFIG.replace("KIND", f"servicenow_{engine}")
    text = text.replace("PORT", "5432" if engine == "postgres" else "3306")
    return write_config(tmp_path, text, place, "JM_TEST_SN_PASSWORD", monkeypatch)


def test_servicenow_database_maps_rejects_and_reads_incrementally(
    servicenow_place: Place, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    place = servicenow_place
    create_servicenow_tables(place)
    fill_servicenow(place)
    config = servicenow_config(tmp_path, place, monkeypatch)
    store = tmp_path / "store.duckdb"

    # run 1 reads everything: 3 tasks + 8 audit rows (a9 is about an incident) + 1 approval + 1 contact
    (first,) = extract_and_load(config, store)
    assert ledger(first) == (13, 9, 4, 0)
    events = query(store, "SELECT journey_id, activity, ts, team, department, event_kind FROM events ORDER BY ALL")
    assert events == [
        ("RITM1", "Approved", utc("2026-03-02 15:00"), "Line Management", "Management", "work"),
        ("RITM1", "Assigned", utc("2026-03-02 09:00"), "Service Desk L1", "Service Desk", "assignment"),
        ("RITM1", "Assigned", utc("2026-03-02 11:00"), "Line Management", "Management", "assignment"),
        ("RITM1", "Assigned", utc("2026-03-03 09:00"), "Procurement Hardware", "Procurement", "assignment"),
        ("RITM1", "Customer contact", utc("2026-03-02 16:00"), "phone", "Customer", "contact"),
        # the team as of the change: a reassignment saved in the same second came after it
        ("RITM1", "Order placed", utc("2026-03-03 10:00"), "Procurement Hardware", "Procurement", "work"),
        ("RITM1", "Request submitted", utc("2026-03-02 09:00"), "Service Desk L1", "Service Desk", "work"),
        ("RITM1", "Sent for approval", utc("2026-03-02 11:00"), "Service Desk L1", "Service Desk", "work"),
        ("RITM2", "Request submitted", utc("2026-03-02 10:00"), "Service Desk L1", "Service Desk", "work"),
    ]
    rejects = dict(query(store, "SELECT source_row, field || ' | ' || reason FROM rejects"))
    assert rejects == {
        "task sys_id=t3": "number | number: missing request number",
        "sys_audit sys_id=a6": "newvalue | newvalue: unknown state code '99'",
        "sys_audit sys_id=a7": "sys_created_on | sys_created_on: missing timestamp",
        "sys_audit sys_id=a8": "documentkey | documentkey: no valid request with sys_id 'nope'",
    }
    journeys = query(store, "SELECT journey_id, journey_type, is_open, state FROM journeys ORDER BY ALL")
    assert journeys == [("RITM1", "laptop_request", True, "20"), ("RITM2", "software_request", True, "1")]
    assert watermark(store, "tickets") == utc("2026-03-03 10:00")

    # run 2 reads from the watermark less the 1h look-back (2026-03-03 09:00): t1 (again), t2 (updated)
    # and t4 (new) with all their rows: 3 tasks + 5 + 3 audit + 1 approval + 2 contacts; t3 is not read
    change_servicenow(place)
    (second,) = extract_and_load(config, store)
    assert ledger(second) == (14, 3, 2, 9)
    new = query(
        store,
        f"SELECT journey_id, activity, team, department FROM events WHERE load_run_id = '{second.run_id}' ORDER BY ALL",
    )
    assert new == [
        ("RITM2", "Sent for approval", "Service Desk L1", "Service Desk"),
        ("RITM4", "Customer contact", "email", "Customer"),
        ("RITM4", "Request submitted", "Service Desk L1", "Service Desk"),
    ]
    assert query(store, "SELECT state FROM journeys WHERE journey_id = 'RITM2'") == [("10",)]
    assert watermark(store, "tickets") == utc("2026-03-04 08:00")

    # run 3, nothing changed: from 2026-03-04 07:00, t2 and t4 are read again and nothing is new
    (third,) = extract_and_load(config, store)
    assert ledger(third) == (6, 0, 2, 4)
    assert watermark(store, "tickets") == utc("2026-03-04 08:00")
    assert query(store, "SELECT count(*) FROM events") == [(12,)]
    assert_no_canary(place, tmp_path)


# -- Jira on PostgreSQL ------------------------------------------------------------------------------------

JIRA_CONFIG = """
[sources.jira]
kind = "jira_postgres"
host = "127.0.0.1"
database = "DATABASE"
schema = "SCHEMA"
user = "USER"
password_env = "JM_TEST_JIRA_PASSWORD"
pseudonymise_resources = false
ISSUE_KEY
journey_type = "service_request"
opened_activity = "Issue created"
opened_team = "Service Desk"
team_field = "Team"

[sources.jira.journey_types]
"Purchase" = "purchase_request"

[sources.jira.status_activities]
"In Progress" = "Work started"
"Waiting for customer" = "Waiting for customer"
"Resolved" = "Resolved"

[sources.jira.departments]
"Service Desk" = "Support"
"Hardware" = "IT Operations"
"Logistics" = "Facilities"
"""

ISSUE = "id, pkey, project, issuenum, issuetype, priority, reporter, assignee, created, updated, resolutiondate, "
ISSUE += "issuestatus, summary"
GROUP = "id, issueid, author, created"
ITEM = "id, groupid, fieldtype, field, oldvalue, oldstring, newvalue, newstring"


def create_jira_tables(place: Place) -> None:
    """Jira's own column types: numeric ids, times WITH time zone."""
    run, table, text = place.server.run, place.table, "varchar(255)"
    run(
        f"CREATE TABLE {table('jiraissue')} (id numeric(18,0) PRIMARY KEY, pkey {text}, project numeric(18,0), "
        f"issuenum numeric(18,0), issuetype {text}, priority {text}, reporter {text}, assignee {text}, "
        f"created timestamptz, updated timestamptz, resolutiondate timestamptz, issuestatus {text}, summary {text})"
    )
    run(
        f"CREATE TABLE {table('changegroup')} (id numeric(18,0) PRIMARY KEY, issueid numeric(18,0), author {text}, "
        "created timestamptz)"
    )
    run(
        f"CREATE TABLE {table('changeitem')} (id numeric(18,0) PRIMARY KEY, groupid numeric(18,0), "
        f"fieldtype {text}, field {text}, oldvalue text, oldstring text, newvalue text, newstring text)"
    )
    run(f"CREATE TABLE {table('project')} (id numeric(18,0) PRIMARY KEY, pkey {text})")


def fill_jira(place: Place) -> None:
    insert(
        place,
        "jiraissue",
        ISSUE,
        [
            (10001, "HD-1", 1, 1, "Incident", "3", "carol", "dave", "2026-03-02 09:00:00+00",
             "2026-03-03 12:00:00+00", "2026-03-03 12:00:00+00", "5", "Laptop broken"),
            # created at 10:00 in UTC+1: 09:00 UTC
            (10002, "HD-2", 1, 2, "Purchase", "3", "erin", None, "2026-03-02 10:00:00+01",
             "2026-03-02 14:00:00+00", None, "1", "Need a dock"),
            (10003, None, None, None, "Incident", "3", "erin", None, "2026-03-02 08:00:00+00",
             "2026-03-02 08:00:00+00", None, "1", "No key"),
        ],
    )  # fmt: skip
    insert(
        place,
        "changegroup",
        GROUP,
        [
            (1, 10001, "erin", "2026-03-02 10:00:00+00"),
            (2, 10001, "frank", "2026-03-03 11:00:00+00"),
            (3, 10001, "frank", "2026-03-03 12:00:00+00"),
            (4, 10002, "dave", "2026-03-02 14:00:00+00"),
            (5, 10002, "dave", None),
            (6, 10003, "erin", "2026-03-02 08:00:00+00"),
        ],
    )
    insert(
        place,
        "changeitem",
        ITEM,
        [
            (1, 1, "jira", "status", "1", "Open", "3", "In Progress"),
            (2, 1, "custom", "Team", None, "Service Desk", None, "Hardware"),
            (3, 2, "jira", "status", "3", "In Progress", "4", "Waiting for customer"),
            (4, 3, "jira", "status", "4", "Waiting for customer", "5", "Resolved"),
            (5, 3, "jira", "description", None, "old text", None, "new text"),
            (6, 4, "jira", "status", "1", "Open", "9", "Teleported"),
            (7, 5, "jira", "status", "1", "Open", "3", "In Progress"),
            (8, 6, "jira", "status", "1", "Open", "3", "In Progress"),
            (9, 999, "jira", "status", "1", "Open", "3", "In Progress"),
        ],
    )


def change_jira(place: Place) -> None:
    """Between the runs: HD-2 goes to Logistics, who start work on it; HD-4 is created."""
    insert(place, "changegroup", GROUP, [(7, 10002, "gina", "2026-03-04 09:00:00+00"),
                                         (8, 10002, "hal", "2026-03-04 10:00:00+00")])  # fmt: skip
    insert(place, "changeitem", ITEM, [(10, 7, "custom", "Team", None, None, None, "Logistics"),
                                       (11, 8, "jira", "status", "1", "Open", "3", "In Progress")])  # fmt: skip
    place.server.run(
        f"UPDATE {place.table('jiraissue')} SET updated = '2026-03-04 10:00:00+00', issuestatus = '3' WHERE id = 10002"
    )
    insert(place, "jiraissue", ISSUE, [(10004, "HD-4", 1, 4, "Incident", "2", "ivy", None, "2026-03-04 08:00:00+00",
                                        "2026-03-04 08:00:00+00", None, "1", "Printer")])  # fmt: skip


def jira_config(tmp_path: Path, place: Place, monkeypatch: pytest.MonkeyPatch, issue_key: str = "pkey") -> Path:
    text = JIRA_CONFIG.replace("ISSUE_KEY", f'issue_key = "{issue_key}"')
    return write_config(tmp_path, text, place, "JM_TEST_JIRA_PASSWORD", monkeypatch)


def test_jira_postgres_status_changes_teams_as_of_and_incremental_runs(
    postgres_schema: Place, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    place = postgres_schema
    create_jira_tables(place)
    fill_jira(place)
    config = jira_config(tmp_path, place, monkeypatch)
    store = tmp_path / "store.duckdb"

    # run 1: 3 issues + 8 status/Team changes (the description change is not read)
    (first,) = extract_and_load(config, store)
    assert ledger(first) == (11, 6, 5, 0)
    events = query(store, "SELECT journey_id, activity, ts, team, department, resource FROM events ORDER BY ALL")
    assert events == [
        ("HD-1", "Assigned", utc("2026-03-02 10:00"), "Hardware", "IT Operations", "erin"),
        # before its first Team change HD-1 was with that change's old team
        ("HD-1", "Issue created", utc("2026-03-02 09:00"), "Service Desk", "Support", "carol"),
        ("HD-1", "Resolved", utc("2026-03-03 12:00"), "Hardware", "IT Operations", "frank"),
        ("HD-1", "Waiting for customer", utc("2026-03-03 11:00"), "Hardware", "IT Operations", "frank"),
        # saved in the same change group as the move to Hardware: still the Service Desk's step
        ("HD-1", "Work started", utc("2026-03-02 10:00"), "Service Desk", "Support", "erin"),
        # no Team change at all: the configured opened_team
        ("HD-2", "Issue created", utc("2026-03-02 09:00"), "Service Desk", "Support", "erin"),
    ]
    rejects = dict(query(store, "SELECT source_row, field || ' | ' || reason FROM rejects"))
    assert rejects == {
        "jiraissue id=10003": "pkey | pkey: missing issue key",
        "changeitem id=6": "newstring | newstring: unknown status 'Teleported'",
        "changeitem id=7": "changegroup.created | changegroup.created: missing timestamp",
        "changeitem id=8": "changegroup.issueid | changegroup.issueid: no valid issue with id '10003'",
        "changeitem id=9": "groupid | groupid: no change group '999'",
    }
    journeys = query(store, "SELECT journey_id, journey_type, closed_at, is_open, state FROM journeys ORDER BY ALL")
    assert journeys == [
        ("HD-1", "service_request", utc("2026-03-03 12:00"), False, "5"),
        ("HD-2", "purchase_request", None, True, "1"),
    ]
    assert watermark(store, "jira") == utc("2026-03-03 12:00")

    # run 2 from 2026-03-03 12:00: HD-1 (again), HD-2 (updated), HD-4 (new): 3 issues + 4 + 4 changes
    change_jira(place)
    (second,) = extract_and_load(config, store)
    assert ledger(second) == (11, 3, 2, 6)
    new = query(
        store,
        f"SELECT journey_id, activity, ts, team, department FROM events WHERE load_run_id = '{second.run_id}' "
        "ORDER BY ALL",
    )
    assert new == [
        ("HD-2", "Assigned", utc("2026-03-04 09:00"), "Logistics", "Facilities"),
        ("HD-2", "Work started", utc("2026-03-04 10:00"), "Logistics", "Facilities"),
        ("HD-4", "Issue created", utc("2026-03-04 08:00"), "Service Desk", "Support"),
    ]
    assert query(store, "SELECT state FROM journeys WHERE journey_id = 'HD-2'") == [("3",)]
    assert watermark(store, "jira") == utc("2026-03-04 10:00")

    # run 3, nothing changed: only HD-2 (updated at the watermark) is read again; nothing is new
    (third,) = extract_and_load(config, store)
    assert ledger(third) == (5, 0, 2, 3)
    assert watermark(store, "jira") == utc("2026-03-04 10:00")
    assert_no_canary(place, tmp_path)


def test_jira_issue_key_from_project_and_issue_number(
    postgres_schema: Place, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Jira 6.1 on: pkey is empty, the key is project.pkey || '-' || issuenum."""
    place = postgres_schema
    create_jira_tables(place)
    insert(place, "project", "id, pkey", [(1, "OPS")])
    insert(
        place,
        "jiraissue",
        ISSUE,
        [
            (20001, None, 1, 7, "Incident", "3", "ann", None, "2026-03-02 09:00:00+00", "2026-03-02 11:00:00+00",
             "2026-03-02 11:00:00+00", "5", "a"),
            (20002, None, 2, 1, "Incident", "3", "ann", None, "2026-03-02 09:00:00+00", "2026-03-02 09:00:00+00",
             None, "1", "b"),
            (20003, None, 1, None, "Incident", "3", "ann", None, "2026-03-02 09:00:00+00", "2026-03-02 09:00:00+00",
             None, "1", "c"),
        ],
    )  # fmt: skip
    insert(place, "changegroup", GROUP, [(1, 20001, "ben", "2026-03-02 11:00:00+00")])
    insert(place, "changeitem", ITEM, [(1, 1, "jira", "status", "1", "Open", "5", "Resolved")])
    config = jira_config(tmp_path, place, monkeypatch, issue_key="project_issuenum")
    store = tmp_path / "store.duckdb"

    (result,) = extract_and_load(config, store)
    assert ledger(result) == (4, 2, 2, 0)
    assert query(store, "SELECT journey_id, activity FROM events ORDER BY ALL") == [
        ("OPS-7", "Issue created"),
        ("OPS-7", "Resolved"),
    ]
    assert dict(query(store, "SELECT source_row, reason FROM rejects")) == {
        "jiraissue id=20002": "project: no project with id '2'",
        "jiraissue id=20003": "issuenum: missing issue number",
    }


# -- credentials -------------------------------------------------------------------------------------------


def test_password_only_from_an_environment_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "sources.toml"
    text = JIRA_CONFIG.replace("ISSUE_KEY", "").replace("DATABASE", "test").replace("SCHEMA", "public")
    config.write_text(text.replace("USER", "postgres"))
    line = text.splitlines().index('password_env = "JM_TEST_JIRA_PASSWORD"') + 1
    monkeypatch.delenv("JM_TEST_JIRA_PASSWORD", raising=False)
    with pytest.raises(
        ConfigError,
        match=rf"sources\.toml:{line}: \[sources\.jira\] key 'password_env': environment variable "
        "'JM_TEST_JIRA_PASSWORD' is not set",
    ):
        load_source_config(config)

    # a variable that disappears between reading the configuration and connecting is still located
    monkeypatch.setenv("JM_TEST_JIRA_PASSWORD", "x")
    source = load_source_config(config).sources["jira"]
    monkeypatch.delenv("JM_TEST_JIRA_PASSWORD")
    with pytest.raises(ConfigError, match=rf"sources\.toml:{line}: environment variable 'JM_TEST_JIRA_PASSWORD'"):
        extract_source(source, tmp_path / "staging")

    config.write_text(
        text.replace("USER", "postgres").replace('password_env = "JM_TEST_JIRA_PASSWORD"', 'password = "x"')
    )
    with pytest.raises(ConfigError, match=rf"sources\.toml:{line}: \[sources\.jira\] key 'password' is not allowed"):
        load_source_config(config)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _shows(error: BaseException, secret: str) -> bool:
    return secret in "".join(traceback.format_exception(error))


def test_connection_errors_never_show_the_password(
    mariadb_database: Place, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    place = mariadb_database
    create_servicenow_tables(place)
    config = servicenow_config(tmp_path, place, monkeypatch)
    source = load_source_config(config).sources["tickets"]

    monkeypatch.setenv("JM_TEST_SN_PASSWORD", "wrong canary'pw")  # MariaDB refuses it
    with pytest.raises(SourceError, match=f"cannot connect to mysql {place.user}@127.0.0.1:3306") as refused:
        extract_source(source, tmp_path / "staging")
    assert "Access denied" in str(refused.value)
    assert not _shows(refused.value, "wrong canary'pw")

    # nothing listens on the port: the error tells where, never with what
    nowhere = tmp_path / "nowhere.toml"
    nowhere.write_text(config.read_text().replace("port = 3306", f"port = {_closed_port()}"))
    with pytest.raises(SourceError, match="cannot connect to mysql") as unreachable:
        extract_source(load_source_config(nowhere).sources["tickets"], tmp_path / "staging")
    assert not _shows(unreachable.value, "wrong canary'pw")

    monkeypatch.setenv("JM_TEST_SN_PASSWORD", place.password)
    staged = extract_source(source, tmp_path / "staging")  # the right password: an empty database reads
    assert staged.manifest()["rows_read"] == 0
    assert_no_canary(place, tmp_path)


@pytest.mark.parametrize("kind", ["servicenow_postgres", "servicenow_mysql", "jira_postgres"])
def test_example_configurations_read_and_hold_no_password(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SN_DB_PASSWORD", "example-canary")
    monkeypatch.setenv("JIRA_DB_PASSWORD", "example-canary")
    (source,) = load_source_config(EXAMPLES / f"{kind}.toml").sources.values()
    assert source.kind == kind
    assert "example-canary" not in repr(source)  # only the variable's name is kept
