"""The simulator's true journeys written straight into a store with the project schema.

No source systems, no loader, no defects: what the honesty tests of the pilot evaluation need is the truth,
many times over, fast. The extraction moment is recorded as the finish of one load run. Each journey's
attributes hold its `region`, known when it is opened: the region of the deskside team that will set the
laptop up (Deskside Support North or South), so a pilot group can be chosen the way a real pilot would be.
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import numpy as np
import pandas as pd

from eventlogs.demo import organisation as org
from eventlogs.demo.scenario import Scenario
from eventlogs.demo.simulator import LAPTOP, DemoSimulator
from eventlogs.store import SCHEMA

RUN_ID = "truth"
FIELD = org.FIELD_SERVICES


def write_true_store(
    connection: duckdb.DuckDBPyConnection,
    journeys: pd.DataFrame,
    events: pd.DataFrame,
    extracted_at: datetime = org.EXTRACTED_AT,
) -> None:
    """Adds the simulator's `journeys` and `events` (see DemoSimulator.simulate) to the store behind
    `connection`, creating the schema when it is missing."""
    connection.execute(SCHEMA)
    laptop = (journeys["journey_type"] == LAPTOP).to_numpy()
    journey_rows = pd.DataFrame(
        {
            "journey_id": journeys["number"],
            "journey_type": journeys["journey_type"],
            "opened_at": journeys["opened_at"],
            "closed_at": journeys["closed_at"],
            "is_open": journeys["is_open"],
            "category": np.where(laptop, "hardware", "software"),
            "priority": journeys["priority"].astype(str),
            "caller": journeys["caller"],
            "state": np.where(journeys["is_open"], "open", "closed"),
            "attributes": [f'{{"region": "{team.rsplit(" ", 1)[-1]}"}}' for team in journeys[f"team_{FIELD}"]],
        }
    )
    number = journeys["number"].to_numpy()
    event_rows = pd.DataFrame(
        {
            "journey_id": number[events["journey"].to_numpy()],
            "activity": events["activity"],
            "ts": events["ts"],
            "department": events["department"],
            "team": events["team"],
            "resource": events["resource"],
            "event_kind": events["event_kind"],
            "source_event_id": np.arange(len(events)).astype(str),
        }
    )
    connection.register("true_journeys", journey_rows)
    connection.register("true_events", event_rows)
    connection.execute(f"""
        INSERT INTO journeys SELECT journey_id, journey_type, opened_at, closed_at, is_open, category, priority,
               caller, state, 'truth', attributes, '{RUN_ID}' FROM true_journeys;
        INSERT INTO events SELECT journey_id, activity, ts, department, team, resource, event_kind, 'truth',
               source_event_id, NULL, NULL, '{RUN_ID}' FROM true_events;
    """)
    connection.execute(
        "INSERT INTO load_runs VALUES (?, 'truth', ?, ?, ?, ?, 0, 0)",
        [RUN_ID, extracted_at, extracted_at, len(events), len(events)],
    )
    connection.unregister("true_journeys")
    connection.unregister("true_events")


def simulated_true_store(n_journeys: int, seed: int, scenario: Scenario | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory store holding one seeded simulation's true journeys."""
    journeys, events = DemoSimulator(n_journeys, seed, scenario).simulate()
    connection = duckdb.connect()
    write_true_store(connection, journeys, events)
    return connection
