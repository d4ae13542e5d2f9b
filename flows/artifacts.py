"""What a flow run publishes on its own page in Prefect: the keys are stable (automations, dashboards and the
README name them), so a nightly run replaces the previous night's artifact of the same key."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from prefect.artifacts import create_link_artifact, create_markdown_artifact, create_table_artifact

from eventlogs.store.loader import LoadResult
from mining.report.run_summary import run_summary_markdown

RUN_SUMMARY = "journey-run-summary"
REPORT_LINK = "journey-report"
LOAD_LEDGER = "journey-load-ledger"
BOTTLENECKS = "journey-bottlenecks"
HANDOVER_NORMS = "journey-handover-norms"
PILOT = "journey-pilot"
ARTIFACT_KEYS = (RUN_SUMMARY, REPORT_LINK, LOAD_LEDGER, BOTTLENECKS, HANDOVER_NORMS, PILOT)

# Rows the mining task hands to the artifacts only (the flow's return value stays small).
ARTIFACT_ONLY = ("pilot_markdown", "bottleneck_rows", "handover_norm_rows", "provenance")
TOP_BOTTLENECKS = 10
_BOTTLENECK_COLUMNS = (
    "rank",
    "name",
    "kind",
    "designed",
    "volume",
    "journeys",
    "median_hours",
    "norm_hours",
    "time",
    "breach_rate",
    "excess_hours",
    "share_of_excess",
    "characterisation",
)
_HANDOVER_NORM_COLUMNS = (
    "from_department",
    "to_department",
    "designed",
    "handovers",
    "journeys",
    "median_wait_hours",
    "p90_wait_hours",
    "norm_hours",
    "within_norm_rate",
    "breach_rate",
    "excess_hours",
    "status",
    "measured_in",
)


def _rows(table: pd.DataFrame, columns: Sequence[str], limit: int | None = None) -> list[dict[str, Any]]:
    """JSON-ready rows (NaN as null, floats to 3 decimals) of the columns the table has."""
    kept = table[[column for column in columns if column in table.columns]]
    if limit is not None:
        kept = kept.head(limit)
    rows: list[dict[str, Any]] = json.loads(kept.round(3).to_json(orient="records", date_format="iso"))
    return rows


def table_rows(tables: Mapping[str, pd.DataFrame]) -> dict[str, list[dict[str, Any]]]:
    """The rows of the bottleneck and handover-norm artifacts, from the analysis' result tables."""
    return {
        "bottleneck_rows": _rows(tables["bottlenecks"], _BOTTLENECK_COLUMNS, TOP_BOTTLENECKS),
        "handover_norm_rows": _rows(tables["handover_norms"], _HANDOVER_NORM_COLUMNS),
    }


def publish_run_artifacts(
    run_id: str, outcome: Mapping[str, Any], results: Sequence[LoadResult], failed: Mapping[str, str]
) -> None:
    """The run summary, the report link and the three tables (and the pilot verdict when there is one)."""
    report = Path(outcome["report"]).resolve()
    ledger = [result.__dict__ for result in results]
    summary = run_summary_markdown(
        run_id, outcome["bottleneck"], ledger, outcome["quality"], failed, report, outcome.get("provenance")
    )
    create_markdown_artifact(
        key=RUN_SUMMARY,
        markdown=summary,
        description="Top silo bottleneck, failed sources, load ledger, data quality, where the report is and "
        "what it was made from",
    )
    create_link_artifact(
        key=REPORT_LINK, link=report.as_uri(), link_text=str(report), description="The run's report (one HTML file)"
    )
    create_table_artifact(
        key=LOAD_LEDGER,
        table=[
            {
                "source": row["source"],
                "read": row["rows_read"],
                "loaded": row["rows_loaded"],
                "rejected": row["rows_rejected"],
                "already loaded": row["rows_duplicate"],
            }
            for row in ledger
        ]
        + [{"source": name, "failed": reason} for name, reason in failed.items()],
        description=f"Load {run_id}: read = loaded + rejected + already loaded, per source; failed sources",
    )
    create_table_artifact(
        key=BOTTLENECKS,
        table=list(outcome["bottleneck_rows"]),
        description=f"The top {TOP_BOTTLENECKS} silo bottlenecks, ranked by excess time over the norm",
    )
    create_table_artifact(
        key=HANDOVER_NORMS,
        table=list(outcome["handover_norm_rows"]),
        description="Every handover between departments against its norm (median and p90 wait, breach rate)",
    )
    if "pilot_markdown" in outcome:
        create_markdown_artifact(
            key=PILOT,
            markdown=outcome["pilot_markdown"],
            description=(
                "Pilot evaluation: whether before and after are comparable (volume, case mix, censoring), "
                "the verdict with its intervals, side effects and improvements"
            ),
        )
