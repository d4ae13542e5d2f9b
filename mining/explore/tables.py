"""The explorer's headline figures, variants, handover table and weekly trends of the filtered journeys."""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

from eventlogs.sql_text import sql_literal
from mining.design.norms import end_to_end_norm
from mining.discovery.ranking import ranked_pairs
from mining.explore.data import ExplorerData
from mining.explore.filters import JourneyFilter, selected_steps_sql, selection_sql
from mining.explore.levels import NO_HOLDER, Level, edge_condition, level_columns
from mining.explore.maps import edges_table
from mining.explore.results import (
    HandoverRow,
    HandoverTable,
    HandoverTrend,
    HandoverWeek,
    Summary,
    Trends,
    TrendWeek,
    Variant,
    VariantList,
)

TREND_HANDOVERS = 10  # handovers followed week by week: the busiest


def within_norm_share(
    data: ExplorerData, cursor: duckdb.DuckDBPyConnection, condition: str, params: list[Any]
) -> float | None:
    """The share of decided journeys within the design's end-to-end norm (mining.design.norms), None
    without a design, a norm or a decided journey."""
    if data.journey is None:
        return None
    return end_to_end_norm(data.scope(cursor, condition, params), data.journey)["within_norm_rate"]


def summary(data: ExplorerData, filters: JourneyFilter) -> Summary:
    """Headline figures; lead times of finished journeys only (open ones are censored)."""
    condition, params = selection_sql(filters)
    cursor = data.cursor()
    try:
        row = cursor.execute(
            f"""
            SELECT count(*), count(*) FILTER (WHERE NOT is_open), count(*) FILTER (WHERE is_open),
                   coalesce(sum(steps), 0), quantile_cont(lead_time_hours, 0.5) FILTER (WHERE NOT is_open),
                   quantile_cont(lead_time_hours, 0.9) FILTER (WHERE NOT is_open),
                   sum(contacts) / nullif(count(*), 0), min(opened_at), max(opened_at)
            FROM journeys j WHERE {condition}""",
            params,
        ).fetchone()
        assert row is not None  # an aggregate has one row
        share = within_norm_share(data, cursor, condition, params) if row[0] else None
    finally:
        cursor.close()
    return Summary(int(row[0]), int(row[1]), int(row[2]), int(row[3]), row[4], row[5],
                   None if row[6] is None else float(row[6]), share, row[7], row[8])  # fmt: skip


def variants(data: ExplorerData, filters: JourneyFilter, limit: int = 50) -> VariantList:
    """The filtered journeys' variants, most journeys first (then id); share of the filtered journeys."""
    condition, params = selection_sql(filters)
    cursor = data.cursor()
    try:
        rows = cursor.execute(
            f"""
            WITH chosen AS (
                SELECT variant_id, count(*) AS journeys,
                       quantile_cont(lead_time_hours, 0.5) FILTER (WHERE NOT is_open) AS median_lead,
                       count(*) OVER () AS total, sum(count(*)) OVER () AS all_journeys
                FROM journeys j WHERE {condition} GROUP BY variant_id
                ORDER BY journeys DESC, variant_id LIMIT ?
            )
            SELECT c.variant_id, v.activities, c.journeys, c.journeys / c.all_journeys, c.median_lead, c.total
            FROM chosen c JOIN variants v USING (variant_id) ORDER BY c.journeys DESC, c.variant_id""",
            [*params, limit],
        ).fetchall()
    finally:
        cursor.close()
    return VariantList(
        total=int(rows[0][5]) if rows else 0,
        variants=tuple(Variant(row[0], tuple(row[1] or ()), int(row[2]), float(row[3]), row[4]) for row in rows),
    )


def handover_instances_sql(level: Level, selected: str) -> str:
    """Every handover (an edge at `level`) of the selected journeys: jid, from / to holder names, wait, ts."""
    columns = level_columns(level)
    none = sql_literal(NO_HOLDER)
    return f"""
        SELECT s.jid, coalesce(f.name, {none}) AS source, coalesce(t.name, {none}) AS target, s.wait, s.ts
        FROM steps s LEFT JOIN {columns.names} f ON f.code = s.{columns.previous}
        LEFT JOIN {columns.names} t ON t.code = s.{columns.node}
        WHERE {edge_condition(level)} AND {selected}"""


def handover_frame(data: ExplorerData, filters: JourneyFilter, level: Level = "department") -> pd.DataFrame:
    """Per pair (from_<level>, to_<level>): handovers, journeys, median, p90 and total wait."""
    if level == "activity":
        raise ValueError("handovers are between departments or teams")
    return edges_table(data, filters, level)


def handover_table(
    data: ExplorerData, filters: JourneyFilter, level: Level = "department", limit: int = 25
) -> HandoverTable:
    """The handover pairs ranked as the report ranks them (mining.discovery.ranking.ranked_pairs: pairs
    with fewer than 5 handovers after the others, by total wait), the first `limit` listed."""
    table = handover_frame(data, filters, level)
    ranked = ranked_pairs(table, level, top=limit)
    rows = tuple(
        HandoverRow(row["source"], row["target"], int(row["handovers"]), int(row["journeys"]),
                    row["median_wait_hours"], row["p90_wait_hours"], row["total_wait_hours"])
        for row in ranked.rows
    )  # fmt: skip
    return HandoverTable(len(table), rows, ranked.hidden_pairs, ranked.hidden_volume, ranked.hidden_hours)


def trends(data: ExplorerData, filters: JourneyFilter, level: Level = "department") -> Trends:
    """Week by week (ISO weeks, Monday, UTC): journeys opened and their share within the end-to-end norm;
    and for the busiest handovers the handovers that week (by the receiving step's time) and their
    median wait."""
    condition, params = selection_sql(filters)
    selected, step_params = selected_steps_sql(filters)
    cursor = data.cursor()
    try:
        cursor.execute("SET TimeZone = 'UTC'")
        opened = cursor.execute(
            f"""SELECT date_trunc('week', opened_at)::DATE AS week, count(*) FROM journeys j
                WHERE {condition} AND opened_at IS NOT NULL GROUP BY ALL ORDER BY week""",
            params,
        ).fetchall()
        weeks = []
        for week, count in opened:
            share = within_norm_share(
                data, cursor, f"{condition} AND date_trunc('week', j.opened_at)::DATE = ?", [*params, week]
            )
            weeks.append(TrendWeek(week, int(count), share))
        rows = cursor.execute(
            f"""
            WITH instances AS ({handover_instances_sql(level, selected)}),
            busiest AS (
                SELECT source, target, count(*) AS volume FROM instances GROUP BY ALL
                ORDER BY volume DESC, source NULLS LAST, target NULLS LAST LIMIT {TREND_HANDOVERS}
            )
            SELECT i.source, i.target, date_trunc('week', i.ts)::DATE AS week, count(*),
                   quantile_cont(i.wait, 0.5), any_value(b.volume) AS volume
            FROM instances i JOIN busiest b ON b.source IS NOT DISTINCT FROM i.source
                                           AND b.target IS NOT DISTINCT FROM i.target
            GROUP BY i.source, i.target, week ORDER BY volume DESC, i.source NULLS LAST, i.target NULLS LAST, week""",
            step_params,
        ).fetchall()
    finally:
        cursor.close()
    handovers: dict[tuple[str, str], list[HandoverWeek]] = {}
    for source, target, week, count, median, _ in rows:
        handovers.setdefault((source, target), []).append(HandoverWeek(week, int(count), median))
    return Trends(
        weeks=tuple(weeks),
        handovers=tuple(HandoverTrend(source, target, tuple(found)) for (source, target), found in handovers.items()),
    )
