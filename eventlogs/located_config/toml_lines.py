"""Finds the line of a key in a TOML file, so configuration errors can point at it.

tomllib keeps no positions, so this reads the text: the deepest `[table]` header on the key's path, then
the key's own line inside that table (or inside an inline table on one line). A key that is missing
is reported at its table's header.
"""

from __future__ import annotations

import re


def _is_header(line: str) -> bool:
    return line.lstrip().startswith("[")


def _header_of(line: str) -> str:
    """`[a . "b"]  # comment` -> a.b"""
    match = re.match(r"\s*\[+([^\]]+)\]", line)
    return re.sub(r"\s+", "", match.group(1)).replace('"', "") if match else ""


def _find_key(lines: list[str], start: int, key: str) -> int | None:
    pattern = re.compile(rf'^\s*"?{re.escape(key)}"?\s*=')
    for index in range(start, len(lines)):
        if index > start and _is_header(lines[index]):
            return None
        if pattern.search(lines[index]):
            return index
    return None


def line_of(text: str, table: str, key: str | None = None) -> int | None:
    """1-based line of `key` in dotted `table` (or of the table itself); None when nowhere to be found."""
    lines = text.splitlines()
    parts = [part for part in table.split(".") if part]
    found, depth = None, 0
    for depth in range(len(parts), 0, -1):
        wanted = ".".join(parts[:depth])
        headers = [(i, _header_of(line)) for i, line in enumerate(lines) if _is_header(line)]
        found = next((i for i, header in headers if header == wanted), None)
        if found is None:  # a table written only through its sub-tables ([a.b] makes [a]) is where they start
            found = next((i for i, header in headers if header.startswith(f"{wanted}.")), None)
        if found is not None:
            break
    if found is None:
        depth, found = 0, -1
    position = found
    for part in [*parts[depth:], *([key] if key else [])]:
        inline = position >= 0 and re.search(rf'[{{,]\s*"?{re.escape(part)}"?\s*=', lines[position])
        if inline:
            continue
        located = _find_key(lines, position + 1, part)
        if located is None:
            break
        position = located
    return position + 1 if position >= 0 else None
