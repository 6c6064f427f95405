"""An option list that answers the first Entrée: a row is highlighted as soon as it has the
focus, and Entrée on an empty list says so (its screen tells the user what to do)."""

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

    def action_select(self) -> None:
        """Pick the highlighted row; with none, tell the screen."""
        if self.highlighted is None:
            self.post_message(self.NothingChosen())
            return
        super().action_select()
