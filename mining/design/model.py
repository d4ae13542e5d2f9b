"""The designed journey as a pm4py process tree and Petri net over the activities the log uses.

Each event gets a label for the alignment. Usually the label is the activity. When the same activity
belongs to several stages (BPI Challenge 2013: every support line "Accepts" and "Resolves"), the event's
department picks the stage and the label is "stage: activity", so first-line and third-line work stay apart.

A stage's activities given by exact name are done once, in the listed order. A stage given by patterns
("Accepted*") is one or more of the log's matching activities, in any order: a pattern cannot say more. So
its events all get the stage's own label, "[stage]", and a run of them is one visit of the stage: the model
has one transition for it, and the alignment sees one step per visit (`alignment_labels`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

os.environ.setdefault("PM4PY_SHOW_PROGRESS_BAR", "False")

import pm4py
from pm4py.objects.petri_net.obj import Marking, PetriNet
from pm4py.objects.process_tree.obj import Operator, ProcessTree

from mining.design.journey import Choice, DesignedJourney, Loop, OrderNode, Parallel, Sequence, Stage, StageRef


@dataclass(frozen=True)
class EventLabel:
    label: str  # what the alignment sees
    stage: Stage | None  # None: the activity is in no stage of the design


@dataclass(frozen=True)
class DesignedModel:
    journey: DesignedJourney
    tree: ProcessTree
    net: PetriNet
    initial_marking: Marking
    final_marking: Marking
    stage_of_label: dict[str, Stage]  # every visible label of the model
    ambiguous: frozenset[str]  # activities that belong to more than one stage

    def label(self, activity: str, department: str | None) -> EventLabel:
        stage = self.journey.stage_of(activity, department or None)
        if stage is None:
            return EventLabel(activity, None)
        return EventLabel(_stage_label(stage, activity, self.ambiguous), stage)

    def event_labels(self, activities: list[str], departments: list[str]) -> list[EventLabel]:
        """The label of each event of a path."""
        return [self.label(activity, department) for activity, department in zip(activities, departments, strict=True)]

    def alignment_labels(self, labels: list[EventLabel]) -> tuple[str, ...]:
        """The labels the alignment sees: a run of one pattern stage's events is one visit, one label
        (an unexpected activity inside the run does not break it)."""
        merged: list[str] = []
        previous: str | None = None  # the label of the latest event that belongs to a stage
        for label in labels:
            if not (label.stage is not None and label.stage.has_patterns and label.label == previous):
                merged.append(label.label)
            if label.stage is not None:
                previous = label.label
        return tuple(merged)


def _stage_label(stage: Stage, activity: str, ambiguous: frozenset[str]) -> str:
    if stage.has_patterns:
        return f"[{stage.name}]"
    return f"{stage.name}: {activity}" if activity in ambiguous else activity


def _node(
    operator: Operator | None, children: list[ProcessTree] | None = None, label: str | None = None
) -> ProcessTree:
    node = ProcessTree(operator=operator, label=label)
    for child in children or []:
        child.parent = node
        node.children.append(child)
    return node


def _tau() -> ProcessTree:
    return _node(None)


def _stage_tree(stage: Stage, ambiguous: frozenset[str]) -> ProcessTree:
    if stage.has_patterns:  # one visit: a run of any matching activities
        return _node(None, label=_stage_label(stage, "", ambiguous))
    leaves = [_node(None, label=_stage_label(stage, activity, ambiguous)) for activity in stage.activities]
    return leaves[0] if len(leaves) == 1 else _node(Operator.SEQUENCE, leaves)


def _order_tree(node: OrderNode, stage_trees: dict[str, ProcessTree]) -> ProcessTree:
    if isinstance(node, StageRef):
        return stage_trees[node.stage]
    if isinstance(node, Loop):
        return _node(Operator.LOOP, [_order_tree(node.body, stage_trees), _tau()])
    children = node.parts if isinstance(node, Sequence) else node.branches
    if not children:
        return _tau()
    if len(children) == 1:
        return _order_tree(children[0], stage_trees)
    operator = {Sequence: Operator.SEQUENCE, Choice: Operator.XOR, Parallel: Operator.PARALLEL}[type(node)]
    return _node(operator, [_order_tree(child, stage_trees) for child in children])


def build_designed_model(journey: DesignedJourney, observed_activities: Iterable[str]) -> DesignedModel:
    """Process tree and Petri net of the design; `observed_activities` (the log's distinct activities) tell
    which activities more than one stage claims."""
    observed = sorted(set(observed_activities))
    names = sorted({*observed, *(a for stage in journey.stages if not stage.has_patterns for a in stage.activities)})
    ambiguous = frozenset(a for a in names if sum(stage.matches(a) for stage in journey.stages) > 1)
    stage_trees = {stage.name: _stage_tree(stage, ambiguous) for stage in journey.stages}
    tree = _order_tree(journey.order, stage_trees)
    net, initial_marking, final_marking = pm4py.convert_to_petri_net(tree)
    stage_of_label = {}
    for stage in journey.stages:
        for leaf in tree_labels(stage_trees[stage.name]):
            stage_of_label[leaf] = stage
    return DesignedModel(journey, tree, net, initial_marking, final_marking, stage_of_label, ambiguous)


def tree_labels(tree: ProcessTree) -> list[str]:
    """The visible labels of a process tree, left to right."""
    if tree.label is not None:
        return [tree.label]
    return [label for child in tree.children for label in tree_labels(child)]
