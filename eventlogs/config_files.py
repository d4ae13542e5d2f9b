"""Reading a configuration or specification file, with errors that name the file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from eventlogs.errors import ConfigError


def parse_config_file(path: Path, parse: Callable[[str], Any], syntax_error: type[Exception], what: str) -> Any:
    """`parse`s the text of `path`; a missing file or bad syntax becomes a ConfigError naming the file."""
    try:
        return parse(path.read_text())
    except FileNotFoundError as error:
        raise ConfigError(f"{path}: no such {what}") from error
    except syntax_error as error:
        raise ConfigError(f"{path}: not a valid {what}: {error}") from error
