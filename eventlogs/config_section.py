"""One table of a TOML configuration, read key by key with errors that name the file, line and key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from eventlogs.errors import ConfigError
from eventlogs.toml_lines import line_of


class ConfigSection:
    """Reads keys of one TOML table; every error names the file, the line and the key."""

    def __init__(self, file: Path, text: str, where: str, table: Any) -> None:
        self.file, self.source_text, self.where, self.table = file, text, where, table
        if not isinstance(table, dict):
            raise self.error(f"[{where}] must be a table")

    def error(self, message: str, key: str | None = None) -> ConfigError:
        line = line_of(self.source_text, self.where, key)
        return ConfigError(f"{self.file}:{line}: {message}" if line else f"{self.file}: {message}")

    def text(self, key: str, default: str | None = None) -> str:
        value = self.table.get(key, default)
        if not isinstance(value, str) or not value:
            problem = "is missing" if key not in self.table and default is None else "must be a non-empty string"
            raise self.error(f"[{self.where}] key '{key}' {problem}", key if key in self.table else None)
        return value

    def string(self, key: str, default: str) -> str:
        """A string that may be empty (a separator, say); any other type is an error naming the key."""
        value = self.table.get(key, default)
        if not isinstance(value, str):
            raise self.error(f"[{self.where}] key '{key}' must be a string", key)
        return value

    def section(self, key: str) -> ConfigSection:
        if key not in self.table:
            raise self.error(f"[{self.where}] is missing the table '{key}'")
        where = f"{self.where}.{key}" if self.where else key
        return ConfigSection(self.file, self.source_text, where, self.table[key])

    def text_map(self, key: str) -> dict[str, str]:
        inner = self.section(key)
        for name, value in inner.table.items():
            if not isinstance(value, str):
                raise inner.error(f"[{inner.where}] key '{name}' must be a string", name)
        return dict(inner.table)

    def optional_text(self, key: str) -> str | None:
        return self.text(key) if key in self.table else None

    def flag(self, key: str, default: bool) -> bool:
        value = self.table.get(key, default)
        if not isinstance(value, bool):
            raise self.error(f"[{self.where}] key '{key}' must be true or false", key)
        return value
