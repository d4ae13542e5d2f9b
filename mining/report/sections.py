"""What the shared report sections (templates/_process_map.html.j2, _process_model.html.j2) need, built
from the analysis results, so the main report and the mining report fill them the same way."""

from __future__ import annotations

from typing import Any

from mining.discovery.process_model import ProcessModel
from mining.report.process_map import EdgeLabel, MapGrid
from mining.report.process_model_drawing import bpmn_svg, petri_net_svg

DEFAULT_PATH_PERCENT = 50  # where the paths slider starts: the busiest half, every activity still connected


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
