"""How journeys actually run, computed from the scope: results only, no pictures or sentences.

tables.py: variants, directly-follows, activities, start and end activities, journey overview (SQL);
handovers.py: handovers between departments, teams or people, ping-pong (X -> Y -> X), the holder
sequence; silo_tax.py: each journey's lead time split into handover, within-department, paused and other
time; processing.py: processing versus waiting from start/complete lifecycles; engine.py, kernels.py and
coded_scope.py: the single-pass (numba) engine over the coded scope, giving the same tables as the SQL;
ranking.py: how a table of pairs is ranked and shortened for a reader (report and explorer); step.py: the
discovery step that picks the engine or SQL; map_detail.py: the process map's graph at a
level of detail (which activities and paths to show); process_model.py: the inductive miner (pm4py).
"""

# the public modules; import them by name (no eager imports: a package stays cheap to enter)
__all__ = [
    "coded_scope",
    "engine",
    "handovers",
    "kernels",
    "map_detail",
    "process_model",
    "processing",
    "ranking",
    "silo_tax",
    "step",
    "tables",
]
