"""The architecture holds: `lint-imports` keeps the contracts of pyproject.toml (layers, only ui
imports Textual, ui never imports store, no cycle), and each kind of contract can fail."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(where: Path) -> subprocess.CompletedProcess[str]:
    """Run `lint-imports` in ``where`` with its pyproject.toml (the cwd goes first on the path,
    so the package found there is the one checked)."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", "pyproject.toml", "--no-cache"],
        cwd=where,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_package_keeps_its_contracts() -> None:
    done = lint_imports(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "4 kept, 0 broken" in done.stdout


# (module written into, line added, contract that must break)
FAULTS = [
    ("domain/names.py", "import textual", "Seul ui importe Textual"),
    ("store/models.py", "from cyclades_tui.services import audit", "Couches"),
    ("ui/text.py", "from cyclades_tui.store import models", "ui ne touche jamais store"),
    ("domain/login.py", "from cyclades_tui.pdf import slips", "Couches"),
    ("services/audit.py", "from cyclades_tui.services import schools", "Aucun cycle"),
]


@pytest.mark.parametrize(("module", "line", "contract"), FAULTS)
def test_a_forbidden_import_breaks_a_contract(
    tmp_path: Path, module: str, line: str, contract: str
) -> None:
    shutil.copytree(
        ROOT / "cyclades_tui",
        tmp_path / "cyclades_tui",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "cyclades_tui" / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
    done = lint_imports(tmp_path)
    assert done.returncode != 0
    broken = done.stdout.split("Broken contracts", 1)[1]
    assert contract in broken
    assert f"cyclades_tui.{module.split('/')[0]}" in broken


def test_services_and_cli_run_without_loading_textual() -> None:
    """At run time too: the CLI loads ui (hence Textual) only to start the TUI."""
    code = (
        "import sys, cyclades_tui.cli, cyclades_tui.services.accounts, "
        "cyclades_tui.services.account_generation, cyclades_tui.services.account_regeneration, "
        "cyclades_tui.services.documents; "
        "print(any(m == 'textual' or m.startswith('textual.') for m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout.strip() == "False"
