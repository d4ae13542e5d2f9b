"""Reads a designed-journey YAML file into a `DesignedJourney`; every error names the file and line.

name: Laptop request
journey_type: laptop_request
journey_noun: laptop requests
time: working            # default basis of the norms (calendar when left out)
working_day: 8h          # a working day, so "2d" of working time = 16 working hours
norm_share: 0.8          # default share of journeys a norm must hold for
end_to_end: {norm: 10d, share: 0.8, time: working}      # or end_to_end_norm: 10d
stages:
  - name: Approval
    department: Management
    activities: [Approved]               # exact names in order, or fnmatch patterns
    optional: false
    loop: false
    norm: {within: 2d, share: 0.8}       # or a bare duration
    touchpoint: {kind: informed, moment_of_truth: true, says: "Your request is approved"}
order: [Request, {choice: [[Approval, Order], [Rejection]]}, {parallel: [[X], [Y]]}, {loop: [Z]}, Closure]
handovers:                               # or handover_norms
  - {from: Service Desk, to: Management, norm: 2d, share: 0.9, time: calendar}
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from eventlogs.durations import parse_duration_hours
from eventlogs.yaml_lines import LocatedYaml, YamlPath, read_located_yaml
from mining.design.journey import (
    TIME_BASES,
    Choice,
    DesignedJourney,
    HandoverNorm,
    Loop,
    Norm,
    OrderNode,
    Parallel,
    Sequence,
    Stage,
    Touchpoint,
    default_order,
    stage_refs,
    with_stage_flags,
)
from mining.errors import ConfigError

TOP_KEYS = {
    "name", "journey_type", "journey_noun", "time", "working_day", "norm_share",
    "end_to_end", "end_to_end_norm", "stages", "order", "handovers", "handover_norms", "departments_by_team",
}  # fmt: skip
STAGE_KEYS = {"name", "department", "activities", "optional", "loop", "norm", "touchpoint"}
STAGE_NORM_KEYS = {"within", "share", "time"}
END_TO_END_KEYS = {"norm", "share", "time"}
HANDOVER_KEYS = {"from", "to", "norm", "share", "time"}
TOUCHPOINT_KEYS = {"kind", "moment_of_truth", "says"}
TOUCHPOINT_KINDS = ("informed", "asked")
ORDER_OPERATORS = ("choice", "parallel", "loop", "optional")
WORK_WEEK_DAYS = 5.0


def _path_text(path: YamlPath) -> str:
    """("stages", 1, "norm") -> stages[2].norm (list positions counted from 1, as people count)."""
    text = ""
    for part in path:
        text += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


class _SpecReader:
    def __init__(self, source: Path, located: LocatedYaml) -> None:
        self.source = source
        self.located = located

    def where(self, path: YamlPath) -> str:
        """file:line: stages[2].norm"""
        return f"{self.source}:{self.located.line_of(path)}" + (f": {_path_text(path)}" if path else "")

    def error(self, path: YamlPath, message: str) -> ConfigError:
        return ConfigError(f"{self.where(path)}: {message}")

    def mapping(self, value: Any, path: YamlPath, allowed: set[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.error(path, f"expected a mapping with keys {sorted(allowed)}, not {value!r}")
        unknown = sorted(str(key) for key in value if key not in allowed)
        if unknown:
            raise self.error((*path, unknown[0]), f"unknown key '{unknown[0]}' (allowed: {', '.join(sorted(allowed))})")
        return value

    def require(self, mapping: dict[str, Any], key: str, path: YamlPath) -> Any:
        if key not in mapping or mapping[key] is None:
            raise self.error(path, f"missing '{key}'")
        return mapping[key]

    def text(self, mapping: dict[str, Any], key: str, path: YamlPath) -> str:
        value = self.require(mapping, key, path)
        if not isinstance(value, str | int | float) or not str(value).strip():
            raise self.error((*path, key), f"'{key}' must be a non-empty text, not {value!r}")
        return str(value)

    def flag(self, mapping: dict[str, Any], key: str, path: YamlPath) -> bool:
        value = mapping.get(key, False)
        if not isinstance(value, bool):
            raise self.error((*path, key), f"'{key}' must be true or false, not {value!r}")
        return value

    def share(self, value: Any, path: YamlPath) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
            raise self.error(path, f"a share must be a number in (0, 1], such as 0.8, not {value!r}")
        return float(value)

    def basis(self, value: Any, path: YamlPath) -> str:
        if value not in TIME_BASES:
            raise self.error(path, f"time must be one of {', '.join(TIME_BASES)}, not {value!r}")
        return str(value)

    def hours(self, value: Any, path: YamlPath, basis: str, working_day: float) -> float:
        if basis == "working":
            return parse_duration_hours(value, self.where(path), working_day, WORK_WEEK_DAYS)
        return parse_duration_hours(value, self.where(path))

    def norm(
        self, value: Any, path: YamlPath, limit_key: str, allowed: set[str], defaults: tuple[float, str, float]
    ) -> Norm:
        """A bare duration, or {<limit_key>: duration, share?, time?}."""
        share, basis, working_day = defaults
        if not isinstance(value, dict):
            return Norm(self.hours(value, path, basis, working_day), share, basis)  # type: ignore[arg-type]
        entry = self.mapping(value, path, allowed)
        if "share" in entry:
            share = self.share(entry["share"], (*path, "share"))
        if "time" in entry:
            basis = self.basis(entry["time"], (*path, "time"))
        limit = self.require(entry, limit_key, path)
        return Norm(self.hours(limit, (*path, limit_key), basis, working_day), share, basis)  # type: ignore[arg-type]


def _touchpoint(reader: _SpecReader, value: Any, path: YamlPath) -> Touchpoint:
    entry = reader.mapping(value, path, TOUCHPOINT_KEYS)
    kind = reader.text(entry, "kind", path)
    if kind not in TOUCHPOINT_KINDS:
        raise reader.error((*path, "kind"), f"kind must be one of {', '.join(TOUCHPOINT_KINDS)}, not {kind!r}")
    return Touchpoint(kind, reader.flag(entry, "moment_of_truth", path), str(entry.get("says", "")))  # type: ignore[arg-type]


def _stages(reader: _SpecReader, raw: Any, defaults: tuple[float, str, float]) -> tuple[Stage, ...]:
    if not isinstance(raw, list) or not raw:
        raise reader.error(("stages",), "'stages' must be a non-empty list")
    stages: list[Stage] = []
    for index, value in enumerate(raw):
        path: YamlPath = ("stages", index)
        entry = reader.mapping(value, path, STAGE_KEYS)
        activities = reader.require(entry, "activities", path)
        if not isinstance(activities, list) or not activities or not all(isinstance(a, str) for a in activities):
            raise reader.error((*path, "activities"), "'activities' must be a non-empty list of names or patterns")
        stage = Stage(
            name=reader.text(entry, "name", path),
            department=reader.text(entry, "department", path),
            activities=tuple(activities),
            optional=reader.flag(entry, "optional", path),
            loop=reader.flag(entry, "loop", path),
            norm=None
            if entry.get("norm") is None
            else reader.norm(entry["norm"], (*path, "norm"), "within", STAGE_NORM_KEYS, defaults),
            touchpoint=None
            if entry.get("touchpoint") is None
            else _touchpoint(reader, entry["touchpoint"], (*path, "touchpoint")),
        )
        if any(stage.name == earlier.name for earlier in stages):
            raise reader.error((*path, "name"), f"stage '{stage.name}' is named twice")
        stages.append(stage)
    return tuple(stages)


def _order_node(reader: _SpecReader, value: Any, path: YamlPath, stages: dict[str, Stage]) -> OrderNode:
    """A stage name, a list (a sequence), or {choice|parallel: [branch, ...]} / {loop|optional: [...]}."""
    if isinstance(value, str):
        if value not in stages:
            raise reader.error(path, f"order names no stage: '{value}' (stages: {', '.join(stages)})")
        return with_stage_flags(stages[value])
    if isinstance(value, list):
        return Sequence(tuple(_order_node(reader, item, (*path, i), stages) for i, item in enumerate(value)))
    if isinstance(value, dict) and len(value) == 1:
        operator, body = next(iter(value.items()))
        inner: YamlPath = (*path, str(operator))
        if operator not in ORDER_OPERATORS:
            raise reader.error(inner, f"unknown order operator '{operator}' (allowed: {', '.join(ORDER_OPERATORS)})")
        if not isinstance(body, list) or not body:
            raise reader.error(inner, f"'{operator}' needs a non-empty list")
        if operator in ("loop", "optional"):
            sequence = _order_node(reader, body, inner, stages)
            return Loop(sequence) if operator == "loop" else Choice((sequence, Sequence(())))
        if len(body) < 2:
            raise reader.error(inner, f"'{operator}' needs at least two branches")
        branches = tuple(_order_node(reader, branch, (*inner, i), stages) for i, branch in enumerate(body))
        return Choice(branches) if operator == "choice" else Parallel(branches)
    raise reader.error(path, f"an order entry is a stage name, a list, or one of {', '.join(ORDER_OPERATORS)}")


def _order(reader: _SpecReader, raw: Any, stages: tuple[Stage, ...]) -> OrderNode:
    if raw is None:
        return default_order(stages)
    if not isinstance(raw, list) or not raw:
        raise reader.error(("order",), "'order' must be a non-empty list")
    order = _order_node(reader, raw, ("order",), {stage.name: stage for stage in stages})
    mentioned = list(stage_refs(order))
    for name in (stage.name for stage in stages):
        if name not in mentioned:
            raise reader.error(("order",), f"stage '{name}' is in no place of the order")
    for name in {name for name in mentioned if mentioned.count(name) > 1}:
        raise reader.error(("order",), f"stage '{name}' appears twice in the order; use a loop instead")
    return order


def _handover_norms(
    reader: _SpecReader, raw: dict[str, Any], defaults: tuple[float, str, float]
) -> tuple[HandoverNorm, ...]:
    key = "handovers" if "handovers" in raw else "handover_norms"
    entries = raw.get(key) or []
    if not isinstance(entries, list):
        raise reader.error((key,), f"'{key}' must be a list")
    norms = []
    for index, value in enumerate(entries):
        path: YamlPath = (key, index)
        entry = reader.mapping(value, path, HANDOVER_KEYS)
        limit = {k: entry[k] for k in ("norm", "share", "time") if k in entry}
        norms.append(
            HandoverNorm(
                reader.text(entry, "from", path),
                reader.text(entry, "to", path),
                reader.norm(
                    {"norm": reader.require(entry, "norm", path), **limit}, path, "norm", END_TO_END_KEYS, defaults
                ),
            )
        )
    return tuple(norms)


def _team_departments(reader: _SpecReader, raw: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """departments_by_team: {Third line: ["* 3rd"], ...}: the first department whose patterns match a team."""
    if raw is None:
        return ()
    if not isinstance(raw, dict) or not raw:
        raise reader.error(("departments_by_team",), "'departments_by_team' maps a department to team patterns")
    rules = []
    for name, patterns in raw.items():
        if not isinstance(patterns, list) or not patterns or not all(isinstance(p, str) for p in patterns):
            raise reader.error(("departments_by_team", str(name)), "expected a non-empty list of team patterns")
        rules.append((str(name), tuple(patterns)))
    return tuple(rules)


def read_journey_spec(source: Path, modelled: tuple[tuple[Stage, ...], OrderNode] | None = None) -> DesignedJourney:
    """Reads and validates a designed-journey YAML file. With `modelled` (stages and order drawn in a BPMN
    file), the YAML is the side file with the rest: names, norms, handovers."""
    reader = _SpecReader(source, read_located_yaml(source, "designed-journey file (YAML)"))
    raw = reader.mapping(reader.located.data, (), TOP_KEYS)
    for key in ("stages", "order"):
        if modelled is not None and key in raw:
            raise reader.error((key,), f"'{key}' come from the BPMN model; the side file holds names and norms")
    basis = reader.basis(raw.get("time", "calendar"), ("time",))
    working_day = reader.hours(raw.get("working_day", "8h"), ("working_day",), "calendar", 24.0)
    if not 0 < working_day <= 24:
        raise reader.error(("working_day",), f"a working day must last between 0 and 24 hours, not {working_day}")
    norm_share = reader.share(raw.get("norm_share", 0.8), ("norm_share",))
    defaults = (norm_share, basis, working_day)
    if "end_to_end" in raw and "end_to_end_norm" in raw:
        raise reader.error(("end_to_end_norm",), "give either 'end_to_end' or 'end_to_end_norm', not both")
    end_key = "end_to_end" if "end_to_end" in raw else "end_to_end_norm"
    end_to_end = reader.norm(reader.require(raw, end_key, ()), (end_key,), "norm", END_TO_END_KEYS, defaults)
    stages = _stages(reader, reader.require(raw, "stages", ()), defaults) if modelled is None else modelled[0]
    journey = DesignedJourney(
        name=reader.text(raw, "name", ()),
        journey_type=reader.text(raw, "journey_type", ()),
        journey_noun=str(raw.get("journey_noun", "journeys")),
        stages=stages,
        handover_norms=_handover_norms(reader, raw, defaults),
        end_to_end_norm=end_to_end,
        norm_share=norm_share,
        order=_order(reader, raw.get("order"), stages) if modelled is None else modelled[1],
        time=basis,  # type: ignore[arg-type]
        working_day_hours=working_day,
        team_departments=_team_departments(reader, raw.get("departments_by_team")),
    )
    designed = journey.designed_handovers()
    key = "handovers" if "handovers" in raw else "handover_norms"
    for index, norm in enumerate(journey.handover_norms):
        if (norm.from_department, norm.to_department) not in designed:
            raise reader.error(
                (key, index),
                f"the design never hands over {norm.from_department} -> {norm.to_department} "
                f"(designed handovers: {'; '.join(f'{a} -> {b}' for a, b in designed)})",
            )
    return journey
