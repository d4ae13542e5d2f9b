"""`journey mine` on a store that `journey extract` wrote from a small CSV log; figures worked out by hand."""

from __future__ import annotations

import io
from pathlib import Path

import duckdb
import pandas as pd
import pm4py
import pytest
from typer.testing import CliRunner

from eventlogs.pipeline import extract_and_load
from flows.cli import app

# c1 (2 Mar): SD 09, Mgmt 13, Proc 15, SD 16 -> handovers 4 + 2 + 1 = 7 h of a 7 h lead time
# c2 (10 Mar): SD 09, SD 10, Mgmt 12, SD 20 -> within SD 1 h; handovers 2 + 8 = 10 h of 11 h
# c3 (1 Apr): SD 09, SD 11 -> within SD 2 h, no handover, 2 h
LOG = """case,activity,time,dept,who
c1,Open,2026-03-02 09:00:00,Service Desk,ann
c1,Approve,2026-03-02 13:00:00,Management,mia
c1,Order,2026-03-02 15:00:00,Procurement,pim
c1,Close,2026-03-02 16:00:00,Service Desk,ann
c2,Open,2026-03-10 09:00:00,Service Desk,ann
c2,Triage,2026-03-10 10:00:00,Service Desk,bob
c2,Approve,2026-03-10 12:00:00,Management,mia
c2,Close,2026-03-10 20:00:00,Service Desk,ann
c3,Open,2026-04-01 09:00:00,Service Desk,bob
c3,Close,2026-04-01 11:00:00,Service Desk,bob
"""
CONFIG = """
[sources.log]
kind = "csv_event_log"
path = "log.csv"
journey_type = "ticket"
timezone = "UTC"
pseudonymise_resources = false
[sources.log.fields]
journey_id = "case"
activity = "activity"
timestamp = "time"
resource = "who"
team = "dept"
department = "dept"
"""
TABLES = [
    "variants",
    "directly_follows",
    "start_end_activities",
    "activities",
    "handovers_department",
    "handovers_team",
    "handovers_resource",
    "ping_pong_department",
    "ping_pong_team",
    "silo_tax_journeys",
    "silo_tax_summary",
]


@pytest.fixture()
def store(tmp_path: Path) -> Path:
    (tmp_path / "log.csv").write_text(LOG)
    (tmp_path / "log.toml").write_text(CONFIG)
    path = tmp_path / "store.duckdb"
    (result,) = extract_and_load(tmp_path / "log.toml", path)
    assert result.rows_loaded == 10
    return path


def _mine(store: Path, out: Path, *extra: str) -> str:
    result = CliRunner().invoke(app, ["mine", "--store", str(store), "--out", str(out), *extra])
    assert result.exit_code == 0, result.output
    return result.output


