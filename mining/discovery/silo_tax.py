"""The silo tax: how much of a journey's lead time is spent waiting at handovers between departments,
computed in DuckDB SQL over the scope views (the `Scope` from `define_scope`).

Every wait between two consecutive work events of a journey falls in exactly one bucket: a handover
wait when the department changes (the same rule as `mining.discovery.handovers`, so the handover hours here add
up to the handover tables' total waits), or a within-department wait when it stays. What lies outside
the events (opening to the first work event, the last work event to closing) is `other_hours`, so
handover + within + other = lead time of a finished journey.

A gap after a pause activity (the customer's time, see `mining.scope.scope`) is neither a handover nor a
within-department wait: it is `paused_hours`, so handover + within + paused + other = lead time. The
same split is given in working hours (`*_working_hours`: each wait on the calendar of the department
that receives the work, the lead time on the default calendar); the working shares divide by
`lead_working_hours`, or for an open journey by its working hours until the censoring moment.

Open journeys have no lead time yet: their hours so far run from opening to their latest work event
(the wait after it has no known end, nor a known next department), and they are summed apart from the
finished ones, never into the finished totals.
"""

from __future__ import annotations

import pandas as pd

from mining.discovery.handovers import changes_holder
from mining.scope.scope import JOURNEYS_VIEW, WORK_EVENTS_VIEW, Scope

# Each work event with the wait to the next one of its journey and whether that crosses departments.
STEPS_SQL = f"""
    SELECT journey_id, ts, lead(wait_hours - paused_hours) OVER w AS wait_hours,
           lead(wait_working_hours) OVER w AS wait_working_hours, lead(paused_hours) OVER w AS paused_hours,
           lead(paused_working_hours) OVER w AS paused_working_hours,
           {changes_holder("department", "lead(department) OVER w")} AS crosses
    FROM {WORK_EVENTS_VIEW} WINDOW w AS (PARTITION BY journey_id ORDER BY position)
"""

JOURNEYS_SQL = f"""
    WITH waits AS (
        SELECT journey_id,
               sum(wait_hours) FILTER (WHERE crosses) AS handover_hours,
               sum(wait_hours) FILTER (WHERE NOT crosses) AS within_department_hours,
               sum(paused_hours) AS paused_hours,
               sum(wait_working_hours) FILTER (WHERE crosses) AS handover_working_hours,
               sum(wait_working_hours) FILTER (WHERE NOT crosses) AS within_department_working_hours,
               sum(paused_working_hours) AS paused_working_hours,
               -- the last event has no next one (wait NULL): it is no handover
               count(wait_hours) FILTER (WHERE crosses) AS handovers,
               max(ts) AS last_work_at
        FROM ({STEPS_SQL})
        GROUP BY journey_id
    ), split AS (
        SELECT j.journey_id, j.is_open,
               coalesce(w.handovers, 0) AS handovers,
               coalesce(w.handover_hours, 0) AS handover_hours,
               coalesce(w.within_department_hours, 0) AS within_department_hours,
               coalesce(w.paused_hours, 0) AS paused_hours,
               coalesce(w.handover_working_hours, 0) AS handover_working_hours,
               coalesce(w.within_department_working_hours, 0) AS within_department_working_hours,
               coalesce(w.paused_working_hours, 0) AS paused_working_hours,
               j.lead_hours, j.lead_working_hours, j.open_working_hours,
               -- an open journey's time so far: opening to its latest work event
               CASE WHEN j.is_open THEN epoch(w.last_work_at - j.opened_at) / 3600.0 END AS hours_so_far
        FROM {JOURNEYS_VIEW} j LEFT JOIN waits w USING (journey_id)
    )
    SELECT journey_id, is_open, handovers, handover_hours, within_department_hours, paused_hours,
           coalesce(lead_hours, hours_so_far) - handover_hours - within_department_hours - paused_hours
               AS other_hours,
           lead_hours, hours_so_far,
           handover_hours / nullif(coalesce(lead_hours, hours_so_far), 0) AS handover_share,
           handover_working_hours, within_department_working_hours, paused_working_hours,
           lead_working_hours, open_working_hours,
           handover_working_hours / nullif(coalesce(lead_working_hours, open_working_hours), 0)
               AS handover_working_share
    FROM split
"""


def silo_tax_per_journey(scope: Scope) -> pd.DataFrame:
    """Per journey: handover hours, within-department hours, other hours, lead time (finished) or
    hours so far (open), and the share spent at handovers."""
    return scope.connection.execute(f"{JOURNEYS_SQL} ORDER BY is_open, journey_id").df()


def silo_tax_summary(scope: Scope) -> pd.DataFrame:
    """One row for the finished journeys and one for the open ones. The share is a ratio of sums
    (handover hours over lead hours), so a long journey weighs by its hours, not as one journey."""
    return scope.connection.execute(f"""
        SELECT CASE WHEN is_open THEN 'open' ELSE 'finished' END AS status,
               count(*) AS journeys, sum(handovers)::BIGINT AS handovers,
               sum(handover_hours) AS handover_hours, sum(within_department_hours) AS within_department_hours,
               sum(paused_hours) AS paused_hours, sum(other_hours) AS other_hours,
               -- lead time for the finished, time so far for the open: the two are never added up
               sum(coalesce(lead_hours, hours_so_far)) AS hours,
               sum(handover_hours) / nullif(sum(coalesce(lead_hours, hours_so_far)), 0) AS handover_share,
               sum(handover_working_hours) AS handover_working_hours,
               sum(within_department_working_hours) AS within_department_working_hours,
               sum(paused_working_hours) AS paused_working_hours,
               sum(coalesce(lead_working_hours, open_working_hours)) AS working_hours,
               sum(handover_working_hours) / nullif(sum(coalesce(lead_working_hours, open_working_hours)), 0)
                   AS handover_working_share
        FROM ({JOURNEYS_SQL})
        GROUP BY is_open ORDER BY is_open
    """).df()
