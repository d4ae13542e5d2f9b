"""`journey pilot` on a small store of simulated true events."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from eventlogs.demo.simulator import DemoSimulator
from eventlogs.demo.true_store import write_true_store
from flows.cli import app


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pilot_cli") / "journeys.duckdb"
    journeys, events = DemoSimulator(600, seed=3).simulate()
    with duckdb.connect(str(path)) as connection:
        write_true_store(connection, journeys, events)
    return path


def test_pilot_writes_the_verdict_the_map_and_the_tables(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "pilot"
    arguments = ["pilot", "--store", str(store), "--change-date", "2026-05-04", "--journey-type", "laptop_request"]
    result = CliRunner().invoke(app, [*arguments, "--bootstrap", "200", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Median lead time" in result.output
    for name in ("pilot.html", "pilot.md", "pilot_difference_map.svg", "pilot_comparisons.parquet"):
        assert (out / name).exists(), name
    page = (out / "pilot.html").read_text()
    assert "Got worse (side effects)" in page and "Wait Warehouse → Carrier" in page


def test_pilot_errors_name_the_expression_or_the_line(store: Path, tmp_path: Path) -> None:
    arguments = ["pilot", "--store", str(store), "--out", str(tmp_path / "x")]
    result = CliRunner().invoke(app, [*arguments, "--change-date", "2026-05-04", "--pilot", "regoin = 'North'"])
    assert result.exit_code == 1
    assert "regoin" in result.output and "region" in result.output  # the columns there are
    config = tmp_path / "pilot.toml"
    config.write_text("[pilot]\nchange_date = 2026-05-04\ncontrol = \"region = 'South'\"\n")
    result = CliRunner().invoke(app, [*arguments, "--config", str(config)])
    assert result.exit_code == 1 and "pilot.toml:3" in result.output and "unknown key 'control'" in result.output
