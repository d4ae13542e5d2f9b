"""Team ping-pong against the design: a ticket the desk passes to a second-line team and gets back to close,
as designed, is no ping-pong; teams of one department bouncing work, or a return the design does not have,
are. Expected figures worked out by hand from the journeys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from mining.design.bottlenecks import team_ping_pong
from mining.design.load import load_designed_journey
from mining.scope.scope import define_scope
from tests.conftest import event_row, hand_made_store, journey_row

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
DESK_FIX_CLOSE = """
name: Desk
journey_type: t
end_to_end_norm: 5d
stages:
  - {name: Desk, department: Front, activities: [Log]}
  - {name: Fixing, department: Second, activities: [Fix], optional: true}
  - {name: Closure, department: Front, activities: [Close]}
"""
DESK_FIX = """
name: Desk
journey_type: t
end_to_end_norm: 5d
stages:
  - {name: Desk, department: Front, activities: [Log, Close]}
  - {name: Fixing, department: Second, activities: [Fix], optional: true}
"""
DEPARTMENT = {"desk": "Front", "net": "Second", "db": "Second"}
JOURNEYS = {
    "J1": [("Log", "desk"), ("Fix", "net"), ("Close", "desk")],  # desk -> net -> desk: as designed
    "J2": [("Log", "desk"), ("Fix", "net"), ("Fix", "db"), ("Fix", "net"), ("Close", "desk")],  # net -> db -> net
    **{f"J{n}": [("Log", "desk"), ("Close", "desk")] for n in range(3, 11)},
}


def _scope(tmp_path: Path, design: str) -> tuple:
    (tmp_path / "design.yaml").write_text(design)
    journeys = [journey_row(j, T0, T0 + timedelta(hours=len(steps))) for j, steps in JOURNEYS.items()]
    events = [
        event_row(j, activity, T0 + timedelta(hours=hour), DEPARTMENT[team], f"{j}-{hour}", team=team)
        for j, steps in JOURNEYS.items()
        for hour, (activity, team) in enumerate(steps)
    ]
    connection: duckdb.DuckDBPyConnection = hand_made_store(tmp_path / "s.duckdb", journeys, events)
    return define_scope(connection, "t"), load_designed_journey(tmp_path / "design.yaml")


def test_a_designed_return_is_no_ping_pong(tmp_path: Path) -> None:
    # Front -> Second and Second -> Front are both designed: J1's desk -> net -> desk is the journey as
    # designed (before, it counted, and desk -> net led the finding by name); J2's net -> db -> net stays
    finding = team_ping_pong(*_scope(tmp_path, DESK_FIX_CLOSE))
    assert finding is not None
    assert (finding.journeys, finding.total) == (1, 10)
    assert (finding.from_team, finding.to_team, finding.pair_journeys) == ("net", "db", 1)


def test_a_return_the_design_does_not_have_is_ping_pong(tmp_path: Path) -> None:
    # the design has Front -> Second only (the desk closes nothing after second line): J1's return counts
    finding = team_ping_pong(*_scope(tmp_path, DESK_FIX))
    assert finding is not None
    assert (finding.journeys, finding.total) == (2, 10)
    # both pairs in one journey each: the first by name leads
    assert (finding.from_team, finding.to_team, finding.pair_journeys) == ("desk", "net", 1)
