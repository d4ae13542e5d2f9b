"""The explorer's maps (`journey explore`) as Graphviz SVG and PNG, drawn like the report's process map.

The process map takes the explorer's map as its JSON API gives it (`/api/map`: level, nodes, edges,
wait_basis; mining.explore.ProcessMap.to_json), so this module needs nothing above the report layer. The
page finds each edge by its SVG id `edge-<id>` (class `edge`, Graphviz's own) and each node by
`node-<index>` (its place in `nodes`). Edges are coloured by their median wait (grey short, red long) and
as thick as they are frequent; the label says the chosen metric. The compare map draws the handovers of
two cohorts in the difference map's colours (mining.report.difference_map): green when the wait got
significantly shorter from a to b, red when longer, grey otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import graphviz

from mining.report.difference_map import IMPROVED, UNCHANGED, WORSE
from mining.report.formatting import is_missing, short_duration
from mining.report.graphviz_text import graphviz_text
from mining.report.process_map import wait_colour

Metric = Literal["count", "median", "p90"]
METRICS: tuple[Metric, ...] = ("count", "median", "p90")
ImageFormat = Literal["svg", "png"]


def _digraph(name: str) -> graphviz.Digraph:
    graph = graphviz.Digraph(name)
    graph.attr(rankdir="LR", fontname="Helvetica", fontsize="11", nodesep="0.3", ranksep="0.5", newrank="true")
    graph.attr("node", shape="box", style="rounded,filled", fillcolor="#eef3fb", fontname="Helvetica", fontsize="10")
    graph.attr("edge", fontname="Helvetica", fontsize="8")
    return graph


def _hours(value: Any) -> float | None:
    return None if value is None or is_missing(value) else float(value)


def _edge_label(edge: Mapping[str, Any], metric: Metric, basis: str) -> str:
    if metric == "count":
        return f"{int(edge['count']):,}"
    return short_duration(_hours(edge["median_wait_hours" if metric == "median" else "p90_wait_hours"]), basis)


def explorer_map_graph(drawn: Mapping[str, Any], metric: Metric = "count") -> graphviz.Digraph:
    """The Graphviz graph of a map as `/api/map` gives it."""
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {', '.join(METRICS)}, not {metric!r}")
    basis = str(drawn.get("wait_basis") or "calendar")
    nodes: Sequence[Mapping[str, Any]] = drawn["nodes"]
    edges: Sequence[Mapping[str, Any]] = drawn["edges"]
    name_of = {str(node["id"]): f"n{index}" for index, node in enumerate(nodes)}
    graph = _digraph("explorer")
    for index, node in enumerate(nodes):
        name = str(node["id"])
        graph.node(
            name_of[name],
            graphviz_text(name, f"{int(node['count']):,}"),
            id=f"node-{index}",
            tooltip=graphviz_text(f"{name}: {int(node['count']):,} events, {int(node['journeys']):,} journeys"),
        )
    top_count = max((int(edge["count"]) for edge in edges), default=1) or 1
    worst_wait = max((_hours(edge["median_wait_hours"]) or 0.0 for edge in edges), default=0.0)
    for edge in edges:
        source, target = str(edge["from"]), str(edge["to"])
        if source not in name_of or target not in name_of:
            continue  # an edge to a node the slider left out
        median = _hours(edge["median_wait_hours"])
        tooltip = (
            f"{source} → {target}: {int(edge['count']):,} times, {int(edge['journeys']):,} journeys, median wait "
            f"{short_duration(median, basis)}, p90 {short_duration(_hours(edge['p90_wait_hours']), basis)}"
        )
        graph.edge(
            name_of[source],
            name_of[target],
            label=graphviz_text(_edge_label(edge, metric, basis)),
            id=f"edge-{edge['id']}",
            penwidth=f"{0.6 + 3.4 * int(edge['count']) / top_count:.2f}",
            color=wait_colour(median if median is not None else float("nan"), worst_wait),
            tooltip=graphviz_text(tooltip),
        )
    return graph


def compare_map_graph(comparison: Mapping[str, Any], basis: str = "calendar") -> graphviz.Digraph:
    """The Graphviz graph of the handovers of a cohort comparison as `/api/compare` gives it: one edge per
    handover, labelled with both medians (a → b), coloured by a significant change."""
    handovers: Sequence[Mapping[str, Any]] = comparison["handovers"]
    holders = list(dict.fromkeys(str(name) for row in handovers for name in (row["from"], row["to"])))
    name_of = {name: f"n{index}" for index, name in enumerate(holders)}
    graph = _digraph("compare")
    for index, name in enumerate(holders):
        graph.node(name_of[name], graphviz_text(name), id=f"node-{index}", tooltip=graphviz_text(name))
    for index, row in enumerate(handovers):
        change = _hours(row.get("change"))
        colour = UNCHANGED
        if row.get("significant") and change is not None:
            colour = IMPROVED if change < 0 else WORSE
        a, b = (short_duration(_hours(row[key]), basis) for key in ("a_median_wait_hours", "b_median_wait_hours"))
        label = f"{a} → {b}\n{int(row['a_count']):,} / {int(row['b_count']):,}×"
        graph.edge(
            name_of[str(row["from"])],
            name_of[str(row["to"])],
            label=graphviz_text(label),
            id=f"edge-c{index}",
            color=colour,
            fontcolor=colour if colour != UNCHANGED else "#4a5a6d",
            penwidth="2.4" if colour != UNCHANGED else "1.2",
            tooltip=graphviz_text(f"{row['from']} → {row['to']}: median wait a {a}, b {b}"),
        )
    return graph


def rendered(graph: graphviz.Digraph, image: ImageFormat = "svg") -> bytes:
    """The graph as a standalone SVG document (Graphviz's comments left out: a third of the size) or PNG."""
    output = graph.pipe(format=image)
    if image == "png":
        return output
    return re.sub(rb"<!--.*?-->\n?", b"", output, flags=re.DOTALL)
