"""Processing versus waiting on a tiny log with start and complete timestamps, worked out by hand.

The steps, as the scope pairs them (first start with first complete of the activity):
c1: Register 09:00-09:30, Review 11:30-14:30.
c2: Register 09:00-10:00, Review 12:00-15:00, Review 13:00 (a second start: unpaired), Review 14:00 (the
suspend: no lifecycle, a step of its own), Close 15:30 (a complete without its start)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from eventlogs.pipeline import extract_and_load
from mining.discovery.processing import processing_per_activity, processing_per_journey
from mining.scope.scope import Scope, define_scope
from mining.scope.time_rules import load_time_rules

# 2026-03-02 is a Monday; times are UTC.
LOG = """case,activity,transition,time
c1,Register,start,2026-03-02 09:00:00
c1,Register,complete,2026-03-02 09:30:00
c1,Review,start,2026-03-02 11:30:00
c1,Review,complete,2026-03-02 14:30:00
c2,Register,Start,2026-03-02 09:00:00
c2,Register,COMPLETE,2026-03-02 10:00:00
c2,Review,start,2026-03-02 12:00:00
c2,Review,start,2026-03-02 13:00:00
c2,Review,suspend,2026-03-02 14:00:00
c2,Review,complete,2026-03-02 15:00:00
c2,Close,complete,2026-03-02 15:30:00
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
lifecycle = "transition"
"""
# working hours with a lunch break, to tell working from calendar time
RULES = """
calendars:
  office: {timezone: UTC, hours: {mon-fri: "09:00-12:00, 13:00-17:00"}}
