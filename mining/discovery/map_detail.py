"""Detail control for the process map, as Disco's two sliders: keep the N most frequent activities, then
the N most frequent paths, without ever cutting a kept activity loose.

Hiding an activity does not hide the journeys that pass through it: the map is drawn from each journey's
sequence *projected* on the kept activities, so A -> x -> B becomes an A -> B path whose wait is the
whole time from A to B. Start and end of a journey are paths too (from START, to END), so the flow into
and out of every activity stays visible.

Each activity is drawn in a lane (`activity_lanes`): the department that does most of it, when that
department does a clear majority of it and is one of the busiest MAX_LANES such departments; otherwise a
shared lane (no department does most of it) or the lane of the other departments.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, Protocol

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
# An activity goes in a department's lane only when that department does more than this share of it: with
# a plain "most often" rule, an activity that 200 teams share lands under whichever does 5 % of it, and a
# busy team's lane ends up holding most of the map.
MAJORITY_SHARE = 0.5
MAX_LANES = 12  # department lanes drawn at most (the busiest); the rest share one lane
LaneKind = Literal["department", "shared", "other"]


def _map_events_sql(scope: Scope, wait_unit: WaitUnit) -> str:
    """The scope's work events as (journey_id, position, activity, department, clock_hours)."""
    clock = _CLOCK[wait_unit]
    return f"SELECT journey_id, position, activity, department, {clock} AS clock_hours FROM {scope.work_events}"


def create_map_events(scope: Scope, wait_unit: WaitUnit = "calendar") -> str:
    """Materialises the scope's work events as (journey_id, position, activity, department, clock_hours) in
    a temp table, so that many detail levels do not each recompute the scope view; returns its name."""
    scope.connection.execute(f"CREATE OR REPLACE TEMP TABLE {MAP_EVENTS} AS {_map_events_sql(scope, wait_unit)}")
    return MAP_EVENTS


def lane_counts_sql(events: str) -> str:
    """SQL of (activity, department, events): the work events of each activity per department, what the
    lanes are chosen from (`lanes_from_counts`); `events` is any relation with both columns."""
    return f"SELECT activity, department, count(*) AS events FROM {events} GROUP BY ALL"


def lanes_from_counts(
    counts: pd.DataFrame, majority: float = MAJORITY_SHARE, max_lanes: int = MAX_LANES
) -> pd.DataFrame:
    """Per activity of `counts` (lane_counts_sql): `lane`, the department whose lane holds it (None unless
    `lane_kind` is "department"), `lane_kind` ("department": that department does more than `majority` of
    it and is among the `max_lanes` busiest departments holding a lane; "shared": no department does more
    than `majority`; "other": its department is not among those), and `lane_share`, the share of the
    activity its busiest department does (ties: by department name, no department last)."""
    counts = counts.astype({"events": "int64"})
    shares = counts.assign(
        lane_share=counts["events"] / counts.groupby("activity")["events"].transform("sum"),
        department_events=counts.groupby("department", dropna=False)["events"].transform("sum"),
    )
    table = (
        shares.sort_values(["activity", "events", "department"], ascending=[True, False, True], na_position="last")
        .drop_duplicates("activity")
        .reset_index(drop=True)
    )
    holds = table["lane_share"] > majority
    busiest = (
        table[holds]
        .drop_duplicates("department")
        .sort_values(["department_events", "department"], ascending=[False, True], kind="stable")
        .head(max_lanes)["department"]
    )
    kind = pd.Series("shared", index=table.index)
    kind[holds] = "other"
    kind[holds & table["department"].isin(busiest)] = "department"
    lanes = table["department"].where(kind == "department", None)
    return pd.DataFrame(
        {"activity": table["activity"], "lane": lanes, "lane_kind": kind, "lane_share": table["lane_share"]}
    )


