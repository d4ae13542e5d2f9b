"""Designed journey versus actual in one call: time against the norms, conformance to the designed order
(per variant, weighted by its journeys), the bottleneck ranking with its sentences, and the designed
journey drawn with the actual figures and the common deviations. `journey compare` writes it to a
folder; `mining.runs.analysis` puts the same result in the full report."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from eventlogs.store import connect_store
from mining.design.bottlenecks import findings, locate_bottlenecks
from mining.design.conformance import (
    DEVIATION_TYPES,
    UNEXPECTED_ACTIVITY,
    Conformance,
    conformance,
    conformance_summary,
    conformance_tables,
)
from mining.design.journey import DesignedJourney
from mining.design.load import load_designed_journey
from mining.design.norms import end_to_end_norm, handover_norms, stage_norms, working_time_available
from mining.report.designed_map import designed_map_svg
from mining.report.formatting import short_duration, working_days_in_words
from mining.report.html_templates import TEMPLATES
from mining.runs.table_files import write_parquet_tables
from mining.scope.scope import define_scope

PAGE_TEMPLATE = "designed_journey_report.html.j2"


@dataclass
class JourneyComparison:
    """The designed-versus-actual result: tables (stage_norms, handover_norms, bottlenecks, end_to_end,
    the conformance tables), the end-to-end (XLA) figures, the conformance to the designed order (None
    while no journey has finished), the findings as sentences and the designed map as SVG."""

    journey: DesignedJourney
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    end_to_end: dict[str, Any] = field(default_factory=dict)
    findings: list[str] = field(default_factory=list)
    map_svg: str = ""
    working_time: bool = False  # whether working time was measured (time rules applied)
    conformance: Conformance | None = None


def _conformance(connection: duckdb.DuckDBPyConnection, journey: DesignedJourney) -> Conformance | None:
    """Conformance of the finished journeys; None when none has finished yet (nothing to check)."""
    finished = connection.execute(
        "SELECT count(*) FROM scope_journeys WHERE NOT is_open"
        " AND journey_id IN (SELECT journey_id FROM scope_work_events)"
    ).fetchone()[0]
    return conformance(connection, journey) if finished else None


def compare_journey(connection: duckdb.DuckDBPyConnection, journey: DesignedJourney) -> JourneyComparison:
    """Designed versus actual on the scope views already defined (`define_scope` for the journey's type;
    materialised, as the views are read many times)."""
    journeys = connection.execute("SELECT count(*) FROM scope_journeys").fetchone()[0]
    stages = stage_norms(connection, journey)
    handovers = handover_norms(connection, journey)
    ranked = locate_bottlenecks(connection, journey)
    xla = end_to_end_norm(connection, journey)
    fit = _conformance(connection, journey)
    tables = {
        "stage_norms": stages,
        "handover_norms": handovers,
        "bottlenecks": ranked,
        "end_to_end_norm": pd.DataFrame([xla]),
    }
    if fit is not None:
        tables.update(conformance_tables(fit))
    return JourneyComparison(
        journey=journey,
        tables=tables,
        end_to_end=xla,
        findings=findings(connection, journey, ranked),
        map_svg=designed_map_svg(journey, stages, handovers, journeys, conformance=fit),
        working_time=working_time_available(connection),
        conformance=fit,
    )


def in_basis(hours: float | None, time: str, journey: DesignedJourney) -> str:
    """A duration for the tables: working days for working time, days or hours for calendar time."""
    if hours is None or pd.isna(hours):
        return "–"
    if time == "working":
        return working_days_in_words(hours, journey.working_day_hours)
    return short_duration(hours)


def section_context(comparison: JourneyComparison) -> dict[str, Any]:
    """What `_designed_journey.html.j2` reads, under the name `designed`."""
    return {
        "designed": {
            "journey": comparison.journey,
            "findings": comparison.findings,
            "end_to_end": comparison.end_to_end,
            "stages": comparison.tables["stage_norms"].to_dict("records"),
            "handovers": comparison.tables["handover_norms"]
            .sort_values(["designed", "design_order", "excess_hours"], ascending=[False, True, False])
            .to_dict("records"),
            "bottlenecks": comparison.tables["bottlenecks"].head(10).to_dict("records"),
            "map_svg": comparison.map_svg,
            "working_time": comparison.working_time,
            "in_basis": lambda hours, time: in_basis(hours, time, comparison.journey),
            "conformance": _conformance_context(comparison.conformance),
        }
    }


# The report lists this many of the variants that deviate, most journeys first.
TOP_DEVIATING_VARIANTS = 10


def _conformance_context(fit: Conformance | None) -> dict[str, Any] | None:
    """What the conformance part of `_designed_journey.html.j2` reads; None when nothing was checked."""
    if fit is None:
        return None
    deviating = fit.variants[fit.variants["deviations"] != ""]
    return {
        "summary": conformance_summary(fit),
        "by_type": fit.rates_by_type.to_dict("records"),
        "by_stage": fit.rates_by_stage.to_dict("records"),
        "types": [kind for kind in DEVIATION_TYPES if kind != UNEXPECTED_ACTIVITY],  # the others are at a stage
        "variants": deviating.head(TOP_DEVIATING_VARIANTS).to_dict("records"),
    }


def compare(store: Path, journey_spec: Path, out: Path, time_rules: Path | None = None) -> list[Path]:
    """`journey compare`: the tables as Parquet (norms, bottlenecks, conformance), designed_map.svg and
    designed_journey.html in `out`."""
    journey = load_designed_journey(journey_spec)
    rules = None
    if time_rules is not None:
        from mining.scope.time_rules import load_time_rules

        rules = load_time_rules(time_rules)
    connection = connect_store(store, read_only=True)
    try:
        define_scope(connection, journey.journey_type, time_rules=rules, materialise=True)
        comparison = compare_journey(connection, journey)
    finally:
        connection.close()
    return write_comparison(comparison, out)


def write_comparison(comparison: JourneyComparison, out: Path) -> list[Path]:
    written = write_parquet_tables(comparison.tables, out)
    svg = out / "designed_map.svg"
    svg.write_text(comparison.map_svg)
    page = out / "designed_journey.html"
    page.write_text(TEMPLATES.get_template(PAGE_TEMPLATE).render(**section_context(comparison)))
    return [*written, svg, page]
