"""Re-keys a store written before file sources named their records by content (see
sources/shared/event_identity.py): those stores hold file-source events and rejects under their position,
'line:N' (CSV), 'row:N' (Parquet) or 'event:N' (XES). Left as they are, the first load with content ids
would take every such event for new and load it a second time.

Inside the load's transaction, before the merge: a stored record with a positional id takes the id of the
incoming record with the same content, so the merge finds it already loaded. Identical copies pair by
their order (old position against new line). A stored record that matches nothing incoming keeps its id:
it came from an earlier export. The check runs on every load of a file source, so such a record is
re-keyed on the load that brings its content back.
"""

from __future__ import annotations

import logging

import duckdb

log = logging.getLogger(__name__)

# Only the file sources of earlier versions wrote these, always with source_row = the id with a space.
_POSITIONAL = "regexp_full_match({id}, '(line|row|event):[0-9]+') AND source_row = replace({id}, ':', ' ')"
# An incoming record's place: the number ending its source_row ('line 7', 'row 7', 'event 7').
_INCOMING_POSITION = "TRY_CAST(regexp_extract(source_row, '[0-9]+$') AS BIGINT)"
# What the store keeps of an event, all of which the content id is made of (the resource pseudonymised
# the same way, with the same key, in the staged file as in the store).
EVENT_CONTENT = ("journey_id", "activity", "ts", "resource", "team", "department", "lifecycle", "instance")


def rekey_positional_ids(connection: duckdb.DuckDBPyConnection, sources: list[str], run_id: str) -> int:
    """Re-keys the stored events and rejects of `sources` that still have positional ids and match an
    incoming record; records a quality check per source that had any; returns how many events changed
    id (the coded copy orders ties by id, so it must be rebuilt)."""
    stale = _sources_with_positional_ids(connection, "events", "source_event_id", sources)
    stale_rejects = _sources_with_positional_ids(connection, "rejects", "source_record_id", sources)
    events: dict[str, tuple[int, int]] = {}
    if stale:
        store_columns = _columns(connection, "events")
        incoming_columns = _columns(connection, "incoming_events")
        content = [
            (name if name in store_columns else "NULL", name if name in incoming_columns else "NULL")
            for name in EVENT_CONTENT
        ]
        events = _rekey(connection, "events", "source_event_id", "incoming_events", content, (), stale)
    rejects: dict[str, tuple[int, int]] = {}
    if stale_rejects:
        # a reject is its raw record and reason; rejects are keyed per reason, so that is matched as well
        content = [("record::VARCHAR", "record::VARCHAR"), ("reason", "reason")]
        rejects = _rekey(
            connection, "rejects", "source_record_id", "incoming_rejects", content, ("reason",), stale_rejects
        )
    for source, (rekeyed, kept) in events.items():
        _record_check(connection, run_id, source, "event_ids_rekeyed", rekeyed, kept, "events")
    for source, (rekeyed, kept) in rejects.items():
        _record_check(connection, run_id, source, "reject_ids_rekeyed", rekeyed, kept, "rejects")
    return sum(rekeyed for rekeyed, _ in events.values())


def _columns(connection: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    return {row[0] for row in connection.execute(f"DESCRIBE {table}").fetchall()}


def _sources_with_positional_ids(
    connection: duckdb.DuckDBPyConnection, table: str, id_column: str, sources: list[str]
) -> list[str]:
    rows = connection.execute(
        f"SELECT DISTINCT source FROM {table} WHERE list_contains($sources, source) "
        f"AND {_POSITIONAL.format(id=id_column)}",
        {"sources": sources},
    ).fetchall()
    return sorted(source for (source,) in rows)


def _rekey(
    connection: duckdb.DuckDBPyConnection,
    table: str,
    id_column: str,
    incoming: str,
    content: list[tuple[str, str]],
    key_extra: tuple[str, ...],
    sources: list[str],
) -> dict[str, tuple[int, int]]:
    """Gives each stored record of `sources` with a positional id the id of the incoming record alike in
    `content` ((stored, incoming) SQL pairs) and in copy number; incoming records whose id the store
    already holds (with `key_extra`, the rest of the table's key) are taken, so are not offered again.
    Returns per source (re-keyed, kept: positional ids that matched nothing)."""
    stored = ", ".join(f"{expression} AS c{n}" for n, (expression, _) in enumerate(content))
    offered = ", ".join(f"{expression} AS c{n}" for n, (_, expression) in enumerate(content))
    group = ", ".join(f"c{n}" for n in range(len(content)))
    alike = " AND ".join(f"o.c{n} IS NOT DISTINCT FROM i.c{n}" for n in range(len(content)))
    taken = " AND ".join(f"s.{column} = i.{column}" for column in ("source", id_column, *key_extra))
    # window partitions put NULLs together, as IS NOT DISTINCT FROM does
    connection.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE positional_rekeyed AS
        WITH old AS (
            SELECT store_row, source, {group},
                   row_number() OVER (PARTITION BY source, {group} ORDER BY position) AS copy
            FROM (SELECT rowid AS store_row, source, {stored},
                         CAST(split_part({id_column}, ':', 2) AS BIGINT) AS position
                  FROM {table} WHERE list_contains($sources, source) AND {_POSITIONAL.format(id=id_column)})
        ), new AS (
            SELECT source, new_id, {group},
                   row_number() OVER (PARTITION BY source, {group} ORDER BY position, new_id) AS copy
            FROM (SELECT source, {id_column} AS new_id, {offered}, {_INCOMING_POSITION} AS position
                  FROM {incoming} i
                  WHERE list_contains($sources, source)
                    AND NOT EXISTS (SELECT 1 FROM {table} s WHERE {taken}))
        )
        SELECT o.store_row, o.source, i.new_id
        FROM old o JOIN new i ON o.source = i.source AND o.copy = i.copy AND {alike}
        """,
        {"sources": sources},
    )
    connection.execute(
        f"UPDATE {table} SET {id_column} = r.new_id FROM positional_rekeyed r WHERE {table}.rowid = r.store_row"
    )
    counts = dict(connection.execute("SELECT source, count(*) FROM positional_rekeyed GROUP BY source").fetchall())
    remaining = connection.execute(
        f"SELECT source, count(*) FROM {table} WHERE list_contains($sources, source) "
        f"AND {_POSITIONAL.format(id=id_column)} GROUP BY source",
        {"sources": sources},
    ).fetchall()
    kept = dict(remaining)
    connection.execute("DROP TABLE positional_rekeyed")
    return {source: (counts.get(source, 0), kept.get(source, 0)) for source in sources}


def _record_check(
    connection: duckdb.DuckDBPyConnection, run_id: str, source: str, check: str, rekeyed: int, kept: int, what: str
) -> None:
    detail = (
        f"{what} stored by an earlier version under their position (line:N, row:N, event:N) given their "
        f"content id; {kept} matched nothing in this export and keep their old id"
    )
    log.info("source '%s': %d %s re-keyed from positional ids, %d kept", source, rekeyed, what, kept)
    connection.execute(
        "INSERT OR REPLACE INTO quality_checks VALUES (?, ?, ?, ?, ?)", [run_id, source, check, rekeyed, detail]
    )
