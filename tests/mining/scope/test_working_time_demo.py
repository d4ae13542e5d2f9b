"""Working time on the demo organisation, whose waits were drawn in working hours of the receiving
department (eventlogs/demo/simulator.py): the shipped time rules must turn the store's timestamps back
into those hours."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from eventlogs.demo import organisation as org
from eventlogs.demo.calendar import MinuteCalendar
from eventlogs.store import connect_store
from flows.paths import DEMO_TIME_RULES
from mining.scope.scope import define_scope
from mining.scope.time_rules import load_time_rules


@pytest.fixture(scope="module")
def demo_scope(demo_store: Path) -> duckdb.DuckDBPyConnection:
    connection = connect_store(demo_store, read_only=True)
    define_scope(connection, time_rules=load_time_rules(DEMO_TIME_RULES))
    yield connection
    connection.close()


def _waits(connection: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return connection.execute(f"""
        SELECT lag(e.activity) OVER w AS from_activity, e.activity, lag(e.department) OVER w AS from_department,
               e.department, lag(e.ts) OVER w AS previous_ts, e.ts, e.wait_hours, e.wait_working_hours,
               j.opened_at >= TIMESTAMPTZ '{org.PILOT.starts.isoformat()}' AS piloted
        FROM scope_work_events e JOIN scope_journeys j USING (journey_id)
        WINDOW w AS (PARTITION BY e.journey_id ORDER BY e.position)
    """).df()


def test_the_order_wait_before_the_pilot_is_the_injected_27_working_hours(demo_scope) -> None:
    waits = _waits(demo_scope)
    order = waits[(waits["activity"] == "Order placed") & (waits["from_department"] == org.MANAGEMENT)]
    before = order[~order["piloted"]]
    # Injected: log-normal, median 27 working hours, sigma = ln(80 / 27) / 1.2816 = 0.848. With n ≈ 210
    # draws the sample median's standard error in log space is 1.2533 * 0.848 / sqrt(210) = 0.073, so two
    # standard errors is about 15%. (Measured with seed 11: 213 waits, median 26.6 working hours.)
    assert len(before) > 150
    assert before["wait_working_hours"].median() == pytest.approx(org.WAITS["order"].median_hours, rel=0.15)
    # The same waits in calendar hours include nights and weekends: more than twice as long.
    assert before["wait_hours"].median() > 2 * org.WAITS["order"].median_hours
    # After the pilot: median 6, sigma 0.765, n ≈ 235 -> two standard errors is about 13%.
    after = order[order["piloted"]]
    assert after["wait_working_hours"].median() == pytest.approx(org.PILOT_WAITS["order"].median_hours, rel=0.13)


def test_every_wait_equals_the_simulators_own_minute_calendar(demo_scope) -> None:
    """An independent implementation: the simulator's minute-grid calendar of the receiving department.
    The store's timestamps carry seconds, the grid counts whole minutes, so they agree within a minute."""
    waits = _waits(demo_scope).dropna(subset=["previous_ts"])
    start = pd.Timestamp("2025-12-01", tz="UTC")
    first, last = int(start.timestamp() // 60), int(pd.Timestamp("2026-12-31", tz="UTC").timestamp() // 60)

    def minute(column: str) -> np.ndarray:
        return ((pd.to_datetime(waits[column], utc=True) - start).dt.total_seconds() // 60).to_numpy(np.int64)

    previous, current = minute("previous_ts"), minute("ts")
    expected = np.full(len(waits), np.nan)
    for department, hours in org.CALENDAR_OF_DEPARTMENT.items():
        calendar = MinuteCalendar(hours, first, last)
        mask = (waits["department"] == department).to_numpy()
        expected[mask] = (calendar.cumulative[current[mask]] - calendar.cumulative[previous[mask]]) / 60.0
    assert not np.isnan(expected).any()
    assert np.abs(expected - waits["wait_working_hours"].to_numpy()).max() <= 1 / 60 + 1e-9
