"""Runs the whole foundation analysis on a store and writes each result table as Parquet."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from eventlogs.store import connect_store
from eventlogs.store.quality import quality_summary
from mining.design.comparison import compare_journey
from mining.design.journey import DesignedJourney
from mining.discovery import tables as discovery
from mining.discovery.handovers import handover_matrix
from mining.discovery.map_detail import map_graph, map_levels
from mining.discovery.process_model import discover_process_model
from mining.discovery.processing import processing_per_activity, processing_per_journey
from mining.discovery.step import discovery_tables
from mining.errors import AnalysisError
from mining.report.content import Analysis
from mining.report.designed_section import designed_section
from mining.report.formatting import basis_of
from mining.report.process_map import LEVELS_PERCENT, map_grid, render_map
from mining.report.process_model_drawing import write_process_model
from mining.runs.table_files import write_parquet_tables, write_provenance
from mining.scope.provenance import Provenance, read_provenance
from mining.scope.scope import define_scope
from mining.scope.time_rules import TimeRules

if TYPE_CHECKING:
    from mining.pilot.definition import PilotDefinition
    from mining.pilot.evaluation import PilotEvaluation


def _all_types(connection: duckdb.DuckDBPyConnection, analysis: Analysis, time_rules: TimeRules | None) -> None:
    scope = define_scope(connection, None, time_rules=time_rules)
    department_handovers = discovery_tables(scope, ("department",))["handovers_department"]
    analysis.tables["handovers_department_all"] = department_handovers
    analysis.tables["handover_matrix_median_hours"] = handover_matrix(department_handovers).reset_index()
    analysis.tables["journey_types"] = connection.execute(f"""
        SELECT journey_type, count(*) AS journeys, count(*) FILTER (WHERE is_open) AS open_journeys,
               quantile_cont(lead_hours, 0.5) AS median_lead_hours FROM {scope.journeys} GROUP BY ALL ORDER BY 2 DESC
    """).df()
    analysis.tables["load_runs"] = connection.execute("FROM load_runs ORDER BY run_id, source").df()
    analysis.tables["data_quality"] = quality_summary(connection)
    # Where each reject sits and why, not the raw record: that holds unpseudonymised names and stays in the
    # store, while outputs are meant to be shared.
    analysis.tables["rejects"] = connection.execute(
        "SELECT source, source_row, field, reason FROM rejects ORDER BY source, field, source_row"
    ).df()


def analyse(
    store: Path,
    journey: DesignedJourney,
    max_map_activities: int = 30,
    noise_threshold: float = 0.2,
    levels: tuple[int, ...] = LEVELS_PERCENT,
    time_rules: TimeRules | None = None,
    config_files: Mapping[str, Path | None] | None = None,
) -> Analysis:
    """Discovery for the designed journey's type, handovers for all types, designed-vs-actual; the
    process model (inductive miner, IMf with `noise_threshold`) and the map at every slider level.
    extras["provenance"]: the store's load runs and period, and `config_files` (role -> path) hashed
    (default: the time rules' file)."""
    analysis = Analysis(journey)
    connection = connect_store(store, read_only=True)
    try:
        files = config_files if config_files is not None else {"time rules": time_rules.source if time_rules else None}
        analysis.extras["provenance"] = read_provenance(connection, files)
        _all_types(connection, analysis, time_rules)
        # working-time norms need the rules; materialised: the norms, bottlenecks and maps read it many times
        scope = define_scope(connection, journey.journey_type, time_rules=time_rules, materialise=True)
        analysis.wait_unit = basis_of(scope.working_time)  # the report's one time basis
        tables = analysis.tables
        # the discovery step: single passes over the coded scope (freed on return), the same tables as the SQL
        tables.update(discovery_tables(scope, ("department", "team")))
        tables["activities"] = discovery.activities(scope)
        if scope.lifecycle:  # starts and completes: processing versus waiting
            tables["processing_activities"] = processing_per_activity(scope)
            tables["processing_journeys"] = processing_per_journey(scope)
        analysis.overview = discovery.journey_overview(scope)
        analysis.designed = designed_section(compare_journey(scope, journey))
        tables.update(analysis.designed.tables)
        analysis.end_to_end = analysis.designed.comparison.end_to_end
        analysis.bottleneck = analysis.designed.findings[0]  # the top of the excess ranking
        unit = analysis.wait_unit
        activities = tables["activities"]
        analysis.process_map_svg = render_map(map_graph(scope, activities, max_map_activities, wait_unit=unit))
        analysis.extras["map_grid"] = map_grid(map_levels(scope, activities, levels, unit), levels)
    finally:
        connection.close()
    add_process_model(analysis, noise_threshold)
    return analysis


def add_pilot(
    analysis: Analysis, store: Path, definition: PilotDefinition, time_rules: TimeRules | None = None
) -> PilotEvaluation:
    """analysis.pilot: the pilot evaluated on the store, with the designed journey's end-to-end norm
    (returned too, so the caller holds it without a None check)."""
    from mining.pilot.evaluation import evaluate_pilot_store

    analysis.pilot = evaluate_pilot_store(store, definition, analysis.journey, time_rules)
    return analysis.pilot


def add_process_model(analysis: Analysis, noise_threshold: float) -> None:
    """extras["process_model"] from the variants table; absent when no journey has finished yet (a model
    needs whole journeys)."""
    with contextlib.suppress(AnalysisError):
        analysis.extras["process_model"] = discover_process_model(analysis.tables["variants"], noise_threshold)


def analysis_provenance(analysis: Analysis) -> Provenance:
    """What `analyse` made the analysis from."""
    provenance: Provenance = analysis.extras["provenance"]
    return provenance


def write_tables(analysis: Analysis, folder: Path) -> list[Path]:
    """Each result table as `<name>.parquet` in `folder`, and provenance.json."""
    written = write_parquet_tables(analysis.tables, folder, analysis_provenance(analysis))
    (folder / "process_map.svg").write_text(analysis.process_map_svg)
    if "process_model" in analysis.extras:
        written += write_process_model(analysis.extras["process_model"], folder)
    written.append(write_provenance(analysis_provenance(analysis), folder))
    return written
