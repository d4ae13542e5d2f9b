"""The registry of source kinds: how each reads its configuration table and how it is extracted.

A new connector lives in its own module under eventlogs/sources/ with a frozen dataclass (with `name`
and `kind`), a `read_config(section, name, data_folder)` and an `extract(source, staging_folder, since)`;
it is made available by one line here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import eventlogs.sources.jira_postgres as jira_postgres
import eventlogs.sources.servicenow_database as servicenow_database
from eventlogs import config
from eventlogs.config_section import ConfigSection
from eventlogs.sources import event_log, jira_rest, ocel2, servicenow_rest, servicenow_sqlite, tracking_csv
from eventlogs.staging import StagedSource


@dataclass(frozen=True)
class SourceKind:
    read_config: Callable[[ConfigSection, str, Path], Any]
    # since: the source's watermark minus its look-back (None: read everything); kinds that cannot
    # read incrementally ignore it and rely on the idempotent merge
    extract: Callable[[Any, Path, datetime | None], StagedSource]


SOURCE_KINDS: dict[str, SourceKind] = {
    "servicenow_sqlite": SourceKind(config.read_servicenow_sqlite, servicenow_sqlite.extract_servicenow_sqlite),
    "servicenow_postgres": SourceKind(servicenow_database.read_config, servicenow_database.extract),
    "servicenow_mysql": SourceKind(servicenow_database.read_config, servicenow_database.extract),
    "jira_postgres": SourceKind(jira_postgres.read_config, jira_postgres.extract),
    "tracking_csv": SourceKind(config.read_tracking_csv, tracking_csv.extract_tracking_csv),
    "csv_event_log": SourceKind(config.read_event_log, event_log.extract_event_log),
    "parquet_event_log": SourceKind(config.read_event_log, event_log.extract_event_log),
    "xes": SourceKind(config.read_event_log, event_log.extract_event_log),
    "ocel2_sqlite": SourceKind(ocel2.read_config, ocel2.extract),
    "ocel2_json": SourceKind(ocel2.read_config, ocel2.extract),
    "ocel2_xml": SourceKind(ocel2.read_config, ocel2.extract),
    "servicenow_rest": SourceKind(servicenow_rest.read_config, servicenow_rest.extract),
    "jira_rest": SourceKind(jira_rest.read_config, jira_rest.extract),
}
