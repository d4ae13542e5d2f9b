"""The discovery tables on Spark: each query the twin of the DuckDB query named beside it, giving the
same columns in the same order (tests/spark/ checks every one against DuckDB on BPI Challenge 2013,
Helpdesk and the demo). Only the small results leave Spark, as Arrow.

On Spark working time is calendar time (mining.spark.scope.refuse_working_time turns time rules away), so
the working-hour columns are computed from the calendar values: Spark then aggregates each value once.

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


def statistics_sql(value: str, unit: str, count_name: str | None = None) -> str:
    """The twin of mining.discovery.tables.QUANTILE_COLUMNS / STATISTIC_COLUMNS. Both quantiles come from one
    percentile over an array (Spark computes an aggregate repeated in a query once: half the work of two)."""
    count = f"count(*) AS {count_name}, " if count_name else ""
    quantiles = f"percentile({value}, array(0.5D, 0.9D))"
    return f"{count}avg({value}) AS mean_{unit}, {quantiles}[0] AS median_{unit}, {quantiles}[1] AS p90_{unit}"


def journeys_per(keys: tuple[str, str], rows: str) -> str:
    """SQL of (key columns, journeys): the distinct journeys per pair of keys in `rows`. Apart from the other
    aggregates, as Spark mixes a count(DISTINCT) into them by repeating every row (on a million events the
    directly-follows graph took 17 s with it, 5 s apart)."""
    first, second = keys
    return f"""
        SELECT {first}, {second}, count(*) AS journeys
        FROM (SELECT DISTINCT {first}, {second}, journey_id FROM ({rows})) GROUP BY {first}, {second}"""


def same_keys(left: str, right: str, keys: tuple[str, str]) -> str:
    """A join condition on both keys, where no holder (NULL) matches no holder, as GROUP BY groups them."""
    return " AND ".join(f"{left}.{key} <=> {right}.{key}" for key in keys)


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
               {statistics_sql("j.lead_hours", "lead_hours", "journeys")},
               {statistics_sql("j.lead_hours", "lead_working_hours")},  -- working time is calendar time here
               count_if(j.is_open) AS open_journeys
        FROM paths p JOIN {scope.journeys} j ON p.journey_id = j.journey_id
        GROUP BY variant
        ORDER BY journeys DESC, variant ASC NULLS LAST""")
    )
    return table.assign(share=table["journeys"] / table["journeys"].sum())


