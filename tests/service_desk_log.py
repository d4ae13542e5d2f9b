"""A seeded service-desk-shaped CSV log for the design and pilot tests: one first-line team ("Service Desk")
and `second_line_teams` second-line teams ("L2 Network", "L2 Database", ...), with a design that reads its
departments from the team (departments_by_team) while the log's own department column says something else
("IT Operations" for everybody): the case where the raw department must never pick the stage.

Every ticket: Register and Investigate by the Service Desk; then either the desk resolves it, or it is
escalated and passed between one to four second-line teams (each Investigates; the last one Resolves);
the desk Closes it. Both lines do Investigate and Resolve, so only the design department tells the
first-line stage from the second-line one. The waits are fixed (no noise), so every figure can be worked
out from the tickets' shapes alone:

- Register -> Investigate (desk) 1 h; desk Investigate -> desk Resolve 2 h; Resolve -> Close 1 h;
- desk Investigate -> first L2 team's Investigate 4 h (the First line -> Second line handover);
- one L2 team -> the next: TEAM_WAIT_BEFORE (12 h) for tickets opened before the change date,
  TEAM_WAIT_AFTER (6 h) from it on: the pilot;
- the last L2 team's Investigate -> its Resolve 2 h.

So Second-line resolution lasts (teams - 1) * team wait + 2 h, and First-line resolution 2 h (resolved at
the desk) or 0 h (escalated: one event). Tickets open every 3 hours from T0, all finished within days.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from eventlogs.pipeline import extract_and_load

SERVICE_DESK = "Service Desk"
LOG_DEPARTMENT = "IT Operations"  # the log's department column: the same for every team
AREAS = (
    "Network", "Database", "Storage", "Email", "Identity", "Printing", "Telephony", "Backup", "Security",
    "Workplace", "Mobile", "Web", "ERP", "CRM", "Payroll", "Finance Apps", "HR Apps", "Data Warehouse",
    "Integration", "Middleware", "Linux", "Windows", "Cloud", "Virtualisation", "Monitoring", "Facilities",
    "Procurement IT", "Licences", "Video", "Field Service",
)  # fmt: skip
T0 = datetime(2026, 1, 5, 8, 0)
CHANGE = date(2026, 2, 2)  # the pilot starts here: tickets opened from this day on wait less between teams
TEAM_WAIT_BEFORE, TEAM_WAIT_AFTER = 12.0, 6.0
FIRST_TO_SECOND, DESK_RESOLVE, L2_RESOLVE, TO_CLOSE, TO_INVESTIGATE = 4.0, 2.0, 2.0, 1.0, 1.0
TEAM_COUNTS, TEAM_COUNT_WEIGHTS = (1, 2, 3, 4), (0.2, 0.2, 0.4, 0.2)  # the median escalated ticket has 3 teams
ESCALATION_RATE = 0.6

CONFIG = """
[sources.log]
kind = "csv_event_log"
path = "service_desk.csv"
journey_type = "ticket"
timezone = "UTC"
cases_complete = true

[sources.log.fields]
journey_id = "case"
activity = "activity"
timestamp = "time"
team = "team"
department = "department"
"""

DESIGN = """
name: Service desk
journey_type: ticket
journey_noun: tickets
time: calendar
norm_share: 0.8
end_to_end: {norm: 5d}
departments_by_team:
  First line: ["Service Desk"]
  Second line: ["L2 *"]
stages:
  - {name: Registration, department: First line, activities: [Register]}
  - {name: First-line resolution, department: First line, activities: [Investigate, Resolve], norm: 4h}
  - {name: Second-line resolution, department: Second line, activities: [Investigate, Resolve], norm: 8h}
  - {name: Closure, department: First line, activities: [Close]}
order:
  - Registration
  - First-line resolution
  - optional: [Second-line resolution]
  - Closure
handovers:
  - {from: First line, to: Second line, norm: 8h}
  - {from: Second line, to: First line, norm: 4h}
