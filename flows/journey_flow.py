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
from prefect.cache_policies import NO_CACHE

from eventlogs.config import load_source_config
from eventlogs.demo.sources import DemoSourceWriter
from eventlogs.errors import SourcesFailedError
from eventlogs.pipeline import new_run_id, read_since, stage_source
from eventlogs.staging import StagedSource
from eventlogs.staging.folder import staging_folder
from eventlogs.store.loader import LoadResult, load_staged
from eventlogs.store.result_tables import write_result_tables
from eventlogs.store.snapshot import publish_snapshot
from flows.artifacts import ARTIFACT_ONLY, publish_run_artifacts, table_rows
from flows.paths import DEMO_DESIGNED_JOURNEY, DEMO_SOURCE_CONFIG, DEMO_TIME_RULES
from flows.secrets import pseudonym_key_from_prefect
from mining.design.load import load_designed_journey
from mining.pilot.definition import has_pilot, load_pilot_definition
from mining.report.pilot_output import pilot_markdown
from mining.report.pilot_wording import pilot_words
from mining.report.report import render_report
from mining.runs.analysis import add_pilot, analyse, analysis_provenance, write_tables
from mining.runs.pilot import write_pilot_outputs
from mining.scope.time_rules import load_time_rules


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
    staged = stage_source(
        config, source_name, Path(staging_folder), since, Path(store), secret=pseudonym_key_from_prefect
    )
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
    publish_snapshot(Path(store))  # the explorer reads this copy: it never holds the store a load writes
    for result in results:
        get_run_logger().info(
            "loaded %s: read %d = loaded %d + rejected %d + already loaded %d",
            result.source,
            result.rows_read,
            result.rows_loaded,
            result.rows_rejected,
            result.rows_duplicate,
        )
        copied = result.journey_copies.summary() if result.journey_copies else None
        if copied:
            get_run_logger().warning("%s", copied)
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
    config_file: str | None = None,
) -> dict[str, Any]:
    rules = load_time_rules(Path(time_rules)) if time_rules else None  # working-time norms need calendars
    made_from = {
        "sources": Path(config_file) if config_file else None,
        "designed journey": Path(designed_journey),
        "time rules": Path(time_rules) if time_rules else None,
    }
    analysis = analyse(
        Path(store), load_designed_journey(Path(designed_journey)), time_rules=rules, config_files=made_from
    )
    provenance = analysis_provenance(analysis)
    pilot: dict[str, Any] = {}
    if pilot_config is not None:  # the configuration names a pilot: evaluate it into the report
        evaluation = add_pilot(analysis, Path(store), load_pilot_definition(Path(pilot_config)), rules)
        write_pilot_outputs(evaluation, Path(out) / "pilot", provenance)
        verdict = pilot_words(evaluation).verdict
        pilot = {"pilot_verdict": verdict, "pilot_markdown": pilot_markdown(evaluation)}
        get_run_logger().info("pilot: %s", verdict[0])
    write_tables(analysis, Path(out) / "tables")
    report = render_report(analysis, organisation, Path(out) / "report.html")
    get_run_logger().info("top bottleneck: %s", analysis.bottleneck)
    quality = analysis.tables["data_quality"].astype(str).to_dict("records")
    return {
        "report": str(report.resolve()),
        "bottleneck": analysis.bottleneck,
        "quality": quality,
        "provenance": provenance,
        **pilot,
        **table_rows(analysis.tables),
    }


def run_journey(
    config_file: str,
    data_folder: str,
    designed_journey: str,
    out: str,
    store: str | None = None,
    time_rules: str | None = None,
    extract_retries: int = 2,
    extract_retry_delay_seconds: float = 10,
) -> dict[str, Any]:
    """The job inside whichever flow run calls it (not a subflow: the run a user opens from a deployment
    carries the tasks and the artifacts). Raises SourcesFailedError after reporting when a source failed."""
    out_path = Path(out).resolve()
    store_path = str(Path(store).resolve()) if store else str(out_path / "journeys.duckdb")
    run_id = new_run_id()
    config = load_source_config(Path(config_file), Path(data_folder))
    starts = read_since(config, Path(store_path))
    # Staged files hold records before pseudonymisation: outside the output folder, removed on every exit.
    with staging_folder() as staging:
        extract_with_retries = extract.with_options(
            retries=extract_retries, retry_delay_seconds=extract_retry_delay_seconds
        )
        futures = [
            extract_with_retries.submit(config_file, data_folder, name, str(staging), starts[name], store_path)
            for name in config.sources
        ]
        staged, failed = [], {}
        for name, future in zip(config.sources, futures, strict=True):
            try:
                staged.append(future.result())
            except Exception as error:  # any failure of one source: the others still load
                failed[name] = f"{type(error).__name__}: {error}"
                get_run_logger().error("source %s failed after its retries and is not loaded: %s", name, failed[name])
        if not staged:
            raise SourcesFailedError(failed)
        results = load(store_path, staged, run_id)
    pilot_config = config_file if has_pilot(Path(config_file)) else None
    outcome = mine_and_report(
        store_path, designed_journey, str(out_path), config.organisation, time_rules, pilot_config, config_file
    )
    write_back(store_path, str(out_path / "tables"))
    publish_run_artifacts(run_id, outcome, results, failed)
    outcome = {key: value for key, value in outcome.items() if key not in ARTIFACT_ONLY}
    outcome.update(store=store_path, run_id=run_id, failed_sources=failed)
    if failed:
        raise SourcesFailedError(failed, outcome)
    return outcome


@flow(name="journey-mining", log_prints=True)
def journey_flow(
    config_file: str,
    data_folder: str,
    designed_journey: str,
    out: str,
    store: str | None = None,
    time_rules: str | None = None,
    extract_retries: int = 2,
    extract_retry_delay_seconds: float = 10,
) -> dict[str, Any]:
    """Extract every configured source, load the store, discover, compare with the design, report.
    Ends Failed, naming them, when a source failed (after loading and reporting the others)."""
    return run_journey(
        config_file,
        data_folder,
        designed_journey,
        out,
        store,
        time_rules,
        extract_retries,
        extract_retry_delay_seconds,
    )


@flow(name="journey-demo", log_prints=True)
def demo_flow(
    out: str = "outputs/demo",
    journeys: int = 2000,
    seed: int = 7,
    regenerate: bool = False,
    extract_retries: int = 2,
    extract_retry_delay_seconds: float = 10,
) -> dict[str, Any]:
    """The whole job on the built-in demo organisation (generated once, then reused)."""
    sources = Path(out).resolve() / "sources"
    if regenerate or not (sources / "ground_truth.json").exists():
        # a new simulation is a new organisation: the old store (and its watermarks) would mix with it
        for stale in Path(out).glob("journeys.duckdb*"):
            stale.unlink()
        generate_demo_sources(str(sources), journeys, seed)
    return run_journey(
        str(DEMO_SOURCE_CONFIG),
        str(sources),
        str(DEMO_DESIGNED_JOURNEY),
        out,
        time_rules=str(DEMO_TIME_RULES),
        extract_retries=extract_retries,
        extract_retry_delay_seconds=extract_retry_delay_seconds,
    )