def test_mine_writes_every_table_and_the_map(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "mined"
    _mine(store, out, "--journey-type", "ticket")
    for name in TABLES:
        assert (out / f"{name}.parquet").is_file(), name
    assert (out / "process_map.svg").read_text().startswith("<svg")
    summary = pd.read_parquet(out / "silo_tax_summary.parquet").set_index("status")
    # all three finished: 7 + 10 + 0 = 17 h of handovers over 7 + 11 + 2 = 20 h of lead time
    assert summary.loc["finished", ["journeys", "handover_hours", "hours"]].tolist() == [3, 17, 20]
    assert summary.loc["finished", "handover_share"] == pytest.approx(0.85)
    assert "open" not in summary.index
    handovers = pd.read_parquet(out / "handovers_department.parquet").set_index(["from_department", "to_department"])
    # Service Desk -> Management: c1 09..13 = 4 h, c2 10..12 = 2 h
    assert handovers.loc[("Service Desk", "Management"), ["handovers", "total_wait_hours"]].tolist() == [2, 6]
    variants = pd.read_parquet(out / "variants.parquet")
    assert len(variants) == 3


def test_write_back_puts_the_tables_in_the_store_and_a_rerun_replaces_them(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "mined"
    for _ in range(2):  # the second run replaces the first: no doubled rows
        _mine(store, out, "--write-back")
    with duckdb.connect(str(store), read_only=True) as connection:
        # Service Desk -> Management: c1 4 h + c2 2 h, as in the Parquet file
        row = connection.execute("""
            SELECT handovers, total_wait_hours FROM results.handovers_department
            WHERE from_department = 'Service Desk' AND to_department = 'Management'
        """).fetchone()
        assert row == (2, 6)
        # c1, c2, c3 are three different paths
        assert connection.execute("SELECT count(*) FROM results.variants").fetchone()[0] == 3
        written = dict(connection.execute("SELECT table_name, rows FROM results.written").fetchall())
    assert set(TABLES) <= set(written) and written["variants"] == 3


def test_period_keeps_journeys_opened_on_those_days(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "march"
    # the last day counts whole: c2 opened 10 March 09:00; c3 (1 April) is left out
    _mine(store, out, "--period", "2026-03-01..2026-03-10")
    journeys = pd.read_parquet(out / "silo_tax_journeys.parquet")
    assert sorted(journeys["journey_id"]) == ["c1", "c2"]
    summary = pd.read_parquet(out / "silo_tax_summary.parquet").set_index("status")
    assert summary.loc["finished", "handover_share"] == pytest.approx(17 / 18)


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2026-03-01-2026-03-31", "is not FROM..TO"),
        ("2026-02-30..2026-03-31", "day is out of range"),
        ("2026-03-31..2026-03-01", "ends before it starts"),
        ("2025-01-01..2025-12-31", "no journeys opened from 2025-01-01 to 2025-12-31"),
    ],
)
def test_bad_or_empty_period_is_a_clear_error(store: Path, tmp_path: Path, period: str, message: str) -> None:
    result = CliRunner().invoke(app, ["mine", "--store", str(store), "--out", str(tmp_path / "x"), "--period", period])
    assert result.exit_code == 1
    assert message in " ".join(result.output.split())  # rich wraps long lines
    assert not (tmp_path / "x").exists()


def test_mine_the_demo_store_across_journey_types(demo_store: Path, tmp_path: Path) -> None:
    """All journey types on one map: the lanes' edges run back and forth, which once made dot fail."""
    out = tmp_path / "mined"
    _mine(demo_store, out)
    assert (out / "process_map.svg").read_text().startswith("<svg")
    summary = pd.read_parquet(out / "silo_tax_summary.parquet")
    handovers = pd.read_parquet(out / "handovers_department.parquet")
    # one rule for both: the silo tax's handover time is every handover's wait, finished or open
    assert summary["handover_hours"].sum() == pytest.approx(handovers["total_wait_hours"].sum())
    finished = summary.set_index("status").loc["finished"]
    assert 0 < finished["handover_share"] < 1


def test_mine_writes_the_process_model_in_exchange_formats_and_the_mining_report(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "mined"
    _mine(store, out, "--noise", "0")
    assert (out / "bpmn.svg").read_text().startswith("<svg")
    assert (out / "petri_net.svg").read_text().startswith("<svg")
    # the PNML read back by pm4py replays all three journeys: at noise 0 the inductive miner fits every path
    net, initial, final = pm4py.read_pnml(str(out / "process_model.pnml"))
    frame = pd.read_csv(io.StringIO(LOG))
    log = pm4py.format_dataframe(frame, case_id="case", activity_key="activity", timestamp_key="time")
    fitness = pm4py.fitness_alignments(log, net, initial, final)
    assert fitness["percentage_of_fitting_traces"] == 100
    bpmn = pm4py.read_bpmn(str(out / "process_model.bpmn"))
    tasks = {node.get_name() for node in bpmn.get_nodes() if type(node).__name__ == "Task"}
    assert tasks == {"Open", "Triage", "Approve", "Order", "Close"}
    report = (out / "mining_report.html").read_text()
    assert report.count('<template class="map-level">') >= 2 and 'type="range"' in report
    assert "Open → Approve → Order → Close" in report
    assert "Ping-pong" in report  # c2 runs Service Desk -> Management -> Service Desk
    assert "http://" not in report.replace("http://www.w3.org", "")  # self-contained: nothing to fetch


def test_map_detail_and_time_labels(store: Path, tmp_path: Path) -> None:
    """Frequencies: Open 3, Close 3, Approve 2, Order 1, Triage 1; two activities keep Close and Open
    (tie by name). Projected, every journey runs Open -> Close: 7 h (c1), 11 h (c2), 2 h (c3), median 7 h.
    One path asked, but Open's and Close's busiest ways in and out keep all three (start, Open -> Close, end)."""
    out = tmp_path / "mined"
    _mine(store, out, "--activities", "2", "--paths", "1", "--edge-label", "time")
    svg = (out / "process_map.svg").read_text()
    assert ">7.0 h<" in svg and "Approve" not in svg
    assert svg.count('class="edge"') == 3


def test_bad_edge_label_is_a_clear_error(store: Path, tmp_path: Path) -> None:
    arguments = ["mine", "--store", str(store), "--out", str(tmp_path / "x"), "--edge-label", "colour"]
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 2
    assert "--edge-label must be one of frequency, time, not 'colour'" in " ".join(result.output.split())
