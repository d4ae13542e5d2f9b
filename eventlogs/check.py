"""`journey sources check`: extract each source into a throw-away folder and report what loading it
would do (records, events, rejects by reason, activities, time range), without touching any store."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from eventlogs.config import load_source_config
from eventlogs.errors import JourneyMiningError
from eventlogs.extract import extract_source
from eventlogs.one_row import one_row, one_value
from eventlogs.sql_text import sql_literal
from eventlogs.staging import parquet_list
from eventlogs.staging.folder import staging_folder
from eventlogs.work_connection import work_connection


@dataclass
class SourceCheck:
    source: str
    kind: str
    problem: str | None = None  # the error that stopped extraction, if any
    rows_read: int = 0
    events: int = 0
    journeys: int = 0
    first_event: str | None = None
    last_event: str | None = None
    activities: list[tuple[str, int]] = field(default_factory=list)
    rejects_by_reason: list[tuple[str, int]] = field(default_factory=list)
    unknown_departments: int = 0
    uncorrelated: int = 0  # events whose correlation key names no journey of any checked source
    uncorrelated_example: str | None = None


def _summarise(check: SourceCheck, staged_events: Path, staged_rejects: Path, staged_journeys: Path) -> None:
    # the paths hold source names (O'Brien): quoted, never spliced in as they are
    events, journeys, rejects = (sql_literal(str(path)) for path in (staged_events, staged_journeys, staged_rejects))
    connection = work_connection()
    try:
        connection.execute("SET TimeZone = 'UTC'")
        check.events, first, last, unknown = one_row(
            connection.execute(
                f"SELECT count(*), min(ts)::VARCHAR, max(ts)::VARCHAR, count(*) FILTER (WHERE department = 'Unknown') "
                f"FROM read_parquet({events})"
            )
        )
        check.first_event, check.last_event, check.unknown_departments = first, last, unknown
        check.journeys = one_value(connection.execute(f"SELECT count(*) FROM read_parquet({journeys})"))
        check.activities = connection.execute(
            f"SELECT activity, count(*) FROM read_parquet({events}) GROUP BY 1 ORDER BY 2 DESC"
        ).fetchall()
        # group reasons by kind: quoted values, record ids and line numbers are what differ between records
        check.rejects_by_reason = connection.execute(
            f"SELECT regexp_replace(reason, $pattern, '…', 'g'), count(*) FROM read_parquet({rejects}) "
            "GROUP BY 1 ORDER BY 2 DESC",
            {"pattern": r"'[^']*'|\b[0-9a-f]{12,}\b|\bline [0-9]+\b"},
        ).fetchall()
    finally:
        connection.close()


def check_sources(
    config_file: Path, data_folder: Path | None = None, sample_days: float | None = None
) -> list[SourceCheck]:
    """One check per source; a source that fails is reported with its error, the others still run.
    Sources that read incrementally (databases, APIs) are sampled: only records updated in the last
    `sample_days` (None: everything); files are read whole."""
    since = None if sample_days is None else datetime.now(UTC) - timedelta(days=sample_days)
    config = load_source_config(config_file, data_folder)
    checks = []
    staged_by_source = {}
    with staging_folder("check") as scratch:
        for name, source in config.sources.items():
            check = SourceCheck(name, source.kind)
            try:
                staged = extract_source(source, Path(scratch) / name, since)
            except JourneyMiningError as error:
                check.problem = str(error)
            else:
                check.rows_read = staged.manifest()["rows_read"]
                _summarise(check, staged.events, staged.rejects, staged.journeys)
                staged_by_source[name] = staged
            checks.append(check)
        _check_correlation(checks, staged_by_source)
    return checks


def _check_correlation(checks: list[SourceCheck], staged: dict) -> None:
    """Events that carry only a correlation key must find a journey in some source (the store may hold
    more, so this is a warning, not a verdict)."""
    if not staged:
        return
    journeys = parquet_list([s.journeys for s in staged.values()])  # paths hold source names: quoted
    connection = work_connection()
    try:
        for check in checks:
            if check.source not in staged:
                continue
            check.uncorrelated, check.uncorrelated_example = one_row(
                connection.execute(
                    "SELECT count(*), min(correlation_key) FROM read_parquet($events) e "
                    "WHERE e.correlation_key IS NOT NULL AND e.correlation_key NOT IN "
                    f"(SELECT journey_id FROM read_parquet({journeys}))",
                    {"events": str(staged[check.source].events)},
                )
            )
    finally:
        connection.close()
