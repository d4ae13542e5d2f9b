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
    # max_volume_change = 0.3             # before and after are not comparable when volume moves more
    # case_mix = ["region", "channel"]     # journey attributes compared beside type, category and priority
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from eventlogs.located_config import Located, read_toml
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
    "max_volume_change",
    "case_mix",
}
# journeys opened per day may change by this share before before and after stop being comparable
MAX_VOLUME_CHANGE = 0.3


@dataclass(frozen=True)
class PilotDefinition:
    name: str | None = None  # None: the pages name the pilot by its journey types and change date
    change_date: date | None = None
    before: Window | None = None  # inclusive dates; None: from the first journey to the day before the change
    after: Window | None = None  # None: from the change date to the extraction
    journey_types: tuple[str, ...] = ()  # empty: every type
    pilot_group: str | None = None  # SQL condition over journey_attributes, checked by eventlogs.conditions
    control_group: str | None = None
    bootstrap: int = 1000
    seed: int = 1
    alpha: float = 0.05
    max_volume_change: float = MAX_VOLUME_CHANGE  # see mining.pilot.comparability
    # journeys.attributes keys whose mix must match before and after; only named ones, since an attribute
    # recorded at extraction (the current state or assignment group) may be an outcome of the change
    case_mix: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.change_date is None and (self.before is None or self.after is None):
            raise ConfigError("a pilot needs a change date, or both a before and an after window")
        if self.before and self.after and self.before[1] >= self.after[0]:
            raise ConfigError(f"the before window {self.before} must end before the after window {self.after} starts")
        if self.bootstrap < 100:
            raise ConfigError(f"bootstrap must be at least 100 resamples, not {self.bootstrap}")
        if not 0 < self.alpha < 0.5:
            raise ConfigError(f"alpha must lie between 0 and 0.5, not {self.alpha}")
        if self.max_volume_change <= 0:
            raise ConfigError(f"max_volume_change must be a share above 0, such as 0.3, not {self.max_volume_change}")

    def with_overrides(self, **changes: object) -> PilotDefinition:
        """The definition with every change that is not None applied (command-line flags over the file)."""
        # Any: the values are as varied as the fields; __post_init__ judges the combination
        present: dict[str, Any] = {key: value for key, value in changes.items() if value is not None}
        return replace(self, **present)


def _date(section: Located, key: str) -> date:
    value = section.values[key]
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as error:
        raise section.key_error(key, "must be a date such as 2026-05-04") from error


def _window(section: Located, key: str) -> Window | None:
    if key not in section:
        return None
    try:
        return parse_date_range(section.text(key), key)
    except ConfigError as error:
        raise section.error(str(error), key) from error


def pilot_from_section(section: Located) -> PilotDefinition:
    """A `[pilot]` table as a PilotDefinition; errors name the file, line and key."""
    section.check_keys(_KEYS, known_as="known")
    try:
        return PilotDefinition(
            name=section.optional_text("name"),
            change_date=_date(section, "change_date") if "change_date" in section else None,
            before=_window(section, "before"),
            after=_window(section, "after"),
            journey_types=tuple(section.text_list("journey_types", one_allowed=True, expected="a list of names")),
            pilot_group=section.optional_text("pilot_group"),
            control_group=section.optional_text("control_group"),
            bootstrap=int(section.number("bootstrap", 1000, whole=True, expected="must be a whole number")),
            seed=int(section.number("seed", 1, whole=True, expected="must be a whole number")),
            alpha=section.number("alpha", 0.05, expected="must be a number"),
            max_volume_change=section.number("max_volume_change", MAX_VOLUME_CHANGE, expected="must be a number"),
            case_mix=tuple(section.text_list("case_mix", one_allowed=True, expected="a list of attribute names")),
        )
    except ConfigError as error:
        if str(error).startswith(str(section.file)):
            raise
        raise section.error(str(error)) from error


def has_pilot(file: Path) -> bool:
    """Does this TOML file name a pilot (a `[pilot]` table)?"""
    return "pilot" in read_toml(file, "configuration (TOML)")


def load_pilot_definition(file: Path) -> PilotDefinition:
    """The `[pilot]` table of a TOML file (a source configuration or a file of its own)."""
    root = read_toml(file, "configuration (TOML)")
    if "pilot" not in root:
        raise root.error("no [pilot] table: name the change date there (see README: Pilot evaluation)")
    return pilot_from_section(root.section("pilot"))
