"""Loads staged sources into the store in one transaction: correlate, merge, reject, reconcile."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from eventlogs.errors import StoreError
from eventlogs.one_row import one_value
from eventlogs.sources.ocel2.copies import JourneyCopies
from eventlogs.staging import StagedSource, parquet_list
from eventlogs.store.coded_events import coded_copy_is_fresh, record_coded_state, refresh_coded_events
from eventlogs.store.connection import add_event_columns, connect_store
from eventlogs.store.ocel_merge import merge_ocel, record_ocel_ledger, stage_incoming_ocel
from eventlogs.store.positional_ids import rekey_positional_ids
from eventlogs.store.quality import record_store_quality


@dataclass(frozen=True)
class LoadResult:
    """One source's line in the load_runs ledger; read = loaded + rejected + duplicate, always."""

    run_id: str
    source: str
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    rows_duplicate: int
    # object-centric sources only: per OCEL table (ocel_events, objects, ...) read/loaded/duplicate/updated
    ocel: dict[str, dict[str, int]] = field(default_factory=dict)
    # object-centric sources only: events the flattening copied into several journeys
    journey_copies: JourneyCopies | None = None


def load_staged(store_path: Path, staged: list[StagedSource], run_id: str) -> list[LoadResult]:
    """Loads every staged source; loading the same staged data again adds no event."""
    started = datetime.now(UTC)
    connection = connect_store(store_path)
    try:
        connection.execute("BEGIN TRANSACTION")
        _stage_incoming(connection, staged)
        ocel_tables = stage_incoming_ocel(connection, staged)
        _correlate(connection)
        # before the merge, so events a store of an earlier version holds by position count as loaded
        rekeyed = rekey_positional_ids(connection, [source.manifest()["source"] for source in staged], run_id)
        ocel_counts = merge_ocel(connection, ocel_tables, run_id)
        coded_copy_kept = coded_copy_is_fresh(connection) and not _journeys_change(connection) and not rekeyed
        results = _merge(connection, staged, run_id, started, ocel_counts)
        record_store_quality(connection, run_id, started)
        # In the same transaction, so a reader never sees a coded copy that disagrees with the events.
        if coded_copy_kept and not any(result.rows_loaded for result in results):
            record_coded_state(connection)  # a re-run that added nothing: the copy is still the store's
        else:
            refresh_coded_events(connection)
        connection.execute("COMMIT")
        return results
    except (duckdb.Error, StoreError) as error:
        connection.execute("ROLLBACK")
        if isinstance(error, StoreError):
            raise
        raise StoreError(f"loading run {run_id} into {store_path} failed and was rolled back: {error}") from error
    finally:
        connection.close()


def _stage_incoming(connection: duckdb.DuckDBPyConnection, staged: list[StagedSource]) -> None:
    """incoming_events reads the staged events where they lie (a view over the Parquet files): copying
    them into a temporary table first took longer than the insert itself. Only when some event still
    needs its journey from a correlation key does it become a table, so that _correlate can fill it in."""
    # by name: only some sources stage the optional columns (lifecycle, instance, sequence)
    events = f"read_parquet({parquet_list([s.events for s in staged])}, union_by_name = true)"
    uncorrelated = one_value(connection.execute(f"SELECT count(*) FROM {events} WHERE journey_id IS NULL"))
    kind = "TABLE" if uncorrelated else "VIEW"
    connection.execute(f"CREATE TEMP {kind} incoming_events AS SELECT * FROM {events}")
    add_event_columns(connection, {row[0] for row in connection.execute("DESCRIBE incoming_events").fetchall()})
    connection.execute(
        f"CREATE TEMP TABLE incoming_rejects AS SELECT * FROM read_parquet({parquet_list([s.rejects for s in staged])})"
    )
    connection.execute(
        "CREATE TEMP TABLE incoming_journeys AS "
        f"SELECT * FROM read_parquet({parquet_list([s.journeys for s in staged])})"
    )


def _correlate(connection: duckdb.DuckDBPyConnection) -> None:
    """Gives events that carry only a correlation key (a shipment's order reference) their journey."""
    if not _is_table(connection, "incoming_events"):
        return  # every staged event has its journey already (see _stage_incoming)
    connection.execute("""
        UPDATE incoming_events e SET journey_id = k.journey_id
        FROM (SELECT journey_id FROM journeys UNION SELECT journey_id FROM incoming_journeys) k
        WHERE e.journey_id IS NULL AND e.correlation_key = k.journey_id
    """)
    connection.execute("""
        INSERT INTO incoming_rejects
        SELECT source, source_event_id, source_row, attributes, 'order_ref',
               'order_ref: no request ''' || coalesce(correlation_key, '') || ''' in any loaded source'
        FROM incoming_events WHERE journey_id IS NULL
    """)
    connection.execute("DELETE FROM incoming_events WHERE journey_id IS NULL")


def _is_table(connection: duckdb.DuckDBPyConnection, name: str) -> bool:
    query = "SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = ?"
    return one_value(connection.execute(query, [name])) > 0


def _journeys_change(connection: duckdb.DuckDBPyConnection) -> bool:
    """Whether the journeys merge will add a journey or change what the coded copy holds of one (is_open,
    closed_at: opened_at is never updated)."""
    return one_value(
        connection.execute("""
        SELECT EXISTS (
            SELECT 1 FROM incoming_journeys i LEFT JOIN journeys j USING (journey_id)
            WHERE j.journey_id IS NULL OR i.is_open IS DISTINCT FROM j.is_open
               OR i.closed_at IS DISTINCT FROM j.closed_at
        )
    """)
    )


