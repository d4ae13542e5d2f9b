"""The `journey` command line."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.markup import escape

from eventlogs.errors import AnalysisError, ConfigError, JourneyMiningError, SourcesFailedError

if TYPE_CHECKING:
    from flows.deployment import DeploymentPlan
    from mining.runs.mine import SparkRun

os.environ.setdefault("PM4PY_SHOW_PROGRESS_BAR", "False")
# The temporary local server logs a "database is locked" traceback while recording telemetry.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

app = typer.Typer(help="Process mining for customer journeys that cross departments.", no_args_is_help=True)
console = Console()


@contextmanager
def _errors_end_the_command() -> Iterator[None]:
    """A project error ends the command with its message and exit code 1, without a traceback."""
    try:
        yield
    except JourneyMiningError as error:
        # whole lines (paths stay whole, to copy) and no markup read from the message (it may quote data)
        console.print(f"[red]error:[/red] {escape(str(error))}", soft_wrap=True)
        raise typer.Exit(1) from error
    except OSError as error:  # a file or folder that cannot be read or written (read-only, a file for a folder)
        where = " -> ".join(str(name) for name in (error.filename, error.filename2) if name is not None)
        said = f"{where}: {error.strerror}" if where and error.strerror else str(error)
        console.print(f"[red]error:[/red] {escape(said)}", soft_wrap=True)
        raise typer.Exit(1) from error
    except EOFError as error:  # a compressed file cut short raises this, not OSError
        console.print(f"[red]error:[/red] a file ended before it was complete (truncated?): {escape(str(error))}")
        raise typer.Exit(1) from error


def _shorter(path: Path) -> Path:
    """The path relative to the working folder when it lies inside it (a command to copy stays short)."""
    try:
        return path.resolve().relative_to(Path.cwd())
    except ValueError:
        return path


@app.command()
def demo(
    out: Path = typer.Option(Path("outputs/demo"), help="Folder for the sources, store, tables and report."),
    journeys: int = typer.Option(2000, min=1, help="Journeys the demo organisation simulates."),
    seed: int = typer.Option(7, help="Seed of the simulation; the same seed gives the same data."),
    regenerate: bool = typer.Option(False, help="Simulate the sources again even if they exist."),
) -> None:
    """Run the whole job on the built-in demo organisation and write report.html."""
    from flows.journey_flow import demo_flow

    with _errors_end_the_command():
        try:
            outcome = demo_flow(out=str(out), journeys=journeys, seed=seed, regenerate=regenerate)
        except SourcesFailedError as failure:
            if not failure.outcome:
                raise
            outcome = failure.outcome  # the other sources were loaded and reported: show what they gave
    console.print(f"\n[bold]Top bottleneck:[/bold] {outcome['bottleneck']}")
    console.print(f"[bold]Report:[/bold] {outcome['report']}")
    for name, reason in outcome["failed_sources"].items():
        console.print(f"[red]source {name} failed and was not loaded:[/red] {reason}")
    if outcome["failed_sources"]:
        raise typer.Exit(1)
    from flows.paths import DEMO_DESIGNED_JOURNEY, DEMO_TIME_RULES

    store, design, rules = (_shorter(Path(p)) for p in (outcome["store"], DEMO_DESIGNED_JOURNEY, DEMO_TIME_RULES))
    explore_demo = f"journey explore --store {store} --journey {design} --time-rules {rules}"
    console.print(f"[bold]Explore it:[/bold] {escape(explore_demo)}", soft_wrap=True)


@app.command("generate-demo")
def generate_demo(
    out: Path = typer.Option(..., help="Folder to write ticketing.sqlite, logistics_tracking.csv, ground_truth.json."),
    journeys: int = typer.Option(2000, min=1, help="Journeys to simulate (about 14 events each)."),
    seed: int = typer.Option(7, help="Seed of the simulation."),
) -> None:
    """Write the demo organisation's source systems only (for benchmarks and your own experiments)."""
    from eventlogs.demo.sources import DemoSourceWriter

    with console.status(f"simulating {journeys:,} journeys"):
        files = DemoSourceWriter(journeys, seed).write(out)
    console.print(f"written: {files.ticketing}, {files.logistics}, {files.ground_truth}")


