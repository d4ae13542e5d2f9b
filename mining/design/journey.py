"""The designed journey an improvement team writes: stages, owning departments, order, norms, touchpoints.

This module holds the model only; `mining.design.spec` reads it from YAML (errors name the line) and
`mining.design.bpmn_import` from BPMN 2.0; `mining.design.load` picks the reader by the file's suffix.

Time basis of norms: a norm in calendar time counts a day as 24 hours; a norm in working time counts a day
as one working day of `working_day_hours` (8 by default), so "2d" working = 16 working hours. `Norm.hours`
is always in hours of its own basis.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Literal

from eventlogs.sql_text import sql_literal

TimeBasis = Literal["working", "calendar"]
TIME_BASES: tuple[str, ...] = ("working", "calendar")
PATTERN_CHARACTERS = frozenset("*?[")


@dataclass(frozen=True)
class Norm:
    hours: float  # the limit, in hours of `time`
    share: float  # share of journeys it must hold for, e.g. 0.8
    time: TimeBasis


@dataclass(frozen=True)
class Touchpoint:
    kind: Literal["informed", "asked"]
    moment_of_truth: bool
    says: str


@dataclass(frozen=True)
class Stage:
    name: str
    department: str
    activities: tuple[str, ...]  # exact names (done in this order) or fnmatch patterns (any matching, any order)
    optional: bool = False
    loop: bool = False
    norm: Norm | None = None  # first event of the stage -> last event of the stage
    touchpoint: Touchpoint | None = None

    @property
    def has_patterns(self) -> bool:
        return any(PATTERN_CHARACTERS & set(activity) for activity in self.activities)

    def matches(self, activity: str) -> bool:
        return any(fnmatchcase(activity, pattern) for pattern in self.activities)


@dataclass(frozen=True)
class HandoverNorm:
    from_department: str
    to_department: str
    norm: Norm


# ---- the order: a small process-tree vocabulary over stage names ------------------------------------
@dataclass(frozen=True)
class StageRef:
    stage: str


@dataclass(frozen=True)
class Sequence:
    parts: tuple[OrderNode, ...]  # an empty sequence is "nothing": a Choice with it is an optional part


@dataclass(frozen=True)
class Choice:
    branches: tuple[OrderNode, ...]  # exactly one branch is taken


@dataclass(frozen=True)
class Parallel:
    branches: tuple[OrderNode, ...]  # every branch, interleaved in any order


@dataclass(frozen=True)
class Loop:
    body: OrderNode  # done once, then repeated any number of times


OrderNode = StageRef | Sequence | Choice | Parallel | Loop


def with_stage_flags(stage: Stage) -> OrderNode:
    """A stage reference wrapped as its `loop` and `optional` flags say."""
    node: OrderNode = StageRef(stage.name)
    if stage.loop:
        node = Loop(node)
    if stage.optional:
        node = Choice((node, Sequence(())))
    return node


def stage_refs(node: OrderNode) -> Iterator[str]:
    """The stage names an order node mentions, depth first."""
    if isinstance(node, StageRef):
        yield node.stage
    elif isinstance(node, Loop):
        yield from stage_refs(node.body)
    else:
        for child in node.parts if isinstance(node, Sequence) else node.branches:
            yield from stage_refs(child)


def mandatory_stages(node: OrderNode) -> frozenset[str]:
    """The stages every run of `node` goes through (a choice: those on each of its branches)."""
    if isinstance(node, StageRef):
        return frozenset({node.stage})
    if isinstance(node, Loop):
        return mandatory_stages(node.body)
    if isinstance(node, Choice):
        return frozenset.intersection(*(mandatory_stages(branch) for branch in node.branches))
    parts = node.parts if isinstance(node, Sequence) else node.branches  # a parallel part runs every branch
    return frozenset().union(*(mandatory_stages(part) for part in parts))


def can_avoid(node: OrderNode, stages: frozenset[str]) -> bool:
    """Whether some run of `node` goes through none of `stages`."""
    if isinstance(node, StageRef):
        return node.stage not in stages
    if isinstance(node, Loop):
        return can_avoid(node.body, stages)
    if isinstance(node, Choice):
        return any(can_avoid(branch, stages) for branch in node.branches)
    parts = node.parts if isinstance(node, Sequence) else node.branches
    return all(can_avoid(part, stages) for part in parts)


@dataclass(frozen=True)
class _Follows:
    """Glushkov sets of an order node: stages that can come first / last, whether it can be empty,
    and which stage can directly follow which inside it."""

    first: frozenset[str]
    last: frozenset[str]
    nullable: bool
    pairs: frozenset[tuple[str, str]]


def _follows(node: OrderNode) -> _Follows:
    if isinstance(node, StageRef):
        return _Follows(frozenset({node.stage}), frozenset({node.stage}), False, frozenset())
    if isinstance(node, Loop):
        body = _follows(node.body)
        return _Follows(
            body.first, body.last, body.nullable, body.pairs | {(a, b) for a in body.last for b in body.first}
        )
    if isinstance(node, Sequence):
        result = _Follows(frozenset(), frozenset(), True, frozenset())
        for part in map(_follows, node.parts):
            result = _Follows(
                result.first | part.first if result.nullable else result.first,
                part.last | result.last if part.nullable else part.last,
                result.nullable and part.nullable,
                result.pairs | part.pairs | {(a, b) for a in result.last for b in part.first},
            )
        return result
    branches = [_follows(branch) for branch in node.branches]
    pairs = frozenset().union(*(branch.pairs for branch in branches))
    if isinstance(node, Parallel):  # interleaving: any stage of one branch may directly follow any of another
        everything = [set(stage_refs(branch)) for branch in node.branches]
        pairs |= {
            (a, b)
            for i, xs in enumerate(everything)
            for j, ys in enumerate(everything)
            if i != j
            for a in xs
            for b in ys
        }
        nullable = all(branch.nullable for branch in branches)
    else:
        nullable = any(branch.nullable for branch in branches)
    return _Follows(
        frozenset().union(*(branch.first for branch in branches)),
        frozenset().union(*(branch.last for branch in branches)),
        nullable,
        pairs,
    )


@dataclass(frozen=True)
class DesignedJourney:
    name: str
    journey_type: str
    journey_noun: str  # "laptop requests", used in sentences
    stages: tuple[Stage, ...]
    handover_norms: tuple[HandoverNorm, ...]
    end_to_end_norm: Norm | None  # None only for a BPMN import without a norms file
    norm_share: float  # default share of journeys a norm must hold for
    order: OrderNode  # default: the stages in sequence with their optional/loop flags applied
    time: TimeBasis = "calendar"  # default basis of the norms
    working_day_hours: float = 8.0  # one working day, for norms and sentences in working time
    # When the log's department column is not the owner the design speaks of (BPI Challenge 2013: the
    # support line is only in the team's name), (department, team patterns): the first match names the
    # department of an event; events no pattern matches keep the log's department.
    team_departments: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def department_sql(self, team: str = "team", department: str = "department") -> str:
        """SQL expression for an event's department as the design sees it (DuckDB GLOB = fnmatch)."""
        if not self.team_departments:
            return department
        cases = " ".join(
            f"WHEN {' OR '.join(f'{team} GLOB {sql_literal(p)}' for p in patterns)} THEN {sql_literal(name)}"
            for name, patterns in self.team_departments
        )
        return f"(CASE {cases} ELSE {department} END)"

    def stage_named(self, name: str) -> Stage:
        return next(stage for stage in self.stages if stage.name == name)

    def stage_of(self, activity: str, department: str | None = None) -> Stage | None:
        """The stage an activity belongs to: the first stage whose names or patterns match it. When several
        match (the same activity done by several lines), `department` (the design's department of the
        event, `department_sql`, never the raw team) picks the first one it owns; when it owns none of
        them, the first matching stage in the design's order of listing is taken (deterministic;
        mining.design.event_stages flags such events as guessed and the stage table counts them)."""
        return self.stage_guessed(activity, department)[0]

    def stage_guessed(self, activity: str, department: str | None = None) -> tuple[Stage | None, bool]:
        """`stage_of`, and whether it was a guess: several stages match and `department` owns none."""
        matching = [stage for stage in self.stages if stage.matches(activity)]
        owned = [stage for stage in matching if stage.department == department]
        guessed = len(matching) > 1 and not owned
        chosen = owned if len(matching) > 1 and owned else matching
        return (chosen[0] if chosen else None), guessed

    def stage_follows(self) -> list[tuple[str, str]]:
        """Stage pairs (a, b) where b may directly follow a in the designed order, in stage order."""
        index = {stage.name: i for i, stage in enumerate(self.stages)}
        return sorted(_follows(self.order).pairs, key=lambda pair: (index[pair[0]], index[pair[1]]))

    def skippable(self, stage: Stage) -> bool:
        """Whether the design lets a journey go without `stage` (its `optional` flag, or an order that can
        pass it by)."""
        return stage.name not in mandatory_stages(self.order)

    def done_by_alone(self, department: str) -> bool:
        """Whether the designed order lets `department` carry a journey from start to end by itself (every
        stage of the other departments left out on some designed path)."""
        return can_avoid(self.order, frozenset(s.name for s in self.stages if s.department != department))

    def designed_return_sql(self, there: str, back_from: str) -> str:
        """SQL truth of a bounce `there` -> `back_from` -> `there` (department expressions) the design makes
        itself: both handovers designed (the desk passes a ticket to second line and gets it back to close
        it), so it is the journey as designed, not ping-pong."""
        returns = [(a, b) for a, b in self.designed_handovers() if (b, a) in self.designed_handovers()]
        if not returns:
            return "FALSE"
        pairs = ", ".join(f"({sql_literal(a)}, {sql_literal(b)})" for a, b in returns)
        return f"(({there}, {back_from}) IN (VALUES {pairs}))"

    def designed_handovers(self) -> list[tuple[str, str]]:
        """Department changes between stages that may directly follow each other in the designed order,
        each pair once, in the order the stages are listed."""
        pairs: list[tuple[str, str]] = []
        for before, after in self.stage_follows():
            pair = (self.stage_named(before).department, self.stage_named(after).department)
            if pair[0] != pair[1] and pair not in pairs:
                pairs.append(pair)
        return pairs


def default_order(stages: tuple[Stage, ...]) -> OrderNode:
    return Sequence(tuple(with_stage_flags(stage) for stage in stages))
