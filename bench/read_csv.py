"""Benchmark: read a well-formed CSV event log of N rows as text; prints rows/s of read_csv_as_text.

    .venv/bin/python bench/read_csv.py --rows 1000000

Figures, not a test. The machine may be shared, so the CPU seconds of this process are printed beside
the wall time, and the best of --repeat reads is kept. For comparison it also times a bare pyarrow read
of the same file (the reader before records were read one by one: no line numbers, no per-record rejects).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from eventlogs.sources.shared.csv_text import read_csv_as_text

HEADER = "case,activity,time,who,team,note\n"


def write_log(path: Path, rows: int) -> None:
    """`rows` events of 10 activities over rows / 10 cases, one second apart; a free-text note column
    with commas inside quotes, as exports have them."""
    with path.open("w") as file:
        file.write(HEADER)
        for n in range(rows):
            minute, second = divmod(n % 3600, 60)
            file.write(
                f"case-{n // 10},Activity {n % 10},2026-03-02 {n % 24:02d}:{minute:02d}:{second:02d},"
                f'person{n % 97},team{n % 7},"note {n}, plain"\n'
            )


def best_of(repeat: int, read: Callable[[], int]) -> tuple[float, float, int]:
    """The fastest (wall seconds, CPU seconds, rows) of `repeat` reads."""
    best = (float("inf"), 0.0, 0)
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        rows = read()
        best = min(best, (time.perf_counter() - wall, time.process_time() - cpu, rows))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "log.csv"
        write_log(path, arguments.rows)
        size = path.stat().st_size
        print(f"{arguments.rows:,} rows, {size / 1e6:.0f} MB")

        def ours() -> int:
            return read_csv_as_text(path, "bench", ("case", "activity", "time")).table.num_rows

        def bare_pyarrow() -> int:
            options = pacsv.ConvertOptions(column_types=dict.fromkeys(HEADER.strip().split(","), pa.string()))
            return pacsv.read_csv(path, convert_options=options).num_rows

        for name, read in (("read_csv_as_text", ours), ("bare pyarrow read_csv", bare_pyarrow)):
            wall, cpu, rows = best_of(arguments.repeat, read)
            assert rows == arguments.rows, f"{name} read {rows} rows, not {arguments.rows}"
            print(f"{name:24} {rows / wall:>12,.0f} rows/s  ({wall:.2f} s wall, {cpu:.2f} s CPU)")


if __name__ == "__main__":
    main()
