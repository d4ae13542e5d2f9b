"""Shared fixtures: a hand-made store whose answers were worked out on paper, a small demo, and the real
public logs loaded once per session."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pytest

from eventlogs.config import load_source_config
from eventlogs.demo.sources import DemoFiles, DemoSourceWriter
from eventlogs.extract import extract_source
from eventlogs.pipeline import extract_and_load
from eventlogs.staging import StagedSource
from eventlogs.store import connect_store
from eventlogs.store.loader import load_staged
from flows.paths import DEMO_SOURCE_CONFIG
from tests.realdata import REPOSITORY, real_data_file

if TYPE_CHECKING:
    from playwright.sync_api import Browser

os.environ.setdefault("PM4PY_SHOW_PROGRESS_BAR", "False")

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday

# (journey, activity, department, hours after T0). Hand-computed answers are in the tests.
HAND_EVENTS = [
    ("J1", "A", "Service Desk", 0),
    ("J1", "B", "Management", 10),
    ("J1", "C", "Procurement", 30),
    ("J1", "D", "Service Desk", 31),
    ("J2", "A", "Service Desk", 0),
    ("J2", "B", "Management", 4),
    ("J2", "C", "Procurement", 6),
    ("J2", "B", "Management", 16),
    ("J2", "C", "Procurement", 20),
    ("J2", "D", "Service Desk", 22),
    ("J3", "A", "Service Desk", 0),
    ("J3", "B", "Management", 48),
]
HAND_CLOSED_AT = {"J1": 31, "J2": 22, "J3": None}

EXAMPLES = REPOSITORY / "eventlogs" / "examples"


def hand_made_store(
    store: Path | duckdb.DuckDBPyConnection, journeys: Iterable[dict], events: Iterable[dict]
) -> duckdb.DuckDBPyConnection:
    """Writes hand-made journeys and events rows, in the order given, into the store at `store` (created
    by connect_store) or into an open connection, and returns the connection. Each row is a dict of column
    -> value; columns left out are NULL, except journey_type 't' (journeys), source 'hand' and
    load_run_id 'r1'."""
    connection = connect_store(store) if isinstance(store, Path) else store
    defaults = {"journeys": {"journey_type": "t", "source": "hand", "load_run_id": "r1"}}
    defaults["events"] = {"source": "hand", "load_run_id": "r1"}
    for table, rows in (("journeys", journeys), ("events", events)):
        for row in rows:
            values = {**defaults[table], **row}
            connection.execute(
                f"INSERT INTO {table} ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
                list(values.values()),
            )
    return connection


def journey_row(journey_id: str, opened_at: datetime | None, closed_at: datetime | None, **columns) -> dict:
    """A journeys row for hand_made_store: open when it has no closing time."""
    return {
        "journey_id": journey_id,
        "opened_at": opened_at,
        "closed_at": closed_at,
        "is_open": closed_at is None,
    } | columns


def event_row(
    journey_id: str, activity: str, ts: datetime, department: str | None, source_event_id: str, **columns
) -> dict:
    """An events row for hand_made_store: a work event unless event_kind says otherwise."""
    row = {"journey_id": journey_id, "activity": activity, "ts": ts, "department": department}
    return row | {"event_kind": "work", "source_event_id": source_event_id} | columns


@pytest.fixture()
def hand_store(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Three journeys (J3 still open); plus a customer contact and an assignment change that must not
    count as steps of the journey."""
    journeys = [journey_row(j, T0, None if c is None else T0 + timedelta(hours=c)) for j, c in HAND_CLOSED_AT.items()]
    rows = [(j, a, T0 + timedelta(hours=h), d, "work", f"{j}-{i}") for i, (j, a, d, h) in enumerate(HAND_EVENTS)]
    rows.append(("J1", "Customer contact", T0 + timedelta(hours=5), "Customer", "contact", "c1"))
    rows.append(("J1", "Assigned", T0 + timedelta(hours=10), "Procurement", "assignment", "g1"))
    events = [event_row(j, a, ts, d, e, event_kind=k, team=d + " team") for j, a, ts, d, k, e in rows]
    connection = hand_made_store(tmp_path / "hand.duckdb", journeys, events)
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def small_demo(tmp_path_factory: pytest.TempPathFactory) -> DemoFiles:
    """A 600-journey demo organisation (seeded), generated once per test session."""
    return DemoSourceWriter(n_journeys=600, seed=11).write(tmp_path_factory.mktemp("demo") / "sources")


@pytest.fixture(scope="session")
def demo_store(small_demo: DemoFiles, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 600-journey demo through its source systems, extraction and loading (with its data defects),
    loaded once per session; tests only read it. No explicit refresh of the coded copy: the loader builds
    it in the load's own transaction."""
    folder = tmp_path_factory.mktemp("demo_store")
    store = folder / "journeys.duckdb"
    load_staged(store, stage_demo(small_demo, folder / "staging"), "run-1")
    return store


@pytest.fixture(scope="session")
def small_demo_truth(small_demo: DemoFiles) -> dict:
    return json.loads(small_demo.ground_truth.read_text())


def stage_demo(demo: DemoFiles, staging: Path) -> list[StagedSource]:
    config = load_source_config(DEMO_SOURCE_CONFIG, demo.folder)
    return [extract_source(source, staging / name) for name, source in config.sources.items()]


def _load_real_log(tmp_path_factory: pytest.TempPathFactory, config: str, log: str) -> tuple[Path, list]:
    """Extracts and loads a real public log (skipped, with the reason, when its file is missing) with its
    example configuration; returns the store and the load's results."""
    data = real_data_file(log)
    store = tmp_path_factory.mktemp(Path(config).stem) / "store.duckdb"
    return store, extract_and_load(EXAMPLES / config, store, data.parent)


@pytest.fixture(scope="session")
def helpdesk_load(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list]:
    """The Helpdesk log loaded once per session: (store, load results). Tests only read the store."""
    return _load_real_log(tmp_path_factory, "helpdesk.toml", "helpdesk.csv")


@pytest.fixture(scope="session")
def bpic2013_load(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list]:
    """BPI Challenge 2013 incidents loaded once per session: (store, load results). Tests only read it."""
    return _load_real_log(tmp_path_factory, "bpic2013_incidents.toml", "bpic2013_incidents.xes.gz")


@pytest.fixture(scope="session")
def helpdesk_store(helpdesk_load: tuple[Path, list]) -> Path:
    return helpdesk_load[0]


@pytest.fixture(scope="session")
def bpic2013_store(bpic2013_load: tuple[Path, list]) -> Path:
    return bpic2013_load[0]


CHROMIUM = Path("/usr/bin/chromium")  # Debian's: Playwright's own browser download does not work here
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium driven by Playwright, for the tests that open pages; skipped when either is
    missing, unless CI=true (then the set-up forgot it: a failure)."""
    problem = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        problem = "Playwright is not installed (pip install -r requirements.lock)"
    if problem is None and not CHROMIUM.exists():
        problem = f"Chromium is missing at {CHROMIUM} (make browser, or apt-get install -y chromium)"
    if problem is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(problem)
        pytest.skip(problem)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
