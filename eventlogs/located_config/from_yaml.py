"""A YAML file as a `Located` section, with the line of every key and list item and every scalar as written.

`yaml.safe_load` keeps no positions; the composed nodes keep a mark on each. We compose, construct each
scalar from its node and index the marks by path: ("stages", 1, "norm") is the line where the second
stage's `norm` key is written. Keys are read as written (`No:` is the text "No", not YAML 1.1's false).

Anchors and aliases (&name, *name) are refused: our files never need them, and an alias expands without
bound (a dozen lines of "billion laughs" would take all memory) or refers to itself (endless recursion).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from eventlogs.errors import ConfigError
from eventlogs.located_config.files import read_config_text
from eventlogs.located_config.located import Document, Located
from eventlogs.located_config.names import KeyPath, YamlNames


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


class _Builder:
    """Turns composed nodes into values, recording each path's line and each scalar's written text."""

    def __init__(self, source: Path, loader: _NoAliasLoader) -> None:
        self.source, self.loader = source, loader
        self.lines: dict[KeyPath, int] = {(): 1}
        self.written: dict[KeyPath, str] = {}

    def value(self, node: yaml.Node, path: KeyPath) -> Any:
        if isinstance(node, yaml.MappingNode):
            mapping: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key, line = str(key_node.value), key_node.start_mark.line + 1
                if key in mapping:
                    place = YamlNames().place((*path, key))
                    raise ConfigError(f"{self.source}:{line}: {place}: '{key}' is given twice")
                self.lines[(*path, key)] = line
                mapping[key] = self.value(value_node, (*path, key))
            return mapping
        if isinstance(node, yaml.SequenceNode):
            items = []
            for position, item in enumerate(node.value):
                self.lines[(*path, position)] = item.start_mark.line + 1
                items.append(self.value(item, (*path, position)))
            return items
        try:
            constructed = self.loader.construct_object(node, deep=True)
        except (ValueError, OverflowError):  # looks like a date but is none (2026-13-01): the text decides
            constructed = str(node.value)
        if constructed is not None:  # null is "not given"; every other scalar is also text as written
            self.written[path] = str(node.value)
        return constructed


def _syntax_error(source: Path, what: str, error: yaml.YAMLError) -> ConfigError:
    mark = getattr(error, "problem_mark", None)
    at = f"{source}:{mark.line + 1}" if mark is not None else str(source)
    return ConfigError(f"{at}: not a valid {what}: {getattr(error, 'problem', None) or error}")


def _line_of(lines: dict[KeyPath, int], path: KeyPath) -> int:
    """The line of `path`, or of its nearest enclosing entry when the path itself is not written."""
    for length in range(len(path), -1, -1):
        if path[:length] in lines:
            return lines[path[:length]]
    return 1


def read_yaml(source: Path, what: str) -> Located:
    """The top-level mapping of `source` (empty for an empty file); a missing file or bad syntax is a
    ConfigError naming the file (and line)."""
    text = read_config_text(source, what)
    loader = _NoAliasLoader(text)
    builder = _Builder(source, loader)
    try:  # parsed once: the values are constructed from the composed nodes that keep the marks
        root = loader.get_single_node()
        values = {} if root is None else builder.value(root, ())
    except yaml.YAMLError as error:
        raise _syntax_error(source, what, error) from error
    finally:
        loader.dispose()
    document = Document(source, YamlNames(), lambda path: _line_of(builder.lines, path), text, builder.written)
    return Located(document, (), values)
