"""The run summary published as a Prefect markdown artifact: bottleneck, load ledger (with the OCEL events
copied into several journeys), data quality, and what the outputs were made from."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from mining.report.markdown_table import markdown_table, markdown_text
from mining.report.provenance_words import provenance_markdown
from mining.scope.provenance import Provenance


def run_summary_markdown(
    run_id: str,
    bottleneck: str,
    ledger: Iterable[Mapping[str, Any]],
    quality: Iterable[Mapping[str, Any]],
    failed_sources: Mapping[str, str],
    report: Path,
    provenance: Provenance | None = None,
) -> str:
    ledger = list(ledger)  # read twice: the table and the copies below it
    parts = []
    if failed_sources:  # first: this is why the run is marked Failed
        failures = "\n".join(
            f"- **{markdown_text(name)}**: {markdown_text(why)}" for name, why in failed_sources.items()
        )
        parts.append(f"## Sources that failed (not loaded in this run)\n\n{failures}")
    parts.append(f"## Top bottleneck\n\n{markdown_text(bottleneck)}")
    parts.append(
        f"## Load {markdown_text(run_id)}\n\n"
        + markdown_table(
            ["source", "read", "loaded", "rejected", "already loaded"],
            ((r["source"], r["rows_read"], r["rows_loaded"], r["rows_rejected"], r["rows_duplicate"]) for r in ledger),
        )
        + "".join(f"\n\n{markdown_text(line)}" for line in _copied(ledger))
    )
    parts.append(
        "## Data quality\n\n"
        + markdown_table(
            ["source", "check", "count", "detail"],
            ((q["source"], q["check"], q["count"], q["detail"]) for q in quality),
        )
    )
    parts.append(f"Report: [{markdown_text(report)}]({report.as_uri()})")  # as_uri percent-encodes ( ) < >
    if provenance is not None:
        parts.append(provenance_markdown(provenance))
    return "\n\n".join(parts)


def _copied(ledger: Iterable[Mapping[str, Any]]) -> list[str]:
    """Per OCEL source that copied events into several journeys, how many (JourneyCopies.summary)."""
    copies = (row.get("journey_copies") for row in ledger)
    return [line for line in (c.summary() for c in copies if c is not None) if line]
