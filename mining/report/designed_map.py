"""The designed journey drawn with the actual figures on it (Graphviz SVG, like `mining.report.process_map`).

Stages are boxes grouped in their owning department; the designed order gives the edges. An edge where
the department changes is a designed handover, labelled with its actual median against the norm and the
share of journeys that breach it, and coloured by whether the norm holds for its share: green holds,
amber close, red breached. The deviations are dashed: handovers the design does not have but the
journeys take often enough, stages skipped often enough (their share on the box, with the other
deviations there: rework, out of order, other department), and one note listing the most common
activities the design does not have. Each figure is in the basis its norm was measured in (`measured_in`),
in the units of mining.report.formatting.
"""

from __future__ import annotations

import graphviz
import pandas as pd

from mining.design.conformance import (
    OTHER_DEPARTMENT,
    REWORK_LOOP,
    SKIPPED_STAGE,
    WRONG_ORDER,
    Conformance,
)
from mining.design.journey import DesignedJourney, Stage
from mining.errors import AnalysisError
from mining.report.formatting import is_missing, percent, short_duration
from mining.report.graphviz_text import graphviz_text

STATUS_COLOURS = {"green": "#2f855a", "amber": "#d69e2e", "red": "#c53030"}
STATUS_FILLS = {"green": "#e6f4ea", "amber": "#fdf3d8", "red": "#fde2e2"}
NEUTRAL = "#8a96a3"
DEVIATION_COLOUR = "#7b341e"
# Deviations of a stage as its box says them, in this order.
STAGE_DEVIATION_WORDS = {
    SKIPPED_STAGE: "skipped",
    REWORK_LOOP: "rework",
    WRONG_ORDER: "out of order",
    OTHER_DEPARTMENT: "other department",
}
# The note lists at most this many activities the design does not have.
MAX_UNEXPECTED_ACTIVITIES = 4
# Lanes take these colours in turn, so a department keeps one colour across the map.
LANE_COLOURS = ("#34507a", "#6b46c1", "#2c7a7b", "#975a16", "#285e61", "#702459", "#4a5568", "#2b6cb0")


def _handover_label(row: pd.Series) -> str:
    """The median wait against the norm, in the basis the norm was measured in (`measured_in`)."""
    median = short_duration(row["median_wait_hours"], row["measured_in"])
    if is_missing(row["norm_hours"]):
        return f"{median} (no norm)\nn={int(row['handovers']):,}"
    norm = short_duration(row["norm_hours"], row["measured_in"])
    return f"{median} vs {norm}\n{percent(row['journeys_breaching_rate'])} breach"


def designed_map_svg(
    journey: DesignedJourney,
    stages: pd.DataFrame,
    handovers: pd.DataFrame,
    journeys_in_scope: int,
    min_deviation_share: float = 0.02,
    conformance: Conformance | None = None,
) -> str:
    """SVG text of the designed journey with actual figures. `stages` is `mining.design.norms.stage_norms`,
    `handovers` is `mining.design.norms.handover_norms`; undesigned handovers seen in at least
    `min_deviation_share` of the journeys are drawn dashed; with `conformance`, so are the stages skipped
    by that share, and the deviations of at least that share are written on their stage and in a note."""
    if not journey.stages:
        raise AnalysisError(f"the designed journey {journey.name} has no stages to draw")
    stage_rows = stages.set_index("stage")
    node_of = {stage.name: f"s{index}" for index, stage in enumerate(journey.stages)}
    departments = list(dict.fromkeys(stage.department for stage in journey.stages))
    graph = graphviz.Digraph("designed", format="svg")
    graph.attr(rankdir="LR", fontname="Helvetica", fontsize="11", nodesep="0.35", ranksep="0.6", newrank="true")
    graph.attr("node", shape="box", style="rounded,filled", fontname="Helvetica", fontsize="10")
    graph.attr("edge", fontname="Helvetica", fontsize="8")
    for lane, department in enumerate(departments):
        colour = LANE_COLOURS[lane % len(LANE_COLOURS)]
        with graph.subgraph(name=f"cluster_{lane}") as cluster:
            cluster.attr(
                label=graphviz_text(department), style="rounded", color=colour, fontcolor=colour, penwidth="1.5"
            )
            for stage in journey.stages:
                if stage.department == department:
                    row = stage_rows.loc[stage.name] if stage.name in stage_rows.index else None
                    deviations = _stage_deviations(conformance, stage.name, min_deviation_share)
                    _stage_node(cluster, journey, stage, row, deviations, node_of[stage.name], colour)
    _designed_handovers(graph, journey, handovers.set_index(["from_department", "to_department"]), node_of)
    _deviations(graph, journey, handovers, journeys_in_scope, min_deviation_share, node_of)
    _unexpected_note(graph, conformance, min_deviation_share)
    svg = graph.pipe(format="svg").decode("utf-8")
    return svg[svg.index("<svg") :]  # drop the XML prologue so it can be inlined in HTML


