"""How a table of pairs (handovers between holders) is ranked and shortened for a reader: the pairs with
enough volume first, by their ranking measure, the first few listed and the rest summed in one row. The
report's pages and the explorer's handover table both rank this way."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

# A pair needs this many handovers to rank by its wait. Below it, one ticket parked for months would outrank
# a pair that hundreds wait on. A threshold rather than an empirical-Bayes shrunk mean: the page says it in
# one line, a reader can check it, and the ranking measure (total wait, excess) already grows with volume
# among the recurring pairs; the rare pairs still count, ranked after every recurring one.
MIN_RANKED_HANDOVERS = 5
TOP_PAIRS = 25  # pairs a page lists; the rest are summed in one row (the Parquet table keeps every pair)


@dataclass(frozen=True)
class ShortTable:
    """The first `rows` of a ranked table of pairs as a page lists them (`source` and `target` name the
    pair), and the rest summed: how many pairs, their volume and their ranking measure (hours)."""

    rows: list[dict[str, Any]]
    hidden_pairs: int
    hidden_volume: int
    hidden_hours: float
    min_volume: int


def ranked_pairs(
    table: pd.DataFrame,
    level: str,
    measure: str = "total_wait_hours",
    volume: str = "handovers",
    top: int = TOP_PAIRS,
    min_volume: int = MIN_RANKED_HANDOVERS,
) -> ShortTable:
    """`table`'s pairs (`from_<level>`, `to_<level>`) with at least `min_volume` first, each group by
    `measure` (most hours first), then volume and names; the first `top` listed, the rest summed."""
    source, target = f"from_{level}", f"to_{level}"
    ordered = table.assign(recurring=table[volume] >= min_volume).sort_values(
        ["recurring", measure, volume, source, target],
        ascending=[False, False, False, True, True],
        kind="stable",
        na_position="last",
    )
    shown, hidden = ordered.head(top), ordered.iloc[top:]
    return ShortTable(
        rows=shown.assign(source=shown[source], target=shown[target]).to_dict("records"),
        hidden_pairs=len(hidden),
        hidden_volume=int(hidden[volume].sum()),
        hidden_hours=float(hidden[measure].sum()),
        min_volume=min_volume,
    )
