"""A hand-made store for the tests of the time basis (tests/mining/report/test_units.py,
tests/mining/runs/test_time_basis.py): one handover, Desk → Fix, whose wait is worked out by hand.

Every journey is logged by the Desk on a Monday at 16:00 UTC and repaired by Fix the next day at 10:30,
when it closes: a wait of 18.5 calendar hours. On the 9-17 UTC office calendar (Monday to Friday) the same
wait is Monday 16:00-17:00 = 1 working hour plus Tuesday 09:00-10:30 = 1.5, so 2.5 working hours.
Ten journeys in the week of 2 March (before the change on 9 March) and ten in the week of 9 March (after),
so the pilot compares the handover (10 a side are needed)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from tests.conftest import event_row, hand_made_store, journey_row

CALENDAR_WAIT_HOURS = 18.5
WORKING_WAIT_HOURS = 2.5
CHANGE = date(2026, 3, 9)
MONDAYS = (datetime(2026, 3, 2, 16, tzinfo=UTC), datetime(2026, 3, 9, 16, tzinfo=UTC))
JOURNEYS_A_WEEK = 10

TIME_RULES = """
calendars:
  office:
    timezone: UTC
    hours: {mon-fri: "09:00-17:00"}
departments: {Desk: office, Fix: office}
default_calendar: office
"""

# The handover norm is 2 hours and the end-to-end norm 1 working day (8 working hours), both in working
# time: judged without time rules they are 2 and 8 calendar hours.
DESIGN = """
name: Units
journey_type: t
journey_noun: requests
time: working
working_day: 8h
end_to_end_norm: 1d
stages:
  - {name: Logging, department: Desk, activities: [Log]}
  - {name: Repair, department: Fix, activities: [Repair]}
handover_norms:
  - {from: Desk, to: Fix, norm: 2h}
"""


def write_store(path: Path) -> Path:
    """The store at `path` (closed again), as described above."""
    journeys, events = [], []
    for week, monday in enumerate(MONDAYS):
        for number in range(JOURNEYS_A_WEEK):
            journey = f"W{week}-{number}"
            repaired = monday + timedelta(hours=CALENDAR_WAIT_HOURS)
            attributes = json.dumps({"region": "North"})
            journeys.append(journey_row(journey, monday, repaired, category="c", priority="3", attributes=attributes))
            events.append(event_row(journey, "Log", monday, "Desk", f"{journey}-1", team="Desk team"))
            events.append(event_row(journey, "Repair", repaired, "Fix", f"{journey}-2", team="Fix team"))
    hand_made_store(path, journeys, events).close()
    return path


def write_inputs(folder: Path) -> tuple[Path, Path, Path]:
    """(store, designed journey, time rules) written into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    design, rules = folder / "units.journey.yaml", folder / "time_rules.yaml"
    design.write_text(DESIGN)
    rules.write_text(TIME_RULES)
    return write_store(folder / "units.duckdb"), design, rules
