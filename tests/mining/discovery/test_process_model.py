"""The inductive miner on variant-level input; every expected tree worked out by hand from the DFG."""

from __future__ import annotations

import pandas as pd
import pm4py
import pytest

from mining.discovery import tables as discovery
from mining.discovery.process_model import discover_process_model, variant_counts, variant_fitness
from mining.report.process_model_drawing import bpmn_svg, petri_net_svg
from mining.scope.scope import define_scope

# DFG: A->B 9, A->C 2, B->C 9, C->B 2, B->B 1; every trace starts with A; ends C 9, B 2.
# Nothing returns to A: sequence cut A | {B, C}. In {BC x8, CB x2, BBC x1} B and C both start and end
# traces and follow each other both ways: concurrency cut B | C. C's sublog is C x11 -> 'C'. B's sublog
# {B x10, BB x1} is one activity with a self-loop: no cut, so the fall-through makes B repeatable.
SWAP = pd.DataFrame({"variant": ["A → B → C", "A → C → B", "A → B → B → C"], "journeys": [8, 2, 1]})
SWAP_TREE = "->( 'A', +( 'C', *( 'B', tau ) ) )"

# The ping-pong of the hand store: B and C handed back and forth once in 11 journeys.
# DFG: A->B 11, B->C 12, C->D 11, C->B 1. Sequence cut A | {B, C} | D. {BC x10, BCBC x1}: start B,
# end C; no xor, no sequence (B, C strongly connected), no concurrency (B never ends a trace), no loop
# (the do part must hold B and C, leaving no redo). The fall-through splits BCBC where an end activity
# is followed by a start activity: BC twice, so the pair B, C repeats.
REWORK = pd.DataFrame({"variant": ["A → B → C → D", "A → B → C → B → C → D"], "journeys": [10, 1]})
REWORK_TREE = "->( 'A', *( ->( 'B', 'C' ), tau ), 'D' )"
# IMf, in {BC x10, BCBC x1} where no cut is found, drops an edge when it is at most noise times the
# most frequent way out of its source: C leaves 11 times (ending) and to B once, so C->B goes when
# 1 <= noise * 11, i.e. from noise 1/11. Then B | C is a sequence cut; pm4py's split keeps 'B' for B
# and 'C C' (the events of C after the split point) for C, whose lone self-loop is no edge to filter.
REWORK_FILTERED_TREE = "->( 'A', 'B', *( 'C', tau ), 'D' )"


def _paths(variants: pd.DataFrame) -> list[tuple[str, ...]]:
    return [tuple(path.split(" → ")) for path in variants["variant"]]


def test_noise_zero_accepts_every_variant() -> None:
    model = discover_process_model(SWAP, noise_threshold=0.0)
    assert str(model.tree) == SWAP_TREE
    assert variant_fitness(model, _paths(SWAP)) == [1.0, 1.0, 1.0]
    assert variant_fitness(model, [("A", "C")])[0] < 1  # B is not optional


def test_noise_cannot_remove_a_lone_self_loop() -> None:
    """IMf filters only where no cut is found; the cuts above are found on the unfiltered graph, and
    B's sublog keeps its self-loop (one activity has no edge left to cut), so B B C stays accepted."""
    model = discover_process_model(SWAP, noise_threshold=0.5)
    assert str(model.tree) == SWAP_TREE
    assert variant_fitness(model, _paths(SWAP)) == [1.0, 1.0, 1.0]


@pytest.mark.parametrize(
    ("noise", "tree", "rework_fits"),
    [(0.0, REWORK_TREE, True), (0.05, REWORK_TREE, True), (0.1, REWORK_FILTERED_TREE, False)],
)
def test_noise_filters_the_rare_ping_pong(noise: float, tree: str, rework_fits: bool) -> None:
    model = discover_process_model(REWORK, noise_threshold=noise)
    assert str(model.tree) == tree
    frequent, rework = variant_fitness(model, _paths(REWORK))
    assert frequent == 1.0
    assert (rework == 1.0) is rework_fits


@pytest.mark.parametrize("variants", [SWAP, REWORK], ids=["swap", "rework"])
@pytest.mark.parametrize("noise", [0.0, 0.1, 0.5])
def test_variant_counts_give_the_same_model_as_one_trace_per_journey(variants: pd.DataFrame, noise: float) -> None:
    rows = [
        (f"{index}-{copy}", activity, pd.Timestamp("2026-01-01", tz="UTC") + pd.Timedelta(minutes=step))
        for index, (path, count) in enumerate(zip(_paths(variants), variants["journeys"], strict=True))
        for copy in range(count)
        for step, activity in enumerate(path)
    ]
    # Sorted by case and time: pm4py's variant functions miscount on an unsorted frame.
    expanded = pd.DataFrame(rows, columns=["case:concept:name", "concept:name", "time:timestamp"]).sort_values(
        ["case:concept:name", "time:timestamp"], kind="stable"
    )
    assert len(expanded["case:concept:name"].unique()) == variants["journeys"].sum()
    theirs = pm4py.discover_process_tree_inductive(expanded, noise_threshold=noise)
    assert str(discover_process_model(variants, noise_threshold=noise).tree) == str(theirs)


def test_svg_is_inlinable_and_names_the_activities() -> None:
    model = discover_process_model(REWORK)
    for svg in (petri_net_svg(model), bpmn_svg(model)):
        assert svg.startswith("<svg")
        assert "<?xml" not in svg
        for activity in "ABCD":
            assert f">{activity}<" in svg


def test_hand_store_leaves_open_journeys_out(hand_store) -> None:
    """Finished: J1 A B C D and J2 A B C B C D, the rework shape above; J3 (A B, open) is left out, so
    the model does not learn that a journey may end after B."""
    scope = define_scope(hand_store)
    variants = discovery.variants(scope)
    assert variant_counts(variants) == {("A", "B", "C", "D"): 1, ("A", "B", "C", "B", "C", "D"): 1}
    model = discover_process_model(variants)
    assert str(model.tree) == REWORK_TREE
    assert variant_fitness(model, [("A", "B", "C", "D"), ("A", "B", "C", "B", "C", "D"), ("A", "B")])[2] < 1
    with_open = discover_process_model(variants, finished_only=False)
    assert variant_fitness(with_open, [("A", "B")]) == [1.0]
