"""A Markdown table, as Prefect artifacts and the pilot's verdict file show them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def markdown_table(header: list[str], rows: Iterable[Iterable[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(value) for value in row) + " |" for row in rows]
    return "\n".join(lines)
