"""The explorer's map of the filtered journeys at a level (activities, departments, teams), the journeys
behind a node or an edge, and one journey's timeline.

Edges as mining.explore.levels defines them; an edge's wait is the wait into the receiving step in the
explorer's basis, pauses left out (ExplorerData). Counted on the step index (step_index.py): quantiles
interpolate as DuckDB's quantile_cont does."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mining.explore.data import ExplorerData, Snapshot
from mining.explore.filters import JourneyFilter
from mining.explore.levels import DEFAULT_TOP, GROUP_NAMES, Level, level_columns
from mining.explore.results import JourneyPage, JourneyRow, MapEdge, MapNode, ProcessMap, Timeline, TimelineEvent
from mining.explore.step_index import LevelIndex, Selection, StepIndex

JOURNEY_SORTS = ("journey_id", "opened_at", "lead_time_hours", "wait_hours")
EDGE_COLUMNS = ["source", "target", "count", "journeys", "median_wait_hours", "p90_wait_hours", "total_wait_hours"]


@dataclass(frozen=True)
class Grouping:
    """Node codes at a level as drawn: `drawn[code]` is the code's node, `group` (one past the last code)
    for the holders summed into the group node `name`; no group when `name` is None."""

    drawn: np.ndarray
    group: int
    name: str | None

    def label(self, drawn_code: int, names: tuple[str, ...]) -> str:
        return self.name if drawn_code == self.group and self.name is not None else names[drawn_code]


def _grouping(level: str, index: LevelIndex, node_counts: np.ndarray, top: int | None) -> Grouping:
    """The `top` busiest holders (most steps of the filtered journeys; ties by name) kept, the rest grouped;
    team level keeps 30 unless told, activities are never grouped."""
    identity = np.arange(index.width)
    keep = None if level == "activity" else (DEFAULT_TOP[level] if top is None else top)
    present = np.flatnonzero(node_counts > 0)
    if keep is None or len(present) <= keep:
        return Grouping(identity, index.width, None)
    ranked = sorted(present, key=lambda code: (-node_counts[code], index.names[code]))
    drawn = np.full(index.width, index.width)
    drawn[ranked[: max(keep, 0)]] = np.asarray(ranked[: max(keep, 0)], dtype=int)
    return Grouping(drawn, index.width, GROUP_NAMES[level])


class SelectedEdges:
    """The edges at one level of the selected journeys (step_index.Selection) on the index. The listed
    steps' places in the level's wait-ordered `order`, sorted (`ranks`), give every count by binary
    search: an edge's selected steps, and the r-th of them in wait order (for its quantiles)."""

    def __init__(self, steps: StepIndex, level: LevelIndex, selection: Selection):
        self.steps, self.level, self.selection = steps, level, selection
        self.ranks = np.zeros(0, dtype=np.int32)
        self.listed_edges = np.zeros(0, dtype=np.int64)
        if selection.steps is not None:
            listed = selection.steps[level.rank[selection.steps] >= 0]
            self.listed_edges = listed
            self.ranks = np.sort(level.rank[listed])
            self.gaps = self.ranks - np.arange(len(self.ranks))  # the k-th missing place, for the complement

    def _before(self, places: np.ndarray) -> np.ndarray:
        """Selected steps placed before each of `places` in `order`."""
        if self.selection.steps is None:
            return places
        listed = np.searchsorted(self.ranks, places)
        return places - listed if self.selection.complement else listed

    def counts(self) -> np.ndarray:
        starts = self.level.starts
        return self._before(starts[1:]) - self._before(starts[:-1])

    def _place(self, selected_index: np.ndarray) -> np.ndarray:
        """The place in `order` of the selected step with that index (0-based, in order)."""
        if self.selection.steps is None:
            return selected_index
        if not self.selection.complement:
            return self.ranks[selected_index]
        return selected_index + np.searchsorted(self.gaps, selected_index, side="right")

    def journeys(self) -> np.ndarray:
        if self.selection.steps is None:
            return self.level.all_edge_journeys
        first = self.listed_edges[self.level.edge_first[self.listed_edges]]
        return self.selection.counted(self.level.slot[first], self.level.all_edge_journeys, len(self.level.keys))

    def total_waits(self) -> np.ndarray:
        if self.selection.steps is None:
            return self.level.all_edge_totals
        listed = self.listed_edges
        found = np.bincount(self.level.slot[listed], weights=self.steps.wait[listed], minlength=len(self.level.keys))
        return self.level.all_edge_totals - found if self.selection.complement else found

    def quantiles(self, slots: np.ndarray, counts: np.ndarray, share: float) -> np.ndarray:
        """quantile_cont(wait, share) of the selected steps of each edge slot (NaN with none): the steps
        ranked just below and above the position in the slot's wait-ordered slice, interpolated."""
        position = share * np.maximum(counts - 1, 0)
        low = np.floor(position).astype(np.int64)
        high = np.minimum(low + 1, np.maximum(counts - 1, 0))
        base = self._before(self.level.starts[slots])
        live = counts > 0  # a slot without selected steps has no r-th one to look up
        values = []
        for rank in (low, high):
            value = np.full(len(slots), np.nan)
            value[live] = self.steps.wait[self.level.order[self._place((base + rank)[live])]]
            values.append(value)
        return values[0] + (position - low) * (values[1] - values[0])

    def steps_of(self, slots: np.ndarray) -> np.ndarray:
        """The selected steps of those edge slots."""
        if len(slots) == 0:
            return np.zeros(0, dtype=np.int64)
        found = np.concatenate(
            [self.level.order[self.level.starts[slot] : self.level.starts[slot + 1]] for slot in slots]
        )
        return found[self.selection.chosen(found)]


