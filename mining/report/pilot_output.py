"""A pilot evaluation written out: the comparison and case-mix tables (Parquet), the difference map (SVG),
the verdict as Markdown (also the Prefect artifact) and a self-contained HTML page."""

from __future__ import annotations

from mining.pilot.evaluation import PilotEvaluation
from mining.report.html_templates import TEMPLATES
from mining.report.markdown_table import markdown_table, markdown_text
from mining.report.pilot_view import PilotView, case_mix_table
from mining.report.pilot_wording import pilot_words
from mining.report.provenance_words import provenance_facts
from mining.scope.provenance import Provenance


def pilot_markdown(evaluation: PilotEvaluation) -> str:
    """The verdict in plain words: headline measures, what improved, what got worse, how it was measured.
    The sentences name departments and activities from the data, so each is escaped as a whole."""
    words = pilot_words(evaluation)
    parts = [f"## {markdown_text(words.title)}"]
    if words.comparability:  # above the figures: they mean little when the sides are not comparable
        parts.append(f"### Before and after comparable?\n\n{markdown_text(words.comparability)}")
    parts.append("### Verdict\n\n" + _bullets(words.verdict))
    if words.stages:
        parts.append("### Time in each designed stage\n\n" + _bullets(words.stages))
    parts.append("### Got worse (side effects)\n\n" + _bullets(words.worsenings or ["none significant"]))
    parts.append("### Improved\n\n" + _bullets(words.improvements or ["none significant"]))
    columns, mix = case_mix_table(evaluation)
    rows = [[row["attribute"], row["value"], *row["cells"]] for row in mix]
    parts.append("### Case mix (share and journeys)\n\n" + markdown_table(["attribute", "value", *columns], rows))
    parts.append("### How it was measured\n\n" + _bullets(words.notes))
    return "\n\n".join(parts)


def _bullets(lines: list[str]) -> str:
    return "\n".join(f"- {markdown_text(line)}" for line in lines)


def pilot_page(view: PilotView, provenance: Provenance | None = None) -> str:
    """The pilot section of the report as a page of its own, with the report's stylesheet (and what it
    was made from, when given)."""
    return TEMPLATES.get_template("pilot_report.html.j2").render(pilot=view, provenance=provenance_facts(provenance))
