"""The designed journey and how the actual journeys compare with it: results only.

journey.py is the model (stages, order, norms, touchpoints); spec.py reads it from YAML and bpmn_import.py
from BPMN 2.0, load.py picks the reader; model.py turns it into a process tree and Petri net; event_stages.py
maps each event to its design department and stage (the one mapping every analysis reads); norms.py
measures stages, handovers and the end-to-end norm against it; conformance.py checks each variant's
alignment; bottlenecks.py ranks the excess time by handover (between departments, and between teams inside
a stage) and stage with its causes and finds the structural patterns (push to front, team ping-pong);
comparison.py runs all of it (compare_journey).
"""

# the public modules; import them by name (no eager imports: a package stays cheap to enter)
__all__ = [
    "bottlenecks",
    "bpmn_import",
    "comparison",
    "conformance",
    "event_stages",
    "journey",
    "load",
    "model",
    "norms",
    "spec",
]
