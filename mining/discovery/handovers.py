"""Handovers between silos: consecutive work events of a journey where the department (or team,
or resource) changes, with the waiting time between them.

The wait is internal waiting: a gap after a pause activity (the customer's time, see `mining.scope.scope`) is
left out of `wait_hours` and `wait_working_hours` and reported as `paused_hours`. Without pause
activities `wait_hours` is the whole calendar gap."""

from __future__ import annotations

from typing import Literal

import pandas as pd

from eventlogs.one_row import one_value
from mining.discovery.tables import QUANTILE_COLUMNS, STATISTIC_COLUMNS
from mining.scope.scope import WORK_EVENTS_VIEW, Scope

Level = Literal["department", "team", "resource"]


def changes_holder(previous: str, current: str) -> str:
    """THE handover condition, in SQL: the holder of a journey's work changes from one work event to the
    next (to or from no holder counts too). Every handover in the product is a step where this holds."""
    return f"({previous} IS DISTINCT FROM {current})"


def steps_sql(events: str, holder: str, level: str = "department") -> str:
    """Each work event of a journey after its first, as a step from the event before it: the events
    relation's columns (of the receiving event, so its waits are the wait of the step), `from_<level>` and
    `to_<level>` (the holder: `holder` is a column or SQL expression of `events`, the recorded department,
    team or resource, or the design's mapping of them), `source_activity`, `target_activity`, and
    `handover` (changes_holder). `events` needs journey_id, position and activity."""
    return f"""
        SELECT * EXCLUDE (has_previous), {changes_holder(f"from_{level}", f"to_{level}")} AS handover FROM (
            SELECT e.*, lag({holder}) OVER w AS from_{level}, {holder} AS to_{level},
                   lag(e.activity) OVER w AS source_activity, e.activity AS target_activity,
                   row_number() OVER w > 1 AS has_previous
            FROM {events} e WINDOW w AS (PARTITION BY e.journey_id ORDER BY e.position)
        ) WHERE has_previous"""


def handover_instances(level: Level = "department", events: str = WORK_EVENTS_VIEW) -> str:
    """SQL of every single handover at `level`: journey, from, to, wait_hours (calendar, pauses left out),
    wait_working_hours (on the receiving department's calendar), paused_hours."""
    return f"""
        SELECT journey_id, from_{level}, to_{level},
               wait_hours - paused_hours AS wait_hours, wait_working_hours, paused_hours,
               source_activity, target_activity
        FROM ({steps_sql(events, level, level)})
        WHERE handover
    """


def handovers(scope: Scope, level: Level = "department") -> pd.DataFrame:
    """Per pair: handovers, journeys affected, waiting time (mean, median, p90, total)."""
    return scope.connection.execute(f"""
        SELECT from_{level}, to_{level},
               {QUANTILE_COLUMNS.format(count_name="handovers", value="wait_hours", unit="wait_hours")},
               sum(wait_hours) AS total_wait_hours, count(DISTINCT journey_id) AS journeys,
               {STATISTIC_COLUMNS.format(value="wait_working_hours", unit="wait_working_hours")},
               sum(wait_working_hours) AS total_wait_working_hours, sum(paused_hours) AS paused_hours
        FROM ({handover_instances(level, scope.work_events)})
        GROUP BY ALL ORDER BY round(total_wait_hours, 6) DESC, from_{level}, to_{level}
    """).df()  # ties in a fixed order (sums rounded: parallel sums differ in the last digits)


def handover_matrix(table: pd.DataFrame, value: str = "median_wait_hours") -> pd.DataFrame:
    """From-department rows, to-department columns; empty where no handover happens."""
    return table.pivot(index="from_department", columns="to_department", values=value).sort_index(axis=0)


def holders_sql(level: Level, events: str = WORK_EVENTS_VIEW) -> str:
    """SQL of each journey's holders at `level` in sequence, repeats collapsed: (journey_id, position, holder);
    `events` is any relation with journey_id, position and the level's column."""
    return f"""
        SELECT journey_id, position, {level} AS holder FROM (
            SELECT journey_id, position, {level}, lag({level}) OVER w AS previous
            FROM {events} WINDOW w AS (PARTITION BY journey_id ORDER BY position))
        WHERE {changes_holder("previous", level)}"""


def bounces_sql(level: Level, events: str = WORK_EVENTS_VIEW) -> str:
    """SQL of every X -> Y -> X at `level` in each journey's holders with repeats collapsed (holders_sql):
    (journey_id, holder X, bounced_to Y). Y must be known: X -> an event without a holder -> X is no bounce
    to anybody. The one definition of ping-pong for the tables, the findings and the pilot."""
    return f"""
        SELECT journey_id, first AS holder, middle AS bounced_to FROM (
            SELECT journey_id, lag(holder, 2) OVER w AS first, lag(holder) OVER w AS middle, holder AS last
            FROM ({holders_sql(level, events)}) WINDOW w AS (PARTITION BY journey_id ORDER BY position))
        WHERE first = last AND middle IS NOT NULL"""


def ping_pong(scope: Scope, level: Level = "department") -> pd.DataFrame:
    """X -> Y -> X at `level`, in each journey's sequence with repeats collapsed, per pair (X, Y):
    occurrences, journeys with it, and the rate among journeys with an X -> Y handover."""
    return scope.connection.execute(f"""
        WITH bounces AS (
            SELECT holder AS from_{level}, bounced_to AS to_{level}, count(*) AS ping_pongs,
                   count(DISTINCT journey_id) AS journeys
            FROM ({bounces_sql(level, scope.work_events)}) GROUP BY ALL
        ), exposed AS (
            SELECT from_{level}, to_{level}, count(DISTINCT journey_id) AS journeys_with_handover
            FROM ({handover_instances(level, scope.work_events)}) GROUP BY ALL
        )
        SELECT b.*, b.journeys / e.journeys_with_handover AS rate
        FROM bounces b JOIN exposed e USING (from_{level}, to_{level})
        ORDER BY journeys DESC, ping_pongs DESC, from_{level}, to_{level}
    """).df()


def journeys_with_ping_pong(scope: Scope, level: Level = "department") -> int:
    """Journeys with at least one X -> Y -> X at `level` (bounces_sql)."""
    return one_value(
        scope.connection.execute(f"SELECT count(DISTINCT journey_id) FROM ({bounces_sql(level, scope.work_events)})")
    )
