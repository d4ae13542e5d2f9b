"""Benchmark: conformance of N demo journeys against the demo's designed journey (laptop requests).

    .venv/bin/python bench/conformance.py --journeys 100000

Figures, not a test: the goal (issue 5) is a median of 10 ms or less per variant. The demo simulator's true
events go straight into a store with the project schema (no source systems, no loader); then the timed
part: the scope views, the variants in DuckDB, one alignment per distinct path, the deviation tables.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("PM4PY_SHOW_PROGRESS_BAR", "False")

from eventlogs.demo.simulator import DemoSimulator
from eventlogs.store import connect_store
from flows.paths import DEMO_DESIGNED_JOURNEY
from mining.conformance import conformance
from mining.designed_journey import load_designed_journey
from mining.scope import define_scope


def write_store(path: Path, journeys: int, seed: int) -> int:
    """The simulator's journeys and events in a fresh store; returns the number of work events."""
    journey_frame, event_frame = DemoSimulator(journeys, seed=seed).simulate()
    connection = connect_store(path)
    connection.register("sim_journeys", journey_frame[["number", "journey_type", "opened_at", "closed_at", "is_open"]])
    connection.register("sim_events", event_frame[["journey", "activity", "ts", "department", "team", "event_kind"]])
    connection.execute("""
        INSERT INTO journeys (journey_id, journey_type, opened_at, closed_at, is_open, source, load_run_id)
        SELECT number, journey_type, opened_at, closed_at, is_open, 'bench', 'bench' FROM sim_journeys
    """)
    connection.execute("""
        INSERT INTO events (journey_id, activity, ts, department, team, event_kind, source, source_event_id,
                            load_run_id)
        SELECT 'RITM' || lpad((journey + 1)::VARCHAR, 7, '0'), activity, ts, department, team, event_kind,
               'bench', row_number() OVER ()::VARCHAR, 'bench'
        FROM sim_events
    """)
    connection.close()
    return int((event_frame["event_kind"] == "work").sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--journeys", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cap", type=float, default=1.0, help="alignment time cap per variant, seconds")
    arguments = parser.parse_args()
    journey = load_designed_journey(DEMO_DESIGNED_JOURNEY)
    with tempfile.TemporaryDirectory() as folder:
        store = Path(folder) / "bench.duckdb"
        started = time.perf_counter()
        work_events = write_store(store, arguments.journeys, arguments.seed)
        print(f"{arguments.journeys:,} demo journeys, {work_events:,} work events simulated and stored "
              f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
        connection = connect_store(store, read_only=True)
        started = time.perf_counter()
        define_scope(connection, journey.journey_type)
        result = conformance(connection, journey, max_seconds_per_variant=arguments.cap)
        total = time.perf_counter() - started
        connection.close()
    variants = result.variants
    aligned = variants.loc[variants["align_ms"] > 0, "align_ms"]
    print(f"{result.journeys:,} finished laptop requests ({result.open_journeys_left_out:,} open left out), "
          f"{len(variants):,} variants (activities and departments), {len(aligned):,} paths aligned")  # fmt: skip
    fallbacks = int((variants["method"] != "alignment").sum())
    print(f"ms per aligned variant: median {aligned.median():.2f}, p90 {aligned.quantile(0.9):.2f}, "
          f"max {aligned.max():.1f}, all {aligned.sum():.0f} ms; token-replay fallbacks: {fallbacks}")  # fmt: skip
    print(f"total {total:.2f} s ({1000 * total / len(variants):.2f} ms per variant, SQL and tables included); "
          f"weighted fitness {result.fitness:.4f}")  # fmt: skip
    print(result.rates_by_type.to_string(index=False))


if __name__ == "__main__":
    main()
