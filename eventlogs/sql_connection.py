"""What an analysis asks of a SQL connection: DuckDB's connection, or the Spark engine's stand-in for it
(mining/spark/sql_connection.py), which answers the same queries in DuckDB's dialect on Spark. Typing
`Scope.connection` with this protocol keeps the analyses to the calls both engines answer."""

from __future__ import annotations

from typing import Any, Protocol

import pandas as pd


class SqlResult(Protocol):
    """The rows of one query."""

    def df(self) -> pd.DataFrame: ...

    def fetchone(self) -> tuple[Any, ...] | None: ...

    def fetchall(self) -> list[tuple[Any, ...]]: ...


class SqlConnection(Protocol):
    """Queries in DuckDB's SQL with named parameters (`$name`), and data frames registered by name."""

    def execute(self, query: str, parameters: Any = None) -> SqlResult: ...

    def register(self, view_name: str, python_object: Any) -> Any: ...

    def unregister(self, view_name: str) -> Any: ...
