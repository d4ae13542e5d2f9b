"""Extract-and-load without Prefect, for the command line and for tests (the flow wires the same steps)."""

from __future__ import annotations

import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.progress import Progress

from eventlogs.config import load_source_config
from eventlogs.errors import ConfigError
from eventlogs.extract import extract_source
from eventlogs.loader import LoadResult, load_staged


def new_run_id() -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"


def extract_and_load(
    config_file: Path,
    store: Path,
    data_folder: Path | None = None,
    only: list[str] | None = None,
    console: Console | None = None,
) -> list[LoadResult]:
    config = load_source_config(config_file, data_folder)
    names = only or list(config.sources)
    unknown = [name for name in names if name not in config.sources]
    if unknown:
        raise ConfigError(f"{config_file}: no source named {', '.join(unknown)} (have: {', '.join(config.sources)})")
    with (
        tempfile.TemporaryDirectory(prefix="journey-staging-") as staging,
        Progress(console=console, transient=True, disable=console is None) as progress,
    ):
        task = progress.add_task("extracting", total=len(names) + 1)
        staged = []
        for name in names:
            progress.update(task, description=f"extracting {name}")
            staged.append(extract_source(config.sources[name], Path(staging) / name))
            progress.advance(task)
        progress.update(task, description=f"loading into {store}")
        results = load_staged(store, staged, new_run_id())
        progress.advance(task)
    return results
