"""Architecture rules: only ui/ imports Textual; each layer imports only the layers below it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "cyclades_tui"
# What each layer may import from the package (itself included).
ALLOWED = {
    "store": {"store"},
    "domain": {"domain"},
    "pdf": {"pdf", "domain"},  # the print order compares names through domain.names.fold
    "services": {"services", "domain", "pdf", "store", "settings"},
    "ui": {"ui", "services", "domain", "store", "settings"},
}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_nothing_outside_ui_imports_textual() -> None:
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if "ui" not in path.relative_to(PACKAGE).parts[:1]
        and any(n == "textual" or n.startswith("textual.") for n in imports_of(path))
    ]
    assert offenders == []


def test_layers_import_only_what_is_below() -> None:
    faults = []
    for layer, allowed in ALLOWED.items():
        for path in (PACKAGE / layer).rglob("*.py"):
            for name in imports_of(path):
                if name.startswith("cyclades_tui."):
                    target = name.split(".")[1]
                    if target not in allowed:
                        faults.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert faults == []


def test_services_and_cli_run_without_loading_textual() -> None:
    code = ("import sys, cyclades_tui.cli, cyclades_tui.services.accounts, "
            "cyclades_tui.services.documents; "
            "print(any(m == 'textual' or m.startswith('textual.') for m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, cwd=PACKAGE.parent)
    assert done.stdout.strip() == "False"
