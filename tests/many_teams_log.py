"""A seeded service-desk-shaped CSV log with many second-line teams (200 by default), for the tests of what
the pages show when an organisation has that many: the log, its source configuration, a small designed
journey, and a helper that extracts and loads it into a store.

Shape: the Service Desk logs and classifies a ticket, one to four second-line teams investigate it in turn
(a team's share of the tickets falls with its rank, Zipf-like, so a few teams are busy and many are rare),
the last one resolves it and the Service Desk closes it. Each team belongs to one of six departments."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

from eventlogs.pipeline import extract_and_load

DEPARTMENTS = ("Network", "Workplace", "Applications", "Data", "Security", "Facilities")
SERVICE_DESK = "Service Desk"
T0 = datetime(2026, 1, 5, 8, 0)

# `department` is "dept" (six departments plus the Service Desk) or "team" (every team its own
# department, as a log without an organisation chart is loaded).
CONFIG = """
[sources.log]
kind = "csv_event_log"
path = "log.csv"
journey_type = "ticket"
timezone = "UTC"
cases_complete = true
pseudonymise_resources = false
[sources.log.fields]
journey_id = "case"
activity = "activity"
timestamp = "time"
resource = "who"
team = "team"
department = "{department}"
"""

DESIGN = """
name: Ticket
journey_type: ticket
journey_noun: tickets
end_to_end_norm: 5d
stages:
  - {name: Logged, department: Service Desk, activities: [Log, Classify]}
  - {name: Worked, department: Network, activities: [Investigate, Resolve]}
  - {name: Closed, department: Service Desk, activities: [Close]}
handover_norms:
  - {from: Service Desk, to: Network, norm: 8h}
  - {from: Network, to: Service Desk, norm: 4h}
"""


def team_name(index: int) -> str:
    """Team `index` (0-based) and its department: teams are dealt round the departments."""
    return f"{DEPARTMENTS[index % len(DEPARTMENTS)]} {index + 1:03d}"


def department_of(team: str) -> str:
    return SERVICE_DESK if team == SERVICE_DESK else team.rsplit(" ", 1)[0]


def log_lines(teams: int = 200, tickets: int = 1500, seed: int = 7) -> list[str]:
    """The CSV lines (header first) of `tickets` tickets worked by up to `teams` second-line teams."""
    generator = random.Random(seed)
    names = [team_name(index) for index in range(teams)]
    weights = [1 / (rank + 1) for rank in range(teams)]
    lines = ["case,activity,time,dept,team,who"]
    for ticket in range(tickets):
        clock = T0 + timedelta(hours=ticket * 2.0)
        steps = [("Log", SERVICE_DESK), ("Classify", SERVICE_DESK)]
        worked_by = generator.choices(names, weights, k=generator.randint(1, 4))
        for team in worked_by:
            steps.append(("Investigate", team))
            if generator.random() < 0.3:  # some teams ask, escalate or wait for a vendor before they go on
                steps.append((generator.choice(("Request info", "Escalate", "Wait for vendor")), team))
        steps += [("Resolve", worked_by[-1]), ("Close", SERVICE_DESK)]
        for activity, team in steps:
            clock += timedelta(hours=round(generator.expovariate(1 / 6), 2))
            lines.append(
                f"T{ticket:05d},{activity},{clock:%Y-%m-%d %H:%M:%S},{department_of(team)},{team},p{ticket % 40}"
            )
    return lines


def many_teams_store(
    folder: Path, teams: int = 200, tickets: int = 1500, department: str = "dept", lines: list[str] | None = None
) -> Path:
    """Writes the log (`lines`, else log_lines(teams, tickets)) and its configuration into `folder`, extracts
    and loads them; returns the store."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "log.csv").write_text("\n".join(lines or log_lines(teams, tickets)) + "\n")
    (folder / "log.toml").write_text(CONFIG.format(department=department))
    store = folder / "store.duckdb"
    extract_and_load(folder / "log.toml", store)
    return store
