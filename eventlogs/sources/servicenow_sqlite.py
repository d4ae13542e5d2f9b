"""ServiceNow-shaped ticketing database in a SQLite file (the demo's), read through DuckDB's sqlite extension.

The mapping and the incremental read are shared with the other ServiceNow kinds: see
eventlogs.sources.servicenow (`stage_servicenow_tables` is re-exported here for the connectors that
build the four tables themselves, such as servicenow_rest).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from eventlogs.config import ServiceNowSqliteSource
from eventlogs.errors import SourceError
from eventlogs.sources.attached import SqliteFile
from eventlogs.sources.servicenow import extract_servicenow, stage_servicenow_tables
from eventlogs.staging import StagedSource

__all__ = ["extract_servicenow_sqlite", "stage_servicenow_tables"]


def extract_servicenow_sqlite(
    source: ServiceNowSqliteSource, staging_folder: Path, since: datetime | None = None
) -> StagedSource:
    if not source.path.exists():
        raise SourceError(f"source '{source.name}': ticketing database {source.path} does not exist")
    return extract_servicenow(source, SqliteFile(source.path), staging_folder, since)
