"""The discovered process map as Graphviz SVG: activities grouped in department lanes, start and end of
the journeys, and paths labelled with how often they are taken or how long they wait. Paths between
departments (handovers) are coloured by their wait, so the eye finds the slow ones."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Literal

import graphviz
import pandas as pd

from mining.discovery.map_detail import (
    END,
    START,
    MapGraph,
)
from mining.report.formatting import short_duration
from mining.report.graphviz_text import graphviz_text

EdgeLabel = Literal["frequency", "time"]
EDGE_LABELS: tuple[EdgeLabel, ...] = ("frequency", "time")
LEVELS_PERCENT = (10, 25, 50, 75, 100)  # slider stops, as share of the activities / of the paths


def wait_colour(hours: float, worst: float) -> str:
    """Grey for short waits to red for the longest."""
    ratio = 0.0 if worst <= 0 or pd.isna(hours) else min(hours / worst, 1.0)
    red, green, blue = int(120 + 135 * ratio), int(120 - 90 * ratio), int(120 - 90 * ratio)
    return f"#{red:02x}{green:02x}{blue:02x}"


def _lane_names(activities: pd.DataFrame) -> pd.Series:
    """Each activity's lane as the map names it (mining.discovery.map_detail.activity_lanes): its department,
    or a lane shared by activities no department does most of, or one for the less busy departments."""
    if "lane_kind" not in activities:  # a graph made without lanes: the department doing it most
        return activities["department"]
    words = activities["lane_kind"].map({"shared": "several departments", "other": "other departments"})
    return words.fillna(activities["lane"])


def fit_width(svg: str) -> str:
    """The SVG's fixed size (Graphviz writes width="12000pt" for a wide map) made to fit its container: width
    100% up to its natural width (so a small map is not blown up), height from the viewBox. The natural
    width stays as --map-natural for the pages' zoom (templates/_styles.html.j2)."""
    found = re.match(r'<svg width="([0-9.]+)pt" height="[0-9.]+pt"', svg)
    if found is None:
        return svg
    natural = f"{found.group(1)}pt"
    style = f"--map-natural: {natural}; max-width: min(100%, {natural}); height: auto"
    return f'<svg width="100%" style="{style}"' + svg[found.end() :]


def inline_svg(graph: graphviz.Digraph) -> str:
    """The graph rendered as SVG text that can be inlined in HTML: no XML prologue, no Graphviz comments,
    fitting the page's width (fit_width)."""
    svg = graph.pipe(format="svg").decode("utf-8")
    svg = svg[svg.index("<svg") :]  # drop the XML prologue so it can be inlined in HTML
    svg = re.sub(r"<!--.*?-->\n?", "", svg, flags=re.DOTALL)  # Graphviz's comments are a third of the size
    return fit_width(svg)


