"""What a pilot evaluation compares: a change date or before/after windows, optional pilot and control
groups, the journey types in scope. Read from the `[pilot]` table of a TOML file (the source configuration
or a file of its own); every error names the file, the line and the key.

    [pilot]
    name = "Handover norms and proactive updates"
    change_date = 2026-05-04              # journeys opened from this date on are "after"
    # before = "2026-01-05..2026-05-03"   # or explicit windows, inclusive UTC dates
    # after = "2026-05-04..2026-08-28"
    journey_types = ["laptop_request"]
    # pilot_group = "region = 'North'"     # SQL conditions over the journey_attributes view
    # control_group = "region = 'South'"
    bootstrap = 1000                      # resamples for the confidence intervals
    seed = 1
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from eventlogs.config_files import parse_config_file
from eventlogs.config_section import ConfigSection
from mining.errors import ConfigError
from mining.scope.date_range import parse_date_range

Window = tuple[date, date]
_KEYS = {
    "name",
    "change_date",
    "before",
    "after",
    "journey_types",
    "pilot_group",
    "control_group",
    "bootstrap",
    "seed",
    "alpha",
}


@dataclass(frozen=True)
class PilotDefinition:
    name: str = "Pilot"
    change_date: date | None = None
    before: Window | None = None  # inclusive dates; None: from the first journey to the day before the change
    after: Window | None = None  # None: from the change date to the extraction
    journey_types: tuple[str, ...] = ()  # empty: every type
    pilot_group: str | None = None  # SQL condition over journey_attributes, checked by eventlogs.conditions
    control_group: str | None = None
    bootstrap: int = 1000
    seed: int = 1
    alpha: float = 0.05

    def __post_init__(self) -> None:
        if self.change_date is None and (self.before is None or self.after is None):
            raise ConfigError("a pilot needs a change date, or both a before and an after window")
        if self.before and self.after and self.before[1] >= self.after[0]:
            raise ConfigError(f"the before window {self.before} must end before the after window {self.after} starts")
        if self.bootstrap < 100:
            raise ConfigError(f"bootstrap must be at least 100 resamples, not {self.bootstrap}")
        if not 0 < self.alpha < 0.5:
            raise ConfigError(f"alpha must lie between 0 and 0.5, not {self.alpha}")

    def with_overrides(self, **changes: object) -> PilotDefinition:
        """The definition with every change that is not None applied (command-line flags over the file)."""
        # Any: the values are as varied as the fields; __post_init__ judges the combination
        present: dict[str, Any] = {key: value for key, value in changes.items() if value is not None}
        return replace(self, **present)


def _date(section: ConfigSection, key: str) -> date:
    value = section.table[key]
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as error:
        raise section.error(f"[{section.where}] key '{key}' must be a date such as 2026-05-04", key) from error


def pilot_from_section(section: ConfigSection) -> PilotDefinition:
    """A `[pilot]` table as a PilotDefinition; errors name the file, line and key."""
    table = section.table
    for key in table:
        if key not in _KEYS:
            raise section.error(f"[{section.where}] unknown key '{key}' (known: {', '.join(sorted(_KEYS))})", key)

    def window(key: str) -> Window | None:
        if key not in table:
            return None
        try:
            return parse_date_range(section.text(key), key)
        except ConfigError as error:
            raise section.error(f"[{section.where}] {error}", key) from error

    def number(key: str, default: float, kind: type[int] | type[float]) -> float:
        value = table.get(key, default)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise section.error(f"[{section.where}] key '{key}' must be a {kind.__name__}", key)
        return value

    types = table.get("journey_types", [])
    if isinstance(types, str):
        types = [types]
    if not isinstance(types, list) or not all(isinstance(t, str) and t for t in types):
        raise section.error(f"[{section.where}] key 'journey_types' must be a list of names", "journey_types")
    try:
        return PilotDefinition(
            name=section.text("name", "Pilot"),
            change_date=_date(section, "change_date") if "change_date" in table else None,
            before=window("before"),
            after=window("after"),
            journey_types=tuple(types),
            pilot_group=section.optional_text("pilot_group"),
            control_group=section.optional_text("control_group"),
            bootstrap=int(number("bootstrap", 1000, int)),
            seed=int(number("seed", 1, int)),
            alpha=float(number("alpha", 0.05, float)),
        )
    except ConfigError as error:
        if str(error).startswith(str(section.file)):
            raise
        raise section.error(f"[{section.where}] {error}") from error


def has_pilot(file: Path) -> bool:
    """Does this TOML file name a pilot (a `[pilot]` table)?"""
    raw = parse_config_file(file, tomllib.loads, tomllib.TOMLDecodeError, "configuration (TOML)")
    return "pilot" in raw


def load_pilot_definition(file: Path) -> PilotDefinition:
    """The `[pilot]` table of a TOML file (a source configuration or a file of its own)."""
    raw = parse_config_file(file, tomllib.loads, tomllib.TOMLDecodeError, "configuration (TOML)")
    root = ConfigSection(file, file.read_text(), "", raw)
    if "pilot" not in raw:
        raise root.error("no [pilot] table: name the change date there (see README: Pilot evaluation)")
    return pilot_from_section(root.section("pilot"))
