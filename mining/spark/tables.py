"""The discovery tables on Spark: each query the twin of the DuckDB query named beside it, giving the
same columns in the same order (tests/spark/ checks every one against DuckDB on BPI Challenge 2013,
Helpdesk and the demo). Only the small results leave Spark, as Arrow.

Where DuckDB and Spark SQL differ, the twin says it the Spark way: quantile_cont -> percentile (both exact,
interpolating linearly), count(*) FILTER -> count_if, IS DISTINCT FROM -> NOT <=>, string_agg ORDER BY ->
a sorted collect_list, arg_min_null -> the minimum of a struct, and an ascending sort says NULLS LAST
(DuckDB's default, not Spark's).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from mining.discovery.handovers import Level
from mining.discovery.tables import VARIANT_SEPARATOR
from mining.spark.scope import SparkScope

if TYPE_CHECKING:
    from pyspark.sql import DataFrame


def to_pandas(frame: DataFrame) -> pd.DataFrame:
    """A small result, moved through Arrow (PySpark's own pandas conversion does not support pandas 3)."""
    return frame.toArrow().to_pandas()


def _statistics(value: str, unit: str, count_name: str | None = None) -> str:
    """The twin of mining.discovery.tables.QUANTILE_COLUMNS / STATISTIC_COLUMNS."""
    count = f"count(*) AS {count_name}, " if count_name else ""
    return (
        f"{count}avg({value}) AS mean_{unit}, percentile({value}, 0.5D) AS median_{unit}, "
        f"percentile({value}, 0.9D) AS p90_{unit}"
    )


def _changes_holder(previous: str, current: str) -> str:
    """The twin of mining.discovery.handovers.changes_holder."""
    return f"(NOT ({previous} <=> {current}))"


def variants(scope: SparkScope) -> pd.DataFrame:
    """Twin of mining.discovery.tables.variants."""
    separator = VARIANT_SEPARATOR.replace("'", "''")
    table = to_pandas(
        scope.spark.sql(f"""
        WITH paths AS (
            SELECT journey_id,
                   array_join(transform(array_sort(collect_list(struct(position, activity))), x -> x.activity),
                              '{separator}') AS variant,
                   count(*) AS steps
            FROM {scope.work_events} GROUP BY journey_id
        )
        SELECT variant, first(steps) AS steps,
               {_statistics("j.lead_hours", "lead_hours", "journeys")},
               {_statistics("j.lead_working_hours", "lead_working_hours")},
               count_if(j.is_open) AS open_journeys
        FROM paths p JOIN {scope.journeys} j ON p.journey_id = j.journey_id
        GROUP BY variant
        ORDER BY journeys DESC, variant ASC NULLS LAST""")
    )
    return table.assign(share=table["journeys"] / table["journeys"].sum())


# Twin of mining.discovery.tables.SUCCESSIONS_SQL: each work event with the next of its journey.
def _successions(scope: SparkScope) -> str:
    return f"""
        SELECT journey_id, position, activity AS source_activity, department AS source_department,
               lead(activity) OVER w AS target_activity, lead(department) OVER w AS target_department,
               lead(wait_hours) OVER w AS wait_hours, lead(wait_working_hours) OVER w AS wait_working_hours,
               lead(paused_hours) OVER w AS paused_hours
        FROM {scope.work_events} WINDOW w AS (PARTITION BY journey_id ORDER BY position)"""


def directly_follows(scope: SparkScope) -> pd.DataFrame:
    """Twin of mining.discovery.tables.directly_follows."""
    return to_pandas(
        scope.spark.sql(f"""
        SELECT source_activity, target_activity,
               min(struct(journey_id, position, source_department)).source_department AS source_department,
               min(struct(journey_id, position, target_department)).target_department AS target_department,
               {_statistics("wait_hours", "wait_hours", "frequency")},
               {_statistics("wait_working_hours", "wait_working_hours")},
               sum(paused_hours) AS paused_hours, count(DISTINCT journey_id) AS journeys
        FROM ({_successions(scope)}) WHERE target_activity IS NOT NULL
        GROUP BY source_activity, target_activity
        ORDER BY frequency DESC, source_activity ASC NULLS LAST, target_activity ASC NULLS LAST""")
    )


def start_end_activities(scope: SparkScope) -> pd.DataFrame:
    """Twin of mining.discovery.tables.start_end_activities."""
    return to_pandas(
        scope.spark.sql(f"""
        WITH bounds AS (
            SELECT journey_id, min_by(activity, position) AS first, max_by(activity, position) AS last
            FROM {scope.work_events} GROUP BY journey_id
        )
        SELECT activity, CAST(sum(starts) AS BIGINT) AS starts, CAST(sum(ends) AS BIGINT) AS ends FROM (
            SELECT first AS activity, 1 AS starts, 0 AS ends FROM bounds
            UNION ALL
            SELECT b.last, 0, 1 FROM bounds b JOIN {scope.journeys} j ON b.journey_id = j.journey_id
            WHERE NOT j.is_open
        ) GROUP BY activity ORDER BY activity ASC NULLS LAST""")
    )


def activity_counts(scope: SparkScope) -> pd.DataFrame:
    """Per activity and department: (activity, department, events); the activities table and the map's
    lanes are computed from it (mining/spark/reduce.py), so a department tie is broken the same way."""
    return to_pandas(
        scope.spark.sql(f"""
        SELECT activity, department, count(*) AS events, count(DISTINCT journey_id) AS journeys
        FROM {scope.work_events} GROUP BY activity, department""")
    )


def activity_journeys(scope: SparkScope) -> pd.DataFrame:
    """Per activity: (activity, journeys) doing it at least once."""
    return to_pandas(
        scope.spark.sql(
            f"SELECT activity, count(DISTINCT journey_id) AS journeys FROM {scope.work_events} GROUP BY activity"
        )
    )


def _steps(scope: SparkScope, level: Level) -> str:
    """Twin of mining.discovery.handovers.steps_sql on the scope's work events."""
    return f"""
        SELECT * FROM (
            SELECT e.*, lag(e.{level}) OVER w AS from_{level}, e.{level} AS to_{level},
                   lag(e.activity) OVER w AS source_activity, e.activity AS target_activity,
                   row_number() OVER w > 1 AS has_previous
            FROM {scope.work_events} e WINDOW w AS (PARTITION BY e.journey_id ORDER BY e.position)
        ) WHERE has_previous"""


def _handover_instances(scope: SparkScope, level: Level) -> str:
    """Twin of mining.discovery.handovers.handover_instances."""
    return f"""
        SELECT journey_id, from_{level}, to_{level}, wait_hours - paused_hours AS wait_hours,
               wait_working_hours, paused_hours
        FROM ({_steps(scope, level)}) WHERE {_changes_holder(f"from_{level}", f"to_{level}")}"""


def handovers(scope: SparkScope, level: Level = "department") -> pd.DataFrame:
    """Twin of mining.discovery.handovers.handovers."""
    return to_pandas(
        scope.spark.sql(f"""
        SELECT from_{level}, to_{level},
               {_statistics("wait_hours", "wait_hours", "handovers")},
               sum(wait_hours) AS total_wait_hours, count(DISTINCT journey_id) AS journeys,
               {_statistics("wait_working_hours", "wait_working_hours")},
               sum(wait_working_hours) AS total_wait_working_hours, sum(paused_hours) AS paused_hours
        FROM ({_handover_instances(scope, level)})
        GROUP BY from_{level}, to_{level}
        ORDER BY round(total_wait_hours, 6) DESC, from_{level} ASC NULLS LAST, to_{level} ASC NULLS LAST""")
    )


def _bounces(scope: SparkScope, level: Level) -> str:
    """Twin of mining.discovery.handovers.bounces_sql (with holders_sql)."""
    holders = f"""
        SELECT journey_id, position, {level} AS holder FROM (
            SELECT journey_id, position, {level}, lag({level}) OVER w AS previous
            FROM {scope.work_events} WINDOW w AS (PARTITION BY journey_id ORDER BY position))
        WHERE {_changes_holder("previous", level)}"""
    return f"""
        SELECT journey_id, first AS holder, middle AS bounced_to FROM (
            SELECT journey_id, lag(holder, 2) OVER w AS first, lag(holder) OVER w AS middle, holder AS last
            FROM ({holders}) WINDOW w AS (PARTITION BY journey_id ORDER BY position))
        WHERE first = last AND middle IS NOT NULL"""


def ping_pong(scope: SparkScope, level: Level = "department") -> pd.DataFrame:
    """Twin of mining.discovery.handovers.ping_pong."""
    return to_pandas(
        scope.spark.sql(f"""
        WITH bounces AS (
            SELECT holder AS from_{level}, bounced_to AS to_{level}, count(*) AS ping_pongs,
                   count(DISTINCT journey_id) AS journeys
            FROM ({_bounces(scope, level)}) GROUP BY holder, bounced_to
        ), exposed AS (
            SELECT from_{level}, to_{level}, count(DISTINCT journey_id) AS journeys_with_handover
            FROM ({_handover_instances(scope, level)}) GROUP BY from_{level}, to_{level}
        )
        SELECT b.*, b.journeys / e.journeys_with_handover AS rate
        FROM bounces b JOIN exposed e ON b.from_{level} = e.from_{level} AND b.to_{level} = e.to_{level}
        ORDER BY journeys DESC, ping_pongs DESC, from_{level} ASC NULLS LAST, to_{level} ASC NULLS LAST""")
    )
