"""The explorer's downloads: the filtered event log as XES (pm4py writes it, so pm4py, ProM, Disco and
Celonis read it) or CSV with the standard XES column names, and the current view's tables as frames."""

from __future__ import annotations

import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from mining.explore.data import ExplorerData
from mining.explore.filters import JourneyFilter, selected_steps_sql
from mining.explore.maps import journeys_behind, process_map
from mining.explore.tables import handover_frame, trends, variants

TableName = Literal["map", "journeys", "variants", "handovers", "trends"]


def event_log_frame(data: ExplorerData, filters: JourneyFilter) -> pd.DataFrame:
    """Work steps and customer contacts of the filtered journeys, in each journey's order: case:concept:name,
    concept:name, time:timestamp (UTC), org:resource, department, team, event_kind."""
    selected, params = selected_steps_sql(filters)
    cursor = data.cursor()
    try:
        return cursor.execute(
            f"""
            SELECT j.journey_id AS "case:concept:name", activity AS "concept:name", ts AS "time:timestamp",
                   resource AS "org:resource", department, team, event_kind
            FROM (
                SELECT s.jid, a.name AS activity, s.ts, r.name AS resource, d.name AS department, t.name AS team,
                       'work' AS event_kind, 0 AS rank, s.position AS number
                FROM steps s LEFT JOIN activities a ON a.code = s.act LEFT JOIN departments d ON d.code = s.dep
                LEFT JOIN teams t ON t.code = s.team LEFT JOIN resources r ON r.code = s.res WHERE {selected}
                UNION ALL
                SELECT s.jid, activity, ts, resource, department, team, 'contact', 1, 0 FROM contacts s WHERE {selected}
            ) e JOIN journeys j USING (jid)
            ORDER BY j.journey_id, e.ts, e.rank, e.number""",
            [*params, *params],
        ).df()
    finally:
        cursor.close()


def export_event_log(data: ExplorerData, filters: JourneyFilter, fmt: Literal["xes", "csv"]) -> bytes:
    """The filtered event log as XES or CSV bytes."""
    frame = event_log_frame(data, filters)
    if fmt == "csv":
        frame = frame.assign(**{"time:timestamp": frame["time:timestamp"].map(lambda moment: moment.isoformat())})
        return frame.to_csv(index=False).encode()
    if fmt != "xes":
        raise ValueError(f"format must be xes or csv, not {fmt!r}")
    import pm4py  # heavy: only for this download

    frame["time:timestamp"] = pd.to_datetime(frame["time:timestamp"], utc=True)
    frame["org:resource"] = frame["org:resource"].astype("string")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "journeys.xes"
        pm4py.write_xes(frame, str(path), case_id_key="case:concept:name")
        return path.read_bytes()


def table_frame(data: ExplorerData, filters: JourneyFilter, name: TableName, **view: Any) -> pd.DataFrame:
    """A table of the current view (the view's parameters as the matching analysis takes them) as a frame,
    for CSV and Parquet downloads."""
    if name == "map":
        drawn = process_map(data, filters, **view)
        return pd.DataFrame(
            [edge.to_json() for edge in drawn.edges],
            columns=["id", "from", "to", "count", "journeys", "median_wait_hours", "p90_wait_hours"],
        )
    if name == "journeys":
        page = journeys_behind(data, filters, **view)
        return pd.DataFrame(
            [row.to_json() for row in page.journeys],
            columns=["journey_id", "journey_type", "opened_at", "lead_time_hours", "status", "wait_hours"],
        )
    if name == "variants":
        listed = variants(data, filters, **view)
        return pd.DataFrame(
            [asdict(variant) | {"activities": list(variant.activities)} for variant in listed.variants],
            columns=["variant_id", "activities", "journeys", "share", "median_lead_hours"],
        )
    if name == "handovers":
        return handover_frame(data, filters, **view)
    if name == "trends":
        found = trends(data, filters, **view)
        return pd.DataFrame(
            [
                {
                    "from": trend.source,
                    "to": trend.target,
                    "week": week.week,
                    "count": week.count,
                    "median_wait_hours": week.median_wait_hours,
                }
                for trend in found.handovers
                for week in trend.weeks
            ],
            columns=["from", "to", "week", "count", "median_wait_hours"],
        )
    raise ValueError(f"table must be map, journeys, variants, handovers or trends, not {name!r}")
