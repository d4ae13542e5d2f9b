"""Control characters from the data made visible, for every output that cannot hold them as they are."""

from __future__ import annotations

import re

# C0 control characters and DEL, but line breaks and tabs, which read as such in a label or a file.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _control_picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    return "\u2421" if code == 0x7F else chr(0x2400 + code)


def visible_controls(text: str) -> str:
    """The text with its control characters shown as their Unicode control pictures (NUL -> ␀): Graphviz
    ends its input at a NUL, XML allows none of them, Markdown drops NUL, yet the reader should see them."""
    return _CONTROL.sub(_control_picture, text)
