"""The explorer's panels on the hand-made store (conftest.py); every figure worked out on paper.

Waits into each step (hours): J1 B 10, C 20, D 1; J2 B 4, C 2, B 10, C 4, D 2; J3 B 48.
"""

from __future__ import annotations

import hashlib
import os
from datetime import date
from pathlib import Path

import pm4py
import pytest

from eventlogs.store import connect_store
from mining.explore import (
    ExplorerData,
    JourneyFilter,
    bottlenecks,
    compare_cohorts,
    export_event_log,
    handover_table,
    journey_timeline,
    journeys_behind,
    process_map,
    summary,
    table_frame,
    trends,
    variants,
)
from mining.scope.time_rules import TimeRules
from tests.conftest import event_row, hand_made_store, journey_row
from tests.mining.explore.conftest import at

ALL = JourneyFilter()


def _edges(found: dict) -> dict[tuple[str, str], tuple]:
    """(from, to) -> (count, journeys, median, p90), waits rounded (quantiles interpolate in floating point)."""
    return {
        (e["from"], e["to"]): (
            e["count"],
            e["journeys"],
            round(e["median_wait_hours"], 6),
            round(e["p90_wait_hours"], 6),
        )
        for e in found["edges"]
    }


def test_activity_map(explorer: ExplorerData) -> None:
    found = process_map(explorer, ALL).to_json()
    assert found["journeys"] == 3 and found["grouped"] is None and found["wait_basis"] == "calendar"
    assert found["nodes"] == [
        {"id": "B", "count": 4, "journeys": 3},
        {"id": "A", "count": 3, "journeys": 3},
        {"id": "C", "count": 3, "journeys": 2},
        {"id": "D", "count": 2, "journeys": 2},
    ]
    # A->B waits 4, 10, 48: p90 = 10 + 0.8 * 38; B->C 2, 4, 20: p90 = 4 + 0.8 * 16
    assert _edges(found) == (
        {
            ("A", "B"): (3, 3, 10.0, 40.4),
            ("B", "C"): (3, 2, 4.0, 16.8),
            ("C", "D"): (2, 2, 1.5, 1.9),
            ("C", "B"): (1, 1, 10.0, 10.0),
        }
    )
    assert [edge["id"] for edge in found["edges"]] == ["e0", "e1", "e2", "e3"]


def test_department_map_has_handovers_only(explorer: ExplorerData) -> None:
    found = process_map(explorer, ALL, "department").to_json()
    assert found["nodes"] == [
        {"id": "SD", "count": 5, "journeys": 3},
        {"id": "M", "count": 4, "journeys": 3},
        {"id": "P", "count": 3, "journeys": 2},
    ]
    assert _edges(found) == (
        {
            ("SD", "M"): (3, 3, 10.0, 40.4),
            ("M", "P"): (3, 2, 4.0, 16.8),
            ("P", "SD"): (2, 2, 1.5, 1.9),
            ("P", "M"): (1, 1, 10.0, 10.0),
        }
    )


def test_team_map_groups_all_but_the_busiest(explorer: ExplorerData) -> None:
    found = process_map(explorer, ALL, "team", top=2).to_json()  # SDt 5 steps, Mt 4 kept; Pt 3 grouped
    assert found["grouped"] == {"nodes": 1, "name": "other teams"}
    assert [node["id"] for node in found["nodes"]] == ["SDt", "Mt", "other teams"]
    assert _edges(found) == (
        {
            ("SDt", "Mt"): (3, 3, 10.0, 40.4),
            ("Mt", "other teams"): (3, 2, 4.0, 16.8),
            ("other teams", "SDt"): (2, 2, 1.5, 1.9),
            ("other teams", "Mt"): (1, 1, 10.0, 10.0),
        }
    )
    behind = journeys_behind(explorer, ALL, "team", "Mt", "other teams", top=2)
    assert [(row.journey_id, row.wait_hours) for row in behind.journeys] == [("J1", 20.0), ("J2", 6.0)]


def test_nodes_and_paths_thresholds(explorer: ExplorerData) -> None:
    found = process_map(explorer, ALL, nodes=2).to_json()  # B and A kept: only A->B between them
    assert [node["id"] for node in found["nodes"]] == ["B", "A"] and list(_edges(found)) == [("A", "B")]
    # 4 edges, half kept: the two most frequent (3 each; ties by name)
    assert list(_edges(process_map(explorer, ALL, paths=0.5).to_json())) == [("A", "B"), ("B", "C")]
    assert len(process_map(explorer, ALL, paths=0.0).edges) == 1  # at least one


