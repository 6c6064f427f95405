"""The read-only table of every list: draws only the rows on screen (thousands of rows,
instant filtering).

Textual's DataTable builds an object per cell, which takes half a second for 5,000
candidates; this widget keeps plain tuples of strings and renders the visible lines only.
Every list of the application is one (candidates, documents, slips, a CSV preview…): one
set of keys, one way to read the row under the cursor (``cursor``, ``rows``).
Cells are drawn as plain text segments, never parsed as markup. A column is shown whole or
not at all: one that does not fit in the visible width is left blank (← → bring it in),
never cut mid-value; a text longer than its column ends with « … ».
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from cyclades_tui.domain.safe_text import safe_text


class VirtualTable(ScrollView, can_focus=True):
    """Columns of fixed width, a sticky header line, a row cursor moved by the keyboard."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # First: a screen's own Entrée (a priority binding) keeps its place, first in the
        # footer, as with Textual's DataTable.
        Binding("enter", "select", "Choisir", show=False),
        Binding("up", "cursor(-1)", "Haut", show=False),
        Binding("down", "cursor(1)", "Bas", show=False),
        Binding("pageup", "page(-1)", "Page haut", show=False),
        Binding("pagedown", "page(1)", "Page bas", show=False),
        Binding("home", "jump(0)", "Début", show=False),
        Binding("end", "jump(-1)", "Fin", show=False),
        Binding("ctrl+home", "jump(0)", "Début", show=False),
        Binding("ctrl+end", "jump(-1)", "Fin", show=False),
        Binding("left", "scroll_left", "Gauche", show=False),
        Binding("right", "scroll_right", "Droite", show=False),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "virtual-table--header",
        "virtual-table--cursor",
        "virtual-table--cursor-blurred",
        "virtual-table--even",
    }
    # Its own look, next to it (Textual's convention for a reusable widget); the screens'
    # layout stays in styles/.
    DEFAULT_CSS = """
    VirtualTable {
        height: 1fr;
        margin: 0 1;
        background: $surface;
        /* No horizontal bar (→ still scrolls): redrawn with every filter keystroke, it cost
           2 KB on the wire each time. */
        scrollbar-size-horizontal: 0;
    }
    VirtualTable > .virtual-table--header {
        text-style: bold;
        color: $primary;
        background: $panel;
    }
    VirtualTable > .virtual-table--even {
        background: $boost;
    }
    VirtualTable > .virtual-table--cursor {
        background: $accent;
        color: $text;
    }
    VirtualTable > .virtual-table--cursor-blurred {
        background: $block-cursor-blurred-background;
        color: $block-cursor-blurred-foreground;
    }
    """

    cursor = reactive(0)

    class Selected(Message):
        """Entrée on a row: ``index`` is the cursor's row in ``rows``."""

        def __init__(self, table: VirtualTable, index: int) -> None:
            super().__init__()
            self.table = table
            self.index = index

        @property
        def control(self) -> VirtualTable:
            """The table the row was chosen in (for ``@on(..., "#id")``)."""
            return self.table

    def __init__(
        self,
        columns: Sequence[tuple[str, int]],
        *,
        id: str | None = None,
        flexible: Sequence[int] = (),
        zebra: bool = True,
        blurred_cursor: bool = False,
    ) -> None:
        super().__init__(id=id)
        self.base_columns = list(columns)
        self.columns = list(columns)
        # Indexes of the columns that share the room a wider terminal gives.
        self.flexible = list(flexible)
        # Every other row shaded (long lists); a short list of choices stays plain.
        self.zebra = zebra
        # The cursor row stays marked while the focus is elsewhere: a search field whose
        # Entrée acts on that row (otherwise only the focused list shows its cursor).
        self.blurred_cursor = blurred_cursor
        self.rows: list[tuple[str, ...]] = []
        self._row_width = sum(width + 2 for _, width in self.columns)

    def set_columns(self, columns: Sequence[tuple[str, int]]) -> None:
        """Replace the columns (a list whose columns depend on its rows or on the width)."""
        self.base_columns = list(columns)
        self.columns = list(columns)
        self._row_width = sum(width + 2 for _, width in self.columns)
        self.virtual_size = Size(self._row_width, len(self.rows) + 1)
        self.refresh()

    def _room(self) -> int:
        """The width the rows are drawn in (without the vertical scrollbar)."""
        return self.scrollable_content_region.width or self.size.width

    def on_resize(self) -> None:
        """Wider than the columns: widen the flexible ones (long names stop being cut)."""
        base = sum(width + 2 for _, width in self.base_columns)
        extra = max(0, self._room() - base)
        columns = list(self.base_columns)
        if extra and self.flexible:
            share, rest = divmod(extra, len(self.flexible))
            for n, index in enumerate(self.flexible):
                title, width = columns[index]
                columns[index] = (title, width + share + (1 if n < rest else 0))
        if columns != self.columns:
            self.columns = columns
            self._row_width = sum(width + 2 for _, width in columns)
            self.virtual_size = Size(self._row_width, len(self.rows) + 1)
            self.refresh()

    @property
    def row_count(self) -> int:
        """Number of rows shown (after any filtering done by the owner)."""
        return len(self.rows)

    def set_rows(self, rows: list[tuple[str, ...]]) -> None:
        """Replace the rows; only the visible lines will be drawn."""
        self.rows = rows
        self.virtual_size = Size(self._row_width, len(rows) + 1)
        self.cursor = min(self.cursor, max(0, len(rows) - 1))
        self.scroll_to(y=0, animate=False)
        self.refresh()

    def _line(self, cells: Sequence[str], style_name: str | None) -> Strip:
        scroll_x = int(self.scroll_offset.x)
        room = self._room()
        parts = []
        start = 0
        for cell, (_, width) in zip(cells, self.columns, strict=False):
            # Whole or not at all: a column reaching past either edge is left blank.
            whole = start >= scroll_x and start + width + 2 <= scroll_x + room
            parts.append(" " + (_fit(cell, width) if whole else " " * width) + " ")
            start += width + 2
        text = "".join(parts)
        style = self.get_component_rich_style(style_name) if style_name else self.rich_style
        width = self.size.width
        strip = Strip([Segment(text, style)], cell_len(text))
        return strip.crop(scroll_x, scroll_x + width).extend_cell_length(width, style)

    def render_line(self, y: int) -> Strip:
        """The header on the first line, then the rows under the scroll position."""
        if y == 0:
            return self._line([name for name, _ in self.columns], "virtual-table--header")
        index = int(self.scroll_offset.y) + y - 1
        if index >= len(self.rows):
            return Strip.blank(self.size.width, self.rich_style)
        style: str | None = None
        if index == self.cursor and self.has_focus:
            style = "virtual-table--cursor"
        elif index == self.cursor and self.blurred_cursor:
            style = "virtual-table--cursor-blurred"
        elif index % 2 and self.zebra:
            style = "virtual-table--even"
        return self._line(self.rows[index], style)

    def watch_cursor(self) -> None:
        """Keep the cursor row on screen."""
        visible = max(1, self.size.height - 1)
        top = int(self.scroll_offset.y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + visible:
            self.scroll_to(y=self.cursor - visible + 1, animate=False)
        self.refresh()

    def action_cursor(self, step: int) -> None:
        """Move the cursor by ``step`` rows."""
        if self.rows:
            self.cursor = max(0, min(len(self.rows) - 1, self.cursor + step))

    def action_select(self) -> None:
        """Entrée: tell the screen which row is chosen (nothing on an empty list)."""
        if self.rows:
            self.post_message(self.Selected(self, self.cursor))

    def action_page(self, direction: int) -> None:
        """Move the cursor by one screenful."""
        self.action_cursor(direction * max(1, self.size.height - 2))

    def action_jump(self, index: int) -> None:
        """Go to the first (0) or last (-1) row."""
        if self.rows:
            self.cursor = index % len(self.rows)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()


def widest(titles: Sequence[str], rows: Sequence[Sequence[str]]) -> list[tuple[str, int]]:
    """Columns as wide as their longest cell or title (a list sized by what it holds)."""
    return [
        (title, max([cell_len(safe_text(title)), *(cell_len(safe_text(row[n])) for row in rows)]))
        for n, title in enumerate(titles)
    ]


def _fit(cell: str, width: int) -> str:
    """The cell in ``width`` columns; a longer text ends with « … » (never silently cut).

    safe_text: a control character in the data shows as « \x1b », never sent.
    """
    text = safe_text(cell)
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…"
    return set_cell_size(text, width)
