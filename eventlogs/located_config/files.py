"""Reading a configuration file's text, with errors that name the file."""

from __future__ import annotations

from pathlib import Path

from eventlogs.errors import ConfigError


def read_config_text(source: Path, what: str) -> str:
    """The text of `source`; missing, a folder or unreadable is a ConfigError naming the file and `what` it is."""
    try:
        return source.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise ConfigError(f"{source}: no such {what}") from error
    except IsADirectoryError as error:
        raise ConfigError(f"{source}: is a folder, not a {what}") from error
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{source}: cannot be read as a {what}: {error}") from error