def test_map_follows_the_filter(explorer: ExplorerData) -> None:
    found = process_map(explorer, JourneyFilter(status="finished")).to_json()
    assert found["journeys"] == 2
    assert _edges(found)[("A", "B")] == (2, 2, 7.0, 9.4)  # waits 4 and 10


def test_map_of_a_few_journeys_and_of_most(explorer: ExplorerData) -> None:
    # J3 alone (2 of the 12 steps): SDt -> Mt waiting 48
    few = process_map(explorer, JourneyFilter(journey_types=("u",)), "team", top=2).to_json()
    assert few["nodes"] == [{"id": "Mt", "count": 1, "journeys": 1}, {"id": "SDt", "count": 1, "journeys": 1}]
    assert _edges(few) == {("SDt", "Mt"): (1, 1, 48.0, 48.0)}
    # J1 and J2 (10 of 12 steps): SDt (4 steps) kept, Mt (3) and Pt (3) grouped
    most = process_map(explorer, JourneyFilter(status="finished"), "team", top=1).to_json()
    assert most["nodes"] == [{"id": "other teams", "count": 6, "journeys": 2}, {"id": "SDt", "count": 4, "journeys": 2}]
    # SDt->Mt waits 10, 4; inside the group Mt->Pt 20, 2, 4 and Pt->Mt 10 (p90 of 2, 4, 10, 20: 10 + 0.7 * 10);
    # Pt->SDt 1, 2
    assert _edges(most) == {
        ("SDt", "other teams"): (2, 2, 7.0, 9.4),
        ("other teams", "other teams"): (4, 2, 7.0, 17.0),
        ("other teams", "SDt"): (2, 2, 1.5, 1.9),
    }


def test_journeys_behind_an_edge_sorted_and_paged(explorer: ExplorerData) -> None:
    page = journeys_behind(explorer, ALL, "department", "M", "P", sort="wait_hours")
    assert page.total == 2
    assert [(row.journey_id, row.wait_hours) for row in page.journeys] == [("J1", 20.0), ("J2", 6.0)]  # 2 + 4
    second = journeys_behind(explorer, ALL, "department", "M", "P", sort="wait_hours", limit=1, offset=1)
    assert second.total == 2 and [row.journey_id for row in second.journeys] == ["J2"]
    longest = journeys_behind(explorer, ALL, "department", "M", "P", sort="wait_hours", limit=1)
    assert [(row.journey_id, row.wait_hours) for row in longest.journeys] == [("J1", 20.0)]
    shortest = journeys_behind(explorer, ALL, "department", "M", "P", sort="wait_hours", descending=False, limit=1)
    assert [(row.journey_id, row.wait_hours) for row in shortest.journeys] == [("J2", 6.0)]
    by_lead = journeys_behind(explorer, ALL, "activity", node="B", sort="lead_time_hours", descending=False)
    assert [(row.journey_id, row.lead_time_hours, row.status, row.wait_hours) for row in by_lead.journeys] == [
        ("J2", 22.0, "finished", None),
        ("J1", 31.0, "finished", None),
        ("J3", 48.0, "open", None),
    ]
    assert journeys_behind(explorer, ALL, "activity", "D", "A").to_json() == {"total": 0, "journeys": []}


def test_timeline_with_contacts(explorer: ExplorerData) -> None:
    found = journey_timeline(explorer, "J1").to_json()
    assert found["status"] == "finished" and found["closed_at"] == at(31).isoformat()
    assert [(e["activity"], e["kind"], e["wait_hours"], e["department"], e["team"]) for e in found["events"]] == [
        ("A", "work", None, "SD", "SDt"),
        ("Call", "contact", None, "Customer", None),
        ("B", "work", 10.0, "M", "Mt"),
        ("C", "work", 20.0, "P", "Pt"),
        ("D", "work", 1.0, "SD", "SDt"),
    ]
    with pytest.raises(KeyError):
        journey_timeline(explorer, "nope")


def test_timeline_pauses_with_time_rules(explorer_store: Path) -> None:
    # C is a pause activity: the gap after it is the customer's time (working basis, round the clock)
    data = ExplorerData.open(explorer_store, time_rules=TimeRules(pause_activities=("C",)))
    events = journey_timeline(data, "J2").to_json()["events"]
    assert [(e["activity"], e["wait_hours"], e["paused_hours"]) for e in events] == [
        ("A", None, None),
        ("B", 4.0, 0.0),
        ("C", 2.0, 0.0),
        ("B", 0.0, 10.0),
        ("C", 4.0, 0.0),
        ("D", 0.0, 2.0),
    ]
    assert process_map(data, ALL).wait_basis == "working"


