"""The scope's work events as numpy arrays of integer codes, for the single-pass discovery engine.

Reads the store's coded copy (eventlogs/store/coded_events.py) when it is fresh and filters it to the scope;
otherwise codes the scope views on the fly (temp tables: correct, but at SQL speed). A store with start and
complete events is always coded from the scope's steps (`scope_work_events`, in position order): the copy
holds events, the analyses count activity instances. Takes the `Scope` define_scope returned. Without
calendars, pause activities and instances, waits are computed here from the timestamps (calendar hours,
which then are the working hours too); otherwise the wait columns of `scope_work_events` are read in
position order (an instance's wait runs from the previous step's end, not its start).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np

from eventlogs.one_row import one_value
from eventlogs.store.coded_events import build_coded_tables, coded_copy_is_fresh
from mining.discovery.kernels import waits_in_place
from mining.scope.scope import JOURNEYS_VIEW, Scope, embedded_connection

LEAD_COLUMNS = ("lead_hours", "lead_working_hours")
SCAN_MEMORY_LIMIT = "128MB"
SCOPE_WORK_EVENTS = f"""(
    SELECT e.* FROM events e SEMI JOIN {JOURNEYS_VIEW} j USING (journey_id) WHERE e.event_kind = 'work'
)"""
BATCH_ROWS = 1_000_000


@dataclass
class CodedScope:
    """Work events grouped by journey in position order; per-journey arrays are indexed by journey number."""

    journey: np.ndarray  # int32 journey number of each work event
    codes: dict[str, np.ndarray]  # field -> int32 code of each event, 0 = NULL
    names: dict[str, np.ndarray]  # field -> object array: names[field][code], names[field][0] is None
    wait_hours: np.ndarray  # float64 calendar hours since the journey's previous event, NaN for the first
    wait_working_hours: np.ndarray | None  # None: equal to wait_hours (no calendars, no pauses)
    paused_hours: np.ndarray | None  # None: no pause activities, all 0
    lead: dict[str, np.ndarray]  # lead_hours / lead_working_hours per journey number, NaN while open
    is_open: np.ndarray  # bool per journey number
    in_scope: np.ndarray  # bool per journey number
    cache: dict[str, Any] = field(default_factory=dict)  # results shared by several tables (the paths)

    @property
    def journey_numbers(self) -> int:
        return len(self.in_scope)


def _names(connection: duckdb.DuckDBPyConnection, table: str, name: str) -> np.ndarray:
    rows = connection.execute(f"SELECT code, value FROM {table} WHERE field = ? ORDER BY code", [name]).fetchall()
    names = np.empty(len(rows) + 1, dtype=object)
    names[0] = None
    for code, value in rows:
        names[code] = value
    return names


def _read_events(
    connection: duckdb.DuckDBPyConnection, table: str, names: dict[str, np.ndarray], in_scope: np.ndarray | None
) -> dict[str, np.ndarray]:
    """journey_no, the codes (int16 when they fit) and ts_us of the events of journeys `in_scope` (None:
    all), streamed batch by batch into arrays sized once: no second copy of the whole result."""
    dtypes: dict[str, np.dtype] = {"journey_no": np.dtype(np.int32)}
    for name, values in names.items():
        dtypes[name] = np.dtype(np.int16 if len(values) < 2**15 else np.int32)
    dtypes["ts_us"] = np.dtype(np.int64)
    total = one_value(connection.execute(f"SELECT count(*) FROM {table}"))
    arrays = {column: np.empty(total, dtype) for column, dtype in dtypes.items()}
    columns = ", ".join(
        f"{column}::{'SMALLINT' if dtype.itemsize == 2 else 'INTEGER'} AS {column}" if column != "ts_us" else column
        for column, dtype in dtypes.items()
    )
    # A scan needs no working memory: a small cap keeps DuckDB from caching the table's blocks beside the arrays.
    limit = one_value(connection.execute("SELECT current_setting('memory_limit')"))
    connection.execute(f"SET memory_limit = '{SCAN_MEMORY_LIMIT}'")
    try:
        reader = connection.execute(f"SELECT {columns} FROM {table}").fetch_record_batch(BATCH_ROWS)
        filled = 0
        for batch in reader:
            keep = None if in_scope is None else in_scope[batch.column(0).to_numpy()]
            size = batch.num_rows if keep is None else int(keep.sum())
            for index, array in enumerate(arrays.values()):
                values = batch.column(index).to_numpy()
                array[filled : filled + size] = values if keep is None else values[keep]
            filled += size
    finally:
        connection.execute(f"SET memory_limit = '{limit}'")
    if filled < total // 2:  # a small scope of a large store: do not keep the unused room
        return {column: array[:filled].copy() for column, array in arrays.items()}
    return {column: array[:filled] for column, array in arrays.items()}


def load_coded_scope(scope: Scope, fields: tuple[str, ...] = ("activity", "department")) -> CodedScope:
    """The scope (as define_scope made it) holding the codes of `fields`."""
    connection = embedded_connection(scope)
    if coded_copy_is_fresh(connection) and not scope.lifecycle:
        prefix, filter_needed = "coded_", True
    else:
        prefix, filter_needed = "scope_coded_", False
        # the scope's work events as scope_work_events selects them, without its window and wait columns;
        # activity instances only the scope's steps hold (ordered by their position)
        steps = f"(FROM {scope.work_events})" if scope.lifecycle else SCOPE_WORK_EVENTS
        build_coded_tables(connection, steps, scope.journeys, temporary=True, prefix=prefix)
    plain = not scope.working_time
    # Without calendars the lead is (closed - opened) in calendar hours: computed here from microseconds,
    # as epoch(closed_at - opened_at) / 3600.0 would (DuckDB's TIMESTAMPTZ subtraction costs ~1 µs a row).
    leads = (
        "CASE WHEN NOT s.is_open THEN epoch_us(s.closed_at) - epoch_us(s.opened_at) END AS lead_us"
        if plain
        else ", ".join(f"s.{column}" for column in LEAD_COLUMNS)
    )
    size = int(one_value(connection.execute(f"SELECT count(*) FROM {prefix}journeys")))
    every_journey = size == scope.journey_count
    if plain and every_journey:  # the copy's own journey columns then are the scope's: no join on the ids
        journeys = connection.execute(f"SELECT journey_no, is_open, lead_us FROM {prefix}journeys").fetchnumpy()
    else:
        journeys = connection.execute(f"""
            SELECT c.journey_no, s.is_open, {leads} FROM {scope.journeys} s JOIN {prefix}journeys c USING (journey_id)
        """).fetchnumpy()
    if plain:
        lead_us = np.ma.filled(np.ma.asarray(journeys.pop("lead_us"), dtype=np.float64), np.nan)
        journeys["lead_hours"] = journeys["lead_working_hours"] = (lead_us / 1e6) / 3600.0
    numbers = journeys["journey_no"]
    in_scope = np.zeros(size, dtype=bool)
    in_scope[numbers] = True
    is_open = np.zeros(size, dtype=bool)
    is_open[numbers] = journeys["is_open"]
    lead: dict[str, np.ndarray] = {}
    for column in LEAD_COLUMNS:
        if plain and column == "lead_working_hours":
            lead[column] = lead["lead_hours"]  # the same array: the tables compute it once
            continue
        lead[column] = np.full(size, np.nan)
        lead[column][numbers] = np.ma.filled(np.ma.asarray(journeys[column], dtype=np.float64), np.nan)
    del journeys, numbers

    names = {name: _names(connection, f"{prefix}values", name) for name in fields}
    events = _read_events(
        connection, f"{prefix}work_events", names, in_scope if filter_needed and not in_scope.all() else None
    )
    journey, ts_us = events.pop("journey_no"), events.pop("ts_us")
    wait_hours = waits_in_place(journey, ts_us)  # the ts buffer becomes the waits
    wait_working_hours = paused_hours = None
    if not plain or scope.lifecycle:
        # journey numbers follow journey_id order, so this is the coded order
        waits = connection.execute(f"""
            SELECT wait_hours, wait_working_hours, paused_hours FROM {scope.work_events} ORDER BY journey_id, position
        """).fetchnumpy()
        wait_hours, wait_working_hours, paused_hours = (
            np.ma.filled(np.ma.asarray(waits[column], dtype=np.float64), np.nan) for column in waits
        )
    return CodedScope(
        journey=journey,
        codes=events,
        names=names,
        wait_hours=wait_hours,
        wait_working_hours=wait_working_hours,
        paused_hours=paused_hours,
        lead=lead,
        is_open=is_open,
        in_scope=in_scope,
    )
