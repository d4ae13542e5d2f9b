"""Activity instances: a start and its complete are one step in every analysis; worked out by hand.

The log (UTC, 2026-03-02), departments Front and Back, instance ids in `inst`:
  j1: A start 09:00, A complete 10:00, B start 11:00, B complete 12:00, C complete 13:00 (no start)
  j2: A start 09:00, A complete 09:30, B start 10:00 (b1), B start 10:15 (b2: parallel), B complete 10:45
      (b2), B complete 11:00 (b1), C start 12:00 (never completed)
Steps: j1 A 09-10, B 11-12, C 13:00; j2 A 09:00-09:30, B from 10:00, B from 10:15, C 12:00.
With the instance ids, j2's B b1 runs 10:00-11:00 and b2 10:15-10:45; without them the first start pairs
with the first complete: 10:00-10:45 and 10:15-11:00.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from eventlogs.errors import ConfigError
from eventlogs.pipeline import extract_and_load
from eventlogs.store import event_columns
from mining.discovery import engine as discovery_engine
from mining.discovery import tables as discovery
from mining.discovery.coded_scope import load_coded_scope
from mining.discovery.handovers import handovers
from mining.discovery.processing import processing_per_activity
from mining.discovery.step import discovery_tables
from mining.scope.scope import Scope, define_scope

LOG = """case,activity,transition,time,dept,inst
j1,A,start,2026-03-02 09:00:00,Front,a1
j1,A,complete,2026-03-02 10:00:00,Front,a1
j1,B,start,2026-03-02 11:00:00,Back,b1
j1,B,complete,2026-03-02 12:00:00,Back,b1
j1,C,complete,2026-03-02 13:00:00,Front,c1
j2,A,start,2026-03-02 09:00:00,Front,a1
j2,A,complete,2026-03-02 09:30:00,Front,a1
j2,B,start,2026-03-02 10:00:00,Back,b1
j2,B,start,2026-03-02 10:15:00,Back,b2
j2,B,complete,2026-03-02 10:45:00,Back,b2
j2,B,complete,2026-03-02 11:00:00,Back,b1
j2,C,start,2026-03-02 12:00:00,Front,c1
"""
CONFIG = """
[sources.log]
kind = "csv_event_log"
path = "log.csv"
journey_type = "ticket"
[sources.log.fields]
journey_id = "case"
activity = "activity"
timestamp = "time"
department = "dept"
lifecycle = "transition"
"""
WITH_INSTANCES = CONFIG + 'instance = "inst"\n'


def _load(folder: Path, config: str) -> Path:
    (folder / "log.csv").write_text(LOG)
    (folder / "log.toml").write_text(config)
    extract_and_load(folder / "log.toml", folder / "store.duckdb")
    return folder / "store.duckdb"


@pytest.fixture(params=["by_order", "by_instance"])
def scope(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Scope]:
    store = _load(tmp_path, CONFIG if request.param == "by_order" else WITH_INSTANCES)
    connection = duckdb.connect(str(store), read_only=True)
    yield define_scope(connection)
    connection.close()


def _by_instance(scope: Scope) -> bool:
    """The store was loaded with `instance` mapped (only then does it have the column)."""
    return "instance" in event_columns(scope.connection)


def test_an_instance_is_one_step_in_the_variants(scope: Scope) -> None:
    variants = discovery.variants(scope).set_index("variant")
    # not A → A → B → B → C: each start + complete is one step; j2's two parallel B instances are two
    assert variants["journeys"].to_dict() == {"A → B → C": 1, "A → B → B → C": 1}
    assert scope.lifecycle


def test_directly_follows_counts_and_waits_between_steps(scope: Scope) -> None:
    dfg = discovery.directly_follows(scope).set_index(["source_activity", "target_activity"])
    assert dfg["frequency"].to_dict() == {("A", "B"): 2, ("B", "C"): 2, ("B", "B"): 1}
    # A → B: j1 10:00 → 11:00 = 1 h, j2 09:30 → 10:00 = 0.5 h
    assert dfg.loc[("A", "B"), "mean_wait_hours"] == pytest.approx(0.75)
    # B → B: the second B started (10:15) before the first ended (10:45 or 11:00): no wait
    assert dfg.loc[("B", "B"), "mean_wait_hours"] == 0
    # B → C: j1 12:00 → 13:00 = 1 h; j2 from the second B's end: 10:45 (by instance, 1.25 h) or 11:00 (1 h)
    expected = (1 + 1.25) / 2 if _by_instance(scope) else 1.0
    assert dfg.loc[("B", "C"), "mean_wait_hours"] == pytest.approx(expected)


def test_rework_counts_instances_not_events(scope: Scope) -> None:
    activities = discovery.activities(scope).set_index("activity")
    # A once per journey (no rework, where counting events saw it twice); B twice in j2 (two instances)
    assert activities[["frequency", "journeys"]].to_dict("index") == {
        "A": {"frequency": 2, "journeys": 2},
        "B": {"frequency": 3, "journeys": 2},
        "C": {"frequency": 2, "journeys": 2},
    }


def test_handovers_between_instances(scope: Scope) -> None:
    table = handovers(scope, "department").set_index(["from_department", "to_department"])
    # Front → Back: j1 1 h, j2 0.5 h; Back → Front: j1 1 h, j2 1.25 h (by instance) or 1 h; B → B is no handover
    back_to_front = 2.25 if _by_instance(scope) else 2.0
    assert table["handovers"].to_dict() == {("Front", "Back"): 2, ("Back", "Front"): 2}
    assert table.loc[("Front", "Back"), "total_wait_hours"] == pytest.approx(1.5)
    assert table.loc[("Back", "Front"), "total_wait_hours"] == pytest.approx(back_to_front)


def test_processing_and_unpaired_steps(scope: Scope) -> None:
    table = processing_per_activity(scope).set_index("activity")
    # B: j1 1 h; j2 by instance 1 h and 0.5 h (median 1), by order 0.75 h twice (median 0.75)
    median = 1.0 if _by_instance(scope) else 0.75
    assert table.loc["B", ["executions", "median_processing_hours"]].tolist() == [3, median]
    # C: j1 a complete without its start, j2 a start never completed: each one step, neither paired
    assert table.loc["C", ["executions", "unpaired_starts", "unpaired_completes"]].tolist() == [0, 1, 1]
    steps = scope.connection.execute(
        f"SELECT journey_id, activity, strftime(ts, '%H:%M'), strftime(completed_at, '%H:%M') FROM {scope.work_events} "
        "WHERE activity = 'C' ORDER BY journey_id"
    ).fetchall()
    assert steps == [("j1", "C", "13:00", None), ("j2", "C", "12:00", None)]


def test_the_engine_gives_the_sql_answer(scope: Scope) -> None:
    # the store holds a fresh coded copy of its events; the engine must count the instances all the same
    found = discovery_tables(scope, ("department",))
    pd.testing.assert_frame_equal(found["variants"], discovery.variants(scope), rtol=1e-12)
    pd.testing.assert_frame_equal(found["directly_follows"], discovery.directly_follows(scope), rtol=1e-12)
    expected = handovers(scope, "department").sort_values(["from_department", "to_department"], ignore_index=True)
    actual = found["handovers_department"].sort_values(["from_department", "to_department"], ignore_index=True)
    pd.testing.assert_frame_equal(actual, expected, rtol=1e-12)
    coded = load_coded_scope(scope, ("activity", "department"))
    assert discovery_engine.variants(coded)["variant"].tolist() == ["A → B → B → C", "A → B → C"]


XES = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1.0" xmlns="http://www.xes-standard.org/">
  <trace>
    <string key="concept:name" value="c1"/>
    <event><string key="concept:name" value="Review"/><string key="lifecycle:transition" value="start"/>
      <string key="concept:instance" value="r1"/><date key="time:timestamp" value="2026-03-02T09:00:00+00:00"/></event>
    <event><string key="concept:name" value="Review"/><string key="lifecycle:transition" value="start"/>
      <string key="concept:instance" value="r2"/><date key="time:timestamp" value="2026-03-02T09:10:00+00:00"/></event>
    <event><string key="concept:name" value="Review"/><string key="lifecycle:transition" value="complete"/>
      <string key="concept:instance" value="r2"/><date key="time:timestamp" value="2026-03-02T09:20:00+00:00"/></event>
    <event><string key="concept:name" value="Review"/><string key="lifecycle:transition" value="complete"/>
      <string key="concept:instance" value="r1"/><date key="time:timestamp" value="2026-03-02T10:00:00+00:00"/></event>
  </trace>
</log>
"""
XES_CONFIG = """
[sources.log]
kind = "xes"
path = "log.xes"
journey_type = "ticket"
[sources.log.fields]
activity = "concept:name"
lifecycle = "lifecycle:transition"
instance = "concept:instance"
"""