def _insert_new_events(connection: duckdb.DuckDBPyConnection, staged: list[StagedSource], run_id: str) -> None:
    """Inserts the incoming events not yet in the store, keyed on (source, source_event_id).

    An anti-join insert rather than MERGE (faster in DuckDB 1.5); the anti join and the de-duplication
    of the batch each cost about a second per million events, so each runs only when it can matter:
    when the store already holds events of these sources; when the batch may repeat a key, that is for
    sources whose keys are not unique by construction (manifest `event_ids_unique`), and only if it does.
    Sources have distinct names, so a key can only repeat within one source."""
    manifests = [source.manifest() for source in staged]
    may_repeat = [manifest["source"] for manifest in manifests if not manifest.get("event_ids_unique")]
    repeated = may_repeat and one_value(
        connection.execute(
            "SELECT count(*) - count(DISTINCT (source, source_event_id)) FROM incoming_events "
            "WHERE list_contains($sources, source)",
            {"sources": may_repeat},
        )
    )
    incoming = "incoming_events"
    if repeated:
        incoming = "(SELECT DISTINCT ON (source, source_event_id) * FROM incoming_events)"
    known = one_value(
        connection.execute(
            "SELECT EXISTS (SELECT 1 FROM events WHERE list_contains($sources, source))",
            {"sources": [manifest["source"] for manifest in manifests]},
        )
    )
    already_loaded = (
        "ANTI JOIN events e ON e.source = i.source AND e.source_event_id = i.source_event_id" if known else ""
    )
    # BY NAME: the staged columns are the store's, less load_run_id, plus correlation_key
    connection.execute(
        f"""
        INSERT INTO events BY NAME
        SELECT i.* EXCLUDE (correlation_key), $run_id AS load_run_id FROM {incoming} i {already_loaded}
        """,
        {"run_id": run_id},
    )


def _merge(
    connection: duckdb.DuckDBPyConnection,
    staged: list[StagedSource],
    run_id: str,
    started: datetime,
    ocel_counts: dict[str, dict[str, dict[str, int]]],
) -> list[LoadResult]:
    connection.execute(
        """
        MERGE INTO journeys j USING incoming_journeys i ON j.journey_id = i.journey_id
        WHEN MATCHED THEN UPDATE SET closed_at = i.closed_at, is_open = i.is_open, state = i.state,
                                     attributes = i.attributes
        WHEN NOT MATCHED THEN INSERT VALUES (i.journey_id, i.journey_type, i.opened_at, i.closed_at, i.is_open,
             i.category, i.priority, i.caller, i.state, i.source, i.attributes, $run_id)
        """,
        {"run_id": run_id},
    )
    _insert_new_events(connection, staged, run_id)
    connection.execute(
        """
        INSERT INTO rejects SELECT source, source_record_id, source_row, record, field, reason, $run_id
        FROM incoming_rejects ON CONFLICT DO NOTHING
        """,
        {"run_id": run_id},
    )
    finished = datetime.now(UTC)
    loaded_now = f"(SELECT source FROM events WHERE load_run_id = '{run_id}')"
    counts = {
        table: dict(connection.execute(f"SELECT source, count(*) FROM {table} GROUP BY source").fetchall())
        for table in ("incoming_events", loaded_now, "incoming_rejects")
    }
    results = []
    for source in staged:
        manifest = source.manifest()
        name = manifest["source"]
        incoming, loaded, rejected = (counts[table].get(name, 0) for table in counts)
        ocel = ocel_counts.get(name, {})
        copies = JourneyCopies.from_manifest(manifest)
        result = LoadResult(run_id, name, manifest["rows_read"], loaded, rejected, incoming - loaded, ocel, copies)
        if result.rows_read != loaded + rejected + result.rows_duplicate:
            raise StoreError(
                f"source '{name}': counts do not reconcile in run {run_id}: read {result.rows_read} != "
                f"loaded {loaded} + rejected {rejected} + duplicate {result.rows_duplicate}"
            )
        connection.execute(
            "INSERT OR REPLACE INTO load_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [run_id, name, started, finished, result.rows_read, loaded, rejected, result.rows_duplicate],
        )
        record_ocel_ledger(connection, run_id, name, ocel)
        if manifest.get("cursor"):
            # same transaction as the events: a crash leaves both the old watermark and the old events
            # a source read from another location than its watermark's starts a watermark of its own
            # (read_since read it from the start); a manifest without a location leaves it as it was
            connection.execute(
                """
                INSERT INTO watermarks (source, cursor_at, run_id, location)
                VALUES ($source, $cursor::TIMESTAMPTZ, $run, $location)
                ON CONFLICT (source) DO UPDATE SET
                    cursor_at = CASE WHEN excluded.location IS NOT NULL
                                          AND watermarks.location IS DISTINCT FROM excluded.location
                                     THEN excluded.cursor_at
                                     ELSE greatest(watermarks.cursor_at, excluded.cursor_at) END,
                    location = coalesce(excluded.location, watermarks.location),
                    run_id = excluded.run_id
                """,
                {"source": name, "cursor": manifest["cursor"], "run": run_id, "location": manifest.get("location")},
            )
        for check in manifest["quality"]:
            connection.execute(
                "INSERT OR REPLACE INTO quality_checks VALUES (?, ?, ?, ?, ?)",
                [run_id, name, check["check"], check["count"], check["detail"]],
            )
        results.append(result)
    return results
