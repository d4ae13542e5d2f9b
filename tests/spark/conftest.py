"""One local Spark session for the Spark tests (starting one takes about 11 s); skipped without PySpark,
unless CI=true: then the set-up forgot `make spark`, a failure."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pytest

from eventlogs.store.export import export_parquet
from mining.spark import EventSource

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail('PySpark is not installed: `make spark` (pip install -e ".[spark]") belongs to the set-up')
        pytest.skip('PySpark is not installed (pip install -e ".[spark]", or make spark)')
    from mining.spark import spark_session

    session = spark_session("local[2]")
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def exported(store: Path, folder: Path) -> EventSource:
    """The store as `journey export` writes it (events partitioned by month), as a Spark source."""
    export_parquet(store, folder)
    return EventSource.at(str(folder))


def assert_same_table(name: str, embedded: pd.DataFrame, spark: pd.DataFrame) -> None:
    """The same columns in the same order, the same rows in the same order: counts and names exactly (pandas
    compares integer and text columns exactly), hours within a relative 1e-9."""
    assert list(spark.columns) == list(embedded.columns), name
    pd.testing.assert_frame_equal(
        spark.reset_index(drop=True), embedded.reset_index(drop=True), check_dtype=False, rtol=1e-9, obj=name
    )
