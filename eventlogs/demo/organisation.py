"""The demo organisation: who works when, how long each handover waits, and what the pilot changes.

Waits are drawn from log-normal distributions in *working* hours of the department that picks the
work up, so queues pile up over nights and weekends the way they do in real service organisations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from eventlogs.demo.calendar import WorkingHours

OFFICE = WorkingHours(weekdays=(0, 1, 2, 3, 4), opens_hour=8, closes_hour=17)
WAREHOUSE = WorkingHours(weekdays=(0, 1, 2, 3, 4), opens_hour=6, closes_hour=22)
CARRIER = WorkingHours(weekdays=(0, 1, 2, 3, 4, 5), opens_hour=7, closes_hour=20)

SERVICE_DESK = "Service Desk"
MANAGEMENT = "Management"
PROCUREMENT = "Procurement"
WAREHOUSE_DEPT = "Warehouse"
CARRIER_DEPT = "Carrier"
FIELD_SERVICES = "Field Services"

CALENDAR_OF_DEPARTMENT = {
    SERVICE_DESK: OFFICE,
    MANAGEMENT: OFFICE,
    PROCUREMENT: OFFICE,
    WAREHOUSE_DEPT: WAREHOUSE,
    CARRIER_DEPT: CARRIER,
    FIELD_SERVICES: OFFICE,
}

# Teams and the people in them; the ticketing teams are ServiceNow assignment groups, the warehouse and
# carrier "teams" are the depots named in the logistics export.
TEAMS: dict[str, tuple[str, ...]] = {
    SERVICE_DESK: ("Service Desk L1",),
    MANAGEMENT: ("Line Management",),
    PROCUREMENT: ("Procurement Hardware",),
    WAREHOUSE_DEPT: ("Warehouse Utrecht", "Warehouse Venlo"),
    CARRIER_DEPT: ("Carrier Hub Amsterdam", "Carrier Hub Eindhoven"),
    FIELD_SERVICES: ("Deskside Support North", "Deskside Support South"),
}
PEOPLE_PER_TEAM = {SERVICE_DESK: 12, MANAGEMENT: 40, PROCUREMENT: 5, FIELD_SERVICES: 8}


@dataclass(frozen=True)
class Wait:
    """A log-normal wait in working hours, given by its median and 90th percentile."""

    median_hours: float
    p90_hours: float

    @property
    def sigma(self) -> float:
        return math.log(self.p90_hours / self.median_hours) / 1.2815515655446004

    def as_dict(self) -> dict[str, float | str]:
        return {
            "distribution": "lognormal",
            "unit": "working hours of the receiving department",
            "median_hours": self.median_hours,
            "p90_hours": self.p90_hours,
            "mu": math.log(self.median_hours),
            "sigma": self.sigma,
        }


@dataclass(frozen=True)
class Pilot:
    """The improvement pilot: journeys opened on or after `starts` get the shorter waits."""

    starts: datetime
    description: str
    piloted_handovers: tuple[tuple[str, str], ...]
    chase_rate_before: float  # customer contacts per calendar day of waiting
    chase_rate_after: float


PILOT = Pilot(
    starts=datetime(2026, 5, 4, tzinfo=UTC),
    description=(
        "Lead-time norm on the Management -> Procurement and Warehouse -> Carrier handovers; "
        "customers are told what comes next at every step."
    ),
    piloted_handovers=((MANAGEMENT, PROCUREMENT), (WAREHOUSE_DEPT, CARRIER_DEPT)),
    chase_rate_before=0.3,
    chase_rate_after=0.1,
)

PERIOD_START = datetime(2026, 1, 5, tzinfo=UTC)
EXTRACTED_AT = datetime(2026, 8, 28, 16, 0, tzinfo=UTC)

# Waits, by the step they lead into. The pilot variant is used for journeys opened after PILOT.starts.
WAITS: dict[str, Wait] = {
    "triage": Wait(1.5, 6),
    "approval": Wait(8, 30),
    "order": Wait(27, 80),  # Management -> Procurement: the designed-in bottleneck
    "order_query": Wait(10, 30),
    "reapproval": Wait(8, 24),
    "goods_received": Wait(16, 40),
    "pick": Wait(3, 10),
    "dispatch": Wait(18, 50),  # Warehouse -> Carrier: the second bottleneck
    "in_transit": Wait(6, 12),
    "out_for_delivery": Wait(5, 12),
    "delivery_failed": Wait(3, 6),
    "redelivery": Wait(13, 20),
    "deliver": Wait(3, 6),
    "setup_scheduled": Wait(9, 30),
    "account_fix": Wait(6, 20),
    "setup_done": Wait(10, 30),
    "close": Wait(4, 16),
    "cancel": Wait(1, 4),
    "install_scheduled": Wait(6, 20),
    "install": Wait(6, 20),
}
PILOT_WAITS: dict[str, Wait] = {
    "order": Wait(6, 16),
    "dispatch": Wait(4, 10),
}

# Shares of journeys that take a detour.
SHARE_LAPTOP = 0.75
SHARE_REJECTED = 0.03
SHARE_ORDER_QUERY = 0.12  # Procurement sends the order back to Management: ping-pong
SHARE_DELIVERY_FAILED = 0.10  # rework at the carrier
SHARE_ACCOUNT_ISSUE = 0.08  # Field Services -> Service Desk -> Field Services ping-pong
SHARE_PHONE = 0.6
