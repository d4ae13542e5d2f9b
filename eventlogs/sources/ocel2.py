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
the store's ocel_events, objects, event_objects and object_links tables.

The events ledger of an OCEL source counts journey events: read = the journey events the flattening
produced + the OCEL events rejected (missing or unparseable time, missing or repeated id), so read =
loaded + rejected + already loaded holds as for every source; the OCEL tables have their own counts.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from eventlogs.config_section import ConfigSection
from eventlogs.errors import SourceError
from eventlogs.sources.ocel2_flatten import stage_ocel
from eventlogs.sources.ocel2_read import read_ocel2
from eventlogs.staging import StagedSource, create_ocel_staging_tables, create_staging_tables, write_staged
from eventlogs.work_connection import work_connection

# every key an OCEL source may have, so a misspelt one (via_object_type) is an error, not a silently
# different case notion; the first keys are the ones load_source_config reads for every kind
_KEYS = {
    "kind",
    "path",
    "lookback",
    "pseudonymise_resources",
    "journey_type",
    "case_object_type",
    "via_object_types",
    "via_missing_objects",
    "resource_object_types",
    "departments",
    "teams",
    "timezone",
    "cases_complete",
}


@dataclass(frozen=True)
class Ocel2Source:
    """An OCEL 2.0 log and the case notion it is flattened to."""

    name: str
    kind: str  # ocel2_sqlite | ocel2_json | ocel2_xml
    path: Path
    journey_type: str
    case_object_type: str
    via_object_types: tuple[str, ...]
    via_missing_objects: bool
    resource_object_types: tuple[str, ...]
    departments: dict[str, str]  # event type -> department
    teams: dict[str, str]  # event type -> team
    timezone: str  # of times without a UTC offset (the SQLite format stores none)
    cases_complete: bool


def _names(section: ConfigSection, key: str) -> tuple[str, ...]:
    value = section.table.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise section.error(f"[{section.where}] key '{key}' must be an object type or a list of them", key)
    return tuple(value)


def read_config(section: ConfigSection, name: str, data_folder: Path) -> Ocel2Source:
    unknown = sorted(set(section.table) - _KEYS)
    if unknown:
        raise section.error(
            f"[{section.where}] unknown key '{unknown[0]}' (an OCEL 2.0 source has: {', '.join(sorted(_KEYS))})",
            unknown[0],
        )
    case_type = section.text("case_object_type")
    via = _names(section, "via_object_types")
    if case_type in via:
        # crossing other case objects would merge their journeys into one
        raise section.error(
            f"[{section.where}] via_object_types must not hold the case object type '{case_type}'", "via_object_types"
        )
    timezone = section.text("timezone", "UTC")
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise section.error(f"[{section.where}] key 'timezone': unknown time zone '{timezone}'", "timezone") from error
    return Ocel2Source(
        name=name,
        kind=section.text("kind"),
        path=data_folder / section.text("path"),
        journey_type=section.text("journey_type", case_type),
        case_object_type=case_type,
        via_object_types=via,
        via_missing_objects=section.flag("via_missing_objects", False),
        resource_object_types=_names(section, "resource_object_types"),
        departments=section.text_map("departments") if "departments" in section.table else {},
        teams=section.text_map("teams") if "teams" in section.table else {},
        timezone=timezone,
        cases_complete=section.flag("cases_complete", True),
    )


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
        rows_read, quality = stage_ocel(connection, source, fields)
        return write_staged(connection, staging_folder, source.name, rows_read, quality)
    except duckdb.Error as error:
        raise SourceError(f"source '{source.name}' ({source.path}): {error}") from error
    finally:
        connection.close()
