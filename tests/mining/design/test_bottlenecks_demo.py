"""On the demo organisation the locator finds the injected worst handover, and its excess time matches
the excess computed from the simulator's true events (independently of the store and its SQL)."""

from __future__ import annotations

import html
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from eventlogs.demo import organisation as org
from eventlogs.demo.ground_truth import true_handovers
from eventlogs.demo.simulator import LAPTOP, DemoSimulator
from flows.cli import app
from flows.paths import DEMO_DESIGNED_JOURNEY, DEMO_TIME_RULES
from mining.design.bottlenecks import locate_bottlenecks
from mining.design.journey import Norm
from mining.design.load import load_designed_journey
from mining.report.findings import with_sentences
from mining.scope.scope import define_scope
from mining.scope.time_rules import load_time_rules

N_JOURNEYS, SEED = 600, 11  # the small_demo fixture's organisation


def _true_excess_hours(pair: tuple[str, str], norm: Norm) -> float:
    """Sum over the true handovers of the pair in laptop requests of max(wait - norm, 0), the wait in the
    norm's basis: calendar hours, or working hours on the simulator's own minute calendar of the receiving
    department (the one it drew the wait in)."""
    simulator = DemoSimulator(N_JOURNEYS, SEED)
    journeys, events = simulator.simulate()
    waits = true_handovers(events, journeys)
    laptop = set(journeys.loc[journeys["journey_type"] == LAPTOP, "journey"])
    chosen = waits[(waits["from_department"] == pair[0]) & (waits["department"] == pair[1])]
    chosen = chosen[chosen["journey"].isin(laptop)]
    if norm.time == "working":
        calendar = simulator.calendars[org.CALENDAR_OF_DEPARTMENT[pair[1]]]
        worked = calendar.cumulative[chosen["minute"].to_numpy() - calendar.first_minute]
        worked = worked - calendar.cumulative[chosen["previous_minute"].to_numpy() - calendar.first_minute]
        hours = worked / 60.0
    else:
        hours = chosen["wait_hours"].to_numpy()
    return float(np.maximum(hours - norm.hours, 0).sum())


def test_worst_handover_ranks_first_and_its_excess_matches_the_truth(demo_store, small_demo_truth) -> None:
    journey = load_designed_journey(DEMO_DESIGNED_JOURNEY)
    with duckdb.connect(str(demo_store), read_only=True) as connection:
        scope = define_scope(connection, journey.journey_type, time_rules=load_time_rules(DEMO_TIME_RULES))
        ranked = with_sentences(locate_bottlenecks(scope, journey), journey)
    worst = small_demo_truth["worst_handover"]  # "Management -> Procurement"
    top = ranked.iloc[0]
    assert f"{top['from_department']} -> {top['to_department']}" == worst
    pair = (top["from_department"], top["to_department"])
    norm = next(n.norm for n in journey.handover_norms if (n.from_department, n.to_department) == pair)
    truth = _true_excess_hours(pair, norm)
    print(f"excess {pair}: measured {top['excess_hours']:.1f} h, true {truth:.1f} h ({norm.time} time)")
    assert top["excess_hours"] == pytest.approx(truth, rel=0.10)
    assert top["sentence"].startswith("Management → Procurement: median ")


def test_journey_compare_writes_tables_map_and_report(demo_store, tmp_path: Path) -> None:
    out = tmp_path / "compare"
    arguments = ["compare", "--store", str(demo_store), "--journey", str(DEMO_DESIGNED_JOURNEY), "--out", str(out)]
    result = CliRunner().invoke(app, [*arguments, "--time-rules", str(DEMO_TIME_RULES)])
    assert result.exit_code == 0, result.output
    ranked = pd.read_parquet(out / "bottlenecks.parquet")
    assert ranked.loc[0, "name"] == "Management → Procurement"
    handovers = pd.read_parquet(out / "handover_norms.parquet").set_index(["from_department", "to_department"])
    assert handovers.loc[("Management", "Procurement"), "measured_in"] == "working"
    assert {"stage_norms.parquet", "end_to_end_norm.parquet", "designed_map.svg"} <= {p.name for p in out.iterdir()}
    page = (out / "designed_journey.html").read_text()
    assert f"<li>{html.escape(ranked.loc[0, 'sentence'], quote=False)}</li>" in page
    assert page.count("<svg") == 1
    # the demo's design sends every request on to Approval or Rejection: it does not resolve at the front,
    # so no "push to front" finding may contradict it
    assert "Push to front" not in page


def test_journey_compare_names_a_broken_spec(demo_store, tmp_path: Path) -> None:
    spec = tmp_path / "broken.journey.yaml"
    text = DEMO_DESIGNED_JOURNEY.read_text()
    line = next(number for number, row in enumerate(text.splitlines(), start=1) if "norm: 1d}" in row)
    spec.write_text(text.replace("norm: 1d}", "norm: soon}", 1))
    result = CliRunner().invoke(
        app, ["compare", "--store", str(demo_store), "--journey", str(spec), "--out", str(tmp_path)]
    )
    assert result.exit_code == 1
    # the console wraps long lines; the message names file, line and key
    assert f"broken.journey.yaml:{line}: handovers[2].norm: 'soon'" in result.output.replace("\n", "")
