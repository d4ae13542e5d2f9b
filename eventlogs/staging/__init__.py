"""Staging: the Parquet hand-off between the connectors (eventlogs.sources) and the loader
(eventlogs.store). Every connector writes the same staged tables (staged.py), with implausible times set
aside (plausible_times.py) and people pseudonymised (pseudonymise.py) as they are written, into a private
temporary folder (folder.py)."""

from eventlogs.staging.folder import remove_abandoned, staging_folder
from eventlogs.staging.pseudonymise import pseudonym_key, pseudonymising
from eventlogs.staging.staged import (
    OCEL_TABLES,
    REASON_FIELD_SQL,
    StagedSource,
    create_mapping_table,
    create_ocel_staging_tables,
    create_staged_events_view,
    create_staging_tables,
    parquet_list,
    write_staged,
)

__all__ = [
    "OCEL_TABLES",
    "REASON_FIELD_SQL",
    "StagedSource",
    "create_mapping_table",
    "create_ocel_staging_tables",
    "create_staged_events_view",
    "create_staging_tables",
    "parquet_list",
    "pseudonym_key",
    "pseudonymising",
    "remove_abandoned",
    "staging_folder",
    "write_staged",
]
