"""Pieces of SQL text the connectors and analyses build queries from."""

from __future__ import annotations

# A UTC offset after a clock time ("...09:15:00+01:00", "...T09:15Z"). The clock time is required:
# a bare date such as '2023-05-30' ends in '-30', which a looser pattern would take for an offset.
HAS_UTC_OFFSET = r"\d\d:\d\d(:\d\d(\.\d+)?)?\s*(Z|[+-]\d\d(:?\d\d)?)$"


def sql_literal(text: str) -> str:
    """A string literal with its quotes escaped."""
    return "'" + text.replace("'", "''") + "'"


def sql_identifier(name: str) -> str:
    """A quoted identifier: column names from files may hold spaces, colons or quotes."""
    return '"' + name.replace('"', '""') + '"'
