"""Imports outside ui/: at module level, unless a comment says why one waits for first use;
and the services import one another without a cycle."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "cyclades_tui"


def function_imports(path: Path) -> list[tuple[int, str]]:
    """(line, source) of every import statement inside a function of ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for inner in ast.walk(node):
                if isinstance(inner, (ast.Import, ast.ImportFrom)):
                    found.append((inner.lineno, ast.unparse(inner)))
    return found


def has_reason(lines: list[str], lineno: int) -> bool:
    """A comment on the import's line, or in the comment block just above its import block."""
    index = lineno - 1
    if "#" in lines[index]:
        return True
    index -= 1
    while index >= 0 and lines[index].strip().startswith(("import ", "from ")):
        index -= 1  # the first import of a block carries the block's reason
    return index >= 0 and lines[index].strip().startswith("#")


def test_imports_inside_functions_state_their_reason() -> None:
    faults = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.relative_to(PACKAGE).parts[0] == "ui":
            continue  # the ui/ engineer's test covers ui/
        lines = path.read_text(encoding="utf-8").splitlines()
        for lineno, source in function_imports(path):
            if not has_reason(lines, lineno):
                faults.append(f"{path.relative_to(PACKAGE)}:{lineno} {source}")
    assert faults == []


def test_the_reason_check_can_fail(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    import os\n    return os\n\n\ndef g():\n"
                      "    # needed late: start-up speed\n    import sys\n    return sys\n")
    lines = sample.read_text().splitlines()
    verdicts = [has_reason(lines, n) for n, _ in function_imports(sample)]
    assert verdicts == [False, True]


def module_imports(path: Path) -> set[str]:
    """Modules of the package imported at module level (not under TYPE_CHECKING)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module.startswith("cyclades_tui."):
                names.add(node.module)
                # « from cyclades_tui.services import audit » imports the module audit
                names.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names if a.name.startswith("cyclades_tui."))
    return names


def test_services_import_each_other_without_a_cycle() -> None:
    folder = PACKAGE / "services"
    graph = {
        f"cyclades_tui.services.{p.stem}": module_imports(p)
        for p in folder.glob("*.py") if p.stem != "__init__"
    }
    graph = {name: {n for n in targets if n in graph} for name, targets in graph.items()}
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def cycle_from(name: str, path: list[str]) -> list[str] | None:
        state[name] = 1
        for target in sorted(graph[name]):
            if state.get(target) == 1:
                return [*path, name, target]
            if target not in state:
                found = cycle_from(target, [*path, name])
                if found:
                    return found
        state[name] = 2
        return None

    for name in sorted(graph):
        if name not in state:
            assert cycle_from(name, []) is None
    assert "cyclades_tui.services.audit" in graph["cyclades_tui.services.schools"]
