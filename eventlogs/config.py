"""The source configuration: which systems an organisation has and how their records become events."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from eventlogs.config_files import parse_config_file
from eventlogs.config_section import ConfigSection
from eventlogs.durations import parse_duration_hours
from eventlogs.errors import ConfigError
from eventlogs.servicenow_mapping import ServiceNowMappingFields, read_servicenow_mapping


@dataclass(frozen=True)
class EventCodeMapping:
    activity: str
    department: str


@dataclass(frozen=True)
class ServiceNowSqliteSource(ServiceNowMappingFields):
    """A ServiceNow-shaped ticketing database (task, sys_audit, sysapproval_approver, interaction)."""

    path: Path
    kind: str = "servicenow_sqlite"


@dataclass(frozen=True)
class TrackingCsvSource:
    """A carrier or warehouse tracking export: shipment_id, order_ref, event_code, event_time, depot."""

    name: str
    path: Path
    correlates_with: str
    event_codes: dict[str, EventCodeMapping]
    kind: str = "tracking_csv"


@dataclass(frozen=True)
class EventLogSource:
    """A flat event log (CSV or XES): one record per event, the case id naming the journey.

    `fields` maps the canonical names (journey_id, activity, timestamp, resource, team, department) to
    the log's own column or attribute names; `activity` may join several (for example XES's
    concept:name and lifecycle:transition)."""

    name: str
    kind: str  # csv_event_log | parquet_event_log | xes
    path: Path
    journey_type: str
    journey_id: str
    activity: tuple[str, ...]
    timestamp: str
    resource: str | None
    team: str | None
    department: str | None
    timestamp_format: str | None  # strptime format; None: ISO 8601
    timezone: str  # of timestamps without an offset
    activity_separator: str
    cases_complete: bool  # a historical log: every case ended at its last event
    lifecycle: str | None = None  # the field whose start / complete pairs an activity's two timestamps
    event_id: str | None = None  # a column naming each event uniquely; None: the event's content names it


class Source(Protocol):
    """What every configured source has; each kind adds its own fields (see eventlogs.source_kinds)."""

    name: str
    kind: str


@dataclass(frozen=True)
class SourceConfig:
    file: Path
    organisation: str
    sources: dict[str, Source]
    lookback_hours: dict[str, float]  # per source: how far before its watermark to read again
    keep_names: frozenset[str] = frozenset()  # sources whose people are loaded by name (pseudonymised otherwise)


def read_servicenow_sqlite(section: ConfigSection, name: str, data_folder: Path) -> ServiceNowSqliteSource:
    return ServiceNowSqliteSource(path=data_folder / section.text("path"), **read_servicenow_mapping(section, name))


def read_tracking_csv(section: ConfigSection, name: str, data_folder: Path) -> TrackingCsvSource:
    codes = section.section("event_codes")
    mappings = {}
    for code in codes.table:
        entry = codes.section(code)
        mappings[code] = EventCodeMapping(entry.text("activity"), entry.text("department"))
    return TrackingCsvSource(
        name=name,
        path=data_folder / section.text("path"),
        correlates_with=section.text("correlates_with"),
        event_codes=mappings,
    )


def read_event_log(section: ConfigSection, name: str, data_folder: Path) -> EventLogSource:
    fields = section.section("fields")
    activity = fields.table.get("activity")
    if isinstance(activity, str):
        activity = [activity]
    if not isinstance(activity, list) or not activity or not all(isinstance(a, str) for a in activity):
        raise fields.error(f"[{fields.where}] key 'activity' must be a name or a list of names", "activity")

    complete = section.flag("cases_complete", True)
    return EventLogSource(
        name=name,
        kind=section.text("kind"),
        path=data_folder / section.text("path"),
        journey_type=section.text("journey_type"),
        journey_id=fields.text("journey_id", "concept:name" if section.text("kind") == "xes" else None),
        activity=tuple(activity),
        timestamp=fields.text("timestamp", "time:timestamp" if section.text("kind") == "xes" else None),
        resource=fields.optional_text("resource"),
        team=fields.optional_text("team"),
        department=fields.optional_text("department"),
        timestamp_format=section.optional_text("timestamp_format"),
        timezone=section.text("timezone", "UTC"),
        activity_separator=section.string("activity_separator", " - "),
        cases_complete=complete,
        lifecycle=fields.optional_text("lifecycle"),
        event_id=fields.optional_text("event_id"),
    )


def source_name_problem(name: str) -> str | None:
    """Why `name` cannot name a source, or None. A source's name becomes its staging folder's name, so it
    must be one plain path component: no separators, no '.' or '..', no control characters."""
    if name in ("", ".", ".."):
        return "must not be empty, '.' or '..'"
    if any(char in name for char in "/\\") or any(ord(char) < 32 or ord(char) == 127 for char in name):
        return "must not hold a path separator ('/' or '\\') or a control character"
    return None


def _check_source_name(file: Path, text: str, name: str) -> None:
    problem = source_name_problem(name)
    if problem is None:
        return
    line = _header_line(text, name)
    at = f"{file}:{line}" if line else str(file)
    raise ConfigError(f"{at}: [sources] source name {name!r} {problem}")


def _header_line(text: str, name: str) -> int | None:
    """The line of the first table header that opens source `name`: each header line is read as TOML on its
    own, because a hostile name (quotes, escapes, dots, slashes) defeats matching the text."""
    for number, row in enumerate(text.splitlines(), 1):
        if row.lstrip().startswith("["):
            try:
                header = tomllib.loads(row)
            except tomllib.TOMLDecodeError:
                continue
            if name in header.get("sources", {}):
                return number
    return None


def load_source_config(file: Path, data_folder: Path | None = None) -> SourceConfig:
    """Reads and validates a source configuration; relative paths resolve against `data_folder`."""
    from eventlogs.source_kinds import SOURCE_KINDS  # the registry imports the connectors, which import this

    raw = parse_config_file(file, tomllib.loads, tomllib.TOMLDecodeError, "source configuration (TOML)")
    root = ConfigSection(file, file.read_text(), "", raw)
    folder = data_folder or file.parent
    sources: dict[str, Source] = {}
    lookback: dict[str, float] = {}
    keep_names: set[str] = set()
    for name in root.section("sources").table:
        _check_source_name(file, root.source_text, name)
        section = root.section("sources").section(name)
        kind = section.text("kind")
        if kind not in SOURCE_KINDS:
            raise section.error(f"[sources.{name}] kind '{kind}' is not one of {sorted(SOURCE_KINDS)}", "kind")
        sources[name] = SOURCE_KINDS[kind].read_config(section, name, folder)
        lookback[name] = (
            parse_duration_hours(
                section.text("lookback"), str(section.error(f"[sources.{name}] key 'lookback'", "lookback"))
            )
            if "lookback" in section.table
            else 0.0
        )
        if not section.flag("pseudonymise_resources", True):
            keep_names.add(name)
    for source in sources.values():
        correlates_with = getattr(source, "correlates_with", None)
        if correlates_with is not None and correlates_with not in sources:
            raise (
                root.section("sources")
                .section(source.name)
                .error(
                    f"[sources.{source.name}] correlates_with '{correlates_with}' names no source", "correlates_with"
                )
            )
    organisation = root.section("organisation").text("name") if "organisation" in raw else file.stem
    return SourceConfig(
        file=file, organisation=organisation, sources=sources, lookback_hours=lookback, keep_names=frozenset(keep_names)
    )