def edge_frame(selected: SelectedEdges, grouping: Grouping, totals: bool = True) -> pd.DataFrame:
    """Per drawn edge (source, target as drawn codes): count, journeys, median, p90 and total wait of the
    selected steps; an edge into or out of the group merges the holders' edges, counted from their steps."""
    level = selected.level
    counts = selected.counts()
    present = np.flatnonzero(counts > 0)
    source = grouping.drawn[level.keys[present] // level.width]
    target = grouping.drawn[level.keys[present] % level.width]
    frame = pd.DataFrame({"source": source, "target": target, "slot": present})
    merged = (
        frame.duplicated(["source", "target"], keep=False) | (source == grouping.group) | (target == grouping.group)
    )
    single = frame[~merged]
    rows = pd.DataFrame({
        "source": single["source"], "target": single["target"], "count": counts[single["slot"]],
        "journeys": selected.journeys()[single["slot"]],
        "median_wait_hours": selected.quantiles(single["slot"].to_numpy(), counts[single["slot"]], 0.5),
        "p90_wait_hours": selected.quantiles(single["slot"].to_numpy(), counts[single["slot"]], 0.9),
        "total_wait_hours": selected.total_waits()[single["slot"]] if totals else np.nan,
    })  # fmt: skip
    merged_rows = []
    for (drawn_source, drawn_target), group in frame[merged].groupby(["source", "target"]):
        steps = selected.steps_of(group["slot"].to_numpy())
        waits = selected.steps.wait[steps]
        merged_rows.append({
            "source": drawn_source, "target": drawn_target, "count": len(steps),
            "journeys": len(np.unique(selected.steps.jid[steps])),
            "median_wait_hours": float(np.quantile(waits, 0.5)), "p90_wait_hours": float(np.quantile(waits, 0.9)),
            "total_wait_hours": float(waits.sum()),
        })  # fmt: skip
    return pd.concat([rows, pd.DataFrame(merged_rows, columns=EDGE_COLUMNS)], ignore_index=True)


def _kept_count(total: int, share: float) -> int:
    """As the report's sliders count (mining.discovery.map_detail.level_count): at least one, rounded up."""
    return min(total, max(1, math.ceil(total * share - 1e-9)))


def _node_rows(
    steps: StepIndex, level: LevelIndex, selection: Selection, grouping: Grouping, counts: np.ndarray
) -> list[MapNode]:
    if selection.steps is None:
        journeys = level.all_node_journeys
    else:
        first = selection.steps[level.node_first[selection.steps]]
        journeys = selection.counted(level.node[first], level.all_node_journeys, level.width)
    rows = [MapNode(level.names[code], int(counts[code]), int(journeys[code]))
            for code in np.flatnonzero((counts > 0) & (grouping.drawn == np.arange(level.width)))]  # fmt: skip
    grouped = (counts > 0) & (grouping.drawn == grouping.group)
    if grouping.name is not None and grouped.any():
        at_group = np.flatnonzero(grouped[level.node])
        at_group = at_group[selection.chosen(at_group)]
        rows.append(MapNode(grouping.name, int(counts[grouped].sum()), len(np.unique(steps.jid[at_group]))))
    return rows


def _selection(data: Snapshot, filters: JourneyFilter) -> Selection:
    """The selected journeys and their steps (step_index.Selection)."""
    cursor = data.cursor()
    try:
        journeys = data.index.journey_mask(cursor, filters)
    finally:
        cursor.close()
    return data.index.select(journeys)


def _level(data: Snapshot, level: str) -> LevelIndex:
    level_columns(level)  # a clear error for an unknown level
    return data.index.levels[level]


def _node_counts(level: LevelIndex, selection: Selection) -> np.ndarray:
    """Steps per node code of the selected journeys."""
    if selection.steps is None:
        return level.all_node_counts
    return selection.counted(level.node[selection.steps], level.all_node_counts, level.width)


def process_map(
    data: ExplorerData,
    filters: JourneyFilter,
    level: Level = "activity",
    nodes: int | None = None,
    paths: float = 1.0,
    top: int | None = None,
) -> ProcessMap:
    """The map: nodes (count: steps there; journeys: journeys with a step there) and edges of the filtered
    journeys. `top` keeps the busiest holders and groups the rest (team level 30 by default); `nodes`
    keeps the most frequent nodes (edges between kept nodes only); `paths` keeps that share of the edges
    left, most frequent first, at least one."""
    if not 0 <= paths <= 1:
        raise ValueError(f"paths must be a share from 0 to 1, not {paths}")
    snapshot = data.snapshot()
    index = _level(snapshot, level)
    selection = _selection(snapshot, filters)
    counts = _node_counts(index, selection)
    grouping = _grouping(level, index, counts, top)
    node_rows = sorted(
        _node_rows(snapshot.index, index, selection, grouping, counts), key=lambda row: (-row.count, row.id)
    )
    if nodes is not None:
        node_rows = node_rows[: max(nodes, 1)]
    kept = {node.id for node in node_rows}
    frame = edge_frame(SelectedEdges(snapshot.index, index, selection), grouping, totals=False)
    frame["from"] = [grouping.label(code, index.names) for code in frame["source"]]
    frame["to"] = [grouping.label(code, index.names) for code in frame["target"]]
    frame = frame[frame["from"].isin(kept) & frame["to"].isin(kept)]
    frame = frame.sort_values(["count", "from", "to"], ascending=[False, True, True], kind="stable")
    frame = frame.head(_kept_count(len(frame), paths)) if len(frame) else frame
    edges = tuple(
        MapEdge(f"e{number}", row["from"], row["to"], int(row["count"]), int(row["journeys"]),
                float(row["median_wait_hours"]), float(row["p90_wait_hours"]))
        for number, row in enumerate(frame.to_dict("records"))
    )  # fmt: skip
    return ProcessMap(
        level=level,
        journeys=snapshot.index.journeys.count if selection.journeys is None else int(selection.journeys.sum()),
        nodes=tuple(node_rows),
        edges=edges,
        grouped_nodes=None if grouping.name is None else int(((grouping.drawn == grouping.group) & (counts > 0)).sum()),
        group_name=grouping.name,
        wait_basis=data.wait_basis,
    )


def edges_table(data: ExplorerData, filters: JourneyFilter, level: Level) -> pd.DataFrame:
    """Every edge at `level` of the filtered journeys, ungrouped, as (from_<level>, to_<level>, handovers,
    journeys, median_wait_hours, p90_wait_hours, total_wait_hours): at department and team level the
    handover pairs."""
    snapshot = data.snapshot()
    index = _level(snapshot, level)
    selection = _selection(snapshot, filters)
    frame = edge_frame(
        SelectedEdges(snapshot.index, index, selection), Grouping(np.arange(index.width), index.width, None)
    )
    return pd.DataFrame({
        f"from_{level}": [index.names[code] for code in frame["source"]],
        f"to_{level}": [index.names[code] for code in frame["target"]],
        "handovers": frame["count"].astype(np.int64), "journeys": frame["journeys"].astype(np.int64),
        "median_wait_hours": frame["median_wait_hours"], "p90_wait_hours": frame["p90_wait_hours"],
        "total_wait_hours": frame["total_wait_hours"],
    })  # fmt: skip


def _named_codes(name: str, index: LevelIndex, grouping: Grouping) -> np.ndarray:
    """The level's codes drawn as the node `name` (the group node: every holder grouped)."""
    if grouping.name is not None and name == grouping.name:
        return np.flatnonzero(grouping.drawn == grouping.group)
    return np.flatnonzero(np.asarray(index.names) == name)


def journeys_behind(
    data: ExplorerData,
    filters: JourneyFilter,
    level: Level = "activity",
    from_node: str | None = None,
    to_node: str | None = None,
    node: str | None = None,
    sort: str = "lead_time_hours",
    descending: bool = True,
    limit: int = 50,
    offset: int = 0,
    top: int | None = None,
) -> JourneyPage:
    """The filtered journeys with the edge from_node -> to_node (wait_hours: their total wait on it), or a
    step at `node`, or all of them; sorted by `sort` (JOURNEY_SORTS; NULLs last, then journey id), paged.
    Node names as the map of the same filter and `top` draws them."""
    if sort not in JOURNEY_SORTS:
        raise ValueError(f"sort must be one of {', '.join(JOURNEY_SORTS)}, not {sort!r}")
    if (from_node is None) != (to_node is None):
        raise ValueError("an edge needs both from_node and to_node")
    snapshot = data.snapshot()
    index = _level(snapshot, level)
    selection = _selection(snapshot, filters)
    journeys = selection.journeys
    grouping = _grouping(level, index, _node_counts(index, selection), top)
    steps = snapshot.index
    waits: np.ndarray | None = None  # by jid: the journey's total wait on the edge
    if from_node is not None and to_node is not None:
        sources, targets = _named_codes(from_node, index, grouping), _named_codes(to_node, index, grouping)
        wanted = np.isin(index.keys // index.width, sources) & np.isin(index.keys % index.width, targets)
        chosen = SelectedEdges(steps, index, Selection(journeys, None, False, steps.jid)).steps_of(
            np.flatnonzero(wanted)
        )
        waits = np.bincount(steps.jid[chosen], weights=steps.wait[chosen], minlength=steps.journeys.count)
        members = np.flatnonzero(np.bincount(steps.jid[chosen], minlength=steps.journeys.count))
    elif node is not None:
        at_node = np.flatnonzero(np.isin(index.node, _named_codes(node, index, grouping)))
        members = np.unique(steps.jid[at_node[selection.chosen(at_node)]])
    else:
        members = np.arange(steps.journeys.count) if journeys is None else np.flatnonzero(journeys)
    if sort == "wait_hours" and waits is not None:
        ordered = _first_by(members, -waits[members] if descending else waits[members], offset + limit)
    else:
        order = steps.journeys.orders[
            ("journey_id" if sort == "wait_hours" else sort, descending and sort != "wait_hours")
        ]
        member = np.zeros(steps.journeys.count, dtype=bool)
        member[members] = True
        ordered = order[member[order]]
    page = [int(jid) for jid in ordered[offset : offset + limit]]
    return JourneyPage(total=len(members), journeys=tuple(_journey_rows(snapshot, page, waits)))


def _first_by(members: np.ndarray, values: np.ndarray, count: int) -> np.ndarray:
    """The first `count` members ordered by value, then jid (journey id): a partial sort, a page needs no
    more (every member tied with the last one kept stays a candidate)."""
    if count <= 0:
        return members[:0]
    if count < len(members):
        kept = values <= np.partition(values, count - 1)[count - 1]
        members, values = members[kept], values[kept]
    return members[np.lexsort((members, values))][:count]


def _journey_rows(data: Snapshot, jids: list[int], waits: np.ndarray | None) -> list[JourneyRow]:
    cursor = data.cursor()
    try:
        found = cursor.execute(
            "SELECT jid, journey_id, journey_type, opened_at, lead_time_hours, is_open FROM journeys"
            " WHERE list_contains(?, jid)",
            [jids],
        ).fetchall()
    finally:
        cursor.close()
    by_jid = {row[0]: row for row in found}
    return [
        JourneyRow(row[1], row[2], row[3], row[4], "open" if row[5] else "finished",
                   None if waits is None else float(waits[jid]))
        for jid in jids for row in [by_jid[jid]]
    ]  # fmt: skip


def journey_timeline(data: ExplorerData, journey_id: str) -> Timeline:
    """One journey's work steps (with the wait into each and the pause) and customer contacts in time
    order (at equal times steps first, in their order); KeyError when the journey is unknown."""
    cursor = data.cursor()
    try:
        journey = cursor.execute(
            "SELECT jid, journey_type, opened_at, closed_at, is_open FROM journeys WHERE journey_id = ?", [journey_id]
        ).fetchone()
        if journey is None:
            raise KeyError(journey_id)
        rows = cursor.execute(
            """
            SELECT activity, ts, department, team, kind, wait_hours, paused_hours FROM (
                SELECT a.name AS activity, s.ts, d.name AS department, t.name AS team, 'work' AS kind,
                       s.wait AS wait_hours, s.paused AS paused_hours, 0 AS rank, s.position AS number
                FROM steps s LEFT JOIN activities a ON a.code = s.act LEFT JOIN departments d ON d.code = s.dep
                LEFT JOIN teams t ON t.code = s.team WHERE s.jid = $jid
                UNION ALL
                SELECT activity, ts, department, team, 'contact', NULL, NULL, 1, 0 FROM contacts WHERE jid = $jid
            ) ORDER BY ts, rank, number""",
            {"jid": journey[0]},
        ).fetchall()
    finally:
        cursor.close()
    return Timeline(
        journey_id=journey_id,
        journey_type=journey[1],
        opened_at=journey[2],
        closed_at=journey[3],
        status="open" if journey[4] else "finished",
        events=tuple(TimelineEvent(*row) for row in rows),
    )
