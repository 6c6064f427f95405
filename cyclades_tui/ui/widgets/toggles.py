"""Check boxes and radio buttons whose mark shows only when ticked.

Textual draws the same mark (X, ●) ticked or not and tells them apart by colour alone,
which a 16-colour console, a screen reader or a tired eye loses.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.strip import Strip
from textual.widgets import Checkbox, RadioButton, SelectionList

# Not exported by textual.widgets: the base of Checkbox and RadioButton (textual<9, pinned).
from textual.widgets._toggle_button import ToggleButton
from textual.widgets.option_list import OptionDoesNotExist


class MarkedToggle(ToggleButton):
    """A toggle whose ``MARK`` shows when it is on, a blank when it is off.

    It comes second in a subclass's bases: Textual's CSS and queries follow the first base
    only, which must stay Checkbox or RadioButton (a RadioSet finds its buttons so).
    """

    MARK = "X"

    def watch_value(self) -> None:
        """Draw the mark of the new state (then Textual's own handling)."""
        self._mark()
        super().watch_value()

    def _mark(self) -> None:
        self.BUTTON_INNER = self.MARK if self.value else " "
        self.refresh()

    def on_mount(self) -> None:
        self._mark()


class MarkedCheckbox(Checkbox, MarkedToggle):
    """A check box showing X when ticked and a blank when not."""

    MARK = "X"
    BUTTON_INNER = " "


class MarkedRadioButton(RadioButton, MarkedToggle):
    """A radio button showing ● when chosen and a blank when not."""

    MARK = "●"
    BUTTON_INNER = " "


class MarkedSelectionList(SelectionList[str]):
    """A list of choices whose box shows X when ticked and a blank when not.

    Its first row is highlighted when it gets the focus: otherwise the first Space after
    Tab ticked nothing (no row was highlighted), and a hurried user believed it ticked.
    """

    def on_focus(self) -> None:
        """Highlight the first row when none is."""
        if self.highlighted is None and self.option_count:
            self.highlighted = 0

    def render_line(self, y: int) -> Strip:
        """Textual's line, its box's mark replaced by the choice's state."""
        line = super().render_line(y)
        segments = list(line)
        try:
            option = self.get_option_at_index(self.scroll_offset.y + y)
        except OptionDoesNotExist:
            return line
        # Textual draws [left side, mark, right side, space, prompt…].
        if len(segments) < 4:
            return line
        mark = "X" if option.value in self.selected else " "
        segments[1] = Segment(mark, segments[1].style)
        return Strip(segments, line.cell_length)
