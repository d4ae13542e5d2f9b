"""The two sides of a pilot, as temp tables every pilot measure reads from.

Journeys are assigned to "before" or "after" by when they were opened. Each side is followed until the
end of its window or the extraction moment, whichever comes first: a journey still open then is *censored*
there (its lead time is at least its age), never dropped, so the side with more recent journeys is not
flattered by the short ones that happen to be closed. Events after that moment are not seen.

- `pilot_journeys`: journey_id, side, cohort ('all', or 'pilot' / 'control'), journey_type, category,
  priority, opened_at, censor_at, finished (closed by censor_at), lead (time basis hours, observed or
  censored), lead_calendar (the same in calendar hours), open_days (calendar days from opening to closing
  or censoring), contacts (customer contacts until then), rework (an activity done again by the same holder:
  mining.design.norms.rework_sql), ping_pong
  (department X -> Y -> X, unless the design makes that return itself);
- `pilot_events`: the work events seen (journey_id, activity, department: as the design sees it when the
  pilot has one (departments_by_team), log_department: as recorded (its calendar), team, ts, position, wait
  in the time basis);
- `pilot_transitions`: each wait between consecutive work events (observed), plus for every journey not
  finished at censor_at the wait since its last event (censored), headed for the activity and department
  that most often follow that activity; with from/to activity and department and `wait` in the time basis.

Time basis: the scope's (`Scope.working_time`): working hours when business calendars were applied (a wait
on the calendar of the department that picks the work up, a lead on the default calendar, round the clock
without one), calendar hours otherwise. The extraction moment is the scope's too (`Scope.extracted_at`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import duckdb

from eventlogs.one_row import one_value
from eventlogs.sql_text import sql_literal
from mining.design.journey import DesignedJourney
from mining.design.norms import rework_sql
from mining.discovery.handovers import bounces_sql, changes_holder, steps_sql
from mining.errors import AnalysisError, ConfigError
from mining.pilot.definition import PilotDefinition, Window
from mining.scope.journey_attributes import define_journey_attributes, validate_condition
from mining.scope.scope import Scope, define_scope
from mining.scope.time_rules import TimeRules
from mining.scope.working_time import DEPARTMENTS_TABLE, INTERVALS_TABLE, clock_sql, default_calendar_sql


@dataclass(frozen=True)
class PilotScope:
    before: Window
    after: Window
    extracted_at: datetime
    working_time: bool  # waits and leads in working hours (else calendar hours)
    cohorts: tuple[str, ...]  # ('all',) or ('pilot', 'control') or ('pilot',)
    journey_types: tuple[str, ...]
    default_calendar: str | None = None  # the calendar journeys are opened on, in working time

    @property
    def difference_in_differences(self) -> bool:
        return "control" in self.cohorts


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def _ts(moment: datetime) -> str:
    return f"TIMESTAMPTZ '{moment.isoformat()}'"


def _windows(scope: Scope, definition: PilotDefinition) -> tuple:
    first_opened = one_value(scope.connection.execute(f"SELECT min(opened_at) FROM {scope.journeys}"))
    extracted = scope.extracted_at
    change, before, after = definition.change_date, definition.before, definition.after
    if before is None or after is None:
        if change is None:  # PilotDefinition refuses this already; the check tells the type checker
            raise ConfigError("a pilot needs a change date, or both a before and an after window")
        before = before or (first_opened.astimezone(UTC).date(), change - timedelta(days=1))
        after = after or (change, extracted.astimezone(UTC).date())
    if before[1] >= after[0]:
        raise ConfigError(
            f"the before window {before[0]}..{before[1]} overlaps the after window {after[0]}..{after[1]}"
        )
    return before, after


def _cohort_sql(connection: duckdb.DuckDBPyConnection, definition: PilotDefinition) -> tuple[str, tuple[str, ...]]:
    """SQL giving each journey its cohort (NULL: in neither group), and the cohorts there are."""
    if definition.pilot_group is None and definition.control_group is None:
        return "'all'", ("all",)
    columns = define_journey_attributes(connection)
    # only the checked text of a group reaches SQL: a user's condition cannot read files or run queries
    checked: dict[str, str | None] = {}
    for condition, what in ((definition.pilot_group, "pilot group"), (definition.control_group, "control group")):
        checked[what] = None
        if condition is not None:
            checked[what], selected = validate_condition(connection, condition, what, columns)
            if selected == 0:
                raise ConfigError(f"{what} {condition!r} selects no journey")
    pilot, control = checked["pilot group"], checked["control group"]
    if pilot is not None and control is not None:
        overlap = one_value(
            connection.execute(f"SELECT count(*) FROM journey_attributes WHERE ({pilot}) AND ({control})")
        )
        if overlap:
            raise ConfigError(
                f"{overlap} journeys are in both the pilot group {definition.pilot_group!r} "
                f"and the control group {definition.control_group!r}"
            )
        return (
            f"CASE WHEN coalesce(({pilot}), FALSE) THEN 'pilot' WHEN coalesce(({control}), FALSE) THEN 'control' END",
            (
                "pilot",
                "control",
            ),
        )
    if pilot is not None:
        return f"CASE WHEN coalesce(({pilot}), FALSE) THEN 'pilot' END", ("pilot",)
    return f"CASE WHEN coalesce(({control}), FALSE) THEN 'control' ELSE 'pilot' END", ("pilot", "control")


def _lead_sql(working_time: bool, rules: TimeRules) -> tuple[str, str]:
    """(select expression of the lead in the time basis, the joins it needs), over alias `w`; without a
    default calendar a journey's own clock runs round the clock, as in the scope."""
    if not working_time or rules.default_calendar is None:
        return "epoch(w.end_at - w.opened_at) / 3600.0", ""
    intervals = f"(SELECT * FROM {INTERVALS_TABLE} WHERE calendar = {default_calendar_sql(rules)})"
    return (
        f"coalesce({clock_sql('e', 'w.end_at')}, 0) - coalesce({clock_sql('o', 'w.opened_at')}, 0)",
        f"ASOF LEFT JOIN {intervals} o ON w.opened_at >= o.starts_at "
        f"ASOF LEFT JOIN {intervals} e ON w.end_at >= e.starts_at",
    )


