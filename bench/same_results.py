"""Do two versions of the code give the same results? For a refactoring that must change no result.

    python bench/same_results.py write OUT          # this checkout's results on the demo and BPIC 2013
    python bench/same_results.py compare OUT_A OUT_B

`write` runs `journey demo`, then `journey mine`, `journey compare` and `journey pilot` on the demo store
and on the BPI Challenge 2013 incidents (from JOURNEY_REALDATA, default ../shared/data; skipped with a
note when missing), with a fixed pseudonym key. `compare` checks every Parquet table row for row (the
columns that name a run or the moment it ran excepted) and every HTML and Markdown page as text, with
times and run ids blanked; it prints each difference and exits 1 when there is one.

Run `write` with two checkouts' .venv/bin/python (same session), then `compare` once.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

REPOSITORY = Path(__file__).resolve().parents[1]
EXAMPLES = REPOSITORY / "eventlogs" / "examples"
DEMO = REPOSITORY / "eventlogs" / "demo"
# columns that say which run wrote a row or when, not what was found
VOLATILE_COLUMNS = {"run_id", "load_run_id", "started_at", "finished_at", "written_at", "align_ms"}
RELATIVE_TOLERANCE = 1e-9
_VOLATILE_TEXT = [
    (re.compile(r"\d{8}T\d{6}Z-[0-9a-f]{6}"), "<run>"),
    (re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z| UTC)?"), "<time>"),
    (re.compile(r"commit [0-9a-f]{4,40}"), "commit <commit>"),  # the pages' provenance: two code versions
]


def _journey(*args: str) -> None:
    command = [str(Path(sys.executable).parent / "journey"), *args]
    print("$", " ".join(command[1:]), flush=True)
    subprocess.run(command, check=True, env={**os.environ, "JOURNEY_PSEUDONYM_KEY": "same-results-fixed-key-0001"})


def _analyses(store: Path, out: Path, design: Path, rules: Path, pilot: list[str]) -> None:
    common = ["--store", str(store), "--time-rules", str(rules)]
    _journey("mine", *common, "--out", str(out / "mine"))
    _journey("compare", *common, "--journey", str(design), "--out", str(out / "compare"))
    _journey("pilot", *common, "--journey", str(design), "--out", str(out / "pilot"), *pilot)


def write(out: Path) -> None:
    demo = out / "demo"
    _journey("demo", "--out", str(demo), "--journeys", "2000", "--seed", "7", "--regenerate")
    _analyses(
        demo / "journeys.duckdb",
        demo / "analyses",
        DEMO / "laptop_request.journey.yaml",
        DEMO / "time_rules.yaml",
        ["--config", str(DEMO / "demo_sources.toml")],
    )
    data = Path(os.environ.get("JOURNEY_REALDATA", REPOSITORY.parent / "shared" / "data"))
    if not (data / "bpic2013_incidents.xes.gz").exists():
        print(f"BPI Challenge 2013 not found in {data}: skipped")
        return
    bpic = out / "bpic2013"
    store = bpic / "journeys.duckdb"
    store.unlink(missing_ok=True)
    config = EXAMPLES / "bpic2013_incidents.toml"
    _journey("extract", "--config", str(config), "--data", str(data), "--store", str(store))
    _analyses(
        store,
        bpic,
        EXAMPLES / "bpic2013_incidents.journey.yaml",
        EXAMPLES / "bpic2013_incidents.time.yaml",
        ["--change-date", "2012-05-01"],
    )


def _text(path: Path) -> str:
    text = path.read_text()
    for pattern, replacement in _VOLATILE_TEXT:
        text = pattern.sub(replacement, text)
    return text


def _same_rows_in_another_order(left: pa.Table, right: pa.Table) -> bool:
    """Whether two tables hold the same rows (floats rounded to 9 significant digits) in another order."""

    def rows(table: pa.Table) -> list[tuple[str, ...]]:
        columns = [
            [f"{value:.9g}" if isinstance(value, float) else repr(value) for value in column.to_pylist()]
            for column in table.columns
        ]
        return sorted(zip(*columns, strict=True))

    return rows(left) == rows(right)


def _table_difference(a: Path, b: Path) -> str | None:
    left, right = pq.read_table(a), pq.read_table(b)
    if left.column_names != right.column_names:
        return f"columns {left.column_names} != {right.column_names}"
    kept = [name for name in left.column_names if name not in VOLATILE_COLUMNS]
    left, right = left.select(kept), right.select(kept)
    if left.num_rows != right.num_rows:
        return f"{left.num_rows} rows != {right.num_rows} rows"
    for name in kept:
        a, b = left.column(name), right.column(name)
        if pa.types.is_floating(a.type):
            x, y = a.to_numpy(zero_copy_only=False), b.to_numpy(zero_copy_only=False)
            close = np.isclose(x, y, rtol=RELATIVE_TOLERANCE, atol=RELATIVE_TOLERANCE, equal_nan=True)
            if not close.all():
                first = int(np.flatnonzero(~close)[0])
                return f"column {name}, row {first}: {x[first]!r} != {y[first]!r}"
        elif not a.equals(b):
            first = next(i for i in range(left.num_rows) if a[i] != b[i])
            order = " (the same rows in another order)" if _same_rows_in_another_order(left, right) else ""
            return f"column {name}, row {first}: {a[first]} != {b[first]}{order}"
    return None


def compare(a: Path, b: Path) -> int:
    files = sorted(
        path.relative_to(a)
        for path in a.rglob("*")
        if path.suffix in {".parquet", ".html", ".md"} and "sources" not in path.parts
    )
    others = {path.relative_to(b) for path in b.rglob("*") if path.suffix in {".parquet", ".html", ".md"}}
    problems = [f"{name}: only in {b}" for name in sorted(others - set(files)) if "sources" not in name.parts]
    for name in files:
        if name not in others:
            problems.append(f"{name}: only in {a}")
        elif name.suffix == ".parquet":
            difference = _table_difference(a / name, b / name)
            if difference:
                problems.append(f"{name}: {difference}")
        elif _text(a / name) != _text(b / name):
            problems.append(f"{name}: text differs")
    print(f"compared {len(files)} files: {len(problems)} differ")
    for problem in problems:
        print("  " + problem)
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "write":
        write(Path(sys.argv[2]).resolve())
    elif len(sys.argv) == 4 and sys.argv[1] == "compare":
        sys.exit(compare(Path(sys.argv[2]), Path(sys.argv[3])))
    else:
        sys.exit(__doc__)
