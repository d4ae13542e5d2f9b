"""The process map's counts on Spark: a `PathSource` (mining/discovery/map_detail.py) whose lanes and
projected paths are the twins of the DuckDB ones (calendar time)."""

from __future__ import annotations

import pandas as pd

from mining.discovery.map_detail import END, START, lane_counts_sql, lanes_from_counts
from mining.spark.scope import SparkScope
from mining.spark.tables import journeys_per, same_keys, statistics_sql, to_pandas

KEPT_EVENTS = "map_kept_events"


def lane_counts(scope: SparkScope) -> pd.DataFrame:
    """(activity, department, events) of the scope: lane_counts_sql on Spark, for the lanes and the
    activities table alike."""
    return to_pandas(scope.spark.sql(lane_counts_sql(scope.work_events)))


class SparkPaths:
    """The Spark scope's journeys as a PathSource; `counts` from `lane_counts`."""

    def __init__(self, scope: SparkScope, counts: pd.DataFrame) -> None:
        self.scope, self.counts = scope, counts

    def lanes(self) -> pd.DataFrame:
        return lanes_from_counts(self.counts)

    def projected_paths(self, kept_activities: list[str]) -> pd.DataFrame:
        """Twin of mining.discovery.map_detail.projected_paths (calendar time). The kept names reach Spark
        as a DataFrame filter's values, never as SQL text."""
        from pyspark.sql import functions

        spark = self.scope.spark
        events = spark.table(self.scope.work_events)
        events.where(functions.col("activity").isin(kept_activities)).createOrReplaceTempView(KEPT_EVENTS)
        # as DuckDB's map clock: hours since the epoch per event, the wait their difference
        clock = "(unix_micros(ts) / 1000000.0D / 3600.0D)"
        keys = ("source_activity", "target_activity")
        return to_pandas(
            spark.sql(
                f"""
            WITH projected AS (
                SELECT journey_id, activity, {clock} - lag({clock}) OVER w AS wait_hours,
                       lag(activity) OVER w AS previous, lead(activity) OVER w AS next
                FROM {KEPT_EVENTS} WINDOW w AS (PARTITION BY journey_id ORDER BY position)
            ), arcs AS (
                SELECT journey_id, coalesce(previous, :start) AS source_activity, activity AS target_activity,
                       wait_hours FROM projected
                UNION ALL
                SELECT p.journey_id, p.activity, :end, CAST(NULL AS DOUBLE)
                FROM projected p JOIN {self.scope.journeys} j ON p.journey_id = j.journey_id
                WHERE p.next IS NULL AND NOT j.is_open
            ), measured AS (
                SELECT source_activity, target_activity, {statistics_sql("wait_hours", "wait_hours", "frequency")}
                FROM arcs GROUP BY source_activity, target_activity
            ), reached AS ({journeys_per(keys, "SELECT * FROM arcs")})
            SELECT m.source_activity, m.target_activity, m.frequency, r.journeys, m.mean_wait_hours,
                   m.median_wait_hours, m.p90_wait_hours
            FROM measured m JOIN reached r ON {same_keys("m", "r", keys)}
            ORDER BY frequency DESC, source_activity ASC NULLS LAST, target_activity ASC NULLS LAST""",
                args={"start": START, "end": END},
            )
        )
