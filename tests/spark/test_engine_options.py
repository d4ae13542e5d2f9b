"""`journey mine`'s engine options are checked before anything runs (no Spark needed): Spark-only options
without --engine spark, both or neither of --store and --events, an unknown engine, a bad --spark-conf."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        (["--store", "s.duckdb", "--events", "lake"], "--events only apply with --engine spark"),
        (["--store", "s.duckdb", "--spark-master", "local[4]"], "--spark-master only apply with --engine spark"),
        (["--engine", "spark"], "reads either --store or --events, one of the two"),
        (["--engine", "spark", "--store", "s.duckdb", "--events", "lake"], "reads either --store or --events"),
        (["--engine", "flink", "--store", "s.duckdb"], "--engine must be one of duckdb, spark, not 'flink'"),
        (
            ["--engine", "spark", "--store", "s.duckdb", "--spark-conf", "memory"],
            "--spark-conf 'memory': expected key=value",
        ),
        (["--engine", "spark", "--events", "nowhere"], "nowhere: not a `journey export` folder"),
        ([], "--store is needed"),
    ],
)
def test_engine_options_refused_with_the_reason(arguments: list[str], said: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["mine", "--out", str(tmp_path / "out"), *arguments])
    assert result.exit_code == 1
    assert said in " ".join(result.output.split())
    assert not (tmp_path / "out").exists()
