"""Extract-and-load without Prefect, for the command line and for tests (the flow wires the same steps)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.progress import Progress

from eventlogs.config import SourceConfig, load_source_config
from eventlogs.errors import ConfigError
from eventlogs.extract import extract_source
from eventlogs.loader import LoadResult, load_staged
from eventlogs.pseudonymise import pseudonym_key, pseudonymising
from eventlogs.staging import StagedSource
from eventlogs.staging_folder import staging_folder
from eventlogs.store import read_watermarks


def new_run_id() -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"


def read_since(config: SourceConfig, store: Path, since: datetime | None = None) -> dict[str, datetime | None]:
    """Where each source's extraction starts: `since` when given, else its watermark minus its look-back
    (late or updated records are read again; the merge keeps them from being loaded twice)."""
    if since is not None:
        return dict.fromkeys(config.sources, since)
    marks = read_watermarks(store)
    return {
        name: marks[name] - timedelta(hours=config.lookback_hours[name]) if name in marks else None
        for name in config.sources
    }


def stage_source(
    config: SourceConfig,
    name: str,
    staging_folder: Path,
    since: datetime | None,
    store: Path,
    use_prefect_secret: bool = False,
) -> StagedSource:
    """Extracts one source to Parquet and pseudonymises its people unless the config keeps names."""
    if name in config.keep_names:
        return extract_source(config.sources[name], staging_folder / name, since)
    with pseudonymising(pseudonym_key(store, use_prefect_secret)):
        return extract_source(config.sources[name], staging_folder / name, since)


def extract_and_load(
    config_file: Path,
    store: Path,
    data_folder: Path | None = None,
    only: list[str] | None = None,
    console: Console | None = None,
    since: datetime | None = None,
) -> list[LoadResult]:
    config = load_source_config(config_file, data_folder)
    starts = read_since(config, store, since)
    names = only or list(config.sources)
    unknown = [name for name in names if name not in config.sources]
    if unknown:
        raise ConfigError(f"{config_file}: no source named {', '.join(unknown)} (have: {', '.join(config.sources)})")
    with (
        staging_folder() as staging,
        Progress(console=console, transient=True, disable=console is None) as progress,
    ):
        task = progress.add_task("extracting", total=len(names) + 1)
        staged = []
        for name in names:
            progress.update(task, description=f"extracting {name}")
            staged.append(stage_source(config, name, Path(staging), starts[name], store))
            progress.advance(task)
        progress.update(task, description=f"loading into {store}")
        results = load_staged(store, staged, new_run_id())
        progress.advance(task)
    return results
