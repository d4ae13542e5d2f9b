"""Markdown as Prefect artifacts and the pilot's verdict file show it: text from the data escaped, and tables."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from mining.report.visible_text import visible_controls

# What can start Markdown or inline HTML mid-line: emphasis, code, links and images, tags, autolinks and
# entities, table cells, strikethrough (`>` closes nothing once `<` is escaped, `!` needs a `[`).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<&|~])")


def markdown_text(value: object) -> str:
    """The value as Markdown that shows exactly its text, on one line (a line break would end a table
    row or a list item)."""
    text = visible_controls(str(value)).replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def markdown_table(header: list[str], rows: Iterable[Iterable[Any]]) -> str:
    lines = ["| " + " | ".join(markdown_text(name) for name in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(markdown_text(value) for value in row) + " |" for row in rows]
    return "\n".join(lines)
