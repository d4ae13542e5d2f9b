"""The explorer's steps as numpy arrays, sorted once at open, so a map or a journey list on 10 million steps
is a few vectorised passes (gather, cumulative sum, bincount) instead of a grouped sort per request.

Per level (activity, department, team) each step has its node code (a name's code; `none`, one past the
last name, for no holder) and, where the step is an edge at that level (levels.edge_condition: the
handover definition at department and team level, decided in SQL at open), the slot of its edge key
`previous * width + node` among the level's keys.
The edge steps are kept in `order`, sorted by (key, wait): the steps of one edge are one slice, in wait
order, so the quantiles of the selected ones are found by rank in a cumulative count. `node_first` and
`edge_first` flag a journey's first step at a node or on an edge (a journey counts once; filters keep or
drop whole journeys, so the flags stay right under any filter).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

import duckdb
import numpy as np
import pandas as pd

from eventlogs.one_row import one_value
from mining.explore.filters import JourneyFilter, selection_sql
from mining.explore.levels import LEVELS, NO_HOLDER, edge_condition


@dataclass(frozen=True)
class LevelIndex:
    names: tuple[str, ...]  # by code; the last is NO_HOLDER
    node: np.ndarray  # per step: its node code
    node_first: np.ndarray  # per step: the journey's first step at that node
    slot: np.ndarray  # per step: the index of its edge key in `keys`, -1 when it is no edge
    rank: np.ndarray  # per step: its place in `order`, -1 when it is no edge
    edge_first: np.ndarray  # per step: the journey's first step on that edge
    order: np.ndarray  # the edge steps, sorted by (edge key, wait)
    keys: np.ndarray  # the distinct edge keys, ascending
    starts: np.ndarray  # keys[i]'s steps are order[starts[i]:starts[i + 1]]
    # the same counts for all journeys, made once: an unfiltered view needs no pass over the steps
    all_node_counts: np.ndarray  # steps per node code
    all_node_journeys: np.ndarray  # journeys per node code
    all_edge_journeys: np.ndarray  # journeys per edge slot
    all_edge_totals: np.ndarray  # total wait per edge slot

    @property
    def width(self) -> int:
        return len(self.names)


@dataclass(frozen=True)
class Selection:
    """The selected journeys (`journeys`: a mask by jid; None for all) and their steps, listed by the
    smaller side so a request costs what the smaller side has: `steps` are the step ids of the selected
    journeys, or with `complement` of the others (then a count is all minus theirs)."""

    journeys: np.ndarray | None
    steps: np.ndarray | None
    complement: bool
    jid: np.ndarray  # of every step (StepIndex.jid)

    def counted(self, values: np.ndarray, everything: np.ndarray, minlength: int) -> np.ndarray:
        """bincount of `values` (codes of the listed steps) as the selection's counts."""
        found = np.bincount(values, minlength=minlength)
        return everything - found if self.complement else found

    def chosen(self, step_ids: np.ndarray) -> np.ndarray:
        """Which of those steps belong to selected journeys."""
        return np.ones(len(step_ids), dtype=bool) if self.journeys is None else self.journeys[self.jid[step_ids]]


@dataclass(frozen=True)
class JourneyIndex:
    """Per journey (by jid): the page's sort keys as floats (NaN: none), and per sort key the jids in
    ascending and descending order, NULLs last and ties by journey id (jid order is journey id order)."""

    count: int
    orders: dict[tuple[str, bool], np.ndarray]


@dataclass(frozen=True)
class StepIndex:
    jid: np.ndarray  # per step, steps sorted by journey and position
    journey_starts: np.ndarray  # journey j's steps are j's range journey_starts[j]:journey_starts[j + 1]
    ts: np.ndarray  # the step's time, microseconds since the epoch (UTC)
    wait: np.ndarray  # the wait into the step (explorer basis, pauses left out)
    levels: dict[str, LevelIndex]
    journeys: JourneyIndex

    def journey_mask(self, cursor: duckdb.DuckDBPyConnection, filters: JourneyFilter) -> np.ndarray | None:
        """The selected journeys as a mask by jid; None when the filter keeps all. The conditions on a
        journey's steps (through, active) on the arrays, the others in SQL (filters.selection_sql)."""
        if filters.is_empty:
            return None
        on_journeys = replace(filters, through=(), through_departments=(), active_from=None, active_to=None)
        mask = np.ones(self.journeys.count, dtype=bool)
        if not on_journeys.is_empty:
            condition, params = selection_sql(on_journeys)
            chosen = cursor.execute(f"SELECT jid FROM journeys j WHERE {condition}", params).fetchnumpy()["jid"]
            mask = np.zeros(self.journeys.count, dtype=bool)
            mask[_array(chosen, np.int64)] = True
        for level, names in (("activity", filters.through), ("department", filters.through_departments)):
            for name in names:
                mask &= self._journeys_at(level, name)
        if filters.active_from is not None or filters.active_to is not None:
            first = -np.inf if filters.active_from is None else _microseconds(filters.active_from)
            after = np.inf if filters.active_to is None else _microseconds(filters.active_to + timedelta(days=1))
            active = (self.ts >= first) & (self.ts < after)
            mask &= np.bincount(self.jid[active], minlength=self.journeys.count) > 0
        return mask

    def _journeys_at(self, level: str, name: str) -> np.ndarray:
        """Journeys with a step at the node called `name` (a recorded name: never the no-holder node)."""
        index = self.levels[level]
        codes = [code for code, known in enumerate(index.names[:-1]) if known == name]
        if not codes:
            return np.zeros(self.journeys.count, dtype=bool)
        return np.bincount(self.jid[index.node == codes[0]], minlength=self.journeys.count) > 0

    def select(self, journeys: np.ndarray | None) -> Selection:
        """The selection's steps, listed by the side that has fewer (see Selection)."""
        if journeys is None:
            return Selection(None, None, False, self.jid)
        lengths = np.diff(self.journey_starts)
        chosen_steps = int(lengths[journeys].sum())
        complement = chosen_steps > len(self.jid) // 2
        listed = np.flatnonzero(~journeys if complement else journeys)
        counts = lengths[listed]
        # the steps of the listed journeys: each journey's range, concatenated
        offsets = np.repeat(self.journey_starts[listed] - np.cumsum(counts) + counts, counts)
        return Selection(journeys, offsets + np.arange(int(counts.sum())), complement, self.jid)


