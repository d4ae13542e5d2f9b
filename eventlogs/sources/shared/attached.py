"""How a connector's database is ATTACHed to DuckDB, and how its tables are fetched into DuckDB as text.

A connector writes its reads as plain SQL that SQLite, PostgreSQL and MariaDB/MySQL all understand, and
lets the attached database run it: the server itself for PostgreSQL and MySQL (postgres_query /
mysql_query), so an incremental read's filters and sub-queries cut the rows where they live, and only
the rows wanted cross the network, column by column into DuckDB (never row by row through Python).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

import duckdb

from eventlogs.duckdb_extensions import load_mysql_extension, load_postgres_extension, load_sqlite_extension
from eventlogs.errors import ConfigError, SourceError
from eventlogs.sources.shared.database_connection import DatabaseConnection, redact
from eventlogs.sql_text import sql_identifier, sql_literal

ALIAS = "src"  # the attached database's name inside the connector's DuckDB connection
_SECRET = "src_credentials"

# A server compares an updated-at column in its own type and session time zone (a text column as text,
# TIMESTAMPTZ in the session's zone), so the filter it runs reaches back one day further than asked; the
# exact cut is made in DuckDB on the parsed UTC value. No time zone is more than a day away from UTC.
SERVER_FILTER_MARGIN = timedelta(days=1)


def server_since(since: datetime) -> str:
    """The literal a server-side filter `updated >= ...` compares with (see SERVER_FILTER_MARGIN)."""
    return sql_literal(f"{(since - SERVER_FILTER_MARGIN).astimezone(UTC):%Y-%m-%d %H:%M:%S}")


class AttachedDatabase(Protocol):
    def describe(self) -> str:
        """Where the data comes from, for messages (never a credential)."""
        ...

    def attach(self, connection: duckdb.DuckDBPyConnection) -> None: ...

    def table(self, name: str) -> str:
        """A table's name in the SQL handed to `query`."""
        ...

    def query(self, sql: str) -> str:
        """A DuckDB FROM item whose rows are `sql` run by the database."""
        ...

    def redact(self, message: str) -> str: ...


@dataclass(frozen=True)
class SqliteFile:
    """A SQLite file; DuckDB reads it in place, every column as text."""

    path: Path

    def describe(self) -> str:
        return str(self.path)

    def attach(self, connection: duckdb.DuckDBPyConnection) -> None:
        load_sqlite_extension(connection)
        connection.execute("SET sqlite_all_varchar = true")
        connection.execute(f"ATTACH {sql_literal(str(self.path))} AS {ALIAS} (TYPE sqlite, READ_ONLY)")

    def table(self, name: str) -> str:
        return f"{ALIAS}.{sql_identifier(name)}"

    def query(self, sql: str) -> str:
        return f"({sql})"  # DuckDB itself runs it against the attached file

    def redact(self, message: str) -> str:
        return message


@dataclass(frozen=True)
class ServerDatabase:
    """A PostgreSQL or MariaDB/MySQL server, attached read-only through a temporary DuckDB secret: the
    password goes into no connection string, which the extensions echo in their errors."""

    settings: DatabaseConnection

    def describe(self) -> str:
        return self.settings.describe()

    def attach(self, connection: duckdb.DuckDBPyConnection) -> None:
        engine = self.settings.engine
        (load_postgres_extension if engine == "postgres" else load_mysql_extension)(connection)
        password = self.settings.password()
        try:
            connection.execute(
                f"CREATE TEMPORARY SECRET {_SECRET} (TYPE {engine}, HOST {sql_literal(self.settings.host)}, "
                f"PORT {self.settings.port}, DATABASE {sql_literal(self.settings.database)}, "
                f"USER {sql_literal(self.settings.user)}, PASSWORD {sql_literal(password)})"
            )
            connection.execute(f"ATTACH '' AS {ALIAS} (TYPE {engine}, SECRET {_SECRET}, READ_ONLY)")
        except duckdb.Error as error:
            # `from None`: the original error stays out of tracebacks, in case it quotes a credential
            raise SourceError(f"cannot connect to {self.describe()}: {redact(str(error), password)}") from None

    def table(self, name: str) -> str:
        quote = sql_identifier if self.settings.engine == "postgres" else _backquoted
        return f"{quote(self.settings.schema)}.{quote(name)}"

    def query(self, sql: str) -> str:
        return f"{self.settings.engine}_query('{ALIAS}', {sql_literal(sql)})"

    def redact(self, message: str) -> str:
        try:
            return redact(message, self.settings.password())
        except ConfigError:  # the variable is gone: nothing of it can be in the message
            return redact(message, "")


def _backquoted(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _as_text(column: str, column_type: str, time_format: str) -> str:
    quoted = sql_identifier(column)
    if column_type == "TIMESTAMP WITH TIME ZONE":
        return f"strftime(timezone('UTC', {quoted}), '{time_format}') AS {quoted}"
    if column_type.startswith("TIMESTAMP") or column_type == "DATETIME":
        # a date-time without a zone is taken as UTC: ServiceNow and Jira replicas store UTC
        return f"strftime({quoted}, '{time_format}') AS {quoted}"
    return f"CAST({quoted} AS VARCHAR) AS {quoted}"


def fetch_as_text(
    connection: duckdb.DuckDBPyConnection,
    database: AttachedDatabase,
    local_table: str,
    sql: str,
    time_format: str,
    keep_where: str | None = None,
    stream: bool = False,
) -> None:
    """Runs `sql` in the database into the temp table `local_table`, every column as text (date-times as
    UTC in `time_format`), so checks and rejected records see the values as the source held them.
    `keep_where`: a DuckDB condition over the text columns that a row must meet to be kept.

    The result's types come from binding the query (DESCRIBE runs nothing in the database), so the rows
    are converted as they arrive and written once: a typed copy first, then a text copy, took a third
    longer and held both in memory. `stream`: a temp view instead, for a table read exactly once (by the
    step that checks it), whose rows then go from the database into that step's own table."""
    source = f"SELECT * FROM {database.query(sql)}"
    columns = connection.execute(f"DESCRIBE {source}").fetchall()
    select = ", ".join(_as_text(name, column_type, time_format) for name, column_type, *_ in columns)
    kind = "VIEW" if stream else "TABLE"
    where = f"WHERE {keep_where}" if keep_where else ""
    # `keep_where` sees the text columns, so the converting SELECT is nested inside
    connection.execute(
        f"CREATE OR REPLACE TEMP {kind} {local_table} AS SELECT * FROM (SELECT {select} FROM ({source})) {where}"
    )
