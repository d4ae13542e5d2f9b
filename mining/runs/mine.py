"""`journey mine`: the discovery, handover and silo-tax tables of one store as Parquet, the process map
and process model, and mining_report.html, without a designed journey (so it works on any store
`journey extract` wrote)."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from eventlogs.one_row import one_value
from eventlogs.store import connect_store
from eventlogs.store.export import export_parquet
from mining.discovery import tables as discovery
from mining.discovery.handovers import handovers, ping_pong
from mining.discovery.map_detail import WaitUnit, graph_at, graph_levels, map_graph, map_levels
from mining.discovery.process_model import ProcessModel, discover_process_model
from mining.discovery.processing import processing_per_activity, processing_per_journey
from mining.discovery.silo_tax import silo_tax_per_journey, silo_tax_summary
from mining.discovery.step import discovery_tables
from mining.errors import AnalysisError
from mining.report.formatting import basis_of
from mining.report.mining_report import render_mining_report
from mining.report.process_map import LEVELS_PERCENT, EdgeLabel, MapGrid, map_grid, render_map
from mining.report.process_model_drawing import write_process_model
from mining.runs.table_files import write_parquet_tables, write_provenance
from mining.scope.date_range import parse_date_range
from mining.scope.provenance import Provenance, read_provenance, store_provenance
from mining.scope.scope import Scope, define_scope
from mining.scope.time_rules import TimeRules
from mining.spark.source import EventSource


def parse_period(text: str) -> tuple[date, date]:
    """`journey mine --period 2026-03-01..2026-03-31` -> (first day, last day), both inclusive."""
    return parse_date_range(text, "--period")


@dataclass(frozen=True)
class SparkRun:
    """Run the reduction on Spark (mining/spark/): on `master` (None: local[2]) with extra Spark settings
    `conf`, reading `source` (Parquet, Delta or catalog tables) or, when None, the store exported to
    Parquet for the run."""

    master: str | None = None
    conf: Mapping[str, str] = field(default_factory=dict)
    source: EventSource | None = None


@dataclass(frozen=True)
class _Reduced:
    tables: dict[str, pd.DataFrame]
    svg: str
    grid: MapGrid
    provenance: Provenance
    basis: WaitUnit


def mine(
    store: Path | None,
    out: Path,
    journey_type: str | None = None,
    period: tuple[date, date] | None = None,
    max_map_activities: int = 30,
    max_map_paths: int | None = None,
    edge_label: EdgeLabel = "frequency",
    noise_threshold: float = 0.2,
    time_rules: TimeRules | None = None,
    spark: SparkRun | None = None,
) -> list[Path]:
    """Writes into `out` each result table as `<name>.parquet`; `process_map.svg` with the
    `max_map_activities` most frequent activities and `max_map_paths` most frequent paths (None: all);
    the process model (inductive miner with `noise_threshold`) as bpmn.svg, petri_net.svg,
    process_model.bpmn and process_model.pnml; mining_report.html; and provenance.json (what they were made
    from, also in each Parquet file's metadata). `time_rules` gives the business
    calendars and pause activities behind the working-hour columns; with them the map and the page show
    the waits in working time, without them in calendar time (mining.report.formatting). A store with start and complete
    timestamps also gets processing_activities and processing_journeys. `spark`: reduce the events on
    Spark instead of the embedded engine (the same tables; `store` may then be None when the run names
    its own source). Returns the paths."""
    if not 0.0 <= noise_threshold <= 1.0:
        raise AnalysisError(f"noise threshold must be within 0 and 1, not {noise_threshold}")
    map_size = (max_map_activities, max_map_paths, edge_label)
    if spark is None:
        if store is None:
            raise AnalysisError("mining needs a store (--store), or the Spark engine with --events")
        reduced = _reduce_embedded(store, journey_type, period, map_size, time_rules)
    else:
        reduced = _reduce_on_spark(store, spark, journey_type, period, map_size, time_rules)
    tables = reduced.tables
    model: ProcessModel | None = None
    if tables["variants"]["journeys"].sum() > tables["variants"]["open_journeys"].sum():  # some finished
        model = discover_process_model(tables["variants"], noise_threshold)
    written = write_parquet_tables(tables, out, reduced.provenance)
    map_path = out / "process_map.svg"
    map_path.write_text(reduced.svg)
    written.append(map_path)
    if model is not None:
        written += write_process_model(model, out)
    described = f"{journey_type or 'all'} journeys" + (f" opened {period[0]} to {period[1]}" if period else "")
    page = out / "mining_report.html"
    source_name = store if store is not None else Path(spark.source.events if spark and spark.source else "events")
    written.append(
        render_mining_report(
            tables, reduced.grid, model, described, source_name, page, reduced.provenance, reduced.basis
        )
    )
    written.append(write_provenance(reduced.provenance, out))
    return written


def embedded_tables(scope: Scope) -> dict[str, pd.DataFrame]:
    """The tables of `journey mine` that read every event, on the embedded engine (the Spark engine's
    twin: mining.spark.reduce_events)."""
    # the discovery step in single passes over the coded scope; the same tables as the SQL
    found = discovery_tables(scope, ("department", "team"))
    return {
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


def _reduce_embedded(
    store: Path,
    journey_type: str | None,
    period: tuple[date, date] | None,
    map_size: tuple[int, int | None, EdgeLabel],
    time_rules: TimeRules | None,
) -> _Reduced:
    """The tables, maps and provenance from the store on the embedded engine (DuckDB and the numba pass)."""
    max_map_activities, max_map_paths, edge_label = map_size
    connection = connect_store(store, read_only=True)
    try:
        scope = define_scope(connection, journey_type, period, time_rules, materialise=True)  # read a dozen times
        tables = embedded_tables(scope)
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
    return _Reduced(tables, svg, grid, provenance, basis)


def _reduce_on_spark(
    store: Path | None,
    run: SparkRun,
    journey_type: str | None,
    period: tuple[date, date] | None,
    map_size: tuple[int, int | None, EdgeLabel],
    time_rules: TimeRules | None,
) -> _Reduced:
    """The same on Spark: the events read from `run.source`, or from the store exported to Parquet in a
    temporary folder (the store's load runs then in the provenance). Calendar time only."""
    from mining.spark import (
        define_spark_scope,
        reduce_scope,
        refuse_working_time,
        register_source,
        spark_errors,
        spark_provenance,
    )
    from mining.spark import spark_session as start_spark

    refuse_working_time(time_rules)
    max_map_activities, max_map_paths, edge_label = map_size
    with tempfile.TemporaryDirectory(prefix="journey-spark-") as folder:
        source = run.source
        if source is None:
            if store is None:
                raise AnalysisError("the Spark engine needs --store or --events")
            export_parquet(store, Path(folder) / "export")
            source = EventSource.at(str(Path(folder) / "export"))
        with spark_errors():
            session = start_spark(run.master, run.conf)
        try:
            with spark_errors():
                scope = define_spark_scope(session, register_source(session, source), journey_type, period)
                reduced = reduce_scope(scope)
                activities = reduced.tables["activities"]
                graph = graph_at(reduced.paths, activities, max_map_activities, max_map_paths, "calendar")
                levels = graph_levels(reduced.paths, activities, LEVELS_PERCENT, "calendar")
                provenance = spark_provenance(scope) if store is None else store_provenance(store)
        finally:
            session.catalog.clearCache()
    svg, grid = render_map(graph, edge_label), map_grid(levels, LEVELS_PERCENT)
    return _Reduced(reduced.tables, svg, grid, provenance, basis_of(False))
