"""The self-contained HTML report (inline CSS and SVG, no network) an improvement team opens."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from mining.report.content import Analysis
from mining.report.designed_section import section_context
from mining.report.formatting import is_missing, times_header
from mining.report.html_templates import TEMPLATES
from mining.report.pilot_view import pilot_view
from mining.report.processing_view import processing_view
from mining.report.provenance_words import provenance_facts
from mining.report.sections import (
    MAX_MATRIX_HOLDERS,
    handover_matrix_view,
    handover_tables,
    map_explorer,
    process_model_view,
)


def heat(hours: float | None, worst: float) -> str:
    """Background colour of a matrix cell: white for short waits to deep red for the longest."""
    if hours is None or is_missing(hours) or worst <= 0:  # `is None`: the checker sees a float below
        return "#ffffff"
    ratio = min(hours / worst, 1.0)
    return f"rgb(255,{int(255 - 150 * ratio)},{int(255 - 170 * ratio)})"


def _matrices(analysis: Analysis) -> dict[str, object]:
    """The department matrix (all journey types), and the team matrix when there are few teams (else the
    page names the Parquet table); the cells show the waits in the basis the whole report uses."""
    unit = analysis.wait_unit
    teams = analysis.tables.get("handovers_team", pd.DataFrame(columns=["from_team", "to_team", "handovers"]))
    team_names = set(teams["from_team"]) | set(teams["to_team"])
    all_types = analysis.tables["handovers_department_all"]
    department_names = set(all_types["from_department"]) | set(all_types["to_department"])
    small = 1 < len(team_names) <= MAX_MATRIX_HOLDERS and team_names != department_names  # teams add something
    return {
        "heat": heat,
        "department": handover_matrix_view(all_types, "department", unit),
        "team": handover_matrix_view(teams, "team", unit) if small else None,
        "teams": len(team_names),
    }


def render_report(analysis: Analysis, organisation: str, path: Path) -> Path:
    variants = analysis.tables["variants"].head(10)
    html = TEMPLATES.get_template("report.html.j2").render(
        organisation=organisation,
        wait_unit=analysis.wait_unit,
        times=times_header(analysis.wait_unit),
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        journey=analysis.journey,
        bottleneck=analysis.bottleneck,
        overview=analysis.overview,
        map_explorer=map_explorer(analysis.extras["map_grid"]),
        process_model=process_model_view(analysis.extras.get("process_model")),
        variants=variants.to_dict("records"),
        matrices=_matrices(analysis),
        handover_tables=handover_tables(analysis.tables, analysis.wait_unit),
        ping_pongs=None,
        journey_types=analysis.tables["journey_types"].to_dict("records"),
        load_runs=analysis.tables["load_runs"].to_dict("records"),
        quality=analysis.tables["data_quality"].to_dict("records"),
        rejects=analysis.tables["rejects"].head(50).to_dict("records"),
        rejects_total=len(analysis.tables["rejects"]),
        pilot=pilot_view(analysis.pilot) if analysis.pilot else None,
        provenance=provenance_facts(analysis.extras.get("provenance")),
        processing=processing_view(analysis.tables, analysis.wait_unit),
        **(section_context(analysis.designed) if analysis.designed else {"designed": None}),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html)
    return path