@app.command()
def extract(
    config: Path = typer.Option(..., exists=True, dir_okay=False, help="Source configuration (TOML)."),
    store: Path = typer.Option(Path("outputs/journeys.duckdb"), help="The DuckDB event store to load into."),
    data: Path | None = typer.Option(None, help="Folder the configured paths are relative to (default: the config's)."),
    source: list[str] | None = typer.Option(None, help="Only this source (repeatable); default: all."),
    since: datetime | None = typer.Option(
        None, help="Read records updated from this time (UTC) on, instead of each source's watermark."
    ),
    parquet_out: Path | None = typer.Option(
        None,
        file_okay=False,
        help="Also write the store's canonical events and journeys there as Parquet for Spark (as journey "
        "export does, by month), replacing the previous export whole.",
    ),
) -> None:
    """Extract the configured sources and load them into the store (idempotent: re-running adds nothing)."""
    from eventlogs.pipeline import extract_and_load
    from eventlogs.store.export import export_parquet
    from eventlogs.store.quality import quality_findings

    with _errors_end_the_command():
        results = extract_and_load(
            config, store, data, source or None, console, since.replace(tzinfo=UTC) if since else None
        )
        if parquet_out is not None:  # the whole store each time: a reader never sees half a load
            exported = export_parquet(store, parquet_out, "month", replace=True)
            console.print(f"exported {exported.events:,} events and {exported.journeys:,} journeys to {parquet_out}")
    for result in results:
        console.print(
            f"{result.source}: read {result.rows_read:,} = loaded {result.rows_loaded:,} + rejected "
            f"{result.rows_rejected:,} + already loaded {result.rows_duplicate:,}",
            markup=False,
        )
        copied = result.journey_copies.summary() if result.journey_copies else None
        if copied:  # the configuration multiplies events: say how much
            console.print(f"  {copied}", markup=False, style="yellow", soft_wrap=True)
    for checked_source, check, count, detail in quality_findings(store, results[0].run_id) if results else []:
        console.print(f"  {checked_source}: {check} = {count:,} ({detail})", markup=False, style="yellow")
    console.print(f"store: {store}")
    refused = [result.source for result in results if result.rows_read and result.rows_rejected == result.rows_read]
    if refused:  # nothing of these sources could be loaded: a wrong mapping, not a clean run
        console.print(f"[red]error:[/red] every record was rejected: {escape(', '.join(refused))} (see rejects)")
        raise typer.Exit(1)


@app.command("export")
def export_events(
    store: Path = typer.Option(..., dir_okay=False, help="The DuckDB event store `journey extract` wrote."),
    out: Path = typer.Option(..., file_okay=False, help="Folder for events/ and journeys/ (Parquet)."),
    format: str = typer.Option("parquet", help="File format: parquet."),
    partition_by: str = typer.Option("month", help="Partition events by 'month' of their time, or 'none'."),
    replace: bool = typer.Option(False, help="Replace an export already in --out."),
) -> None:
    """Export the store's canonical events and journeys as Parquet, for Spark, Databricks or any reader of
    files (the columns are the store's: see the README)."""
    from eventlogs.store.export import PARTITIONINGS, export_parquet

    if format != "parquet":
        console.print(f"[red]error:[/red] --format must be parquet, not {escape(format)!r}")
        raise typer.Exit(2)
    if partition_by not in PARTITIONINGS:
        console.print(f"[red]error:[/red] --partition-by must be one of {', '.join(PARTITIONINGS)}")
        raise typer.Exit(2)
    with _errors_end_the_command():
        written = export_parquet(store, out, "month" if partition_by == "month" else "none", replace)
    console.print(
        f"exported {written.events:,} events in {written.partitions:,} partition(s) and {written.journeys:,} "
        f"journeys to {written.out}",
        markup=False,
        soft_wrap=True,
    )


