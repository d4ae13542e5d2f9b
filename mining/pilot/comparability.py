"""Are before and after comparable? A change in volume, in case mix or in censoring can move every measure
by itself, whatever the pilot did; each is checked against a threshold and reported beside the effects.

- volume: journeys opened per day after versus before, per group, flagged when the relative change
  exceeds the pilot definition's `max_volume_change` (30% unless set);
- case mix: the share of every level of each attribute (journey type, category, priority and the
  journeys.attributes keys the pilot names in `case_mix`) compared by its standardised difference
  (p1 - p0) / sqrt((p1 (1 - p1) + p0 (1 - p0)) / 2); per attribute the level that shifted most, flagged
  above SMD_LIMIT (0.1, the usual rule);
- censoring: the share of journeys still open when their side stops being followed (the end of the window,
  or the extraction when the window reaches it), flagged when a side exceeds CENSORED_SHARE_LIMIT or the
  sides differ by more than CENSORED_GAP_LIMIT: that side's lead times rest on lower bounds.

Results only (ComparabilityCheck); mining.report.pilot_comparability puts them in words.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

import duckdb
import pandas as pd

from mining.errors import ConfigError
from mining.pilot.statistics import CohortKey
from mining.pilot.windows import PilotScope

SMD_LIMIT = 0.1  # absolute standardised difference above which a level's share has shifted
CENSORED_SHARE_LIMIT = 0.2  # a side with more journeys than this still open leans on lower bounds
CENSORED_GAP_LIMIT = 0.1  # the sides' censored shares differ materially beyond this
# the journeys columns every case mix shows; attribute keys of the same name are left out
BASE_ATTRIBUTES = ("journey type", "category", "priority")


@dataclass(frozen=True)
class ComparabilityCheck:
    """One check: the figure on each side, the statistic judged and its threshold (flagged above it)."""

    aspect: str  # "volume", "case mix" or "censoring"
    cohort: str  # 'all', 'pilot' or 'control'
    criterion: str  # "relative change", "standardised difference", "share censored", "gap in share censored"
    before: float  # journeys per day, the level's share, or the share censored, before the change
    after: float
    statistic: float  # what the threshold judges (absolute: a fall counts like a rise)
    threshold: float
    attribute: str | None = None  # case mix: the attribute, and the level that shifted most
    level: str | None = None
    at_extraction: tuple[str, ...] = field(default_factory=tuple)  # censoring: sides followed to the extraction

    @property
    def flagged(self) -> bool:
        return self.statistic > self.threshold


def standardised_difference(before: float, after: float) -> float:
    """(after - before) / sqrt((after (1 - after) + before (1 - before)) / 2) of two shares; 0 when they are
    equal, infinite when a level present on every journey of one side is absent from the other."""
    if before == after:
        return 0.0
    spread = math.sqrt((after * (1 - after) + before * (1 - before)) / 2)
    return (after - before) / spread if spread > 0 else math.copysign(math.inf, after - before)


def volume_checks(rates: dict[CohortKey, float], limit: float) -> list[ComparabilityCheck]:
    """Journeys opened per day, per group: relative change after versus before."""
    checks = []
    for cohort in sorted({key[0] for key in rates}, key=lambda name: name != "pilot"):
        before, after = rates[(cohort, "before")], rates[(cohort, "after")]
        change = after / before - 1 if before > 0 else math.inf
        checks.append(ComparabilityCheck("volume", cohort, "relative change", before, after, abs(change), limit))
    return checks


def case_mix_checks(case_mix: pd.DataFrame) -> list[ComparabilityCheck]:
    """Per group and attribute, the level whose share moved most by standardised difference (a level seen on
    one side only has share 0 on the other); attributes with a single level are left out."""
    shares = case_mix.pivot_table(
        index=["cohort", "attribute", "value"], columns="side", values="share", aggfunc="sum", fill_value=0.0
    )
    checks = []
    for (cohort, attribute), levels in shares.groupby(level=["cohort", "attribute"], sort=False):
        if len(levels) < 2:
            continue
        scored = [
            (standardised_difference(row.get("before", 0.0), row.get("after", 0.0)), row, str(index[2]))
            for index, row in levels.iterrows()
        ]
        # the largest shift (to rounding: both levels of a binary attribute shift alike); of equal ones the
        # level that grew, then the first by name
        smd, row, level = min(
            scored,
            key=lambda item: (-round(abs(item[0]), 9), item[1].get("before", 0.0) - item[1].get("after", 0.0), item[2]),
        )
        checks.append(
            ComparabilityCheck(
                "case mix",
                str(cohort),
                "standardised difference",
                float(row.get("before", 0.0)),
                float(row.get("after", 0.0)),
                float(abs(smd)),
                SMD_LIMIT,
                attribute=str(attribute),
                level=level,
            )
        )
    order = {name: rank for rank, name in enumerate(BASE_ATTRIBUTES)}
    return sorted(
        checks, key=lambda c: (c.cohort != "pilot", c.cohort, order.get(c.attribute or "", 99), c.attribute or "")
    )


def censoring_checks(journeys: pd.DataFrame, scope: PilotScope) -> list[ComparabilityCheck]:
    """`journeys`: cohort, side, finished (pilot_journeys). Per group: the larger share still open when its
    side stops being followed, and the gap between the sides."""
    # a side whose window (to the midnight after its last day) reaches the extraction is cut there
    edges = tuple(
        side
        for side, window in (("before", scope.before), ("after", scope.after))
        if datetime.combine(window[1] + timedelta(days=1), time(), tzinfo=UTC) >= scope.extracted_at
    )
    open_share = 1 - journeys.groupby(["cohort", "side"])["finished"].mean()
    checks = []
    for cohort in sorted({str(key[0]) for key in open_share.index}, key=lambda name: name != "pilot"):
        before, after = float(open_share[(cohort, "before")]), float(open_share[(cohort, "after")])
        checks += [
            ComparabilityCheck(
                "censoring",
                cohort,
                "share censored",
                before,
                after,
                max(before, after),
                CENSORED_SHARE_LIMIT,
                at_extraction=edges,
            ),
            ComparabilityCheck(
                "censoring",
                cohort,
                "gap in share censored",
                before,
                after,
                abs(after - before),
                CENSORED_GAP_LIMIT,
                at_extraction=edges,
            ),
        ]
    return checks


def case_mix(connection: duckdb.DuckDBPyConnection, attributes: tuple[str, ...] = ()) -> pd.DataFrame:
    """cohort, side, attribute, value, journeys, share of the pilot's journeys (needs mining.pilot.windows):
    journey type, category, priority, and each journeys.attributes key in `attributes` (a missing value
    counts as the level '(none)'). A named attribute no journey of the pilot has is an error: a typo would
    otherwise compare nothing and call the sides comparable."""
    present = {
        row[0]
        for row in connection.execute(
            """
            SELECT DISTINCT unnest(json_keys(j.attributes)) FROM pilot_journeys p JOIN journeys j USING (journey_id)
            WHERE j.attributes IS NOT NULL AND json_type(j.attributes) = 'OBJECT'
            """
        ).fetchall()
    }
    missing = [key for key in attributes if key not in present and key not in BASE_ATTRIBUTES]
    if missing:
        known = ", ".join(sorted(present)) or "none"
        raise ConfigError(
            f"case_mix names {', '.join(map(repr, missing))}, which no journey of the pilot has among its "
            f"attributes (they have: {known})"
        )
    keys = [key for key in attributes if key not in BASE_ATTRIBUTES]
    return connection.execute(
        """
        SELECT cohort, side, attribute, value, count(*) AS journeys,
               count(*) / sum(count(*)) OVER (PARTITION BY cohort, side, attribute) AS share
        FROM (
            SELECT cohort, side, 'journey type' AS attribute, journey_type AS value FROM pilot_journeys
            UNION ALL SELECT cohort, side, 'category', coalesce(category, '(none)') FROM pilot_journeys
            UNION ALL SELECT cohort, side, 'priority', coalesce(priority, '(none)') FROM pilot_journeys
            UNION ALL SELECT p.cohort, p.side, k.key, coalesce(j.attributes->>k.key, '(none)')
            FROM pilot_journeys p JOIN journeys j USING (journey_id) CROSS JOIN (SELECT unnest(?::VARCHAR[]) AS key) k
        ) GROUP BY cohort, side, attribute, value ORDER BY attribute, value, cohort, side DESC
        """,
        [keys],
    ).df()


def comparability_checks(
    connection: duckdb.DuckDBPyConnection,
    scope: PilotScope,
    mix: pd.DataFrame,
    rates: dict[CohortKey, float],
    max_volume_change: float,
) -> list[ComparabilityCheck]:
    """Volume, case mix and censoring, in that order (needs mining.pilot.windows and `case_mix`)."""
    journeys = connection.execute("SELECT cohort, side, finished FROM pilot_journeys").df()
    return [*volume_checks(rates, max_volume_change), *case_mix_checks(mix), *censoring_checks(journeys, scope)]
