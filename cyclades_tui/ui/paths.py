"""Where the Textual stylesheets are: the checkout's styles/ or the wheel's cyclades_tui/styles."""

from __future__ import annotations

from pathlib import Path

import cyclades_tui


def styles_dir() -> Path:
    """The folder holding the .tcss files, from a checkout or from an installed wheel."""
    package = Path(cyclades_tui.__file__).resolve().parent
    for candidate in (package.parent / "styles", package / "styles"):
        if (candidate / "app.tcss").is_file():
            return candidate
    raise FileNotFoundError("feuilles de style introuvables (styles/app.tcss)")


def stylesheets() -> list[Path]:
    """Every stylesheet of the app, in a stable order."""
    return sorted(styles_dir().glob("*.tcss"))
