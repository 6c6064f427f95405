"""No import cycle in the package: the graph of module-level imports is acyclic, and an import
inside a function in ui/ says why on the line above it."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "cyclades_tui"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py")}


def module_level_imports(path: Path) -> set[str]:
    """The package's modules that ``path`` imports when it is loaded (``if TYPE_CHECKING``
    blocks included: a cycle hidden there is still a cycle of the design)."""
    names: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.If | ast.Try):
            for block in ("body", "orelse", "handlers", "finalbody"):
                for child in getattr(node, block, []):
                    pending.extend(child.body if isinstance(child, ast.ExceptHandler)
                                   else [child])
    return {name for name in names if name in MODULES}


def cycles() -> list[list[str]]:
    graph = {name: module_level_imports(path) - {name} for name, path in MODULES.items()}
    found: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                found.append([*path[path.index(target):], target])
            elif target not in state:
                visit(target)
        path.pop()
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name)
    return found


def test_the_graph_sees_imports() -> None:
    """The check can fail: the app imports its screens, a screen imports the registry."""
    assert "cyclades_tui.ui.screens.home" in module_level_imports(
        MODULES["cyclades_tui.ui.app"])
    assert "cyclades_tui.ui.actions" in module_level_imports(
        MODULES["cyclades_tui.ui.screens.home"])


def test_no_import_cycle() -> None:
    assert cycles() == []


def test_imports_inside_functions_in_ui_say_why() -> None:
    faults = []
    for path in (PACKAGE / "ui").rglob("*.py"):
        lines = path.read_text(encoding="utf-8").splitlines()
        for node in ast.walk(ast.parse("\n".join(lines))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    # The comment above the import (or above the block of imports it is in).
                    line = inner.lineno - 2
                    while lines[line].strip().startswith(("from ", "import ")):
                        line -= 1
                    if not lines[line].strip().startswith("#"):
                        faults.append(f"{path.relative_to(PACKAGE)}:{inner.lineno}")
    assert faults == []
