"""« Mon établissement »: the menu of activities."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from cyclades_tui.ui.activities import ACTIVITIES
from cyclades_tui.ui.screens.base import ActivityScreen
from cyclades_tui.ui.text import literal

# Activity key -> shortcut shown in the menu and the footer.
# « Importer HORS BEE » has no letter: the footer must fit 80 columns, and the import is
# also offered by « Mes candidats » (ctrl+n) and the command palette.
SHORTCUTS = {"generate": "g", "regenerate": "r", "documents": "d", "candidates": "c"}
# Footer labels: the menu shows the full CYCLADES wording, the footer must fit 80 columns.
SHORT_LABELS = {"generate": "Générer", "regenerate": "Regénérer", "documents": "Documents",
                "candidates": "Candidats"}


class HomeScreen(ActivityScreen):
    """The « Mon établissement » menu."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *[Binding(SHORTCUTS[key], f"open('{key}')", SHORT_LABELS[key], id=key, tooltip=help_text)
          for key, (_, help_text) in ACTIVITIES.items() if key in SHORTCUTS],
        Binding("escape", "back", "Retour", id="back", show=False,
                tooltip="Revenir au choix de l'établissement (gestionnaire)"),
        Binding("ctrl+d", "logout", "Déconnexion", id="logout",
                tooltip="Se déconnecter (demande confirmation)"),
    ]

    def compose(self) -> ComposeResult:
        yield from self.compose_banner()
        yield Static("Mon établissement", classes="heading")
        yield OptionList(
            *[Option(literal(f"[{SHORTCUTS[key]}] {label}" if key in SHORTCUTS
                             else f"    {label}"), id=key)
              for key, (label, _) in ACTIVITIES.items()],
            id="menu",
        )
        yield Static("Flèches et Entrée pour choisir, ou la lettre de l'activité ; "
                     "ctrl+p : toutes les commandes.", classes="hint")
        yield Static("", id="message")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.query_one("#menu", OptionList).focus()

    @on(OptionList.OptionSelected, "#menu")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        """Enter on a menu line opens that activity."""
        if event.option.id:
            self.cyc.open_activity(event.option.id)

    def action_open(self, key: str) -> None:
        """Shortcut key of an activity."""
        self.cyc.open_activity(key)

    def action_back(self) -> None:
        """« Retour »: an exam manager goes back to the choice of school; school staff stay
        here (the screen below is the login screen: Échap never logs out)."""
        from cyclades_tui.ui.screens.schools import SchoolPickerScreen

        if self.close_panels():
            return
        below = self.app.screen_stack[-2] if len(self.app.screen_stack) > 1 else None
        if isinstance(below, SchoolPickerScreen):
            self.cyc.session = None
            self.app.pop_screen()
            return
        self.show_info("Vous êtes sur le menu. Pour vous déconnecter : ctrl+d.")
