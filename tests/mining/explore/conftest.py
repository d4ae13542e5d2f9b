"""Hand-made stores for the explorer, with answers worked out on paper in the tests.

`explorer_store` (T0 = Monday 2026-03-02 09:00 UTC; hours after T0; department = activity's: A and D at
SD, B at M, C at P; each department's team is its name + "t"):
- J1, type t, opened T0, closed +31, attributes region=North: A 0, B 10, C 30, D 31; a customer contact at 5
- J2, type t, opened T0, closed +22: A 0, B 4, C 6, B 16, C 20, D 22
- J3, type u, opened T0 + 7 days (Monday 2026-03-09), open: A 168, B 216 (the store's last instant, so its
  age at the extraction is 48 hours)
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from mining.explore import ExplorerData
from tests.conftest import T0, event_row, hand_made_store, journey_row

DEPARTMENTS = {"A": "SD", "B": "M", "C": "P", "D": "SD"}
STEPS = {
    "J1": [("A", 0), ("B", 10), ("C", 30), ("D", 31)],
    "J2": [("A", 0), ("B", 4), ("C", 6), ("B", 16), ("C", 20), ("D", 22)],
    "J3": [("A", 168), ("B", 216)],
}


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def write_explorer_store(path: Path) -> Path:
    journeys = [
        journey_row("J1", at(0), at(31), attributes='{"region": "North"}'),
        journey_row("J2", at(0), at(22), attributes='{"region": "South"}'),
        journey_row("J3", at(168), None, journey_type="u"),
    ]
    events = [
        event_row(
            journey, activity, at(hours), DEPARTMENTS[activity], f"{journey}-{index}", team=DEPARTMENTS[activity] + "t"
        )
        for journey, steps in STEPS.items()
        for index, (activity, hours) in enumerate(steps)
    ]
    events.append(event_row("J1", "Call", at(5), "Customer", "c1", event_kind="contact"))
    hand_made_store(path, journeys, events).close()
    return path


@pytest.fixture()
def explorer_store(tmp_path: Path) -> Path:
    return write_explorer_store(tmp_path / "explorer.duckdb")


@pytest.fixture()
def explorer(explorer_store: Path) -> Iterator[ExplorerData]:
    yield ExplorerData.open(explorer_store)
