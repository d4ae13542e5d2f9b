"""Benchmark: the Spark engine in local[2] against the embedded engine on the same events, how Spark's time
moves with its number of partitions, and on paper the time for 1 billion events on a cluster.

    PM4PY_SHOW_PROGRESS_BAR=False .venv/bin/python bench/spark.py --sizes 10,100 --partitions 2,4,8,16,64
    PM4PY_SHOW_PROGRESS_BAR=False .venv/bin/python bench/spark.py --sizes 1      # a quick check

Figures, not a test (issue point 6). Sizes are millions of work events of the demo simulator, written straight
to the canonical Parquet layout (bench/spark_data.py, cached under outputs/bench/spark_<N>M/); the embedded
engine reads a store loaded from that Parquet. Both do the same work: the scope, variants, the performance
directly-follows graph, start and end activities, department and team handovers and the journey overview.

Printed: the data (generation and store-loading time, apart from mining); per size and engine the seconds,
work events per second (in all and per core), the peak resident memory of the driver (the Python process),
of the JVM (its child, VmHWM) and of the whole machine (MemTotal - MemAvailable, sampled every 0.5 s);
Spark's session start apart from its reduction; the reduction's time at several spark.sql.shuffle.partitions
(and with the input re-written as fewer or more files); and the projection for 1 billion events on N
executors, with its assumptions. Each run is its own process, so its memory is its own.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

os.environ.setdefault("PM4PY_SHOW_PROGRESS_BAR", "False")

from spark_data import BenchData, ensure_bench_data, ensure_relaid  # a sibling script

MASTER = "local[2]"
MASTER_CORES = 2
DEFAULT_SHUFFLE_PARTITIONS = 2 * MASTER_CORES  # the engine's own for local[2] (mining/spark/session.py)
LEVELS = ("department", "team")
SAMPLE_SECONDS = 0.5
MB = 2**20
SMALL_FILES = 200  # the many-files layout: about this many event files, whatever the size
CLUSTER_EXECUTORS = (8, 32, 128)
CORES_PER_EXECUTOR = 4
PROJECTED_EVENTS = 1_000_000_000

Figures = dict[str, Any]
T = TypeVar("T")
PROGRESS_MARK = "bench-progress:"  # marks the stderr lines StepClock writes


# --- memory, read from /proc (psutil is not installed in the venv) -------------------------------------------


def _machine_used_bytes() -> int:
    """What the machine's processes hold: MemTotal - MemAvailable (page cache that could be dropped is free)."""
    values: dict[str, int] = {}
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            name, _, rest = line.partition(":")
            values[name] = int(rest.split()[0]) * 1024
    return values["MemTotal"] - values["MemAvailable"]


