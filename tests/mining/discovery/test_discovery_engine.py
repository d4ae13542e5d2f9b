"""The single-pass discovery engine gives the same tables as the SQL of mining/discovery/tables.py and
mining/discovery/handovers.py: on the hand-made store (numbers worked out on paper) and on the 600-journey demo,
from the store's coded copy and from a scope coded on the fly, in calendar and in working time."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from eventlogs.store import connect_store
from eventlogs.store.coded_events import coded_copy_is_fresh, refresh_coded_events
from flows.paths import DEMO_TIME_RULES
from mining.discovery import engine as discovery_engine
from mining.discovery import tables as discovery
from mining.discovery.coded_scope import CodedScope, load_coded_scope
from mining.discovery.handovers import handovers
from mining.discovery.kernels import BRACKETED_FROM, grouped_median_p90
from mining.discovery.step import discovery_tables
from mining.errors import AnalysisError
from mining.scope.scope import Scope, define_scope
from mining.scope.time_rules import TimeRules, load_time_rules

FIELDS = ("activity", "department", "team")

# (name, SQL table, engine table); handovers are sorted by pair, as equal totals may come in any order
TABLES: list[tuple[str, Callable, Callable]] = [
    ("variants", discovery.variants, discovery_engine.variants),
    ("directly_follows", discovery.directly_follows, discovery_engine.directly_follows),
    ("start_end_activities", discovery.start_end_activities, discovery_engine.start_end_activities),
    ("handovers_department", lambda c: handovers(c, "department"), lambda s: discovery_engine.handovers(s)),
    ("handovers_team", lambda c: handovers(c, "team"), lambda s: discovery_engine.handovers(s, "team")),
]


def _assert_same_tables(sql_scope: Scope, scope: CodedScope) -> None:
    for name, sql_table, engine_table in TABLES:
        expected, actual = sql_table(sql_scope), engine_table(scope)
        if name.startswith("handovers"):
            pair = list(expected.columns[:2])
            expected = expected.sort_values(pair, ignore_index=True)
            actual = actual.sort_values(pair, ignore_index=True)
        # counts and names exactly; sums may add up in another order (DuckDB in parallel), so 1e-12 relative
        pd.testing.assert_frame_equal(actual, expected, check_dtype=True, rtol=1e-12, obj=name)
    together = discovery_engine.discover(scope, ("department", "team"))
    for name, _, engine_table in TABLES:
        pd.testing.assert_frame_equal(together[name], engine_table(scope), obj=f"discover: {name}")
    overview = discovery.journey_overview(sql_scope)
    for key, value in discovery_engine.journey_times(scope).items():
        assert value == pytest.approx(overview[key], rel=1e-12, nan_ok=True), key


def test_hand_store_tables_equal_the_sql_and_the_paper(hand_store) -> None:
    in_scope = define_scope(hand_store)
    scope = load_coded_scope(in_scope, FIELDS)  # no coded copy in the store: coded on the fly
    _assert_same_tables(in_scope, scope)
    dfg = discovery_engine.directly_follows(scope).set_index(["source_activity", "target_activity"])
    # A->B waits: J1 10 h, J2 4 h, J3 48 h; mean 62 / 3; p90 at (3 - 1) * 0.9 = 1.8: 10 + 0.8 * (48 - 10) = 40.4
    assert dfg.loc[("A", "B"), ["frequency", "journeys"]].tolist() == [3, 3]
    assert dfg.loc[("A", "B"), "mean_wait_hours"] == pytest.approx(62 / 3)
    assert dfg.loc[("A", "B"), "p90_wait_hours"] == pytest.approx(40.4)
    # B->C: J1 20 h, J2 2 h and 4 h: 3 times in 2 journeys, median 4
    assert dfg.loc[("B", "C"), ["frequency", "journeys", "median_wait_hours"]].tolist() == [3, 2, 4]
    variants = discovery_engine.variants(scope).set_index("variant")
    # J2 ping-pongs; J3 (A, B) is open: one journey, no lead time; J1 closes at 31 h
    assert variants.loc["A → B → C → B → C → D", ["steps", "journeys"]].tolist() == [6, 1]
    assert variants.loc["A → B", "open_journeys"] == 1 and np.isnan(variants.loc["A → B", "median_lead_hours"])
    assert variants.loc["A → B → C → D", "median_lead_hours"] == pytest.approx(31)
    bounds = discovery_engine.start_end_activities(scope).set_index("activity")
    assert bounds.to_dict("index") == {"A": {"starts": 3, "ends": 0}, "D": {"starts": 0, "ends": 2}}
    # Management -> Procurement: J1 B->C 20 h, J2 B->C 2 h and 4 h: 3 handovers, 2 journeys, 26 h in total
    pairs = discovery_engine.handovers(scope).set_index(["from_department", "to_department"])
    assert pairs.loc[("Management", "Procurement"), ["handovers", "journeys"]].tolist() == [3, 2]
    assert pairs.loc[("Management", "Procurement"), "total_wait_hours"] == pytest.approx(26)
    # lead times of the two finished journeys: 22 h and 31 h, median 26.5
    assert discovery_engine.journey_times(scope)["median_lead_hours"] == pytest.approx(26.5)


def test_hand_store_with_a_pause_activity(hand_store) -> None:
    """A pause takes its gap out of the internal wait: the engine then reads the scope's working-time and
    paused columns. With C a pause, C->B (J2, 10 h) and C->D (J1 1 h, J2 2 h) are paused, not waited."""
    rules = TimeRules(pause_activities=("C",))
    in_scope = define_scope(hand_store, time_rules=rules)
    scope = load_coded_scope(in_scope, FIELDS)
    _assert_same_tables(in_scope, scope)
    pairs = discovery_engine.handovers(scope).set_index(["from_department", "to_department"])
    assert pairs.loc[("Procurement", "Service Desk"), ["total_wait_hours", "paused_hours"]].tolist() == [0, 3]


def test_coded_copy_is_used_while_fresh_and_ignored_once_stale(hand_store) -> None:
    refresh_coded_events(hand_store)
    assert coded_copy_is_fresh(hand_store)
    in_scope = define_scope(hand_store)
    _assert_same_tables(in_scope, load_coded_scope(in_scope, FIELDS))
    # a later load adds events the copy lacks: J1 gets an E at 40 h, so D->E appears once
    hand_store.execute("""
        INSERT INTO events VALUES ('J1', 'E', TIMESTAMPTZ '2026-03-04 01:00:00+00', 'Carrier', 'Carrier team',
                                   NULL, 'work', 'hand', 'late-1', NULL, NULL, 'r2')
    """)
    hand_store.execute("INSERT INTO load_runs VALUES ('r2', 'hand', now(), now(), 1, 1, 0, 0)")
    assert not coded_copy_is_fresh(hand_store)
    scope = load_coded_scope(in_scope, FIELDS)
    _assert_same_tables(in_scope, scope)
    dfg = discovery_engine.directly_follows(scope).set_index(["source_activity", "target_activity"])
    assert dfg.loc[("D", "E"), "frequency"] == 1


@pytest.mark.parametrize("journey_type", [None, "laptop_request"])
def test_demo_tables_equal_the_sql_from_the_coded_copy(demo_store: Path, journey_type: str | None) -> None:
    connection = connect_store(demo_store, read_only=True)
    try:
        assert coded_copy_is_fresh(connection)
        in_scope = define_scope(connection, journey_type)
        scope = load_coded_scope(in_scope, FIELDS)
        assert scope.in_scope.sum() == in_scope.journey_count
        _assert_same_tables(in_scope, scope)
    finally:
        connection.close()


def test_demo_tables_equal_the_sql_in_working_time(demo_store: Path) -> None:
    rules = load_time_rules(DEMO_TIME_RULES)
    connection = connect_store(demo_store, read_only=True)
    try:
        in_scope = define_scope(connection, "laptop_request", time_rules=rules)
        scope = load_coded_scope(in_scope, FIELDS)
        assert scope.wait_working_hours is not None  # read from the scope, not taken as calendar time
        _assert_same_tables(in_scope, scope)
    finally:
        connection.close()


def test_median_and_p90_of_large_groups_equal_duckdb() -> None:
    """Groups from BRACKETED_FROM values on are bracketed by a sample, smaller ones selected in place: both
    must give quantile_cont's figures, with ties, a constant group, sorted input and a tiny group."""
    rng = np.random.default_rng(5)
    size = BRACKETED_FROM + 1_001
    groups = [
        rng.lognormal(2, 1, size),
        np.round(rng.lognormal(1, 1, size), 1),  # many ties
        np.zeros(size),
        np.concatenate([np.zeros(size // 2), rng.random(size // 2)]),  # the median sits on a run of ties
        np.sort(rng.random(size)),
        rng.random(7),
        rng.random(BRACKETED_FROM - 1),
    ]
    offsets = np.concatenate([[0], np.cumsum([len(group) for group in groups])])
    median, p90 = grouped_median_p90(offsets, np.concatenate(groups))
    connection = duckdb.connect()
    for index, group in enumerate(groups):
        frame = pd.DataFrame({"v": group})  # noqa: F841 (read by DuckDB's replacement scan)
        expected = connection.execute("SELECT quantile_cont(v, 0.5), quantile_cont(v, 0.9) FROM frame").fetchone()
        assert (median[index], p90[index]) == pytest.approx(expected, rel=1e-15), index


@pytest.mark.parametrize("loaded", ["helpdesk_store", "bpic2013_store"])
def test_real_logs_tables_equal_the_sql(loaded: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """On the real logs activities are done by several departments (BPIC 2013: 14 activities, 26
    departments, 650 teams): the edges' departments still agree, named by their first occurrence."""
    store = tmp_path / "store.duckdb"
    shutil.copyfile(request.getfixturevalue(loaded), store)  # the session's load, copied: it is written below
    writer = connect_store(store)
    refresh_coded_events(writer)
    writer.close()
    connection = connect_store(store, read_only=True)
    try:
        in_scope = define_scope(connection)
        _assert_same_tables(in_scope, load_coded_scope(in_scope, FIELDS))
    finally:
        connection.close()


def test_a_field_too_large_for_the_pair_engine_goes_to_sql(hand_store, monkeypatch: pytest.MonkeyPatch) -> None:
    """With room for only two codes, the hand store's activities (A..D) do not fit the engine's pair tables:
    the step answers from SQL, with the same tables the engine gives when they fit."""
    in_scope = define_scope(hand_store)
    with_engine = discovery_tables(in_scope, ("department",))
    monkeypatch.setattr(discovery_engine, "MAX_PAIR_CODES", 2)
    with pytest.raises(AnalysisError, match="too many for the pair engine"):
        discovery_engine.discover(load_coded_scope(in_scope, FIELDS), ("department",))
    from_sql = discovery_tables(in_scope, ("department",))
    assert set(from_sql) == set(with_engine)
    for name, table in with_engine.items():
        pd.testing.assert_frame_equal(from_sql[name], table, check_dtype=False, rtol=1e-12, obj=name)
