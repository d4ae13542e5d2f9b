"""The designed-versus-actual section in words and pictures: the findings, the designed map, and what the
templates read (`_designed_journey.html.j2` under the name `designed`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from mining.design.comparison import JourneyComparison
from mining.design.conformance import DEVIATION_TYPES, UNEXPECTED_ACTIVITY, Conformance, conformance_summary
from mining.design.norms import measured_in
from mining.report.designed_map import designed_map_svg
from mining.report.deviation_words import worded_conformance_tables
from mining.report.findings import finding_sentences, with_sentences
from mining.report.formatting import basis_words, short_duration
from mining.report.sections import norm_handovers

# The report lists this many of the variants that deviate, most journeys first.
TOP_DEVIATING_VARIANTS = 10


@dataclass(frozen=True)
class DesignedSection:
    """A comparison with its words and picture: the findings (the first is the top bottleneck), the
    comparison's tables as written (the bottlenecks with their sentences, the deviations in words), and the
    designed map as SVG."""

    comparison: JourneyComparison
    findings: list[str]
    tables: dict[str, pd.DataFrame]
    map_svg: str

    @property
    def bottlenecks(self) -> pd.DataFrame:
        return self.tables["bottlenecks"]


def designed_section(comparison: JourneyComparison) -> DesignedSection:
    journey, tables, fit = comparison.journey, comparison.tables, comparison.conformance
    ranked = tables["bottlenecks"]
    worded = worded_conformance_tables(fit) if fit is not None else {}
    return DesignedSection(
        comparison=comparison,
        findings=finding_sentences(
            ranked, journey, comparison.push_to_front, comparison.team_ping_pong, working_time=comparison.working_time
        ),
        tables={**tables, "bottlenecks": with_sentences(ranked, journey, comparison.working_time), **worded},
        map_svg=designed_map_svg(
            journey, tables["stage_norms"], tables["handover_norms"], comparison.journeys_in_scope, conformance=fit
        ),
    )


def in_basis(hours: float | None, time: str, working_time: bool) -> str:
    """A duration of a norm in `time` for the tables, in the basis it was measured in (measured_in)."""
    return short_duration(hours, measured_in(time, working_time))


def basis_note(comparison: JourneyComparison) -> str:
    """The section's legend: the basis of its figures and their units. When the design sets norms in working
    time but no time rules were given, it says once that those are measured in calendar time."""
    journey, tables = comparison.journey, comparison.tables
    declared = {*tables["stage_norms"]["time"], *tables["handover_norms"]["time"], comparison.end_to_end["time"]}
    measured = sorted({measured_in(time, comparison.working_time) for time in declared}, reverse=True)
    day = f"{journey.working_day_hours:g}"
    if not comparison.working_time and "working" in declared:
        return (
            f"No time rules were given: every figure is {basis_words('calendar', units=True)}, and the norms "
            f"the design sets in working time are measured in calendar time too (a working day of {day} h counts "
            f"as {day} calendar hours)."
        )
    if len(measured) == 1:
        legend = f"Every figure is {basis_words(measured[0], units=True)}."
    else:
        each = " or ".join(basis_words(basis, units=True) for basis in measured)
        legend = f"Each figure is in the time of its norm, {each}."
    return legend + (f" A working day of a norm is {day} working hours." if "working" in measured else "")


def section_context(section: DesignedSection) -> dict[str, Any]:
    """What `_designed_journey.html.j2` reads, under the name `designed`."""
    comparison = section.comparison
    designed_pairs, other_pairs = norm_handovers(comparison.tables["handover_norms"])
    return {
        "designed": {
            "journey": comparison.journey,
            "findings": section.findings,
            "end_to_end": comparison.end_to_end,
            "stages": comparison.tables["stage_norms"].to_dict("records"),
            "handovers": designed_pairs,  # in the design's order, then the costliest others, the rest summed
            "handovers_others": other_pairs,
            "bottlenecks": section.bottlenecks.head(10).to_dict("records"),
            "map_svg": section.map_svg,
            "working_time": comparison.working_time,
            "basis_note": basis_note(comparison),
            "in_basis": lambda hours, time: in_basis(hours, time, comparison.working_time),
            "conformance": _conformance_context(comparison.conformance, section.tables),
        }
    }


def _conformance_context(fit: Conformance | None, tables: dict[str, pd.DataFrame]) -> dict[str, Any] | None:
    """What the conformance part of `_designed_journey.html.j2` reads; None when nothing was checked."""
    if fit is None:
        return None
    variants = tables["conformance_variants"]  # with the deviations in words
    deviating = variants[variants["deviations"] != ""]
    return {
        "summary": conformance_summary(fit),
        "by_type": fit.rates_by_type.to_dict("records"),
        "by_stage": fit.rates_by_stage.to_dict("records"),
        "types": [kind for kind in DEVIATION_TYPES if kind != UNEXPECTED_ACTIVITY],  # the others are at a stage
        "variants": deviating.head(TOP_DEVIATING_VARIANTS).to_dict("records"),
    }
