"""Connectors: each reads one kind of source system into staged canonical tables (Parquet).

One folder per source system (servicenow/, jira/, ocel2/, event_log/, tracking/), the pieces several
share in shared/ (attached databases, connection settings, the HTTP client, CSV reading, event
identity). Every connector module fits the Connector protocol (connector.py); eventlogs.source_kinds
lists them by kind.
"""

from eventlogs.sources.connector import Connector, Source

__all__ = ["Connector", "Source"]
