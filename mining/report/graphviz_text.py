"""The one way text from the data reaches Graphviz: as plain text, never as markup.

Graphviz reads a label that starts with `<` and ends with `>` as an HTML-like label (whose `href` becomes a
live link in the SVG), a backslash as the start of an escape sequence (`\\n`, `\\l`, `\\N`, ...; a trailing
one escapes the closing quote), `&amp;` and the like as the character they name, and a NUL byte as the end
of the input. Every renderer passes each label, cluster label and tooltip that holds data through
`graphviz_text`.
"""

from __future__ import annotations

from graphviz.quoting import NoHtml

from mining.report.visible_text import visible_controls


class GraphvizText(NoHtml):
    """Escaped label text: the `graphviz` package quotes it rather than passing it on as HTML. `str()`
    keeps it this type, because drawers such as pm4py's call `str(label)` before handing it on."""

    __slots__ = ()

    def __str__(self) -> GraphvizText:
        return self


def graphviz_text(*lines: object) -> GraphvizText:
    """The lines as one Graphviz label (or tooltip) that shows exactly their text, one line each."""
    escaped = (visible_controls(str(line)).replace("\\", "\\\\").replace("&", "&amp;") for line in lines)
    return GraphvizText("\n".join(escaped))
