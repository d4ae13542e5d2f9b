"""Working time and pauses on BPI Challenge 2013 with the shipped time rules, against independent
pandas/numpy computations of the same definitions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from mining.scope.scope import define_scope
from mining.scope.time_rules import load_time_rules
from tests.conftest import EXAMPLES

RULES = EXAMPLES / "bpic2013_incidents.time.yaml"


@pytest.fixture(scope="module")
def bpic2013(bpic2013_store: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(bpic2013_store), read_only=True)
    define_scope(connection, time_rules=load_time_rules(RULES))
    yield connection
    connection.close()


def test_paused_time_is_the_gap_after_each_wait_for_the_caller(bpic2013) -> None:
    events = bpic2013.execute(
        "SELECT journey_id, activity, ts, source_event_id FROM events WHERE event_kind = 'work'"
    ).df()
    events = events.sort_values(["journey_id", "ts", "source_event_id"], kind="stable")
    gap = events.groupby("journey_id")["ts"].diff().dt.total_seconds() / 3600.0
    after_pause = (
        events.groupby("journey_id")["activity"].shift().isin(["Accepted - Wait - User", "Accepted - Wait - Customer"])
    )
    paused, gaps = bpic2013.execute(
        "SELECT sum(paused_hours), count(*) FILTER (WHERE paused_hours > 0) FROM scope_work_events"
    ).fetchone()
    assert paused == pytest.approx(gap[after_pause].sum(), rel=1e-9)
    assert gaps == int((after_pause & (gap > 0)).sum())
    # and no internal working wait is left on those gaps
    left = bpic2013.execute("SELECT sum(wait_working_hours) FILTER (WHERE paused_hours > 0) FROM scope_work_events")
    assert left.fetchone()[0] == 0


def test_lead_working_hours_equal_a_business_day_count(bpic2013) -> None:
    """Mon-Fri 08:00-18:00 Brussels with holidays, by numpy's business-day arithmetic: the working hours
    up to a local wall-clock time t are 10 per business day before t's date plus the part of t's own day
    (08:00-18:00 never contains a DST change, so wall-clock hours are real hours there)."""
    rules = load_time_rules(RULES)
    holidays = np.array(sorted(rules.calendars["volvo_it_belgium"].holidays), dtype="datetime64[D]")
    journeys = bpic2013.execute("SELECT journey_id, opened_at, closed_at, lead_working_hours FROM scope_journeys").df()

    def clock(column: str) -> np.ndarray:
        local = pd.to_datetime(journeys[column], utc=True).dt.tz_convert("Europe/Brussels").dt.tz_localize(None)
        day = local.dt.floor("D").to_numpy().astype("datetime64[D]")
        hours = ((local - local.dt.floor("D")).dt.total_seconds() / 3600.0).to_numpy()
        working_day = np.is_busday(day, holidays=holidays)
        before = np.busday_count(np.datetime64("2010-01-04"), day, holidays=holidays) * 10.0
        return before + np.where(working_day, np.clip(hours, 8, 18) - 8, 0.0)

    expected = clock("closed_at") - clock("opened_at")
    assert np.abs(expected - journeys["lead_working_hours"].to_numpy()).max() < 1e-6
    # (measured: median lead 181.2 calendar hours, 7.55 days as in SOURCES.md, but 54.8 working hours)
