"""YAML read together with the line of every key and list item, so specification errors can point at it.

`yaml.safe_load` keeps no positions; the composed nodes keep a mark on each. We compose, construct the
values from those nodes and index the marks by path: ("stages", 1, "norm") is the line where the second
stage's `norm` key is written.
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
    try:
        text = source.read_text()
    except FileNotFoundError as error:
        raise ConfigError(f"{source}: no such {what}") from error
    loader = yaml.SafeLoader(text)
    try:  # parsed once: the values are constructed from the composed nodes that keep the marks
        root = loader.get_single_node()
        data = None if root is None else loader.construct_document(root)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        at = f"{source}:{mark.line + 1}" if mark is not None else str(source)
        raise ConfigError(f"{at}: not a valid {what}: {getattr(error, 'problem', None) or error}") from error
    finally:
        loader.dispose()
    lines: dict[YamlPath, int] = {(): 1}
    if root is not None:
        _index(root, (), lines, source)
    return LocatedYaml(data, lines)
