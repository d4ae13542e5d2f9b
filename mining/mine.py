"""`journey mine`: the discovery, handover and silo-tax tables of one store as Parquet, plus the
process map, without a designed journey (so it works on any store `journey extract` wrote)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd

from eventlogs.store import connect_store
from mining import discovery
from mining.errors import AnalysisError
from mining.handovers import handovers, ping_pong
from mining.process_map import process_map_svg
from mining.scope import define_scope
from mining.silo_tax import silo_tax_per_journey, silo_tax_summary

PERIOD_FORMAT = "FROM..TO with ISO dates, e.g. 2026-03-01..2026-03-31"


def parse_period(text: str) -> tuple[date, date]:
    """`2026-03-01..2026-03-31` -> (first day, last day), both inclusive."""
    match = re.fullmatch(r"\s*(\S+)\s*\.\.\s*(\S+)\s*", text)
    if match is None:
        raise AnalysisError(f"period {text!r} is not {PERIOD_FORMAT}")
    try:
        first, last = (date.fromisoformat(part) for part in match.groups())
    except ValueError as error:
        raise AnalysisError(f"period {text!r}: {error} (expected {PERIOD_FORMAT})") from error
    if first > last:
        raise AnalysisError(f"period {text!r} ends before it starts")
    return first, last


def mine(
    store: Path,
    out: Path,
    journey_type: str | None = None,
    period: tuple[date, date] | None = None,
    max_map_activities: int = 30,
) -> list[Path]:
    """Writes each result table as `<name>.parquet` and `process_map.svg` into `out`; returns the paths."""
    connection = connect_store(store, read_only=True)
    try:
        define_scope(connection, journey_type, period)
        tables: dict[str, pd.DataFrame] = {
            "variants": discovery.variants(connection),
            "directly_follows": discovery.directly_follows(connection),
            "start_end_activities": discovery.start_end_activities(connection),
            "activities": discovery.activities(connection),
            "handovers_department": handovers(connection, "department"),
            "handovers_team": handovers(connection, "team"),
            "handovers_resource": handovers(connection, "resource"),
            "ping_pong_department": ping_pong(connection, "department"),
            "ping_pong_team": ping_pong(connection, "team"),
            "silo_tax_journeys": silo_tax_per_journey(connection),
            "silo_tax_summary": silo_tax_summary(connection),
        }
    finally:
        connection.close()
    svg = process_map_svg(
        tables["activities"], tables["directly_follows"], tables["start_end_activities"], max_map_activities
    )
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, table in tables.items():
        path = out / f"{name}.parquet"
        table.to_parquet(path, index=False)
        written.append(path)
    map_path = out / "process_map.svg"
    map_path.write_text(svg)
    written.append(map_path)
    return written
