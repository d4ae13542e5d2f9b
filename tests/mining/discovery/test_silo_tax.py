"""The silo tax on hand-made stores; every number worked out on paper from the events."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from mining.discovery.handovers import handovers
from mining.discovery.silo_tax import silo_tax_per_journey, silo_tax_summary
from mining.scope.scope import define_scope
from tests.conftest import T0, event_row, hand_made_store, journey_row


def test_hand_store_every_wait_is_a_handover(hand_store) -> None:
    """HAND_EVENTS change department at every step, so all the time between the events is handover time.
    J1: SD 0, Mgmt 10, Proc 30, SD 31 -> waits 10 + 20 + 1 = 31 h, all handovers, lead 31 h, share 1.
    J2: SD 0, Mgmt 4, Proc 6, Mgmt 16, Proc 20, SD 22 -> 4 + 2 + 10 + 4 + 2 = 22 h of 22 h, share 1.
    J3 (open): SD 0, Mgmt 48 -> 48 h at a handover so far, no lead time."""
    scope = define_scope(hand_store)
    table = silo_tax_per_journey(scope).set_index("journey_id")
    assert table.loc["J1", ["handovers", "handover_hours", "within_department_hours", "lead_hours"]].tolist() == [
        3,
        31,
        0,
        31,
    ]
    assert table.loc["J1", "handover_share"] == pytest.approx(1)
    assert table.loc["J2", ["handovers", "handover_hours", "lead_hours"]].tolist() == [5, 22, 22]
    assert table.loc["J3", "is_open"]
    assert table.loc["J3", "hours_so_far"] == pytest.approx(48)
    assert table.loc["J3", "handover_hours"] == pytest.approx(48)
    # the customer contact (J1, 5 h, "Customer") does not split J1's 10 h Service Desk -> Management wait
    assert table.loc["J1", "other_hours"] == pytest.approx(0)
    summary = silo_tax_summary(scope).set_index("status")
    # finished: J1 + J2 = 31 + 22 = 53 h of handovers over 53 h of lead time; J3's 48 h stay apart
    assert summary.loc["finished", ["journeys", "handover_hours", "hours"]].tolist() == [2, 53, 53]
    assert summary.loc["finished", "handover_share"] == pytest.approx(1)
    assert summary.loc["open", ["journeys", "handover_hours", "hours"]].tolist() == [1, 48, 48]
    # the same rule as the handover tables: their total wait is the silo tax's handover time (53 + 48)
    assert handovers(scope, "department")["total_wait_hours"].sum() == pytest.approx(101)


# (journey, activity, department, hours after T0, kind); opened at T0; closed at the hour given below.
MIXED_EVENTS = [
    ("K1", "Log", "Service Desk", 1, "work"),
    ("K1", "Triage", "Service Desk", 3, "work"),
    ("K1", "Chase", "Customer", 5, "contact"),  # not a step: must not split the 3 -> 9 handover
    ("K1", "Approve", "Management", 9, "work"),
    ("K1", "Sign", "Management", 10, "work"),
    ("K1", "Close", "Service Desk", 14, "work"),
    ("K2", "Log", "Service Desk", 0, "work"),
    ("K2", "Close", "Service Desk", 5, "work"),
    ("K3", "Log", "Service Desk", 0, "work"),
    ("K3", "Approve", "Management", 2, "work"),
    ("K3", "Sign", "Management", 7, "work"),
]
MIXED_CLOSED_AT = {"K1": 16, "K2": 5, "K3": None}


@pytest.fixture()
def mixed_store(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Journeys that stay in one department for some steps, and one opened before its first event and
    closed after its last, so handover, within-department and other time all differ from zero."""
    journeys = [journey_row(j, T0, None if c is None else T0 + timedelta(hours=c)) for j, c in MIXED_CLOSED_AT.items()]
    events = [
        event_row(j, a, T0 + timedelta(hours=h), d, f"e{i}", event_kind=k, team=d + " team")
        for i, (j, a, d, h, k) in enumerate(MIXED_EVENTS)
    ]
    connection = hand_made_store(tmp_path / "mixed.duckdb", journeys, events)
    yield connection
    connection.close()


def test_split_between_handovers_and_departments(mixed_store) -> None:
    """K1: SD 1, SD 3, Mgmt 9, Mgmt 10, SD 14; opened 0, closed 16 (lead 16 h).
      handovers SD->Mgmt 3..9 = 6 h and Mgmt->SD 10..14 = 4 h: 10 h;
      within SD 1..3 = 2 h and Mgmt 9..10 = 1 h: 3 h;  other: 0..1 and 14..16 = 3 h;  share 10/16.
    K2: SD 0, SD 5, closed 5: within 5 h, no handover, share 0.
    K3 (open): SD 0, Mgmt 2, Mgmt 7: handover 2 h, within 5 h, 7 h so far."""
    scope = define_scope(mixed_store)
    table = silo_tax_per_journey(scope).set_index("journey_id")
    k1 = table.loc["K1"]
    assert k1[["handovers", "handover_hours", "within_department_hours", "other_hours", "lead_hours"]].tolist() == [
        2,
        10,
        3,
        3,
        16,
    ]
    assert k1["handover_share"] == pytest.approx(10 / 16)
    assert table.loc["K2", ["handovers", "handover_hours", "within_department_hours"]].tolist() == [0, 0, 5]
    assert table.loc["K2", "handover_share"] == 0
    k3 = table.loc["K3"]
    assert k3[["handover_hours", "within_department_hours", "hours_so_far"]].tolist() == [2, 5, 7]
    summary = silo_tax_summary(scope).set_index("status")
    # finished K1 + K2: 10 h of handovers over 16 + 5 = 21 h; a ratio of sums, not the mean of the
    # shares ((10/16 + 0) / 2 = 0.3125); K3's hours are not in it
    finished = summary.loc["finished"]
    assert finished[["journeys", "handover_hours", "within_department_hours", "other_hours", "hours"]].tolist() == [
        2,
        10,
        8,
        3,
        21,
    ]
    assert finished["handover_share"] == pytest.approx(10 / 21)
    assert summary.loc["open", "handover_share"] == pytest.approx(2 / 7)
