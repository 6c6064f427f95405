"""Reusable widgets carry their own CSS (DEFAULT_CSS); styles/ holds the screens' layout."""

from __future__ import annotations

import re
from pathlib import Path

from cyclades_tui.ui.widgets.modals import ConfirmModal, PathModal, PrinterModal
from cyclades_tui.ui.widgets.virtual_table import VirtualTable

STYLES = Path(__file__).resolve().parents[1] / "styles"
WIDGETS = (ConfirmModal, PathModal, PrinterModal, VirtualTable)


def test_reusable_widgets_style_themselves() -> None:
    sheets = "\n".join(path.read_text(encoding="utf-8") for path in STYLES.glob("*.tcss"))
    rules = re.sub(r"/\*.*?\*/", "", sheets, flags=re.S)  # comments may name them
    for widget in WIDGETS:
        assert widget.__name__ in widget.DEFAULT_CSS
        assert not re.search(rf"\b{widget.__name__}\b", rules), widget.__name__
