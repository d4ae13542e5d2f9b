"""Processing time versus waiting time, for sources that record when an activity starts and completes
(events.lifecycle 'start' | 'complete'), computed in DuckDB SQL over the scope's steps.

One definition: the scope (mining/scope/scope.py) pairs each start with its complete into one step, an
activity instance, with `processing_hours` from start to complete, and the wait leading into every step
from the previous step's end; this module only adds them up. A start or a complete left unpaired is a
step without processing (counted as unpaired). Working hours are those of the step's calendar.
"""

from __future__ import annotations

import pandas as pd

from mining.scope.scope import Scope


def processing_per_activity(scope: Scope) -> pd.DataFrame:
    """Per activity with lifecycle events: paired executions (instances with a start and a complete),
    processing time (mean, median, p90; calendar and working hours), the median wait before its steps,
    and starts and completes left unpaired."""
    return scope.connection.execute(f"""
        SELECT activity,
               count(processing_hours) AS executions,
               avg(processing_hours) AS mean_processing_hours,
               quantile_cont(processing_hours, 0.5) AS median_processing_hours,
               quantile_cont(processing_hours, 0.9) AS p90_processing_hours,
               quantile_cont(processing_working_hours, 0.5) AS median_processing_working_hours,
               quantile_cont(processing_working_hours, 0.9) AS p90_processing_working_hours,
               quantile_cont(wait_hours, 0.5) AS median_wait_hours,
               quantile_cont(wait_working_hours, 0.5) AS median_wait_working_hours,
               count(*) FILTER (WHERE lifecycle = 'start' AND completed_at IS NULL) AS unpaired_starts,
               count(*) FILTER (WHERE lifecycle = 'complete') AS unpaired_completes
        FROM {scope.work_events} WHERE lifecycle IS NOT NULL
        GROUP BY activity ORDER BY executions DESC, activity
    """).df()


def processing_per_journey(scope: Scope) -> pd.DataFrame:
    """Per journey with lifecycle events: hours processing (inside its steps), hours waiting (between its
    steps: from one step's end to the next one's start), and the processing share of the two (calendar
    and working hours)."""
    return scope.connection.execute(f"""
        WITH totals AS (
            SELECT journey_id,
                   coalesce(sum(processing_hours), 0) AS processing_hours,
                   coalesce(sum(wait_hours), 0) AS waiting_hours,
                   coalesce(sum(processing_working_hours), 0) AS processing_working_hours,
                   coalesce(sum(wait_working_hours), 0) AS waiting_working_hours
            FROM {scope.work_events}
            GROUP BY journey_id HAVING bool_or(lifecycle IS NOT NULL)
        )
        SELECT *, processing_hours / nullif(processing_hours + waiting_hours, 0) AS processing_share,
               processing_working_hours / nullif(processing_working_hours + waiting_working_hours, 0)
                   AS processing_working_share
        FROM totals ORDER BY journey_id
    """).df()
