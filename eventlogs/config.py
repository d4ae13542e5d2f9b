"""The source configuration: which systems an organisation has and how their records become events."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eventlogs.config_files import parse_config_file
from eventlogs.errors import ConfigError
from eventlogs.toml_lines import line_of


@dataclass(frozen=True)
class EventCodeMapping:
    activity: str
    department: str


@dataclass(frozen=True)
class ServiceNowSqliteSource:
    """A ServiceNow-shaped ticketing database (task, sys_audit, sysapproval_approver, interaction)."""

    name: str
    path: Path
    task_table: str
    opened_activity: str
    opened_department: str
    opened_team: str
    contact_activity: str
    approval_department: str
    approval_team: str
    journey_types: dict[str, str]
    state_activities: dict[str, str]
    approval_activities: dict[str, str]
    departments: dict[str, str]


@dataclass(frozen=True)
class TrackingCsvSource:
    """A carrier or warehouse tracking export: shipment_id, order_ref, event_code, event_time, depot."""

    name: str
    path: Path
    correlates_with: str
    event_codes: dict[str, EventCodeMapping]


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


Source = ServiceNowSqliteSource | TrackingCsvSource | EventLogSource


@dataclass(frozen=True)
class SourceConfig:
    file: Path
    organisation: str
    sources: dict[str, Source]


class _Section:
    """Reads keys of one TOML table; every error names the file, the line and the key."""

    def __init__(self, file: Path, text: str, where: str, table: Any) -> None:
        self.file, self.source_text, self.where, self.table = file, text, where, table
        if not isinstance(table, dict):
            raise self.error(f"[{where}] must be a table")

    def error(self, message: str, key: str | None = None) -> ConfigError:
        line = line_of(self.source_text, self.where, key)
        return ConfigError(f"{self.file}:{line}: {message}" if line else f"{self.file}: {message}")

    def text(self, key: str, default: str | None = None) -> str:
        value = self.table.get(key, default)
        if not isinstance(value, str) or not value:
            problem = "is missing" if key not in self.table and default is None else "must be a non-empty string"
            raise self.error(f"[{self.where}] key '{key}' {problem}", key if key in self.table else None)
        return value

    def section(self, key: str) -> _Section:
        if key not in self.table:
            raise self.error(f"[{self.where}] is missing the table '{key}'")
        where = f"{self.where}.{key}" if self.where else key
        return _Section(self.file, self.source_text, where, self.table[key])

    def text_map(self, key: str) -> dict[str, str]:
        inner = self.section(key)
        for name, value in inner.table.items():
            if not isinstance(value, str):
                raise inner.error(f"[{inner.where}] key '{name}' must be a string", name)
        return dict(inner.table)


def _servicenow(section: _Section, name: str, data_folder: Path) -> ServiceNowSqliteSource:
    return ServiceNowSqliteSource(
        name=name,
        path=data_folder / section.text("path"),
        task_table=section.text("task_table", "task"),
        opened_activity=section.text("opened_activity"),
        opened_department=section.text("opened_department"),
        opened_team=section.text("opened_team"),
        contact_activity=section.text("contact_activity"),
        approval_department=section.text("approval_department"),
        approval_team=section.text("approval_team"),
        journey_types=section.text_map("journey_types"),
        state_activities=section.text_map("state_activities"),
        approval_activities=section.text_map("approval_activities"),
        departments=section.text_map("departments"),
    )


def _tracking(section: _Section, name: str, data_folder: Path) -> TrackingCsvSource:
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


def _event_log(section: _Section, name: str, data_folder: Path) -> EventLogSource:
    fields = section.section("fields")
    activity = fields.table.get("activity")
    if isinstance(activity, str):
        activity = [activity]
    if not isinstance(activity, list) or not activity or not all(isinstance(a, str) for a in activity):
        raise fields.error(f"[{fields.where}] key 'activity' must be a name or a list of names", "activity")

    def optional(key: str) -> str | None:
        return fields.text(key) if key in fields.table else None

    complete = section.table.get("cases_complete", True)
    if not isinstance(complete, bool):
        raise section.error(f"[{section.where}] key 'cases_complete' must be true or false", "cases_complete")
    return EventLogSource(
        name=name,
        kind=section.text("kind"),
        path=data_folder / section.text("path"),
        journey_type=section.text("journey_type"),
        journey_id=fields.text("journey_id", "concept:name" if section.text("kind") == "xes" else None),
        activity=tuple(activity),
        timestamp=fields.text("timestamp", "time:timestamp" if section.text("kind") == "xes" else None),
        resource=optional("resource"),
        team=optional("team"),
        department=optional("department"),
        timestamp_format=section.table.get("timestamp_format"),
        timezone=section.text("timezone", "UTC"),
        activity_separator=section.table.get("activity_separator", " - "),
        cases_complete=complete,
    )


_READERS = {
    "servicenow_sqlite": _servicenow,
    "tracking_csv": _tracking,
    "csv_event_log": _event_log,
    "xes": _event_log,
    "parquet_event_log": _event_log,
}


def load_source_config(file: Path, data_folder: Path | None = None) -> SourceConfig:
    """Reads and validates a source configuration; relative paths resolve against `data_folder`."""
    raw = parse_config_file(file, tomllib.loads, tomllib.TOMLDecodeError, "source configuration (TOML)")
    root = _Section(file, file.read_text(), "", raw)
    folder = data_folder or file.parent
    sources: dict[str, Source] = {}
    for name in root.section("sources").table:
        section = root.section("sources").section(name)
        kind = section.text("kind")
        if kind not in _READERS:
            raise section.error(f"[sources.{name}] kind '{kind}' is not one of {sorted(_READERS)}", "kind")
        sources[name] = _READERS[kind](section, name, folder)
    for source in sources.values():
        if isinstance(source, TrackingCsvSource) and source.correlates_with not in sources:
            raise (
                root.section("sources")
                .section(source.name)
                .error(
                    f"[sources.{source.name}] correlates_with '{source.correlates_with}' names no source",
                    "correlates_with",
                )
            )
    organisation = root.section("organisation").text("name") if "organisation" in raw else file.stem
    return SourceConfig(file=file, organisation=organisation, sources=sources)
