"""Time in each stage of the designed journey, per journey, for a pilot comparison: from the stage's first
event to its last (the stage norm's definition), in the pilot's time basis (the sum of the waits into the
stage's later events). A journey still in the stage at its censoring moment, with the step that usually
follows also in the stage, is censored there (the wait since its last event counts); journeys that never
reached the stage have no time in it."""

from __future__ import annotations

import duckdb
import pandas as pd

from mining.design.journey import DesignedJourney
from mining.scope.frames import registered


def stage_times(connection: duckdb.DuckDBPyConnection, journey: DesignedJourney) -> pd.DataFrame:
    """journey_id, stage, hours, observed (needs mining.pilot.windows)."""
    pairs = connection.execute("SELECT DISTINCT activity, department FROM pilot_events").fetchall()
    stages = [(activity, department, journey.stage_of(activity, department)) for activity, department in pairs]
    stage_map = pd.DataFrame(
        [(activity, department, stage.name) for activity, department, stage in stages if stage is not None],
        columns=["activity", "department", "stage"],
    )
    with registered(connection, pilot_stage_map=stage_map):
        return connection.execute("""
            WITH tagged AS (
                SELECT e.journey_id, e.position, m.stage
                FROM pilot_events e JOIN pilot_stage_map m USING (activity, department)
            ), bounds AS (
                SELECT journey_id, stage, min(position) AS first_position, max(position) AS last_position
                FROM tagged GROUP BY ALL
            ), spans AS (
                SELECT b.journey_id, b.stage, b.last_position,
                       coalesce(sum(e.wait) FILTER (WHERE e.position > b.first_position
                                                    AND e.position <= b.last_position), 0) AS hours
                FROM bounds b JOIN pilot_events e USING (journey_id) GROUP BY ALL
            ), tails AS (
                SELECT t.journey_id, t.wait, m.stage AS next_stage
                FROM pilot_transitions t LEFT JOIN pilot_stage_map m
                     ON m.activity = t.to_activity AND m.department = t.to_department
                WHERE NOT t.observed
            ), ends AS (SELECT journey_id, max(position) AS last_position FROM pilot_events GROUP BY ALL)
            SELECT journey_id, stage, hours + CASE WHEN still_in THEN tail_wait ELSE 0 END AS hours,
                   NOT still_in AS observed
            FROM (
                SELECT s.journey_id, s.stage, s.hours, t.wait AS tail_wait,
                       coalesce(NOT p.finished AND s.last_position = n.last_position
                                AND t.next_stage = s.stage, FALSE) AS still_in
                FROM spans s JOIN pilot_journeys p USING (journey_id) JOIN ends n USING (journey_id)
                LEFT JOIN tails t USING (journey_id)
            )
            ORDER BY journey_id, stage
        """).df()
