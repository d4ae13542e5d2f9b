"""The self-contained HTML report (inline CSS and SVG, no network) an improvement team opens."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from mining.report.content import Analysis
from mining.report.designed_section import section_context
from mining.report.formatting import is_missing
from mining.report.html_templates import TEMPLATES
from mining.report.pilot_view import pilot_view
from mining.report.sections import map_explorer, process_model_view


def heat(hours: float | None, worst: float) -> str:
    """Background colour of a matrix cell: white for short waits to deep red for the longest."""
    if hours is None or is_missing(hours) or worst <= 0:  # `is None`: the checker sees a float below
        return "#ffffff"
    ratio = min(hours / worst, 1.0)
    return f"rgb(255,{int(255 - 150 * ratio)},{int(255 - 170 * ratio)})"


def _matrix(analysis: Analysis) -> dict[str, object]:
    table: pd.DataFrame = analysis.tables["handovers_department_all"]
    if analysis.wait_unit == "working":  # the cells show the waits in the basis the whole report uses
        table = table.drop(columns=["median_wait_hours", "p90_wait_hours"]).rename(
            columns={"median_wait_working_hours": "median_wait_hours", "p90_wait_working_hours": "p90_wait_hours"}
        )
    departments = sorted(set(table["from_department"]) | set(table["to_department"]))
    cells = {(r.from_department, r.to_department): r for r in table.itertuples()}
    worst = float(table["median_wait_hours"].max()) if not table.empty else 0.0
    return {"departments": departments, "cells": cells, "worst": worst, "heat": heat, "unit": analysis.wait_unit}


def render_report(analysis: Analysis, organisation: str, path: Path) -> Path:
    variants = analysis.tables["variants"].head(10)
    html = TEMPLATES.get_template("report.html.j2").render(
        organisation=organisation,
        wait_unit=analysis.wait_unit,
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        journey=analysis.journey,
        bottleneck=analysis.bottleneck,
        overview=analysis.overview,
        map_explorer=map_explorer(analysis.extras["map_grid"]),
        process_model=process_model_view(analysis.extras.get("process_model")),
        variants=variants.to_dict("records"),
        matrix=_matrix(analysis),
        journey_types=analysis.tables["journey_types"].to_dict("records"),
        load_runs=analysis.tables["load_runs"].to_dict("records"),
        quality=analysis.tables["data_quality"].to_dict("records"),
        rejects=analysis.tables["rejects"].head(50).to_dict("records"),
        rejects_total=len(analysis.tables["rejects"]),
        pilot=pilot_view(analysis.pilot) if analysis.pilot else None,
        **(section_context(analysis.designed) if analysis.designed else {"designed": None}),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html)
    return path
