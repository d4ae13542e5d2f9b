"""YAML read together with the line of every key and list item, so specification errors can point at it.

`yaml.safe_load` keeps no positions; the composed nodes keep a mark on each. We compose, construct the
values from those nodes and index the marks by path: ("stages", 1, "norm") is the line where the second
stage's `norm` key is written.

Anchors and aliases (&name, *name) are refused: our files never need them, and an alias expands without
bound (a dozen lines of "billion laughs" would take all memory) or refers to itself (endless recursion).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from eventlogs.errors import ConfigError

YamlPath = tuple[str | int, ...]


@dataclass(frozen=True)
class LocatedYaml:
    data: Any
    lines: dict[YamlPath, int]  # 1-based line of each key / list item (and of the document at ())

    def line_of(self, path: YamlPath) -> int:
        """The line of `path`, or of its nearest enclosing entry when the path itself is not written."""
        for length in range(len(path), -1, -1):
            if path[:length] in self.lines:
                return self.lines[path[:length]]
        return 1


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader that stops at the first anchor or alias, before anything is expanded."""

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise yaml.composer.ComposerError(
                None, None, "anchors and aliases (&name, *name) are not allowed: write the value out", event.start_mark
            )
        # PyYAML passes the key node as `index` for a mapping's values; its stubs say int only
        return super().compose_node(parent, index)  # type: ignore[arg-type]


def _read_text(source: Path, what: str) -> str:
    try:
        return source.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise ConfigError(f"{source}: no such {what}") from error
    except IsADirectoryError as error:
        raise ConfigError(f"{source}: is a folder, not a {what}") from error
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{source}: cannot be read as a {what}: {error}") from error


def _syntax_error(source: Path, what: str, error: yaml.YAMLError) -> ConfigError:
    mark = getattr(error, "problem_mark", None)
    at = f"{source}:{mark.line + 1}" if mark is not None else str(source)
    return ConfigError(f"{at}: not a valid {what}: {getattr(error, 'problem', None) or error}")


def compose_yaml(source: Path, what: str) -> yaml.Node | None:
    """The composed node tree of `source` (None when empty), for readers that report positions themselves."""
    loader = _NoAliasLoader(_read_text(source, what))
    try:
        return loader.get_single_node()
    except yaml.YAMLError as error:
        raise _syntax_error(source, what, error) from error
    finally:
        loader.dispose()


def _index(node: yaml.Node, path: YamlPath, lines: dict[YamlPath, int], source: Path) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise ConfigError(f"{source}:{line}: '{key}' is given twice")
            seen.add(key)
            lines[(*path, key)] = line
            _index(value_node, (*path, key), lines, source)
    elif isinstance(node, yaml.SequenceNode):
        for position, item in enumerate(node.value):
            lines[(*path, position)] = item.start_mark.line + 1
            _index(item, (*path, position), lines, source)


def read_located_yaml(source: Path, what: str) -> LocatedYaml:
    """Parses `source`; a missing file or bad syntax is a ConfigError naming the file (and line)."""
    loader = _NoAliasLoader(_read_text(source, what))
    try:  # parsed once: the values are constructed from the composed nodes that keep the marks
        root = loader.get_single_node()
        data = None if root is None else loader.construct_document(root)
    except yaml.YAMLError as error:
        raise _syntax_error(source, what, error) from error
    finally:
        loader.dispose()
    lines: dict[YamlPath, int] = {(): 1}
    if root is not None:
        _index(root, (), lines, source)
    return LocatedYaml(data, lines)
