"""The wheel ships every package: pyproject.toml lists them by hand, and a new one (cli/) was
once missing, so the installed `cyclades-tui` failed on its first import."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_of_the_checkout_is_in_the_wheel() -> None:
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "cyclades_tui").rglob("__init__.py")
    }
    assert found - listed == set()
