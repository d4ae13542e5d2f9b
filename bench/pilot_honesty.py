"""Honesty runs: the pilot evaluation on seeded simulations whose true effect is known.

One run simulates the demo organisation under a scenario (eventlogs.demo.scenario), writes the true events
straight into an in-memory store, evaluates the demo pilot in working time (the demo's calendars), and
sets each estimate beside its true value (eventlogs.demo.pilot_truth). tests/mining/pilot/test_pilot_honesty.py and
bench/pilot_coverage.py count how often a null pilot is flagged and how often the intervals cover the truth.
It lives beside the bench scripts, which import it as a sibling script; the test imports bench.pilot_honesty.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from eventlogs.demo import organisation as org
from eventlogs.demo.files import DEMO_TIME_RULES
from eventlogs.demo.pilot_truth import true_effects
from eventlogs.demo.scenario import Scenario
from eventlogs.demo.simulator import LAPTOP
from eventlogs.demo.true_store import simulated_true_store
from mining.pilot.definition import PilotDefinition
from mining.pilot.evaluation import PilotEvaluation, evaluate_pilot
from mining.scope.time_rules import load_time_rules

# The demo's scenario with a pilot group gives the pilot to the region North (see eventlogs.demo.true_store).
PILOT_REGION_TEAM = "Deskside Support North"
PILOT_GROUP, CONTROL_GROUP = "region = 'North'", "region = 'South'"
# The simulation starts on a Monday at midnight with nobody waiting: its first Monday lacks the weekend's
# requests every later Monday gets, so the first week is left out as a warm-up (else the before side has
# truly fewer openings per week, and a null pilot would show a real change in volume).
BEFORE = (org.PERIOD_START.date() + timedelta(days=7), org.PILOT.starts.date() - timedelta(days=1))


@dataclass(frozen=True)
class HonestyRun:
    seed: int
    evaluation: PilotEvaluation
    truth: dict[str, float]  # comparison key -> true effect

    def covered(self, key: str) -> bool:
        row = self.evaluation.comparisons.set_index("key").loc[key]
        return bool(row["change_low"] <= self.truth[key] <= row["change_high"])

    def estimate(self, key: str) -> dict:
        return self.evaluation.comparisons.set_index("key").loc[key].to_dict()


def honesty_run(
    seed: int,
    journeys: int,
    scenario: Scenario,
    bootstrap: int = 400,
    pilot_group: str | None = None,
    control_group: str | None = None,
) -> HonestyRun:
    """One seeded simulation and its evaluation; the truth is the difference in differences when a control
    group is given, else the change of the journeys that get the pilot."""
    definition = PilotDefinition(
        name="demo pilot",
        change_date=org.PILOT.starts.date(),
        before=BEFORE,
        journey_types=(LAPTOP,),
        pilot_group=pilot_group,
        control_group=control_group,
        bootstrap=bootstrap,
        seed=seed,
    )
    connection = simulated_true_store(journeys, seed, scenario)
    try:
        evaluation = evaluate_pilot(connection, definition, time_rules=load_time_rules(DEMO_TIME_RULES), with_map=False)
    finally:
        connection.close()
    return HonestyRun(seed, evaluation, true_effects(scenario, difference_in_differences=control_group is not None))
