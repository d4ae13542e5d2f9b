"""Handovers between silos: consecutive work events of a journey where the department (or team,
or resource) changes, with the waiting time between them."""

from __future__ import annotations

from typing import Literal

import duckdb
import pandas as pd

from mining.discovery import QUANTILE_COLUMNS, SUCCESSIONS_SQL

Level = Literal["department", "team", "resource"]


def handover_instances(level: Level = "department") -> str:
    """SQL of every single handover at `level`: journey, from, to, wait_hours."""
    return f"""
        SELECT journey_id, source_{level} AS from_{level}, target_{level} AS to_{level}, wait_hours,
               source_activity, target_activity
        FROM ({SUCCESSIONS_SQL})
        WHERE target_activity IS NOT NULL AND source_{level} IS DISTINCT FROM target_{level}
    """


def handovers(connection: duckdb.DuckDBPyConnection, level: Level = "department") -> pd.DataFrame:
    """Per pair: handovers, journeys affected, waiting time (mean, median, p90, total)."""
    return connection.execute(f"""
        SELECT from_{level}, to_{level},
               {QUANTILE_COLUMNS.format(count_name="handovers", value="wait_hours", unit="wait_hours")},
               sum(wait_hours) AS total_wait_hours, count(DISTINCT journey_id) AS journeys
        FROM ({handover_instances(level)})
        GROUP BY ALL ORDER BY total_wait_hours DESC
    """).df()


def handover_matrix(table: pd.DataFrame, value: str = "median_wait_hours") -> pd.DataFrame:
    """From-department rows, to-department columns; empty where no handover happens."""
    return table.pivot(index="from_department", columns="to_department", values=value).sort_index(axis=0)
