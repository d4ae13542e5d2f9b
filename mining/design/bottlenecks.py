"""The silo-bottleneck locator: which handovers and stages cost the most excess lead time, and why; and the
two structural findings (push to front, team ping-pong). The words for them are in mining.report.findings.

Items: handovers between departments (as the design sees them), stages, and handovers between teams
inside a stage (`team_handover`: consecutive events of one stage and department whose team changes,
norms.team_handover_instances_sql), each with volume, journeys, median, breach rate and excess.

Excess is the time over a norm (handover wait over its norm, stage span over its norm); a handover the
design does not have counts its whole wait. A team handover has no norm of its own (the design sets
norms between departments, and a stage's norm covers the work of all its teams): it gets its share of
its stage instance's excess, in proportion to its wait in the stage's span (a stage instance of 40 hours
against a norm of 24 has 16 hours excess; a 10-hour wait between two of its teams holds 16 * 10/40 = 4).
So the team handovers of a stage hold part of the stage's own excess, they do not add to it; their
breach rate is the share of their journeys whose stage breached its norm. The share of all excess is
taken of the department handovers' and stages' excess (the team handovers are inside the stages).
Each item's excess is split over the causes, instance by instance, first match wins:

- wrong owner: the work (an activity of a designed stage) is done by another department than designed;
- ping-pong: the handover is part of X -> Y -> X in the journey's department sequence (repeats
  collapsed) where one leg is no designed handover (sent back rather than passed on); for a stage, a
  department hands the work away and gets it back inside the stage's span;
- rework: the same activity done again by the same holder, its team (its department when it has no
  team; norms.rework_sql): for a handover, the receiving holder did the activity before; for a stage,
  an activity repeats at one holder. A change of team is a handover, never rework;
- team handovers (a stage only): the work passed between teams of the stage inside its span;
- off-design work: the handover leads into or out of an activity in no stage of the design (the
  conformance check's "unexpected activity"); for a stage, such activities happen inside its span;
- queue waiting: none of these, the work simply waited.

An item is characterised by the cause with the largest share of its excess.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from mining.design.event_stages import staged_events
from mining.design.journey import DesignedJourney
from mining.design.norms import (
    designed_handover_frame,
    designed_stage_frame,
    judged_handovers_sql,
    team_handover_instances_sql,
    timed_stages_sql,
)
from mining.discovery.handovers import bounces_sql
from mining.scope.frames import registered
from mining.scope.scope import Scope

CAUSES = ("wrong_owner", "ping_pong", "rework", "team_handover", "off_design", "queue")
# Team ping-pong is worth its own finding from this share of journeys on.
TEAM_PING_PONG_FINDING_RATE = 0.05
# Escalation beyond a front the design resolves at is worth its own finding from this share on.
ESCALATION_FINDING_RATE = 0.10

_CAUSE_SQL = """
    CASE WHEN {wrong_owner} THEN 'wrong_owner' WHEN {ping_pong} THEN 'ping_pong'
         WHEN {rework} THEN 'rework' WHEN {team_handover} THEN 'team_handover'
         WHEN {off_design} THEN 'off_design' ELSE 'queue' END
