"""Extract-and-load without Prefect, for the command line and for tests (the flow wires the same steps)."""

from __future__ import annotations

import json
import logging
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from rich.console import Console
from rich.progress import Progress

from eventlogs.config import SourceConfig, load_source_config
from eventlogs.errors import ConfigError
from eventlogs.extract import extract_source
from eventlogs.sources.connector import Source
from eventlogs.staging import StagedSource
from eventlogs.staging.folder import staging_folder
from eventlogs.staging.pseudonymise import SecretLookup, pseudonym_key, pseudonymising
from eventlogs.store import read_watermarks
from eventlogs.store.loader import LoadResult, load_staged
from eventlogs.store.snapshot import publish_snapshot


def new_run_id() -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"


log = logging.getLogger(__name__)


def source_location(source: Source) -> str | None:
    """Where a source's records come from, never with a password: its file, its database (engine, user,
    server, database, schema) or its base URL; None for a kind that names none of these."""
    path = getattr(source, "path", None)
    if isinstance(path, Path):
        return str(path.resolve())
    database = getattr(source, "database", None)
    if database is not None and hasattr(database, "describe"):
        return f"{database.describe()} schema {database.schema}"
    http = getattr(source, "http", None)
    if http is not None and hasattr(http, "base_url"):
        parts = urlsplit(http.base_url)
        host = parts.hostname or ""
        netloc = host + (f":{parts.port}" if parts.port else "")  # credentials in a URL are dropped
        return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    return None


def read_since(config: SourceConfig, store: Path, since: datetime | None = None) -> dict[str, datetime | None]:
    """Where each source's extraction starts: `since` when given, else its watermark minus its look-back
    (late or updated records are read again; the merge keeps them from being loaded twice). A watermark
    read from another location (the source now points at another database or file) says nothing about
    this one: the source is read from the start, and the log says why."""
    if since is not None:
        return dict.fromkeys(config.sources, since)
    marks = read_watermarks(store)
    starts: dict[str, datetime | None] = {}
    for name, source in config.sources.items():
        mark = marks.get(name)
        location = source_location(source)
        if mark is not None and mark.location is not None and location is not None and mark.location != location:
            log.warning(
                "source '%s' now reads %s, not %s where its watermark (%s) was taken: reading it from the start",
                name,
                location,
                mark.location,
                mark.cursor_at.isoformat(),
            )
            mark = None
        starts[name] = mark.cursor_at - timedelta(hours=config.lookback_hours[name]) if mark else None
    return starts


def _record_location(staged: StagedSource, source: Source) -> StagedSource:
    """Notes the source's location in its manifest: the loader keys the watermark by it."""
    manifest = staged.manifest()
    manifest["location"] = source_location(source)
    staged.manifest_file.write_text(json.dumps(manifest, indent=2))
    return staged


def stage_source(
    config: SourceConfig,
    name: str,
    staging_folder: Path,
    since: datetime | None,
    store: Path,
    secret: SecretLookup | None = None,
) -> StagedSource:
    """Extracts one source to Parquet and pseudonymises its people unless the config keeps names."""
    source = config.sources[name]
    if name in config.keep_names:
        return _record_location(extract_source(source, staging_folder / name, since), source)
    with pseudonymising(pseudonym_key(store, secret)):
        return _record_location(extract_source(source, staging_folder / name, since), source)


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
        publish_snapshot(store)  # the explorer reads this copy: it never holds the store a load writes
        progress.advance(task)
    return results