def render_map(graph: MapGraph, edge_label: EdgeLabel = "frequency") -> str:
    """SVG text of one map. Frequency: labels count the journeys' steps, thickness follows them. Time:
    labels give the median wait, thickness follows it. Hover a path for both and the p90."""
    if edge_label not in EDGE_LABELS:
        raise ValueError(f"edge label must be one of {EDGE_LABELS}, not {edge_label!r}")
    activities, paths = graph.activities, graph.paths
    node_id = {name: f"a{i}" for i, name in enumerate(activities["activity"])} | {START: "start", END: "end"}
    department = dict(zip(activities["activity"], activities["department"], strict=True))
    dot = graphviz.Digraph("journey", format="svg")
    # newrank: one global ranking; with department clusters, dot 2.43 otherwise fails ("trouble in
    # init_rank") on maps whose edges run back and forth between lanes, e.g. several journey types at once
    dot.attr(rankdir="LR", fontname="Helvetica", fontsize="11", nodesep="0.3", ranksep="0.45", newrank="true")
    dot.attr("node", shape="box", style="rounded,filled", fillcolor="#eef3fb", fontname="Helvetica", fontsize="10")
    dot.attr("edge", fontname="Helvetica", fontsize="8")
    for lane, (name, group) in enumerate(activities.groupby(_lane_names(activities), sort=False, dropna=False)):
        with dot.subgraph(name=f"cluster_{lane}") as cluster:
            cluster.attr(label=graphviz_text(name), style="rounded,dashed", color="#8da2c0", fontcolor="#34507a")
            for row in group.itertuples():
                cluster.node(node_id[row.activity], graphviz_text(row.activity, f"{row.frequency:,}"))
    dot.node("start", "", shape="circle", width="0.2", style="filled", fillcolor="#4c9a2a", tooltip="start")
    dot.node("end", "", shape="doublecircle", width="0.15", style="filled", fillcolor="#333333", tooltip="end")
    steps = paths[(paths["source_activity"] != START) & (paths["target_activity"] != END)]
    top_frequency = max(int(paths["frequency"].max()), 1) if not paths.empty else 1
    worst_wait = float(steps["median_wait_hours"].max()) if not steps.empty else 0.0
    for row in paths.itertuples():
        tooltip = f"{row.source_activity} → {row.target_activity}: {row.frequency:,} times"
        if row.source_activity == START or row.target_activity == END:
            colour = "#4c9a2a" if row.source_activity == START else "#555555"
            dot.edge(node_id[row.source_activity], node_id[row.target_activity],
                     label=graphviz_text(f"{row.frequency:,}"), color=colour, style="dashed",
                     tooltip=graphviz_text(tooltip))  # fmt: skip
            continue
        median, p90 = (short_duration(hours, graph.wait_unit) for hours in (row.median_wait_hours, row.p90_wait_hours))
        tooltip += f", median wait {median}, p90 {p90}"
        handover = department[row.source_activity] != department[row.target_activity]
        if edge_label == "frequency":
            label, weight = f"{row.frequency:,}", row.frequency / top_frequency
        else:
            label = median
            weight = 0.0 if worst_wait <= 0 or pd.isna(row.median_wait_hours) else row.median_wait_hours / worst_wait
        dot.edge(
            node_id[row.source_activity],
            node_id[row.target_activity],
            label=graphviz_text(label),
            penwidth=f"{0.6 + 3.4 * weight:.2f}",
            color=wait_colour(row.median_wait_hours, worst_wait) if handover else "#9aa5b1",
            tooltip=graphviz_text(tooltip),
        )
    return inline_svg(dot)


@dataclass
class MapGrid:
    """Pre-rendered maps for the report's sliders: `cells[(activity_step, path_step, label)]` is an index
    into `svgs` (identical maps are rendered once); steps index `levels`."""

    levels: tuple[int, ...]
    svgs: list[str] = field(default_factory=list)
    cells: dict[tuple[int, int, str], int] = field(default_factory=dict)
    counts: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)  # (activities, paths) shown


def map_grid(
    graphs: dict[tuple[int, int], MapGraph],
    levels: tuple[int, ...] = LEVELS_PERCENT,
    edge_labels: tuple[EdgeLabel, ...] = EDGE_LABELS,
    workers: int = 2,
) -> MapGrid:
    """Every map of `graphs` (mining.discovery.map_detail.map_levels) with every edge label, each distinct
    map rendered once; Graphviz runs in `workers` processes."""
    grid = MapGrid(levels)
    selections: list[tuple[tuple[int, int, EdgeLabel], MapGraph]] = []
    for (activity_step, path_step), graph in graphs.items():
        grid.counts[(activity_step, path_step)] = (len(graph.activities), len(graph.paths))
        for label in edge_labels:
            selections.append(((activity_step, path_step, label), graph))
    distinct: dict[tuple[str, tuple[tuple[str, str], ...], str], int] = {}
    jobs: list[tuple[MapGraph, str]] = []
    for (activity_step, path_step, label), graph in selections:
        key = (
            "\x1f".join(graph.activities["activity"]),
            tuple(zip(graph.paths["source_activity"], graph.paths["target_activity"], strict=True)),
            label,
        )
        if key not in distinct:
            distinct[key] = len(jobs)
            jobs.append((graph, label))
        grid.cells[(activity_step, path_step, label)] = distinct[key]
    with ThreadPoolExecutor(max_workers=max(workers, 1)) as pool:  # threads wait on the dot processes
        grid.svgs = list(pool.map(lambda job: render_map(*job), jobs))
    return grid
