"""docs/reglages.md is the table generated from the settings' one declaration."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import fields
from pathlib import Path

from cyclades_tui.settings import CHECKS, NAMES, Settings, settings_markdown

DOC = Path(__file__).resolve().parent.parent / "docs" / "reglages.md"


def test_docs_reglages_is_the_generated_table() -> None:
    """Regenerate with: python -m cyclades_tui.settings --markdown > docs/reglages.md"""
    assert DOC.read_text(encoding="utf-8") == settings_markdown()


def test_every_setting_has_one_row_naming_its_key_and_variable() -> None:
    table = settings_markdown()
    for name in NAMES:
        assert f"| `{name}` | `CYCLADES_{name.upper()}` |" in table


def test_each_declaration_carries_its_check_and_french_role() -> None:
    assert set(CHECKS) == {f.name for f in fields(Settings)}
    assert all(f.metadata["role"].strip() for f in fields(Settings))


def test_the_generator_runs_as_a_module() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cyclades_tui.settings", "--markdown"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout == settings_markdown()
