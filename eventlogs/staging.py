"""Staged extraction results: the Parquet hand-off between (parallel) extract tasks and the one loader.

Every connector produces the same three tables, so the loader does not care where events came from:
- events: the canonical event columns plus `correlation_key` for records that still need a journey;
- rejects: every record that could not become an event, with the field and the reason;
- journeys: case records (only sources that own journeys write rows here).
A small manifest holds the count of records read and the data-quality observations of extraction.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

EVENT_COLUMNS = (
    "journey_id VARCHAR, correlation_key VARCHAR, activity VARCHAR, ts TIMESTAMPTZ, department VARCHAR, "
    "team VARCHAR, resource VARCHAR, event_kind VARCHAR, source VARCHAR, source_event_id VARCHAR, "
    "source_row VARCHAR, attributes JSON"
)
REJECT_COLUMNS = (
    "source VARCHAR, source_record_id VARCHAR, source_row VARCHAR, record JSON, field VARCHAR, reason VARCHAR"
)
JOURNEY_COLUMNS = (
    "journey_id VARCHAR, journey_type VARCHAR, opened_at TIMESTAMPTZ, closed_at TIMESTAMPTZ, is_open BOOLEAN, "
    "category VARCHAR, priority VARCHAR, caller VARCHAR, state VARCHAR, source VARCHAR, attributes JSON"
)

# Every reason starts with the field it is about ("event_time: unparseable ..."); field names may hold
# colons themselves (XES's "time:timestamp"), so the field ends at the first colon followed by a space.
REASON_FIELD_SQL = "regexp_extract(reason, '^(.*?): ', 1)"


@dataclass(frozen=True)
class StagedSource:
    """The staged files of one source in one run."""

    folder: Path

    @property
    def events(self) -> Path:
        return self.folder / "events.parquet"

    @property
    def rejects(self) -> Path:
        return self.folder / "rejects.parquet"

    @property
    def journeys(self) -> Path:
        return self.folder / "journeys.parquet"

    @property
    def manifest_file(self) -> Path:
        return self.folder / "manifest.json"

    def manifest(self) -> dict[str, Any]:
        return json.loads(self.manifest_file.read_text())


def write_staged(
    connection: duckdb.DuckDBPyConnection,
    folder: Path,
    source: str,
    rows_read: int,
    quality: list[dict[str, Any]],
    cursor: datetime | None = None,
) -> StagedSource:
    """Writes the connection's temp tables staged_events, staged_rejects, staged_journeys to Parquet.
    `cursor` is the largest updated-at value read, for incremental sources: the loader moves the source's
    watermark to it in the same transaction as the load."""
    staged = StagedSource(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for table, path in (
        ("staged_events", staged.events),
        ("staged_rejects", staged.rejects),
        ("staged_journeys", staged.journeys),
    ):
        connection.execute(f"COPY {table} TO '{path}' (FORMAT parquet)")
    staged_events = connection.execute("SELECT count(*) FROM staged_events").fetchone()[0]
    staged_rejects = connection.execute("SELECT count(*) FROM staged_rejects").fetchone()[0]
    manifest = {
        "source": source,
        "rows_read": rows_read,
        "events": staged_events,
        "rejects": staged_rejects,
        "quality": quality,
        "cursor": cursor.isoformat() if cursor else None,
    }
    staged.manifest_file.write_text(json.dumps(manifest, indent=2))
    return staged


def create_staging_tables(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute(f"CREATE OR REPLACE TEMP TABLE staged_events ({EVENT_COLUMNS})")
    connection.execute(f"CREATE OR REPLACE TEMP TABLE staged_rejects ({REJECT_COLUMNS})")
    connection.execute(f"CREATE OR REPLACE TEMP TABLE staged_journeys ({JOURNEY_COLUMNS})")


def discard_staged(folder: Path) -> None:
    """Removes a run's staged files once the store has committed them (they would pile up nightly)."""
    shutil.rmtree(folder, ignore_errors=True)
