"""The discovery step as `journey mine` and the report run it: the single-pass engine over the coded
scope where it fits, the SQL (the same tables, slower) where it does not."""

from __future__ import annotations

import duckdb
import pandas as pd

from mining.discovery import engine as discovery_engine
from mining.discovery import tables as discovery
from mining.discovery.coded_scope import load_coded_scope
from mining.discovery.handovers import Level, handovers
from mining.scope.time_rules import TimeRules


def discovery_tables(
    connection: duckdb.DuckDBPyConnection, levels: tuple[Level, ...], time_rules: TimeRules | None = None
) -> dict[str, pd.DataFrame]:
    """variants, directly_follows, start_end_activities and handovers_<level> of the scope (`define_scope`
    first). The engine keeps a table of every code pair, so a field with more distinct values than
    MAX_PAIR_CODES (thousands of activity names or teams) sends the whole step to SQL instead of failing."""
    coded = load_coded_scope(connection, ("activity", *levels), time_rules)
    if all(len(coded.names[field]) <= discovery_engine.MAX_PAIR_CODES for field in ("activity", *levels)):
        return discovery_engine.discover(coded, levels)
    del coded
    return {
        "variants": discovery.variants(connection),
        "directly_follows": discovery.directly_follows(connection),
        "start_end_activities": discovery.start_end_activities(connection),
        **{f"handovers_{level}": handovers(connection, level) for level in levels},
    }
