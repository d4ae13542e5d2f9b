"""The ground truth of a simulated demo: what was injected, measured on the true events."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from eventlogs.demo import organisation as org
from eventlogs.demo.scenario import Scenario


def _summary(hours: pd.Series) -> dict[str, float | int]:
    if hours.empty:
        return {"n": 0}
    return {
        "n": len(hours),
        "mean_hours": float(hours.mean()),
        "median_hours": float(hours.median()),
        "p90_hours": float(np.quantile(hours, 0.9)),
        "total_hours": float(hours.sum()),
    }


def true_handovers(events: pd.DataFrame, journeys: pd.DataFrame) -> pd.DataFrame:
    """Every wait between consecutive work events of one journey that changes department."""
    work = events[events["event_kind"] == "work"]
    same_journey = work["journey"].eq(work["journey"].shift())
    previous_department = work["department"].shift()
    handover = same_journey & work["department"].ne(previous_department)
    waits = work[handover].assign(
        from_department=previous_department[handover],
        wait_hours=(work["ts"] - work["ts"].shift())[handover].dt.total_seconds() / 3600.0,
    )
    opened = journeys.set_index("journey")["opened_at"]
    waits["period"] = np.where(waits["journey"].map(opened) >= org.PILOT.starts, "after", "before")
    waits["handover"] = waits["from_department"] + " -> " + waits["department"]
    return waits


def ground_truth(
    journeys: pd.DataFrame,
    events: pd.DataFrame,
    seed: int,
    defects: dict[str, Any],
    scenario: Scenario | None = None,
) -> dict[str, Any]:
    """`scenario` (default: the demo's own) says whether the pilot had an effect, on which teams, and the
    shared trend; a non-default scenario is written into the truth, the default leaves it as it was."""
    scenario = scenario or Scenario()
    waits = true_handovers(events, journeys)
    handovers: dict[str, Any] = {}
    for name, group in waits.groupby("handover"):
        injected = {}
        for step in sorted(group["step"].unique()):
            injected[step] = {"before": org.WAITS[step].as_dict()}
            if step in org.PILOT_WAITS and scenario.pilot_effect:
                injected[step]["after"] = org.PILOT_WAITS[step].as_dict()
        handovers[str(name)] = {
            "piloted": tuple(str(name).split(" -> ")) in org.PILOT.piloted_handovers,
            "injected_wait_by_step": injected,
            "realised_calendar_hours": {
                "all": _summary(group["wait_hours"]),
                "before": _summary(group.loc[group["period"] == "before", "wait_hours"]),
                "after": _summary(group.loc[group["period"] == "after", "wait_hours"]),
            },
        }
    totals = {name: h["realised_calendar_hours"]["all"]["total_hours"] for name, h in handovers.items()}
    contacts = events[events["event_kind"] == "contact"].groupby("journey").size()
    per_journey = journeys["journey"].map(contacts).fillna(0)
    after = journeys["opened_at"] >= org.PILOT.starts
    truth: dict[str, Any] = {
        "seed": seed,
        "generator": "eventlogs.demo (journey-mining)",
        "period": {"start": org.PERIOD_START.isoformat(), "extracted_at": org.EXTRACTED_AT.isoformat()},
        "pilot": {
            "date": org.PILOT.starts.date().isoformat(),
            "description": org.PILOT.description,
            "applies_to": "journeys opened on or after the pilot date",
            "piloted_handovers": [" -> ".join(pair) for pair in org.PILOT.piloted_handovers],
        },
        "counts": {
            "journeys": len(journeys),
            "journeys_by_type": journeys["journey_type"].value_counts().to_dict(),
            "open_journeys": int(journeys["is_open"].sum()),
            "true_events": len(events),
            "true_work_events": int((events["event_kind"] == "work").sum()),
        },
        "handovers": handovers,
        "worst_handover": max(totals, key=lambda name: totals[name]),
        "customer_contacts": {
            "rate_per_waiting_day": {
                "before": org.PILOT.chase_rate_before,
                "after": org.PILOT.chase_rate_after,
            },
            "per_journey": {
                "before": float(per_journey[~after].mean()),
                "after": float(per_journey[after].mean()),
            },
            "total": int(contacts.sum()),
        },
        "defects": defects,
    }
    if not scenario.is_default:
        truth["scenario"] = scenario.as_dict()
        truth["pilot"]["applies_to"] = (
            "no journey (null pilot)"
            if not scenario.pilot_effect
            else "journeys opened on or after the pilot date"
            + ("" if scenario.pilot_teams is None else f" handled by one of the teams {list(scenario.pilot_teams)}")
        )
    return truth
