"""How each file format names a place in an error: TOML by table and key, YAML by a path such as stages[2].norm.

The sentences around a place stay the ones people already know from each format (and that tests check):
`[sources.x] key 'path' is missing` in TOML, `stages[1]: missing 'department'` in YAML.
"""

from __future__ import annotations

from typing import Protocol

KeyPath = tuple[str | int, ...]


class PlaceNames(Protocol):
    mapping: str  # what the format calls a table of keys

    def place(self, path: KeyPath) -> str:
        """The place of a section: [sources.x] / stages[2]."""

    def key_place(self, path: KeyPath) -> str:
        """The place of a key or list item: [sources.x] key 'path' / stages[2].norm."""

    def sentence(self, place: str, problem: str) -> str:
        """A place and its problem joined as the format's messages have them."""

    def missing(self, section: KeyPath, key: str) -> str:
        """The sentence for a required key that is not given."""

    def unknown(self, section: KeyPath, key: str) -> str:
        """The sentence for a key the section does not know (its allowed keys follow)."""


class TomlNames:
    mapping = "table"

    def place(self, path: KeyPath) -> str:
        table = ".".join(str(part) for part in path if isinstance(part, str))
        return f"[{table}]" if table else ""

    def key_place(self, path: KeyPath) -> str:
        keys = [part for part in path if isinstance(part, str)]
        item = f" item {path[-1] + 1}" if path and isinstance(path[-1], int) else ""
        return f"{self.place(tuple(keys[:-1]))} key '{keys[-1]}'{item}".lstrip() if keys else ""

    def sentence(self, place: str, problem: str) -> str:
        return f"{place} {problem}" if place else problem

    def missing(self, section: KeyPath, key: str) -> str:
        return f"{self.key_place((*section, key))} is missing"

    def unknown(self, section: KeyPath, key: str) -> str:
        return self.sentence(self.place(section), f"unknown key '{key}'")


class YamlNames:
    mapping = "mapping"

    def place(self, path: KeyPath) -> str:
        """("stages", 1, "norm") -> stages[2].norm (list positions counted from 1, as people count)."""
        text = ""
        for part in path:
            text += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if text else part)
        return text

    def key_place(self, path: KeyPath) -> str:
        return self.place(path)

    def sentence(self, place: str, problem: str) -> str:
        return f"{place}: {problem}" if place else problem

    def missing(self, section: KeyPath, key: str) -> str:
        return self.sentence(self.place(section), f"missing '{key}'")

    def unknown(self, section: KeyPath, key: str) -> str:
        return self.sentence(self.place((*section, key)), f"unknown key '{key}'")