def _status_bytes(pid: int, name: str) -> int:
    """VmRSS or VmHWM of a process; 0 when it has gone meanwhile."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(name + ":"):
                    return int(line.split()[1]) * 1024
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def _descendants(root: int) -> list[int]:
    """The processes below `root` (the JVM PySpark starts, and whatever it starts), from /proc/*/stat."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                # the command name may hold spaces and parentheses: the fields after its last ')' are safe
                parent = int(stat.read().rpartition(")")[2].split()[1])
        except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry))
    found, waiting = [], [root]
    while waiting:
        for child in children.get(waiting.pop(), []):
            found.append(child)
            waiting.append(child)
    return found


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (the JVM's: the Python driver's own is not where Spark works)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rpartition(")")[2].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime: fields 14, 15


@dataclass
class MemoryWatch:
    """Samples the machine's used memory and this process tree's resident memory every SAMPLE_SECONDS in a
    thread, so a peak between two Spark jobs is seen; the JVM's own peak is read exactly from its VmHWM."""

    machine_baseline: int = 0
    machine_peak: int = 0
    tree_peak: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def _sample(self) -> None:
        self.machine_peak = max(self.machine_peak, _machine_used_bytes())
        tree = [os.getpid(), *_descendants(os.getpid())]
        self.tree_peak = max(self.tree_peak, sum(_status_bytes(pid, "VmRSS") for pid in tree))

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            self._sample()

    def start(self) -> None:
        self.machine_baseline = _machine_used_bytes()
        self._sample()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> Figures:
        self._sample()
        self._stop.set()
        if self._thread:
            self._thread.join()
        return {
            "machine_baseline_mb": self.machine_baseline / MB,
            "machine_peak_mb": self.machine_peak / MB,
            "tree_peak_mb": self.tree_peak / MB,
        }


def _driver_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _java_processes() -> list[int]:
    return [pid for pid in _descendants(os.getpid()) if Path(f"/proc/{pid}/comm").read_text().strip() == "java"]


@dataclass
class StepClock:
    """Times the parts of a run and reports each on stderr as it ends, so that a run killed at its timeout
    still tells how far it got and what each finished part cost."""

    watch: MemoryWatch
    seconds: dict[str, float] = field(default_factory=dict)

    def time(self, label: str, work: Callable[[], T]) -> T:
        started = time.perf_counter()
        result = work()
        self.seconds[label] = time.perf_counter() - started
        print(
            f"{PROGRESS_MARK} {label} {self.seconds[label]:.1f} s (machine peak so far "
            f"{self.watch.machine_peak / MB:,.0f} MB)",
            file=sys.stderr,
            flush=True,
        )
        return result


# --- the two engines, each run in a process of its own ---------------------------------------------------------


def _embedded(root: Path, store: Path, shuffle_partitions: int, driver_memory: str) -> Figures:
    """What the embedded engine runs for `journey mine`'s discovery on the store (bench/discovery.py's
    product, with team handovers too): define_scope, the coded scope, discover, journey_times. Takes the
    Spark settings too, unused, so that every step is called alike."""
    from eventlogs.store import connect_store
    from mining.discovery import engine as discovery_engine
    from mining.discovery.coded_scope import load_coded_scope
    from mining.scope.scope import define_scope

    baseline_mb = _driver_peak_mb()
    connection = connect_store(store, read_only=True)
    watch = MemoryWatch()
    watch.start()
    clock = StepClock(watch)
    started, cpu_started = time.perf_counter(), time.process_time()
    coded = clock.time("scope+coded", lambda: load_coded_scope(define_scope(connection), ("activity", *LEVELS)))
    clock.time("discover", lambda: discovery_engine.discover(coded, LEVELS))
    overview = clock.time("overview", lambda: discovery_engine.journey_times(coded))
    seconds = time.perf_counter() - started
    return {
        "step_seconds": clock.seconds,
        "work_events": len(coded.journey),
        "journeys": overview["journeys"],
        "median_lead_hours": overview["median_lead_hours"],
        "seconds": seconds,
        "cpu_seconds": time.process_time() - cpu_started,
        "baseline_mb": baseline_mb,
        **watch.stop(),
    }


def _spark(root: Path, store: Path, shuffle_partitions: int, driver_memory: str) -> Figures:
    """The Spark engine on the Parquet log: the session start timed apart, then the same tables as the
    embedded run (mining/spark: scope, tables, journeys), each collected to the driver as `journey mine`
    does."""
    from mining.spark import EventSource, define_spark_scope, register_source, spark_session
    from mining.spark import journeys as spark_journeys
    from mining.spark import tables as spark_tables

    baseline_mb = _driver_peak_mb()
    watch = MemoryWatch()
    watch.start()
    started = time.perf_counter()
    spark = spark_session(
        MASTER, {"spark.driver.memory": driver_memory, "spark.sql.shuffle.partitions": str(shuffle_partitions)}
    )
    spark.sparkContext.setLogLevel("ERROR")
    session_seconds = time.perf_counter() - started
    jvms = _java_processes()
    jvm_cpu_started = sum(_cpu_seconds(pid) for pid in jvms)
    clock = StepClock(watch)
    started = time.perf_counter()
    registered = clock.time("register", lambda: register_source(spark, EventSource.at(str(root))))
    # the scope's views are cached lazily: the work events are read and sorted by the first table's job
    scope = clock.time("scope", lambda: define_spark_scope(spark, registered))
    clock.time("variants", lambda: spark_tables.variants(scope))
    clock.time("dfg", lambda: spark_tables.directly_follows(scope))
    clock.time("start/end", lambda: spark_tables.start_end_activities(scope))
    for level in LEVELS:
        clock.time(f"handovers_{level}", lambda level=level: spark_tables.handovers(scope, level))
    overview = clock.time("overview", lambda: spark_journeys.journey_overview(scope))
    seconds = time.perf_counter() - started
    figures = {
        "step_seconds": clock.seconds,
        "work_events": int(overview["work_events"]),
        "journeys": overview["journeys"],
        "median_lead_hours": overview["median_lead_hours"],
        "seconds": seconds,
        "session_seconds": session_seconds,
        "cpu_seconds": sum(_cpu_seconds(pid) for pid in jvms) - jvm_cpu_started,
        "jvm_peak_mb": sum(_status_bytes(pid, "VmHWM") for pid in jvms) / MB,
        "baseline_mb": baseline_mb,
        "spark_version": spark.version,
        **watch.stop(),
    }
    spark.stop()
    return figures


STEPS = {"embedded": _embedded, "spark": _spark}


@dataclass(frozen=True)
class Run:
    """One engine on one data set with one setting, as the orchestrator asks for it."""

    step: str
    root: Path
    store: Path
    shuffle_partitions: int = DEFAULT_SHUFFLE_PARTITIONS


@dataclass
class Settings:
    driver_memory: str
    timeout_seconds: float


def _run(run: Run, settings: Settings) -> Figures | str:
    """Runs one engine in a fresh process group (the JVM included); its figures, or why there are none.
    On timeout the whole group is killed, so no JVM is left behind holding memory."""
    command = [
        sys.executable,
        __file__,
        "--step",
        run.step,
        "--root",
        str(run.root),
        "--store",
        str(run.store),
        "--shuffle-partitions",
        str(run.shuffle_partitions),
        "--driver-memory",
        settings.driver_memory,
    ]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        stdout, stderr = process.communicate(timeout=settings.timeout_seconds)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        _, stderr = process.communicate()
        done = [line.removeprefix(PROGRESS_MARK).strip() for line in stderr.splitlines() if PROGRESS_MARK in line]
        return f"did not finish in {_duration(settings.timeout_seconds)} (killed); finished parts: " + (
            "; ".join(done) or "none"
        )
    if process.returncode != 0:
        lines = [line for line in stderr.strip().splitlines() if line.strip()]
        reason = next((line for line in reversed(lines) if "Error" in line or "Exception" in line), lines[-1:])
        return f"failed (exit {process.returncode}): {str(reason)[:300]}"
    return json.loads(stdout.strip().splitlines()[-1])


# --- printing ----------------------------------------------------------------------------------------------------


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.1f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


ENGINE_HEADER = (
    f"  {'size':>5} {'engine':8} {'work events':>13} {'start s':>8} {'seconds':>8} {'k ev/s':>8} "
    f"{'k ev/s/core':>11} {'k ev/CPU-s':>10} {'driver MB':>10} {'JVM MB':>8} {'tree MB':>8} "
    f"{'machine MB':>11} {'(+ run)':>8}"
)


def _engine_line(size: int, engine: str, figures: Figures | str) -> str:
    if isinstance(figures, str):
        return f"  {size:>4}M {engine:8} {figures}"
    events, seconds = figures["work_events"], figures["seconds"]
    start = f"{figures['session_seconds']:8.1f}" if "session_seconds" in figures else f"{'-':>8}"
    jvm = f"{figures['jvm_peak_mb']:8,.0f}" if "jvm_peak_mb" in figures else f"{'-':>8}"
    rise = figures["machine_peak_mb"] - figures["machine_baseline_mb"]
    return (
        f"  {size:>4}M {engine:8} {events:>13,} {start} {seconds:8.1f} {events / seconds / 1e3:8,.0f} "
        f"{events / seconds / MASTER_CORES / 1e3:11,.0f} {events / max(figures['cpu_seconds'], 1e-9) / 1e3:10,.0f} "
        f"{figures['peak_mb']:10,.0f} {jvm} {figures['tree_peak_mb']:8,.0f} "
        f"{figures['machine_peak_mb']:11,.0f} {rise:+8,.0f}"
    )


def _steps_line(figures: Figures) -> str:
    parts = ", ".join(f"{label} {seconds:.1f}" for label, seconds in figures["step_seconds"].items())
    return f"{'':16}seconds by part: {parts}"


def _same_answer(embedded: Figures | str, spark: Figures | str) -> str:
    """A check that both engines read the same log: journeys, work events and the median lead time."""
    if isinstance(embedded, str) or isinstance(spark, str):
        return ""
    same = all(embedded[key] == spark[key] for key in ("journeys", "work_events")) and abs(
        embedded["median_lead_hours"] - spark["median_lead_hours"]
    ) < 1e-6 * max(1.0, abs(embedded["median_lead_hours"]))
    ratio = embedded["work_events"] / embedded["seconds"] / (spark["work_events"] / spark["seconds"])
    verdict = "same journeys, work events and median lead time" if same else "ENGINES DISAGREE"
    return f"         {verdict}; the embedded engine is {ratio:,.1f}x Spark {MASTER}'s rate"


def _data_line(size: int, data: BenchData) -> str:
    files = list((data.root / "events").glob("*/*.parquet"))
    months = len({file.parent for file in files})
    on_disk = sum(file.stat().st_size for file in files) / MB

    def built(seconds: float | None, now: bool) -> str:
        if seconds is None:
            return "(time not recorded)"
        return _duration(seconds) + ("" if now else " (when first built)")

    generated = built(data.generate_seconds, data.generated_now)
    loaded = built(data.store_seconds, data.loaded_now)
    return (
        f"  {size:>4}M  Parquet: {len(files)} files in {months} months, {on_disk:,.0f} MB, generated in {generated}; "
        f"store for the embedded engine loaded from it (with its coded copy) in {loaded}"
    )