def directly_follows(scope: SparkScope) -> pd.DataFrame:
    """Twin of mining.discovery.tables.directly_follows: each step after a journey's first is an edge from the
    step before it (previous_*, kept with the scope), with the wait leading into it; its departments are
    those of the edge's first occurrence (journey, then position)."""
    keys = ("source_activity", "target_activity")
    edges = f"""
        SELECT journey_id, position, previous_activity AS source_activity, activity AS target_activity,
               previous_department, department, wait_hours, paused_hours
        FROM {scope.work_events} WHERE position > 1"""
    return to_pandas(
        scope.spark.sql(f"""
        WITH measured AS (
            SELECT source_activity, target_activity,
                   min(struct(journey_id, position, previous_department)).previous_department AS source_department,
                   min(struct(journey_id, position, department)).department AS target_department,
                   {statistics_sql("wait_hours", "wait_hours", "frequency")},
                   {statistics_sql("wait_hours", "wait_working_hours")},  -- working time is calendar time here
                   sum(paused_hours) AS paused_hours
            FROM ({edges}) GROUP BY source_activity, target_activity
        ), reached AS ({journeys_per(keys, edges)})
        SELECT m.*, r.journeys FROM measured m JOIN reached r ON {same_keys("m", "r", keys)}
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


def activity_journeys(scope: SparkScope) -> pd.DataFrame:
    """Per activity: (activity, journeys) doing it at least once."""
    return to_pandas(
        scope.spark.sql(
            f"SELECT activity, count(DISTINCT journey_id) AS journeys FROM {scope.work_events} GROUP BY activity"
        )
    )


def _handover_instances(scope: SparkScope, level: Level) -> str:
    """Twin of mining.discovery.handovers.handover_instances (with steps_sql: a step after a journey's first,
    from the holder of the step before it)."""
    return f"""
        SELECT journey_id, previous_{level} AS from_{level}, {level} AS to_{level},
               wait_hours - paused_hours AS wait_hours, wait_working_hours, paused_hours
        FROM {scope.work_events}
        WHERE position > 1 AND {_changes_holder(f"previous_{level}", level)}"""


def handovers(scope: SparkScope, level: Level = "department") -> pd.DataFrame:
    """Twin of mining.discovery.handovers.handovers."""
    keys = (f"from_{level}", f"to_{level}")
    instances = _handover_instances(scope, level)
    return to_pandas(
        scope.spark.sql(f"""
        WITH measured AS (
            SELECT from_{level}, to_{level},
                   {statistics_sql("wait_hours", "wait_hours", "handovers")},
                   sum(wait_hours) AS total_wait_hours,
                   {statistics_sql("wait_hours", "wait_working_hours")},  -- working time is calendar time here
                   sum(wait_hours) AS total_wait_working_hours, sum(paused_hours) AS paused_hours
            FROM ({instances}) GROUP BY from_{level}, to_{level}
        ), reached AS ({journeys_per(keys, instances)})
        SELECT m.from_{level}, m.to_{level}, m.handovers, m.mean_wait_hours, m.median_wait_hours, m.p90_wait_hours,
               m.total_wait_hours, r.journeys, m.mean_wait_working_hours, m.median_wait_working_hours,
               m.p90_wait_working_hours, m.total_wait_working_hours, m.paused_hours
        FROM measured m JOIN reached r ON {same_keys("m", "r", keys)}
        ORDER BY round(total_wait_hours, 6) DESC, from_{level} ASC NULLS LAST, to_{level} ASC NULLS LAST""")
    )


def _bounces(scope: SparkScope, level: Level) -> str:
    """Twin of mining.discovery.handovers.bounces_sql (with holders_sql)."""
    holders = f"""
        SELECT journey_id, position, {level} AS holder FROM {scope.work_events}
        WHERE {_changes_holder(f"previous_{level}", level)}"""
    return f"""
        SELECT journey_id, first AS holder, middle AS bounced_to FROM (
            SELECT journey_id, lag(holder, 2) OVER w AS first, lag(holder) OVER w AS middle, holder AS last
            FROM ({holders}) WINDOW w AS (PARTITION BY journey_id ORDER BY position))
        WHERE first = last AND middle IS NOT NULL"""


def ping_pong(scope: SparkScope, level: Level = "department") -> pd.DataFrame:
    """Twin of mining.discovery.handovers.ping_pong."""
    keys = (f"from_{level}", f"to_{level}")
    return to_pandas(
        scope.spark.sql(f"""
        WITH bounced AS (
            SELECT journey_id, holder AS from_{level}, bounced_to AS to_{level} FROM ({_bounces(scope, level)})
        ), counted AS (
            SELECT from_{level}, to_{level}, count(*) AS ping_pongs FROM bounced GROUP BY from_{level}, to_{level}
        ), bounces AS (
            SELECT c.from_{level}, c.to_{level}, c.ping_pongs, r.journeys
            FROM counted c JOIN ({journeys_per(keys, "SELECT * FROM bounced")}) r ON {same_keys("c", "r", keys)}
        ), exposed AS (
            SELECT from_{level}, to_{level}, count(DISTINCT journey_id) AS journeys_with_handover
            FROM ({_handover_instances(scope, level)}) GROUP BY from_{level}, to_{level}
        )
        SELECT b.*, b.journeys / e.journeys_with_handover AS rate
        FROM bounces b JOIN exposed e ON b.from_{level} = e.from_{level} AND b.to_{level} = e.to_{level}
        ORDER BY journeys DESC, ping_pongs DESC, from_{level} ASC NULLS LAST, to_{level} ASC NULLS LAST""")
    )
