"""A paragraph wrapped the French way: never a guillemet or a lone « ? » on a line of its own.

Textual and Rich both break lines at any Unicode space, the non-breaking one included; this
widget wraps its text itself with :mod:`textwrap`, which breaks at ASCII spaces only, after
:func:`french_spacing` has tied « », ? ! : ; to their words.
"""

from __future__ import annotations

import textwrap

from rich.console import RenderableType
from textual.geometry import Size
from textual.widgets import Static

from cyclades_tui.ui.text import french_spacing, literal


def french_wrap(text: str, width: int) -> str:
    """``text`` wrapped at ``width`` columns, breaking at ordinary spaces only."""
    tied = french_spacing(text)
    return "\n".join(
        textwrap.fill(paragraph, max(10, width), break_on_hyphens=False) or ""
        for paragraph in tied.split("\n")
    )


class FrenchText(Static):
    """A Static whose text wraps without separating guillemets and ? from their words."""

    def __init__(self, text: str, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.text = text

    def set_text(self, text: str) -> None:
        """Show ``text`` instead, re-wrapped (a message line grows or shrinks with it)."""
        self.text = text
        self.refresh(layout=True)

    def render(self) -> RenderableType:
        """The text wrapped at the width the widget has."""
        return literal(french_wrap(self.text, self.content_region.width or 60))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """As many lines as the wrapped text."""
        return french_wrap(self.text, width).count("\n") + 1
