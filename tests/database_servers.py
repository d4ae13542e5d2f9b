"""The machine's PostgreSQL (127.0.0.1:5432, trust, user postgres, database test) and MariaDB
(127.0.0.1:3306, root without password, database test) for connector tests.

Every test works in its own uniquely named schema (PostgreSQL) or database and user (MariaDB) and drops
them afterwards, so parallel runs and other tests never meet. When a server cannot be reached the test is
skipped with the reason, except under CI (CI=true), where that is a failure: CI must really test.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import duckdb
import pytest

from eventlogs.duckdb_extensions import load_mysql_extension, load_postgres_extension
from eventlogs.sql_text import sql_literal

POSTGRES = "host=127.0.0.1 port=5432 dbname=test user=postgres"
MARIADB = "host=127.0.0.1 port=3306 database=test user=root"


def _unreachable(what: str, error: Exception) -> None:
    reason = f"{what} is not reachable: {error}"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI must run the database connector tests)")
    pytest.skip(reason)


@dataclass
class Server:
    """An administrator's DuckDB connection to a server; `run` executes one statement on the server."""

    connection: duckdb.DuckDBPyConnection
    engine: str  # postgres | mysql

    def run(self, sql: str) -> None:
        self.connection.execute(f"CALL {self.engine}_execute('admin', {sql_literal(sql)})")


def _connect(engine: str) -> Server:
    connection = duckdb.connect()
    (load_postgres_extension if engine == "postgres" else load_mysql_extension)(connection)
    settings = POSTGRES if engine == "postgres" else MARIADB
    try:
        connection.execute(f"ATTACH '{settings}' AS admin (TYPE {engine})")
    except duckdb.Error as error:
        connection.close()
        _unreachable("PostgreSQL at 127.0.0.1:5432" if engine == "postgres" else "MariaDB at 127.0.0.1:3306", error)
    return Server(connection, engine)


def unique_name() -> str:
    return f"jm_{uuid.uuid4().hex[:10]}"


@dataclass(frozen=True)
class Place:
    """Where a test's tables are, and how the connector logs in."""

    server: Server
    database: str
    schema: str
    user: str
    password: str  # what the connector's password variable holds

    def table(self, name: str) -> str:
        return f'"{self.schema}"."{name}"' if self.server.engine == "postgres" else f"`{self.schema}`.`{name}`"


@pytest.fixture()
def postgres_schema() -> Iterator[Place]:
    """A fresh schema in database test. Trust authentication ignores the password, which is a canary:
    it must show up nowhere."""
    server = _connect("postgres")
    schema = unique_name()
    server.run(f'CREATE SCHEMA "{schema}"')
    try:
        yield Place(server, "test", schema, "postgres", f"pg-canary-{uuid.uuid4().hex}")
    finally:
        server.run(f'DROP SCHEMA "{schema}" CASCADE')
        server.connection.close()


@pytest.fixture()
def mariadb_database() -> Iterator[Place]:
    """A fresh database and a user of its own whose password (with a space and a quote, to prove the
    quoting) the connector reads from the environment."""
    server = _connect("mysql")
    name = unique_name()
    password = f"maria canary'{uuid.uuid4().hex}"
    server.run(f"CREATE DATABASE `{name}`")
    server.run(f"CREATE USER '{name}'@'%' IDENTIFIED BY {sql_literal(password)}")
    server.run(f"GRANT SELECT ON `{name}`.* TO '{name}'@'%'")
    try:
        yield Place(server, name, name, name, password)
    finally:
        server.run(f"DROP USER '{name}'@'%'")
        server.run(f"DROP DATABASE `{name}`")
        server.connection.close()


def literal(value: object) -> str:
    return "NULL" if value is None else sql_literal(str(value))


def insert(place: Place, table: str, columns: str, rows: list[tuple[object, ...]]) -> None:
    values = ", ".join("(" + ", ".join(literal(v) for v in row) + ")" for row in rows)
    place.server.run(f"INSERT INTO {place.table(table)} ({columns}) VALUES {values}")
