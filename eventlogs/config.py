"""The source configuration: which systems an organisation has and how their records become events."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from eventlogs.errors import ConfigError
from eventlogs.located_config import read_toml
from eventlogs.source_kinds import SOURCE_KINDS
from eventlogs.sources.connector import Source

# the tables a source configuration may hold; [pilot] is read by `journey pilot` (mining.pilot.definition)
TOP_TABLES = {"organisation", "sources", "pilot"}


@dataclass(frozen=True)
class SourceConfig:
    file: Path
    organisation: str
    sources: dict[str, Source]
    lookback_hours: dict[str, float]  # per source: how far before its watermark to read again
    keep_names: frozenset[str] = frozenset()  # sources whose people are loaded by name (pseudonymised otherwise)


def source_name_problem(name: str) -> str | None:
    """Why `name` cannot name a source, or None. A source's name becomes its staging folder's name, so it
    must be one plain path component: no separators, no '.' or '..', no control characters."""
    if name in ("", ".", ".."):
        return "must not be empty, '.' or '..'"
    if any(char in name for char in "/\\") or any(ord(char) < 32 or ord(char) == 127 for char in name):
        return "must not hold a path separator ('/' or '\\') or a control character"
    return None


def _check_source_name(file: Path, text: str, name: str) -> None:
    problem = source_name_problem(name)
    if problem is None:
        return
    line = _header_line(text, name)
    at = f"{file}:{line}" if line else str(file)
    raise ConfigError(f"{at}: [sources] source name {name!r} {problem}")


def _header_line(text: str, name: str) -> int | None:
    """The line of the first table header that opens source `name`: each header line is read as TOML on its
    own, because a hostile name (quotes, escapes, dots, slashes) defeats matching the text."""
    for number, row in enumerate(text.splitlines(), 1):
        if row.lstrip().startswith("["):
            try:
                header = tomllib.loads(row)
            except tomllib.TOMLDecodeError:
                continue
            if name in header.get("sources", {}):
                return number
    return None


def load_source_config(file: Path, data_folder: Path | None = None) -> SourceConfig:
    """Reads and validates a source configuration; relative paths resolve against `data_folder`."""
    root = read_toml(file, "source configuration (TOML)")
    root.check_keys(TOP_TABLES)
    folder = data_folder or file.parent
    sources: dict[str, Source] = {}
    lookback: dict[str, float] = {}
    keep_names: set[str] = set()
    tables = root.section("sources")
    for name in tables.key_names():
        _check_source_name(file, root.document.source_text, name)
        section = tables.section(name)
        kind = section.text("kind")
        if kind not in SOURCE_KINDS:
            raise section.error(f"kind '{kind}' is not one of {sorted(SOURCE_KINDS)}", "kind")
        sources[name] = SOURCE_KINDS[kind].read_config(section, name, folder)
        lookback[name] = section.duration_hours("lookback", "0h")
        if not section.flag("pseudonymise_resources", True):
            keep_names.add(name)
        section.reject_unread_keys()  # every key its kind's reader did not ask for is unknown
    for source in sources.values():
        correlates_with = getattr(source, "correlates_with", None)
        if correlates_with is not None and correlates_with not in sources:
            raise tables.section(source.name).error(
                f"correlates_with '{correlates_with}' names no source", "correlates_with"
            )
    organisation = file.stem
    if "organisation" in root:
        organisation = root.section("organisation").text("name")
        root.section("organisation").reject_unread_keys()
    return SourceConfig(
        file=file, organisation=organisation, sources=sources, lookback_hours=lookback, keep_names=frozenset(keep_names)
    )
