"""Carrier and warehouse tracking exports (CSV), one row per scan (connector.py)."""

from eventlogs.sources.tracking.connector import EventCodeMapping, TrackingCsvSource

__all__ = ["EventCodeMapping", "TrackingCsvSource"]
