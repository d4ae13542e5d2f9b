"""The store's SQL gives the same numbers as pm4py on the same events: directly-follows counts and waits,
start and end activities, variants, and the handover-of-work network.

pm4py gets the whole (small) log here; in the product it only ever sees variant-level input. Two pm4py
pitfalls shape the frames: they are sorted by journey and by our event order first (pm4py.get_variants
on an unsorted frame miscounts), and no top-k variant filter is used (it fails with pandas 3).

pm4py's handover of work (pm4py.discover_handover_of_work_network, beta=0) counts per occurrence: every
consecutive pair of events of a case adds the case's weight, self-pairs (X -> X) included, and each
count is divided by the number of all consecutive pairs (events - cases). Our handovers table counts
per occurrence too but only pairs where the holder changes; its `journeys` column (per case) has no
pm4py counterpart. So the matching quantity is pm4py's share x (events - cases) for X != Y.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pm4py
import pytest

from mining.discovery import tables as discovery
from mining.discovery.handovers import Level, handovers
from mining.scope.scope import Scope, define_scope
from tests.conftest import HAND_EVENTS

os.environ.setdefault("PM4PY_SHOW_PROGRESS_BAR", "False")

CASE, ACTIVITY, TIMESTAMP = "case:concept:name", "concept:name", "time:timestamp"


def _read_only(store: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(store), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def demo(demo_store: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    yield from _read_only(demo_store)


@pytest.fixture()
def helpdesk(helpdesk_store: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    yield from _read_only(helpdesk_store)


@pytest.fixture()
def bpic2013(bpic2013_store: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    yield from _read_only(bpic2013_store)


def _event_frame(connection: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The scope's work events in pm4py's column names, sorted by journey and our event order (time,
    then source event id); a missing department or team becomes a value of its own, as IS DISTINCT
    FROM treats it in the SQL."""
    frame = connection.execute(f"""
        SELECT journey_id AS "{CASE}", activity AS "{ACTIVITY}", ts AS "{TIMESTAMP}",
               coalesce(department, '(none)') AS department, coalesce(team, '(none)') AS team
        FROM scope_work_events ORDER BY journey_id, position
    """).df()
    frame[CASE] = frame[CASE].astype(str)
    return frame


def _assert_same_directly_follows(scope: Scope, frame: pd.DataFrame) -> None:
    dfg, starts, ends = pm4py.discover_dfg(frame)
    performance, _, _ = pm4py.discover_performance_dfg(frame)
    ours = discovery.directly_follows(scope)
    assert {(r.source_activity, r.target_activity): r.frequency for r in ours.itertuples()} == dict(dfg)
    for row in ours.itertuples():
        theirs = performance[(row.source_activity, row.target_activity)]
        assert row.mean_wait_hours == pytest.approx(theirs["mean"] / 3600), row
        assert row.median_wait_hours == pytest.approx(theirs["median"] / 3600), row
    bounds = discovery.start_end_activities(scope)
    assert {r.activity: r.starts for r in bounds.itertuples() if r.starts} == dict(starts)
    # pm4py ends every case where its events stop; ours only the finished ones (an open journey waits)
    open_ids = set(
        scope.connection.execute(f"SELECT journey_id::VARCHAR FROM {scope.journeys} WHERE is_open").df().iloc[:, 0]
    )
    _, _, finished_ends = pm4py.discover_dfg(frame[~frame[CASE].isin(open_ids)])
    assert {r.activity: r.ends for r in bounds.itertuples() if r.ends} == dict(finished_ends)
    assert len(open_ids) == 0 or dict(ends) != dict(finished_ends)


def _assert_same_variants(scope: Scope, frame: pd.DataFrame) -> None:
    theirs = {variant: int(count) for variant, count in pm4py.get_variants(frame).items()}
    ours = {tuple(r.variant.split(" → ")): r.journeys for r in discovery.variants(scope).itertuples()}
    assert ours == theirs


def _assert_same_handovers(scope: Scope, frame: pd.DataFrame, level: Level) -> None:
    network = pm4py.discover_handover_of_work_network(frame, beta=0, resource_key=level)
    pairs = len(frame) - frame[CASE].nunique()  # pm4py's divisor: every consecutive pair of events
    theirs = {pair: round(share * pairs) for pair, share in network.connections.items() if pair[0] != pair[1]}
    table = handovers(scope, level).fillna({f"from_{level}": "(none)", f"to_{level}": "(none)"})
    ours = {(r[0], r[1]): r[2] for r in table[[f"from_{level}", f"to_{level}", "handovers"]].itertuples(index=False)}
    assert ours == theirs


def test_hand_store_handovers_as_pm4py(hand_store) -> None:
    """By hand: 12 events in 3 journeys -> 9 consecutive pairs, and every one changes department (no
    self-pairs). Service Desk -> Management happens once in each journey: pm4py's share is 3/9, ours 3."""
    scope = define_scope(hand_store)
    frame = _event_frame(hand_store)
    assert len(frame) == len(HAND_EVENTS) == 12
    network = pm4py.discover_handover_of_work_network(frame, beta=0, resource_key="department")
    assert network.connections[("Service Desk", "Management")] == pytest.approx(3 / 9)
    _assert_same_handovers(scope, frame, "department")
    _assert_same_variants(scope, frame)


@pytest.mark.parametrize("level", ["department", "team"])
def test_demo_handovers_as_pm4py(demo, level: Level) -> None:
    scope = define_scope(demo, "laptop_request")
    _assert_same_handovers(scope, _event_frame(demo), level)


def test_demo_directly_follows_and_variants_as_pm4py(demo) -> None:
    scope = define_scope(demo)  # all journey types, open ones included
    frame = _event_frame(demo)
    _assert_same_directly_follows(scope, frame)
    _assert_same_variants(scope, frame)


def test_unsorted_frame_is_why_we_sort(demo) -> None:
    """The pitfall the frames above avoid: shuffled rows give pm4py.get_variants other counts."""
    define_scope(demo)
    frame = _event_frame(demo)
    shuffled = frame.sample(frac=1.0, random_state=3)
    assert dict(pm4py.get_variants(shuffled)) != dict(pm4py.get_variants(frame))


def test_helpdesk_as_pm4py(helpdesk) -> None:
    scope = define_scope(helpdesk)
    frame = _event_frame(helpdesk)
    _assert_same_directly_follows(scope, frame)
    _assert_same_variants(scope, frame)


def test_bpic2013_support_team_handovers_as_pm4py(bpic2013) -> None:
    """9,454 team handovers (SOURCES.md) and the same per pair as pm4py's handover-of-work network."""
    scope = define_scope(bpic2013)
    frame = _event_frame(bpic2013)
    _assert_same_handovers(scope, frame, "team")
    _assert_same_handovers(scope, frame, "department")
    _assert_same_directly_follows(scope, frame)
    _assert_same_variants(scope, frame)
