"""Starting the Spark session the Spark engine runs on: local mode by default, a cluster master URL, or a
Spark Connect server (`sc://host:15002`, Databricks included). PySpark is an optional extra
(`pip install -e ".[spark]"`); without it the engine says so instead of failing on an import."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING

from mining.errors import AnalysisError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

DEFAULT_MASTER = "local[2]"
# Every time is a UTC instant in the store; Spark must not shift them into the machine's zone.
BASE_CONF = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.adaptive.enabled": "true",  # coalesces the shuffle partitions a small log leaves nearly empty
}
LOCAL_CONF = {"spark.ui.enabled": "false", "spark.ui.showConsoleProgress": "false"}


def _local_conf(url: str) -> dict[str, str]:
    """Local mode: no web UI, and two shuffle partitions per core instead of Spark's 200, which on one
    machine cost more in scheduling than they save (the Helpdesk log: 84 s with 200, 17 s with 4)."""
    inside = url.partition("[")[2].partition("]")[0].split(",")[0]
    cores = int(inside) if inside.isdigit() else (os.cpu_count() or 2)  # local, local[*]: every core
    return {**LOCAL_CONF, "spark.sql.shuffle.partitions": str(2 * cores)}


class SparkUnavailableError(AnalysisError):
    """The Spark engine was asked for, but PySpark or Java is missing."""


def spark_session(master: str | None = None, conf: Mapping[str, str] | None = None) -> SparkSession:
    """A session on `master`: None for local[2], a master URL (`spark://...`, `yarn`, `local[8]`), or a
    Spark Connect URL (`sc://...`, which needs `pyspark[connect]`). `conf` adds Spark settings
    (`spark.driver.memory`, ...)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as error:
        raise SparkUnavailableError(
            'the Spark engine needs PySpark: pip install -e ".[spark]" (or use the default engine, --engine duckdb)'
        ) from error
    url = master or DEFAULT_MASTER
    builder = SparkSession.builder.appName("journey-mining")
    if url.startswith("sc://"):
        builder = builder.remote(url)
        settings = dict(BASE_CONF)
    else:
        if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
            raise SparkUnavailableError("the Spark engine needs Java 17 or later (set JAVA_HOME or put java on PATH)")
        builder = builder.master(url)
        settings = {**BASE_CONF, **(_local_conf(url) if url.startswith("local") else {})}
    for key, value in {**settings, **(conf or {})}.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def parse_spark_conf(pairs: list[str]) -> dict[str, str]:
    """`--spark-conf key=value` (repeatable) as a dict; an entry without `=` is an error naming it."""
    settings: dict[str, str] = {}
    for pair in pairs:
        key, equals, value = pair.partition("=")
        if not equals or not key.strip():
            raise AnalysisError(f"--spark-conf {pair!r}: expected key=value, such as spark.driver.memory=4g")
        settings[key.strip()] = value.strip()
    return settings


@contextmanager
def spark_errors() -> Iterator[None]:
    """A failure inside Spark (a master that cannot be reached, a file it cannot read, a query it refuses)
    ends the command with Spark's own message, as an AnalysisError, instead of a Java stack trace."""
    try:
        from py4j.protocol import Py4JError
        from pyspark.errors import PySparkException
    except ImportError:  # no PySpark: spark_session says so itself
        yield
        return
    try:
        yield
    except (PySparkException, Py4JError) as error:
        message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise AnalysisError(f"Spark: {message}") from error
