"""The Spark engine gives the embedded engine's answers (issue 16): `journey mine --engine spark` on the
shipped BPI Challenge 2013 and Helpdesk logs writes every table the default engine writes, equal row for
row; on the demo, each reduced table, the headline figures and the map's paths at every detail level.

Equal means: the same rows in the same order, counts and names exactly (pandas compares integer and text
columns exactly), hours within a relative 1e-9. Both engines compute exact quantiles (DuckDB's
quantile_cont, Spark's percentile: linear interpolation); sums and divisions done in another order differ
in the last binary digits only, which is what the tolerance allows.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from eventlogs.store import connect_store
from flows.cli import app
from mining.discovery import tables as discovery
from mining.discovery.map_detail import ScopePaths, level_count, most_frequent_activities
from mining.runs.mine import embedded_tables
from mining.scope.scope import define_scope
from mining.spark import define_spark_scope, reduce_scope, register_source
from tests.spark.conftest import assert_same_table, exported

pytestmark = pytest.mark.spark
TABLES_THE_ISSUE_NAMES = ("variants", "directly_follows", "handovers_department", "handovers_team")


def _mine(arguments: list[str]) -> None:
    result = CliRunner().invoke(app, ["mine", *arguments])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("log", ["helpdesk", "bpic2013"])
def test_journey_mine_on_spark_writes_the_embedded_tables(
    log: str, request: pytest.FixtureRequest, spark: object, tmp_path: Path
) -> None:
    store: Path = request.getfixturevalue(f"{log}_store")
    _mine(["--store", str(store), "--out", str(tmp_path / "embedded")])
    export = exported(store, tmp_path / "export")  # as a data team would hand the lake's files over
    _mine(["--engine", "spark", "--events", export.events.removesuffix("/events"), "--out", str(tmp_path / "spark")])
    written = sorted(path.name for path in (tmp_path / "embedded").glob("*.parquet"))
    assert sorted(path.name for path in (tmp_path / "spark").glob("*.parquet")) == written
    assert {f"{name}.parquet" for name in TABLES_THE_ISSUE_NAMES} <= set(written)
    for name in written:
        embedded = pd.read_parquet(tmp_path / "embedded" / name)
        assert_same_table(name, embedded, pd.read_parquet(tmp_path / "spark" / name))
        assert len(embedded) > 0 or name.startswith(("handovers_department", "ping_pong_department")), name
    # the same map: the same kept activities and paths, drawn alike
    assert (tmp_path / "spark" / "process_map.svg").read_text() == (
        tmp_path / "embedded" / "process_map.svg"
    ).read_text()
    assert (tmp_path / "spark" / "mining_report.html").stat().st_size > 0


def test_demo_tables_figures_and_map_paths_equal(demo_store: Path, spark: object, tmp_path: Path) -> None:
    from pyspark.sql import SparkSession

    assert isinstance(spark, SparkSession)
    source = exported(demo_store, tmp_path / "export")
    reduced = reduce_scope(define_spark_scope(spark, register_source(spark, source)))
    connection = connect_store(demo_store, read_only=True)
    try:
        scope = define_scope(connection, materialise=True)
        embedded = embedded_tables(scope)
        assert set(reduced.tables) == set(embedded)
        for name, table in embedded.items():
            assert_same_table(name, table, reduced.tables[name])
        overview = discovery.journey_overview(scope)
        assert reduced.overview == pytest.approx(overview, rel=1e-9)
        assert overview["customer_contacts"] > 0  # the demo's customers call: the count is compared, not 0 = 0
        paths = ScopePaths(scope)
        assert_same_table("lanes", paths.lanes(), reduced.paths.lanes())
        activities = embedded["activities"]
        for percent in (10, 50, 100):
            kept = most_frequent_activities(activities, level_count(len(activities), percent))["activity"].tolist()
            assert_same_table(f"paths {percent}%", paths.projected_paths(kept), reduced.paths.projected_paths(kept))
    finally:
        connection.close()