"""


def _cause_columns() -> str:
    return ", ".join(f"sum(excess) FILTER (WHERE cause = '{cause}') AS {cause}_hours" for cause in CAUSES)


def _handover_items(scope: Scope, journey: DesignedJourney) -> pd.DataFrame:
    cause = _CAUSE_SQL.format(
        ping_pong="ping_pong",
        # the receiving (or handing) department does a designed stage's work it does not own
        wrong_owner="coalesce(h.stage_department <> h.to_department"
        " OR h.source_stage_department <> h.from_department, FALSE)",
        rework="repeated",
        team_handover="FALSE",
        off_design="h.stage IS NULL OR h.source_stage IS NULL",
    )
    return scope.connection.execute(f"""
        WITH judged AS ({judged_handovers_sql(scope, journey)}),
        bounced AS (
            -- X -> Y -> X where a leg is no designed handover: sent back, not passed on as designed
            SELECT *, coalesce(
                       lead(to_department) OVER w = from_department
                         AND (design_order IS NULL OR lead(design_order) OVER w IS NULL)
                       OR lag(from_department) OVER w = to_department
                         AND (design_order IS NULL OR lag(design_order) OVER w IS NULL), FALSE) AS ping_pong
            FROM judged WINDOW w AS (PARTITION BY journey_id ORDER BY position)
        ), classified AS (
            SELECT h.*, {cause} AS cause, h.stage_department AS owner,
                   CASE WHEN h.stage IS NULL THEN h.target_activity ELSE h.source_activity END AS design_lacks
            FROM bounced h
        ), per_journey AS (
            SELECT from_department, to_department, journey_id, bool_or(breached) AS breached
            FROM classified GROUP BY ALL
        ), journey_rates AS (  -- share of the pair's journeys that breach it (joined: Spark runs it too)
            SELECT from_department, to_department, count(*) FILTER (WHERE breached) / count(*) AS rate
            FROM per_journey GROUP BY ALL
        )
        SELECT 'handover' AS kind, c.from_department || ' → ' || c.to_department AS name,
               c.from_department, c.to_department, NULL::VARCHAR AS stage,
               any_value(c.design_order) IS NOT NULL AS designed, any_value(c.norm_hours) AS norm_hours,
               any_value(c.time) AS time, count(*) AS volume, count(DISTINCT c.journey_id) AS journeys,
               quantile_cont(c.wait, 0.5) AS median_hours,
               CASE WHEN any_value(c.norm_hours) IS NOT NULL THEN any_value(r.rate) END AS breach_rate,
               sum(c.excess) AS excess_hours, mode(c.owner) FILTER (WHERE c.cause = 'wrong_owner') AS designed_owner,
               mode(c.design_lacks) FILTER (WHERE c.cause = 'off_design') AS off_design_activity,
               {_cause_columns()}, NULL::VARCHAR AS from_team, NULL::VARCHAR AS to_team
        FROM classified c LEFT JOIN journey_rates r ON r.from_department IS NOT DISTINCT FROM c.from_department
                                                   AND r.to_department IS NOT DISTINCT FROM c.to_department
        GROUP BY c.from_department, c.to_department
    """).df()


def _stage_items(scope: Scope, journey: DesignedJourney) -> pd.DataFrame:
    cause = _CAUSE_SQL.format(
        ping_pong="departments_alternate",
        wrong_owner="other_department_events > 0",
        rework="repeated_activities > 0",
        team_handover="team_handovers > 0",
        off_design="off_design_events > 0",
    )
    return scope.connection.execute(f"""
        WITH instances AS ({timed_stages_sql(scope, journey)}),
        classified AS (
            SELECT *, greatest(hours - norm_hours, 0) AS excess, hours > norm_hours AS breached, {cause} AS cause
            FROM instances
            WHERE norm_hours IS NOT NULL AND NOT (running AND hours <= norm_hours)  -- still running, under the norm
        )
        SELECT 'stage' AS kind, stage AS name, NULL::VARCHAR AS from_department,
               any_value(stage_department) AS to_department, stage, TRUE AS designed,
               any_value(norm_hours) AS norm_hours, any_value(time) AS time, count(*) AS volume,
               count(*) AS journeys, quantile_cont(hours, 0.5) AS median_hours,
               count(*) FILTER (WHERE breached) / count(*) AS breach_rate, sum(excess) AS excess_hours,
               any_value(stage_department) AS designed_owner, NULL::VARCHAR AS off_design_activity,
               {_cause_columns()}, NULL::VARCHAR AS from_team, NULL::VARCHAR AS to_team
        FROM classified GROUP BY stage
    """).df()


def _team_handover_items(scope: Scope, journey: DesignedJourney) -> pd.DataFrame:
    cause = _CAUSE_SQL.format(
        wrong_owner="FALSE", ping_pong="ping_pong", rework="repeated", team_handover="FALSE", off_design="FALSE"
    )
    return scope.connection.execute(f"""
        WITH judged_stages AS (  -- stage instances judged as in _stage_items
            SELECT journey_id, stage, hours, hours > norm_hours AS breached,
                   greatest(hours - norm_hours, 0) AS stage_excess
            FROM ({timed_stages_sql(scope, journey)})
            WHERE norm_hours IS NOT NULL AND NOT (running AND hours <= norm_hours)
        ), bounced AS (
            -- X -> Y -> X among a stage's team handovers: sent back rather than passed on
            SELECT *, coalesce(lead(to_team) OVER w = from_team OR lag(from_team) OVER w = to_team, FALSE)
                      AS ping_pong
            FROM ({team_handover_instances_sql(scope, journey)})
            WINDOW w AS (PARTITION BY journey_id, stage ORDER BY position)
        ), classified AS (
            SELECT b.*, d.norm_hours, d.time, s.breached,
                   CASE WHEN d.time = 'working' THEN b.working_wait ELSE b.calendar_wait END AS wait,
                   coalesce(s.stage_excess * (CASE WHEN d.time = 'working' THEN b.working_wait
                                                   ELSE b.calendar_wait END) / nullif(s.hours, 0), 0) AS excess,
                   {cause} AS cause
            FROM bounced b JOIN norms_designed_stages d USING (stage)
            LEFT JOIN judged_stages s USING (journey_id, stage)
        )
        SELECT 'team_handover' AS kind,
               coalesce(from_team, '(no team)') || ' → ' || coalesce(to_team, '(no team)')
                 || ' (inside ' || stage || ')' AS name,
               department AS from_department, department AS to_department, stage, TRUE AS designed,
               any_value(norm_hours) AS norm_hours, any_value(time) AS time, count(*) AS volume,
               count(DISTINCT journey_id) AS journeys, quantile_cont(wait, 0.5) AS median_hours,
               CASE WHEN any_value(norm_hours) IS NOT NULL THEN
                 count(DISTINCT journey_id) FILTER (WHERE breached) / count(DISTINCT journey_id) END AS breach_rate,
               sum(excess) AS excess_hours, department AS designed_owner, NULL::VARCHAR AS off_design_activity,
               {_cause_columns()}, from_team, to_team
        FROM classified GROUP BY stage, department, from_team, to_team
    """).df()


def _dominant_cause(hours: Sequence[float]) -> str:
    """The cause with the most hours (one per CAUSES); ties go to the first in CAUSES (the more specific one)."""
    return CAUSES[max(range(len(CAUSES)), key=lambda i: (hours[i], -i))]


def locate_bottlenecks(scope: Scope, journey: DesignedJourney) -> pd.DataFrame:
    """Department handovers, stages and team handovers inside stages (`kind`: handover, stage,
    team_handover; `from_team`, `to_team` for the last) ranked by their excess time, with volume,
    journeys, median (in the norm's basis), breach rate (share of journeys with the item that breach its
    norm), share of all excess, excess per cause and the dominant cause (`characterisation`). Items
    without excess are left out."""
    with (
        staged_events(scope.connection, scope.work_events, journey),
        registered(
            scope.connection,
            norms_designed_handovers=designed_handover_frame(journey),
            norms_designed_stages=designed_stage_frame(journey),
        ),
    ):
        parts = [_handover_items(scope, journey), _stage_items(scope, journey), _team_handover_items(scope, journey)]
    items = pd.concat([part for part in parts if not part.empty], ignore_index=True)
    if items.empty:
        items = parts[0]
    items = items[items["excess_hours"].fillna(0) > 0].copy()
    cause_columns = [f"{cause}_hours" for cause in CAUSES]
    items[cause_columns] = items[cause_columns].fillna(0.0)
    # team handovers hold part of their stage's excess: the whole is the departments' and the stages'
    total = items.loc[items["kind"] != "team_handover", "excess_hours"].sum()
    items["share_of_excess"] = items["excess_hours"] / total if total > 0 else 0.0
    items["characterisation"] = [_dominant_cause(row) for row in items[cause_columns].to_numpy()]
    items = items.sort_values(["excess_hours", "volume"], ascending=False, ignore_index=True)
    items.insert(0, "rank", range(1, len(items) + 1))
    return items


@dataclass(frozen=True)
class TeamPingPong:
    """Journeys going from one team to another and back (X -> Y -> X between teams), the most common pair."""

    journeys: int  # journeys with team ping-pong
    total: int  # journeys in scope
    from_team: str
    to_team: str
    pair_journeys: int  # journeys with that pair's ping-pong


def team_ping_pong(scope: Scope, journey: DesignedJourney) -> TeamPingPong | None:
    """Support teams handing journeys back and forth, when it touches at least
    TEAM_PING_PONG_FINDING_RATE of the journeys; None otherwise. A bounce X -> Y -> X between teams of two
    departments the design sends there and back (both handovers designed: the service desk passes a ticket
    to a second-line team and gets it back to close it) is the designed journey, not ping-pong; a bounce
    inside one department, or with a leg the design does not have, is."""
    bounces = scope.connection.execute(f"""
        WITH events AS (
            SELECT journey_id, position, team, {journey.department_sql()} AS department FROM {scope.work_events}
        ), team_departments AS (SELECT team, mode(department) AS department FROM events GROUP BY team)
        SELECT b.journey_id, b.holder AS from_team, b.bounced_to AS to_team
        FROM ({bounces_sql("team", "events")}) b
        LEFT JOIN team_departments x ON x.team = b.holder
        LEFT JOIN team_departments y ON y.team = b.bounced_to
        WHERE NOT coalesce({journey.designed_return_sql("x.department", "y.department")}, FALSE)
    """).df()
    total = scope.journey_count
    affected = bounces["journey_id"].nunique()
    if total == 0 or affected / total < TEAM_PING_PONG_FINDING_RATE:
        return None
    pairs = bounces.groupby(["from_team", "to_team"])["journey_id"].nunique().reset_index(name="journeys")
    top = pairs.sort_values(["journeys", "from_team", "to_team"], ascending=[False, True, True]).iloc[0]
    return TeamPingPong(affected, total, str(top["from_team"]), str(top["to_team"]), int(top["journeys"]))


@dataclass(frozen=True)
class PushToFront:
    """Journeys the design resolves at the front that still go on to the stages beyond it."""

    front_department: str
    escalated: int  # journeys that reached a stage beyond the front
    total: int  # journeys in scope
    onward: tuple[tuple[str, int], ...]  # (department of each stage beyond, in design order; journeys there)
    share_of_excess: float  # of all excess, held by the work and handovers beyond the front


def push_to_front(scope: Scope, journey: DesignedJourney, ranked: pd.DataFrame) -> PushToFront | None:
    """When the design resolves at the front (a first stage every journey goes through, whose department
    may carry a journey to its end alone: the service desk registers, resolves and closes; the stages of
    other departments the design lets a journey skip are escalation), how
    many journeys passed the front and then went on to those stages, per department, and how much of the
    excess time their work holds. None when the design does not resolve at the front, or when fewer than
    ESCALATION_FINDING_RATE of the journeys escalate."""
    front = journey.stages[0] if journey.stages else None
    if front is None or journey.skippable(front) or not journey.done_by_alone(front.department):
        return None
    beyond = [stage for stage in journey.stages if journey.skippable(stage) and stage.department != front.department]
    if not beyond:
        return None
    departments = list(dict.fromkeys(stage.department for stage in beyond))  # each once, in design order
    stages_beyond = pd.DataFrame(
        {"stage": [stage.name for stage in beyond], "department": [stage.department for stage in beyond]}
    )
    with (
        staged_events(scope.connection, scope.work_events, journey) as events,
        registered(scope.connection, stages_beyond_front=stages_beyond),
    ):
        reached = scope.connection.execute(
            f"""
            WITH staged AS (
                SELECT journey_id, position, stage FROM ({events}) WHERE stage IS NOT NULL
            ), fronted AS (
                SELECT journey_id, min(position) AS at_front FROM staged WHERE stage = $front GROUP BY journey_id
            ), onward AS (  -- journeys that passed the front and then went on, to which department
                SELECT DISTINCT s.journey_id, d.department
                FROM staged s JOIN fronted f USING (journey_id) JOIN stages_beyond_front d USING (stage)
                WHERE s.position > f.at_front
            )
            SELECT department, count(*) FROM onward GROUP BY department
            UNION ALL SELECT NULL, count(DISTINCT journey_id) FROM onward
            """,
            {"front": front.name},
        ).fetchall()
    total = scope.journey_count
    escalated = next(count for department, count in reached if department is None)
    if total == 0 or escalated / total < ESCALATION_FINDING_RATE:
        return None
    per_department = {department: count for department, count in reached if department is not None}
    names = {stage.name for stage in beyond}
    share = 0.0
    if not ranked.empty:
        theirs = ((ranked["kind"] == "stage") & ranked["stage"].isin(names)) | (
            (ranked["kind"] == "handover") & ranked["to_department"].isin(departments)
        )
        share = float(ranked.loc[theirs, "share_of_excess"].sum())
    onward = tuple((department, per_department.get(department, 0)) for department in departments)
    return PushToFront(front.department, escalated, total, onward, share)
