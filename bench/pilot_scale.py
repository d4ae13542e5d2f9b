"""How long a pilot evaluation takes on a large store, and its peak memory: the demo simulator's true
events for N journeys written straight into a store, evaluated in working time with 1,000 resamples.

    .venv/bin/python bench/pilot_scale.py --journeys 100000
"""

from __future__ import annotations

import argparse
import resource
import time

from eventlogs.demo import organisation as org
from eventlogs.demo.simulator import LAPTOP
from eventlogs.demo.true_store import simulated_true_store
from flows.paths import DEMO_TIME_RULES
from mining.pilot.definition import PilotDefinition
from mining.pilot.evaluation import evaluate_pilot
from mining.report.pilot_wording import pilot_words
from mining.scope.time_rules import load_time_rules


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--journeys", type=int, default=100_000)
    parser.add_argument("--bootstrap", type=int, default=1000)
    arguments = parser.parse_args()
    started = time.perf_counter()
    connection = simulated_true_store(arguments.journeys, seed=1)
    events = connection.execute("SELECT count(*) FROM events").fetchone()[0]
    simulated = time.perf_counter()
    definition = PilotDefinition(
        change_date=org.PILOT.starts.date(), journey_types=(LAPTOP,), bootstrap=arguments.bootstrap
    )
    evaluation = evaluate_pilot(connection, definition, time_rules=load_time_rules(DEMO_TIME_RULES))
    finished = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{arguments.journeys:,} journeys, {events:,} events: simulated and stored in {simulated - started:.1f} s")
    print(f"pilot evaluation ({arguments.bootstrap} resamples, with the difference map): {finished - simulated:.1f} s")
    print(f"peak memory of the process: {peak:,.0f} MB")
    for line in pilot_words(evaluation).verdict[:2]:
        print(line)


if __name__ == "__main__":
    main()
