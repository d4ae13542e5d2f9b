"""mining_report.html of `journey mine`: the map explorer, process model, variants and handovers of one
scope as a standalone page, from the same include templates as the main report."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from mining.design.journey import TimeBasis
from mining.discovery.process_model import ProcessModel
from mining.report.formatting import basis_words, times_header
from mining.report.html_templates import TEMPLATES
from mining.report.process_map import MapGrid
from mining.report.processing_view import processing_view
from mining.report.provenance_words import provenance_facts
from mining.report.sections import handover_tables, map_explorer, ping_pong_table, process_model_view
from mining.scope.provenance import Provenance

TOP_VARIANTS = 20


def render_mining_report(
    tables: dict[str, pd.DataFrame],
    grid: MapGrid,
    model: ProcessModel | None,
    scope: str,
    store: Path,
    path: Path,
    provenance: Provenance | None = None,
    basis: TimeBasis = "calendar",
) -> Path:
    """`tables` as `mining.runs.mine` computes them (variants, handovers_department, handovers_team,
    ping_pong_department); the waits in `basis`, the run's (mining.report.formatting.basis_of)."""
    variants = tables["variants"]
    html = TEMPLATES.get_template("mining_report.html.j2").render(
        scope=scope,
        store=store.name,
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        journeys=int(variants["journeys"].sum()),
        open_journeys=int(variants["open_journeys"].sum()),
        map_explorer=map_explorer(grid),
        process_model=process_model_view(model),
        variants=variants.head(TOP_VARIANTS).to_dict("records"),
        handover_tables=handover_tables(tables, basis),
        basis=basis_words(basis),
        times=times_header(basis),
        ping_pongs=ping_pong_table(tables["ping_pong_department"]),
        provenance=provenance_facts(provenance),
        processing=processing_view(tables, basis),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html)
    return path
