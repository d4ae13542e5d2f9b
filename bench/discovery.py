"""Benchmark: the whole discovery step on 1, 10 and 60 million work events; prints events/s, the ratio to
pm4py, peak memory and bytes per event.

    .venv/bin/python bench/discovery.py --sizes 1,10,60 --pm4py-up-to 10 --sql-up-to 10

Figures, not a test. Goal (issue 4): 20 million events/s or more on 2 cores, at most 40 bytes per event,
60 million events without running out of memory. Stores are the demo simulator's true events (see
bench/discovery_data.py), cached under outputs/bench/. Each engine runs in its own process, so its peak
resident memory (ru_maxrss) is its own; the process's memory after imports is printed apart.

- product: what `journey mine` runs: define_scope, the coded scope, variants with lead times, the
  performance DFG, start/end activities, department handovers, journey times (mining/discovery/engine.py).
- sql: the same tables in DuckDB SQL over the string columns (mining/discovery/tables.py, handovers.py).
- pm4py: sort + DFG + performance DFG + variants + handover-of-work (departments) on a DataFrame.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("PM4PY_SHOW_PROGRESS_BAR", "False")

from discovery_data import ensure_bench_store  # a sibling script


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _product(store: Path) -> dict:
    from eventlogs.store import connect_store
    from mining.discovery import engine as discovery_engine
    from mining.discovery.coded_scope import load_coded_scope
    from mining.scope.scope import define_scope

    baseline = _peak_mb()
    connection = connect_store(store, read_only=True)
    started, cpu_started = time.perf_counter(), time.process_time()
    scope = load_coded_scope(define_scope(connection))
    loaded = time.perf_counter()
    discovery_engine.discover(scope, ("department",))
    discovery_engine.journey_times(scope)
    finished = time.perf_counter()
    return {
        "events": len(scope.journey),
        "seconds": finished - started,
        "cpu_seconds": time.process_time() - cpu_started,
        "load_seconds": loaded - started,
        "baseline_mb": baseline,
    }


def _sql(store: Path) -> dict:
    from eventlogs.store import connect_store
    from mining.discovery import tables as discovery
    from mining.discovery.handovers import handovers
    from mining.scope.scope import define_scope

    baseline = _peak_mb()
    connection = connect_store(store, read_only=True)
    connection.execute("SET enable_progress_bar = false")
    started, cpu_started = time.perf_counter(), time.process_time()
    scope = define_scope(connection)
    discovery.variants(scope)
    discovery.directly_follows(scope)
    discovery.start_end_activities(scope)
    handovers(scope, "department")
    connection.execute("""
        SELECT count(*), count(*) FILTER (WHERE is_open), quantile_cont(lead_hours, 0.5),
               quantile_cont(lead_hours, 0.9) FROM scope_journeys
    """).fetchall()
    events = connection.execute("SELECT count(*) FROM scope_work_events").fetchone()[0]
    return {
        "events": events,
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu_started,
        "baseline_mb": baseline,
    }


def _pm4py(store: Path) -> dict:
    import pm4py

    from eventlogs.store import connect_store

    baseline = _peak_mb()
    connection = connect_store(store, read_only=True)
    started = time.perf_counter()
    frame = connection.execute("""
        SELECT journey_id AS "case:concept:name", activity AS "concept:name", ts AS "time:timestamp",
               department AS "org:resource"
        FROM events WHERE event_kind = 'work'
    """).df()
    connection.close()
    loaded, cpu_started = time.perf_counter(), time.process_time()
    frame = frame.sort_values(["case:concept:name", "time:timestamp"], kind="stable", ignore_index=True)
    pm4py.discover_dfg(frame)
    pm4py.discover_performance_dfg(frame)
    pm4py.get_variants(frame)
    pm4py.discover_handover_of_work_network(frame)
    return {
        "events": len(frame),
        "seconds": time.perf_counter() - loaded,
        "cpu_seconds": time.process_time() - cpu_started,
        "load_seconds": loaded - started,
        "baseline_mb": baseline,
    }


STEPS = {"product": _product, "sql": _sql, "pm4py": _pm4py}


def _run_step(step: str, store: Path) -> dict | None:
    """Runs one engine in a fresh process; its figures, or None when it failed (out of memory, say)."""
    command = [sys.executable, __file__, "--step", step, "--store", str(store)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        print(f"  {step}: failed (exit {done.returncode}) {done.stderr.strip().splitlines()[-1:]}", flush=True)
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def _line(step: str, figures: dict, pm4py_rate: float | None) -> str:
    events = figures["events"]
    rate = events / figures["seconds"]
    per_cpu = events / figures["cpu_seconds"]
    net_mb = figures["peak_mb"] - figures["baseline_mb"]
    ratio = f", {rate / pm4py_rate:,.0f}x pm4py" if pm4py_rate else ""
    load = f" (reading {figures['load_seconds']:.2f} s)" if "load_seconds" in figures else ""
    return (
        f"  {step:8s} {events:>12,} events in {figures['seconds']:7.2f} s{load} = {rate / 1e6:7.2f} M events/s"
        f"{ratio} ({per_cpu / 1e6:.2f} M events per CPU-second); peak {figures['peak_mb']:,.0f} MB"
        f" = {figures['peak_mb'] * 2**20 / events:,.0f} B/event"
        f" ({net_mb * 2**20 / events:,.0f} B/event above the {figures['baseline_mb']:,.0f} MB after imports)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,10,60", help="millions of work events, comma-separated")
    parser.add_argument("--pm4py-up-to", type=int, default=10, help="largest size (millions) pm4py runs on")
    parser.add_argument("--sql-up-to", type=int, default=10, help="largest size (millions) the SQL path runs on")
    parser.add_argument("--step", choices=sorted(STEPS), help=argparse.SUPPRESS)
    parser.add_argument("--store", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.step:
        figures = STEPS[arguments.step](arguments.store)
        print(json.dumps({**figures, "peak_mb": _peak_mb()}))
        return
    print(f"{os.cpu_count()} cores; the product's rate counts the whole discovery step, reading included")
    for size in (int(part) for part in arguments.sizes.split(",")):
        store = ensure_bench_store(size * 1_000_000)
        print(f"{size} million work events ({store}):", flush=True)
        pm4py_figures = _run_step("pm4py", store) if size <= arguments.pm4py_up_to else None
        pm4py_rate = pm4py_figures["events"] / pm4py_figures["seconds"] if pm4py_figures else None
        if pm4py_figures:
            print(_line("pm4py", pm4py_figures, None), flush=True)
        if size <= arguments.sql_up_to and (sql_figures := _run_step("sql", store)):
            print(_line("sql", sql_figures, pm4py_rate), flush=True)
        if product_figures := _run_step("product", store):
            print(_line("product", product_figures, pm4py_rate), flush=True)


if __name__ == "__main__":
    main()
