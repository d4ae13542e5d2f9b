"""Detail control of the process map (Disco's sliders), worked out by hand on the hand store:

J1: A 0h (SD), B 10 (Mgmt), C 30 (Proc), D 31 (SD)                finished
J2: A 0, B 4, C 6, B 16, C 20, D 22                                 finished
J3: A 0, B 48                                                       open
Activity frequencies: A 3, B 4, C 3, D 2.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from flows.paths import DEMO_TIME_RULES
from mining.discovery import tables as discovery
from mining.discovery.map_detail import (
    END,
    START,
    level_count,
    map_graph,
    map_levels,
    most_frequent_activities,
    most_frequent_paths,
    projected_paths,
)
from mining.report.process_map import map_grid, render_map
from mining.scope.scope import define_scope
from mining.scope.time_rules import load_time_rules


def _paths(table: pd.DataFrame, column: str = "frequency") -> dict[tuple[str, str], float]:
    return {(r.source_activity, r.target_activity): getattr(r, column) for r in table.itertuples()}


def test_all_activities_give_the_directly_follows_graph_with_start_and_end(hand_store) -> None:
    scope = define_scope(hand_store)
    paths = projected_paths(scope, ["A", "B", "C", "D"])
    # A->B: J1, J2, J3; B->C: J1, J2 twice; C->B: J2; C->D: J1, J2; start->A 3; D->end: J1, J2 (J3 is open)
    assert _paths(paths) == {
        (START, "A"): 3,
        ("A", "B"): 3,
        ("B", "C"): 3,
        ("C", "B"): 1,
        ("C", "D"): 2,
        ("D", END): 2,
    }
    # A->B waits 10, 4, 48 -> median 10; C->D waits 1, 2 -> median 1.5
    assert _paths(paths, "median_wait_hours")[("A", "B")] == pytest.approx(10)
    assert _paths(paths, "median_wait_hours")[("C", "D")] == pytest.approx(1.5)


def test_a_hidden_activity_is_bridged_with_the_whole_wait(hand_store) -> None:
    """Without B: J1 A0 C30 D31, J2 A0 C6 C20 D22, J3 A0 (open, no end). A->C waits 30 and 6 (median 18);
    J2's C->B->C becomes C->C (6 -> 20 = 14 h); C->D 1 and 2."""
    scope = define_scope(hand_store)
    paths = projected_paths(scope, ["A", "C", "D"])
    assert _paths(paths) == {(START, "A"): 3, ("A", "C"): 2, ("C", "C"): 1, ("C", "D"): 2, ("D", END): 2}
    waits = _paths(paths, "median_wait_hours")
    assert (waits[("A", "C")], waits[("C", "C")], waits[("C", "D")]) == pytest.approx((18, 14, 1.5))
    assert _paths(paths, "mean_wait_hours")[("A", "C")] == pytest.approx(18)


def test_fewest_paths_still_connect_every_activity(hand_store) -> None:
    """One path kept: A->B (3; ties with start->A and B->C broken by name: '▶' sorts after letters). Each
    activity then adds its busiest way in (A: start->A, B: A->B, C: B->C, D: C->D) and out (A: A->B,
    B: B->C, C: C->D 2 over C->B 1, D: D->end). Only C->B, the rarest, goes."""
    scope = define_scope(hand_store)
    kept = most_frequent_paths(projected_paths(scope, ["A", "B", "C", "D"]), 1)
    assert set(_paths(kept)) == {(START, "A"), ("A", "B"), ("B", "C"), ("C", "D"), ("D", END)}


def test_most_frequent_activities_and_level_counts(hand_store) -> None:
    scope = define_scope(hand_store)
    activities = discovery.activities(scope)
    # B 4; A and C 3 each, tie broken by name
    assert most_frequent_activities(activities, 2)["activity"].tolist() == ["B", "A"]
    # 10 % of 4 activities rounds up to 1; 50 % is 2; 100 % all; never more than there are
    assert [level_count(4, percent) for percent in (10, 25, 50, 75, 100)] == [1, 1, 2, 3, 4]
    graph = map_graph(scope, activities, 2)
    # B and A: A->B 3 (J1, J2, J3), B->B for J2's B...C...B: 4 -> 16 = 12 h; B->end J1, J2
    assert _paths(graph.paths) == {(START, "A"): 3, ("A", "B"): 3, ("B", "B"): 1, ("B", END): 2}
    assert _paths(graph.paths, "median_wait_hours")[("B", "B")] == pytest.approx(12)


