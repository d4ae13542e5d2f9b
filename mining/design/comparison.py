"""Designed journey versus actual in one call: time against the norms, conformance to the designed order
(per variant, weighted by its journeys), the bottleneck ranking and the structural findings. Results only:
mining.report.designed_section puts them in words and draws the designed map."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from eventlogs.one_row import one_value
from mining.design.bottlenecks import PushToFront, TeamPingPong, locate_bottlenecks, push_to_front, team_ping_pong
from mining.design.conformance import Conformance, conformance, conformance_tables
from mining.design.journey import DesignedJourney
from mining.design.norms import end_to_end_norm, handover_norms, stage_norms
from mining.scope.scope import Scope


@dataclass
class JourneyComparison:
    """The designed-versus-actual result: tables (stage_norms, handover_norms, bottlenecks, end_to_end_norm,
    the conformance tables), the end-to-end (XLA) figures, the conformance to the designed order (None
    while no journey has finished), the structural findings (None when not common enough) and the number
    of journeys in scope."""

    journey: DesignedJourney
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    end_to_end: dict[str, Any] = field(default_factory=dict)
    working_time: bool = False  # whether working time was measured (`Scope.working_time`: calendars applied)
    conformance: Conformance | None = None
    push_to_front: PushToFront | None = None
    team_ping_pong: TeamPingPong | None = None
    journeys_in_scope: int = 0


def _conformance(scope: Scope, journey: DesignedJourney) -> Conformance | None:
    """Conformance of the finished journeys; None when none has finished yet (nothing to check)."""
    finished = one_value(
        scope.connection.execute(
            f"SELECT count(*) FROM {scope.journeys} WHERE NOT is_open"
            f" AND journey_id IN (SELECT journey_id FROM {scope.work_events})"
        )
    )
    return conformance(scope, journey) if finished else None


def compare_journey(scope: Scope, journey: DesignedJourney) -> JourneyComparison:
    """Designed versus actual on `scope` (`define_scope` for the journey's type; materialised, as the views
    are read many times)."""
    ranked = locate_bottlenecks(scope, journey)
    xla = end_to_end_norm(scope, journey)
    fit = _conformance(scope, journey)
    tables = {
        "stage_norms": stage_norms(scope, journey),
        "handover_norms": handover_norms(scope, journey),
        "bottlenecks": ranked,
        "end_to_end_norm": pd.DataFrame([xla]),
    }
    if fit is not None:
        tables.update(conformance_tables(fit))
    return JourneyComparison(
        journey=journey,
        tables=tables,
        end_to_end=xla,
        working_time=scope.working_time,
        conformance=fit,
        push_to_front=push_to_front(scope, journey, ranked),
        team_ping_pong=team_ping_pong(scope, journey),
        journeys_in_scope=scope.journey_count,
    )
