"""« Le papillon d'un élève »: find one pupil's slip in a document (name, INE or class)."""

from __future__ import annotations

from typing import Literal

from textual import on
from textual.app import ComposeResult
from textual.events import Key
from textual.widgets import Input, Static

from cyclades_tui.services.documents import DocumentSummary, SlipPreview
from cyclades_tui.services.single_slip import matching_slips
from cyclades_tui.ui.actions import ACTIONS, bindings, key_name
from cyclades_tui.ui.text import literal
from cyclades_tui.ui.widgets.modals import DIALOG_CSS, Dialog
from cyclades_tui.ui.widgets.virtual_table import VirtualTable, widest

SlipChoice = tuple[Literal["preview", "print", "save"], SlipPreview]
TITLES = ("Élève", "Classe", "INE")


def letter_to_field(event: Key, field: Input, focused: object) -> None:
    """A printable key pressed outside ``field`` is typed into it (letters are text in a
    list: they filter, never act)."""
    if focused is not field and event.is_printable and event.character:
        field.focus()
        field.insert_text_at_cursor(event.character)
        event.stop()
        event.prevent_default()


class SlipFinderModal(Dialog[SlipChoice]):
    """The pupils of a document (name, class, INE; never a password), filtered as one types;
    the chosen pupil's slip alone is viewed, printed or saved by the caller."""

    DEFAULT_CSS = (
        DIALOG_CSS.format(name="SlipFinderModal")
        + """
    SlipFinderModal .dialog {
        width: 90;
    }
    SlipFinderModal VirtualTable {
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
        super().__init__(
            f"Le papillon d'un élève — {document.title} (document n° {document.id}, "
            f"{document.slips} papillon(s)) : ce papillon seul, sur une page."
        )
        self.document = document
        self.slips = slips
        self.search = search
        self.shown: list[SlipPreview] = []

    def compose_body(self) -> ComposeResult:
        """The search, the matching pupils, their count and the keys."""
        keys = " · ".join(
            f"{key_name(ACTIONS[a].key).strip('`')} : {text}"
            for a, text in (
                ("one-preview", "voir"),
                ("print", "imprimer"),
                ("save", "enregistrer"),
                ("cancel", "fermer"),
            )
        )
        yield Input(
            self.search,
            id="slip-search",
            placeholder="Nom, INE ou classe",
            compact=True,
            select_on_focus=False,
        )  # a letter typed in the list lands here
        # Entrée in the search picks the marked row: it shows, though unfocused.
        yield VirtualTable(widest(TITLES, []), id="slip-matches", zebra=False, blurred_cursor=True)
        yield Static("", id="slip-count")
        yield Static(literal(keys), classes="keys")

    def on_mount(self) -> None:
        self._fill(self.search)
        self.query_one("#slip-search", Input).focus()

    def on_resize(self) -> None:
        """The list takes the height the terminal has (10 rows at 80x24)."""
        table = self.query_one("#slip-matches", VirtualTable)
        table.styles.max_height = max(10, self.size.height - self.AROUND_TABLE)

    def _fill(self, search: str) -> None:
        self.shown = matching_slips(self.slips, search)
        table = self.query_one("#slip-matches", VirtualTable)
        # Sized on every pupil of the document: the columns stay put as one types.
        table.set_columns(widest(TITLES, [_row(slip) for slip in self.slips]))
        table.cursor = 0  # a new search starts on its first match
        table.set_rows([_row(slip) for slip in self.shown])
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
        table = self.query_one("#slip-matches", VirtualTable)
        if not self.shown:
            self.query_one("#slip-count", Static).update(
                "Aucun élève ne correspond : modifiez la recherche."
            )
            return
        row = table.cursor if 0 <= table.cursor < len(self.shown) else 0
        self.dismiss((what, self.shown[row]))

    @on(Input.Submitted, "#slip-search")
    @on(VirtualTable.Selected, "#slip-matches")
    def action_one_preview(self) -> None:
        """Entrée: view the highlighted pupil's slip."""
        self._choose("preview")

    def action_print(self) -> None:
        """Print the highlighted pupil's slip (the caller asks first)."""
        self._choose("print")

    def action_save(self) -> None:
        """Save the highlighted pupil's slip."""
        self._choose("save")

    def on_unmount(self) -> None:
        """The slips hold passwords: let them go with the dialog."""
        self.slips = []
        self.shown = []


def _row(slip: SlipPreview) -> tuple[str, str, str]:
    """A pupil's line in the list (never the password)."""
    return (slip.name, slip.division, slip.ine)
