"""The pilot's files: its tables as Parquet, the difference map, pilot.md and pilot.html."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pandas as pd

from mining.pilot.evaluation import PilotEvaluation
from mining.report.pilot_output import pilot_markdown, pilot_page
from mining.report.pilot_view import pilot_view
from mining.runs.table_files import write_parquet_tables, write_provenance
from mining.scope.provenance import Provenance


def write_pilot_outputs(evaluation: PilotEvaluation, folder: Path, provenance: Provenance) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    view = pilot_view(evaluation)
    tables = {
        "pilot_comparisons": evaluation.comparisons,
        "pilot_paths": evaluation.edges,
        "pilot_case_mix": evaluation.case_mix,
        "pilot_comparability": comparability_table(evaluation),
        "pilot_stages": stage_table(evaluation),
    }
    written = write_parquet_tables(tables, folder, provenance)
    for name, text in (
        ("pilot_difference_map.svg", view.difference_map_svg),
        ("pilot.md", pilot_markdown(evaluation)),
        ("pilot.html", pilot_page(view, provenance)),
    ):
        path = folder / name
        path.write_text(text)
        written.append(path)
    written.append(write_provenance(provenance, folder))
    return written


def comparability_table(evaluation: PilotEvaluation) -> pd.DataFrame:
    """One row per comparability check (mining.pilot.comparability), with whether it is flagged."""
    rows = [
        {**asdict(check), "at_extraction": ", ".join(check.at_extraction), "flagged": check.flagged}
        for check in evaluation.comparability
    ]
    return pd.DataFrame(rows, columns=None if rows else ["aspect", "cohort", "criterion", "flagged"])


def stage_table(evaluation: PilotEvaluation) -> pd.DataFrame:
    """Every designed stage: whether its time is compared or why not, and the journeys that reached it on
    each side (`journeys_<cohort>_<side>`)."""
    rows = [
        {"stage": reach.stage, "status": reach.status}
        | {f"journeys_{cohort}_{side}": count for (cohort, side), count in reach.journeys.items()}
        for reach in evaluation.stages
    ]
    return pd.DataFrame(rows, columns=None if rows else ["stage", "status"])
