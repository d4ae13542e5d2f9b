"""The house rules on imports (ARCHITECTURE.md): layers import downwards only, and no import cycle."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.realdata import REPOSITORY

# lower index = lower layer; a module may import from its own layer or any lower one
LAYERS = [
    "eventlogs",
    "mining.errors",
    "mining.scope",
    "mining.discovery",
    "mining.spark",  # the Spark twins of the scope and discovery queries
    "mining.design",
    "mining.pilot",
    "mining.report",
    "mining.runs",
    "mining.explore",  # the explorer's analysis: at the level of runs (reads the store), below flows
    "flows",
]


def _module(path: Path) -> str:
    parts = list(path.relative_to(REPOSITORY).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    """Every project module and the project modules it imports (at any depth of the file)."""
    found: dict[str, set[str]] = {}
    for package in ("eventlogs", "mining", "flows"):
        for path in (REPOSITORY / package).rglob("*.py"):
            names = set()
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names.add(node.module)
                    names.update(f"{node.module}.{alias.name}" for alias in node.names)
                elif isinstance(node, ast.Import):
                    names.update(alias.name for alias in node.names)
            found[_module(path)] = {name for name in names if name.split(".")[0] in ("eventlogs", "mining", "flows")}
    return {module: {name for name in names if name in found} for module, names in found.items()}


def _layer(module: str) -> int:
    return max(index for index, prefix in enumerate(LAYERS) if module == prefix or module.startswith(prefix + "."))


def test_layers_import_downwards_only() -> None:
    upward = [
        f"{module} -> {imported}"
        for module, names in _imports().items()
        for imported in names
        if module not in ("mining", "flows") and _layer(imported) > _layer(module)
    ]
    assert upward == []


def test_no_import_cycle() -> None:
    graph = _imports()
    state: dict[str, str] = {}
    cycles: list[list[str]] = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for imported in sorted(graph[module]):
            if state.get(imported) == "open":
                cycles.append([*path[path.index(imported) :], imported] if imported in path else [module, imported])
            elif imported not in state:
                visit(imported, [*path, imported])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []
