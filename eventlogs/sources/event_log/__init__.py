"""Flat event logs: CSV, Parquet and XES files, one record per event (connector.py)."""

from eventlogs.sources.event_log.connector import EventLogSource

__all__ = ["EventLogSource"]
