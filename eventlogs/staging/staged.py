"""Staged extraction results: the Parquet hand-off between (parallel) extract tasks and the one loader.

Every connector produces the same three tables, so the loader does not care where events came from:
- events: the canonical event columns plus `correlation_key` for records that still need a journey;
- rejects: every record that could not become an event, with the field and the reason;
- journeys: case records (only sources that own journeys write rows here).
A small manifest holds the count of records read and the data-quality observations of extraction.

Object-centric sources (OCEL 2.0) also stage the log itself in the optional OCEL_TABLES, so that events
no journey holds, objects, and links to objects that do not exist are kept in the store all the same.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from eventlogs.one_row import one_value
from eventlogs.sql_text import sql_literal
from eventlogs.staging.plausible_times import SET_ASIDE_TABLE, repair_journey_times, set_aside_implausible_times
from eventlogs.staging.pseudonymise import pseudonymised_select, staging_key

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

# table -> (columns, the key the loader merges on). Key columns may be NULL (a link without qualifier),
# so the loader compares them with IS NOT DISTINCT FROM; a source that writes none of them stages none.
OCEL_TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "ocel_events": (
        "source VARCHAR, event_id VARCHAR, event_type VARCHAR, ts TIMESTAMPTZ, source_row VARCHAR, attributes JSON",
        ("source", "event_id"),
    ),
    "objects": (
        "source VARCHAR, object_id VARCHAR, object_type VARCHAR, source_row VARCHAR, attributes JSON",
        ("source", "object_id"),
    ),
    "event_objects": (
        "source VARCHAR, event_id VARCHAR, object_id VARCHAR, qualifier VARCHAR",
        ("source", "event_id", "object_id", "qualifier"),
    ),
    "object_links": (
        "source VARCHAR, from_object VARCHAR, to_object VARCHAR, qualifier VARCHAR",
        ("source", "from_object", "to_object", "qualifier"),
    ),
}

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

    def ocel_file(self, table: str) -> Path:
        """One of OCEL_TABLES; it exists only for sources that staged it."""
        return self.folder / f"{table}.parquet"


def write_staged(
    connection: duckdb.DuckDBPyConnection,
    folder: Path,
    source: str,
    rows_read: int,
    quality: list[dict[str, Any]],
    cursor: datetime | None = None,
    *,
    rejects_are_the_rest: bool = False,
    event_ids_unique: bool = False,
) -> StagedSource:
    """Writes the connection's staged_events, staged_rejects, staged_journeys (temp tables or views) to
    Parquet, people pseudonymised in the same pass when the extraction runs `pseudonymising`.

    `cursor` is the largest updated-at value read, for incremental sources: the loader moves the source's
    watermark to it in the same transaction as the load. `rejects_are_the_rest`: each record read is one
    event or one reject (staged_rejects is the complement of staged_events), so when every record became
    an event the rejects are not evaluated at all. `event_ids_unique`: no two staged events share a
    source_event_id by construction (a line number), so the loader need not look for repeats."""
    staged = StagedSource(folder)
    folder.mkdir(parents=True, exist_ok=True)
    staged_events = _copy_to_parquet(connection, "staged_events", staged.events)
    set_aside = set_aside_implausible_times(connection, staged.events)
    rejects = "staged_rejects"
    if rejects_are_the_rest and staged_events == rows_read:
        rejects = "(SELECT * FROM staged_rejects LIMIT 0)"
    if set_aside:
        staged_events -= set_aside
        rejects = f"(SELECT * FROM {rejects} UNION ALL SELECT * FROM {SET_ASIDE_TABLE})"
    staged_rejects = _copy_to_parquet(connection, rejects, staged.rejects)
    _copy_to_parquet(connection, "staged_journeys", staged.journeys)
    journey_times = repair_journey_times(connection, staged.journeys, staged.events)
    if journey_times["count"]:
        quality = [*quality, journey_times]
    ocel_counts = {}
    temporary = connection.execute("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()
    temp_tables = {row[0] for row in temporary}
    for table in OCEL_TABLES:
        if f"staged_{table}" in temp_tables:
            ocel_counts[table] = _copy_to_parquet(connection, f"staged_{table}", staged.ocel_file(table))
    manifest = {
        "source": source,
        "rows_read": rows_read,
        "events": staged_events,
        "rejects": staged_rejects,
        "quality": quality,
        "cursor": cursor.isoformat() if cursor else None,
        "event_ids_unique": event_ids_unique,
    }
    if ocel_counts:
        manifest["ocel"] = ocel_counts
    staged.manifest_file.write_text(json.dumps(manifest, indent=2))
    return staged


def _copy_to_parquet(connection: duckdb.DuckDBPyConnection, relation: str, path: Path) -> int:
    """Writes a staged table (or view, or sub-query) to `path`; returns its row count, read from the file's
    metadata rather than by evaluating a view twice."""
    key = staging_key()
    select = pseudonymised_select(relation) if key else None
    if select:
        connection.execute(f"COPY ({select}) TO $path (FORMAT parquet)", {"key": key, "path": str(path)})
    else:
        connection.execute(f"COPY {relation} TO $path (FORMAT parquet)", {"path": str(path)})
    # the path holds the source's name: it is bound, never spliced into the SQL text
    return one_value(connection.execute("SELECT count(*) FROM read_parquet($path)", {"path": str(path)}))


def parquet_list(paths: list[Path] | list[str]) -> str:
    """A DuckDB list of file names, for read_parquet over several staged sources."""
    return "[" + ", ".join(sql_literal(str(path)) for path in paths) + "]"


def create_mapping_table(
    connection: duckdb.DuckDBPyConnection, name: str, mapping: dict[str, str], key: str, value: str
) -> None:
    """A configured mapping (team -> department, ...) as the temp table `name` (`key`, `value`), to join."""
    connection.execute(f"CREATE OR REPLACE TEMP TABLE {name} ({key} VARCHAR, {value} VARCHAR)")
    connection.execute(
        f"INSERT INTO {name} SELECT unnest($keys::VARCHAR[]), unnest($values::VARCHAR[])",
        {"keys": list(mapping), "values": list(mapping.values())},
    )


def create_staging_tables(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute(f"CREATE OR REPLACE TEMP TABLE staged_events ({EVENT_COLUMNS})")
    connection.execute(f"CREATE OR REPLACE TEMP TABLE staged_rejects ({REJECT_COLUMNS})")
    connection.execute(f"CREATE OR REPLACE TEMP TABLE staged_journeys ({JOURNEY_COLUMNS})")


def create_staged_events_view(connection: duckdb.DuckDBPyConnection, parts: list[str]) -> None:
    """staged_events as a view: the UNION ALL of `parts`, each a SELECT of the event columns in
    EVENT_COLUMNS order. write_staged then streams the events into their Parquet file in one pass, instead
    of first collecting them in a temporary table (which spills to disk under the memory cap)."""
    columns = [column.split() for column in EVENT_COLUMNS.split(", ")]
    names = ", ".join(name for name, _ in columns)
    typed = ", ".join(f"CAST({name} AS {column_type}) AS {name}" for name, column_type in columns)
    union = "\nUNION ALL\n".join(f"SELECT * FROM ({part}) AS part({names})" for part in parts)
    connection.execute("DROP TABLE IF EXISTS staged_events")
    connection.execute(f"CREATE OR REPLACE TEMP VIEW staged_events AS SELECT {typed} FROM ({union})")


def create_ocel_staging_tables(connection: duckdb.DuckDBPyConnection) -> None:
    """For object-centric sources: write_staged then stages these too (staged_ocel_events, ...)."""
    for table, (columns, _) in OCEL_TABLES.items():
        connection.execute(f"CREATE OR REPLACE TEMP TABLE staged_{table} ({columns})")