def define_pilot_scope(
    connection: duckdb.DuckDBPyConnection,
    definition: PilotDefinition,
    time_rules: TimeRules | None = None,
    journey: DesignedJourney | None = None,
) -> PilotScope:
    """Creates `pilot_journeys` and `pilot_transitions` (see the module notes). With a designed `journey`,
    departments are the ones the design speaks of (departments_by_team), so the pilot's handovers are the
    ones `journey compare` judges, and a return the design makes itself is no ping-pong."""
    department_sql = "department" if journey is None else journey.department_sql()
    types = definition.journey_types
    scope = define_scope(connection, types[0] if len(types) == 1 else None, time_rules=time_rules)
    rules, working_time, extracted = scope.time_rules, scope.working_time, scope.extracted_at
    before, after = _windows(scope, definition)
    cohort, cohorts = _cohort_sql(connection, definition)
    type_filter = "TRUE" if len(types) <= 1 else f"s.journey_type IN ({', '.join(map(sql_literal, types))})"
    if cohorts != ("all",):  # the groups read journey_attributes alone: `priority` is the scope's column too
        attributes = f"JOIN (SELECT journey_id, {cohort} AS cohort FROM journey_attributes) a USING (journey_id)"
        cohort = "a.cohort"
    else:
        attributes = ""
    lead, lead_joins = _lead_sql(working_time, rules)
    b0, b1, a0, a1 = (
        _midnight(before[0]),
        _midnight(before[1] + timedelta(days=1)),
        _midnight(after[0]),
        _midnight(after[1] + timedelta(days=1)),
    )
    connection.execute(f"""
        CREATE OR REPLACE TEMP TABLE pilot_journeys AS
        WITH chosen AS (
            SELECT s.journey_id, s.journey_type, s.category, s.priority, s.opened_at, s.closed_at,
                   CASE WHEN s.opened_at >= {_ts(b0)} AND s.opened_at < {_ts(b1)} THEN 'before'
                        WHEN s.opened_at >= {_ts(a0)} AND s.opened_at < {_ts(a1)} THEN 'after' END AS side,
                   {cohort} AS cohort
            FROM {scope.journeys} s {attributes}
            WHERE {type_filter}
        ), windowed AS (
            SELECT *, least(CASE side WHEN 'before' THEN {_ts(b1)} ELSE {_ts(a1)} END, {_ts(extracted)}) AS censor_at
            FROM chosen WHERE side IS NOT NULL AND cohort IS NOT NULL
        ), ended AS (
            SELECT *, coalesce(closed_at <= censor_at, FALSE) AS finished,
                   CASE WHEN closed_at <= censor_at THEN closed_at ELSE censor_at END AS end_at
            FROM windowed
        )
        SELECT w.journey_id, w.side, w.cohort, w.journey_type, w.category, w.priority, w.opened_at, w.censor_at,
               w.finished, w.end_at, {lead} AS lead, epoch(w.end_at - w.opened_at) / 3600.0 AS lead_calendar,
               epoch(w.end_at - w.opened_at) / 86400.0 AS open_days
        FROM ended w {lead_joins}
    """)
    counts = dict(connection.execute("SELECT side, count(*) FROM pilot_journeys GROUP BY side").fetchall())
    for side, window in (("before", before), ("after", after)):
        if not counts.get(side):
            raise AnalysisError(f"no journeys in scope opened {side} the change ({window[0]}..{window[1]})")
    wait = "wait_working_hours" if working_time else "wait_hours"
    connection.execute(f"""
        CREATE OR REPLACE TEMP TABLE pilot_events AS
        SELECT e.journey_id, e.activity, {department_sql} AS department, e.department AS log_department, e.team,
               e.ts, e.position, e.{wait} AS wait
        FROM {scope.work_events} e JOIN pilot_journeys p USING (journey_id) WHERE e.ts <= p.censor_at
    """)
    _define_transitions(connection, working_time, rules)
    designed_return = "FALSE" if journey is None else journey.designed_return_sql("holder", "bounced_to")
    _add_journey_measures(connection, designed_return)
    default = rules.default_calendar if working_time else None
    return PilotScope(before, after, extracted, working_time, cohorts, types, default)


