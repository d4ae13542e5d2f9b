"""Designed journey versus actual: each handover's waiting time against its norm, the excess time it
causes, and the top silo bottleneck in one sentence."""

from __future__ import annotations

import duckdb
import pandas as pd

from mining.designed_journey import DesignedJourney
from mining.formatting import duration_in_words
from mining.handovers import handover_instances


def compare_handovers(connection: duckdb.DuckDBPyConnection, journey: DesignedJourney) -> pd.DataFrame:
    """One row per department pair seen or designed. Excess = time over the norm, summed over
    handovers; a handover the design does not have counts its whole wait as excess."""
    designed = journey.designed_handovers()
    norms = {(n.from_department, n.to_department): n.norm_hours for n in journey.handover_norms}
    design = pd.DataFrame(
        {
            "from_department": [pair[0] for pair in designed],
            "to_department": [pair[1] for pair in designed],
            "design_order": range(1, len(designed) + 1),
            "norm_hours": [norms.get(pair) for pair in designed],
        }
    )
    connection.register("designed_handovers", design)
    table = connection.execute(f"""
        WITH instances AS (
            SELECT i.*, d.design_order, d.norm_hours,
                   CASE WHEN d.design_order IS NULL THEN i.wait_hours
                        WHEN d.norm_hours IS NULL THEN 0
                        ELSE greatest(i.wait_hours - d.norm_hours, 0) END AS excess_hours
            FROM ({handover_instances("department")}) i
            LEFT JOIN designed_handovers d USING (from_department, to_department)
        ), per_journey AS (
            SELECT from_department, to_department, journey_id, bool_or(wait_hours > norm_hours) AS breached
            FROM instances GROUP BY ALL
        ), pairs AS (
            SELECT from_department, to_department, any_value(design_order) AS design_order,
                   any_value(norm_hours) AS norm_hours, count(*) AS handovers,
                   count(DISTINCT journey_id) AS journeys,
                   quantile_cont(wait_hours, 0.5) AS median_wait_hours,
                   quantile_cont(wait_hours, 0.9) AS p90_wait_hours,
                   avg(wait_hours) AS mean_wait_hours,
                   count(*) FILTER (WHERE wait_hours > norm_hours) / count(*) AS breach_rate,
                   sum(excess_hours) AS excess_hours
            FROM instances GROUP BY ALL
        )
        SELECT coalesce(p.from_department, d.from_department) AS from_department,
               coalesce(p.to_department, d.to_department) AS to_department,
               d.design_order IS NOT NULL AS designed, d.design_order, d.norm_hours,
               coalesce(p.handovers, 0) AS handovers, coalesce(p.journeys, 0) AS journeys,
               p.median_wait_hours, p.p90_wait_hours, p.mean_wait_hours, p.breach_rate,
               (SELECT count(*) FILTER (WHERE breached) / count(*) FROM per_journey j
                 WHERE j.from_department = p.from_department AND j.to_department = p.to_department)
                 AS journeys_breaching_rate,
               coalesce(p.excess_hours, 0) AS excess_hours
        FROM pairs p FULL JOIN designed_handovers d USING (from_department, to_department)
    """).df()
    connection.unregister("designed_handovers")
    total = table["excess_hours"].sum()
    table["share_of_excess"] = table["excess_hours"] / total if total > 0 else 0.0
    return table.sort_values("excess_hours", ascending=False, ignore_index=True)


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
