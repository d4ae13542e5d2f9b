"""Designed journeys to and from BPMN 2.0 through pm4py; lanes are the owning departments.

pm4py reads and writes BPMN's flow (tasks, gateways, sequence flows) but drops lanes, so the lane ->
flowNodeRef mapping is read and written with lxml. Import: BPMN -> Petri net -> process tree (pm4py), then
one stage per task, owned by the department of its lane. Names, norms and handovers come from an optional
side YAML file (the designed-journey keys without `stages` and `order`).
"""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("PM4PY_SHOW_PROGRESS_BAR", "False")

import pm4py
from lxml import etree
from pm4py.objects.process_tree.obj import Operator, ProcessTree

from mining.design.journey import Choice, DesignedJourney, Loop, OrderNode, Parallel, Sequence, Stage, StageRef
from mining.design.model import tree_labels
from mining.errors import ConfigError

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def _q(tag: str) -> str:
    return f"{{{BPMN_NS}}}{tag}"


def _task_departments(path: Path) -> dict[str, str]:
    """Task name -> the name of the lane it sits in; a task outside every lane is an error naming its line."""
    try:
        root = etree.parse(str(path)).getroot()
    except (OSError, etree.XMLSyntaxError) as error:
        raise ConfigError(f"{path}: not a readable BPMN 2.0 file: {error}") from error
    lane_of: dict[str, str | None] = {}  # None: a lane with neither name nor id (the schema allows it)
    for lane in root.iter(_q("lane")):
        for ref in lane.iter(_q("flowNodeRef")):
            lane_of[(ref.text or "").strip()] = lane.get("name") or lane.get("id")
    departments: dict[str, str] = {}
    for task in root.iter(
        _q("task"), _q("userTask"), _q("serviceTask"), _q("manualTask"), _q("sendTask"), _q("receiveTask")
    ):
        name = (task.get("name") or "").strip()
        task_id = task.get("id")
        if task_id is None or task_id not in lane_of:
            raise ConfigError(f"{path}:{task.sourceline}: task '{name}' is in no lane, so no department owns it")
        department = lane_of[task_id]
        if department is None:
            raise ConfigError(f"{path}:{task.sourceline}: task '{name}' is in a lane with neither a name nor an id")
        if departments.setdefault(name, department) != department:
            raise ConfigError(
                f"{path}:{task.sourceline}: task '{name}' sits in lanes {departments[name]} and {department}"
            )
    return departments


def _order_of(tree: ProcessTree) -> OrderNode:
    if tree.operator is None:
        return StageRef(tree.label) if tree.label is not None else Sequence(())
    children = [_order_of(child) for child in tree.children]
    if tree.operator == Operator.SEQUENCE:
        return Sequence(tuple(children))
    if tree.operator == Operator.XOR:
        return Choice(tuple(children))
    if tree.operator == Operator.PARALLEL:
        return Parallel(tuple(children))
    if tree.operator == Operator.LOOP:
        do, redo = children[0], children[1] if len(children) > 1 else Sequence(())
        if redo == Sequence(()):
            return Loop(do)
        return Sequence((do, Choice((Loop(Sequence((redo, do))), Sequence(())))))  # do (redo do)*
    raise ConfigError(f"the BPMN model uses {tree.operator}, which a designed journey cannot express")


def load_bpmn_journey(path: Path, side_file: Path | None = None) -> DesignedJourney:
    """A designed journey from a BPMN 2.0 model with lanes (plus norms from `side_file`, if any)."""
    departments = _task_departments(path)
    try:
        bpmn = pm4py.read_bpmn(str(path))
        net, initial, final = pm4py.convert_to_petri_net(bpmn)
        tree = pm4py.convert_to_process_tree(net, initial, final)
    except Exception as error:  # pm4py raises plain exceptions on models it cannot convert
        raise ConfigError(f"{path}: the BPMN model is not block-structured enough to check against: {error}") from error
    order = _order_of(tree)
    names = list(dict.fromkeys(tree_labels(tree)))
    stages = tuple(Stage(name, departments[name], (name,)) for name in names)
    if side_file is not None:
        from mining.design.spec import read_journey_spec

        return read_journey_spec(side_file, (stages, order))
    return DesignedJourney(path.stem, path.stem, "journeys", stages, (), None, 0.8, order)
