"""The discovered process map as Graphviz SVG: activities grouped in department lanes, handover
edges between departments drawn heavier and coloured by how long they wait."""

from __future__ import annotations

import graphviz
import pandas as pd

from mining.errors import AnalysisError
from mining.formatting import short_duration


def _wait_colour(hours: float, worst: float) -> str:
    """Grey for short waits to red for the longest, so the eye finds the slow handovers."""
    ratio = 0.0 if worst <= 0 else min(hours / worst, 1.0)
    red, green, blue = int(120 + 135 * ratio), int(120 - 90 * ratio), int(120 - 90 * ratio)
    return f"#{red:02x}{green:02x}{blue:02x}"


def process_map_svg(
    activities: pd.DataFrame,
    edges: pd.DataFrame,
    start_end: pd.DataFrame,
    max_activities: int = 30,
    min_edge_frequency: int = 1,
) -> str:
    """SVG text of the performance directly-follows graph; keeps the `max_activities` most frequent."""
    if activities.empty:
        raise AnalysisError("no activities to draw")
    kept = activities.nlargest(max_activities, "frequency")
    names = set(kept["activity"])
    node_id = {name: f"a{i}" for i, name in enumerate(kept["activity"])}
    graph = graphviz.Digraph("journey", format="svg")
    # newrank: one global ranking; with department clusters, dot 2.43 otherwise fails ("trouble in
    # init_rank") on maps whose edges run back and forth between lanes, e.g. several journey types at once
    graph.attr(rankdir="LR", fontname="Helvetica", fontsize="11", nodesep="0.3", ranksep="0.45", newrank="true")
    graph.attr("node", shape="box", style="rounded,filled", fillcolor="#eef3fb", fontname="Helvetica", fontsize="10")
    graph.attr("edge", fontname="Helvetica", fontsize="8")
    for lane, (department, group) in enumerate(kept.groupby("department", sort=False)):
        with graph.subgraph(name=f"cluster_{lane}") as cluster:
            cluster.attr(label=str(department), style="rounded,dashed", color="#8da2c0", fontcolor="#34507a")
            for row in group.itertuples():
                cluster.node(node_id[row.activity], f"{row.activity}\n{row.frequency:,}")
    graph.node("start", "", shape="circle", width="0.2", style="filled", fillcolor="#4c9a2a")
    graph.node("end", "", shape="doublecircle", width="0.15", style="filled", fillcolor="#333333")
    for row in start_end.itertuples():
        if row.activity in names and row.starts:
            graph.edge("start", node_id[row.activity], label=f"{row.starts:,}", color="#4c9a2a")
        if row.activity in names and row.ends:
            graph.edge(node_id[row.activity], "end", label=f"{row.ends:,}", color="#555555")
    shown = edges[edges["source_activity"].isin(names) & edges["target_activity"].isin(names)]
    shown = shown[shown["frequency"] >= min_edge_frequency]
    top_frequency = max(int(shown["frequency"].max()), 1) if not shown.empty else 1
    worst_wait = float(shown["median_wait_hours"].max()) if not shown.empty else 0.0
    for row in shown.itertuples():
        handover = row.source_department != row.target_department
        graph.edge(
            node_id[row.source_activity],
            node_id[row.target_activity],
            label=f"{row.frequency:,} · {short_duration(row.median_wait_hours)}",
            penwidth=f"{0.6 + 3.4 * row.frequency / top_frequency:.2f}",
            color=_wait_colour(row.median_wait_hours, worst_wait) if handover else "#9aa5b1",
            tooltip=(
                f"{row.source_activity} → {row.target_activity}: {row.frequency} times, "
                f"median wait {short_duration(row.median_wait_hours)}, p90 {short_duration(row.p90_wait_hours)}"
            ),
        )
    svg = graph.pipe(format="svg").decode("utf-8")
    return svg[svg.index("<svg") :]  # drop the XML prologue so it can be inlined in HTML
