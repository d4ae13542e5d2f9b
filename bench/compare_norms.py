"""Designed versus actual on a generated demo store: seconds for the norms, the bottleneck ranking and the
designed map (`mining.design.comparison.compare_journey`), in working time with the demo's calendars. The scope is
materialised once (temp tables) unless --views: then every query recomputes the working-time views.

    .venv/bin/python bench/compare_norms.py --journeys 100000 [--views]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import duckdb

from eventlogs.config import load_source_config
from eventlogs.demo.sources import DemoSourceWriter
from eventlogs.extract import extract_source
from eventlogs.store.loader import load_staged
from flows.paths import DEMO_DESIGNED_JOURNEY, DEMO_SOURCE_CONFIG, DEMO_TIME_RULES
from mining.design.comparison import compare_journey
from mining.design.load import load_designed_journey
from mining.report.designed_section import designed_section
from mining.scope.scope import define_scope
from mining.scope.time_rules import load_time_rules


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--journeys", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--views", action="store_true", help="do not materialise the scope (the old way)")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        demo = DemoSourceWriter(arguments.journeys, arguments.seed).write(Path(folder) / "sources")
        config = load_source_config(DEMO_SOURCE_CONFIG, demo.folder)
        staged = [extract_source(source, Path(folder) / name) for name, source in config.sources.items()]
        store = Path(folder) / "journeys.duckdb"
        load_staged(store, staged, "bench")
        journey = load_designed_journey(DEMO_DESIGNED_JOURNEY)
        with duckdb.connect(str(store), read_only=True) as connection:
            started = time.perf_counter()
            rules = load_time_rules(DEMO_TIME_RULES)
            scope = define_scope(connection, journey.journey_type, time_rules=rules, materialise=not arguments.views)
            events = connection.execute(f"SELECT count(*) FROM {scope.work_events}").fetchone()[0]
            comparison = compare_journey(scope, journey)
            seconds = time.perf_counter() - started
    how = "views" if arguments.views else "materialised scope"
    volume = f"{scope.journey_count:,} laptop requests, {events:,} work events ({how})"
    print(f"{volume}: scope + compare_journey {seconds:.1f} s")
    print(f"top finding: {designed_section(comparison).findings[0]}")


if __name__ == "__main__":
    main()
