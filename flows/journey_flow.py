"""The flow from source systems to the bottleneck report.

Tasks pass file paths, never DuckDB connections (connections break Prefect's cache-key hashing), and
only the load task writes the store (DuckDB allows one writer process); extraction runs in parallel
and hands over Parquet.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from eventlogs.config import load_source_config
from eventlogs.demo.sources import DemoSourceWriter
from eventlogs.errors import SourceError
from eventlogs.loader import LoadResult, load_staged
from eventlogs.pipeline import new_run_id, read_since, stage_source
from eventlogs.result_tables import write_result_tables
from eventlogs.staging import StagedSource, discard_staged
from flows.paths import DEMO_DESIGNED_JOURNEY, DEMO_SOURCE_CONFIG, DEMO_TIME_RULES
from mining.analysis import add_pilot, analyse, write_tables
from mining.designed_journey import load_designed_journey
from mining.pilot_definition import has_pilot, load_pilot_definition
from mining.pilot_output import pilot_markdown, write_pilot_outputs
from mining.report import render_report
from mining.run_summary import run_summary_markdown
from mining.time_rules import load_time_rules


@task(cache_policy=NO_CACHE)
def generate_demo_sources(folder: str, journeys: int, seed: int) -> str:
    files = DemoSourceWriter(journeys, seed).write(Path(folder))
    get_run_logger().info("demo organisation written to %s (%d journeys, seed %d)", folder, journeys, seed)
    return str(files.folder)


@task(retries=2, retry_delay_seconds=10, cache_policy=NO_CACHE)
def extract(
    config_file: str, data_folder: str, source_name: str, staging_folder: str, since: datetime | None, store: str
) -> str:
    config = load_source_config(Path(config_file), Path(data_folder))
    staged = stage_source(config, source_name, Path(staging_folder), since, Path(store), use_prefect_secret=True)
    manifest = staged.manifest()
    get_run_logger().info(
        "extracted %s: %d records read, %d events staged, %d rejected",
        source_name,
        manifest["rows_read"],
        manifest["events"],
        manifest["rejects"],
    )
    return str(staged.folder)


@task(cache_policy=NO_CACHE)
def load(store: str, staged_folders: list[str], run_id: str) -> list[LoadResult]:
    results = load_staged(Path(store), [StagedSource(Path(folder)) for folder in staged_folders], run_id)
    for result in results:
        get_run_logger().info(
            "loaded %s: read %d = loaded %d + rejected %d + already loaded %d",
            result.source,
            result.rows_read,
            result.rows_loaded,
            result.rows_rejected,
            result.rows_duplicate,
        )
    return results


@task(cache_policy=NO_CACHE)
def write_back(store: str, tables_folder: str) -> list[str]:
    """The flow's result tables into the store's `results` schema (this flow's only other writer is the
    load, which has finished: one writer at a time)."""
    return write_result_tables(Path(store), Path(tables_folder), "journey-flow")


@task(cache_policy=NO_CACHE)
def mine_and_report(
    store: str,
    designed_journey: str,
    out: str,
    organisation: str,
    time_rules: str | None = None,
    pilot_config: str | None = None,
) -> dict[str, Any]:
    rules = load_time_rules(Path(time_rules)) if time_rules else None  # working-time norms need calendars
    analysis = analyse(Path(store), load_designed_journey(Path(designed_journey)), time_rules=rules)
    pilot: dict[str, Any] = {}
    if pilot_config is not None:  # the configuration names a pilot: evaluate it into the report
        add_pilot(analysis, Path(store), load_pilot_definition(Path(pilot_config)), rules)
        write_pilot_outputs(analysis.pilot, Path(out) / "pilot")
        pilot = {"pilot_verdict": analysis.pilot.verdict, "pilot_markdown": pilot_markdown(analysis.pilot)}
        get_run_logger().info("pilot: %s", analysis.pilot.verdict[0])
    write_tables(analysis, Path(out) / "tables")
    report = render_report(analysis, organisation, Path(out) / "report.html")
    get_run_logger().info("top bottleneck: %s", analysis.bottleneck)
    quality = analysis.tables["data_quality"].astype(str).to_dict("records")
    return {"report": str(report), "bottleneck": analysis.bottleneck, "quality": quality, **pilot}


@flow(name="journey-mining", log_prints=True)
def journey_flow(
    config_file: str,
    data_folder: str,
    designed_journey: str,
    out: str,
    store: str | None = None,
    extract_retries: int = 2,
    time_rules: str | None = None,
) -> dict[str, Any]:
    """Extract every configured source, load the store, discover, compare with the design, report."""
    out_path = Path(out)
    store_path = store or str(out_path / "journeys.duckdb")
    run_id = new_run_id()
    config = load_source_config(Path(config_file), Path(data_folder))
    staging = out_path / "staging" / run_id
    starts = read_since(config, Path(store_path))
    futures = [
        extract.with_options(retries=extract_retries).submit(
            config_file, data_folder, name, str(staging), starts[name], store_path
        )
        for name in config.sources
    ]
    staged, failed = [], {}
    for name, future in zip(config.sources, futures, strict=True):
        try:
            staged.append(future.result())
        except Exception as error:
            failed[name] = f"{type(error).__name__}: {error}"
            get_run_logger().error("source %s failed after its retries and is not loaded: %s", name, failed[name])
    if not staged:
        raise SourceError(f"every source failed: {failed}")
    results = load(store_path, staged, run_id)
    discard_staged(staging)  # only reached when the load committed; a failed run keeps them to inspect
    pilot_config = config_file if has_pilot(Path(config_file)) else None
    outcome = mine_and_report(store_path, designed_journey, out, config.organisation, time_rules, pilot_config)
    write_back(store_path, str(out_path / "tables"))
    create_markdown_artifact(
        key="journey-run-summary",
        markdown=run_summary_markdown(
            run_id,
            outcome["bottleneck"],
            [result.__dict__ for result in results],
            outcome["quality"],
            failed,
            outcome["report"],
        ),
        description="Top silo bottleneck, load ledger, data quality and failed sources",
    )
    if "pilot_markdown" in outcome:
        create_markdown_artifact(
            key="journey-pilot",
            markdown=outcome.pop("pilot_markdown"),
            description="Pilot evaluation: the verdict with its intervals, side effects and improvements",
        )
    return {**outcome, "store": store_path, "run_id": run_id, "failed_sources": failed}


@flow(name="journey-demo", log_prints=True)
def demo_flow(
    out: str = "outputs/demo", journeys: int = 2000, seed: int = 7, regenerate: bool = False
) -> dict[str, Any]:
    """The whole job on the built-in demo organisation (generated once, then reused)."""
    sources = Path(out) / "sources"
    if regenerate or not (sources / "ground_truth.json").exists():
        # a new simulation is a new organisation: the old store (and its watermarks) would mix with it
        for stale in Path(out).glob("journeys.duckdb*"):
            stale.unlink()
        generate_demo_sources(str(sources), journeys, seed)
    return journey_flow(
        str(DEMO_SOURCE_CONFIG), str(sources), str(DEMO_DESIGNED_JOURNEY), out, time_rules=str(DEMO_TIME_RULES)
    )
