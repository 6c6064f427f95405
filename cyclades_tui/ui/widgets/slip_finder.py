"""« Le papillon d'un élève »: find one pupil's slip in a document (name, INE or class)."""

from __future__ import annotations

from typing import Literal

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.events import Key
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Input, Static

from cyclades_tui.domain.names import fold
from cyclades_tui.services.documents import DocumentSummary, SlipPreview
from cyclades_tui.ui.actions import ACTIONS, bindings, key_name
from cyclades_tui.ui.text import literal
from cyclades_tui.ui.widgets.modals import DIALOG_CSS

SlipChoice = tuple[Literal["preview", "print", "save"], SlipPreview]


def letter_to_field(event: Key, field: Input, focused: object) -> None:
    """A printable key pressed outside ``field`` is typed into it (letters are text in a
    list: they filter, never act)."""
    if focused is not field and event.is_printable and event.character:
        field.focus()
        field.insert_text_at_cursor(event.character)
        event.stop()
        event.prevent_default()


class SlipFinderModal(ModalScreen[SlipChoice | None]):
    """The pupils of a document (name, class, INE; never a password), filtered as one types;
    the chosen pupil's slip alone is viewed, printed or saved by the caller."""

    DEFAULT_CSS = (
        DIALOG_CSS.format(name="SlipFinderModal")
        + """
    SlipFinderModal .dialog {
        width: 90;
    }
    SlipFinderModal DataTable {
        height: auto;
        max-height: 10;  /* at 80x24; on_resize gives it the height a taller terminal has */
    }
    SlipFinderModal .keys {
        color: $text-muted;
    }
    """
    )
    BINDINGS = bindings("cancel", "one-preview", "print", "save")

    # Rows of the dialog around the table: border, padding, question, search, count, keys.
    AROUND_TABLE = 14

    def __init__(
        self, document: DocumentSummary, slips: list[SlipPreview], search: str = ""
    ) -> None:
        super().__init__()
        self.document = document
        self.slips = slips
        self.search = search
        self.shown: list[SlipPreview] = []

    def compose(self) -> ComposeResult:
        keys = " · ".join(
            f"{key_name(ACTIONS[a].key).strip('`')} : {text}"
            for a, text in (
                ("one-preview", "voir"),
                ("print", "imprimer"),
                ("save", "enregistrer"),
                ("cancel", "fermer"),
            )
        )
        with Vertical(classes="dialog"):
            yield Static(
                literal(
                    f"Le papillon d'un élève — {self.document.title} "
                    f"(document n° {self.document.id}, {self.document.slips} "
                    "papillon(s)) : ce papillon seul, sur une page."
                ),
                classes="question",
            )
            yield Input(
                self.search,
                id="slip-search",
                placeholder="Nom, INE ou classe",
                compact=True,
                select_on_focus=False,
            )  # a letter typed in the list lands here
            table: DataTable[object] = DataTable(id="slip-matches", cursor_type="row")
            yield table
            yield Static("", id="slip-count")
            yield Static(literal(keys), classes="keys")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#slip-matches", DataTable)
        table.add_column("Élève", key="name")
        table.add_column("Classe", key="division")
        table.add_column("INE", key="ine")
        self._fill(self.search)
        self.query_one("#slip-search", Input).focus()

    def on_resize(self) -> None:
        """The list takes the height the terminal has (10 rows at 80x24)."""
        table = self.query_one("#slip-matches", DataTable)
        table.styles.max_height = max(10, self.size.height - self.AROUND_TABLE)

    def _fill(self, search: str) -> None:
        words = [fold(word) for word in search.split()]
        self.shown = [
            s for s in self.slips if all(w in fold(f"{s.name} {s.ine} {s.division}") for w in words)
        ]
        table = self.query_one("#slip-matches", DataTable)
        table.clear()
        for slip in self.shown:
            table.add_row(literal(slip.name), literal(slip.division), literal(slip.ine))
        self.query_one("#slip-count", Static).update(
            f"{len(self.shown)} élève(s) sur {len(self.slips)}"
        )

    @on(Input.Changed, "#slip-search")
    def search_changed(self, event: Input.Changed) -> None:
        """Filter the pupils as their name, INE or class is typed."""
        self._fill(event.value)

    def on_key(self, event: Key) -> None:
        """A letter typed in the list goes to the search: letters are text, never keys."""
        letter_to_field(event, self.query_one("#slip-search", Input), self.focused)

    def _choose(self, what: Literal["preview", "print", "save"]) -> None:
        table = self.query_one("#slip-matches", DataTable)
        if not self.shown:
            self.query_one("#slip-count", Static).update(
                "Aucun élève ne correspond : modifiez la recherche."
            )
            return
        row = table.cursor_row if 0 <= table.cursor_row < len(self.shown) else 0
        self.dismiss((what, self.shown[row]))

    @on(Input.Submitted, "#slip-search")
    @on(DataTable.RowSelected, "#slip-matches")
    def action_one_preview(self) -> None:
        """Entrée: view the highlighted pupil's slip."""
        self._choose("preview")

    def action_print(self) -> None:
        """Print the highlighted pupil's slip (the caller asks first)."""
        self._choose("print")

    def action_save(self) -> None:
        """Save the highlighted pupil's slip."""
        self._choose("save")

    def action_cancel(self) -> None:
        """Close without doing anything."""
        self.dismiss(None)

    def on_unmount(self) -> None:
        """The slips hold passwords: let them go with the dialog."""
        self.slips = []
        self.shown = []
