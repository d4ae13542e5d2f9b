"""Benchmark: conformance of N demo journeys against the demo's designed journey (laptop requests).

    .venv/bin/python bench/conformance.py --journeys 100000 [--bpic2013 ../shared/data]

Figures, not a test: the goal (issue 5) is a median of 10 ms or less per variant. The demo simulator's true
events go straight into a store with the project schema (no source systems, no loader); then the timed
part: the scope views, the variants in DuckDB, one alignment per distinct path, the deviation tables.
The simulator's clean events give few distinct paths, so `--bpic2013` adds a real log with thousands of
variants against its designed journey.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("PM4PY_SHOW_PROGRESS_BAR", "False")

from eventlogs.demo.simulator import DemoSimulator
from eventlogs.demo.true_store import write_true_store
from eventlogs.pipeline import extract_and_load
from eventlogs.store import connect_store
from flows.paths import DEMO_DESIGNED_JOURNEY
from mining.design.conformance import conformance
from mining.design.journey import DesignedJourney
from mining.design.load import load_designed_journey
from mining.scope.scope import define_scope

EXAMPLES = Path(__file__).parents[1] / "eventlogs" / "examples"


def write_store(path: Path, journeys: int, seed: int) -> int:
    """The simulator's true journeys and events in a fresh store; returns the number of work events."""
    journey_frame, event_frame = DemoSimulator(journeys, seed=seed).simulate()
    connection = connect_store(path)
    write_true_store(connection, journey_frame, event_frame)
    connection.close()
    return int((event_frame["event_kind"] == "work").sum())


def write_bpic2013_store(path: Path, data_folder: Path) -> int:
    """BPI Challenge 2013 incidents through the example configuration; returns the number of work events."""
    results = extract_and_load(EXAMPLES / "bpic2013_incidents.toml", path, data_folder)
    return sum(result.rows_loaded for result in results)


def run(store: Path, journey: DesignedJourney, cap: float, label: str) -> None:
    connection = connect_store(store, read_only=True)
    started = time.perf_counter()
    scope = define_scope(connection, journey.journey_type)
    result = conformance(scope, journey, max_seconds_per_variant=cap)
    total = time.perf_counter() - started
    connection.close()
    variants = result.variants
    aligned = variants.loc[variants["align_ms"] > 0, "align_ms"]
    print(f"{label}: {result.journeys:,} finished journeys ({result.open_journeys_left_out:,} open left out), "
          f"{len(variants):,} variants (activities and departments), {len(aligned):,} paths aligned")  # fmt: skip
    fallbacks = int((variants["method"] != "alignment").sum())
    print(f"ms per aligned variant: median {aligned.median():.2f}, p90 {aligned.quantile(0.9):.2f}, "
          f"max {aligned.max():.1f}, all {aligned.sum():.0f} ms; token-replay fallbacks: {fallbacks}")  # fmt: skip
    print(f"total {total:.2f} s ({1000 * total / len(variants):.2f} ms per variant, SQL and tables included); "
          f"weighted fitness {result.fitness:.4f}")  # fmt: skip
    print(result.rates_by_type.to_string(index=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--journeys", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cap", type=float, default=1.0, help="alignment time cap per variant, seconds")
    parser.add_argument(
        "--bpic2013", type=Path, default=None, help="also BPI Challenge 2013 (thousands of variants) from this folder"
    )
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = Path(folder) / "bench.duckdb"
        started = time.perf_counter()
        work_events = write_store(store, arguments.journeys, arguments.seed)
        print(f"{arguments.journeys:,} demo journeys, {work_events:,} work events simulated and stored "
              f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
        run(store, load_designed_journey(DEMO_DESIGNED_JOURNEY), arguments.cap, "demo laptop requests")
        if arguments.bpic2013 is not None:
            store = Path(folder) / "bpic2013.duckdb"
            events = write_bpic2013_store(store, arguments.bpic2013)
            print(f"\nBPI Challenge 2013: {events:,} events loaded")
            run(store, load_designed_journey(EXAMPLES / "bpic2013_incidents.journey.yaml"), arguments.cap, "BPIC 2013")


if __name__ == "__main__":
    main()