def _microseconds(day: date) -> int:
    """Midnight UTC starting `day`, in microseconds since the epoch."""
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()) * 1_000_000


def _array(values: np.ndarray, dtype: type) -> np.ndarray:
    """A fetched column as a plain array (DuckDB gives a masked array where there are NULLs: NaN there)."""
    if isinstance(values, np.ma.MaskedArray):
        return np.asarray(np.ma.filled(values.astype(float), np.nan), dtype=dtype)
    return np.asarray(values, dtype=dtype)


def _level_index(cursor: duckdb.DuckDBPyConnection, level: str, jid: np.ndarray, wait: np.ndarray) -> LevelIndex:
    columns = LEVELS[level]
    names = [name for (name,) in cursor.execute(f"SELECT name FROM {columns.names} ORDER BY code").fetchall()]
    none = len(names)
    found = cursor.execute(f"""
        SELECT coalesce(s.{columns.node}, {none}) AS node,
               row_number() OVER (PARTITION BY s.jid, s.{columns.node} ORDER BY s.position) = 1 AS node_first,
               CASE WHEN {edge_condition(level)}
                    THEN coalesce(s.{columns.previous}, {none})::BIGINT * {none + 1}
                         + coalesce(s.{columns.node}, {none})
                    ELSE -1 END AS edge_key
        FROM steps s ORDER BY s.jid, s.position""").fetchnumpy()
    node = _array(found["node"], np.int32)
    edge_key = _array(found["edge_key"], np.int64)
    node_first = _array(found["node_first"], bool)
    edge_first = _first_in_journey(jid, edge_key)
    edges = np.flatnonzero(edge_key >= 0)
    order = edges[np.lexsort((wait[edges], edge_key[edges]))].astype(np.int32)  # 4 bytes a step: memory
    sorted_keys = edge_key[order]
    keys, starts = np.unique(sorted_keys, return_index=True)
    slot = np.full(len(edge_key), -1, dtype=np.int32)
    slot[edges] = np.searchsorted(keys, edge_key[edges])
    rank = np.full(len(edge_key), -1, dtype=np.int32)
    rank[order] = np.arange(len(order), dtype=np.int32)
    width = none + 1
    return LevelIndex(
        names=(*names, NO_HOLDER), node=node, node_first=node_first, slot=slot, rank=rank,
        edge_first=edge_first, order=order, keys=keys, starts=np.append(starts, len(order)),
        all_node_counts=np.bincount(node, minlength=width),
        all_node_journeys=np.bincount(node[node_first], minlength=width),
        all_edge_journeys=np.bincount(slot[edge_first], minlength=len(keys)),
        all_edge_totals=np.bincount(slot[edges], weights=wait[edges], minlength=len(keys)),
    )  # fmt: skip


def _first_in_journey(jid: np.ndarray, edge_key: np.ndarray) -> np.ndarray:
    """Per step: the first step of its journey with its edge key (steps are in journey order)."""
    frame = pd.DataFrame({"jid": jid, "key": edge_key})
    return (~frame.duplicated(["jid", "key"]).to_numpy()) & (edge_key >= 0)


JOURNEY_SORT_SQL = {
    "journey_id": "jid::DOUBLE",
    "opened_at": "epoch(opened_at)",
    "lead_time_hours": "lead_time_hours",
}


def _journey_index(cursor: duckdb.DuckDBPyConnection) -> JourneyIndex:
    found = cursor.execute(
        "SELECT "
        + ", ".join(f"{sql} AS {name}" for name, sql in JOURNEY_SORT_SQL.items())
        + " FROM journeys ORDER BY jid"
    ).df()
    count = len(found)
    jid = np.arange(count)
    orders = {}
    for name in JOURNEY_SORT_SQL:
        values = found[name].to_numpy(dtype=float, na_value=np.nan)
        orders[(name, False)] = np.lexsort((jid, values))  # NaN sorts last
        orders[(name, True)] = np.lexsort((jid, -values))
    return JourneyIndex(count, orders)


def build_step_index(connection: duckdb.DuckDBPyConnection) -> StepIndex:
    cursor = connection.cursor()
    try:
        steps = cursor.execute("SELECT jid, wait, epoch_us(ts) AS ts FROM steps ORDER BY jid, position").fetchnumpy()
        jid, wait = _array(steps["jid"], np.int64), _array(steps["wait"], float)
        count = int(one_value(cursor.execute("SELECT count(*) FROM journeys")))
        return StepIndex(
            jid=jid,
            journey_starts=np.searchsorted(jid, np.arange(count + 1)),
            ts=_array(steps["ts"], np.int64),
            wait=wait,
            levels={level: _level_index(cursor, level, jid, wait) for level in LEVELS},
            journeys=_journey_index(cursor),
        )
    finally:
        cursor.close()
