"""Processing time versus waiting time, for sources that record when an activity starts and completes
(events.lifecycle 'start' | 'complete'), computed in DuckDB SQL over the scope views.

A start is paired with the next event of the same activity in the journey when that is a complete:
the time between them is processing. A start followed by another start was abandoned (no processing
counted); a complete without its start is unpaired. The gap before a start (from the journey's previous
work event) is waiting. Working hours come from the scope's per-event working clock (`clock_hours`)
when start and complete are on the same calendar.
"""

from __future__ import annotations

import pandas as pd

from mining.scope.scope import WORK_EVENTS_VIEW, Scope

# Each start with its paired complete (NULL when the next event of that activity is not a complete).
PAIRS_SQL = f"""
    WITH lifecycle_events AS (
        SELECT journey_id, activity, position, ts, lifecycle, calendar, clock_hours, wait_hours,
               wait_working_hours,
               lead(lifecycle) OVER a AS next_lifecycle, lead(ts) OVER a AS next_ts,
               lead(calendar) OVER a AS next_calendar, lead(clock_hours) OVER a AS next_clock_hours,
               lag(lifecycle) OVER a AS previous_lifecycle
        FROM {WORK_EVENTS_VIEW} WHERE lifecycle IS NOT NULL
        WINDOW a AS (PARTITION BY journey_id, activity ORDER BY position)
    )
    SELECT journey_id, activity, lifecycle, previous_lifecycle, wait_hours, wait_working_hours,
           CASE WHEN lifecycle = 'start' AND next_lifecycle = 'complete'
                THEN epoch(next_ts - ts) / 3600.0 END AS processing_hours,
           CASE WHEN lifecycle = 'start' AND next_lifecycle = 'complete'
                     AND calendar IS NOT DISTINCT FROM next_calendar
                THEN next_clock_hours - clock_hours END AS processing_working_hours
    FROM lifecycle_events
"""


def processing_per_activity(scope: Scope) -> pd.DataFrame:
    """Per activity: paired executions, processing time (mean, median, p90; calendar and working hours),
    the wait before its starts, and starts and completes left unpaired."""
    return scope.connection.execute(f"""
        SELECT activity,
               count(processing_hours) AS executions,
               avg(processing_hours) AS mean_processing_hours,
               quantile_cont(processing_hours, 0.5) AS median_processing_hours,
               quantile_cont(processing_hours, 0.9) AS p90_processing_hours,
               quantile_cont(processing_working_hours, 0.5) AS median_processing_working_hours,
               quantile_cont(processing_working_hours, 0.9) AS p90_processing_working_hours,
               quantile_cont(wait_hours, 0.5) FILTER (WHERE lifecycle = 'start') AS median_wait_hours,
               quantile_cont(wait_working_hours, 0.5) FILTER (WHERE lifecycle = 'start') AS median_wait_working_hours,
               count(*) FILTER (WHERE lifecycle = 'start' AND processing_hours IS NULL) AS unpaired_starts,
               count(*) FILTER (WHERE lifecycle = 'complete' AND previous_lifecycle IS DISTINCT FROM 'start')
                   AS unpaired_completes
        FROM ({PAIRS_SQL})
        GROUP BY activity ORDER BY executions DESC, activity
    """).df()


def processing_per_journey(scope: Scope) -> pd.DataFrame:
    """Per journey with lifecycle events: hours processing, hours waiting before starts, and the
    processing share of the two (calendar and working hours)."""
    return scope.connection.execute(f"""
        WITH totals AS (
            SELECT journey_id,
                   coalesce(sum(processing_hours), 0) AS processing_hours,
                   coalesce(sum(wait_hours) FILTER (WHERE lifecycle = 'start'), 0) AS waiting_hours,
                   coalesce(sum(processing_working_hours), 0) AS processing_working_hours,
                   coalesce(sum(wait_working_hours) FILTER (WHERE lifecycle = 'start'), 0) AS waiting_working_hours
            FROM ({PAIRS_SQL})
            GROUP BY journey_id
        )
        SELECT *, processing_hours / nullif(processing_hours + waiting_hours, 0) AS processing_share,
               processing_working_hours / nullif(processing_working_hours + waiting_working_hours, 0)
                   AS processing_working_share
        FROM totals ORDER BY journey_id
    """).df()
