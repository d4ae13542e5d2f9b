"""What the shared report sections (templates/_process_map.html.j2, _process_model.html.j2,
_handovers.html.j2) need, built from the analysis results, so the main report and the mining report fill
them the same way; tables of pairs shortened so a page stays readable with hundreds of teams."""

from __future__ import annotations

from typing import Any

import pandas as pd

from mining.discovery.map_detail import WaitUnit
from mining.discovery.process_model import ProcessModel
from mining.discovery.ranking import TOP_PAIRS, ShortTable, ranked_pairs
from mining.report.process_map import EdgeLabel, MapGrid
from mining.report.process_model_drawing import bpmn_svg, petri_net_svg

DEFAULT_PATH_PERCENT = 50  # where the paths slider starts: the busiest half, every activity still connected
MAX_MATRIX_HOLDERS = 15  # a matrix wider than this is unreadable: the page points to the table instead
LEVEL_NOUNS = {"department": "departments", "team": "teams"}


def norm_handovers(table: pd.DataFrame, top: int = TOP_PAIRS) -> tuple[list[dict[str, Any]], ShortTable]:
    """The handovers against their norms (mining.design.norms.handover_norms) as a page lists them: every
    designed pair in the design's order (the design names few, and each is a norm the reader looks for),
    then the pairs the design does not have, ranked by excess (ranked_pairs), the rest summed."""
    designed = table[table["designed"]].sort_values("design_order", kind="stable")
    others = ranked_pairs(table[~table["designed"]], "department", measure="excess_hours", top=top)
    return designed.to_dict("records"), others


def in_wait_unit(table: pd.DataFrame, unit: WaitUnit) -> pd.DataFrame:
    """A handovers table (mining.discovery.handovers.handovers) whose plain wait columns hold the waits in
    `unit`: in working time the working-hour columns take their names, so a page reads one set."""
    if unit != "working":
        return table
    names = ("mean_wait", "median_wait", "p90_wait", "total_wait")
    working = {f"{name}_working_hours": f"{name}_hours" for name in names if f"{name}_working_hours" in table}
    return table.drop(columns=list(working.values())).rename(columns=working)


def handover_tables(tables: dict[str, pd.DataFrame], unit: WaitUnit = "calendar") -> list[dict[str, Any]]:
    """Per level with a table (`handovers_department`, `handovers_team`): its noun, the Parquet file that
    keeps every pair, how many pairs there are, and its pairs ranked by total wait (ranked_pairs)."""
    found = []
    for level, noun in LEVEL_NOUNS.items():
        name = f"handovers_{level}"
        if name in tables:
            table = in_wait_unit(tables[name], unit)
            found.append({"level": level, "noun": noun, "file": f"{name}.parquet", "pairs": len(table),
                          "unit": unit, "ranked": ranked_pairs(table, level)})  # fmt: skip
    return found


def ping_pong_table(table: pd.DataFrame, level: str = "department", top: int = TOP_PAIRS) -> ShortTable:
    """Ping-pong pairs at `level` (mining.discovery.handovers.ping_pong, most journeys first) as a page
    lists them; the hidden ones summed by their times."""
    shown, hidden = table.head(top), table.iloc[top:]
    return ShortTable(
        rows=shown.rename(columns={f"from_{level}": "source", f"to_{level}": "target"}).to_dict("records"),
        hidden_pairs=len(hidden),
        hidden_volume=int(hidden["ping_pongs"].sum()),
        hidden_hours=0.0,
        min_volume=0,
    )


def handover_matrix_view(
    table: pd.DataFrame, level: str, unit: WaitUnit = "calendar", largest: int = MAX_MATRIX_HOLDERS
) -> dict[str, Any]:
    """What the matrix of a handovers table needs (from rows, to columns, median wait, volume): its holders,
    at most `largest` of them, those with the most handovers in and out, and how many were left out."""
    table = in_wait_unit(table, unit)
    source, target = f"from_{level}", f"to_{level}"
    volume = (
        pd.concat([table.groupby(source)["handovers"].sum(), table.groupby(target)["handovers"].sum()])
        .groupby(level=0)
        .sum()
    )
    ordered = volume.reset_index().set_axis(["holder", "handovers"], axis=1)
    ordered = ordered.sort_values(["handovers", "holder"], ascending=[False, True], kind="stable")
    holders = sorted(ordered["holder"].head(largest))
    cells = {(row[source], row[target]): row for row in table.to_dict("records")}
    worst = float(table["median_wait_hours"].max()) if not table.empty else 0.0
    return {"holders": holders, "left_out": len(ordered) - len(holders), "noun": LEVEL_NOUNS[level],
            "cells": cells, "worst": worst, "unit": unit}  # fmt: skip


def map_explorer(grid: MapGrid, label: EdgeLabel = "frequency") -> dict[str, Any]:
    """The sliders' levels, the distinct SVGs, and per `"activity_step,path_step,label"` which SVG to
    show and how many activities and paths it holds. Starts at all activities, half the paths."""
    last = len(grid.levels) - 1
    path_step = grid.levels.index(DEFAULT_PATH_PERCENT) if DEFAULT_PATH_PERCENT in grid.levels else last
    cells = {
        f"{activity_step},{path_step_},{edge_label}": {
            "svg": svg,
            "activities_percent": grid.levels[activity_step],
            "paths_percent": grid.levels[path_step_],
            "activities": grid.counts[(activity_step, path_step_)][0],
            "paths": grid.counts[(activity_step, path_step_)][1],
        }
        for (activity_step, path_step_, edge_label), svg in grid.cells.items()
    }
    return {
        "levels": grid.levels,
        "svgs": grid.svgs,
        "cells": cells,
        "activity_step": last,
        "path_step": path_step,
        "label": label,
        "default_svg": grid.cells[(last, path_step, label)],
    }


def process_model_view(model: ProcessModel | None) -> dict[str, Any] | None:
    """BPMN and Petri net SVGs with what the model was mined from; None when there is no model."""
    if model is None:
        return None
    return {
        "noise_threshold": model.noise_threshold,
        "journeys": model.journeys,
        "variants": model.variants,
        "bpmn": bpmn_svg(model),
        "petri_net": petri_net_svg(model),
    }
