"""Dispatches a configured source to its connector."""

from __future__ import annotations

from pathlib import Path

from eventlogs.config import EventLogSource, ServiceNowSqliteSource, Source, TrackingCsvSource
from eventlogs.sources.event_log import extract_event_log
from eventlogs.sources.servicenow_sqlite import extract_servicenow_sqlite
from eventlogs.sources.tracking_csv import extract_tracking_csv
from eventlogs.staging import StagedSource


def extract_source(source: Source, staging_folder: Path) -> StagedSource:
    if isinstance(source, ServiceNowSqliteSource):
        return extract_servicenow_sqlite(source, staging_folder)
    if isinstance(source, TrackingCsvSource):
        return extract_tracking_csv(source, staging_folder)
    if isinstance(source, EventLogSource):
        return extract_event_log(source, staging_folder)
    raise TypeError(f"no connector for {type(source).__name__}")
