"""mining_report.html of `journey mine`: the map explorer, process model, variants and handovers of one
scope as a standalone page, from the same include templates as the main report."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from mining.discovery.process_model import ProcessModel
from mining.report.html_templates import TEMPLATES
from mining.report.process_map import MapGrid
from mining.report.sections import map_explorer, process_model_view

TOP_VARIANTS = 20


def render_mining_report(
    tables: dict[str, pd.DataFrame],
    grid: MapGrid,
    model: ProcessModel | None,
    scope: str,
    store: Path,
    path: Path,
) -> Path:
    """`tables` as `mining.runs.mine` computes them (variants, handovers_department, ping_pong_department)."""
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
        handovers=tables["handovers_department"].to_dict("records"),
        ping_pongs=tables["ping_pong_department"].to_dict("records"),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html)
    return path
