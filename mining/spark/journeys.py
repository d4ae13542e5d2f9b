"""Per-journey figures on Spark: the silo tax (twin of mining/discovery/silo_tax.py) and the headline
figures (twin of mining.discovery.tables.journey_overview)."""

from __future__ import annotations

import pandas as pd

from mining.spark.scope import SparkScope, hours_between
from mining.spark.source import EVENTS_VIEW
from mining.spark.tables import to_pandas


def _journeys_sql(scope: SparkScope) -> str:
    """Twin of mining.discovery.silo_tax.JOURNEYS_SQL (with its STEPS_SQL)."""
    # each step after a journey's first with the wait leading into it, crossing when the department changes
    # from the step before (DuckDB gives the same wait to the step before, as the wait after it: same sums)
    steps = f"""
        SELECT journey_id, ts, wait_hours - paused_hours AS wait_hours, wait_working_hours, paused_hours,
               paused_working_hours, position > 1 AND NOT (previous_department <=> department) AS crosses
        FROM {scope.work_events}"""
    return f"""
    WITH waits AS (
        SELECT journey_id,
               sum(CASE WHEN crosses THEN wait_hours END) AS handover_hours,
               sum(CASE WHEN NOT crosses THEN wait_hours END) AS within_department_hours,
               sum(paused_hours) AS paused_hours,
               sum(CASE WHEN crosses THEN wait_working_hours END) AS handover_working_hours,
               sum(CASE WHEN NOT crosses THEN wait_working_hours END) AS within_department_working_hours,
               sum(paused_working_hours) AS paused_working_hours,
               count(CASE WHEN crosses THEN wait_hours END) AS handovers,
               max(ts) AS last_work_at
        FROM ({steps}) GROUP BY journey_id
    ), split AS (
        SELECT j.journey_id, j.is_open,
               coalesce(w.handovers, 0) AS handovers,
               coalesce(w.handover_hours, 0D) AS handover_hours,
               coalesce(w.within_department_hours, 0D) AS within_department_hours,
               coalesce(w.paused_hours, 0D) AS paused_hours,
               coalesce(w.handover_working_hours, 0D) AS handover_working_hours,
               coalesce(w.within_department_working_hours, 0D) AS within_department_working_hours,
               coalesce(w.paused_working_hours, 0D) AS paused_working_hours,
               j.lead_hours, j.lead_working_hours, j.open_working_hours,
               CASE WHEN j.is_open THEN {hours_between("w.last_work_at", "j.opened_at")} END AS hours_so_far
        FROM {scope.journeys} j LEFT JOIN waits w ON j.journey_id = w.journey_id
    )
    SELECT journey_id, is_open, handovers, handover_hours, within_department_hours, paused_hours,
           coalesce(lead_hours, hours_so_far) - handover_hours - within_department_hours - paused_hours
               AS other_hours,
           lead_hours, hours_so_far,
           try_divide(handover_hours, nullif(coalesce(lead_hours, hours_so_far), 0D)) AS handover_share,
           handover_working_hours, within_department_working_hours, paused_working_hours,
           lead_working_hours, open_working_hours,
           try_divide(handover_working_hours, nullif(coalesce(lead_working_hours, open_working_hours), 0D))
               AS handover_working_share
    FROM split"""


def silo_tax_per_journey(scope: SparkScope) -> pd.DataFrame:
    """Twin of mining.discovery.silo_tax.silo_tax_per_journey: a row per journey (as many as the scope
    holds, so this table is as long as the journeys; the figures per journey are what it is for)."""
    return to_pandas(
        scope.spark.sql(f"{_journeys_sql(scope)} ORDER BY is_open ASC NULLS LAST, journey_id ASC NULLS LAST")
    )


def silo_tax_summary(scope: SparkScope) -> pd.DataFrame:
    """Twin of mining.discovery.silo_tax.silo_tax_summary."""
    return to_pandas(
        scope.spark.sql(f"""
        SELECT CASE WHEN is_open THEN 'open' ELSE 'finished' END AS status,
               count(*) AS journeys, CAST(sum(handovers) AS BIGINT) AS handovers,
               sum(handover_hours) AS handover_hours, sum(within_department_hours) AS within_department_hours,
               sum(paused_hours) AS paused_hours, sum(other_hours) AS other_hours,
               sum(coalesce(lead_hours, hours_so_far)) AS hours,
               try_divide(sum(handover_hours), nullif(sum(coalesce(lead_hours, hours_so_far)), 0D))
                   AS handover_share,
               sum(handover_working_hours) AS handover_working_hours,
               sum(within_department_working_hours) AS within_department_working_hours,
               sum(paused_working_hours) AS paused_working_hours,
               sum(coalesce(lead_working_hours, open_working_hours)) AS working_hours,
               try_divide(sum(handover_working_hours),
                          nullif(sum(coalesce(lead_working_hours, open_working_hours)), 0D)) AS handover_working_share
        FROM ({_journeys_sql(scope)})
        GROUP BY is_open ORDER BY is_open ASC NULLS LAST""")
    )


def journey_overview(scope: SparkScope) -> dict[str, float]:
    """Twin of mining.discovery.tables.journey_overview."""
    row = to_pandas(
        scope.spark.sql(f"""
        SELECT count(*) AS journeys, count_if(is_open) AS open_journeys,
               percentile(lead_hours, 0.5D) AS median_lead_hours, percentile(lead_hours, 0.9D) AS p90_lead_hours,
               percentile(lead_working_hours, 0.5D) AS median_lead_working_hours,
               percentile(lead_working_hours, 0.9D) AS p90_lead_working_hours,
               (SELECT count(*) FROM {EVENTS_VIEW} e LEFT SEMI JOIN {scope.journeys} s ON e.journey_id = s.journey_id
                 WHERE e.event_kind = 'contact') AS customer_contacts,
               (SELECT count(*) FROM {scope.work_events}) AS work_events
        FROM {scope.journeys}""")
    ).iloc[0]
    overview = {str(key): float(value) for key, value in row.items()}
    overview["contacts_per_journey"] = overview["customer_contacts"] / max(overview["journeys"], 1)
    return overview