def test_summary(explorer: ExplorerData) -> None:
    assert summary(explorer, ALL).to_json() == {
        "journeys": 3,
        "finished": 2,
        "open": 1,
        "events": 12,
        "median_lead_hours": 26.5,
        "p90_lead_hours": pytest.approx(30.1),  # finished leads 22 and 31
        "contacts_per_journey": pytest.approx(1 / 3),
        "within_norm_share": None,
        "period": {"first_opened": at(0).isoformat(), "last_opened": at(168).isoformat()},
    }


def test_variants_with_ids(explorer: ExplorerData) -> None:
    found = variants(explorer, ALL).to_json()
    assert found["total"] == 3
    expected = {("A", "B"): None, ("A", "B", "C", "D"): 31.0, ("A", "B", "C", "B", "C", "D"): 22.0}
    for variant in found["variants"]:
        activities = tuple(variant["activities"])
        assert variant["variant_id"] == hashlib.sha256("\u001f".join(activities).encode()).hexdigest()[:12]
        assert (variant["journeys"], variant["share"], variant["median_lead_hours"]) == (
            1,
            pytest.approx(1 / 3),
            expected[activities],
        )
    assert len(variants(explorer, ALL, limit=1).variants) == 1


def test_handover_table_ranks_as_the_report(explorer: ExplorerData) -> None:
    # every pair has fewer than 5 handovers: by total wait, SD->M 10+4+48, M->P 20+2+4, P->M 10, P->SD 1+2
    found = handover_table(explorer, ALL, limit=2).to_json()
    assert found["total"] == 4
    assert [(row["from"], row["to"], row["count"], row["total_wait_hours"]) for row in found["handovers"]] == [
        ("SD", "M", 3, 62.0),
        ("M", "P", 3, 26.0),
    ]
    assert found["other"] == {"pairs": 2, "count": 3, "total_wait_hours": 13.0}
    assert handover_table(explorer, ALL).to_json()["other"] is None


def test_trends_by_week(explorer: ExplorerData) -> None:
    found = trends(explorer, ALL).to_json()
    assert found["weeks"] == [
        {"week": "2026-03-02", "journeys": 2, "within_norm_share": None},
        {"week": "2026-03-09", "journeys": 1, "within_norm_share": None},
    ]
    by_pair = {(h["from"], h["to"]): h["weeks"] for h in found["handovers"]}
    assert len(by_pair) == 4  # all four pairs are among the ten busiest
    # SD->M: J1 (wait 10) and J2 (4) on 2 March, J3 (48) on 11 March
    assert by_pair[("SD", "M")] == [
        {"week": "2026-03-02", "count": 2, "median_wait_hours": 7.0},
        {"week": "2026-03-09", "count": 1, "median_wait_hours": 48.0},
    ]


def test_bottlenecks_need_a_design(explorer: ExplorerData) -> None:
    found = bottlenecks(explorer, ALL).to_json()
    assert found["available"] is False and found["items"] == [] and "--journey" in found["reason"]


def test_export_xes_reads_back_with_pm4py(explorer: ExplorerData, tmp_path: Path) -> None:
    path = tmp_path / "log.xes"
    path.write_bytes(export_event_log(explorer, JourneyFilter(status="finished"), "xes"))
    log = pm4py.read_xes(str(path))
    assert sorted(log["case:concept:name"].unique()) == ["J1", "J2"]
    assert len(log) == 11  # J1: 4 steps and the contact; J2: 6 steps
    j1 = log[log["case:concept:name"] == "J1"].sort_values("time:timestamp")
    assert list(j1["concept:name"]) == ["A", "Call", "B", "C", "D"]
    assert j1["time:timestamp"].iloc[-1] == at(31)


def test_export_csv(explorer: ExplorerData) -> None:
    lines = export_event_log(explorer, JourneyFilter(journey_types=("u",)), "csv").decode().splitlines()
    assert lines[0] == "case:concept:name,concept:name,time:timestamp,org:resource,department,team,event_kind"
    assert lines[1:] == [f"J3,A,{at(168).isoformat()},,SD,SDt,work", f"J3,B,{at(216).isoformat()},,M,Mt,work"]


