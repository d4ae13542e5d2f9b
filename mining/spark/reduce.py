"""The Spark engine's whole reduction: from every event to the small tables `journey mine` writes (the
same names and columns as the embedded engine's), the journey overview and the map's path source."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd

from mining.discovery.handovers import Level
from mining.scope.provenance import Provenance, code_version
from mining.spark.journeys import journey_overview, silo_tax_per_journey, silo_tax_summary
from mining.spark.map_paths import SparkPaths, lane_counts
from mining.spark.scope import SparkScope
from mining.spark.tables import (
    activity_journeys,
    directly_follows,
    handovers,
    ping_pong,
    start_end_activities,
    variants,
)


def activities(scope: SparkScope, counts: pd.DataFrame) -> pd.DataFrame:
    """Twin of mining.discovery.tables.activities from `counts` (map_paths.lane_counts): frequency, the
    department doing it most often (ties by name: DuckDB's mode leaves a tie open), journeys."""
    frequency = counts.groupby("activity")["events"].sum().rename("frequency")
    named = counts.dropna(subset=["department"]).sort_values(
        ["activity", "events", "department"], ascending=[True, False, True]
    )
    department = named.drop_duplicates("activity").set_index("activity")["department"]
    journeys = activity_journeys(scope).set_index("activity")["journeys"]
    table = pd.concat([frequency, department, journeys], axis=1).rename_axis("activity").reset_index()
    table = table.astype({"frequency": "int64", "journeys": "int64"})
    return table.sort_values(["frequency", "activity"], ascending=[False, True], ignore_index=True)


def reduce_events(
    scope: SparkScope, levels: tuple[Level, ...] = ("department", "team"), counts: pd.DataFrame | None = None
) -> dict[str, pd.DataFrame]:
    """The tables of `journey mine` that read every event: variants, directly_follows,
    start_end_activities, activities, handovers_<level> (and per resource), ping_pong_department and
    _team, silo_tax_journeys and silo_tax_summary. `counts`: lane_counts of the scope, when already read."""
    found: dict[str, pd.DataFrame] = {
        "variants": variants(scope),
        "directly_follows": directly_follows(scope),
        "start_end_activities": start_end_activities(scope),
        "activities": activities(scope, lane_counts(scope) if counts is None else counts),
    }
    for level in (*levels, "resource"):
        found[f"handovers_{level}"] = handovers(scope, level)
    for level in ("department", "team"):
        found[f"ping_pong_{level}"] = ping_pong(scope, level)
    found["silo_tax_journeys"] = silo_tax_per_journey(scope)
    found["silo_tax_summary"] = silo_tax_summary(scope)
    return found


@dataclass(frozen=True)
class Reduced:
    """What the Spark engine hands back: the tables, the headline figures and the map's source."""

    tables: dict[str, pd.DataFrame]
    overview: dict[str, float]
    paths: SparkPaths


def reduce_scope(scope: SparkScope) -> Reduced:
    """reduce_events, the journey overview and the map's source, the activity counts read once for the
    activities table and the map's lanes."""
    counts = lane_counts(scope)
    return Reduced(reduce_events(scope, counts=counts), journey_overview(scope), SparkPaths(scope, counts))


def spark_provenance(scope: SparkScope) -> Provenance:
    """The provenance of an output made on Spark from a Parquet/Delta/table source: no load ledger
    travels with such files, so the load runs are empty; the period is the events' first and last."""
    version, commit = code_version()
    first, last = scope.first_event, scope.last_event
    return Provenance((), first, last, scope.extracted_at, (), version, commit, datetime.now(UTC))
