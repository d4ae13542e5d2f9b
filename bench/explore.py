"""Benchmark: the journey explorer's engine (mining/explore/) on the demo simulator's events; prints the
open time, memory, the first page load through the server, and p50/p95 latency of the map, the journey
list and the timeline, without and with filters.

    .venv/bin/python bench/explore.py --size 10 --repeat 20

Figures, not a test. Goal (issue 15): p95 <= 300 ms for the map and the journey list, 50 ms for a
timeline, on 10 million events and 2 cores. Stores are bench/discovery_data.py's (cached under
outputs/bench/, generated on first use). Each request is timed as the server makes it: one call of the
engine on its own cursor, to JSON.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta

os.environ.setdefault("PM4PY_SHOW_PROGRESS_BAR", "False")

from discovery_data import ensure_bench_store  # a sibling script


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _resident_mb() -> float:
    try:
        import psutil

        return float(psutil.Process().memory_info().rss) / 2**20
    except ImportError:  # the peak is the best figure without psutil
        return _peak_mb()


def _timed(call: Callable[[], object], repeat: int) -> tuple[float, float]:
    """p50 and p95 in milliseconds over `repeat` calls (after one warm-up call)."""
    call()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]


# What the page asks for when it opens (flows/explorer/static/app.js), in that order.
FIRST_PAGE = (
    "/",
    "/static/app.css",
    "/static/app.js",
    "/static/vendor/svg-pan-zoom.min.js",
    "/api/summary",
    "/api/map.svg?level=department&metric=median",
    "/api/map?level=department",
    "/api/variants?limit=50",
    "/api/handovers?level=department&limit=25",
    "/api/bottlenecks",
)


def _first_page_load_ms(state: object) -> float:
    """The page and everything it fetches when it opens, one after the other through the app (in-process:
    no network), in milliseconds: an upper bound of what a browser waits, which fetches them in parallel."""
    from starlette.testclient import TestClient

    from flows.explorer.app import create_app

    client = TestClient(create_app(state))  # type: ignore[arg-type]
    started = time.perf_counter()
    for path in FIRST_PAGE:
        answer = client.get(path)
        if answer.status_code != 200:
            raise SystemExit(f"{path} answered {answer.status_code}: {answer.text[:200]}")
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10, help="millions of work events")
    parser.add_argument("--repeat", type=int, default=20, help="timed calls per request")
    arguments = parser.parse_args()

    from flows.explorer.state import ExplorerState
    from mining.explore import (
        ExplorerData,
        JourneyFilter,
        handover_table,
        journey_timeline,
        journeys_behind,
        process_map,
        summary,
        variants,
    )

    store = ensure_bench_store(arguments.size * 1_000_000)
    baseline = _resident_mb()
    started = time.perf_counter()
    state = ExplorerState(store, None, None)  # as `journey explore` opens it
    data: ExplorerData = state.data
    opened = time.perf_counter() - started
    everything = JourneyFilter()
    overview = summary(data, everything)
    first = overview.first_opened.date() if overview.first_opened else date(2026, 1, 1)
    month = JourneyFilter(opened_from=first + timedelta(days=60), opened_to=first + timedelta(days=90))
    departments = process_map(data, everything, "department")
    busiest = departments.edges[0]
    through = JourneyFilter(through_departments=(busiest.target,), status="finished")
    print(f"store {store}: {overview.events:,} work events, {overview.journeys:,} journeys")
    print(f"open: {opened:.1f} s; resident memory {_resident_mb():.0f} MB (before open {baseline:.0f} MB, "
          f"peak {_peak_mb():.0f} MB)")  # fmt: skip
    ids = [row.journey_id for row in journeys_behind(data, everything, limit=500).journeys]
    rng = random.Random(15)
    requests: list[tuple[str, Callable[[], object]]] = []
    for name, filters in (("no filter", everything), ("a month", month), ("through + finished", through)):
        requests += [
            (f"map activity, {name}", lambda f=filters: process_map(data, f).to_json()),
            (f"map department, {name}", lambda f=filters: process_map(data, f, "department").to_json()),
            (f"map team (top 30), {name}", lambda f=filters: process_map(data, f, "team").to_json()),
            (f"journey list, {name}", lambda f=filters: journeys_behind(data, f).to_json()),
            (f"journeys behind an edge, {name}", lambda f=filters: journeys_behind(
                data, f, "department", busiest.source, busiest.target, sort="wait_hours").to_json()),
            (f"summary, {name}", lambda f=filters: summary(data, f).to_json()),
            (f"variants, {name}", lambda f=filters: variants(data, f).to_json()),
            (f"handovers, {name}", lambda f=filters: handover_table(data, f).to_json()),
        ]  # fmt: skip
    requests.append(("timeline", lambda: journey_timeline(data, rng.choice(ids)).to_json()))
    print(f"first page load (the page, its assets and the calls it makes): {_first_page_load_ms(state):.0f} ms")
    print(f"{'request':45} {'p50 ms':>8} {'p95 ms':>8}")
    for name, call in requests:
        p50, p95 = _timed(call, arguments.repeat)
        print(f"{name:45} {p50:8.0f} {p95:8.0f}", flush=True)
    print(f"peak memory {_peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
