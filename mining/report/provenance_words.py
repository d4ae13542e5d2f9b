"""A `Provenance` in words: the facts each page's header, the run summary and the command line show."""

from __future__ import annotations

from datetime import UTC, datetime

from mining.report.markdown_table import markdown_text
from mining.scope.provenance import LoadRun, Provenance

RUNS_SHOWN = 4  # more load runs than this: the first and last two, and how many lie between


def _moment(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _run(run: LoadRun) -> str:
    return f"{run.run_id} ({', '.join(run.sources)})"


def _runs(runs: tuple[LoadRun, ...]) -> str:
    if not runs:
        return "none"
    if len(runs) <= RUNS_SHOWN:
        return "; ".join(_run(run) for run in runs)
    between = len(runs) - RUNS_SHOWN
    return "; ".join([*map(_run, runs[:2]), f"{between} more", *map(_run, runs[-2:])]) + f" ({len(runs)} runs)"


def provenance_facts(provenance: Provenance | None) -> list[tuple[str, str]]:
    """(label, text) pairs, in the order shown; none without a provenance."""
    if provenance is None:
        return []
    if provenance.first_event is None or provenance.last_event is None:
        data = "no events"
    else:
        data = f"events {_moment(provenance.first_event)} to {_moment(provenance.last_event)}"
    if provenance.extracted_at is not None:
        data += f", extracted {_moment(provenance.extracted_at)}"
    files = ", ".join(f"{file.role} {file.name} (sha256 {file.short_hash})" for file in provenance.config_files)
    return [
        ("load runs", _runs(provenance.load_runs)),
        ("period", data),
        ("configuration", files or "none"),
        ("code", f"journey-mining {provenance.code_version}, commit {provenance.code_commit}"),
        ("made", _moment(provenance.made_at)),
    ]


def provenance_markdown(provenance: Provenance) -> str:
    """The facts as a Markdown list under a heading, for the run summary."""
    lines = [f"- **{label}**: {markdown_text(text)}" for label, text in provenance_facts(provenance)]
    return "## Made from\n\n" + "\n".join(lines)