def _define_transitions(connection: duckdb.DuckDBPyConnection, working_time: bool, rules: TimeRules) -> None:
    # a censored journey's expected next step is a handover by the same rule as an observed one
    if working_time:
        # the wait since the last event, on the calendar of the department expected to pick it up
        tail_wait = (
            f"CASE WHEN c.calendar IS NULL THEN epoch(c.censor_at - c.ts) / 3600.0 "
            f"ELSE coalesce({clock_sql('x', 'c.censor_at')}, 0) - coalesce({clock_sql('l', 'c.ts')}, 0) END"
        )
        tail_source = f"""(
            SELECT t.*, coalesce(d.calendar, {default_calendar_sql(rules)}) AS calendar
            FROM tails t LEFT JOIN {DEPARTMENTS_TABLE} d ON d.department = t.to_log_department) c"""
        tail_select = f"""
            SELECT c.journey_id, c.from_activity, c.to_activity, c.from_department, c.to_department,
                   {tail_wait} AS wait, FALSE AS observed,
                   {changes_holder("c.from_department", "c.to_department")} AS handover
            FROM {tail_source}
            ASOF LEFT JOIN {INTERVALS_TABLE} l ON c.calendar = l.calendar AND c.ts >= l.starts_at
            ASOF LEFT JOIN {INTERVALS_TABLE} x ON c.calendar = x.calendar AND c.censor_at >= x.starts_at"""
    else:
        tail_select = f"""
            SELECT journey_id, from_activity, to_activity, from_department, to_department,
                   epoch(censor_at - ts) / 3600.0 AS wait, FALSE AS observed,
                   {changes_holder("from_department", "to_department")} AS handover
            FROM tails"""
    connection.execute(f"""
        CREATE OR REPLACE TEMP TABLE pilot_transitions AS
        WITH steps AS ({steps_sql("pilot_events", "department")}),
        observed AS (
            SELECT journey_id, source_activity AS from_activity, target_activity AS to_activity, from_department,
                   to_department, wait, TRUE AS observed, handover
            FROM steps
        ), usual_next AS (
            SELECT from_activity, arg_max(to_activity, n) AS to_activity, arg_max(to_department, n) AS to_department,
                   arg_max(to_log_department, n) AS to_log_department
            FROM (SELECT source_activity AS from_activity, target_activity AS to_activity, to_department,
                         log_department AS to_log_department, count(*) AS n
                  FROM steps GROUP BY ALL)
            GROUP BY from_activity
        ), last_events AS (
            SELECT p.journey_id, p.censor_at, arg_max(e.activity, e.position) AS from_activity,
                   arg_max(e.department, e.position) AS from_department, max(e.ts) AS ts
            FROM pilot_journeys p JOIN pilot_events e USING (journey_id)
            WHERE NOT p.finished GROUP BY p.journey_id, p.censor_at
        ), tails AS (
            SELECT l.*, u.to_activity, u.to_department, u.to_log_department
            FROM last_events l JOIN usual_next u USING (from_activity)
        )
        SELECT * FROM observed
        UNION ALL
        {tail_select}
    """)


def _add_journey_measures(connection: duckdb.DuckDBPyConnection, designed_return: str) -> None:
    """Contacts, rework and ping-pong per journey; `designed_return`: SQL truth, over a bounce's `holder`
    and `bounced_to`, of a return the design makes (not counted as ping-pong)."""
    connection.execute(f"""
        CREATE OR REPLACE TEMP TABLE pilot_journeys AS
        WITH contacts AS (
            SELECT e.journey_id, count(*) AS contacts FROM events e JOIN pilot_journeys p USING (journey_id)
            WHERE e.event_kind = 'contact' AND e.ts <= p.censor_at GROUP BY ALL
        ), rework AS (
            SELECT journey_id, count(*) > count(DISTINCT ({rework_sql()})) AS rework FROM pilot_events GROUP BY ALL
        ), bounces AS (
            SELECT DISTINCT journey_id FROM ({bounces_sql("department", "pilot_events")})
            WHERE NOT coalesce({designed_return}, FALSE)
        )
        SELECT p.*, coalesce(c.contacts, 0) AS contacts, coalesce(r.rework, FALSE) AS rework,
               b.journey_id IS NOT NULL AS ping_pong
        FROM pilot_journeys p LEFT JOIN contacts c USING (journey_id) LEFT JOIN rework r USING (journey_id)
        LEFT JOIN bounces b USING (journey_id)
        ORDER BY p.cohort, p.side, p.opened_at, p.journey_id
    """)
