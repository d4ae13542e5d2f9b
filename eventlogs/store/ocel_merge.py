"""Merges the staged OCEL 2.0 tables (ocel_events, objects, event_objects, object_links) into the store.

Runs inside the loader's transaction. Each table is merged on its key from staging.OCEL_TABLES, so a
second run adds nothing; rows already there with other values (an object that gained attribute changes
in a newer export of the log) are replaced, so the store always holds the latest description.
"""

from __future__ import annotations

import duckdb

from eventlogs.errors import StoreError
from eventlogs.staging import OCEL_TABLES, StagedSource, parquet_list


def stage_incoming_ocel(connection: duckdb.DuckDBPyConnection, staged: list[StagedSource]) -> list[str]:
    """Creates incoming_<table> for every OCEL table some source staged; returns those tables."""
    present = []
    for table in OCEL_TABLES:
        paths = [str(s.ocel_file(table)) for s in staged if s.ocel_file(table).exists()]
        if paths:
            connection.execute(
                f"CREATE TEMP TABLE incoming_{table} AS SELECT * FROM read_parquet({parquet_list(paths)})"
            )
            present.append(table)
    return present


def _same_key(keys: tuple[str, ...], left: str, right: str) -> str:
    return " AND ".join(f"{left}.{key} IS NOT DISTINCT FROM {right}.{key}" for key in keys)


def merge_ocel(
    connection: duckdb.DuckDBPyConnection, tables: list[str], run_id: str
) -> dict[str, dict[str, dict[str, int]]]:
    """Merges each incoming OCEL table; returns per source and table: read, loaded, duplicate, updated."""
    counts: dict[str, dict[str, dict[str, int]]] = {}
    for table in tables:
        columns, keys = OCEL_TABLES[table]
        names = [column.split()[0] for column in columns.split(", ")]
        values = [name for name in names if name not in keys]
        connection.execute(f"""
            CREATE TEMP TABLE unique_{table} AS
            SELECT * FROM incoming_{table} QUALIFY row_number() OVER (PARTITION BY {", ".join(keys)}) = 1
        """)
        changed = " OR ".join(f"t.{name} IS DISTINCT FROM i.{name}" for name in values) if values else "FALSE"
        # counted before the merge (afterwards the old values are gone), and checked against it after
        before = {
            source: (new, updated)
            for source, new, updated in connection.execute(f"""
                SELECT i.source, count(*) FILTER (WHERE t.source IS NULL),
                       count(*) FILTER (WHERE t.source IS NOT NULL AND ({changed}))
                FROM unique_{table} i LEFT JOIN {table} t ON {_same_key(keys, "t", "i")}
                GROUP BY i.source
            """).fetchall()
        }
        update = f"WHEN MATCHED AND ({changed}) THEN UPDATE SET " + ", ".join(f"{n} = i.{n}" for n in values)
        connection.execute(
            f"""
            MERGE INTO {table} t USING unique_{table} i ON {_same_key(keys, "t", "i")}
            {update if values else ""}
            WHEN NOT MATCHED THEN INSERT VALUES ({", ".join(f"i.{n}" for n in names)}, $run_id)
            """,
            {"run_id": run_id},
        )
        rows = connection.execute(
            f"""
            SELECT source, count(*),
                   (SELECT count(*) FROM {table} t WHERE t.source = i.source AND t.load_run_id = $run_id)
            FROM incoming_{table} i GROUP BY source
            """,
            {"run_id": run_id},
        ).fetchall()
        for source, read, loaded in rows:
            new, updated = before[source]
            if loaded != new:
                raise StoreError(
                    f"source '{source}': {table} does not reconcile in run {run_id}: {new} new rows, {loaded} loaded"
                )
            counts.setdefault(source, {})[table] = {
                "read": read,
                "loaded": loaded,
                "duplicate": read - loaded,
                "updated": updated,
            }
    return counts


def record_ocel_ledger(
    connection: duckdb.DuckDBPyConnection, run_id: str, source: str, counts: dict[str, dict[str, int]]
) -> None:
    for table, row in counts.items():
        connection.execute(
            "INSERT OR REPLACE INTO ocel_load_runs VALUES (?, ?, ?, ?, ?, ?, ?)",
            [run_id, source, table, row["read"], row["loaded"], row["duplicate"], row["updated"]],
        )
