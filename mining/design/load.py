"""Reading a designed journey from its file: YAML (our spec) or BPMN 2.0 with a norms side file."""

from __future__ import annotations

from pathlib import Path

from mining.design.bpmn_import import load_bpmn_journey
from mining.design.journey import DesignedJourney
from mining.design.spec import read_journey_spec


def load_designed_journey(path: Path, norms: Path | None = None) -> DesignedJourney:
    """A designed journey from YAML, or from BPMN 2.0 (`.bpmn`; norms and touchpoints from the optional
    `norms` YAML side file). Errors are ConfigErrors naming the file and line."""
    if Path(path).suffix.lower() in (".bpmn", ".xml"):
        return load_bpmn_journey(Path(path), norms)
    return read_journey_spec(Path(path))
