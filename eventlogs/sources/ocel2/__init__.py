"""OCEL 2.0 object-centric logs (SQLite, JSON, XML): the source's case notion (source.py), the readers
into raw tables (read.py, sqlite.py), the flattening to journeys (flatten.py), the events it copies into
several journeys (copies.py) and the connector (connector.py)."""

from eventlogs.sources.ocel2.copies import JourneyCopies
from eventlogs.sources.ocel2.source import Ocel2Source

__all__ = ["JourneyCopies", "Ocel2Source"]
