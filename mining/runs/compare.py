"""`journey compare`: designed versus actual on a store, written to a folder: the tables as Parquet (norms,
bottlenecks with their sentences, conformance), designed_map.svg, designed_journey.html and provenance.json."""

from __future__ import annotations

from pathlib import Path

from eventlogs.store import connect_store
from mining.design.comparison import compare_journey
from mining.design.load import load_designed_journey
from mining.report.designed_section import DesignedSection, designed_section, section_context
from mining.report.html_templates import TEMPLATES
from mining.report.provenance_words import provenance_facts
from mining.runs.table_files import write_parquet_tables, write_provenance
from mining.scope.provenance import Provenance, read_provenance
from mining.scope.scope import define_scope

PAGE_TEMPLATE = "designed_journey_report.html.j2"


def compare(store: Path, journey_spec: Path, out: Path, time_rules: Path | None = None) -> list[Path]:
    """The comparison of the store's journeys of the design's type with the design, written to `out`."""
    journey = load_designed_journey(journey_spec)
    rules = None
    if time_rules is not None:
        from mining.scope.time_rules import load_time_rules

        rules = load_time_rules(time_rules)
    connection = connect_store(store, read_only=True)
    try:
        scope = define_scope(connection, journey.journey_type, time_rules=rules, materialise=True)
        comparison = compare_journey(scope, journey)
        provenance = read_provenance(connection, {"designed journey": journey_spec, "time rules": time_rules})
    finally:
        connection.close()
    return write_comparison(designed_section(comparison), out, provenance)


def write_comparison(section: DesignedSection, out: Path, provenance: Provenance) -> list[Path]:
    written = write_parquet_tables(section.tables, out, provenance)
    svg = out / "designed_map.svg"
    svg.write_text(section.map_svg)
    page = out / "designed_journey.html"
    page.write_text(
        TEMPLATES.get_template(PAGE_TEMPLATE).render(
            **section_context(section), provenance=provenance_facts(provenance)
        )
    )
    return [*written, svg, page, write_provenance(provenance, out)]