def test_xes_lifecycle_and_instance_by_their_real_names(tmp_path: Path) -> None:
    (tmp_path / "log.xes").write_text(XES)
    (tmp_path / "log.toml").write_text(XES_CONFIG)
    extract_and_load(tmp_path / "log.toml", tmp_path / "store.duckdb")
    with duckdb.connect(str(tmp_path / "store.duckdb"), read_only=True) as connection:
        scope = define_scope(connection)
        steps = connection.execute(
            f"SELECT strftime(ts, '%H:%M'), strftime(completed_at, '%H:%M'), processing_hours "
            f"FROM {scope.work_events} ORDER BY position"
        ).fetchall()
    # r1 09:00-10:00 (1 h), r2 09:10-09:20 (1/6 h): paired by their instance ids, not by order
    assert steps == [("09:00", "10:00", 1.0), ("09:10", "09:20", pytest.approx(1 / 6))]


@pytest.mark.parametrize("kind", ["csv", "xes"])
def test_a_mapped_field_the_log_lacks_is_a_config_error_naming_it(tmp_path: Path, kind: str) -> None:
    if kind == "xes":
        (tmp_path / "log.xes").write_text(XES)
        config = XES_CONFIG.replace('"concept:instance"', '"instance:id"')
        columns = "concept:instance, concept:name, lifecycle:transition, time:timestamp"
    else:
        (tmp_path / "log.csv").write_text(LOG)
        config = CONFIG.replace('lifecycle = "transition"', 'lifecycle = "lifecycle:transition"')
        columns = "activity, case, dept, inst, time, transition"
    (tmp_path / "log.toml").write_text(config)
    with pytest.raises(ConfigError) as raised:
        extract_and_load(tmp_path / "log.toml", tmp_path / "store.duckdb")
    message = str(raised.value)
    assert f"log.{kind}" in message and "no such" in message
    assert (
        "fields.instance = 'instance:id'" if kind == "xes" else "fields.lifecycle = 'lifecycle:transition'"
    ) in message
    assert columns in message
