"""The pilot's files: its tables as Parquet, the difference map, pilot.md and pilot.html."""

from __future__ import annotations

from pathlib import Path

from mining.pilot.evaluation import PilotEvaluation
from mining.report.pilot_output import pilot_markdown, pilot_page
from mining.report.pilot_view import pilot_view
from mining.runs.table_files import write_parquet_tables


def write_pilot_outputs(evaluation: PilotEvaluation, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    view = pilot_view(evaluation)
    tables = {
        "pilot_comparisons": evaluation.comparisons,
        "pilot_paths": evaluation.edges,
        "pilot_case_mix": evaluation.case_mix,
    }
    written = write_parquet_tables(tables, folder)
    for name, text in (
        ("pilot_difference_map.svg", view.difference_map_svg),
        ("pilot.md", pilot_markdown(evaluation)),
        ("pilot.html", pilot_page(view)),
    ):
        path = folder / name
        path.write_text(text)
        written.append(path)
    return written
