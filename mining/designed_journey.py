"""The designed journey an improvement team writes: stages, owning departments, norms per handover."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from eventlogs.config_files import parse_config_file
from eventlogs.durations import parse_duration_hours
from mining.errors import ConfigError


@dataclass(frozen=True)
class Stage:
    name: str
    department: str
    activities: tuple[str, ...]


@dataclass(frozen=True)
class HandoverNorm:
    from_department: str
    to_department: str
    norm_hours: float


@dataclass(frozen=True)
class DesignedJourney:
    name: str
    journey_type: str
    journey_noun: str  # "laptop requests", used in sentences
    stages: tuple[Stage, ...]
    handover_norms: tuple[HandoverNorm, ...]
    end_to_end_norm_hours: float
    norm_share: float  # the share of journeys the norms must hold for

    def designed_handovers(self) -> list[tuple[str, str]]:
        """Department changes between consecutive stages, in designed order."""
        pairs = []
        for before, after in zip(self.stages, self.stages[1:], strict=False):
            if before.department != after.department:
                pairs.append((before.department, after.department))
        return pairs


def _require(mapping: dict[str, Any], key: str, where: str) -> Any:
    if not isinstance(mapping, dict) or key not in mapping:
        raise ConfigError(f"{where}: missing '{key}'")
    return mapping[key]


def load_designed_journey(path: Path) -> DesignedJourney:
    """Reads and validates a designed-journey YAML file; errors name the file and the entry."""
    raw = parse_config_file(path, yaml.safe_load, yaml.YAMLError, "designed-journey file (YAML)")
    where = str(path)
    stages = []
    for index, entry in enumerate(_require(raw, "stages", where), start=1):
        at = f"{where}: stages[{index}]"
        activities = _require(entry, "activities", at)
        if not isinstance(activities, list) or not activities:
            raise ConfigError(f"{at}: 'activities' must be a non-empty list")
        stages.append(
            Stage(
                str(_require(entry, "name", at)),
                str(_require(entry, "department", at)),
                tuple(map(str, activities)),
            )
        )
    norms = []
    for index, entry in enumerate(_require(raw, "handover_norms", where), start=1):
        at = f"{where}: handover_norms[{index}]"
        norms.append(
            HandoverNorm(
                str(_require(entry, "from", at)),
                str(_require(entry, "to", at)),
                parse_duration_hours(_require(entry, "norm", at), f"{at} norm"),
            )
        )
    journey = DesignedJourney(
        name=str(_require(raw, "name", where)),
        journey_type=str(_require(raw, "journey_type", where)),
        journey_noun=str(raw.get("journey_noun", "journeys")),
        stages=tuple(stages),
        handover_norms=tuple(norms),
        end_to_end_norm_hours=parse_duration_hours(
            _require(raw, "end_to_end_norm", where), f"{where}: end_to_end_norm"
        ),
        norm_share=float(raw.get("norm_share", 0.8)),
    )
    designed = set(journey.designed_handovers())
    for norm in journey.handover_norms:
        if (norm.from_department, norm.to_department) not in designed:
            raise ConfigError(
                f"{where}: handover norm {norm.from_department} -> {norm.to_department} is not a handover "
                f"between consecutive stages (designed: {sorted(designed)})"
            )
    return journey
