"""The explorer's three levels (activities, departments, teams): which coded columns of the in-memory steps
hold a step's node and the previous step's, and which steps are an edge at a level.

An edge is two consecutive work steps of a journey; at department and team level only where the holder
changes (mining.discovery.handovers.changes_holder, on the codes: one code per name, NULL for none)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from mining.discovery.handovers import changes_holder

Level = Literal["activity", "department", "team"]
NO_HOLDER = "(none)"  # the node of steps without a department or team
GROUP_NAMES = {"department": "other departments", "team": "other teams"}
DEFAULT_TOP: dict[str, int | None] = {"activity": None, "department": None, "team": 30}


@dataclass(frozen=True)
class LevelColumns:
    node: str  # the step's code column
    previous: str  # the previous step's
    names: str  # the dictionary table


LEVELS: dict[str, LevelColumns] = {
    "activity": LevelColumns("act", "prev_act", "activities"),
    "department": LevelColumns("dep", "prev_dep", "departments"),
    "team": LevelColumns("team", "prev_team", "teams"),
}


def level_columns(level: str) -> LevelColumns:
    if level not in LEVELS:
        raise ValueError(f"level must be activity, department or team, not {level!r}")
    return LEVELS[level]


def edge_condition(level: str, alias: str = "s") -> str:
    """The steps that are an edge at `level`: every step after a journey's first; at department and team
    level a handover."""
    columns = level_columns(level)
    edge = f"{alias}.position > 1"
    if level != "activity":
        edge += f" AND {changes_holder(f'{alias}.{columns.previous}', f'{alias}.{columns.node}')}"
    return edge
