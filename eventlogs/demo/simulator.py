"""Seeded, vectorised simulation of the demo organisation's true journeys.

The result is the *truth*: every event as it really happened, before any source system records it
(and before the data defects are injected). `eventlogs.demo.sources` turns it into what the
ticketing and logistics systems would hold.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from eventlogs.demo import organisation as org
from eventlogs.demo.calendar import MinuteCalendar, WorkingHours
from eventlogs.demo.scenario import Scenario

LAPTOP = "laptop_request"
SOFTWARE = "software_request"

# activity -> (department, how the source systems record it, code)
ACTIVITIES: dict[str, tuple[str, str, str]] = {
    "Request submitted": (org.SERVICE_DESK, "task_open", ""),
    "Sent for approval": (org.SERVICE_DESK, "state", "10"),
    "Approved": (org.MANAGEMENT, "approval", "approved"),
    "Rejected": (org.MANAGEMENT, "approval", "rejected"),
    "Order query": (org.PROCUREMENT, "state", "15"),
    "Order placed": (org.PROCUREMENT, "state", "20"),
    "Goods received": (org.WAREHOUSE_DEPT, "shipment", "RCV"),
    "Picked": (org.WAREHOUSE_DEPT, "shipment", "PCK"),
    "Dispatched": (org.CARRIER_DEPT, "shipment", "DSP"),
    "In transit": (org.CARRIER_DEPT, "shipment", "ITR"),
    "Out for delivery": (org.CARRIER_DEPT, "shipment", "OFD"),
    "Delivery failed": (org.CARRIER_DEPT, "shipment", "DEX"),
    "Delivered": (org.CARRIER_DEPT, "shipment", "DLV"),
    "Set-up scheduled": (org.FIELD_SERVICES, "state", "40"),
    "Account issue fixed": (org.SERVICE_DESK, "state", "43"),
    "Set-up done": (org.FIELD_SERVICES, "state", "50"),
    "Install scheduled": (org.FIELD_SERVICES, "state", "41"),
    "Installed": (org.FIELD_SERVICES, "state", "51"),
    "Closed": (org.SERVICE_DESK, "state", "3"),
    "Cancelled": (org.SERVICE_DESK, "state", "4"),
}
CUSTOMER_CONTACT = "Customer contact"


def _epoch_minute(moment: pd.Timestamp) -> int:
    return int(moment.timestamp() // 60)


@lru_cache(maxsize=8)
def _minute_calendar(hours: WorkingHours, first_minute: int, last_minute: int) -> MinuteCalendar:
    """Calendars are read-only once built, so seeded runs one after another share them."""
    return MinuteCalendar(hours, first_minute, last_minute)


@dataclass
class _Track:
    """Per-journey state of one journey type while its steps are drawn."""

    journey: np.ndarray  # global journey index
    now: np.ndarray  # epoch minute of the latest event
    piloted: np.ndarray  # bool: gets the pilot (opened on or after the pilot start, in the pilot group)
    after: np.ndarray  # bool: opened on or after the pilot start (the scenario's shared trend applies)
    chunks: list[pd.DataFrame] = field(default_factory=list)


class DemoSimulator:
    """Draws the true event log of `n_journeys` journeys from a seed; the same seed gives the same log."""

    def __init__(self, n_journeys: int, seed: int = 7, scenario: Scenario | None = None) -> None:
        if n_journeys < 1:
            raise ValueError("n_journeys must be at least 1")
        self.n_journeys = n_journeys
        self.scenario = scenario or Scenario()
        self.rng = np.random.default_rng(seed)
        self.first_minute = _epoch_minute(pd.Timestamp(org.PERIOD_START))
        self.extracted_minute = _epoch_minute(pd.Timestamp(org.EXTRACTED_AT))
        horizon = self.extracted_minute + 200 * 24 * 60  # waits may run past extraction; those are cut
        self.calendars = {
            hours: _minute_calendar(hours, self.first_minute, horizon)
            for hours in {org.OFFICE, org.WAREHOUSE, org.CARRIER}
        }
        self.pilot_minute = _epoch_minute(pd.Timestamp(org.PILOT.starts))
        self.handover_samples: list[pd.DataFrame] = []

    # ---- drawing -------------------------------------------------------------------------------
    def _draw_wait_minutes(self, step: str, piloted: np.ndarray, after: np.ndarray) -> np.ndarray:
        normal = self.rng.standard_normal(len(piloted))
        base = org.WAITS[step]
        hours = np.exp(np.log(base.median_hours) + base.sigma * normal)
        if step in org.PILOT_WAITS:
            pilot = org.PILOT_WAITS[step]
            hours = np.where(piloted, np.exp(np.log(pilot.median_hours) + pilot.sigma * normal), hours)
        if self.scenario.trend != 1.0:
            hours = np.where(after, hours * self.scenario.trend, hours)
        return hours * 60.0

    def _advance(self, track: _Track, mask: np.ndarray, activity: str, step: str) -> None:
        """Journeys in `mask` wait for `step` and then record `activity`."""
        department = ACTIVITIES[activity][0]
        calendar = self.calendars[org.CALENDAR_OF_DEPARTMENT[department]]
        before = track.now[mask]
        waits = self._draw_wait_minutes(step, track.piloted[mask], track.after[mask])
        after = calendar.add_working_minutes(before, waits)
        track.now[mask] = after
        track.chunks.append(
            pd.DataFrame(
                {
                    "journey": track.journey[mask],
                    "activity": activity,
                    "minute": after,
                    "previous_minute": before,
                    "step": step,
                }
            )
        )

    def _open(self, track: _Track) -> None:
        track.chunks.append(
            pd.DataFrame(
                {
                    "journey": track.journey,
                    "activity": "Request submitted",
                    "minute": track.now.copy(),
                    "previous_minute": track.now.copy(),
                    "step": "open",
                }
            )
        )

    def _laptop(self, track: _Track) -> None:
        n = len(track.journey)
        every = np.ones(n, dtype=bool)
        self._open(track)
        self._advance(track, every, "Sent for approval", "triage")
        rejected = self.rng.random(n) < org.SHARE_REJECTED
        self._advance(track, rejected, "Rejected", "approval")
        self._advance(track, rejected, "Cancelled", "cancel")
        going = ~rejected
        self._advance(track, going, "Approved", "approval")
        query = going & (self.rng.random(n) < org.SHARE_ORDER_QUERY)
        self._advance(track, query, "Order query", "order_query")
        self._advance(track, query, "Approved", "reapproval")
        self._advance(track, going, "Order placed", "order")
        self._advance(track, going, "Goods received", "goods_received")
        self._advance(track, going, "Picked", "pick")
        self._advance(track, going, "Dispatched", "dispatch")
        self._advance(track, going, "In transit", "in_transit")
        self._advance(track, going, "Out for delivery", "out_for_delivery")
        failed = going & (self.rng.random(n) < org.SHARE_DELIVERY_FAILED)
        self._advance(track, failed, "Delivery failed", "delivery_failed")
        self._advance(track, failed, "Out for delivery", "redelivery")
        self._advance(track, going, "Delivered", "deliver")
        self._advance(track, going, "Set-up scheduled", "setup_scheduled")
        account = going & (self.rng.random(n) < org.SHARE_ACCOUNT_ISSUE)
        self._advance(track, account, "Account issue fixed", "account_fix")
        self._advance(track, going, "Set-up done", "setup_done")
        self._advance(track, going, "Closed", "close")

    def _software(self, track: _Track) -> None:
        every = np.ones(len(track.journey), dtype=bool)
        self._open(track)
        self._advance(track, every, "Sent for approval", "triage")
        self._advance(track, every, "Approved", "approval")
        self._advance(track, every, "Install scheduled", "install_scheduled")
        self._advance(track, every, "Installed", "install")
        self._advance(track, every, "Closed", "close")

    # ---- the whole log -------------------------------------------------------------------------
    def journeys(self) -> pd.DataFrame:
        """One row per journey: index, number, type, opened minute, team choices, caller, priority."""
        n = self.n_journeys
        office = self.calendars[org.OFFICE]
        arrival = self.rng.integers(self.first_minute, self.extracted_minute, n)
        opened = np.sort(office.next_working_minute(arrival))
        journey_type = np.where(self.rng.random(n) < org.SHARE_LAPTOP, LAPTOP, SOFTWARE)
        frame = pd.DataFrame(
            {
                "journey": np.arange(n),
                "number": [f"RITM{i + 1:07d}" for i in range(n)],
                "journey_type": journey_type,
                "opened_minute": opened,
                "priority": self.rng.choice([2, 3, 4], n, p=[0.1, 0.6, 0.3]),
                "caller": [f"employee{c:05d}" for c in self.rng.integers(1, max(n // 2, 2) + 1, n)],
            }
        )
        for department, teams in org.TEAMS.items():
            frame[f"team_{department}"] = self.rng.choice(np.array(teams), n)
        return frame

    def simulate(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(journeys, true events); events are cut at the extraction moment, so late journeys stay open."""
        journeys = self.journeys()
        self.piloted = self._piloted(journeys)
        chunks: list[pd.DataFrame] = []
        for journey_type, draw in ((LAPTOP, self._laptop), (SOFTWARE, self._software)):
            subset = journeys[journeys["journey_type"] == journey_type]
            opened = subset["opened_minute"].to_numpy().copy()
            piloted = self.piloted[subset["journey"].to_numpy()]
            track = _Track(subset["journey"].to_numpy(), opened, piloted, opened >= self.pilot_minute)
            draw(track)
            chunks.extend(track.chunks)
        events = pd.concat(chunks, ignore_index=True)
        events = self._attribute(events, journeys)
        events = pd.concat([events, self._contacts(events, journeys)], ignore_index=True)
        events = events[events["minute"] <= self.extracted_minute]
        seconds = self.rng.integers(0, 60, len(events))
        events = events.assign(ts=pd.to_datetime((events["minute"] * 60 + seconds) * 1_000_000_000, utc=True))
        events = events.sort_values(["journey", "ts", "order"], kind="stable").reset_index(drop=True)
        journeys = self._close_state(journeys, events)
        return journeys, events.drop(columns=["order"])

    def _piloted(self, journeys: pd.DataFrame) -> np.ndarray:
        """Per journey: does it get the pilot? Opened on or after the pilot date, and in the pilot group."""
        piloted = journeys["opened_minute"].to_numpy() >= self.pilot_minute
        if not self.scenario.pilot_effect:
            return np.zeros(len(journeys), dtype=bool)
        if self.scenario.pilot_teams is not None:
            teams = journeys[[f"team_{department}" for department in org.TEAMS]].to_numpy()
            piloted &= np.isin(teams, list(self.scenario.pilot_teams)).any(axis=1)
        return piloted

    def _attribute(self, events: pd.DataFrame, journeys: pd.DataFrame) -> pd.DataFrame:
        """Department, team and person of each work event."""
        events["order"] = np.arange(len(events))  # draw order breaks ties in time
        events["department"] = events["activity"].map({a: d for a, (d, _, _) in ACTIVITIES.items()})
        events["event_kind"] = "work"
        team = np.empty(len(events), dtype=object)
        for department in org.TEAMS:
            rows = (events["department"] == department).to_numpy()
            team[rows] = journeys[f"team_{department}"].to_numpy()[events["journey"].to_numpy()[rows]]
        events["team"] = team
        person = np.full(len(events), None, dtype=object)
        for department, size in org.PEOPLE_PER_TEAM.items():
            rows = (events["department"] == department).to_numpy()
            numbers = self.rng.integers(1, size + 1, rows.sum())
            prefix = department.lower().replace(" ", ".")
            person[rows] = [f"{prefix}.{k:02d}" for k in numbers]
        opened_by_caller = (events["activity"] == "Request submitted").to_numpy()
        person[opened_by_caller] = journeys["caller"].to_numpy()[events["journey"].to_numpy()[opened_by_caller]]
        events["resource"] = person
        return events

    def _contacts(self, events: pd.DataFrame, journeys: pd.DataFrame) -> pd.DataFrame:
        """Customers chase while they wait: a Poisson number of contacts in each waiting gap."""
        ordered = events.sort_values(["journey", "minute", "order"], kind="stable")
        journey = ordered["journey"].to_numpy()
        start = ordered["minute"].to_numpy()
        end = np.roll(start, -1)
        last_of_journey = journey != np.roll(journey, -1)
        finished = ordered["activity"].isin(["Closed", "Cancelled"]).to_numpy()
        end[last_of_journey] = self.extracted_minute  # still waiting at extraction
        gap_days = np.where(finished, 0, np.clip(end - start, 0, None)) / 1440.0
        piloted = self.piloted[journey]
        rate = np.where(piloted, org.PILOT.chase_rate_after, org.PILOT.chase_rate_before)
        count = self.rng.poisson(rate * gap_days)
        gap_index = np.repeat(np.arange(len(count)), count)
        when = start[gap_index] + (self.rng.random(len(gap_index)) * (end - start)[gap_index]).astype(np.int64)
        channel = np.where(self.rng.random(len(gap_index)) < org.SHARE_PHONE, "phone", "email")
        return pd.DataFrame(
            {
                "journey": journey[gap_index],
                "activity": CUSTOMER_CONTACT,
                "minute": when,
                "previous_minute": start[gap_index],
                "step": "contact",
                "order": len(events) + np.arange(len(gap_index)),
                "department": "Customer",
                "event_kind": "contact",
                "team": channel,
                "resource": journeys["caller"].to_numpy()[journey[gap_index]],
            }
        )

    def _close_state(self, journeys: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
        starts = events[events["activity"] == "Request submitted"].groupby("journey")["ts"].min()
        ends = events[events["activity"].isin(["Closed", "Cancelled"])].groupby("journey")["ts"].max()
        journeys = journeys.assign(opened_at=journeys["journey"].map(starts), closed_at=journeys["journey"].map(ends))
        journeys["is_open"] = journeys["closed_at"].isna()
        return journeys
