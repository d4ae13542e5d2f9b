"""Two cohorts of journeys side by side (the handovers whose median wait differs, with the pilot's bootstrap
intervals and Benjamini-Hochberg q-values), and the bottlenecks of the filtered journeys against the
design (mining.design.bottlenecks on a scope of those journeys)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from mining.design.bottlenecks import locate_bottlenecks
from mining.explore.data import ExplorerData
from mining.explore.filters import JourneyFilter, selected_steps_sql, selection_sql
from mining.explore.levels import Level
from mining.explore.results import Bottleneck, BottleneckList, CohortComparison, HandoverDifference
from mining.explore.tables import handover_instances_sql, summary
from mining.pilot.evaluation import MIN_PER_SIDE
from mining.pilot.statistics import benjamini_hochberg, bootstrap_weights, compare

RESAMPLES = 400
SEED = 15  # a fixed seed: the same view gives the same intervals
COMPARED_PAIRS = 25  # the busiest pairs (both sides together) tested
SIGNIFICANCE = 0.05  # q-value below which a difference counts as significant
NO_DESIGN = "no designed journey: start the explorer with --journey"


def _instances(data: ExplorerData, filters: JourneyFilter, level: Level) -> tuple[pd.DataFrame, np.ndarray]:
    """The side's handovers (jid, source, target, wait) and its journeys' jids."""
    selected, params = selected_steps_sql(filters)
    condition, journey_params = selection_sql(filters)
    cursor = data.cursor()
    try:
        instances = cursor.execute(
            f"SELECT jid, source, target, wait FROM ({handover_instances_sql(level, selected)})", params
        ).df()
        journeys = cursor.execute(f"SELECT jid FROM journeys j WHERE {condition} ORDER BY jid", journey_params).df()[
            "jid"
        ]
    finally:
        cursor.close()
    return instances, journeys.to_numpy()


def _bootstrap_medians(waits: np.ndarray, journey_index: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The median wait per weight row (row 0: the plain median): each handover weighs what its journey
    weighs in that resample (stratified by journey, as mining.pilot.statistics resamples)."""
    order = np.argsort(waits, kind="stable")
    waits, journey_index = waits[order], journey_index[order]
    instance_weights = weights[:, journey_index]
    cumulative = np.cumsum(instance_weights, axis=1)
    total = cumulative[:, -1:]
    with np.errstate(invalid="ignore"):
        position = np.argmax(cumulative >= total / 2, axis=1)
    medians = waits[position].astype(float)
    medians[total[:, 0] == 0] = np.nan  # a resample that drew none of the pair's journeys
    medians[0] = float(np.median(waits))
    return medians


def compare_cohorts(
    data: ExplorerData, a: JourneyFilter, b: JourneyFilter, level: Level = "department"
) -> CohortComparison:
    """Each cohort's summary, and for the busiest handover pairs with at least MIN_PER_SIDE handovers on
    both sides the change of the median wait (b - a) with its bootstrap interval over journeys, the
    q-value over the pairs tested, and whether it is significant."""
    if level == "activity":
        raise ValueError("cohorts are compared on handovers between departments or teams")
    rng = np.random.default_rng(SEED)
    sides: dict[str, tuple[pd.DataFrame, np.ndarray, np.ndarray]] = {}
    for name, filters in (("a", a), ("b", b)):
        instances, journeys = _instances(data, filters, level)
        weights = bootstrap_weights(len(journeys), RESAMPLES, rng)
        sides[name] = (instances, journeys, weights)
    counts = {
        name: instances.groupby(["source", "target"], dropna=False).size() for name, (instances, _, _) in sides.items()
    }
    both = pd.concat(counts, axis=1).fillna(0)
    both = both[(both["a"] >= MIN_PER_SIDE) & (both["b"] >= MIN_PER_SIDE)]
    both = both.assign(volume=both["a"] + both["b"]).sort_values("volume", ascending=False, kind="stable")
    rows: list[dict[str, Any]] = []
    for source, target in both.index[:COMPARED_PAIRS]:
        values = {}
        for name, (instances, journeys, weights) in sides.items():
            pair = instances[(instances["source"] == source) & (instances["target"] == target)]
            index = np.searchsorted(journeys, pair["jid"].to_numpy())  # jids come sorted from the table
            values[("all", "before" if name == "a" else "after")] = _bootstrap_medians(
                pair["wait"].to_numpy(dtype=float), index, weights
            )
        effect = compare(values)
        rows.append(
            {
                "source": source,
                "target": target,
                "effect": effect,
                "a_count": int(both.loc[(source, target), "a"]),
                "b_count": int(both.loc[(source, target), "b"]),
            }
        )
    q_values = benjamini_hochberg(np.array([row["effect"].p_value for row in rows], dtype=float))
    differences = [
        HandoverDifference(
            source=row["source"],
            target=row["target"],
            a_median_wait_hours=row["effect"].before,
            b_median_wait_hours=row["effect"].after,
            change=row["effect"].change,
            change_low=row["effect"].change_low,
            change_high=row["effect"].change_high,
            q_value=float(q),
            significant=bool(math.isfinite(q) and q < SIGNIFICANCE),
            a_count=row["a_count"],
            b_count=row["b_count"],
        )
        for row, q in zip(rows, q_values, strict=True)
    ]
    differences.sort(key=lambda row: (not row.significant, -abs(row.change or 0.0), row.source, row.target))
    return CohortComparison(summary(data, a), summary(data, b), tuple(differences))


def bottlenecks(data: ExplorerData, filters: JourneyFilter) -> BottleneckList:
    """The design's bottlenecks (mining.design.bottlenecks.locate_bottlenecks) among the filtered journeys
    of the design's journey type; not available without a design."""
    if data.journey is None:
        return BottleneckList(False, NO_DESIGN, ())
    condition, params = selection_sql(filters)
    cursor = data.cursor()
    try:
        scope = data.scope(cursor, f"{condition} AND j.journey_type = ?", [*params, data.journey.journey_type])
        if scope.journey_count == 0:
            return BottleneckList(True, None, ())
        items = locate_bottlenecks(scope, data.journey)
    finally:
        cursor.close()
    return BottleneckList(True, None, tuple(_bottleneck(row) for row in items.to_dict("records")))


def _bottleneck(row: dict[str, Any]) -> Bottleneck:
    holder = "team" if row["kind"] == "team_handover" else "department"

    def number(name: str) -> float | None:
        value = row.get(name)
        return None if value is None or pd.isna(value) else float(value)

    def text(name: str) -> str | None:
        value = row.get(name)
        return None if value is None or pd.isna(value) else str(value)

    return Bottleneck(
        int(row["rank"]),
        str(row["kind"]),
        str(row["name"]),
        text(f"from_{holder}"),
        text(f"to_{holder}"),
        text("stage"),
        int(row["volume"]),
        number("median_hours"),
        number("norm_hours"),
        number("breach_rate"),
        number("excess_hours"),
        number("share_of_excess"),
    )
