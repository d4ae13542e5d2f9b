"""ServiceNow-shaped ticketing database in a SQLite file (the demo's), read through DuckDB's sqlite extension.

The mapping and the incremental read are shared with the other ServiceNow kinds: see
eventlogs.sources.servicenow.stage.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from eventlogs.errors import SourceError
from eventlogs.located_config import Located
from eventlogs.sources.servicenow.mapping import ServiceNowMappingFields, read_servicenow_mapping
from eventlogs.sources.servicenow.stage import extract_servicenow
from eventlogs.sources.shared.attached import SqliteFile
from eventlogs.staging import StagedSource


@dataclass(frozen=True)
class ServiceNowSqliteSource(ServiceNowMappingFields):
    """A ServiceNow-shaped ticketing database (task, sys_audit, sysapproval_approver, interaction)."""

    path: Path
    kind: str = "servicenow_sqlite"


def read_config(section: Located, name: str, data_folder: Path) -> ServiceNowSqliteSource:
    return ServiceNowSqliteSource(path=data_folder / section.text("path"), **read_servicenow_mapping(section, name))


def extract(source: ServiceNowSqliteSource, staging_folder: Path, since: datetime | None = None) -> StagedSource:
    if not source.path.exists():
        raise SourceError(f"source '{source.name}': ticketing database {source.path} does not exist")
    return extract_servicenow(source, SqliteFile(source.path), staging_folder, since)
