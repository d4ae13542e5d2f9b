"""Journey paths: variants and the performance directly-follows graph, computed in DuckDB SQL.

Waiting time on an edge a -> b is the time from a's event to b's event in the same journey, in
calendar hours (`*_wait_hours`, as pm4py measures it) and in working hours of b's department with
pause time left out (`*_wait_working_hours`; see `mining.scope.scope`). Lead times likewise.
"""

from __future__ import annotations

import pandas as pd

from mining.scope.scope import WORK_EVENTS_VIEW, Scope

VARIANT_SEPARATOR = " → "  # between the activities of a variant (a journey's path)
QUANTILE_COLUMNS = """count(*) AS {count_name},
       avg({value}) AS mean_{unit}, quantile_cont({value}, 0.5) AS median_{unit},
       quantile_cont({value}, 0.9) AS p90_{unit}"""
# The same figures without the count, for a second unit (working hours) beside the first.
STATISTIC_COLUMNS = """avg({value}) AS mean_{unit}, quantile_cont({value}, 0.5) AS median_{unit},
       quantile_cont({value}, 0.9) AS p90_{unit}"""


def variants(scope: Scope) -> pd.DataFrame:
    """Each distinct path with its journeys, share, and lead time of the finished ones."""
    return (
        scope.connection.execute(f"""
        WITH paths AS (
            SELECT journey_id, string_agg(activity, '{VARIANT_SEPARATOR}' ORDER BY position) AS variant,
                   count(*) AS steps
            FROM {scope.work_events} GROUP BY journey_id
        )
        SELECT variant, any_value(steps) AS steps,
               {QUANTILE_COLUMNS.format(count_name="journeys", value="j.lead_hours", unit="lead_hours")},
               {STATISTIC_COLUMNS.format(value="j.lead_working_hours", unit="lead_working_hours")},
               count(*) FILTER (WHERE j.is_open) AS open_journeys
        FROM paths p JOIN {scope.journeys} j USING (journey_id)
        GROUP BY variant
        ORDER BY journeys DESC, variant
    """)
        .df()
        .assign(share=lambda frame: frame["journeys"] / frame["journeys"].sum())
    )


# Each work event with the next one of the same journey; the waits come from the scope (the wait leading
# into the next event; wait_hours the whole gap, pauses included).
SUCCESSIONS_SQL = f"""
        SELECT journey_id, position, activity AS source_activity, department AS source_department,
               lead(activity) OVER w AS target_activity, lead(department) OVER w AS target_department,
               team AS source_team, lead(team) OVER w AS target_team,
               resource AS source_resource, lead(resource) OVER w AS target_resource,
               lead(wait_hours) OVER w AS wait_hours,
               lead(wait_working_hours) OVER w AS wait_working_hours, lead(paused_hours) OVER w AS paused_hours,
               lead(paused_working_hours) OVER w AS paused_working_hours
        FROM {WORK_EVENTS_VIEW} WINDOW w AS (PARTITION BY journey_id ORDER BY position)
"""


def directly_follows(scope: Scope) -> pd.DataFrame:
    """Edges a -> b with frequency and waiting time (mean, median, 90th percentile)."""
    return scope.connection.execute(f"""
        SELECT source_activity, target_activity,
               -- an activity done by several departments: the edge's first occurrence names them
               arg_min_null(source_department, (journey_id, position)) AS source_department,
               arg_min_null(target_department, (journey_id, position)) AS target_department,
               {QUANTILE_COLUMNS.format(count_name="frequency", value="wait_hours", unit="wait_hours")},
               {STATISTIC_COLUMNS.format(value="wait_working_hours", unit="wait_working_hours")},
               sum(paused_hours) AS paused_hours, count(DISTINCT journey_id) AS journeys
        FROM ({SUCCESSIONS_SQL}) WHERE target_activity IS NOT NULL
        GROUP BY source_activity, target_activity
        ORDER BY frequency DESC, source_activity, target_activity
    """).df()


def start_end_activities(scope: Scope) -> pd.DataFrame:
    """How often each activity starts a journey, and ends one (finished journeys only: the last event
    of an open journey is where it waits, not where it ends)."""
    return scope.connection.execute(f"""
        WITH bounds AS (
            SELECT journey_id, arg_min(activity, position) AS first, arg_max(activity, position) AS last
            FROM {scope.work_events} GROUP BY journey_id
        )
        SELECT activity, sum(starts)::BIGINT AS starts, sum(ends)::BIGINT AS ends FROM (
            SELECT first AS activity, 1 AS starts, 0 AS ends FROM bounds
            UNION ALL
            SELECT last, 0, 1 FROM bounds JOIN {scope.journeys} j USING (journey_id) WHERE NOT j.is_open
        ) GROUP BY activity ORDER BY activity
    """).df()


def activities(scope: Scope) -> pd.DataFrame:
    """Each activity with its frequency and the department that performs it most often."""
    return scope.connection.execute(f"""
        SELECT activity, count(*) AS frequency, mode(department) AS department,
               count(DISTINCT journey_id) AS journeys
        FROM {scope.work_events} GROUP BY activity ORDER BY frequency DESC, activity
    """).df()


def journey_overview(scope: Scope) -> dict[str, float]:
    """Headline figures of the scope: volume, open journeys, lead time, customer chasing."""
    row = (
        scope.connection.execute(f"""
        SELECT count(*) AS journeys, count(*) FILTER (WHERE is_open) AS open_journeys,
               quantile_cont(lead_hours, 0.5) AS median_lead_hours,
               quantile_cont(lead_hours, 0.9) AS p90_lead_hours,
               quantile_cont(lead_working_hours, 0.5) AS median_lead_working_hours,
               quantile_cont(lead_working_hours, 0.9) AS p90_lead_working_hours,
               (SELECT count(*) FROM events e SEMI JOIN {scope.journeys} s USING (journey_id)
                 WHERE e.event_kind = 'contact') AS customer_contacts,
               (SELECT count(*) FROM {scope.work_events}) AS work_events
        FROM {scope.journeys}
    """)
        .df()
        .iloc[0]
    )
    overview = {key: float(value) for key, value in row.items()}
    overview["contacts_per_journey"] = overview["customer_contacts"] / max(overview["journeys"], 1)
    return overview
