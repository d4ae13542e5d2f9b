"""Detail control for the process map, as Disco's two sliders: keep the N most frequent activities, then
the N most frequent paths, without ever cutting a kept activity loose.

Hiding an activity does not hide the journeys that pass through it: the map is drawn from each journey's
sequence *projected* on the kept activities, so A -> x -> B becomes an A -> B path whose wait is the
whole time from A to B. Start and end of a journey are paths too (from START, to END), so the flow into
and out of every activity stays visible.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from mining.errors import AnalysisError
from mining.scope.scope import Scope

START = "▶ start"
END = "■ end"
WaitUnit = Literal["calendar", "working"]

# Per work event, the hours from a fixed origin up to it, so that the wait between any two events of a
# journey is a difference: calendar time is the timestamp itself; working time (the time engineer's
# wait_working_hours, pauses excluded) is summed along the journey, as it is no difference of timestamps.
_CLOCK = {
    "calendar": "epoch(ts) / 3600.0",
    "working": "sum(coalesce(wait_working_hours, 0)) OVER (PARTITION BY journey_id ORDER BY position ROWS "
    "UNBOUNDED PRECEDING)",
}
MAP_EVENTS = "map_events"


def _map_events_sql(scope: Scope, wait_unit: WaitUnit) -> str:
    """The scope's work events as (journey_id, position, activity, clock_hours)."""
    return f"SELECT journey_id, position, activity, {_CLOCK[wait_unit]} AS clock_hours FROM {scope.work_events}"


def create_map_events(scope: Scope, wait_unit: WaitUnit = "calendar") -> str:
    """Materialises the scope's work events as (journey_id, position, activity, clock_hours) in a temp
    table, so that many detail levels do not each recompute the scope view; returns its name."""
    scope.connection.execute(f"CREATE OR REPLACE TEMP TABLE {MAP_EVENTS} AS {_map_events_sql(scope, wait_unit)}")
    return MAP_EVENTS


@dataclass(frozen=True)
class MapGraph:
    """Kept activities (activity, frequency, department) and paths between them (source_activity,
    target_activity, frequency, journeys, mean/median/p90_wait_hours; START and END as pseudo-activities)."""

    activities: pd.DataFrame
    paths: pd.DataFrame
    wait_unit: WaitUnit = "calendar"


def level_count(total: int, percent: int) -> int:
    """How many of `total` a slider at `percent` keeps: at least one, rounded up."""
    return min(total, max(1, math.ceil(total * percent / 100)))


def most_frequent_activities(activities: pd.DataFrame, count: int) -> pd.DataFrame:
    """The `count` most frequent activities (ties by name, so a level always draws the same map)."""
    if activities.empty:
        raise AnalysisError("no activities to draw")
    ordered = activities.sort_values(["frequency", "activity"], ascending=[False, True], kind="stable")
    return ordered.head(max(count, 1)).reset_index(drop=True)


def projected_paths(
    scope: Scope,
    kept_activities: list[str],
    wait_unit: WaitUnit = "calendar",
    events: str | None = None,
) -> pd.DataFrame:
    """Directly-follows paths of the scope's journeys projected on `kept_activities`;
    `events` is a table from `create_map_events` (then `wait_unit` is the one it was made with). The
    wait of a path is the clock difference between the two kept events: the whole time between them,
    hidden steps included. Only finished journeys have a path to END."""
    source = f"FROM {events}" if events else _map_events_sql(scope, wait_unit)
    return scope.connection.execute(
        f"""
        WITH projected AS (
            SELECT journey_id, activity, clock_hours - lag(clock_hours) OVER w AS wait_hours,
                   lag(activity) OVER w AS previous, lead(activity) OVER w AS next
            FROM ({source}) WHERE list_contains($kept, activity)
            WINDOW w AS (PARTITION BY journey_id ORDER BY position)
        ), arcs AS (
            SELECT journey_id, coalesce(previous, $start) AS source_activity, activity AS target_activity,
                   wait_hours FROM projected
            UNION ALL
            SELECT p.journey_id, p.activity, $end, NULL FROM projected p JOIN {scope.journeys} j USING (journey_id)
            WHERE p.next IS NULL AND NOT j.is_open
        )
        SELECT source_activity, target_activity, count(*) AS frequency, count(DISTINCT journey_id) AS journeys,
               avg(wait_hours) AS mean_wait_hours, quantile_cont(wait_hours, 0.5) AS median_wait_hours,
               quantile_cont(wait_hours, 0.9) AS p90_wait_hours
        FROM arcs GROUP BY ALL ORDER BY frequency DESC, source_activity, target_activity
        """,
        {"kept": list(kept_activities), "start": START, "end": END},
    ).df()


def most_frequent_paths(paths: pd.DataFrame, count: int) -> pd.DataFrame:
    """The `count` most frequent paths, plus for every activity its most frequent way in and way out,
    so no kept activity is left hanging (Disco's rule). Start and end arcs compete like any path."""
    ordered = paths.sort_values(
        ["frequency", "source_activity", "target_activity"], ascending=[False, True, True], kind="stable"
    ).reset_index(drop=True)
    keep = pd.Series(ordered.index < count, index=ordered.index)
    keep |= ~ordered.duplicated("source_activity") & (ordered["source_activity"] != START)  # best way out
    keep |= ~ordered.duplicated("target_activity") & (ordered["target_activity"] != END)  # best way in
    return ordered[keep].reset_index(drop=True)


def map_graph(
    scope: Scope,
    activities: pd.DataFrame,
    activity_count: int,
    path_count: int | None = None,
    wait_unit: WaitUnit = "calendar",
    events: str | None = None,
) -> MapGraph:
    """The map at one detail level; `path_count` None keeps every path between the kept activities;
    `events` as in `projected_paths`."""
    kept = most_frequent_activities(activities, activity_count)
    paths = projected_paths(scope, kept["activity"].tolist(), wait_unit, events)
    if path_count is not None:
        paths = most_frequent_paths(paths, path_count)
    return MapGraph(kept, paths, wait_unit)


def map_levels(
    scope: Scope,
    activities: pd.DataFrame,
    levels: tuple[int, ...],
    wait_unit: WaitUnit = "calendar",
) -> dict[tuple[int, int], MapGraph]:
    """The map at every activity level x path level (steps index `levels`, as shares of the activities and
    of the paths between them), for a detail slider. The scope's events are materialised once and the
    projection runs once per activity level."""
    graphs: dict[tuple[int, int], MapGraph] = {}
    events = create_map_events(scope, wait_unit)
    for activity_step, activity_percent in enumerate(levels):
        full = map_graph(scope, activities, level_count(len(activities), activity_percent), None, wait_unit, events)
        for path_step, path_percent in enumerate(levels):
            paths = most_frequent_paths(full.paths, level_count(len(full.paths), path_percent))
            graphs[(activity_step, path_step)] = MapGraph(full.activities, paths, full.wait_unit)
    return graphs
