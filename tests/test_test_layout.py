"""The tests' own layout: shared code lives in helper modules and conftest.py, so a test
module never imports from another test module (nor from conftest, which holds fixtures)."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def imported_test_modules(path: Path) -> set[str]:
    """Modules ``tests.test_*`` and ``tests.conftest`` that ``path`` imports, at any depth."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            last = name.split(".")[-1]
            if name.startswith("tests.") and (last.startswith("test_") or last == "conftest"):
                found.add(name)
    return found


def test_no_test_module_imports_another() -> None:
    offenders = {
        str(path.relative_to(TESTS)): sorted(imported_test_modules(path))
        for path in sorted(TESTS.rglob("*.py"))
        if imported_test_modules(path)
    }
    assert offenders == {}


def test_the_check_sees_such_an_import(tmp_path: Path) -> None:
    sample = tmp_path / "test_sample.py"
    sample.write_text("from tests.test_ui import SIZE\n\ndef f():\n    import tests.conftest\n")
    assert imported_test_modules(sample) == {"tests.test_ui", "tests.conftest"}
