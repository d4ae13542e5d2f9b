"""The Spark scope and tables on a hand-made store whose answers are worked out here: the journey type and
period filter, the order at equal times (sequence, then event id), events without a department, open
journeys; and the clear errors for what Spark does not do yet."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest

from eventlogs.errors import AnalysisError
from eventlogs.store import connect_store
from eventlogs.store.connection import add_event_columns
from mining.runs.mine import embedded_tables
from mining.scope.scope import define_scope
from mining.scope.time_rules import TimeRules
from mining.spark import (
    EventSource,
    define_spark_scope,
    reduce_events,
    refuse_working_time,
    register_source,
    spark_errors,
)
from tests.conftest import HAND_CLOSED_AT, HAND_EVENTS, T0, event_row, hand_made_store, journey_row
from tests.spark.conftest import assert_same_table, exported

pytestmark = pytest.mark.spark


def _store(path: Path) -> Path:
    """The conftest's hand journeys J1-J3 (type t), plus:
    J4 (type t): B and C at the same time, C first by `sequence`; then D by a department-less event X:
    Service Desk -> (none) -> Service Desk, a handover to nobody and back, never a ping-pong;
    J5 (type other), opened ten days later: A then B at the same time without sequence, ordered by event id."""
    journeys = [journey_row(j, T0, None if c is None else T0 + timedelta(hours=c)) for j, c in HAND_CLOSED_AT.items()]
    journeys.append(journey_row("J4", T0, T0 + timedelta(hours=9)))
    journeys.append(journey_row("J5", T0 + timedelta(days=10), T0 + timedelta(days=10, hours=2), journey_type="other"))
    events = [
        event_row(j, a, T0 + timedelta(hours=h), d, f"{j}-{i}", team=f"{d} team")
        for i, (j, a, d, h) in enumerate(HAND_EVENTS)
    ]
    events += [
        event_row("J4", "A", T0, "Service Desk", "J4-a", team="Desk team"),
        event_row("J4", "B", T0 + timedelta(hours=2), "Management", "J4-b", team="M team", sequence=2),
        event_row("J4", "C", T0 + timedelta(hours=2), "Procurement", "J4-c", team="P team", sequence=1),
        event_row("J4", "D", T0 + timedelta(hours=5), "Service Desk", "J4-d", team="Desk team"),
        event_row("J4", "X", T0 + timedelta(hours=7), None, "J4-x"),
        event_row("J4", "D", T0 + timedelta(hours=9), "Service Desk", "J4-e", team="Desk team"),
        event_row("J5", "B", T0 + timedelta(days=10, hours=1), "Management", "J5-2"),
        event_row("J5", "A", T0 + timedelta(days=10, hours=1), "Service Desk", "J5-1"),
    ]
    connection = connect_store(path)
    add_event_columns(connection, {"sequence"})
    hand_made_store(connection, journeys, events)
    connection.close()
    return path


@pytest.fixture(scope="module")
def hand(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, EventSource]:
    folder = tmp_path_factory.mktemp("spark_hand")
    store = _store(folder / "hand.duckdb")
    return store, exported(store, folder / "export")


def _both(spark: object, hand: tuple[Path, EventSource], journey_type: str | None, period: tuple[date, date] | None):
    from pyspark.sql import SparkSession

    assert isinstance(spark, SparkSession)
    store, source = hand
    spark_tables = reduce_events(define_spark_scope(spark, register_source(spark, source), journey_type, period))
    connection = connect_store(store, read_only=True)
    try:
        return spark_tables, embedded_tables(define_scope(connection, journey_type, period))
    finally:
        connection.close()


def test_hand_answers(spark: object, hand: tuple[Path, EventSource]) -> None:
    found, embedded = _both(spark, hand, "t", None)
    for name, table in embedded.items():
        assert_same_table(name, table, found[name])
    variants = found["variants"].set_index("variant")
    # J4: C before B (sequence 1 before 2 at the same time); J5 is of another type
    assert variants["journeys"].to_dict() == {
        "A → B → C → D": 1,
        "A → B → C → B → C → D": 1,
        "A → B": 1,
        "A → C → B → D → X → D": 1,
    }
    assert variants.loc["A → B", "open_journeys"] == 1
    assert variants.loc["A → B → C → D", "median_lead_hours"] == pytest.approx(31)
    departments = found["handovers_department"]
    to_nobody = departments[departments["from_department"].eq("Service Desk") & departments["to_department"].isna()]
    assert to_nobody["handovers"].tolist() == [1] and to_nobody["total_wait_hours"].tolist() == [pytest.approx(2)]
    bounced = found["ping_pong_department"]
    # J2: Management -> Procurement -> Management -> Procurement; no bounce through the department-less X
    assert sorted(zip(bounced["from_department"], bounced["to_department"], strict=True)) == [
        ("Management", "Procurement"),
        ("Procurement", "Management"),
    ]


def test_period_and_type_filters(spark: object, hand: tuple[Path, EventSource]) -> None:
    later = (T0.date() + timedelta(days=10), T0.date() + timedelta(days=10))
    found, embedded = _both(spark, hand, None, later)
    assert found["variants"]["variant"].tolist() == ["A → B"]  # J5 only: A and B at one time, by event id
    for name, table in embedded.items():
        assert_same_table(name, table, found[name])
    with pytest.raises(AnalysisError, match="no journeys of type 'nothing'"):
        _both(spark, hand, "nothing", None)


def test_what_spark_does_not_do_yet_is_refused(spark: object, tmp_path: Path, hand: tuple[Path, EventSource]) -> None:
    from pyspark.sql import SparkSession

    assert isinstance(spark, SparkSession)
    with pytest.raises(AnalysisError, match=r"working time is not supported on the Spark engine yet.*1 business"):
        refuse_working_time(TimeRules(calendars={"office": object()}))  # type: ignore[dict-item]
    with pytest.raises(AnalysisError, match=r"pause activity"):
        refuse_working_time(TimeRules(pause_activities=("Waiting for customer",)))
    refuse_working_time(TimeRules())  # no rules: nothing lost
    events = pd.read_parquet(hand[1].events)
    lifecycle = tmp_path / "lifecycle"
    lifecycle.mkdir()
    events.assign(lifecycle="start").to_parquet(lifecycle / "events.parquet")
    with pytest.raises(AnalysisError, match="start/complete lifecycles"):
        register_source(spark, EventSource(str(lifecycle / "events.parquet"), hand[1].journeys))
    events.drop(columns=["team"]).to_parquet(tmp_path / "teamless.parquet")
    with pytest.raises(AnalysisError, match=r"teamless.parquet: the events lack the canonical column\(s\) team"):
        register_source(spark, EventSource(str(tmp_path / "teamless.parquet"), hand[1].journeys))
    events.assign(ts=events["ts"].astype(str)).to_parquet(tmp_path / "text_times.parquet")
    with pytest.raises(AnalysisError, match=r"text_times.parquet: the events' time column\(s\) ts \(string\)"):
        register_source(spark, EventSource(str(tmp_path / "text_times.parquet"), hand[1].journeys))
    (tmp_path / "not_parquet.parquet").write_text("journey_id,activity\n")
    with pytest.raises(AnalysisError, match=r"^Spark: "), spark_errors():
        register_source(spark, EventSource(str(tmp_path / "not_parquet.parquet"), hand[1].journeys))
    with pytest.raises(AnalysisError, match="not a `journey export` folder"):
        EventSource.at(str(tmp_path))
