"""Small modal dialogs: a yes/no confirmation, a file path, a printer choice."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from cyclades_tui.ui.actions import bindings
from cyclades_tui.ui.text import literal
from cyclades_tui.ui.widgets.french_text import FrenchText

# The dialogs' own look, next to them (Textual's convention for reusable widgets).
DIALOG_CSS = """
    {name} {{
        align: center middle;
    }}
    {name} .dialog {{
        width: 70;
        max-width: 95%;
        height: auto;
        padding: 1 2;
        border: thick $warning;
        background: $surface;
    }}
    {name} .question {{
        margin-bottom: 1;
    }}
"""


class ConfirmModal(ModalScreen[bool]):
    """Ask a yes/no question; dismisses with True only on an explicit « Confirmer »."""

    DEFAULT_CSS = DIALOG_CSS.format(name="ConfirmModal")
    BINDINGS = bindings("cancel", "confirm")

    def __init__(self, question: str, confirm_label: str = "Confirmer") -> None:
        super().__init__()
        self.question = question
        self.confirm_label = confirm_label

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield FrenchText(self.question, classes="question")
            with Horizontal(classes="buttons"):
                yield Button(self.confirm_label, id="yes", variant="warning")
                yield Button("Annuler", id="no")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed, "#yes")
    def action_confirm(self) -> None:
        """Confirm."""
        self.dismiss(True)

    @on(Button.Pressed, "#no")
    def action_cancel(self) -> None:
        """Cancel."""
        self.dismiss(False)


class PathModal(ModalScreen[str | None]):
    """Ask for a file path, pre-filled with a sensible default."""

    DEFAULT_CSS = DIALOG_CSS.format(name="PathModal")
    BINDINGS = bindings("cancel")

    def __init__(self, title: str, default: str) -> None:
        super().__init__()
        self.title_text = title
        self.default = default

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(literal(self.title_text), classes="question")
            yield Static("Fichier ou dossier (un dossier reçoit un nom automatique) :")
            yield Input(value=self.default, id="path")
            with Horizontal(classes="buttons"):
                yield Button("Enregistrer", id="save", variant="primary")
                yield Button("Annuler", id="no")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#path", Input).cursor_blink = bool(
            getattr(self.app, "cursor_blink", False))
        self.query_one("#path", Input).focus()

    @on(Input.Submitted, "#path")
    @on(Button.Pressed, "#save")
    def save(self) -> None:
        """Return the typed path."""
        value = self.query_one("#path", Input).value.strip()
        if value:
            self.dismiss(value)

    @on(Button.Pressed, "#no")
    def action_cancel(self) -> None:
        """Return nothing."""
        self.dismiss(None)


class PrinterModal(ModalScreen[str | None]):
    """Choose a printer among those CUPS knows (the default one first)."""

    DEFAULT_CSS = DIALOG_CSS.format(name="PrinterModal")
    BINDINGS = bindings("cancel")

    def __init__(self, printers: list[str], default: str | None) -> None:
        super().__init__()
        self.printers = printers
        self.default = default

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Imprimer sur :", classes="question")
            yield OptionList(
                *[Option(literal(name + (" (par défaut)" if name == self.default else "")),
                         id=name) for name in self.printers],
                id="printers",
            )
        yield Footer()

    def on_mount(self) -> None:
        printers = self.query_one("#printers", OptionList)
        if self.default in self.printers:
            printers.highlighted = self.printers.index(self.default)
        printers.focus()

    @on(OptionList.OptionSelected, "#printers")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        """Return the chosen printer."""
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        """Return nothing."""
        self.dismiss(None)
