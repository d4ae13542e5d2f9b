"""A ServiceNow-shaped ticketing database on a PostgreSQL or MariaDB/MySQL server (a replica of the instance).

Kinds `servicenow_postgres` and `servicenow_mysql`: the mapping keys are those of `servicenow_sqlite`,
plus the connection settings (see eventlogs.sources.shared.database_connection). The tables are those of the
SQLite kind (task, sys_audit, sysapproval_approver, interaction); date-time columns may be text in
ServiceNow's 'YYYY-MM-DD HH:MM:SS' (UTC) or DATETIME / TIMESTAMP columns holding UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from eventlogs.located_config import Located
from eventlogs.sources.servicenow.mapping import ServiceNowMappingFields, read_servicenow_mapping
from eventlogs.sources.servicenow.stage import extract_servicenow
from eventlogs.sources.shared.attached import ServerDatabase
from eventlogs.sources.shared.database_connection import DatabaseConnection, read_database_connection
from eventlogs.staging import StagedSource

ENGINES = {"servicenow_postgres": "postgres", "servicenow_mysql": "mysql"}


@dataclass(frozen=True)
class ServiceNowDatabaseSource(ServiceNowMappingFields):
    """The mapping of `servicenow_sqlite` with a database server in place of the file."""

    kind: str  # servicenow_postgres | servicenow_mysql
    database: DatabaseConnection


def read_config(section: Located, name: str, data_folder: Path) -> ServiceNowDatabaseSource:
    kind = section.text("kind")
    return ServiceNowDatabaseSource(
        kind=kind,
        database=read_database_connection(section, ENGINES[kind]),
        **read_servicenow_mapping(section, name),
    )


def extract(source: ServiceNowDatabaseSource, staging_folder: Path, since: datetime | None = None) -> StagedSource:
    return extract_servicenow(source, ServerDatabase(source.database), staging_folder, since)
