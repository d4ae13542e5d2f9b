"""The canonical event store (one DuckDB file) and loading into it.

schema.py holds its tables and connection.py opens it; loader.py loads staged sources in one transaction
(with ocel_merge.py for OCEL logs and positional_ids.py for stores of older file-source ids), quality.py
records the data-quality checks of a load, coded_events.py keeps the coded copy discovery reads, and
result_tables.py writes analysis results back beside the events.
"""

from eventlogs.store.coded_events import build_coded_tables, coded_copy_is_fresh, refresh_coded_events
from eventlogs.store.connection import (
    Watermark,
    add_event_columns,
    add_lifecycle_column,
    connect_store,
    event_columns,
    journey_order_sql,
    read_watermarks,
)
from eventlogs.store.loader import LoadResult, load_staged
from eventlogs.store.quality import quality_summary
from eventlogs.store.result_tables import write_result_tables
from eventlogs.store.schema import SCHEMA
from eventlogs.store.snapshot import publish_snapshot, snapshot_path

__all__ = [
    "SCHEMA",
    "LoadResult",
    "Watermark",
    "add_event_columns",
    "add_lifecycle_column",
    "build_coded_tables",
    "coded_copy_is_fresh",
    "connect_store",
    "event_columns",
    "journey_order_sql",
    "load_staged",
    "publish_snapshot",
    "quality_summary",
    "read_watermarks",
    "refresh_coded_events",
    "snapshot_path",
    "write_result_tables",
]
