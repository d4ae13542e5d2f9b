"""How honest is the pilot evaluation? Many seeded simulations with a known true effect (see
bench/pilot_honesty.py): the share of null pilots flagged significant, and the share of 95% intervals that
cover the true effect, each with its exact (Clopper-Pearson) 95% interval.

    .venv/bin/python bench/pilot_coverage.py --runs 200 --journeys 800
"""

from __future__ import annotations

import argparse
import time

from pilot_honesty import CONTROL_GROUP, PILOT_GROUP, PILOT_REGION_TEAM, honesty_run  # a sibling script
from scipy import stats

from eventlogs.demo.scenario import Scenario


def _rate(hits: int, runs: int) -> str:
    interval = stats.binomtest(hits, runs).proportion_ci(0.95, method="exact")
    return f"{hits}/{runs} = {hits / runs:.1%} (95% CI {interval.low:.1%} to {interval.high:.1%})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--journeys", type=int, default=800)
    parser.add_argument("--bootstrap", type=int, default=400)
    parser.add_argument("--did-runs", type=int, default=50)
    arguments = parser.parse_args()
    runs, journeys, bootstrap = arguments.runs, arguments.journeys, arguments.bootstrap
    started = time.perf_counter()

    flagged, null_covered = 0, {}
    for seed in range(runs):
        run = honesty_run(10_000 + seed, journeys, Scenario(pilot_effect=False), bootstrap)
        flagged += run.evaluation.flagged
        for key in run.truth:
            null_covered[key] = null_covered.get(key, 0) + run.covered(key)
    print(f"null pilots ({journeys} journeys, {bootstrap} resamples): flagged significant {_rate(flagged, runs)}")
    for key, hits in null_covered.items():
        print(f"  null, 95% interval covers the true effect 0 of {key}: {_rate(hits, runs)}")

    covered = {}
    for seed in range(runs):
        run = honesty_run(20_000 + seed, journeys, Scenario(), bootstrap)
        for key in run.truth:
            covered[key] = covered.get(key, 0) + run.covered(key)
    for key, hits in covered.items():
        print(f"demo pilot, 95% interval covers the true effect of {key}: {_rate(hits, runs)}")

    did_covered, naive_covered = {}, {}
    scenario = Scenario(pilot_teams=(PILOT_REGION_TEAM,), trend=0.7)
    for seed in range(arguments.did_runs):
        did = honesty_run(30_000 + seed, 3000, scenario, bootstrap, PILOT_GROUP, CONTROL_GROUP)
        naive = honesty_run(30_000 + seed, 3000, scenario, bootstrap, PILOT_GROUP)
        for key in did.truth:
            did_covered[key] = did_covered.get(key, 0) + did.covered(key)
            row = naive.estimate(key)
            naive_covered[key] = naive_covered.get(key, 0) + (row["change_low"] <= did.truth[key] <= row["change_high"])
    for key in did_covered:
        print(
            f"pilot group North, shared trend 0.7 (3000 journeys): DiD interval covers the true pilot effect of {key}: "
            f"{_rate(did_covered[key], arguments.did_runs)}; before/after in the pilot group alone: "
            f"{_rate(naive_covered[key], arguments.did_runs)}"
        )
    print(f"{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
