"""The pilot's time in each stage is measured on the same basis as `journey compare`: the stage of an event
read on the design's department (departments_by_team), not the log's raw department."""

from __future__ import annotations

from datetime import date

from mining.design.event_stages import staged_events
from mining.design.norms import designed_stage_frame, timed_stages_sql
from mining.pilot.definition import PilotDefinition
from mining.pilot.stages import stage_times
from mining.pilot.windows import define_pilot_scope
from mining.scope.frames import registered
from mining.scope.scope import define_scope
from tests.mining.design.test_event_stages_hand import JOURNEY, teams_store

CHANGE = date(2026, 3, 9)  # J1, J3 opened before it, J2, J5 after


def test_pilot_stage_times_equal_compares_stage_times_on_the_design_department() -> None:
    connection = teams_store()
    define_pilot_scope(connection, PilotDefinition(change_date=CHANGE))
    pilot = stage_times(connection, JOURNEY)
    times = {(row.journey_id, row.stage): row.hours for row in pilot.itertuples()}
    # by hand (test_event_stages_hand): Back J1 4 -> 14, J2 2 -> 6, J3 1 -> 9; Front one event but J5's
    # Log -> Work (no team: guessed Front); Closure one event. On the log's department ("Ops", owning no
    # stage) every Work fell into Front: Back was missing and Front took J1's 4 -> 14.
    assert times == {
        ("J1", "Back"): 10.0,
        ("J2", "Back"): 4.0,
        ("J3", "Back"): 8.0,
        ("J1", "Front"): 0.0,
        ("J2", "Front"): 0.0,
        ("J3", "Front"): 0.0,
        ("J5", "Front"): 1.0,
        ("J1", "Closure"): 0.0,
        ("J2", "Closure"): 0.0,
        ("J3", "Closure"): 0.0,
        ("J5", "Closure"): 0.0,
    }
    assert pilot["observed"].all()  # every journey closed within its window
    # and what compare measures per journey and stage, on the same journeys
    scope = define_scope(connection, "t")
    with (
        staged_events(connection, scope.work_events, JOURNEY),
        registered(connection, norms_designed_stages=designed_stage_frame(JOURNEY)),
    ):
        compared = connection.execute(f"SELECT journey_id, stage, hours FROM ({timed_stages_sql(scope, JOURNEY)})")
        assert {(journey, stage): hours for journey, stage, hours in compared.fetchall()} == times
