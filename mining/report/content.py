"""What the report shows, as the run step (mining.runs.analysis) assembles it: the result tables, the
headline figures, the designed-versus-actual section, the pilot, and the maps already drawn."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from mining.design.journey import DesignedJourney
from mining.discovery.map_detail import WaitUnit
from mining.report.designed_section import DesignedSection

if TYPE_CHECKING:
    from mining.pilot.evaluation import PilotEvaluation


@dataclass
class Analysis:
    """Result tables (DataFrames), the headline figures, the process map and the bottleneck sentence."""

    journey: DesignedJourney
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    overview: dict[str, float] = field(default_factory=dict)
    end_to_end: dict[str, Any] = field(default_factory=dict)  # the XLA of `mining.design.norms.end_to_end_norm`
    process_map_svg: str = ""
    bottleneck: str = ""
    extras: dict[str, Any] = field(default_factory=dict)
    designed: DesignedSection | None = None  # designed versus actual: norms, bottlenecks, findings, designed map
    pilot: PilotEvaluation | None = None  # when the configuration names a pilot (add_pilot)
    wait_unit: WaitUnit = "calendar"  # "working" when the scope applied business calendars (Scope.working_time)
