"""The stand-in's modules import one another one way: no circle, not even for type hints."""

from __future__ import annotations

import ast
from pathlib import Path

import qbwc_service.simulator.quickbooks as standin

PACKAGE = standin.__name__
ROOT = Path(standin.__file__).parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join((PACKAGE, *parts))


MODULES = {_module_name(path): path for path in ROOT.rglob("*.py")}


def _imports(path: Path) -> set[str]:
    """The stand-in modules *path* imports (type-only imports included), packages excluded."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(PACKAGE):
            for alias in node.names:
                child = f"{node.module}.{alias.name}"
                found.add(child if child in MODULES else node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith(PACKAGE))
    return {name for name in found if name in MODULES and name != PACKAGE}


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import circle in *graph*, or [] when there is none."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return []

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return []


def test_the_stand_in_has_no_import_circle():
    graph = {name: _imports(path) for name, path in MODULES.items() if name != PACKAGE}
    assert _cycle(graph) == []


def test_the_circle_finder_finds_one():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) == []


def test_the_stand_in_checks_with_its_own_schemas_not_the_services():
    for name, path in MODULES.items():
        source = path.read_text(encoding="utf-8")
        assert "qbwc_service.qbxml" not in source, name
