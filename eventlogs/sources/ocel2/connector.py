"""OCEL 2.0 object-centric event logs (SQLite, JSON or XML), flattened to journeys of one object type.

Configuration (see eventlogs/examples/ocel2_logistics.toml):
- kind: ocel2_sqlite | ocel2_json | ocel2_xml (the standard's three serialisations);
- case_object_type: the object type a journey follows (one journey per object of that type);
- via_object_types: object types that belong to a case object's neighbourhood when they are linked to
  it, directly or through other via objects, by object-to-object links in either direction;
- via_missing_objects: also cross objects that links name but the log never declares (their type is
  unknown; in the logistics log these are the handling units of the unpopulated type 'Handling Unit');
- resource_object_types: object types that act as resources (a forklift, a truck): the ids of the
  event's objects of these types, sorted and joined with ', ', become the event's resource;
- departments / teams: tables from event type to department / team (unmapped types get none, and the
  quality check events_without_department counts them);
- journey_type (default: the case object type), timezone of times without an offset (default UTC),
  cases_complete (default true: a historical log, every journey ended at its last event).

The flattening rule: an event belongs to the journey of every case object whose neighbourhood holds an
object the event is linked to. An event reaching several case objects becomes one journey event per
journey, with source_event_id = '<ocel event id>@<case object id>'; one reaching none is in no journey
(counted by the quality check ocel_events_without_case_object). Either way the whole log is kept in
the store's ocel_events, objects, event_objects and object_links tables. The copies are counted
(copies.py) and shown in the extract summary: "N events copied into several journeys (M extra copies;
event type X: k-fold at most)".

The events ledger of an OCEL source counts journey events: read = the journey events the flattening
produced + the OCEL events rejected (missing or unparseable time, missing or repeated id), so read =
loaded + rejected + already loaded holds as for every source; the OCEL tables have their own counts.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb

from eventlogs.errors import SourceError
from eventlogs.sources.ocel2.flatten import stage_ocel
from eventlogs.sources.ocel2.read import read_ocel2
from eventlogs.sources.ocel2.source import Ocel2Source, read_config
from eventlogs.staging import StagedSource, create_ocel_staging_tables, create_staging_tables, write_staged
from eventlogs.work_connection import work_connection

__all__ = ["Ocel2Source", "extract", "read_config"]


def _check_configured_types(connection: duckdb.DuckDBPyConnection, source: Ocel2Source) -> None:
    """A misspelt type would silently give no journeys or no departments: name what the log has."""
    declared = {
        kind: {row[0] for row in connection.execute("SELECT name FROM ocel_types WHERE kind = ?", [kind]).fetchall()}
        for kind in ("object", "event")
    }
    wanted = {
        "object": [source.case_object_type, *source.via_object_types, *source.resource_object_types],
        "event": [*source.departments, *source.teams],
    }
    for kind, names in wanted.items():
        missing = sorted({name for name in names if name not in declared[kind]})
        if missing:
            raise SourceError(
                f"source '{source.name}' ({source.path}): {kind} type(s) {', '.join(map(repr, missing))} "
                f"not in the log, which has: {', '.join(sorted(declared[kind]))}"
            )


def extract(source: Ocel2Source, staging_folder: Path, since: datetime | None = None) -> StagedSource:
    """Reads the whole log every time (`since` is not used: a file has no updated-at); the loader's merge
    makes that safe."""
    if not source.path.exists():
        raise SourceError(f"source '{source.name}': OCEL 2.0 log {source.path} does not exist")
    connection = work_connection()
    try:
        connection.execute("SET TimeZone = 'UTC'")
        fields = read_ocel2(connection, source.kind, source.path, source.name)
        _check_configured_types(connection, source)
        create_staging_tables(connection)
        create_ocel_staging_tables(connection)
        rows_read, quality, copies = stage_ocel(connection, source, fields)
        return copies.record_in(write_staged(connection, staging_folder, source.name, rows_read, quality))
    except duckdb.Error as error:
        raise SourceError(f"source '{source.name}' ({source.path}): {error}") from error
    finally:
        connection.close()
