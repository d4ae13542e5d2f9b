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

from eventlogs.located_config import KeyPath, Located, read_yaml
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


Defaults = tuple[float, str, float]  # share, time basis, working-day hours


def _basis(section: Located, default: str) -> str:
    value = section.values.get("time", default)
    if value not in TIME_BASES:
        raise section.key_error("time", f"time must be one of {', '.join(TIME_BASES)}, not {value!r}")
    return str(value)


def _share(section: Located, key: str, default: float) -> float:
    expected = "a share must be a number in (0, 1], such as 0.8"
    return section.number(key, default, above=0, at_most=1, expected=expected)


def _hours(section: Located, key: str, basis: str, working_day: float) -> float:
    if basis == "working":
        return section.duration_hours(key, None, working_day, WORK_WEEK_DAYS)
    return section.duration_hours(key)


def _limit(entry: Located, limit_key: str, defaults: Defaults) -> Norm:
    """{<limit_key>: duration, share?, time?}; share and time default to the journey's."""
    share, basis, working_day = defaults
    share, basis = _share(entry, "share", share), _basis(entry, basis)
    return Norm(_hours(entry, limit_key, basis, working_day), share, basis)  # type: ignore[arg-type]


def _norm(parent: Located, key: str, limit_key: str, allowed: set[str], defaults: Defaults) -> Norm:
    """A bare duration, or {<limit_key>: duration, share?, time?}."""
    if not isinstance(parent.values.get(key), dict):
        share, basis, working_day = defaults
        return Norm(_hours(parent, key, basis, working_day), share, basis)  # type: ignore[arg-type]
    entry = parent.section(key)
    entry.check_keys(allowed)
    return _limit(entry, limit_key, defaults)


def _touchpoint(entry: Located) -> Touchpoint:
    entry.check_keys(TOUCHPOINT_KEYS)
    kind = entry.text("kind")
    if kind not in TOUCHPOINT_KINDS:
        raise entry.key_error("kind", f"kind must be one of {', '.join(TOUCHPOINT_KINDS)}, not {kind!r}")
    return Touchpoint(kind, entry.flag("moment_of_truth", False), entry.string("says", ""))  # type: ignore[arg-type]


def _stage(entry: Located, defaults: Defaults) -> Stage:
    entry.check_keys(STAGE_KEYS)
    activities = entry.text_list("activities", non_empty=True, expected="a non-empty list of names or patterns")
    return Stage(
        name=entry.text("name"),
        department=entry.text("department"),
        activities=tuple(activities),
        optional=entry.flag("optional", False),
        loop=entry.flag("loop", False),
        norm=_norm(entry, "norm", "within", STAGE_NORM_KEYS, defaults) if "norm" in entry else None,
        touchpoint=_touchpoint(entry.section("touchpoint")) if "touchpoint" in entry else None,
    )


def _stages(root: Located, defaults: Defaults) -> tuple[Stage, ...]:
    stages: list[Stage] = []
    for entry in root.sections("stages", non_empty=True):
        stage = _stage(entry, defaults)
        if any(stage.name == earlier.name for earlier in stages):
            raise entry.key_error("name", f"stage '{stage.name}' is named twice")
        stages.append(stage)
    return tuple(stages)


def _order_node(root: Located, value: Any, path: KeyPath, stages: dict[str, Stage]) -> OrderNode:
    """A stage name, a list (a sequence), or {choice|parallel: [branch, ...]} / {loop|optional: [...]}."""
    if isinstance(value, str):
        if value not in stages:
            raise root.error_at(path, f"order names no stage: '{value}' (stages: {', '.join(stages)})")
        return with_stage_flags(stages[value])
    if isinstance(value, list):
        return Sequence(tuple(_order_node(root, item, (*path, i), stages) for i, item in enumerate(value)))
    if isinstance(value, dict) and len(value) == 1:
        operator, body = next(iter(value.items()))
        inner: KeyPath = (*path, str(operator))
        if operator not in ORDER_OPERATORS:
            raise root.error_at(inner, f"unknown order operator '{operator}' (allowed: {', '.join(ORDER_OPERATORS)})")
        if not isinstance(body, list) or not body:
            raise root.error_at(inner, f"'{operator}' needs a non-empty list")
        if operator in ("loop", "optional"):
            sequence = _order_node(root, body, inner, stages)
            return Loop(sequence) if operator == "loop" else Choice((sequence, Sequence(())))
        if len(body) < 2:
            raise root.error_at(inner, f"'{operator}' needs at least two branches")
        branches = tuple(_order_node(root, branch, (*inner, i), stages) for i, branch in enumerate(body))
        return Choice(branches) if operator == "choice" else Parallel(branches)
    raise root.error_at(path, f"an order entry is a stage name, a list, or one of {', '.join(ORDER_OPERATORS)}")