def test_edge_labels_frequency_or_time(hand_store) -> None:
    scope = define_scope(hand_store)
    graph = map_graph(scope, discovery.activities(scope), 4)
    by_frequency, by_time = render_map(graph, "frequency"), render_map(graph, "time")
    # A->B: 3 times, median 10 h; C->D median 1.5 h: the time map writes waits, the frequency map does not
    assert ">10.0 h<" in by_time and ">1.5 h<" in by_time
    assert ">10.0 h<" not in by_frequency and ">3<" in by_frequency
    assert "<!--" not in by_frequency  # Graphviz's comments are stripped to keep the report small
    with pytest.raises(ValueError, match="edge label"):
        render_map(graph, "colour")  # type: ignore[arg-type]


def test_grid_renders_each_distinct_map_once(hand_store) -> None:
    """Activity levels 50 and 100 % of 4: B, A and all four. B, A have 4 paths (previous test); 50 %
    keeps the top 2 (A->B, start->A) plus B's busiest way out, B->end 2 over B->B 1: 3 paths. All four
    have 6 paths; 50 % keeps A->B, B->C, start->A (3 each, by name) plus C->D and D->end, C's and D's
    busiest ways out: 5. Four different maps, each rendered once."""
    scope = define_scope(hand_store)
    grid = map_grid(map_levels(scope, discovery.activities(scope), (50, 100)), (50, 100), ("frequency",))
    assert grid.counts == {(0, 0): (2, 3), (0, 1): (2, 4), (1, 0): (4, 5), (1, 1): (4, 6)}
    assert len(grid.svgs) == 4 and sorted(grid.cells.values()) == [0, 1, 2, 3]


def test_all_levels_of_the_demo_agree_with_the_discovery_tables(demo_store: Path) -> None:
    """At 100 % the projection is the plain directly-follows graph: same counts and waits as
    mining.discovery.tables (a different query), and start/end arcs as start_end_activities."""
    connection = duckdb.connect(str(demo_store), read_only=True)
    scope = define_scope(connection, "laptop_request")
    activities = discovery.activities(scope)
    paths = projected_paths(scope, activities["activity"].tolist())
    steps = paths[(paths["source_activity"] != START) & (paths["target_activity"] != END)]
    expected = discovery.directly_follows(scope)
    assert _paths(steps) == _paths(expected)
    ours, theirs = _paths(steps, "median_wait_hours"), _paths(expected, "median_wait_hours")
    assert ours == pytest.approx(theirs)
    # in working time (the demo's business calendars) the projection sums the events' working waits,
    # which again equals the plain graph's working waits
    scope = define_scope(connection, "laptop_request", time_rules=load_time_rules(DEMO_TIME_RULES))
    working = projected_paths(scope, activities["activity"].tolist(), "working")
    working = working[(working["source_activity"] != START) & (working["target_activity"] != END)]
    expected = discovery.directly_follows(scope)
    ours, theirs = _paths(working, "median_wait_hours"), _paths(expected, "median_wait_working_hours")
    assert ours == pytest.approx(theirs)
    assert ours != pytest.approx(_paths(steps, "median_wait_hours"))  # nights and weekends do not count
    start_end = discovery.start_end_activities(scope)
    starts = {(START, r.activity): r.starts for r in start_end.itertuples() if r.starts}
    ends = {(r.activity, END): r.ends for r in start_end.itertuples() if r.ends}
    assert _paths(paths[paths["source_activity"] == START]) == starts
    assert _paths(paths[paths["target_activity"] == END]) == ends
    # every journey starts once, so the start arcs of any level add up to the journeys in scope
    few = map_graph(scope, activities, 3)
    journeys = connection.execute("SELECT count(*) FROM scope_journeys").fetchone()[0]
    reached = connection.execute(
        "SELECT count(DISTINCT journey_id) FROM scope_work_events WHERE list_contains(?, activity)",
        [few.activities["activity"].tolist()],
    ).fetchone()[0]
    assert few.paths.loc[few.paths["source_activity"] == START, "frequency"].sum() == reached <= journeys
    connection.close()
