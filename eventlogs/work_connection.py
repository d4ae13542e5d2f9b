"""The in-memory DuckDB connection every extraction and check works in, with the memory cap applied.

DuckDB would otherwise take up to 80% of the machine and hold whole tables in memory; capped, it spills
to a temporary folder, so a 10-million-event source extracts within the project's 2 GB budget.
"""

from __future__ import annotations

import os

import duckdb

MEMORY_LIMIT = os.environ.get("JOURNEY_DUCKDB_MEMORY_LIMIT", "1GB")


def work_connection() -> duckdb.DuckDBPyConnection:
    return duckdb.connect(config={"memory_limit": MEMORY_LIMIT})
