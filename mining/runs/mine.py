"""`journey mine`: the discovery, handover and silo-tax tables of one store as Parquet, the process map
and process model, and mining_report.html, without a designed journey (so it works on any store
`journey extract` wrote)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from eventlogs.one_row import one_value
from eventlogs.store import connect_store
from mining.discovery import tables as discovery
from mining.discovery.handovers import handovers, ping_pong
from mining.discovery.map_detail import map_graph, map_levels
from mining.discovery.process_model import ProcessModel, discover_process_model
from mining.discovery.processing import processing_per_activity, processing_per_journey
from mining.discovery.silo_tax import silo_tax_per_journey, silo_tax_summary
from mining.discovery.step import discovery_tables
from mining.errors import AnalysisError
from mining.report.formatting import basis_of
from mining.report.mining_report import render_mining_report
from mining.report.process_map import LEVELS_PERCENT, EdgeLabel, map_grid, render_map
from mining.report.process_model_drawing import write_process_model
from mining.runs.table_files import write_parquet_tables, write_provenance
from mining.scope.date_range import parse_date_range
from mining.scope.provenance import read_provenance
from mining.scope.scope import define_scope
from mining.scope.time_rules import TimeRules


def parse_period(text: str) -> tuple[date, date]:
    """`journey mine --period 2026-03-01..2026-03-31` -> (first day, last day), both inclusive."""
    return parse_date_range(text, "--period")


def mine(
    store: Path,
    out: Path,
    journey_type: str | None = None,
    period: tuple[date, date] | None = None,
    max_map_activities: int = 30,
    max_map_paths: int | None = None,
    edge_label: EdgeLabel = "frequency",
    noise_threshold: float = 0.2,
    time_rules: TimeRules | None = None,
) -> list[Path]:
    """Writes into `out` each result table as `<name>.parquet`; `process_map.svg` with the
    `max_map_activities` most frequent activities and `max_map_paths` most frequent paths (None: all);
    the process model (inductive miner with `noise_threshold`) as bpmn.svg, petri_net.svg,
    process_model.bpmn and process_model.pnml; mining_report.html; and provenance.json (what they were made
    from, also in each Parquet file's metadata). `time_rules` gives the business
    calendars and pause activities behind the working-hour columns; with them the map and the page show
    the waits in working time, without them in calendar time (mining.report.formatting). A store with start and complete
    timestamps also gets processing_activities and processing_journeys. Returns the paths."""
    if not 0.0 <= noise_threshold <= 1.0:
        raise AnalysisError(f"noise threshold must be within 0 and 1, not {noise_threshold}")
    connection = connect_store(store, read_only=True)
    try:
        scope = define_scope(connection, journey_type, period, time_rules, materialise=True)  # read a dozen times
        # the discovery step in single passes over the coded scope; the same tables as the SQL
        found = discovery_tables(scope, ("department", "team"))
        tables: dict[str, pd.DataFrame] = {
            "variants": found["variants"],
            "directly_follows": found["directly_follows"],
            "start_end_activities": found["start_end_activities"],
            "activities": discovery.activities(scope),
            "handovers_department": found["handovers_department"],
            "handovers_team": found["handovers_team"],
            "handovers_resource": handovers(scope, "resource"),
            "ping_pong_department": ping_pong(scope, "department"),
            "ping_pong_team": ping_pong(scope, "team"),
            "silo_tax_journeys": silo_tax_per_journey(scope),
            "silo_tax_summary": silo_tax_summary(scope),
        }
        if one_value(connection.execute(f"SELECT count(*) FROM {scope.work_events} WHERE lifecycle IS NOT NULL")):
            tables["processing_activities"] = processing_per_activity(scope)
            tables["processing_journeys"] = processing_per_journey(scope)
        activities = tables["activities"]
        basis = basis_of(scope.working_time)  # the one basis of this run's map, tables and page
        svg = render_map(map_graph(scope, activities, max_map_activities, max_map_paths, basis), edge_label)
        grid = map_grid(map_levels(scope, activities, LEVELS_PERCENT, basis), LEVELS_PERCENT)
        provenance = read_provenance(connection, {"time rules": time_rules.source if time_rules else None})
    finally:
        connection.close()
    model: ProcessModel | None = None
    if tables["variants"]["journeys"].sum() > tables["variants"]["open_journeys"].sum():  # some finished
        model = discover_process_model(tables["variants"], noise_threshold)
    written = write_parquet_tables(tables, out, provenance)
    map_path = out / "process_map.svg"
    map_path.write_text(svg)
    written.append(map_path)
    if model is not None:
        written += write_process_model(model, out)
    described = f"{journey_type or 'all'} journeys" + (f" opened {period[0]} to {period[1]}" if period else "")
    page = out / "mining_report.html"
    written.append(render_mining_report(tables, grid, model, described, store, page, provenance, basis))
    written.append(write_provenance(provenance, out))
    return written
