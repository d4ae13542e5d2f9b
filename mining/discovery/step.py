"""The discovery step as `journey mine` and the report run it: the single-pass engine over the coded
scope where it fits, the SQL (the same tables, slower) where it does not."""

from __future__ import annotations

import pandas as pd

from mining.discovery import engine as discovery_engine
from mining.discovery import tables as discovery
from mining.discovery.coded_scope import load_coded_scope
from mining.discovery.handovers import Level, handovers
from mining.scope.scope import Scope


def discovery_tables(scope: Scope, levels: tuple[Level, ...]) -> dict[str, pd.DataFrame]:
    """variants, directly_follows, start_end_activities and handovers_<level> of `scope`. The
    engine keeps a table of every code pair, so a field with more distinct values than
    MAX_PAIR_CODES (thousands of activity names or teams) sends the whole step to SQL instead of failing."""
    coded = load_coded_scope(scope, ("activity", *levels))
    if all(len(coded.names[field]) <= discovery_engine.MAX_PAIR_CODES for field in ("activity", *levels)):
        return discovery_engine.discover(coded, levels)
    del coded
    return {
        "variants": discovery.variants(scope),
        "directly_follows": discovery.directly_follows(scope),
        "start_end_activities": discovery.start_end_activities(scope),
        **{f"handovers_{level}": handovers(scope, level) for level in levels},
    }
