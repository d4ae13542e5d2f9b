"""One definition of a handover (mining.discovery.handovers.steps_sql): discovery, the norms and the pilot
count the same handovers on the hand-made store."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb

from mining.design.load import load_designed_journey
from mining.design.norms import handover_norms
from mining.discovery.handovers import handovers
from mining.pilot.definition import PilotDefinition
from mining.pilot.windows import define_pilot_scope
from mining.scope.scope import define_scope
from tests.conftest import event_row, hand_made_store, journey_row

# The journeys' departments (tests/conftest.py HAND_EVENTS), worked out by hand:
# J1 SD M P SD -> 3 handovers; J2 SD M P M P SD -> 5; J3 SD M -> 1
BY_PAIR = {
    ("Service Desk", "Management"): 3,
    ("Management", "Procurement"): 3,
    ("Procurement", "Service Desk"): 2,
    ("Procurement", "Management"): 1,
}
DESIGN = """
name: Hand
journey_type: t
end_to_end_norm: 1d
stages:
  - {name: s1, department: Service Desk, activities: [A]}
  - {name: s2, department: Management, activities: [B]}
  - {name: s3, department: Procurement, activities: [C]}
  - {name: s4, department: Service Desk, activities: [D]}
"""


def test_discovery_norms_and_pilot_count_the_same_handovers(
    hand_store: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    scope = define_scope(hand_store, "t")
    found = handovers(scope).set_index(["from_department", "to_department"])["handovers"]
    assert found.to_dict() == BY_PAIR
    (tmp_path / "hand.yaml").write_text(DESIGN)
    norms = handover_norms(scope, load_designed_journey(tmp_path / "hand.yaml"))
    seen = norms[norms["handovers"] > 0].set_index(["from_department", "to_department"])["handovers"]
    assert seen.to_dict() == BY_PAIR
    # the pilot, with one more journey opened after a change (J4: Service Desk -> Management)
    after = datetime(2026, 3, 10, 9, tzinfo=UTC)
    hand_made_store(
        hand_store,
        [journey_row("J4", after, None)],
        [
            event_row("J4", "A", after, "Service Desk", "J4-0"),
            event_row("J4", "B", after + timedelta(hours=2), "Management", "J4-1"),
        ],
    )
    define_pilot_scope(hand_store, PilotDefinition(change_date=date(2026, 3, 9)), None)
    rows = hand_store.execute("""
        SELECT from_department, to_department, count(*) FROM pilot_transitions
        WHERE observed AND handover GROUP BY ALL
    """).fetchall()
    assert {(a, b): n for a, b, n in rows} == {**BY_PAIR, ("Service Desk", "Management"): 4}