def test_table_frames(explorer: ExplorerData) -> None:
    assert len(table_frame(explorer, ALL, "map", level="department")) == 4
    assert list(table_frame(explorer, ALL, "journeys")["journey_id"]) == ["J3", "J1", "J2"]  # lead 48, 31, 22
    assert len(table_frame(explorer, ALL, "variants")) == 3
    assert len(table_frame(explorer, ALL, "handovers", level="team")) == 4


def _cohort_store(path: Path) -> Path:
    """Type a: 12 journeys X->Y waiting 1 h; type b: 12 waiting 5 h; one more b X->Z waiting 1000 h."""
    journeys, events = [], []
    for kind, wait, count in (("a", 1, 12), ("b", 5, 12)):
        for number in range(count):
            journey = f"{kind}{number:02d}"
            journeys.append(journey_row(journey, at(0), at(wait), journey_type=kind))
            events += [
                event_row(journey, "x", at(0), "X", f"{journey}-1"),
                event_row(journey, "y", at(wait), "Y", f"{journey}-2"),
            ]
    journeys.append(journey_row("z", at(0), at(1000), journey_type="b"))
    events += [event_row("z", "x", at(0), "X", "z-1"), event_row("z", "z", at(1000), "Z", "z-2")]
    hand_made_store(path, journeys, events).close()
    return path


def test_handover_ranking_puts_rare_pairs_last(tmp_path: Path) -> None:
    data = ExplorerData.open(_cohort_store(tmp_path / "cohorts.duckdb"))
    rows = handover_table(data, ALL).to_json()["handovers"]
    # X->Z waits 1000 h in total but happens once (< 5): after X->Y (24 handovers, 72 h)
    assert [(row["from"], row["to"], row["total_wait_hours"]) for row in rows] == [("X", "Y", 72.0), ("X", "Z", 1000.0)]


def test_compare_finds_the_known_difference(tmp_path: Path) -> None:
    data = ExplorerData.open(_cohort_store(tmp_path / "cohorts.duckdb"))
    found = compare_cohorts(data, JourneyFilter(journey_types=("a",)), JourneyFilter(journey_types=("b",))).to_json()
    assert found["a"]["journeys"] == 12 and found["b"]["journeys"] == 13
    # X->Z has 0 and 1 handovers: fewer than 10 a side, not compared
    assert found["handovers"] == [
        {
            "from": "X",
            "to": "Y",
            "a_median_wait_hours": 1.0,
            "b_median_wait_hours": 5.0,
            "change": 4.0,
            "change_low": 4.0,
            "change_high": 4.0,
            "q_value": 0.0,
            "significant": True,
            "a_count": 12,
            "b_count": 12,
        }
    ]


def test_reopen_when_the_file_is_replaced(explorer_store: Path, tmp_path: Path) -> None:
    data = ExplorerData.open(explorer_store)
    assert data.reopen_if_changed() is False
    replacement = _cohort_store(tmp_path / "next.duckdb")
    os.replace(replacement, explorer_store)  # a snapshot swapped in
    assert data.reopen_if_changed() is True
    assert summary(data, ALL).journeys == 25


def test_open_leaves_the_store_free_for_a_writer(explorer_store: Path) -> None:
    data = ExplorerData.open(explorer_store)
    connect_store(explorer_store, wait_seconds=0).close()  # the explorer holds no lock: a load may write
    assert summary(data, JourneyFilter(opened_from=date(2026, 3, 9))).journeys == 1


def test_a_filter_that_keeps_nothing(explorer: ExplorerData) -> None:
    nothing = JourneyFilter(journey_types=("none",))
    assert process_map(explorer, nothing, "team").to_json() | {"wait_basis": None} == {
        "level": "team",
        "journeys": 0,
        "nodes": [],
        "edges": [],
        "grouped": None,
        "wait_basis": None,
    }
    assert journeys_behind(explorer, nothing, "department", "M", "P").to_json() == {"total": 0, "journeys": []}
    assert handover_table(explorer, nothing).to_json() == {"total": 0, "handovers": [], "other": None}
    assert summary(explorer, nothing).journeys == 0 and variants(explorer, nothing).total == 0


def test_calls_from_many_threads_at_once(explorer: ExplorerData) -> None:
    from concurrent.futures import ThreadPoolExecutor

    expected = [process_map(explorer, ALL, "department").to_json(), summary(explorer, ALL).to_json()]
    with ThreadPoolExecutor(max_workers=4) as pool:
        found = list(
            pool.map(
                lambda _: [process_map(explorer, ALL, "department").to_json(), summary(explorer, ALL).to_json()],
                range(16),
            )
        )
    assert found == [expected] * 16
