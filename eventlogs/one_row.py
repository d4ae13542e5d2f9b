"""The single row of a query that always returns one: an aggregate without GROUP BY, or a SELECT of values.

DuckDB's `fetchone()` is typed as "a row or None"; these say that None cannot happen here, once, instead
of every caller indexing a possible None.
"""

from __future__ import annotations

from typing import Any

from eventlogs.sql_connection import SqlResult


def one_row(result: SqlResult) -> tuple[Any, ...]:
    """The row of `result`, a query that returns exactly one row."""
    row = result.fetchone()
    if row is None:
        raise AssertionError("unreachable: an aggregate without GROUP BY, or a SELECT of values, returns one row")
    return row


def one_value(result: SqlResult) -> Any:
    """The first column of the one row of `result` (a count, a max, a setting)."""
    return one_row(result)[0]
