"""Directly-follows, variants and handovers on the hand-made store; every number worked out on paper."""

from __future__ import annotations

import pandas as pd
import pm4py
import pytest

from mining.discovery import tables as discovery
from mining.discovery.handovers import handovers, journeys_with_ping_pong, ping_pong
from mining.scope.scope import define_scope
from tests.conftest import HAND_EVENTS, T0, event_row, hand_made_store, journey_row


def _edge(table: pd.DataFrame, source: str, target: str) -> pd.Series:
    rows = table[(table["source_activity"] == source) & (table["target_activity"] == target)]
    assert len(rows) == 1, f"edge {source} -> {target} missing"
    return rows.iloc[0]


def test_directly_follows_counts_and_waits(hand_store) -> None:
    scope = define_scope(hand_store)
    dfg = discovery.directly_follows(scope)
    # A->B waits: J1 10 h, J2 4 h, J3 48 h; quantile 0.9 of [4, 10, 48] = 10 + 0.8 * 38 = 40.4
    a_b = _edge(dfg, "A", "B")
    assert (a_b["frequency"], a_b["journeys"]) == (3, 3)
    assert a_b["mean_wait_hours"] == pytest.approx(62 / 3)
    assert a_b["median_wait_hours"] == pytest.approx(10)
    assert a_b["p90_wait_hours"] == pytest.approx(40.4)
    # B->C: J1 20 h, J2 2 h and 4 h (the ping-pong repeats the edge)
    b_c = _edge(dfg, "B", "C")
    assert (b_c["frequency"], b_c["journeys"]) == (3, 2)
    assert b_c["median_wait_hours"] == pytest.approx(4)
    assert _edge(dfg, "C", "B")["mean_wait_hours"] == pytest.approx(10)
    assert _edge(dfg, "C", "D")["mean_wait_hours"] == pytest.approx(1.5)
    # the customer contact (J1, 5 h) and the assignment change are not steps: no edge touches them
    assert set(dfg["source_activity"]) | set(dfg["target_activity"]) == {"A", "B", "C", "D"}
    assert len(dfg) == 4


def test_start_and_end_activities_leave_open_journeys_unended(hand_store) -> None:
    scope = define_scope(hand_store)
    bounds = discovery.start_end_activities(scope).set_index("activity")
    assert bounds.loc["A", "starts"] == 3
    assert bounds.loc["D", "ends"] == 2  # J3 stops at B but is open, so B is no end
    assert "B" not in bounds.index  # neither starts nor ends any journey


def test_variants_with_lead_times(hand_store) -> None:
    scope = define_scope(hand_store)
    table = discovery.variants(scope).set_index("variant")
    assert table.loc["A → B → C → D", "journeys"] == 1
    assert table.loc["A → B → C → D", "median_lead_hours"] == pytest.approx(31)
    assert table.loc["A → B → C → B → C → D", "median_lead_hours"] == pytest.approx(22)
    assert table.loc["A → B", "open_journeys"] == 1
    assert pd.isna(table.loc["A → B", "median_lead_hours"])  # open: no lead time yet
    assert table["share"].sum() == pytest.approx(1)


def test_department_handovers(hand_store) -> None:
    scope = define_scope(hand_store)
    table = handovers(scope, "department").set_index(["from_department", "to_department"])
    sd_mgmt = table.loc[("Service Desk", "Management")]
    assert (sd_mgmt["handovers"], sd_mgmt["journeys"]) == (3, 3)
    assert sd_mgmt["total_wait_hours"] == pytest.approx(62)
    mgmt_proc = table.loc[("Management", "Procurement")]
    assert (mgmt_proc["handovers"], mgmt_proc["journeys"]) == (3, 2)
    assert mgmt_proc["total_wait_hours"] == pytest.approx(26)
    assert table.loc[("Procurement", "Management"), "handovers"] == 1
    assert table.loc[("Procurement", "Service Desk"), "total_wait_hours"] == pytest.approx(3)
    assert len(table) == 4


def test_same_numbers_as_pm4py(hand_store) -> None:
    """pm4py's DFG and performance DFG on the same events agree with the SQL."""
    frame = pd.DataFrame(
        [(j, a, T0 + pd.Timedelta(hours=h)) for j, a, _, h in HAND_EVENTS],
        columns=["case:concept:name", "concept:name", "time:timestamp"],
    ).sort_values(["case:concept:name", "time:timestamp"], kind="stable")
    dfg, starts, _ = pm4py.discover_dfg(frame)
    performance, _, _ = pm4py.discover_performance_dfg(frame)
    scope = define_scope(hand_store)
    ours = discovery.directly_follows(scope)
    assert {(r.source_activity, r.target_activity): r.frequency for r in ours.itertuples()} == dict(dfg)
    for row in ours.itertuples():
        theirs = performance[(row.source_activity, row.target_activity)]
        assert row.mean_wait_hours == pytest.approx(theirs["mean"] / 3600)
        assert row.median_wait_hours == pytest.approx(theirs["median"] / 3600)
    assert dict(starts) == {"A": 3}


def test_ping_pong(hand_store) -> None:
    """J2 runs SD, Mgmt, Proc, Mgmt, Proc, SD: Mgmt -> Proc -> Mgmt and Proc -> Mgmt -> Proc once each."""
    scope = define_scope(hand_store)
    table = ping_pong(scope, "department").set_index(["from_department", "to_department"])
    assert set(table.index) == {("Management", "Procurement"), ("Procurement", "Management")}
    assert table.loc[("Management", "Procurement"), "ping_pongs"] == 1
    # J1 and J2 hand Management -> Procurement; only J2 bounces back
    assert table.loc[("Management", "Procurement"), "rate"] == pytest.approx(1 / 2)
    assert table.loc[("Procurement", "Management"), "rate"] == pytest.approx(1)
    assert journeys_with_ping_pong(scope, "department") == 1


def test_a_step_without_department_between_two_of_the_same_is_no_ping_pong(tmp_path) -> None:
    """K1 runs Desk, (none), Desk: nobody to bounce to. K2 runs Desk, Lab, Desk: one bounce."""
    steps = {"K1": ["Desk", None, "Desk"], "K2": ["Desk", "Lab", "Desk"]}
    journeys = [journey_row(k, T0, T0 + pd.Timedelta(hours=3)) for k in steps]
    events = [
        event_row(k, f"step {i}", T0 + pd.Timedelta(hours=i), department, f"{k}-{i}")
        for k, departments in steps.items()
        for i, department in enumerate(departments)
    ]
    connection = hand_made_store(tmp_path / "store.duckdb", journeys, events)
    scope = define_scope(connection)
    table = ping_pong(scope, "department")
    bounces = zip(table["from_department"], table["to_department"], table["journeys"], strict=True)
    assert list(bounces) == [("Desk", "Lab", 1)]
    assert journeys_with_ping_pong(scope, "department") == 1
    connection.close()
