"""The Spark engine: the steps that read every event (the scope, variants, the performance directly-follows
graph, start and end activities, handovers and ping-pong, the silo tax, journey times, the map's paths) as
Spark SQL twins of the DuckDB queries, for logs beyond one machine. The small tables they return feed the
same process model, report and files as the embedded engine's.

session.py: starting Spark (local, a master URL, Spark Connect); source.py: the canonical events and
journeys read from Parquet, Delta or a catalog table; scope.py: the scope views; tables.py and journeys.py:
the twins of mining/discovery's tables; map_paths.py: the map's counts; reduce.py: all of it at once;
sql_connection.py: DuckDB's SQL run on Spark (sqlglot) for the designed-journey comparison and the pilot.
PySpark is an optional extra: nothing here imports it at module level.
"""

from mining.spark.reduce import Reduced, reduce_events, reduce_scope, spark_provenance
from mining.spark.scope import SparkScope, define_spark_scope, refuse_working_time
from mining.spark.session import SparkUnavailableError, parse_spark_conf, spark_errors, spark_session
from mining.spark.source import EventSource, register_source
from mining.spark.sql_connection import SparkConnection, analysis_scope

__all__ = [
    "EventSource",
    "Reduced",
    "SparkConnection",
    "SparkScope",
    "SparkUnavailableError",
    "analysis_scope",
    "define_spark_scope",
    "parse_spark_conf",
    "reduce_events",
    "reduce_scope",
    "refuse_working_time",
    "register_source",
    "spark_errors",
    "spark_provenance",
    "spark_session",
]
