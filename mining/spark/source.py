"""Where the Spark engine reads the canonical events and journeys: the folder `journey export` writes
(`events/`, partitioned by month, and `journeys/`), or any Parquet or Delta path, or a table of the Spark
catalog (`table:<name>`), holding the canonical columns (eventlogs/store/schema.py):

events:   journey_id, activity, ts (timestamp, a UTC instant), department, team, resource, event_kind
          ('work' | 'contact' | 'assignment'), source_event_id; optional sequence (the order at equal
          times), lifecycle and instance (start/complete pairs: not yet supported on Spark)
journeys: journey_id, journey_type, opened_at, closed_at, is_open; optional category, priority, attributes

Other columns are ignored. The relations are registered as the temporary views `events` and `journeys`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mining.errors import AnalysisError

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

TABLE_PREFIX = "table:"
EVENT_COLUMNS = ("journey_id", "activity", "ts", "department", "team", "resource", "event_kind", "source_event_id")
JOURNEY_COLUMNS = ("journey_id", "journey_type", "opened_at", "closed_at", "is_open")
EVENTS_VIEW, JOURNEYS_VIEW = "events", "journeys"


@dataclass(frozen=True)
class EventSource:
    """The two relations, each a path (Parquet, or Delta where the folder has `_delta_log/`) or
    `table:<name>`."""

    events: str
    journeys: str

    @classmethod
    def at(cls, events: str, journeys: str | None = None) -> EventSource:
        """`events` alone: an export folder holding `events/` and `journeys/`; with `journeys`: the two
        relations as given."""
        if journeys is not None:
            return cls(events, journeys)
        root = Path(events)
        if events.startswith(TABLE_PREFIX) or not (root / "events").is_dir() or not (root / "journeys").is_dir():
            raise AnalysisError(
                f"{events}: not a `journey export` folder (events/ and journeys/ inside); "
                "give the journeys' location too (--journeys PATH or table:NAME)"
            )
        return cls(str(root / "events"), str(root / "journeys"))


@dataclass(frozen=True)
class RegisteredSource:
    """The views registered, and which optional event columns the events have."""

    source: EventSource
    has_sequence: bool


def _read(spark: SparkSession, location: str) -> DataFrame:
    if location.startswith(TABLE_PREFIX):
        return spark.table(location.removeprefix(TABLE_PREFIX))
    path = Path(location)
    if "://" not in location and not path.exists():
        raise AnalysisError(f"{location}: no such file or folder")
    if (path / "_delta_log").is_dir():
        return spark.read.format("delta").load(location)  # needs the delta-spark package on the cluster
    return spark.read.parquet(location)


def _check_columns(frame: DataFrame, location: str, needed: tuple[str, ...], what: str) -> None:
    present = set(frame.columns)
    missing = [name for name in needed if name not in present]
    if missing:
        raise AnalysisError(
            f"{location}: the {what} lack the canonical column(s) {', '.join(missing)} "
            f"(columns there: {', '.join(sorted(present))})"
        )


TIME_COLUMNS = {"events": ("ts",), "journeys": ("opened_at", "closed_at")}


def _check_times(frame: DataFrame, location: str, what: str) -> None:
    """Times must be timestamps (an instant, or a local time read as UTC): text would be compared as text."""
    types = {field.name: field.dataType.typeName() for field in frame.schema.fields}
    wrong = [
        f"{name} ({types[name]})" for name in TIME_COLUMNS[what] if types[name] not in ("timestamp", "timestamp_ntz")
    ]
    if wrong:
        raise AnalysisError(f"{location}: the {what}' time column(s) {', '.join(wrong)} must be timestamps")


def register_source(spark: SparkSession, source: EventSource) -> RegisteredSource:
    """Reads both relations, checks their canonical columns, registers `events` and `journeys`. Start and
    complete lifecycles are refused with a clear error: their pairing into activity instances
    (mining/scope/scope.py) has no Spark twin yet."""
    events = _read(spark, source.events)
    journeys = _read(spark, source.journeys)
    _check_columns(events, source.events, EVENT_COLUMNS, "events")
    _check_columns(journeys, source.journeys, JOURNEY_COLUMNS, "journeys")
    _check_times(events, source.events, "events")
    _check_times(journeys, source.journeys, "journeys")
    if "lifecycle" in events.columns and events.where("lifecycle IS NOT NULL").limit(1).count():
        raise AnalysisError(
            f"{source.events}: the events record start/complete lifecycles, which the Spark engine does not "
            "pair into activity instances yet; use the default engine (--engine duckdb)"
        )
    has_sequence = "sequence" in events.columns
    kept = [*EVENT_COLUMNS, *(["sequence"] if has_sequence else [])]
    events.select(*kept).createOrReplaceTempView(EVENTS_VIEW)
    journeys.select(*JOURNEY_COLUMNS).createOrReplaceTempView(JOURNEYS_VIEW)
    return RegisteredSource(source, has_sequence)
