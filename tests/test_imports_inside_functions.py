"""Imports at module level, unless a comment says why one waits for first use (the layers and
the absence of cycles are import-linter's contracts: tests/test_import_contracts.py)."""

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
        lines = path.read_text(encoding="utf-8").splitlines()
        for lineno, source in function_imports(path):
            if not has_reason(lines, lineno):
                faults.append(f"{path.relative_to(PACKAGE)}:{lineno} {source}")
    assert faults == []


def test_the_reason_check_can_fail(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "def f():\n    import os\n    return os\n\n\ndef g():\n"
        "    # needed late: start-up speed\n    import sys\n    return sys\n"
    )
    lines = sample.read_text().splitlines()
    verdicts = [has_reason(lines, n) for n, _ in function_imports(sample)]
    assert verdicts == [False, True]
