"""A ServiceNow-shaped ticketing database on a PostgreSQL or MariaDB/MySQL server (a replica of the instance).

Kinds `servicenow_postgres` and `servicenow_mysql`: the mapping keys are those of `servicenow_sqlite`,
plus the connection settings (see eventlogs.sources.database_connection). The tables are those of the
SQLite kind (task, sys_audit, sysapproval_approver, interaction); date-time columns may be text in
ServiceNow's 'YYYY-MM-DD HH:MM:SS' (UTC) or DATETIME / TIMESTAMP columns holding UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from eventlogs.config_section import ConfigSection
from eventlogs.sources.attached import ServerDatabase
from eventlogs.sources.database_connection import DatabaseConnection, read_database_connection
from eventlogs.sources.servicenow import extract_servicenow
from eventlogs.staging import StagedSource

ENGINES = {"servicenow_postgres": "postgres", "servicenow_mysql": "mysql"}


@dataclass(frozen=True)
class ServiceNowDatabaseSource:
    """The mapping of `servicenow_sqlite` with a database server in place of the file."""

    name: str
    kind: str  # servicenow_postgres | servicenow_mysql
    database: DatabaseConnection
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


def read_config(section: ConfigSection, name: str, data_folder: Path) -> ServiceNowDatabaseSource:
    kind = section.text("kind")
    return ServiceNowDatabaseSource(
        name=name,
        kind=kind,
        database=read_database_connection(section, ENGINES[kind]),
        task_table=section.text("task_table", "task"),
        opened_activity=section.text("opened_activity"),
        opened_department=section.text("opened_department"),
        opened_team=section.text("opened_team"),
        contact_activity=section.text("contact_activity"),
        approval_department=section.text("approval_department"),
        approval_team=section.text("approval_team"),
        journey_types=section.text_map("journey_types"),
        state_activities=section.text_map("state_activities"),
        approval_activities=section.text_map("approval_activities"),
        departments=section.text_map("departments"),
    )


def extract(source: ServiceNowDatabaseSource, staging_folder: Path, since: datetime | None = None) -> StagedSource:
    return extract_servicenow(source, ServerDatabase(source.database), staging_folder, since)
