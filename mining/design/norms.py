"""Time against the designed journey's norms: per stage, per handover and end to end (the XLA).

Every figure is measured in its norm's own time basis: `working` reads the working-time columns of the
scope views (`wait_working_hours`, `lead_working_hours`), `calendar` the calendar ones. Without business
calendars (`Scope.working_time` false) the working columns are calendar hours, and the tables say so in
`measured_in`.

- Handover: consecutive work events of a journey where the department changes (as `mining.discovery.handovers`
  defines it); its wait is the wait into the receiving department's first event.
- Stage: per journey, from the first to the last event of the stage (one instance per journey; a
  repeated stage stretches it); an event's stage is mining.design.event_stages' (on the design department).
- Team handover: consecutive work events of one stage and one design department whose team changes;
  it stays inside the stage (no department changes hands), so it is part of the stage's time.
- Rework: the same activity done again by the same holder (team, else department); not a change of team.
- Excess: time over the norm where positive, summed over instances; a handover the design does not
  have counts its whole wait.
- A norm *holds* when the share of journeys within it reaches the norm's share (e.g. 80%).
- End to end: finished journeys are decided; an open journey already past the norm is a breach, one
  still under it is censored (undecided) and left out of the rate, and counted.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from eventlogs.sql_text import sql_literal
from mining.design.event_stages import staged_events, staged_events_sql
from mining.design.journey import DesignedJourney, Norm, TimeBasis
from mining.discovery.handovers import changes_holder, steps_sql
from mining.scope.frames import registered
from mining.scope.scope import Scope

# A norm that misses its share by less than this is "close" (amber) rather than breached (red).
AMBER_MARGIN = 0.10


def rework_sql(activity: str = "activity", team: str = "team", department: str = "department") -> str:
    """THE rework key, in SQL: work is done again when the same activity comes back to the same holder (its
    team, or its department when it has no team). A change of team is a handover, not rework."""
    return f"{activity}, coalesce({team}, {department})"


def timed_events_sql(scope: Scope, journey: DesignedJourney) -> str:
    """Work events in scope with the wait since the previous work event of the journey in both bases
    (`calendar_wait`, `working_wait`; NULL for a journey's first event); `department` as `journey` sees it
    and the event's stage (mining.design.event_stages: needs its view STAGE_MAP_VIEW)."""
    return f"""
        SELECT journey_id, position, activity, design_department AS department, team, ts,
               wait_hours AS calendar_wait, wait_working_hours AS working_wait,
               stage, stage_department, stage_order, stage_guessed
        FROM ({staged_events_sql(scope.work_events, journey)})
    """


def _with_previous_sql(scope: Scope, journey: DesignedJourney, column: str, name: str) -> str:
    """The timed events with `repeated` (rework_sql: done before in the journey by the same holder), the
    previous event's `source_stage` and its `column` as `name`."""
    return f"""
        SELECT *, row_number() OVER (PARTITION BY journey_id, {rework_sql()} ORDER BY position) > 1 AS repeated,
               lag(stage) OVER w AS source_stage, lag({column}) OVER w AS {name}
        FROM ({timed_events_sql(scope, journey)}) WINDOW w AS (PARTITION BY journey_id ORDER BY position)"""


def handover_instances_sql(scope: Scope, journey: DesignedJourney) -> str:
    """Every handover (mining.discovery.handovers.steps_sql, between the departments as the design sees
    them) with both waits: `position` of the receiving event, `repeated` (rework: its activity was done
    before in the journey by the same holder, rework_sql), the stage each side's event belongs to
    (`source_stage`, `source_stage_department`; `stage`, `stage_department` of the receiving event)."""
    return f"""
        WITH numbered AS ({_with_previous_sql(scope, journey, "stage_department", "source_stage_department")})
        SELECT journey_id, position, from_department, to_department, source_activity, target_activity,
               calendar_wait, working_wait, repeated, source_stage, source_stage_department, stage, stage_department
        FROM ({steps_sql("numbered", "department")}) WHERE handover
    """


def team_handover_instances_sql(scope: Scope, journey: DesignedJourney) -> str:
    """Every handover between teams inside one stage: consecutive work events of the same stage and the
    same design department whose team changes (steps_sql on the team). `from_team`, `to_team`, the
    `department` and `stage`, both waits, `position` of the receiving event and `repeated` (rework_sql)."""
    return f"""
        WITH numbered AS ({_with_previous_sql(scope, journey, "department", "from_department")})
        SELECT journey_id, position, from_team, to_team, department, stage, source_activity, target_activity,
               calendar_wait, working_wait, repeated
        FROM ({steps_sql("numbered", "team", "team")})
        WHERE handover AND stage IS NOT NULL AND source_stage = stage AND from_department = department
    """


def status(within_rate: float | None, share: float | None) -> str | None:
    """green: the norm holds for its share; amber: within AMBER_MARGIN of it; red: breached."""
    if within_rate is None or share is None or pd.isna(within_rate) or pd.isna(share):
        return None
    if within_rate >= share:
        return "green"
    return "amber" if within_rate >= share - AMBER_MARGIN else "red"


def measured_in(time: str, working_time: bool) -> TimeBasis:
    """The basis a figure of a norm in `time` is measured in: its own, except that without working time
    (`Scope.working_time` false: no time rules) a working-time norm is measured in calendar time."""
    return "working" if time == "working" and working_time else "calendar"


def _with_verdicts(table: pd.DataFrame, measured_in_working: bool) -> pd.DataFrame:
    table["within_norm_rate"] = 1 - table["journeys_breaching_rate"]
    table["holds"] = [
        None if pd.isna(norm) else bool(within >= share)
        for norm, within, share in zip(table["norm_hours"], table["within_norm_rate"], table["norm_share"], strict=True)
    ]
    table["status"] = [
        None if pd.isna(norm) else status(within, share)
        for norm, within, share in zip(table["norm_hours"], table["within_norm_rate"], table["norm_share"], strict=True)
    ]
    table["measured_in"] = [measured_in(time, measured_in_working) for time in table["time"]]
    total = table["excess_hours"].sum()
    table["share_of_excess"] = table["excess_hours"] / total if total > 0 else 0.0
    return table


def designed_handover_frame(journey: DesignedJourney) -> pd.DataFrame:
    """The designed handovers with their norm (hours, share, basis) and place in the designed order."""
    designed = journey.designed_handovers()
    norms: dict[tuple[str, str], Norm] = {(n.from_department, n.to_department): n.norm for n in journey.handover_norms}
    fallback = journey.time
    return pd.DataFrame(
        {
            "from_department": pd.Series([pair[0] for pair in designed], dtype=object),
            "to_department": pd.Series([pair[1] for pair in designed], dtype=object),
            "design_order": pd.array(range(1, len(designed) + 1), dtype="Int64"),
            "norm_hours": pd.Series([norms[p].hours if p in norms else None for p in designed], dtype="float64"),
            "norm_share": pd.Series(
                [norms[p].share if p in norms else journey.norm_share for p in designed], dtype="float64"
            ),
            "time": pd.Series([norms[p].time if p in norms else fallback for p in designed], dtype=object),
        },
    )


def judged_handovers_sql(scope: Scope, journey: DesignedJourney) -> str:
    """Every handover judged against its norm (needs the view `norms_designed_handovers`): `wait` in the
    norm's basis, `breached`, `excess` (whole wait when the design lacks the pair, 0 without a norm)."""
    fallback = sql_literal(journey.time)
    return f"""
        WITH instances AS (
            SELECT i.*, d.design_order, d.norm_hours, d.norm_share, coalesce(d.time, {fallback}) AS time,
                   CASE WHEN coalesce(d.time, {fallback}) = 'working' THEN i.working_wait
                        ELSE i.calendar_wait END AS wait
            FROM ({handover_instances_sql(scope, journey)}) i
            LEFT JOIN norms_designed_handovers d USING (from_department, to_department)
        )
        SELECT *, wait > norm_hours AS breached,
               CASE WHEN design_order IS NULL THEN wait WHEN norm_hours IS NULL THEN 0
                    ELSE greatest(wait - norm_hours, 0) END AS excess
        FROM instances
    """


def handover_norms(scope: Scope, journey: DesignedJourney) -> pd.DataFrame:
    """One row per department pair seen or designed: norm (hours, share, time basis), handovers, journeys,
    median/p90/mean wait in the norm's basis, breach rate of handovers and of journeys (a journey breaches
    when any of its handovers of the pair does), whether the norm holds, excess hours and share of all
    handover excess, the activities it most often runs from and to, and the stages of its departments it
    most often leaves and reaches (`usual_source_stage`, `usual_target_stage`; NULL when the event is in no
    stage that department owns). A pair the design does not have counts its whole wait as excess."""
    with (
        staged_events(scope.connection, scope.work_events, journey),
        registered(scope.connection, norms_designed_handovers=designed_handover_frame(journey)),
    ):
        table = scope.connection.execute(
            f"""
            WITH judged AS ({judged_handovers_sql(scope, journey)}),
            per_journey AS (
                SELECT from_department, to_department, journey_id, bool_or(breached) AS breached
                FROM judged GROUP BY ALL
            ), journey_rates AS (
                SELECT from_department, to_department,
                       count(*) FILTER (WHERE breached) / count(*) AS journeys_breaching_rate
                FROM per_journey GROUP BY ALL
            ), pairs AS (
                SELECT from_department, to_department, any_value(time) AS time, count(*) AS handovers,
                       count(DISTINCT journey_id) AS journeys,
                       quantile_cont(wait, 0.5) AS median_wait_hours, quantile_cont(wait, 0.9) AS p90_wait_hours,
                       avg(wait) AS mean_wait_hours,
                       count(*) FILTER (WHERE breached) / count(*) AS breach_rate,
                       sum(excess) AS excess_hours,
                       mode(source_activity) AS usual_source_activity, mode(target_activity) AS usual_target_activity,
                       mode(source_stage) FILTER (WHERE source_stage_department = from_department)
                         AS usual_source_stage,
                       mode(stage) FILTER (WHERE stage_department = to_department) AS usual_target_stage
                FROM judged GROUP BY ALL
            )
            SELECT coalesce(p.from_department, d.from_department) AS from_department,
                   coalesce(p.to_department, d.to_department) AS to_department,
                   d.design_order IS NOT NULL AS designed, d.design_order, d.norm_hours,
                   coalesce(d.norm_share, $share) AS norm_share, coalesce(d.time, p.time) AS time,
                   coalesce(p.handovers, 0) AS handovers, coalesce(p.journeys, 0) AS journeys,
                   p.median_wait_hours, p.p90_wait_hours, p.mean_wait_hours,
                   CASE WHEN d.norm_hours IS NOT NULL THEN p.breach_rate END AS breach_rate,
                   CASE WHEN d.norm_hours IS NOT NULL THEN r.journeys_breaching_rate END AS journeys_breaching_rate,
                   coalesce(p.excess_hours, 0) AS excess_hours,
                   p.usual_source_activity, p.usual_target_activity, p.usual_source_stage, p.usual_target_stage
            FROM pairs p FULL JOIN norms_designed_handovers d USING (from_department, to_department)
            LEFT JOIN journey_rates r USING (from_department, to_department)
            """,
            {"share": journey.norm_share},
        ).df()
    table = _with_verdicts(table, scope.working_time)
    return table.sort_values(["excess_hours", "handovers"], ascending=False, ignore_index=True)


def stage_instances_sql(scope: Scope, journey: DesignedJourney) -> str:
    """Per journey and stage (needs the stage map view, mining.design.event_stages): the span first to last
    event of the stage in both bases, its events, repeated activities (rework_sql: the same activity by
    the same holder), handovers between teams of the stage (`team_handovers`), events done by another
    department than designed, events whose stage was guessed (`guessed_events`), department bounces inside
    the span, events in no stage of the design inside the span (`off_design_events`), and whether it is
    still running (open journey whose latest event belongs to the stage)."""
    return f"""
        WITH timed AS ({timed_events_sql(scope, journey)}),
        clocked AS (
            SELECT t.*, j.is_open,
                   -- cumulative waits: a span's duration is the difference at its two ends
                   sum(coalesce(calendar_wait, 0)) OVER w AS calendar_clock,
                   sum(coalesce(working_wait, 0)) OVER w AS working_clock,
                   max(position) OVER (PARTITION BY journey_id) AS last_position,
                   {changes_holder("lag(t.department) OVER w", "t.department")} AS department_changed,
                   -- the work passes between teams of the stage (team_handover_instances_sql)
                   coalesce(lag(t.stage) OVER w = t.stage AND lag(t.department) OVER w = t.department
                            AND {changes_holder("lag(t.team) OVER w", "t.team")}, FALSE) AS team_changed
            FROM timed t
            JOIN {scope.journeys} j USING (journey_id)
            WINDOW w AS (PARTITION BY journey_id ORDER BY position)
        ), spans AS (
            SELECT journey_id, stage, any_value(stage_department) AS stage_department,
                   any_value(stage_order) AS stage_order, any_value(is_open) AS is_open,
                   min(position) AS first_position, max(position) AS last_position,
                   max(calendar_clock) - min(calendar_clock) AS calendar_hours,
                   max(working_clock) - min(working_clock) AS working_hours,
                   count(*) AS events, count(*) - count(DISTINCT ({rework_sql()})) AS repeated_activities,
                   count(*) FILTER (WHERE team_changed) AS team_handovers,
                   count(*) FILTER (WHERE department IS DISTINCT FROM stage_department) AS other_department_events,
                   count(*) FILTER (WHERE stage_guessed) AS guessed_events,
                   max(position) = any_value(last_position) AS at_latest_event
            FROM clocked WHERE stage IS NOT NULL GROUP BY journey_id, stage
        ), bounces AS (
            -- inside a stage's span a department hands the work away and gets it back: more runs of
            -- one department than departments
            SELECT s.journey_id, s.stage,
                   1 + count(*) FILTER (WHERE c.department_changed AND c.position > s.first_position)
                     > count(DISTINCT c.department) AS departments_alternate,
                   count(*) FILTER (WHERE c.stage IS NULL) AS off_design_events
            FROM spans s JOIN clocked c ON c.journey_id = s.journey_id
                 AND c.position BETWEEN s.first_position AND s.last_position
            GROUP BY ALL
        )
        SELECT s.*, s.is_open AND s.at_latest_event AS running, b.departments_alternate, b.off_design_events
        FROM spans s JOIN bounces b USING (journey_id, stage)
    """


def designed_stage_frame(journey: DesignedJourney) -> pd.DataFrame:
    """The designed stages with their department, place and norm (hours, share, basis)."""
    return pd.DataFrame(
        {
            "stage": [stage.name for stage in journey.stages],
            "department": [stage.department for stage in journey.stages],
            "stage_order": range(1, len(journey.stages) + 1),
            "norm_hours": [None if stage.norm is None else stage.norm.hours for stage in journey.stages],
            "norm_share": [journey.norm_share if stage.norm is None else stage.norm.share for stage in journey.stages],
            "time": [journey.time if stage.norm is None else stage.norm.time for stage in journey.stages],
        }
    ).astype({"norm_hours": "float64", "norm_share": "float64"})


def timed_stages_sql(scope: Scope, journey: DesignedJourney) -> str:
    """Every stage instance with its norm and `hours` in the norm's basis (needs the stage map view and
    `norms_designed_stages`)."""
    return f"""
        SELECT i.*, d.norm_hours, d.time,
               CASE WHEN d.time = 'working' THEN i.working_hours ELSE i.calendar_hours END AS hours
        FROM ({stage_instances_sql(scope, journey)}) i JOIN norms_designed_stages d USING (stage)
    """


def stage_norms(scope: Scope, journey: DesignedJourney) -> pd.DataFrame:
    """One row per designed stage: norm, journeys with the stage, median/p90 duration (first to last event
    of the stage) in the norm's basis, breach rate, whether the norm holds, excess hours. A stage still
    running in an open journey is censored unless already over its norm. `guessed_events`: events the
    stage took although neither of the stages their activity matches is their department's (see
    mining.design.event_stages)."""
    with (
        staged_events(scope.connection, scope.work_events, journey),
        registered(scope.connection, norms_designed_stages=designed_stage_frame(journey)),
    ):
        table = scope.connection.execute(f"""
            WITH instances AS ({timed_stages_sql(scope, journey)}), judged AS (
                SELECT *, hours > norm_hours AS breached,
                       running AND NOT coalesce(hours > norm_hours, FALSE) AS censored,
                       coalesce(greatest(hours - norm_hours, 0), 0) AS excess
                FROM instances
            ), per_stage AS (
                SELECT stage, count(*) FILTER (WHERE NOT censored) AS journeys,
                       count(*) FILTER (WHERE censored) AS censored_journeys,
                       quantile_cont(hours, 0.5) FILTER (WHERE NOT censored) AS median_hours,
                       quantile_cont(hours, 0.9) FILTER (WHERE NOT censored) AS p90_hours,
                       count(*) FILTER (WHERE breached AND NOT censored)
                         / nullif(count(*) FILTER (WHERE NOT censored), 0) AS breach_rate,
                       count(*) FILTER (WHERE other_department_events > 0) / count(*) AS other_department_rate,
                       sum(excess) AS excess_hours, sum(guessed_events) AS guessed_events
                FROM judged GROUP BY stage
            )
            SELECT d.stage, d.department, d.stage_order, d.norm_hours, d.norm_share, d.time,
                   coalesce(p.journeys, 0) AS journeys, coalesce(p.censored_journeys, 0) AS censored_journeys,
                   p.median_hours, p.p90_hours,
                   CASE WHEN d.norm_hours IS NOT NULL THEN p.breach_rate END AS breach_rate,
                   CASE WHEN d.norm_hours IS NOT NULL THEN p.breach_rate END AS journeys_breaching_rate,
                   p.other_department_rate, coalesce(p.excess_hours, 0) AS excess_hours,
                   coalesce(p.guessed_events, 0) AS guessed_events
            FROM norms_designed_stages d LEFT JOIN per_stage p USING (stage)
            ORDER BY d.stage_order
        """).df()
    return _with_verdicts(table, scope.working_time)


def end_to_end_norm(scope: Scope, journey: DesignedJourney) -> dict[str, Any]:
    """The experience-level figure (XLA): the share of decided journeys within the end-to-end norm.

    Finished journeys are decided by their lead time. An open journey is decided only once it is
    certainly past the norm (a breach); otherwise it is censored: left out of the rate and counted.
    Its time so far runs to the store's extraction moment (`Scope.extracted_at`), in the norm's basis.
    Lead-time median and p90 are of finished journeys, in the norm's basis."""
    norm: Norm | None = journey.end_to_end_norm
    time = norm.time if norm is not None else journey.time
    # the working columns whenever the norm asks for working time: without calendars they are the calendar
    # figures (pauses aside), only `measured_in` says which basis it was
    lead, so_far = ("lead_working_hours", "open_working_hours") if time == "working" else ("lead_hours", "open_hours")
    row = (
        scope.connection.execute(
            f"""
            WITH measured AS (
                SELECT j.is_open, CASE WHEN j.is_open THEN j.{so_far} ELSE j.{lead} END AS hours,
                       j.{lead} AS lead
                FROM {scope.journeys} j
            ), judged AS (
                SELECT *, hours > $norm AS breached, is_open AND NOT coalesce(hours > $norm, FALSE) AS censored
                FROM measured
            )
            SELECT count(*) AS journeys, count(*) FILTER (WHERE NOT is_open) AS finished,
                   count(*) FILTER (WHERE is_open) AS still_open,
                   count(*) FILTER (WHERE NOT censored) AS decided,
                   count(*) FILTER (WHERE censored) AS censored,
                   count(*) FILTER (WHERE NOT censored AND NOT breached) AS within_norm,
                   count(*) FILTER (WHERE breached) AS breached,
                   count(*) FILTER (WHERE breached AND is_open) AS open_breached,
                   quantile_cont(lead, 0.5) AS median_lead_hours, quantile_cont(lead, 0.9) AS p90_lead_hours,
                   sum(greatest(hours - $norm, 0)) FILTER (WHERE NOT censored) AS excess_hours
            FROM judged
            """,
            {"norm": None if norm is None else norm.hours},
        )
        .df()
        .iloc[0]
    )
    result: dict[str, Any] = {key: (None if pd.isna(value) else float(value)) for key, value in row.items()}
    result["within_norm_rate"] = result["within_norm"] / result["decided"] if norm and result["decided"] else None
    result["norm_hours"] = None if norm is None else norm.hours
    result["norm_share"] = journey.norm_share if norm is None else norm.share
    result["time"] = time
    result["measured_in"] = measured_in(time, scope.working_time)
    result["holds"] = None if result["within_norm_rate"] is None else result["within_norm_rate"] >= result["norm_share"]
    result["status"] = status(result["within_norm_rate"], result["norm_share"])
    return result