"""


def team_name(index: int) -> str:
    """Second-line team `index` (0-based): 'L2 Network', ...; past the named areas 'L2 Team 031', ..."""
    return f"L2 {AREAS[index]}" if index < len(AREAS) else f"L2 Team {index + 1:03d}"


@dataclass(frozen=True)
class Ticket:
    journey_id: str
    opened: datetime
    teams: tuple[str, ...]  # the second-line teams in turn; empty: resolved by the desk

    @property
    def side(self) -> str:
        return "before" if self.opened.date() < CHANGE else "after"

    @property
    def team_wait(self) -> float:
        return TEAM_WAIT_BEFORE if self.side == "before" else TEAM_WAIT_AFTER

    @property
    def second_line_hours(self) -> float | None:
        """Time in Second-line resolution (first to last event of the stage); None: never escalated."""
        return None if not self.teams else (len(self.teams) - 1) * self.team_wait + L2_RESOLVE

    def steps(self) -> list[tuple[str, str, float]]:
        """(activity, team, hours after opening)."""
        hours = 0.0
        steps = [("Register", SERVICE_DESK, hours)]
        hours += TO_INVESTIGATE
        steps.append(("Investigate", SERVICE_DESK, hours))
        if not self.teams:
            hours += DESK_RESOLVE
            steps.append(("Resolve", SERVICE_DESK, hours))
        else:
            hours += FIRST_TO_SECOND
            for n, team in enumerate(self.teams):
                hours += self.team_wait if n else 0.0
                steps.append(("Investigate", team, hours))
            hours += L2_RESOLVE
            steps.append(("Resolve", self.teams[-1], hours))
        hours += TO_CLOSE
        steps.append(("Close", SERVICE_DESK, hours))
        return steps


@dataclass(frozen=True)
class ServiceDeskLog:
    folder: Path
    log: Path
    config: Path
    design: Path
    tickets: list[Ticket] = field(default_factory=list)  # the ground truth: every ticket's shape

    def load(self, store: Path | None = None) -> Path:
        """Extracts and loads the log into `store` (default: store.duckdb in the folder); returns the store."""
        store = store or self.folder / "store.duckdb"
        extract_and_load(self.config, store)
        return store


def tickets(second_line_teams: int = 30, n_tickets: int = 400, seed: int = 2013) -> list[Ticket]:
    """The tickets: opened every 3 hours from T0, escalated with ESCALATION_RATE, passed between 1 to 4
    distinct second-line teams (a team's chance falls with its rank, so a few pairs are busy)."""
    generator = random.Random(seed)
    names = [team_name(index) for index in range(second_line_teams)]
    weights = [1 / (rank + 1) for rank in range(second_line_teams)]
    made = []
    for number in range(n_tickets):
        teams: list[str] = []
        if generator.random() < ESCALATION_RATE:
            wanted = min(generator.choices(TEAM_COUNTS, TEAM_COUNT_WEIGHTS)[0], second_line_teams)
            while len(teams) < wanted:  # distinct teams: a ticket never comes back to a team
                team = generator.choices(names, weights)[0]
                if team not in teams:
                    teams.append(team)
        made.append(Ticket(f"T{number + 1:04d}", T0 + timedelta(hours=3 * number), tuple(teams)))
    return made


def write_service_desk_log(
    folder: Path, second_line_teams: int = 30, n_tickets: int = 400, seed: int = 2013
) -> ServiceDeskLog:
    """Writes service_desk.csv, service_desk.toml and service_desk.journey.yaml into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    made = tickets(second_line_teams, n_tickets, seed)
    lines = ["case,activity,time,team,department"]
    for ticket in made:
        for activity, team, hours in ticket.steps():
            moment = ticket.opened + timedelta(hours=hours)
            lines.append(f"{ticket.journey_id},{activity},{moment:%Y-%m-%d %H:%M:%S},{team},{LOG_DEPARTMENT}")
    log, config, design = (
        folder / "service_desk.csv",
        folder / "service_desk.toml",
        folder / "service_desk.journey.yaml",
    )
    log.write_text("\n".join(lines) + "\n")
    config.write_text(CONFIG)
    design.write_text(DESIGN)
    return ServiceDeskLog(folder, log, config, design, made)
