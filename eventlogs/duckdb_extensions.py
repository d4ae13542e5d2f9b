"""DuckDB extensions from their pip wheels, so nothing is downloaded at run time."""

from __future__ import annotations

import duckdb
import duckdb_extensions

from eventlogs.errors import SourceError


def load_sqlite_extension(connection: duckdb.DuckDBPyConnection) -> None:
    try:
        duckdb_extensions.import_extension("sqlite", con=connection)
    except (ImportError, duckdb.Error) as error:
        raise SourceError(f"DuckDB's sqlite extension could not be loaded from its wheel: {error}") from error


def _load_extension(connection: duckdb.DuckDBPyConnection, name: str) -> None:
    try:
        duckdb_extensions.import_extension(name, con=connection)
        connection.execute(f"LOAD {name}")
    except (ImportError, duckdb.Error) as error:
        raise SourceError(f"DuckDB's {name} extension could not be loaded from its wheel: {error}") from error


def load_postgres_extension(connection: duckdb.DuckDBPyConnection) -> None:
    _load_extension(connection, "postgres")


def load_mysql_extension(connection: duckdb.DuckDBPyConnection) -> None:
    _load_extension(connection, "mysql")
