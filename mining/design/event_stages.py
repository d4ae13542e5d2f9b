"""The stage of an event: the one mapping from a work event to the department the design sees and the
designed stage it belongs to. The norms, the bottlenecks, the pilot's stage times and the designed map all
read it (conformance labels each event with the same `stage_of` on the same design department).

- design department: `DesignedJourney.department_sql` (departments_by_team: the first team pattern that
  matches names it; an event no pattern matches keeps the log's department). Never the raw team.
- stage: `DesignedJourney.stage_of(activity, design department)`: the stage whose activities match, and
  when several match, the first of them the event's design department owns.
- guessed: several stages match and none is owned by the event's design department (work of a department
  the design does not know, or an event without a team when the design reads departments from teams).
  The first matching stage in the design's list is taken, so the answer is deterministic, and the event is
  flagged `stage_guessed` so tables can count such events instead of hiding them.

`staged_events_sql` needs the map registered under STAGE_MAP_VIEW: `with staged_events(...)` does both.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import pandas as pd

from eventlogs.sql_connection import SqlConnection
from mining.design.journey import DesignedJourney
from mining.scope.frames import registered

STAGE_MAP_VIEW = "design_stage_map"
STAGE_MAP_COLUMNS = ["activity", "design_department", "stage", "stage_department", "stage_order", "stage_guessed"]


def stage_map_frame(pairs: Iterable[tuple[str | None, str | None]], journey: DesignedJourney) -> pd.DataFrame:
    """Each (activity, design department) with its stage (NULL: in no stage), the stage's designed
    department and place (1 = first stage listed), and whether the stage was guessed (see the module notes)."""
    order = {stage.name: index for index, stage in enumerate(journey.stages, start=1)}
    rows = []
    for activity, department in pairs:
        stage, guessed = (None, False) if activity is None else journey.stage_guessed(activity, department)
        rows.append(
            (
                activity,
                department,
                None if stage is None else stage.name,
                None if stage is None else stage.department,
                None if stage is None else order[stage.name],
                guessed,
            )
        )
    return pd.DataFrame(rows, columns=STAGE_MAP_COLUMNS).astype(
        {"activity": object, "design_department": object, "stage": object, "stage_department": object}
        | {"stage_order": "Int64", "stage_guessed": bool}
    )


def stage_map(connection: SqlConnection, events: str, journey: DesignedJourney) -> pd.DataFrame:
    """The stage map (stage_map_frame) of every (activity, design department) in `events`, a relation
    with activity, team and department columns."""
    seen = connection.execute(f"SELECT DISTINCT activity, {journey.department_sql()} FROM {events}").fetchall()
    return stage_map_frame(seen, journey)


def staged_events_sql(events: str, journey: DesignedJourney) -> str:
    """SQL of `events` (with activity, team and department) plus `design_department`, `stage`,
    `stage_department`, `stage_order` and `stage_guessed` (needs the view STAGE_MAP_VIEW)."""
    return f"""
        SELECT e.*, m.stage, m.stage_department, m.stage_order, coalesce(m.stage_guessed, FALSE) AS stage_guessed
        FROM (SELECT *, {journey.department_sql()} AS design_department FROM {events}) e
        LEFT JOIN {STAGE_MAP_VIEW} m ON m.activity IS NOT DISTINCT FROM e.activity
                                    AND m.design_department IS NOT DISTINCT FROM e.design_department"""


@contextmanager
def staged_events(connection: SqlConnection, events: str, journey: DesignedJourney) -> Iterator[str]:
    """Within the block, the stage map of `events` is registered; yields staged_events_sql(events)."""
    with registered(connection, **{STAGE_MAP_VIEW: stage_map(connection, events, journey)}):
        yield staged_events_sql(events, journey)
