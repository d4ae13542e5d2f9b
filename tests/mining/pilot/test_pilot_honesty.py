"""Is the pilot evaluation honest? Seeded simulations whose true effect is known (eventlogs.demo.pilot_truth:
the injected log-normal waits in working hours of the receiving department, the Poisson chasing rates).

Sizes: 80 runs of 800 journeys (about 600 laptop requests), 400 bootstrap resamples, 0.2 to 0.7 s a run
on this shared 2-core machine. Binomial tolerances for 80 runs: a procedure that flags 5% of null runs
flags 9 or more with probability 1.8%, so at most 8 are allowed (a 20% false-positive rate would pass only
1.3% of the time); an interval that covers in 95% of runs covers in 71 or fewer with probability 1.8%, so
at least 72 must cover (an 80% coverage would pass only 1.3% of the time). The seeds are fixed, so the
outcome is reproducible.
bench/pilot_coverage.py runs many more seeds and prints the measured rates; both use bench/pilot_honesty.py.
"""

from __future__ import annotations

from bench.pilot_honesty import CONTROL_GROUP, PILOT_GROUP, PILOT_REGION_TEAM, honesty_run
from eventlogs.demo.organisation import PILOT
from eventlogs.demo.pilot_truth import true_effects
from eventlogs.demo.scenario import Scenario
from flows.paths import DEMO_DESIGNED_JOURNEY, DEMO_TIME_RULES
from mining.design.load import load_designed_journey
from mining.pilot.definition import PilotDefinition
from mining.pilot.evaluation import evaluate_pilot_store
from mining.report.pilot_output import pilot_page
from mining.report.pilot_view import pilot_view
from mining.scope.time_rules import load_time_rules

RUNS, JOURNEYS = 80, 800
PILOTED = ("handover:Management->Procurement", "handover:Warehouse->Carrier")
CHASING = "contacts_per_waiting_day"


def test_demo_pilot_effect_on_piloted_handovers_lies_in_its_interval_and_chasing_drop_is_detected(demo_store) -> None:
    definition = PilotDefinition(change_date=PILOT.starts.date(), journey_types=("laptop_request",))
    journey = load_designed_journey(DEMO_DESIGNED_JOURNEY)
    evaluation = evaluate_pilot_store(demo_store, definition, journey, load_time_rules(DEMO_TIME_RULES))
    rows = evaluation.comparisons.set_index("key")
    truth = true_effects(Scenario(), difference_in_differences=False)
    for key in PILOTED:
        row = rows.loc[key]
        assert row["change_low"] <= truth[key] <= row["change_high"], (key, truth[key], row.to_dict())
        assert row["direction"] == "improved"
    chasing = rows.loc[CHASING]
    assert chasing["change_low"] <= truth[CHASING] <= chasing["change_high"]
    assert chasing["direction"] == "improved"
    assert rows.loc["contacts_per_journey", "direction"] == "improved"
    # the report's lists: both piloted handovers among the improvements, side effects listed apart
    view = pilot_view(evaluation)
    assert any("Management → Procurement" in line for line in view.improvements)
    assert any("Warehouse → Carrier" in line for line in view.improvements)
    assert "<svg" in view.difference_map_svg
    # the report's pilot section: the side-effect box beside the improvements, both handovers, the chasing
    page = pilot_page(view)
    improved = page.split('id="pilot-improved"', 1)[1].split("</ul>", 1)[0]
    assert "Wait Management → Procurement" in improved and "Wait Warehouse → Carrier" in improved
    assert "Customer chasing contacts per waiting day" in improved
    assert 'id="pilot-worse"' in page


def test_null_pilots_are_flagged_in_at_most_about_five_percent_of_runs() -> None:
    flagged = [
        honesty_run(1000 + seed, JOURNEYS, Scenario(pilot_effect=False)).evaluation.flagged for seed in range(RUNS)
    ]
    assert sum(flagged) <= 8, f"{sum(flagged)} of {RUNS} null pilots flagged significant"


def test_intervals_cover_the_true_effect_in_about_95_percent_of_runs() -> None:
    covered = {key: 0 for key in (*PILOTED, CHASING)}
    for seed in range(RUNS):
        run = honesty_run(2000 + seed, JOURNEYS, Scenario())
        for key in covered:
            covered[key] += run.covered(key)
    assert all(count >= 72 for count in covered.values()), covered


def test_difference_in_differences_removes_a_shared_trend() -> None:
    """The pilot goes to region North only; every wait after the change date also shrinks by 30% in both
    regions. Before/after in the pilot group alone takes the trend for pilot effect; DiD does not."""
    scenario = Scenario(pilot_teams=(PILOT_REGION_TEAM,), trend=0.7)
    did = honesty_run(5, 3000, scenario, pilot_group=PILOT_GROUP, control_group=CONTROL_GROUP)
    before_after = honesty_run(5, 3000, scenario, pilot_group=PILOT_GROUP)
    for key in PILOTED:
        # e.g. Management -> Procurement: true pilot effect 6.3*0.7 - 24.7*0.7 = -12.9 working hours; the
        # trend alone moves the pilot group's before/after by another 0.3 * 24.7 = -7.4 hours
        assert did.covered(key), did.estimate(key)
        naive = before_after.estimate(key)
        assert not naive["change_low"] <= did.truth[key] <= naive["change_high"], naive
        assert naive["change_low"] <= before_after.truth[key] <= naive["change_high"], naive
