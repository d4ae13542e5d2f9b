"""The difference process map of a pilot (Graphviz SVG): the paths of both sides in one map, activities in
department lanes; an edge is green when its median wait got significantly shorter, red when significantly
longer, grey otherwise; paths only seen after the change are drawn blue and dashed ("new"), paths only seen
before dotted ("vanished")."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import graphviz

from mining.report.graphviz_text import graphviz_text
from mining.report.pilot_wording import hours_pair
from mining.report.process_map import inline_svg

if TYPE_CHECKING:
    from mining.pilot.evaluation import DifferenceMap

IMPROVED, WORSE, UNCHANGED, NEW, VANISHED = "#2f855a", "#c53030", "#9aa5b1", "#2b6cb0", "#a0aec0"


def difference_map_svg(difference_map: DifferenceMap, words: dict[str, Any]) -> str:
    """SVG text of the map (mining.pilot.evaluation.DifferenceMap); `words` say how its waits read."""
    activities, counts, edges = difference_map.activities, difference_map.paths, difference_map.judged
    judged = {}
    if not edges.empty:
        judged = {(row["source_activity"], row["target_activity"]): row for row in edges.to_dict("records")}
    node_id = {name: f"a{i}" for i, name in enumerate(activities["activity"])}
    graph = graphviz.Digraph("pilot", format="svg")
    graph.attr(rankdir="LR", fontname="Helvetica", fontsize="11", nodesep="0.3", ranksep="0.5", newrank="true")
    graph.attr("node", shape="box", style="rounded,filled", fillcolor="#eef3fb", fontname="Helvetica", fontsize="10")
    graph.attr("edge", fontname="Helvetica", fontsize="8")
    for lane, (department, group) in enumerate(activities.groupby("department", sort=True)):
        with graph.subgraph(name=f"cluster_{lane}") as cluster:
            cluster.attr(label=graphviz_text(department), style="rounded,dashed", color="#8da2c0", fontcolor="#34507a")
            for row in group.itertuples():
                cluster.node(node_id[row.activity], graphviz_text(row.activity))
    for row in counts.itertuples():
        if row.source_activity not in node_id or row.target_activity not in node_id:
            continue
        key = (row.source_activity, row.target_activity)
        style, colour, label = "solid", UNCHANGED, f"{row.before:,} → {row.after:,}×"
        if row.before == 0:
            style, colour, label = "dashed", NEW, f"new: {row.after:,}×"
        elif row.after == 0:
            style, colour, label = "dotted", VANISHED, f"vanished (was {row.before:,}×)"
        elif key in judged:
            effect = judged[key]
            change = hours_pair(effect["before"], effect["after"], words)
            label = f"{label}\n{change}"
            if effect["direction"] == "improved":
                colour = IMPROVED
            elif effect["direction"] == "worse":
                colour = WORSE
        graph.edge(
            node_id[row.source_activity],
            node_id[row.target_activity],
            label=graphviz_text(label),
            color=colour,
            fontcolor=colour if colour != UNCHANGED else "#4a5a6d",
            style=style,
            penwidth="2.4" if colour in (IMPROVED, WORSE) else "1.2",
            tooltip=graphviz_text(f"{row.source_activity} → {row.target_activity}: {label}".replace("\n", "; ")),
        )
    return inline_svg(graph)
