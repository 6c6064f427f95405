"""Check boxes and radio buttons whose mark shows only when ticked.

Textual draws the same mark (X, ●) ticked or not and tells them apart by colour alone,
which a 16-colour console, a screen reader or a tired eye loses.
"""

from __future__ import annotations

from textual.widgets import Checkbox, RadioButton


class MarkedCheckbox(Checkbox):
    """A check box showing X when ticked and a blank when not."""

    BUTTON_INNER = " "

    def watch_value(self) -> None:
        """Draw the mark of the new state (then Textual's own handling)."""
        self._mark()
        super().watch_value()

    def _mark(self) -> None:
        self.BUTTON_INNER = "X" if self.value else " "
        self.refresh()

    def on_mount(self) -> None:
        self._mark()


class MarkedRadioButton(RadioButton):
    """A radio button showing ● when chosen and a blank when not."""

    BUTTON_INNER = " "

    def watch_value(self) -> None:
        """Draw the mark of the new state (then Textual's own handling)."""
        self._mark()
        super().watch_value()

    def _mark(self) -> None:
        self.BUTTON_INNER = "●" if self.value else " "
        self.refresh()

    def on_mount(self) -> None:
        self._mark()
