"""The designed journey with its norms for `/api/design.svg`: the report's designed map
(mining.report.designed_map) over every journey of the design's type in the file the explorer reads
(unfiltered, like `journey compare`; without the conformance check, which aligns every variant and is
too slow to answer a page)."""

from __future__ import annotations

from pathlib import Path

from eventlogs.store import connect_store
from mining.design.journey import DesignedJourney
from mining.design.norms import handover_norms, stage_norms
from mining.report.designed_map import designed_map_svg
from mining.scope.scope import define_scope
from mining.scope.time_rules import TimeRules

# The file is a snapshot nobody writes, or a store read directly: then a running load holds it, and the
# page should hear so at once rather than wait for the load.
_WAIT_SECONDS = 1.0


def designed_journey_svg(store: Path, journey: DesignedJourney, time_rules: TimeRules | None) -> str:
    connection = connect_store(store, read_only=True, wait_seconds=_WAIT_SECONDS)
    try:
        scope = define_scope(connection, journey.journey_type, time_rules=time_rules, materialise=True)
        return designed_map_svg(
            journey, stage_norms(scope, journey), handover_norms(scope, journey), scope.journey_count
        )
    finally:
        connection.close()
