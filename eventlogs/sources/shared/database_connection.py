"""Connection settings of a database server (PostgreSQL, MariaDB/MySQL), read from a source's TOML table.

The password is never written in the configuration: `password_env` names the environment variable
that holds it, and it is read only when connecting. So no configuration object, log line, error
message or staged file can carry it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from eventlogs.errors import ConfigError
from eventlogs.located_config import Located

DEFAULT_PORTS = {"postgres": 5432, "mysql": 3306}


@dataclass(frozen=True)
class DatabaseConnection:
    engine: str  # postgres | mysql (MariaDB speaks the same protocol)
    host: str
    port: int
    database: str
    user: str
    schema: str  # where the tables are: a PostgreSQL schema; for MySQL the database itself
    password_env: str | None  # None: the server needs no password (trust or socket authentication)
    password_env_at: str  # "file:line" of password_env, so a variable gone missing later is still located

    def describe(self) -> str:
        """Where the data comes from, for messages: never the password."""
        return f"{self.engine} {self.user}@{self.host}:{self.port}/{self.database}"

    def password(self) -> str:
        if self.password_env is None:
            return ""
        value = os.environ.get(self.password_env)
        if value is None:
            raise ConfigError(f"{self.password_env_at}: environment variable '{self.password_env}' is not set")
        return value


def _port(section: Located, engine: str) -> int:
    expected = "must be a port number (1-65535)"
    return int(section.number("port", DEFAULT_PORTS[engine], at_least=1, at_most=65535, whole=True, expected=expected))


def read_database_connection(section: Located, engine: str) -> DatabaseConnection:
    """host, port, database, user, schema and password_env of a source's table."""
    if "password" in section:
        raise section.key_error(
            "password",
            "is not allowed: put the password in an environment variable and name that variable in password_env",
        )
    password_env = section.optional_text("password_env")
    located = section.at("password_env")
    if password_env is not None and password_env not in os.environ:
        # checked while reading the configuration, so a run fails before anything is extracted
        raise section.error(
            f"key 'password_env': environment variable '{password_env}' is not set",
            "password_env",
        )
    database = section.text("database")
    return DatabaseConnection(
        engine=engine,
        host=section.text("host", "127.0.0.1"),
        port=_port(section, engine),
        database=database,
        user=section.text("user"),
        schema=section.text("schema", "public" if engine == "postgres" else database),
        password_env=password_env,
        password_env_at=located,
    )


_SECRET_SETTING = re.compile(r"(?i)\b(password|passwd|pwd)\s*=\s*('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|\S+)")


def redact(message: str, password: str) -> str:
    """The message without the password: drivers may echo a connection string in their errors."""
    if password:
        message = message.replace(password, "***")
    return _SECRET_SETTING.sub(r"\1=***", message)