def _print_written(written: list[Path], out: Path) -> None:
    """The count of files written, and the one that says what they were made from."""
    from mining.runs.table_files import PROVENANCE_FILE

    console.print(f"written {len(written)} files to {out}", soft_wrap=True, markup=False)
    made_from = [path for path in written if path.name == PROVENANCE_FILE]
    for path in made_from:
        console.print(
            f"made from (load runs, period, configuration hashes, code version): {path}", soft_wrap=True, markup=False
        )


ENGINES = ("duckdb", "spark")


def _spark_run(
    engine: str,
    master: str | None,
    conf: list[str] | None,
    events: str | None,
    journeys: str | None,
    store: Path | None,
) -> SparkRun | None:
    """The Spark run the options ask for (None: the embedded engine); options that only Spark reads are
    refused without it, and exactly one of --store and --events is needed with it."""
    from mining.runs.mine import SparkRun
    from mining.spark import EventSource, parse_spark_conf

    if engine not in ENGINES:
        raise AnalysisError(f"--engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    spark_only = {"--spark-master": master, "--spark-conf": conf, "--events": events, "--journeys": journeys}
    if engine == "duckdb":
        given = [name for name, value in spark_only.items() if value]
        if given:
            raise AnalysisError(f"{', '.join(given)} only apply with --engine spark")
        if store is None:
            raise AnalysisError("--store is needed (the DuckDB event store `journey extract` wrote)")
        return None
    if (store is None) == (events is None):
        raise AnalysisError("--engine spark reads either --store or --events, one of the two")
    if journeys and not events:
        raise AnalysisError("--journeys goes with --events")
    source = EventSource.at(events, journeys) if events else None
    return SparkRun(master, parse_spark_conf(conf or []), source)


@app.command()
def mine(
    store: Path | None = typer.Option(
        None, dir_okay=False, help="The DuckDB event store `journey extract` wrote (or --events with Spark)."
    ),
    out: Path = typer.Option(
        ..., file_okay=False, help="Folder to write the Parquet tables, maps, process model and mining_report.html."
    ),
    journey_type: str | None = typer.Option(None, help="Only journeys of this type; default: all types."),
    period: str | None = typer.Option(
        None, help="Only journeys opened FROM..TO, inclusive UTC dates, e.g. 2026-03-01..2026-03-31."
    ),
    activities: int = typer.Option(30, min=1, help="process_map.svg keeps the N most frequent activities."),
    paths: int | None = typer.Option(
        None,
        min=1,
        help="process_map.svg keeps the N most frequent paths (every activity keeps its busiest way in and out).",
    ),
    edge_label: str = typer.Option(
        "frequency", help="What process_map.svg writes on the paths: frequency or time (median wait)."
    ),
    noise: float = typer.Option(
        0.2, min=0.0, max=1.0, help="Noise threshold of the inductive miner (0: every path fits)."
    ),
    time_rules: Path | None = typer.Option(
        None, exists=True, dir_okay=False, help="Business calendars and pause activities (YAML) for working time."
    ),
    write_back: bool = typer.Option(
        False, help="Also write the tables into the store's `results` schema (needs the store's write lock)."
    ),
    engine: str = typer.Option("duckdb", help="Where the events are reduced: duckdb (embedded, the default) or spark."),
    spark_master: str | None = typer.Option(
        None, help="Spark: a master URL (local[4], spark://host:7077, yarn) or Spark Connect (sc://host:15002)."
    ),
    spark_conf: list[str] | None = typer.Option(
        None, help="Spark: a setting key=value, e.g. spark.driver.memory=8g (repeatable)."
    ),
    events: str | None = typer.Option(
        None,
        help="Spark: the canonical events, a `journey export` folder, a Parquet/Delta path or table:NAME "
        "(instead of --store).",
    ),
    journeys: str | None = typer.Option(
        None, help="Spark: the canonical journeys, when --events is not an export folder (path or table:NAME)."
    ),
) -> None:
    """Mine a store: variants, directly-follows, handovers, ping-pong and silo tax as Parquet; the process map;
    the process model as BPMN and Petri net (SVG, BPMN 2.0 XML, PNML); and mining_report.html."""
    from mining.report.process_map import EDGE_LABELS
    from mining.runs.mine import mine as mine_store
    from mining.runs.mine import parse_period
    from mining.scope.time_rules import load_time_rules

    if edge_label not in EDGE_LABELS:
        console.print(f"[red]error:[/red] --edge-label must be one of {', '.join(EDGE_LABELS)}, not {edge_label!r}")
        raise typer.Exit(2)
    with _errors_end_the_command():
        spark = _spark_run(engine, spark_master, spark_conf, events, journeys, store)
        if write_back and store is None:
            raise AnalysisError("--write-back needs --store")
        written = mine_store(
            store,
            out,
            journey_type,
            parse_period(period) if period else None,
            activities,
            paths,
            edge_label,
            noise,
            time_rules=load_time_rules(time_rules) if time_rules else None,
            spark=spark,
        )
        if write_back and store is not None:
            from eventlogs.store.result_tables import write_result_tables

            tables = write_result_tables(store, out, "journey mine")
            console.print(f"written {len(tables)} result tables into {store} (schema results)")
    _print_written(written, out)


@app.command()
def compare(
    store: Path = typer.Option(..., dir_okay=False, help="The DuckDB event store `journey extract` wrote."),
    journey: Path = typer.Option(..., exists=True, dir_okay=False, help="The designed journey (YAML or BPMN)."),
    out: Path = typer.Option(..., file_okay=False, help="Folder for the tables (Parquet), designed_map.svg and HTML."),
    time_rules: Path | None = typer.Option(
        None, exists=True, dir_okay=False, help="Business calendars and pauses (YAML) for working-time norms."
    ),
) -> None:
    """Designed journey versus actual: time against the norms, the bottlenecks ranked by excess time with
    their causes, and the designed journey drawn with the actual figures."""
    from mining.runs.compare import compare as compare_store

    with _errors_end_the_command():
        written = compare_store(store, journey, out, time_rules)
    _print_written(written, out)


@app.command()
def pilot(
    store: Path = typer.Option(..., dir_okay=False, help="The DuckDB event store `journey extract` wrote."),
    out: Path = typer.Option(..., file_okay=False, help="Folder for pilot.html, pilot.md, the map and the tables."),
    change_date: str | None = typer.Option(None, help="Journeys opened from this date (UTC) on are 'after'."),
    before: str | None = typer.Option(None, help="Before window FROM..TO (inclusive); default: up to the change."),
    after: str | None = typer.Option(None, help="After window FROM..TO; default: the change date to the extraction."),
    pilot_group: str | None = typer.Option(
        None, "--pilot", help="Pilot group: a SQL condition over journey_attributes, e.g. \"region = 'North'\"."
    ),
    control: str | None = typer.Option(None, help="Control group condition: gives a difference-in-differences."),
    journey_type: list[str] | None = typer.Option(None, help="Journey type in scope (repeatable); default: all."),
    time_rules: Path | None = typer.Option(
        None, exists=True, dir_okay=False, help="Business calendars (YAML): compare in working time."
    ),
    journey: Path | None = typer.Option(
        None, exists=True, dir_okay=False, help="Designed journey: adds the within-end-to-end-norm rate."
    ),
    config: Path | None = typer.Option(
        None, exists=True, dir_okay=False, help="A TOML file with a [pilot] table; the flags above override it."
    ),
    bootstrap: int | None = typer.Option(None, min=100, help="Bootstrap resamples (default 1000)."),
    seed: int | None = typer.Option(None, help="Seed of the bootstrap (default 1)."),
    case_mix: list[str] | None = typer.Option(
        None, help="A journey attribute whose mix must match before and after (repeatable)."
    ),
) -> None:
    """Did a pilot work? Before versus after (or pilot versus control group), each measure with a 95%
    interval and a p-value, side effects listed beside the improvements, and a difference process map."""
    from mining.design.load import load_designed_journey
    from mining.pilot.definition import PilotDefinition, load_pilot_definition
    from mining.pilot.evaluation import evaluate_pilot_store
    from mining.report.pilot_wording import pilot_words
    from mining.runs.pilot import write_pilot_outputs
    from mining.scope.date_range import parse_date_range
    from mining.scope.provenance import store_provenance
    from mining.scope.time_rules import load_time_rules

    try:
        changed = date.fromisoformat(change_date) if change_date else None
    except ValueError as error:
        console.print(f"[red]error:[/red] --change-date {change_date!r} is not a date such as 2026-05-04")
        raise typer.Exit(2) from error
    with _errors_end_the_command():
        overrides: dict[str, Any] = {  # Any: one value per PilotDefinition field, each of its own type
            "change_date": changed,
            "before": parse_date_range(before, "--before") if before else None,
            "after": parse_date_range(after, "--after") if after else None,
            "pilot_group": pilot_group,
            "control_group": control,
            "journey_types": tuple(journey_type) if journey_type else None,
            "bootstrap": bootstrap,
            "seed": seed,
            "case_mix": tuple(case_mix) if case_mix else None,
        }
        if config is not None:
            definition = load_pilot_definition(config).with_overrides(**overrides)
        else:
            definition = PilotDefinition(**{key: value for key, value in overrides.items() if value is not None})
        evaluation = evaluate_pilot_store(
            store,
            definition,
            load_designed_journey(journey) if journey else None,
            load_time_rules(time_rules) if time_rules else None,
        )
        made_from = {"pilot": config, "designed journey": journey, "time rules": time_rules}
        written = write_pilot_outputs(evaluation, out, store_provenance(store, made_from))
    words = pilot_words(evaluation)
    if words.comparability:  # first: the figures below mean little when the sides are not comparable
        console.print(words.comparability, markup=False, style="bold" if evaluation.comparable else "bold yellow")
    for line in words.verdict:
        console.print(f"- {line}")
    worse, better = len(words.worsenings), len(words.improvements)
    console.print(f"[bold]Got worse:[/bold] {worse}; [bold]improved:[/bold] {better}")
    for line in words.worsenings:
        console.print(f"  [red]worse:[/red] {line}")
    _print_written(written, out)


@app.command()
def explore(
    store: Path = typer.Option(..., dir_okay=False, help="The DuckDB event store `journey extract` wrote."),
    journey: Path | None = typer.Option(
        None, exists=True, dir_okay=False, help="Designed journey (YAML or BPMN): its map, norms and bottlenecks."
    ),
    time_rules: Path | None = typer.Option(
        None, exists=True, dir_okay=False, help="Business calendars and pauses (YAML): waits in working time."
    ),
    host: str = typer.Option("127.0.0.1", help="Address to serve on; another than 127.0.0.1/localhost needs --token."),
    port: int = typer.Option(8765, min=1, max=65535, help="Port to serve on."),
    token: str | None = typer.Option(
        None, envvar="JOURNEY_EXPLORER_TOKEN", help="Every request must carry it (needed for another --host)."
    ),
) -> None:
    """Serve the journey explorer: maps, filters, drill-down to single journeys, cohort comparison, trends
    and exports, in the browser. Reads the store's snapshot (which every load publishes), never blocking a load."""
    import uvicorn

    from eventlogs.store import snapshot_path
    from flows.explorer import check_assets
    from flows.explorer.app import create_app
    from flows.explorer.auth import check_binding
    from flows.explorer.state import ExplorerState
    from mining.design.load import load_designed_journey
    from mining.scope.time_rules import load_time_rules

    with _errors_end_the_command():
        check_binding(host, token)
        check_assets()
        snapshot = snapshot_path(store)
        if not snapshot.exists():
            console.print(
                f"no snapshot beside the store ({snapshot.name}, which every load publishes): reading "
                f"{store} itself, read-only, and switching to the snapshot once a load has written one",
                style="yellow",
                markup=False,
                soft_wrap=True,
            )
        with console.status(f"reading {store}"):
            state = ExplorerState(
                store,
                load_designed_journey(journey) if journey else None,
                load_time_rules(time_rules) if time_rules else None,
            )
    shown = f"[{host}]" if ":" in host else host
    console.print(f"reading {state.data.store}", markup=False, soft_wrap=True)
    console.print(f"[bold]Journey explorer:[/bold] http://{shown}:{port}/", soft_wrap=True)
    if token:
        console.print(f"open it once as http://{shown}:{port}/?token=<your token> (or send Authorization: Bearer)")
    uvicorn.run(create_app(state, token), host=host, port=port, log_level="warning")


sources_app = typer.Typer(help="Inspect configured sources without loading them.", no_args_is_help=True)
app.add_typer(sources_app, name="sources")


@sources_app.command("check")
def sources_check(
    config: Path = typer.Option(..., exists=True, dir_okay=False, help="Source configuration (TOML)."),
    data: Path | None = typer.Option(None, help="Folder the configured paths are relative to (default: the config's)."),
    days: float = typer.Option(
        30,
        help="Sample databases and APIs: records updated in the last DAYS days (0: everything). Files are read whole.",
    ),
) -> None:
    """Test each source's connection and mapping: what would load, what would be rejected and why."""
    from rich.table import Table

    from eventlogs.check import check_sources

    with _errors_end_the_command():
        checks = check_sources(config, data, days or None)
    for check in checks:
        if check.problem:
            console.print(f"[red]{check.source} ({check.kind}): cannot be read:[/red] {check.problem}")
            continue
        console.print(
            f"[bold]{check.source}[/bold] ({check.kind}): {check.rows_read:,} records -> {check.events:,} events, "
            f"{check.journeys:,} journeys, {check.first_event} .. {check.last_event}"
        )
        table = Table("activity", "events", title=None, show_edge=False)
        for activity, count in check.activities[:15]:
            table.add_row(activity, f"{count:,}")
        console.print(table)
        for reason, count in check.rejects_by_reason:
            console.print(f"  [yellow]would reject {count:,}:[/yellow] {reason}")
        if check.uncorrelated:
            console.print(
                f"  [yellow]{check.uncorrelated:,} events name no known journey "
                f"(e.g. {check.uncorrelated_example!r})[/yellow]"
            )
        if check.unknown_departments:
            console.print(f"  [yellow]{check.unknown_departments:,} events have no department mapping[/yellow]")
    if any(check.problem for check in checks):
        raise typer.Exit(1)


# The options `journey deploy` and `journey serve` share: what to run and when.
_CONFIG = typer.Option(None, help="Source configuration (TOML); default: the built-in demo organisation.")
_DATA = typer.Option(None, help="Folder the configured paths are relative to (default: the config's).")
_JOURNEY = typer.Option(None, help="Designed journey (YAML or BPMN); default: the demo's laptop request.")
_TIME_RULES = typer.Option(None, help="Business calendars and pauses (YAML): waits in working time.")
_STORE = typer.Option(None, help="The DuckDB event store (default: OUT/journeys.duckdb).")
_OUT = typer.Option(None, help="Output folder of each run (report, tables); needed with --config.")
_CRON = typer.Option("0 2 * * *", help="When to run (cron, in --timezone).")
_TIMEZONE = typer.Option("Europe/Amsterdam", help="Time zone of the schedule.")
_NAME = typer.Option(None, help="Deployment name (default: the config file's stem, or `demo`).")
_RETRIES = typer.Option(2, min=0, help="Retries of a failing source's extraction within a run.")
_RETRY_DELAY = typer.Option(10.0, min=0, help="Seconds between those retries.")
_REPLACE = typer.Option(False, help="Update a deployment of that name that has other parameters.")
_JOURNEYS = typer.Option(2000, min=1, help="Demo only: journeys the demo organisation simulates.")


def _plan(
    config: Path | None,
    data: Path | None,
    journey: Path | None,
    time_rules: Path | None,
    store: Path | None,
    out: Path | None,
    cron: str,
    timezone: str,
    name: str | None,
    retries: int,
    retry_delay: float,
    journeys: int,
    served: bool,
) -> DeploymentPlan:
    from flows.deployment import Retries, default_name, demo_plan, journey_plan

    chosen = name or default_name(config, served)
    again = Retries(retries, retry_delay)
    if config is None:
        if any(option is not None for option in (data, journey, time_rules, store)):
            raise ConfigError("--data, --journey, --time-rules and --store need --config (without it: the demo)")
        return demo_plan(out or Path("outputs/demo"), cron, timezone, journeys, name=chosen, retries=again)
    if out is None:
        raise ConfigError("--out is needed with --config: the folder each run writes its report and tables to")
    return journey_plan(
        config, store or out / "journeys.duckdb", out, cron, timezone, data, journey, time_rules, chosen, again
    )


@app.command()
def deploy(
    config: Path | None = _CONFIG,
    data: Path | None = _DATA,
    journey: Path | None = _JOURNEY,
    time_rules: Path | None = _TIME_RULES,
    store: Path | None = _STORE,
    out: Path | None = _OUT,
    cron: str = _CRON,
    timezone: str = _TIMEZONE,
    pool: str = typer.Option("journey-pool", help="The process work pool whose workers run it."),
    name: str | None = _NAME,
    retries: int = _RETRIES,
    retry_delay: float = _RETRY_DELAY,
    replace: bool = _REPLACE,
    journeys: int = _JOURNEYS,
) -> None:
    """Register a scheduled deployment of your sources (or the demo) on the Prefect server in
    PREFECT_API_URL, for the workers of --pool (start one with `prefect worker start --pool NAME`)."""
    from flows.deployment import deploy as register

    with _errors_end_the_command():
        plan = _plan(
            config, data, journey, time_rules, store, out, cron, timezone, name, retries, retry_delay, journeys, False
        )
        deployment_id = register(plan, pool, replace)
    console.print(
        f"deployment [bold]{plan.full_name}[/bold] ({deployment_id}): {plan.cron} {plan.timezone}, pool {pool}"
    )
    console.print(f"run it now: prefect deployment run '{plan.full_name}'")


@app.command()
def serve(
    config: Path | None = _CONFIG,
    data: Path | None = _DATA,
    journey: Path | None = _JOURNEY,
    time_rules: Path | None = _TIME_RULES,
    store: Path | None = _STORE,
    out: Path | None = _OUT,
    cron: str = _CRON,
    timezone: str = _TIMEZONE,
    name: str | None = typer.Option(None, help="Deployment name (default: the config's stem, or demo, + -served)."),
    retries: int = _RETRIES,
    retry_delay: float = _RETRY_DELAY,
    replace: bool = _REPLACE,
    journeys: int = _JOURNEYS,
) -> None:
    """Serve your sources (or the demo) on a schedule from this process, without a work pool (needs a
    Prefect server in PREFECT_API_URL); stops with Ctrl-C."""
    from flows.deployment import serve as serve_plan

    with _errors_end_the_command():
        plan = _plan(
            config, data, journey, time_rules, store, out, cron, timezone, name, retries, retry_delay, journeys, True
        )
        serve_plan(plan, replace)


if __name__ == "__main__":
    app()
