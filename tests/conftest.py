"""Shared fixtures: a hand-made store whose answers were worked out on paper, and a small demo."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from eventlogs.config import load_source_config
from eventlogs.demo.sources import DemoFiles, DemoSourceWriter
from eventlogs.extract import extract_source
from eventlogs.loader import load_staged
from eventlogs.staging import StagedSource
from eventlogs.store import connect_store
from flows.paths import DEMO_SOURCE_CONFIG

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


@pytest.fixture()
def hand_store(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Three journeys (J3 still open); plus a customer contact and an assignment change that must not
    count as steps of the journey."""
    connection = connect_store(tmp_path / "hand.duckdb")
    for journey, closed in HAND_CLOSED_AT.items():
        connection.execute(
            "INSERT INTO journeys VALUES (?, 't', ?, ?, ?, NULL, NULL, NULL, NULL, 'hand', NULL, 'r1')",
            [journey, T0, None if closed is None else T0 + timedelta(hours=closed), closed is None],
        )
    rows = [(j, a, T0 + timedelta(hours=h), d, "work", f"{j}-{i}") for i, (j, a, d, h) in enumerate(HAND_EVENTS)]
    rows.append(("J1", "Customer contact", T0 + timedelta(hours=5), "Customer", "contact", "c1"))
    rows.append(("J1", "Assigned", T0 + timedelta(hours=10), "Procurement", "assignment", "g1"))
    for journey, activity, ts, department, kind, event_id in rows:
        connection.execute(
            "INSERT INTO events VALUES (?, ?, ?, ?, ?, NULL, ?, 'hand', ?, NULL, NULL, 'r1')",
            [journey, activity, ts, department, department + " team", kind, event_id],
        )
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
