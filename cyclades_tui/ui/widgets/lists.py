"""An option list that answers the first Entrée: a row is highlighted as soon as it has the
focus, Entrée on an empty list says so (its screen tells the user what to do), and the
highlight stops at either end (Down×5 then Entrée is the 6th row, however often it is
pressed: a list that wraps makes counted keys land elsewhere)."""

from __future__ import annotations

from textual.message import Message
from textual.widgets import OptionList


class PickList(OptionList):
    """An OptionList whose first row is highlighted on focus (Entrée then picks it)."""

    class NothingChosen(Message):
        """Entrée was pressed with no row to pick (the list is empty)."""

    def on_focus(self) -> None:
        """Highlight the first row when none is."""
        if self.highlighted is None and self.option_count:
            self.highlighted = 0

    def action_cursor_down(self) -> None:
        """Next row; on the last one, stay there (no wrap)."""
        self._move(1)

    def action_cursor_up(self) -> None:
        """Previous row; on the first one, stay there (no wrap)."""
        self._move(-1)

    def _move(self, direction: int) -> None:
        if self.highlighted is None:
            self.on_focus()
            return
        # No row of these lists is ever disabled: the neighbour is the next row.
        target = self.highlighted + direction
        if 0 <= target < self.option_count:
            self.highlighted = target

    def action_select(self) -> None:
        """Pick the highlighted row; with none, tell the screen."""
        if self.highlighted is None:
            self.post_message(self.NothingChosen())
            return
        super().action_select()
