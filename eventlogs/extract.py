"""Dispatches a configured source to its connector."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from eventlogs.config import source_name_problem
from eventlogs.errors import ConfigError
from eventlogs.source_kinds import SOURCE_KINDS
from eventlogs.sources.connector import Source
from eventlogs.staging import StagedSource


def extract_source(source: Source, staging_folder: Path, since: datetime | None = None) -> StagedSource:
    # callers stage into `<folder>/<source name>`: a name that is a path would write outside the folder
    # (load_source_config refuses such names; sources built in code pass here too)
    problem = source_name_problem(source.name)
    if problem is not None:
        raise ConfigError(f"source name {source.name!r} {problem}")
    return SOURCE_KINDS[source.kind].extract(source, staging_folder, since)