def _stage_node(
    cluster: graphviz.Digraph,
    journey: DesignedJourney,
    stage: Stage,
    row: pd.Series | None,
    deviations: dict[str, float],
    node: str,
    colour: str,
) -> None:
    """A stage in its department's lane: its median against the norm, coloured by breach; its deviations."""
    label, fill, border = stage.name, "#f4f6f9", colour
    if row is not None and not is_missing(row["norm_hours"]):
        median = short_duration(row["median_hours"], row["measured_in"])
        norm = short_duration(row["norm_hours"], row["measured_in"])
        label += f"\n{median} vs {norm} · {percent(row['breach_rate'])} breach"
        fill = STATUS_FILLS.get(row["status"], fill)
        border = STATUS_COLOURS.get(row["status"], colour)
    elif row is not None:
        label += f"\n{int(row['journeys']):,} {journey.journey_noun}"
    if stage.touchpoint is not None and stage.touchpoint.moment_of_truth:
        label += "\n★ moment of truth"
    style = "rounded,filled"
    if deviations:
        label += "\n⤳ " + " · ".join(f"{words} {percent(rate)}" for words, rate in deviations.items())
        if STAGE_DEVIATION_WORDS[SKIPPED_STAGE] in deviations:
            style += ",dashed"
    cluster.node(node, graphviz_text(label), fillcolor=fill, color=border, penwidth="1.5", style=style)


def _designed_handovers(
    graph: graphviz.Digraph, journey: DesignedJourney, pairs: pd.DataFrame, node_of: dict[str, str]
) -> None:
    """The designed order's edges: within a department plain, between departments the handover's median
    wait against its norm, coloured by breach ("not seen" when no journey made it)."""
    for before, after in journey.stage_follows():
        department_before = journey.stage_named(before).department
        department_after = journey.stage_named(after).department
        if department_before == department_after:
            graph.edge(node_of[before], node_of[after], color=NEUTRAL)
            continue
        pair = (department_before, department_after)
        row = pairs.loc[pair] if pair in pairs.index else None
        if row is None or row["handovers"] == 0:
            graph.edge(
                node_of[before], node_of[after], color=NEUTRAL, label=graphviz_text("not seen"), fontcolor=NEUTRAL
            )
            continue
        colour = STATUS_COLOURS.get(row["status"], NEUTRAL)
        graph.edge(
            node_of[before],
            node_of[after],
            label=graphviz_text(_handover_label(row)),
            color=colour,
            fontcolor=colour,
            penwidth="2.2",
            tooltip=graphviz_text(
                f"{pair[0]} → {pair[1]}: {int(row['handovers']):,} handovers, median "
                f"{short_duration(row['median_wait_hours'], row['measured_in'])}, "
                f"p90 {short_duration(row['p90_wait_hours'], row['measured_in'])}"
            ),
        )


def _deviations(
    graph: graphviz.Digraph,
    journey: DesignedJourney,
    handovers: pd.DataFrame,
    journeys_in_scope: int,
    min_share: float,
    node_of: dict[str, str],
) -> None:
    """Dashed edges for undesigned handovers with volume, between the stages they most often leave and reach
    (`usual_source_stage`, `usual_target_stage` of the handover table: mining.design.event_stages' stage of
    each event, one the department owns; else the department's last and first stage); a department the
    design does not know gets a grey box."""
    seen = handovers[~handovers["designed"] & (handovers["journeys"] >= max(min_share * journeys_in_scope, 1))]
    outsiders: dict[str, str] = {}

    def node(department: str, stage: object, last: bool) -> str:
        if isinstance(stage, str) and stage in node_of:  # the stage the handover usually leaves or reaches (or NaN)
            return node_of[stage]
        owned = [stage.name for stage in journey.stages if stage.department == department]
        if owned:
            return node_of[owned[-1] if last else owned[0]]
        if department not in outsiders:
            outsiders[department] = f"x{len(outsiders)}"
            graph.node(
                outsiders[department],
                graphviz_text(department, "(not in the design)"),
                fillcolor="#eeeeee",
                color=NEUTRAL,
                style="rounded,filled,dashed",
            )
        return outsiders[department]

    for row in seen.itertuples():
        graph.edge(
            node(str(row.from_department), row.usual_source_stage, last=True),
            node(str(row.to_department), row.usual_target_stage, last=False),
            label=graphviz_text(
                f"{int(row.journeys):,} {journey.journey_noun}", short_duration(row.median_wait_hours, row.measured_in)
            ),
            style="dashed",
            color=DEVIATION_COLOUR,
            fontcolor=DEVIATION_COLOUR,
            constraint="false",
            tooltip=graphviz_text(
                f"{row.from_department} → {row.to_department}: not designed, {int(row.handovers):,} handovers"
            ),
        )


def _stage_deviations(conformance: Conformance | None, stage: str, min_share: float) -> dict[str, float]:
    """The stage's deviation rates of at least `min_share` of the checked journeys, in words."""
    if conformance is None:
        return {}
    rates = conformance.rates_by_stage.set_index("stage")
    if stage not in rates.index:
        return {}
    row = rates.loc[stage]
    found = {words: float(row[f"{kind} rate"]) for kind, words in STAGE_DEVIATION_WORDS.items()}
    return {words: rate for words, rate in found.items() if rate >= min_share}


def _unexpected_note(graph: graphviz.Digraph, conformance: Conformance | None, min_share: float) -> None:
    """One dashed note with the activities in no stage that at least `min_share` of the journeys did."""
    if conformance is None:
        return
    table = conformance.unexpected_activities
    common = table[table["rate"] >= min_share].head(MAX_UNEXPECTED_ACTIVITIES)
    if common.empty:
        return
    lines = [f"{row.activity}: {percent(row.rate)}" for row in common.itertuples()]
    more = len(table[table["rate"] >= min_share]) - len(common)
    if more > 0:
        lines.append(f"and {more} more")
    graph.node(
        "unexpected",
        graphviz_text("Not in the design", *lines),
        shape="note",
        style="dashed",
        color=DEVIATION_COLOUR,
        fontcolor=DEVIATION_COLOUR,
        tooltip="activities in no stage of the design, with the share of finished journeys that did them",
    )