default_calendar: office
"""


@pytest.fixture()
def loaded(tmp_path: Path) -> Path:
    """The folder holding the log loaded into store.duckdb, and rules.yaml."""
    (tmp_path / "log.csv").write_text(LOG)
    (tmp_path / "log.toml").write_text(CONFIG)
    (tmp_path / "rules.yaml").write_text(RULES)
    extract_and_load(tmp_path / "log.toml", tmp_path / "store.duckdb")
    return tmp_path


@pytest.fixture()
def store(loaded: Path) -> Iterator[Scope]:
    connection = duckdb.connect(str(loaded / "store.duckdb"), read_only=True)
    yield define_scope(connection, time_rules=load_time_rules(loaded / "rules.yaml"))
    connection.close()


def test_lifecycle_is_mapped_case_insensitively(store: Scope) -> None:
    values = store.connection.execute("SELECT lifecycle, count(*) FROM events GROUP BY ALL ORDER BY ALL").fetchall()
    # 'Start' and 'COMPLETE' count as start and complete; 'suspend' is no lifecycle of ours
    assert values == [("complete", 5), ("start", 5), (None, 1)]
    # the mapped field is not repeated in the attributes
    assert store.connection.execute(
        "SELECT count(*) FROM events WHERE attributes::VARCHAR LIKE '%transition%'"
    ).fetchone() == (0,)


def test_processing_per_activity(store: Scope) -> None:
    table = processing_per_activity(store).set_index("activity")
    # Register: c1 09:00-09:30 = 0.5 h, c2 09:00-10:00 = 1 h; both inside working hours
    register = table.loc["Register"]
    assert register[["executions", "mean_processing_hours", "median_processing_hours"]].tolist() == [2, 0.75, 0.75]
    assert register["median_processing_working_hours"] == pytest.approx(0.75)
    # Review: c1 11:30-14:30 = 3 h (working: 11:30-12:00 + 13:00-14:30 = 2 h); c2's first start pairs with the
    # complete, 12:00-15:00 = 3 h (working: lunch 12-13 left out: 2 h); its second start stays unpaired
    review = table.loc["Review"]
    assert review[["executions", "median_processing_hours", "unpaired_starts"]].tolist() == [2, 3.0, 1]
    assert review["median_processing_working_hours"] == pytest.approx(2.0)
    # waits before Review's lifecycle steps: c1 09:30 -> 11:30 = 2, c2 10:00 -> 12:00 = 2, the unpaired start
    # 13:00 began before the previous step ended (15:00): 0 -> median 2 (working 2, 2, 0 -> 2)
    assert review[["median_wait_hours", "median_wait_working_hours"]].tolist() == pytest.approx([2.0, 2.0])
    # Close has a complete and no start
    close = table.loc["Close"]
    assert close[["executions", "unpaired_starts", "unpaired_completes"]].tolist() == [0, 0, 1]


def test_processing_per_journey(store: Scope) -> None:
    table = processing_per_journey(store).set_index("journey_id")
    # c1: processing 0.5 + 3 = 3.5 h, waiting before starts 2 h (the first start has no wait) -> 3.5 / 5.5;
    #     working: 0.5 + 2 = 2.5 processing, 2 waiting -> 2.5 / 4.5
    c1 = table.loc["c1"]
    assert c1[["processing_hours", "waiting_hours"]].tolist() == [3.5, 2.0]
    assert c1["processing_share"] == pytest.approx(3.5 / 5.5)
    assert c1["processing_working_share"] == pytest.approx(2.5 / 4.5)
    # c2: processing 1 + 3 = 4 h; waiting into its steps 2 (10:00 -> 12:00) + 0 (13:00, before 15:00) + 1
    # (13:00 -> 14:00) + 1.5 (14:00 -> 15:30) = 4.5 h -> 4 / 8.5; working: processing 1 + 2 = 3, waiting the
    # same 4.5 (no lunch in the waits) -> 3 / 7.5
    c2 = table.loc["c2"]
    assert c2[["processing_hours", "waiting_hours"]].tolist() == [4.0, 4.5]
    assert c2[["processing_working_hours", "waiting_working_hours"]].tolist() == pytest.approx([3.0, 4.5])
    assert c2["processing_share"] == pytest.approx(4 / 8.5)
    assert c2["processing_working_share"] == pytest.approx(0.4)


def test_journey_mine_with_time_rules_writes_working_time_and_processing(loaded: Path) -> None:
    import pandas as pd
    from typer.testing import CliRunner

    from flows.cli import app

    arguments = ["mine", "--store", str(loaded / "store.duckdb"), "--out", str(loaded / "out")]
    result = CliRunner().invoke(app, [*arguments, "--time-rules", str(loaded / "rules.yaml")])
    assert result.exit_code == 0, result.output
    activities = pd.read_parquet(loaded / "out" / "processing_activities.parquet").set_index("activity")
    assert activities.loc["Review", "median_processing_working_hours"] == pytest.approx(2.0)
    edges = pd.read_parquet(loaded / "out" / "directly_follows.parquet")
    edge = edges.set_index(["source_activity", "target_activity"]).loc[("Review", "Review")]
    # Review -> Review, between steps (an instance is one step: c1 has none): c2 Review 12:00-15:00 -> the
    # unpaired start 13:00 (began before 15:00: 0 h), -> the suspend 14:00 (1 h, 1 working) -> mean 0.5, 0.5
    assert edge[["frequency", "mean_wait_hours", "mean_wait_working_hours"]].tolist() == [2, 0.5, 0.5]
    page = (loaded / "out" / "mining_report.html").read_text()
    # the report's section, in working time (the run's basis with time rules): processing 0.5 + 2 (c1) and
    # 1 + 2 (c2) = 5.5 wh, waiting 2 + 4.5 = 6.5 wh -> 5.5 / 12 = 46%; per journey 2.5 / 4.5 and 3 / 7.5,
    # median 48%; Review: 2 executions, median 2.0 wh, one unpaired start
    assert '<section id="processing">' in page
    assert "46% was processing (median per journey 48%)" in page
    review = page[page.index('<td class="text">Review</td>', page.index('id="processing"')) :].split("</tr>")[0]
    assert [cell.split(">")[-1] for cell in review.split("</td>")[:-1]] == [
        "Review",
        "2",
        "2.0 wh",
        "2.0 wh",
        "2.0 wh",
        "1",
        "0",
    ]