@dataclass(frozen=True)
class SparkPoint:
    size: int
    work_events: int
    seconds: float
    session_seconds: float
    jvm_peak_mb: float


def _projection(points: list[SparkPoint]) -> list[str]:
    """The time for PROJECTED_EVENTS on N executors of CORES_PER_EXECUTOR cores, from each measured rate per
    core and, with two sizes or more, from a line through the two largest (its intercept is the fixed cost
    of planning, scheduling and collecting the small results; its slope the cost per event)."""
    lines = [
        f"Projection, on paper: {PROJECTED_EVENTS / 1e9:.0f} billion work events on N executors of "
        f"{CORES_PER_EXECUTOR} cores each. Assumed: the shuffle-bound stages (window sorts by journey, "
        "aggregations) scale linearly with cores, as rate per core x cores, with no skew (journeys are small); "
        "the session start and the collect of the small results are fixed costs, not divided by executors; "
        f"the cluster's shuffle over the network costs no more per event than {MASTER}'s over local disk (it "
        "usually costs more: read the figures as a lower bound); each executor holds its share of the cached "
        "scope in memory or spills it to local disk as the local run did.",
    ]
    session = max(point.session_seconds for point in points)
    columns: list[tuple[str, float, float]] = []  # (label, fixed seconds, seconds per event on one core)
    for point in points:
        columns.append((f"rate at {point.size}M", 0.0, point.seconds * MASTER_CORES / point.work_events))
    if len(points) >= 2:
        small, large = points[-2], points[-1]
        slope = (large.seconds - small.seconds) / (large.work_events - small.work_events)
        fixed = max(0.0, small.seconds - slope * small.work_events)
        if slope > 0:
            columns.append((f"line {small.size}M-{large.size}M", fixed, slope * MASTER_CORES))
            lines.append(
                f"  line through {small.size}M and {large.size}M: fixed {fixed:.1f} s per run, "
                f"{1 / (slope * MASTER_CORES) / 1e3:,.1f} k events/s per core beyond it"
            )
    for point in points:
        rate = point.work_events / point.seconds / MASTER_CORES
        lines.append(
            f"  measured at {point.size}M: {rate / 1e3:,.1f} k work events/s per core ({point.work_events:,} in "
            f"{point.seconds:.1f} s on {MASTER_CORES} cores), JVM peak {point.jvm_peak_mb / 1024:.1f} GB"
        )
    lines.append(f"  session start (fixed, added to each): {session:.1f} s as measured locally")
    lines.append(f"  {'executors':>9} {'cores':>6} {'events/core':>12}   " + "".join(f"{c[0]:>18}" for c in columns))
    for executors in CLUSTER_EXECUTORS:
        cores = executors * CORES_PER_EXECUTOR
        cells = "".join(
            f"{_duration(session + fixed + PROJECTED_EVENTS * per_event / cores):>18}"
            for _, fixed, per_event in columns
        )
        lines.append(f"  {executors:>9} {cores:>6} {PROJECTED_EVENTS / cores / 1e6:>10.1f} M   {cells}")
    return lines


