"""An OCEL 2.0 source's configuration (its case notion, see eventlogs.sources.ocel2.connector) and its
reader: apart from the connector, because the flattening reads it too."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from eventlogs.located_config import Located


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


def _names(section: Located, key: str) -> tuple[str, ...]:
    return tuple(section.text_list(key, one_allowed=True, expected="an object type or a list of them"))


def read_config(section: Located, name: str, data_folder: Path) -> Ocel2Source:
    case_type = section.text("case_object_type")
    via = _names(section, "via_object_types")
    if case_type in via:
        # crossing other case objects would merge their journeys into one
        raise section.error(f"via_object_types must not hold the case object type '{case_type}'", "via_object_types")
    timezone = section.time_zone("timezone", "UTC")
    return Ocel2Source(
        name=name,
        kind=section.text("kind"),
        path=data_folder / section.text("path"),
        journey_type=section.text("journey_type", case_type),
        case_object_type=case_type,
        via_object_types=via,
        via_missing_objects=section.flag("via_missing_objects", False),
        resource_object_types=_names(section, "resource_object_types"),
        departments=section.text_map("departments") if "departments" in section else {},
        teams=section.text_map("teams") if "teams" in section else {},
        timezone=timezone,
        cases_complete=section.flag("cases_complete", True),
    )
