"""Every output says what it was made from: a store loaded by two runs (two hand-made CSV logs), mined and
compared; the pages' headers, each Parquet file's metadata, provenance.json and the run summary carry the
same load runs, period and configuration hashes.

The logs (UTC): a.csv holds c1, 2026-03-02 09:00 .. 16:00; b.csv holds c2, 2026-03-10 09:30 .. 20:15.
So the first event is 2026-03-02 09:00, the last 2026-03-10 20:15, and the extraction moment (the latest
instant the store records: c2 closes at its last event) 2026-03-10 20:15.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from eventlogs.pipeline import extract_and_load
from eventlogs.sources.ocel2.copies import JourneyCopies
from mining.report.run_summary import run_summary_markdown
from mining.runs.compare import compare
from mining.runs.mine import mine
from mining.scope.provenance import PARQUET_KEY, store_provenance
from mining.scope.time_rules import load_time_rules

LOGS = {
    "a": """case,activity,time,dept
c1,Open,2026-03-02 09:00:00,Service Desk
c1,Approve,2026-03-02 13:00:00,Management
c1,Close,2026-03-02 16:00:00,Service Desk
""",
    "b": """case,activity,time,dept
c2,Open,2026-03-10 09:30:00,Service Desk
c2,Approve,2026-03-10 12:00:00,Management
c2,Close,2026-03-10 20:15:00,Service Desk
""",
}
CONFIG = """
[sources.{name}]
kind = "csv_event_log"
path = "{name}.csv"
journey_type = "ticket"
timezone = "UTC"
[sources.{name}.fields]
journey_id = "case"
activity = "activity"
timestamp = "time"
department = "dept"
"""
TIME_RULES = """
calendars:
  office:
    timezone: UTC
    hours: {mon-fri: "08:00-18:00"}
default_calendar: office
"""
DESIGN = """
name: Ticket
journey_type: ticket
journey_noun: tickets
end_to_end_norm: 1d
stages:
  - {name: open, department: Service Desk, activities: [Open]}
  - {name: approve, department: Management, activities: [Approve]}
  - {name: close, department: Service Desk, activities: [Close]}
handover_norms:
  - {from: Service Desk, to: Management, norm: 4h}
"""
PERIOD = "events 2026-03-02 09:00 UTC to 2026-03-10 20:15 UTC, extracted 2026-03-10 20:15 UTC"


@pytest.fixture()
def two_runs(tmp_path: Path) -> tuple[Path, list[str]]:
    """The store and its two load run ids, in load order."""
    store = tmp_path / "store.duckdb"
    run_ids = []
    for name, log in LOGS.items():
        (tmp_path / f"{name}.csv").write_text(log)
        (tmp_path / f"{name}.toml").write_text(CONFIG.format(name=name))
        (result,) = extract_and_load(tmp_path / f"{name}.toml", store)
        assert result.rows_loaded == 3
        run_ids.append(result.run_id)
    return store, run_ids


def _header(page: Path) -> str:
    found = re.search(r"<header>(.*?)</header>", page.read_text(), re.DOTALL)
    assert found, page
    return found.group(1)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_mine_names_runs_period_and_config_hash_in_header_parquet_and_json(
    two_runs: tuple[Path, list[str]], tmp_path: Path
) -> None:
    store, (first_run, second_run) = two_runs
    rules = tmp_path / "office.time.yaml"
    rules.write_text(TIME_RULES)
    out = tmp_path / "mined"
    written = mine(store, out, time_rules=load_time_rules(rules))
    digest = _sha256(rules)

    header = _header(out / "mining_report.html")
    assert f"{first_run} (a)" in header and f"{second_run} (b)" in header
    assert PERIOD in header
    assert f"time rules office.time.yaml (sha256 {digest[:12]})" in header

    assert out / "provenance.json" in written
    made_from = json.loads((out / "provenance.json").read_text())
    assert [(run["run_id"], run["sources"]) for run in made_from["load_runs"]] == [
        (first_run, ["a"]),
        (second_run, ["b"]),
    ]
    assert (made_from["first_event"], made_from["last_event"], made_from["extracted_at"]) == (
        "2026-03-02T09:00:00+00:00",
        "2026-03-10T20:15:00+00:00",
        "2026-03-10T20:15:00+00:00",
    )
    assert made_from["config_files"] == [{"role": "time rules", "name": "office.time.yaml", "sha256": digest}]
    assert made_from["code_version"] and made_from["code_commit"]  # "unknown" at worst, never missing

    tables = [path for path in written if path.suffix == ".parquet"]
    assert len(tables) >= 11  # every table of `journey mine`
    for path in tables:  # the same provenance in every file, beside pandas' own metadata
        metadata = pq.read_schema(path).metadata
        assert json.loads(metadata[PARQUET_KEY]) == made_from, path
        assert b"pandas" in metadata


def test_compare_page_and_tables_name_the_design_and_time_rules(
    two_runs: tuple[Path, list[str]], tmp_path: Path
) -> None:
    store, (first_run, second_run) = two_runs
    design, rules = tmp_path / "ticket.journey.yaml", tmp_path / "office.time.yaml"
    design.write_text(DESIGN)
    rules.write_text(TIME_RULES)
    out = tmp_path / "compared"
    written = compare(store, design, out, rules)

    header = _header(out / "designed_journey.html")
    assert first_run in header and second_run in header and PERIOD in header
    assert f"designed journey ticket.journey.yaml (sha256 {_sha256(design)[:12]})" in header
    assert f"time rules office.time.yaml (sha256 {_sha256(rules)[:12]})" in header
    made_from = json.loads((out / "provenance.json").read_text())
    assert {file["name"]: file["sha256"] for file in made_from["config_files"]} == {
        "ticket.journey.yaml": _sha256(design),
        "office.time.yaml": _sha256(rules),
    }
    for path in (path for path in written if path.suffix == ".parquet"):
        assert json.loads(pq.read_schema(path).metadata[PARQUET_KEY]) == made_from, path


def test_the_run_summary_says_what_it_was_made_from_and_what_was_copied(
    two_runs: tuple[Path, list[str]], tmp_path: Path
) -> None:
    store, (first_run, second_run) = two_runs
    config = tmp_path / "a.toml"
    provenance = store_provenance(store, {"sources": config})
    # an OCEL source that copied 4 events into several journeys: 5 extra journey events, Pack 3-fold at most
    copies = JourneyCopies("shop", 4, 5, "Pack", 3)
    ledger = [
        {"source": "a", "rows_read": 3, "rows_loaded": 3, "rows_rejected": 0, "rows_duplicate": 0},
        {"source": "shop", "rows_read": 9, "rows_loaded": 9, "rows_rejected": 0, "rows_duplicate": 0}
        | {"journey_copies": copies},
    ]
    summary = run_summary_markdown(second_run, "x", ledger, [], {}, tmp_path / "report.html", provenance)
    made_from = summary.split("## Made from", 1)[1]
    assert f"{first_run} (a); {second_run} (b)" in made_from
    assert PERIOD in made_from
    assert f"sources a.toml (sha256 {_sha256(config)[:12]})" in made_from
    copied = "shop: 4 events copied into several journeys (5 extra copies; event type 'Pack': 3-fold at most)"
    assert copied in summary.split("## Data quality", 1)[0]  # under the load ledger