# --- the orchestration -------------------------------------------------------------------------------------------


def _thousands_per_second(figures: Figures) -> float:
    return figures["work_events"] / figures["seconds"] / 1e3


def _partition_sweep(
    data: BenchData, size: int, partition_counts: list[int], known: dict[int, Figures | str], settings: Settings
) -> tuple[list[str], dict[int, Figures | str]]:
    """Spark's reduction at each spark.sql.shuffle.partitions; `known` holds runs already made (the
    engines' run at the default), which are not repeated."""
    if not partition_counts:
        return [], {}
    lines = [
        "",
        f"Spark {MASTER} reduction time by spark.sql.shuffle.partitions, {size}M work events (adaptive query "
        "execution on, as the engine runs: it may coalesce small shuffle partitions):",
        f"  {'partitions':>10} {'seconds':>8} {'k ev/s':>8} {'JVM MB':>8} {'machine MB':>11}",
    ]
    print(lines[1], flush=True)
    by_partitions: dict[int, Figures | str] = {}
    for partitions in partition_counts:
        figures = by_partitions[partitions] = known.get(partitions) or _run(
            Run("spark", data.root, data.store, partitions), settings
        )
        if isinstance(figures, str):
            lines.append(f"  {partitions:>10} {figures}")
        else:
            lines.append(
                f"  {partitions:>10} {figures['seconds']:8.1f} {_thousands_per_second(figures):8,.1f} "
                f"{figures['jvm_peak_mb']:8,.0f} {figures['machine_peak_mb']:11,.0f}"
            )
        print(lines[-1], flush=True)
    return lines, by_partitions