def activity_lanes(
    scope: Scope, events: str | None = None, majority: float = MAJORITY_SHARE, max_lanes: int = MAX_LANES
) -> pd.DataFrame:
    """`lanes_from_counts` of the scope's work events (or of `events` from `create_map_events`)."""
    source = events or f"({_map_events_sql(scope, 'calendar')})"
    return lanes_from_counts(scope.connection.execute(lane_counts_sql(source)).df(), majority, max_lanes)


class PathSource(Protocol):
    """Where a map's counts come from: the scope in DuckDB (`ScopePaths`) or another engine's twin
    (mining/spark/)."""

    def lanes(self) -> pd.DataFrame:
        """`activity_lanes` of the journeys."""
        ...

    def projected_paths(self, kept_activities: list[str]) -> pd.DataFrame:
        """`projected_paths` of the journeys on `kept_activities`."""
        ...


@dataclass(frozen=True)
class MapGraph:
    """Kept activities (activity, frequency, department, and lane, lane_kind, lane_share of
    `activity_lanes`) and paths between them (source_activity, target_activity, frequency, journeys,
    mean/median/p90_wait_hours; START and END as pseudo-activities)."""

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


class ScopePaths:
    """The scope's journeys as a `PathSource`, its work events materialised once (`create_map_events`)."""

    def __init__(self, scope: Scope, wait_unit: WaitUnit = "calendar") -> None:
        self.scope, self.wait_unit = scope, wait_unit
        self.events = create_map_events(scope, wait_unit)

    def lanes(self) -> pd.DataFrame:
        return activity_lanes(self.scope, self.events)

    def projected_paths(self, kept_activities: list[str]) -> pd.DataFrame:
        return projected_paths(self.scope, kept_activities, self.wait_unit, self.events)


def graph_at(
    source: PathSource,
    activities: pd.DataFrame,
    activity_count: int,
    path_count: int | None = None,
    wait_unit: WaitUnit = "calendar",
    lanes: pd.DataFrame | None = None,
) -> MapGraph:
    """The map at one detail level from `source`; `path_count` None keeps every path between the kept
    activities; `lanes` from `source.lanes()` (asked for when not given)."""
    lanes = source.lanes() if lanes is None else lanes
    kept = most_frequent_activities(activities, activity_count)
    kept = kept.merge(lanes, on="activity", how="left", validate="one_to_one")
    paths = source.projected_paths(kept["activity"].tolist())
    if path_count is not None:
        paths = most_frequent_paths(paths, path_count)
    return MapGraph(kept, paths, wait_unit)


def graph_levels(
    source: PathSource, activities: pd.DataFrame, levels: tuple[int, ...], wait_unit: WaitUnit = "calendar"
) -> dict[tuple[int, int], MapGraph]:
    """The map at every activity level x path level (steps index `levels`, as shares of the activities and
    of the paths between them), for a detail slider; one projection per activity level."""
    graphs: dict[tuple[int, int], MapGraph] = {}
    lanes = source.lanes()
    for activity_step, activity_percent in enumerate(levels):
        count = level_count(len(activities), activity_percent)
        full = graph_at(source, activities, count, None, wait_unit, lanes)
        for path_step, path_percent in enumerate(levels):
            paths = most_frequent_paths(full.paths, level_count(len(full.paths), path_percent))
            graphs[(activity_step, path_step)] = MapGraph(full.activities, paths, full.wait_unit)
    return graphs


def map_graph(
    scope: Scope,
    activities: pd.DataFrame,
    activity_count: int,
    path_count: int | None = None,
    wait_unit: WaitUnit = "calendar",
) -> MapGraph:
    """`graph_at` on the scope's journeys."""
    return graph_at(ScopePaths(scope, wait_unit), activities, activity_count, path_count, wait_unit)


def map_levels(
    scope: Scope, activities: pd.DataFrame, levels: tuple[int, ...], wait_unit: WaitUnit = "calendar"
) -> dict[tuple[int, int], MapGraph]:
    """`graph_levels` on the scope's journeys (its events materialised once)."""
    return graph_levels(ScopePaths(scope, wait_unit), activities, levels, wait_unit)
