"""The registry of source kinds: which connector reads each kind's configuration table and extracts it.

A new connector is a module under eventlogs/sources/ with a frozen dataclass (with `name` and `kind`), a
`read_config(section, name, data_folder)` returning it and an `extract(source, staging_folder, since)`
taking it (the eventlogs.sources.connector.Connector protocol); it is made available by one line here.
"""

from __future__ import annotations

from typing import Any

from eventlogs.sources.connector import Connector
from eventlogs.sources.event_log import connector as event_log
from eventlogs.sources.jira import postgres as jira_postgres
from eventlogs.sources.jira import rest as jira_rest
from eventlogs.sources.ocel2 import connector as ocel2
from eventlogs.sources.servicenow import database as servicenow_database
from eventlogs.sources.servicenow import rest as servicenow_rest
from eventlogs.sources.servicenow import sqlite as servicenow_sqlite
from eventlogs.sources.tracking import connector as tracking_csv

# Any: each kind has its own source type; every module is checked against Connector as it is listed
SOURCE_KINDS: dict[str, Connector[Any]] = {
    "servicenow_sqlite": servicenow_sqlite,
    "servicenow_postgres": servicenow_database,
    "servicenow_mysql": servicenow_database,
    "jira_postgres": jira_postgres,
    "tracking_csv": tracking_csv,
    "csv_event_log": event_log,
    "parquet_event_log": event_log,
    "xes": event_log,
    "ocel2_sqlite": ocel2,
    "ocel2_json": ocel2,
    "ocel2_xml": ocel2,
    "servicenow_rest": servicenow_rest,
    "jira_rest": jira_rest,
}
