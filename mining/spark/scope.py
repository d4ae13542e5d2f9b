"""The scope on Spark: the twin of mining/scope/scope.py's `scope_journeys` and `scope_work_events` for
calendar time (tests/spark/ checks each against DuckDB on the same events). The views are cached: every
table of the discovery reads them.

Not on Spark yet, each refused with an error that says so: business calendars and pause activities
(working time), and start/complete lifecycles (refused where the events are read, mining/spark/source.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from mining.errors import AnalysisError
from mining.scope.time_rules import TimeRules
from mining.spark.source import EVENTS_VIEW, JOURNEYS_VIEW, RegisteredSource

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

SCOPE_JOURNEYS, SCOPE_WORK_EVENTS = "scope_journeys", "scope_work_events"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _instant(micros: int | None) -> datetime | None:
    return None if micros is None else EPOCH + timedelta(microseconds=int(micros))


def hours_between(later: str, earlier: str) -> str:
    """Calendar hours from `earlier` to `later` as DuckDB's epoch(later - earlier) / 3600.0 computes them
    (seconds with microseconds, then hours)."""
    return f"((unix_micros({later}) - unix_micros({earlier})) / 1000000.0D / 3600.0D)"


@dataclass(frozen=True)
class SparkScope:
    """The scope views on `spark`; as `mining.scope.scope.Scope` says, with calendar time only (no
    working-time basis: refuse_working_time)."""

    spark: SparkSession
    journey_type: str | None
    period: tuple[date, date] | None
    extracted_at: datetime
    journey_count: int
    first_event: datetime | None  # the events' first and last instant (None: no event)
    last_event: datetime | None
    journeys: str = SCOPE_JOURNEYS
    work_events: str = SCOPE_WORK_EVENTS


def refuse_working_time(time_rules: TimeRules | None) -> None:
    """Working time has no Spark twin yet: say which rules would be lost instead of ignoring them."""
    if time_rules is None or not (time_rules.calendars or time_rules.pause_activities):
        return
    parts = [
        f"{len(time_rules.calendars)} business calendar(s)" if time_rules.calendars else "",
        f"{len(time_rules.pause_activities)} pause activity(ies)" if time_rules.pause_activities else "",
    ]
    raise AnalysisError(
        "working time is not supported on the Spark engine yet: the time rules hold "
        f"{' and '.join(part for part in parts if part)}; "
        "run without --time-rules (calendar time) or with the default engine (--engine duckdb)"
    )


def define_spark_scope(
    spark: SparkSession,
    registered: RegisteredSource,
    journey_type: str | None = None,
    period: tuple[date, date] | None = None,
) -> SparkScope:
    """Registers and caches `scope_journeys` and `scope_work_events` over the views `events` and
    `journeys` (mining/spark/source.py). The journey type and the period's bounds are bound parameters."""
    # as microseconds: PySpark would hand a timestamp back in the machine's local zone; the events' first
    # and last instant (for the provenance) in the same pass
    first_micros, last_micros, extracted_micros = spark.sql(f"""
        SELECT unix_micros(min(ts)), unix_micros(max(ts)),
               unix_micros(greatest((SELECT max(ts) FROM {EVENTS_VIEW}), (SELECT max(opened_at) FROM {JOURNEYS_VIEW}),
                                    (SELECT max(closed_at) FROM {JOURNEYS_VIEW})))
        FROM {EVENTS_VIEW}
    """).collect()[0]
    if extracted_micros is None:
        raise AnalysisError(f"{registered.source.events}: the log records no instant")
    extracted_at = EPOCH + timedelta(microseconds=int(extracted_micros))
    conditions, args = ["TRUE"], {}
    if journey_type is not None:
        conditions.append("journey_type = :journey_type")
        args["journey_type"] = journey_type
    if period is not None:  # as mining/scope/scope.py: UTC calendar days, the last one inclusive
        conditions.append("opened_at >= CAST(:first_day AS TIMESTAMP) AND opened_at < CAST(:after_last AS TIMESTAMP)")
        args["first_day"] = f"{period[0]} 00:00:00"
        args["after_last"] = f"{period[1] + timedelta(days=1)} 00:00:00"
    censored_at = f"timestamp_micros({int(extracted_micros)})"
    journeys = spark.sql(
        f"""
        SELECT *, CASE WHEN NOT is_open THEN {hours_between("closed_at", "opened_at")} END AS lead_hours,
               CASE WHEN NOT is_open THEN {hours_between("closed_at", "opened_at")} END AS lead_working_hours,
               CASE WHEN is_open THEN {censored_at} END AS censored_at,
               CASE WHEN is_open THEN {hours_between(censored_at, "opened_at")} END AS open_hours,
               CASE WHEN is_open THEN {hours_between(censored_at, "opened_at")} END AS open_working_hours
        FROM {JOURNEYS_VIEW} WHERE {" AND ".join(conditions)}""",
        args=args,
    ).cache()
    journeys.createOrReplaceTempView(SCOPE_JOURNEYS)
    count = journeys.count()
    if count == 0:
        kind = "journeys" if journey_type is None else f"journeys of type '{journey_type}'"
        where = f" opened from {period[0]} to {period[1]}" if period else ""
        raise AnalysisError(f"no {kind}{where} in {registered.source.journeys}")
    # the order of eventlogs.store.connection.journey_order_sql: time, sequence (nulls last), event id;
    # the previous step's activity and holders ride along (previous_*: NULL on a journey's first step), so
    # the directly-follows graph, the handovers and the silo tax read them without sorting the events again
    sequence = "e.sequence ASC NULLS LAST, " if registered.has_sequence else ""
    wait = hours_between("ts", "previous_ts")
    spark.sql(f"""
        SELECT journey_id, activity, ts, department, team, resource, source_event_id, position,
               {wait} AS wait_hours, {wait} AS wait_working_hours,
               CASE WHEN previous_ts IS NOT NULL THEN 0.0D END AS paused_hours,
               CASE WHEN previous_ts IS NOT NULL THEN 0.0D END AS paused_working_hours,
               previous_activity, previous_department, previous_team, previous_resource
        FROM (
            SELECT e.journey_id, e.activity, e.ts, e.department, e.team, e.resource, e.source_event_id,
                   row_number() OVER w AS position, lag(e.ts) OVER w AS previous_ts,
                   lag(e.activity) OVER w AS previous_activity, lag(e.department) OVER w AS previous_department,
                   lag(e.team) OVER w AS previous_team, lag(e.resource) OVER w AS previous_resource
            FROM {EVENTS_VIEW} e LEFT SEMI JOIN {SCOPE_JOURNEYS} j ON e.journey_id = j.journey_id
            WHERE e.event_kind = 'work'
            WINDOW w AS (PARTITION BY e.journey_id ORDER BY e.ts ASC, {sequence}e.source_event_id ASC)
        )""").cache().createOrReplaceTempView(SCOPE_WORK_EVENTS)
    return SparkScope(spark, journey_type, period, extracted_at, count, _instant(first_micros), _instant(last_micros))