def _layout_runs(
    data: BenchData, size: int, layouts: list[str], as_generated: Figures | str | None, settings: Settings
) -> list[str]:
    """Spark's reduction with the events re-written as fewer or more files (the layout as generated reuses
    `as_generated`, its run at the default partitions, when there is one)."""
    lines = [
        "",
        f"Spark {MASTER} by number of input files, {size}M work events, "
        f"{DEFAULT_SHUFFLE_PARTITIONS} shuffle partitions:",
        f"  {'layout':12} {'files':>6} {'re-write s':>10} {'seconds':>8} {'k ev/s':>8}",
    ]
    print(lines[1], flush=True)
    chunk_files = sum(1 for _ in (data.root / "events").glob("*/*.parquet"))
    candidates: list[tuple[str, Path, int, str]] = [("as generated", data.root, chunk_files, "-")]
    for layout in layouts:
        started = time.perf_counter()
        root, files = ensure_relaid(data.root, layout, max(10_000, data.work_events // SMALL_FILES))
        candidates.append((layout, root, files, f"{time.perf_counter() - started:.1f}"))
    for layout, root, files, rewrite in candidates:
        reused = as_generated if root == data.root else None
        figures = reused or _run(Run("spark", root, data.store), settings)
        if isinstance(figures, str):
            lines.append(f"  {layout:12} {files:>6} {rewrite:>10} {figures}")
        else:
            lines.append(
                f"  {layout:12} {files:>6} {rewrite:>10} {figures['seconds']:8.1f} "
                f"{_thousands_per_second(figures):8,.1f}"
            )
        print(lines[-1], flush=True)
    return lines


def _sizes(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="10,100", help="millions of work events, comma-separated")
    parser.add_argument("--partitions", default="2,4,8,16,64", help="spark.sql.shuffle.partitions to time")
    parser.add_argument(
        "--partitions-size",
        type=int,
        help="the size (millions) the partition sweep runs on: 10 if measured, else the smallest",
    )
    parser.add_argument(
        "--layouts",
        default="month_files,small_files",
        help="input re-written as: month_files, small_files; '' for none",
    )
    parser.add_argument("--driver-memory", default="14g", help="spark.driver.memory (local mode: the whole JVM)")
    parser.add_argument("--timeout-minutes", type=float, default=30.0, help="a run longer than this is killed")
    parser.add_argument("--step", choices=sorted(STEPS), help=argparse.SUPPRESS)
    parser.add_argument("--root", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--store", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--shuffle-partitions", type=int, default=DEFAULT_SHUFFLE_PARTITIONS, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.step:
        figures = STEPS[arguments.step](
            arguments.root, arguments.store, arguments.shuffle_partitions, arguments.driver_memory
        )
        print(json.dumps({**figures, "peak_mb": _driver_peak_mb()}))
        return

    settings = Settings(arguments.driver_memory, arguments.timeout_minutes * 60)
    sizes = _sizes(arguments.sizes)
    sweep_size = arguments.partitions_size or (10 if 10 in sizes else min(sizes))
    total_memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    print(
        f"{os.cpu_count()} cores, {total_memory:.0f} GB RAM; Spark {MASTER}, driver memory {settings.driver_memory}, "
        f"{DEFAULT_SHUFFLE_PARTITIONS} shuffle partitions unless said; rates count work events",
        flush=True,
    )
    report: list[str] = ["", "Data (demo simulator, true events; cached under outputs/bench/):"]
    engines: list[str] = [
        "",
        "Engines (same work: scope, variants, DFG, start/end, handovers department and team, overview):",
        ENGINE_HEADER,
    ]
    points: list[SparkPoint] = []
    data_by_size: dict[int, BenchData] = {}
    spark_by_size: dict[int, Figures | str] = {}
    for size in sorted(set(sizes) | {sweep_size}):
        print(f"{size}M: data", flush=True)
        data = data_by_size[size] = ensure_bench_data(size * 1_000_000)
        report.append(_data_line(size, data))
        print(report[-1], flush=True)
        if size not in sizes:
            continue
        results = {}
        for engine in ("embedded", "spark"):
            print(f"{size}M: {engine} ...", flush=True)
            results[engine] = _run(Run(engine, data.root, data.store), settings)
            lines = [_engine_line(size, engine, results[engine])]
            if not isinstance(results[engine], str):
                lines.append(_steps_line(results[engine]))
            engines += lines
            print("\n".join(lines), flush=True)
        if check := _same_answer(results["embedded"], results["spark"]):
            engines.append(check)
            print(check, flush=True)
        spark = spark_by_size[size] = results["spark"]
        if not isinstance(spark, str):
            points.append(
                SparkPoint(size, spark["work_events"], spark["seconds"], spark["session_seconds"], spark["jvm_peak_mb"])
            )

    sweep_data = data_by_size[sweep_size]
    known = {DEFAULT_SHUFFLE_PARTITIONS: spark_by_size[sweep_size]} if sweep_size in spark_by_size else {}
    sweep, by_partitions = _partition_sweep(sweep_data, sweep_size, _sizes(arguments.partitions), known, settings)
    layouts = [layout for layout in arguments.layouts.split(",") if layout.strip()]
    if layouts:
        sweep += _layout_runs(sweep_data, sweep_size, layouts, by_partitions.get(DEFAULT_SHUFFLE_PARTITIONS), settings)
    projection = ["", *_projection(points)] if points else ["", "No Spark run finished: no projection."]
    print("\n".join(["", "=" * 40, "Figures", *report, *engines, *sweep, *projection]), flush=True)


if __name__ == "__main__":
    main()
