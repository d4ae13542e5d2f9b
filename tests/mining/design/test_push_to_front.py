"""The push-to-front finding: only when the design resolves at the front, only journeys that passed the
front and then went on, each department once. Expected figures worked out by hand from the journeys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd

from mining.design.bottlenecks import push_to_front
from mining.design.load import load_designed_journey
from mining.scope.scope import define_scope
from tests.conftest import event_row, hand_made_store, journey_row

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
STAGES = """
name: Desk
journey_type: t
end_to_end_norm: 5d
stages:
  - {name: Desk, department: Front, activities: [Log]}
  - {name: Fixing, department: Second, activities: [Fix]}
  - {name: Patching, department: Second, activities: [Patch]}
  - {name: Deep dive, department: Third, activities: [Deep]}
"""
RESOLVES_AT_FRONT = (
    STAGES
    + """order:
  - Desk
  - optional: [Fixing]
  - optional: [Patching]
  - optional: [Deep dive]
"""
)
# after the desk the journey must take one branch or the other: the desk never resolves by itself
BRANCHES_AFTER_FRONT = (
    STAGES
    + """order:
  - Desk
  - choice:
      - [Fixing, Patching]
      - [Deep dive]
"""
)
DEPARTMENT = {"Log": "Front", "Fix": "Second", "Patch": "Second", "Deep": "Third"}
JOURNEYS = {
    "P1": ["Log", "Fix"],
    "P2": ["Log", "Patch"],
    "P3": ["Log", "Fix", "Patch"],  # two stages of Second: one journey to Second
    "P4": ["Log", "Deep"],
    "P5": ["Fix", "Log"],  # started at Second, never passed the front before it: not pushed on
    **{f"P{n}": ["Log"] for n in range(6, 11)},
}


def _store(path: Path) -> duckdb.DuckDBPyConnection:
    journeys = [journey_row(j, T0, T0 + timedelta(hours=len(steps))) for j, steps in JOURNEYS.items()]
    events = [
        event_row(j, activity, T0 + timedelta(hours=hour), DEPARTMENT[activity], f"{j}-{hour}")
        for j, steps in JOURNEYS.items()
        for hour, activity in enumerate(steps)
    ]
    return hand_made_store(path, journeys, events)


def test_only_journeys_that_passed_the_front_each_department_once(tmp_path: Path) -> None:
    (tmp_path / "design.yaml").write_text(RESOLVES_AT_FRONT)
    scope = define_scope(_store(tmp_path / "s.duckdb"), "t")
    finding = push_to_front(scope, load_designed_journey(tmp_path / "design.yaml"), pd.DataFrame())
    assert finding is not None
    assert (finding.front_department, finding.escalated, finding.total) == ("Front", 4, 10)
    assert finding.onward == (("Second", 3), ("Third", 1))


def test_no_finding_when_the_design_does_not_resolve_at_the_front(tmp_path: Path) -> None:
    (tmp_path / "design.yaml").write_text(BRANCHES_AFTER_FRONT)
    scope = define_scope(_store(tmp_path / "s.duckdb"), "t")
    assert push_to_front(scope, load_designed_journey(tmp_path / "design.yaml"), pd.DataFrame()) is None


def test_the_front_may_close_the_journey_itself(tmp_path: Path) -> None:
    # the desk registers, may escalate, and always closes: still resolved at the front (the desk can carry
    # a journey alone), so the journeys that went on to second line are pushed on
    (tmp_path / "design.yaml").write_text(
        STAGES.replace(
            "activities: [Log]}", "activities: [Log]}\n  - {name: Closure, department: Front, activities: [Close]}"
        )
        + "order:\n  - Desk\n  - optional: [Fixing]\n  - optional: [Patching]\n  - optional: [Deep dive]\n  - Closure\n"
    )
    scope = define_scope(_store(tmp_path / "s.duckdb"), "t")
    finding = push_to_front(scope, load_designed_journey(tmp_path / "design.yaml"), pd.DataFrame())
    assert finding is not None
    assert (finding.front_department, finding.escalated, finding.total) == ("Front", 4, 10)
