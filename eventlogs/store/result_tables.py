"""Analysis results written back into the store, beside the events they were computed from.

Every result table of an analysis is first written as Parquet (for users' own tools); this copies a folder
of them into the store's `results` schema so SQL users find events and results in one file. One
transaction: a reader sees the previous results or the new ones, never a mix. Re-running replaces them.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from eventlogs.errors import StoreError
from eventlogs.one_row import one_value
from eventlogs.sql_text import sql_identifier, sql_literal
from eventlogs.store.connection import connect_store

RESULTS_SCHEMA = "results"


def write_result_tables(store: Path, folder: Path, analysis: str) -> list[str]:
    """Copies each `<name>.parquet` in `folder` into `results.<name>` of `store` (replacing an earlier copy)
    and records it in `results.written`, under the `analysis` that produced it; returns the table names."""
    parquet_files = sorted(folder.glob("*.parquet"))
    if not parquet_files:
        raise StoreError(f"no result tables (*.parquet) in {folder} to write into {store}")
    connection = connect_store(store)
    try:
        connection.execute("BEGIN TRANSACTION")
        connection.execute(f"CREATE SCHEMA IF NOT EXISTS {RESULTS_SCHEMA}")
        connection.execute(f"""
            CREATE TABLE IF NOT EXISTS {RESULTS_SCHEMA}.written (
                table_name VARCHAR PRIMARY KEY, analysis VARCHAR NOT NULL, rows BIGINT NOT NULL,
                source_file VARCHAR NOT NULL, written_at TIMESTAMPTZ NOT NULL)
        """)
        names = []
        for path in parquet_files:
            table = f"{RESULTS_SCHEMA}.{sql_identifier(path.stem)}"
            connection.execute(f"CREATE OR REPLACE TABLE {table} AS FROM read_parquet({sql_literal(str(path))})")
            rows = one_value(connection.execute(f"SELECT count(*) FROM {table}"))
            connection.execute(
                f"INSERT OR REPLACE INTO {RESULTS_SCHEMA}.written VALUES (?, ?, ?, ?, now())",
                [path.stem, analysis, rows, str(path)],
            )
            names.append(path.stem)
        connection.execute("COMMIT")
        return names
    except duckdb.Error as error:
        connection.execute("ROLLBACK")
        raise StoreError(f"writing the results of {folder} into {store} failed and was rolled back: {error}") from error
    finally:
        connection.close()
