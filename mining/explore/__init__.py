"""The journey explorer's analysis (issue 15): a store copied into compact in-memory tables (data.py) and
sorted arrays (step_index.py), the filter every panel follows (filters.py), the levels and their edges
(levels.py), and per panel a typed result with `to_json()` (results.py): the map, the journeys behind a
node or an edge and a journey's timeline (maps.py), headline figures, variants,
handovers and trends (tables.py), cohort comparison and bottlenecks (cohorts.py), downloads (export.py).
At the level of mining/runs/: it reads the store; the server (flows/explorer/) serves it."""

from mining.explore.cohorts import bottlenecks, compare_cohorts
from mining.explore.data import ExplorerData
from mining.explore.export import export_event_log, table_frame
from mining.explore.filters import FilterError, JourneyFilter
from mining.explore.levels import Level
from mining.explore.maps import journey_timeline, journeys_behind, process_map
from mining.explore.results import (
    BottleneckList,
    CohortComparison,
    HandoverTable,
    JourneyPage,
    ProcessMap,
    Summary,
    Timeline,
    Trends,
    VariantList,
)
from mining.explore.tables import handover_table, summary, trends, variants

__all__ = [
    "BottleneckList",
    "CohortComparison",
    "ExplorerData",
    "FilterError",
    "HandoverTable",
    "JourneyFilter",
    "JourneyPage",
    "Level",
    "ProcessMap",
    "Summary",
    "Timeline",
    "Trends",
    "VariantList",
    "bottlenecks",
    "compare_cohorts",
    "export_event_log",
    "handover_table",
    "journey_timeline",
    "journeys_behind",
    "process_map",
    "summary",
    "table_frame",
    "trends",
    "variants",
]
