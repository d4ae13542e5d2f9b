"""On BPI Challenge 2013 (the design reads the support line from the team's name, the log's department is
the org line) the pilot's time in each stage is, journey by journey, what `journey compare` measures."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest

from mining.design.event_stages import staged_events
from mining.design.load import load_designed_journey
from mining.design.norms import designed_stage_frame, timed_stages_sql
from mining.pilot.definition import PilotDefinition
from mining.pilot.stages import stage_times
from mining.pilot.windows import define_pilot_scope
from mining.scope.frames import registered
from mining.scope.scope import define_scope
from tests.conftest import EXAMPLES


@pytest.fixture(scope="module")
def bpic2013(bpic2013_store: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(bpic2013_store), read_only=True)
    yield connection
    connection.close()


def test_pilot_stage_times_are_compares_stage_times(bpic2013) -> None:
    journey = load_designed_journey(EXAMPLES / "bpic2013_incidents.journey.yaml")
    # half of the incidents were opened before 2 May 2012
    define_pilot_scope(bpic2013, PilotDefinition(change_date=date(2012, 5, 2)))
    pilot = stage_times(bpic2013, journey)
    scope = define_scope(bpic2013, journey.journey_type)
    with (
        staged_events(bpic2013, scope.work_events, journey),
        registered(bpic2013, norms_designed_stages=designed_stage_frame(journey)),
    ):
        compared = bpic2013.execute(f"SELECT journey_id, stage, hours FROM ({timed_stages_sql(scope, journey)})").df()
    # the journeys finished within their window: the pilot sees all their events, as compare does (no
    # calendars and no pauses in this log, so the pilot's calendar hours are compare's working hours)
    finished = set(bpic2013.execute("SELECT journey_id FROM pilot_journeys WHERE finished").df()["journey_id"])
    pilot = pilot[pilot["journey_id"].isin(finished)].set_index(["journey_id", "stage"])["hours"].sort_index()
    compared = compared[compared["journey_id"].isin(finished)].set_index(["journey_id", "stage"])["hours"].sort_index()
    assert len(finished) > 4000  # 4,940 of the 7,554
    # every designed stage is there (on the org line, the log's department, all were "First line")
    assert set(pilot.index.get_level_values("stage")) == {"First line", "Second line", "Third line"}
    assert pilot.index.equals(compared.index)
    assert pilot.to_numpy() == pytest.approx(compared.to_numpy(), abs=1e-9)
