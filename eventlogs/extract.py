"""Dispatches a configured source to its connector."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from eventlogs.config import Source
from eventlogs.staging import StagedSource


def extract_source(source: Source, staging_folder: Path, since: datetime | None = None) -> StagedSource:
    from eventlogs.source_kinds import SOURCE_KINDS

    return SOURCE_KINDS[source.kind].extract(source, staging_folder, since)