def _order(root: Located, raw: Any, stages: tuple[Stage, ...]) -> OrderNode:
    if raw is None:
        return default_order(stages)
    if not isinstance(raw, list) or not raw:
        raise root.error_at(("order",), "'order' must be a non-empty list")
    order = _order_node(root, raw, ("order",), {stage.name: stage for stage in stages})
    mentioned = list(stage_refs(order))
    for name in (stage.name for stage in stages):
        if name not in mentioned:
            raise root.error_at(("order",), f"stage '{name}' is in no place of the order")
    for name in {name for name in mentioned if mentioned.count(name) > 1}:
        raise root.error_at(("order",), f"stage '{name}' appears twice in the order; use a loop instead")
    return order


def _handover_key(root: Located) -> str:
    return "handovers" if "handovers" in root else "handover_norms"


def _handover_norms(root: Located, defaults: Defaults) -> tuple[HandoverNorm, ...]:
    norms = []
    for entry in root.sections(_handover_key(root)):
        entry.check_keys(HANDOVER_KEYS)
        norms.append(HandoverNorm(entry.text("from"), entry.text("to"), _limit(entry, "norm", defaults)))
    return tuple(norms)


def _team_departments(root: Located) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """departments_by_team: {Third line: ["* 3rd"], ...}: the first department whose patterns match a team."""
    if "departments_by_team" not in root:
        return ()
    teams = root.section("departments_by_team")
    if not teams.key_names():
        raise root.key_error("departments_by_team", "maps a department to team patterns")
    expected = "a non-empty list of team patterns"
    return tuple((name, tuple(teams.text_list(name, non_empty=True, expected=expected))) for name in teams.key_names())


def _defaults(root: Located) -> Defaults:
    """The journey's norm share, time basis and working day, which its norms take unless they say otherwise."""
    basis = _basis(root, "calendar")
    working_day = root.duration_hours("working_day", "8h")
    if not 0 < working_day <= 24:
        raise root.key_error("working_day", f"a working day must last between 0 and 24 hours, not {working_day}")
    return _share(root, "norm_share", 0.8), basis, working_day


def read_journey_spec(source: Path, modelled: tuple[tuple[Stage, ...], OrderNode] | None = None) -> DesignedJourney:
    """Reads and validates a designed-journey YAML file. With `modelled` (stages and order drawn in a BPMN
    file), the YAML is the side file with the rest: names, norms, handovers."""
    root = read_yaml(source, "designed-journey file (YAML)")
    root.check_keys(TOP_KEYS)
    for key in ("stages", "order"):
        if modelled is not None and key in root:
            raise root.key_error(key, f"'{key}' come from the BPMN model; the side file holds names and norms")
    defaults = _defaults(root)
    if "end_to_end" in root and "end_to_end_norm" in root:
        raise root.key_error("end_to_end_norm", "give either 'end_to_end' or 'end_to_end_norm', not both")
    end_key = "end_to_end" if "end_to_end" in root else "end_to_end_norm"
    end_to_end = _norm(root, end_key, "norm", END_TO_END_KEYS, defaults)
    stages = _stages(root, defaults) if modelled is None else modelled[0]
    journey = DesignedJourney(
        name=root.text("name"),
        journey_type=root.text("journey_type"),
        journey_noun=root.string("journey_noun", "journeys"),
        stages=stages,
        handover_norms=_handover_norms(root, defaults),
        end_to_end_norm=end_to_end,
        norm_share=defaults[0],
        order=_order(root, root.values.get("order"), stages) if modelled is None else modelled[1],
        time=defaults[1],  # type: ignore[arg-type]
        working_day_hours=defaults[2],
        team_departments=_team_departments(root),
    )
    designed = journey.designed_handovers()
    for index, norm in enumerate(journey.handover_norms):
        if (norm.from_department, norm.to_department) not in designed:
            raise root.error_at(
                (_handover_key(root), index),
                f"the design never hands over {norm.from_department} -> {norm.to_department} "
                f"(designed handovers: {'; '.join(f'{a} -> {b}' for a, b in designed)})",
            )
    return journey
