"""A TOML file as a `Located` section: tomllib reads the values, the line finder the line of each key."""

from __future__ import annotations

import tomllib
from functools import partial
from pathlib import Path

from eventlogs.errors import ConfigError
from eventlogs.located_config.files import read_config_text
from eventlogs.located_config.located import Document, Located
from eventlogs.located_config.names import KeyPath, TomlNames
from eventlogs.located_config.toml_lines import line_of


def _line(text: str, path: KeyPath) -> int | None:
    # the line finder walks a dotted path to the deepest table header, then key by key within it
    dotted = ".".join(part for part in path if isinstance(part, str))
    return line_of(text, dotted) if dotted else None


def read_toml(source: Path, what: str) -> Located:
    """The top-level table of `source`; a missing file or bad syntax is a ConfigError naming the file."""
    text = read_config_text(source, what)
    try:
        values = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{source}: not a valid {what}: {error}") from error
    return Located(Document(source, TomlNames(), partial(_line, text), text), (), values)
