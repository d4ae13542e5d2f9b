"""Designed journey versus actual: each handover's waiting time against its norm, the excess time it
causes, and the top silo bottleneck in one sentence."""

from __future__ import annotations

import duckdb
import pandas as pd

from mining.designed_journey import DesignedJourney
from mining.formatting import duration_in_words
from mining.norms import handover_norms


def compare_handovers(connection: duckdb.DuckDBPyConnection, journey: DesignedJourney) -> pd.DataFrame:
    """One row per department pair seen or designed, against its norm in the norm's time basis; see
    `mining.norms.handover_norms` (excess = time over the norm, summed over handovers; a handover the
    design does not have counts its whole wait as excess)."""
    return handover_norms(connection, journey)


def end_to_end(connection: duckdb.DuckDBPyConnection, journey: DesignedJourney) -> dict[str, float]:
    """Lead time of finished journeys against the end-to-end norm (open journeys are counted apart)."""
    row = (
        connection.execute(
            """
        SELECT count(*) FILTER (WHERE NOT is_open) AS finished, count(*) FILTER (WHERE is_open) AS still_open,
               quantile_cont(lead_hours, 0.5) AS median_lead_hours,
               quantile_cont(lead_hours, 0.9) AS p90_lead_hours,
               avg((lead_hours <= $norm)::INT) AS within_norm_rate
        FROM scope_journeys
        """,
            {"norm": journey.end_to_end_norm_hours},
        )
        .df()
        .iloc[0]
    )
    result = {key: float(value) for key, value in row.items()}
    result["norm_hours"] = journey.end_to_end_norm_hours
    result["norm_share"] = journey.norm_share
    return result


def bottleneck_sentence(comparison: pd.DataFrame, journey: DesignedJourney) -> str:
    """The top contributor to excess time, in words an improvement team can act on."""
    if comparison.empty or comparison["excess_hours"].iloc[0] <= 0:
        return f"No handover of the {journey.name} journey exceeds its norm."
    top = comparison.iloc[0]
    pair = f"{top['from_department']} → {top['to_department']}"
    share = f"{top['share_of_excess']:.0%} of all excess handover time"
    if not top["designed"]:
        return (
            f"{pair}: a handover the designed journey does not have, in {int(top['journeys'])} "
            f"{journey.journey_noun}, median wait {duration_in_words(top['median_wait_hours'])}; {share}."
        )
    return (
        f"{pair}: median wait {duration_in_words(top['median_wait_hours'])} "
        f"against a norm of {duration_in_words(top['norm_hours'])}; "
        f"{top['journeys_breaching_rate']:.0%} of {journey.journey_noun} breach it; {share}."
    )
