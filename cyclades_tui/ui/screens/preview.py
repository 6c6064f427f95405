"""The slips of one document as text, passwords hidden until a key reveals them."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from cyclades_tui.services.documents import DocumentSummary, SlipPreview
from cyclades_tui.ui.actions import ACTIONS, bindings
from cyclades_tui.ui.context import ScreenContext
from cyclades_tui.ui.screens.base import ActivityScreen
from cyclades_tui.ui.text import literal
from cyclades_tui.ui.widgets.french_text import FrenchText

HIDDEN = "••••••••••"


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
        table: DataTable[object] = DataTable(id="slips", cursor_type="row", zebra_stripes=True)
        yield table
        yield FrenchText(
            f"« {ACTIONS['toggle-passwords'].key} » affiche ou masque les mots de passe.",
            id="message",
        )
        yield from self.compose_footer()

    def on_mount(self) -> None:
        table = self.query_one("#slips", DataTable)
        table.add_column("Identifiant", key="login")
        table.add_column("Mot de passe", key="password")
        table.add_column("Validité", key="current")
        table.add_column("Élève", key="name")
        table.add_column("Classe", key="division")
        table.add_column("INE", key="ine")
        self._fill()
        table.focus()

    def _fill(self) -> None:
        table = self.query_one("#slips", DataTable)
        table.clear()
        for slip in self.slips:
            table.add_row(
                literal(slip.login),
                literal(slip.password if self.revealed else HIDDEN),
                literal("valide" if slip.current else "remplacé"),
                literal(slip.name),
                literal(slip.division),
                literal(slip.ine),
            )

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
        for table in self.query("#slips").results(DataTable):
            table.clear()

    def on_unmount(self) -> None:
        """However the screen goes (Escape, idle logout, another activity), forget them."""
        self.revealed = False
        self.slips = []
