"""What the processing-versus-waiting section (templates/_processing.html.j2) shows, from the tables of
mining/discovery/processing.py: per activity its executions, processing and the wait before it, per
journey the share of its time spent processing. Only stores with start and complete events have them."""

from __future__ import annotations

from typing import Any

import pandas as pd


def processing_view(tables: dict[str, pd.DataFrame], basis: str = "calendar") -> dict[str, Any] | None:
    """The section's rows and figures, in `basis` ("calendar" or "working" time); None without the
    processing tables (a store without lifecycles)."""
    activities = tables.get("processing_activities")
    journeys = tables.get("processing_journeys")
    if activities is None or journeys is None:
        return None
    unit = "working_hours" if basis == "working" else "hours"
    rows = [
        {
            "activity": row["activity"],
            "executions": int(row["executions"]),
            "median_processing": row[f"median_processing_{unit}"],
            "p90_processing": row[f"p90_processing_{unit}"],
            "median_wait": row[f"median_wait_{unit}"],
            "unpaired_starts": int(row["unpaired_starts"]),
            "unpaired_completes": int(row["unpaired_completes"]),
        }
        for row in activities.to_dict("records")
    ]
    processing = float(journeys[f"processing_{unit}"].sum())
    waiting = float(journeys[f"waiting_{unit}"].sum())
    share = journeys["processing_working_share" if basis == "working" else "processing_share"].dropna()
    median_share = float(share.median()) if len(share) else None
    return {
        "unit": "working" if basis == "working" else "calendar",
        "activities": rows,
        "journeys": len(journeys),
        "overall_share": processing / (processing + waiting) if processing + waiting > 0 else None,
        "median_share": median_share,
    }
