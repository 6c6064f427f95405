"""The slips of one document as text, passwords hidden until a key reveals them."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from cyclades_tui.services.documents import DocumentSummary, SlipPreview
from cyclades_tui.ui.actions import ACTIONS, bindings
from cyclades_tui.ui.context import ScreenContext
from cyclades_tui.ui.screens.base import ActivityScreen
from cyclades_tui.ui.text import literal
from cyclades_tui.ui.widgets.french_text import FrenchText
from cyclades_tui.ui.widgets.virtual_table import VirtualTable, widest

HIDDEN = "••••••••••"
TITLES = ("Identifiant", "Mot de passe", "Validité", "Élève", "Classe", "INE")


class PreviewScreen(ActivityScreen):
    """Logins and passwords of a document; « remplacé » marks slips no longer valid."""

    BINDINGS = bindings("toggle-passwords", "close")

    def __init__(
        self, ctx: ScreenContext, document: DocumentSummary, slips: list[SlipPreview]
    ) -> None:
        super().__init__(ctx)
        self.document = document
        self.slips = slips
        self.revealed = False

    def compose(self) -> ComposeResult:
        yield from self.compose_banner()
        yield Static(
            literal(
                f"{self.document.title} — document n° {self.document.id}, "
                f"{len(self.slips)} papillon(s)"
            ),
            classes="heading",
        )
        yield VirtualTable(widest(TITLES, []), id="slips")
        yield FrenchText(
            f"« {ACTIONS['toggle-passwords'].key} » affiche ou masque les mots de passe.",
            id="message",
        )
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self._fill()
        self.query_one("#slips", VirtualTable).focus()

    def _fill(self) -> None:
        """The slips' rows, passwords shown or hidden; the cursor back on the first."""
        rows: list[tuple[str, ...]] = [
            (
                slip.login,
                slip.password if self.revealed else HIDDEN,
                "valide" if slip.current else "remplacé",
                slip.name,
                slip.division,
                slip.ine,
            )
            for slip in self.slips
        ]
        table = self.query_one("#slips", VirtualTable)
        # Sized on the hidden passwords too: revealing them does not move the columns.
        table.set_columns(widest(TITLES, [*rows, ("", HIDDEN, "", "", "", "")]))
        table.cursor = 0
        table.set_rows(rows)

    def action_toggle_passwords(self) -> None:
        """Reveal or hide the passwords."""
        self.revealed = not self.revealed
        self._fill()

    def action_close(self) -> None:
        """Close the preview; the passwords leave the screen with it."""
        self.forget_passwords()
        self.app.pop_screen()

    def forget_passwords(self) -> None:
        """Drop every plain password this screen holds: its slips and the table's cells."""
        self.revealed = False
        self.slips = []
        for table in self.query("#slips").results(VirtualTable):
            table.set_rows([])

    def on_unmount(self) -> None:
        """However the screen goes (Escape, idle logout, another activity), forget them."""
        self.revealed = False
        self.slips = []
