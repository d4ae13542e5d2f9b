"""Time in each stage of the designed journey, per journey, for a pilot comparison: from the stage's first
event to its last (the stage norm's definition, mining.design.norms), in the pilot's time basis (the sum of
the waits into the stage's later events). An event's stage is mining.design.event_stages' (on the design
department: departments_by_team applied to the event's team), the same as `journey compare` uses. A
journey still in the stage at its censoring moment, with the step that usually follows its last activity
(the most frequent next activity and design department seen after it) also in the stage, is censored
there (the wait since its last event counts); journeys that never reached the stage have no time in it."""

from __future__ import annotations

import duckdb
import pandas as pd

from mining.design.event_stages import staged_events
from mining.design.journey import DesignedJourney


def stage_times(connection: duckdb.DuckDBPyConnection, journey: DesignedJourney) -> pd.DataFrame:
    """journey_id, stage, hours, observed (needs mining.pilot.windows)."""
    with staged_events(connection, "pilot_events", journey) as events:
        return connection.execute(f"""
            WITH staged AS ({events}), bounds AS (
                SELECT journey_id, stage, min(position) AS first_position, max(position) AS last_position
                FROM staged WHERE stage IS NOT NULL GROUP BY ALL
            ), spans AS (
                SELECT b.journey_id, b.stage, b.last_position,
                       coalesce(sum(e.wait) FILTER (WHERE e.position > b.first_position
                                                    AND e.position <= b.last_position), 0) AS hours
                FROM bounds b JOIN pilot_events e USING (journey_id) GROUP BY ALL
            ), steps AS (
                SELECT activity, lead(activity) OVER w AS next_activity,
                       lead(design_department) OVER w AS next_department, lead(stage) OVER w AS next_stage,
                       lead(position) OVER w IS NOT NULL AS has_next
                FROM staged WINDOW w AS (PARTITION BY journey_id ORDER BY position)
            ), usual_next AS (
                SELECT activity, arg_max({{'stage': next_stage}}, n).stage AS next_stage FROM (
                    SELECT activity, next_activity, next_department, any_value(next_stage) AS next_stage,
                           count(*) AS n
                    FROM steps WHERE has_next GROUP BY activity, next_activity, next_department
                ) GROUP BY activity
            ), ends AS (
                SELECT journey_id, max(position) AS last_position, arg_max(activity, position) AS last_activity
                FROM pilot_events GROUP BY ALL
            ), tails AS (SELECT journey_id, wait FROM pilot_transitions WHERE NOT observed)
            SELECT journey_id, stage, hours + CASE WHEN still_in THEN coalesce(tail_wait, 0) ELSE 0 END AS hours,
                   NOT still_in AS observed
            FROM (
                SELECT s.journey_id, s.stage, s.hours, t.wait AS tail_wait,
                       coalesce(NOT p.finished AND s.last_position = n.last_position
                                AND t.journey_id IS NOT NULL AND u.next_stage = s.stage, FALSE) AS still_in
                FROM spans s JOIN pilot_journeys p USING (journey_id) JOIN ends n USING (journey_id)
                LEFT JOIN usual_next u ON u.activity IS NOT DISTINCT FROM n.last_activity
                LEFT JOIN tails t USING (journey_id)
            )
            ORDER BY journey_id, stage
        """).df()
