"""Small modal dialogs: a yes/no confirmation, a file path, a printer choice."""

from __future__ import annotations

from typing import TypeVar

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from cyclades_tui.ui.actions import ACTIONS, bindings
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


CANCELLED = "Annulé."

Answer = TypeVar("Answer")


class Dialog(ModalScreen[Answer | None]):
    """What every dialog shares: a framed box, its question first, the footer under it, and
    Échap (« Annuler ») closing it without an answer (``None``)."""

    BINDINGS = bindings("cancel")

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield self.question_widget()
            yield from self.compose_body()
        yield Footer()

    def question_widget(self) -> Widget:
        """The question, as plain text (never markup)."""
        return Static(literal(self.question), classes="question")

    def compose_body(self) -> ComposeResult:
        """What the dialog holds under its question (fields, buttons, a list)."""
        yield from ()

    def action_cancel(self) -> None:
        """Close without an answer."""
        self.dismiss(None)


class ConfirmModal(Dialog[bool]):
    """Ask a yes/no question; dismisses with True only on an explicit confirmation.

    The button Entrée presses is the focused one, and it is the one drawn as chosen (the
    other is plain): nothing looks chosen that Entrée would not do. For an action that
    destroys or prints, « Annuler » is that default (``safe_default``); a key line under
    the buttons says which key does what.
    """

    DEFAULT_CSS = (
        DIALOG_CSS.format(name="ConfirmModal")
        + """
    ConfirmModal .keys {
        margin-top: 1;
        color: $text-muted;
    }
    """
    )
    BINDINGS = bindings("cancel", "confirm")

    def __init__(
        self, question: str, confirm_label: str = "Confirmer", *, safe_default: bool = True
    ) -> None:
        super().__init__(question)
        self.confirm_label = confirm_label
        self.safe_default = safe_default

    def key_line(self) -> str:
        """« Entrée ou Échap : Annuler · ctrl+y : Générer » (what each key does here)."""
        confirm = ACTIONS["confirm"].key
        if self.safe_default:
            return f"Entrée ou Échap : Annuler · {confirm} : {self.confirm_label}"
        return f"Entrée ou {confirm} : {self.confirm_label} · Échap : Annuler"

    def question_widget(self) -> Widget:
        """The question, wrapped the French way (it is often long)."""
        return FrenchText(self.question, classes="question")

    def compose_body(self) -> ComposeResult:
        """The two buttons, then the line saying which key does what."""
        with Horizontal(classes="buttons"):
            yield Button(
                self.confirm_label,
                id="yes",
                variant="default" if self.safe_default else "warning",
            )
            yield Button("Annuler", id="no", variant="primary" if self.safe_default else "default")
        yield Static(literal(self.key_line()), classes="keys")

    def on_mount(self) -> None:
        self.query_one("#no" if self.safe_default else "#yes", Button).focus()

    @on(Button.Pressed, "#yes")
    def action_confirm(self) -> None:
        """Confirm."""
        self.dismiss(True)

    @on(Button.Pressed, "#no")
    def action_cancel(self) -> None:
        """Cancel."""
        self.dismiss(False)


class PathModal(Dialog[str]):
    """Ask for a file path, pre-filled with a sensible default."""

    DEFAULT_CSS = DIALOG_CSS.format(name="PathModal")

    def __init__(self, title: str, default: str) -> None:
        super().__init__(title)
        self.default = default

    def compose_body(self) -> ComposeResult:
        """The path field, then « Enregistrer » and « Annuler »."""
        yield Static("Fichier ou dossier (un dossier reçoit un nom automatique) :")
        yield Input(value=self.default, id="path")
        with Horizontal(classes="buttons"):
            yield Button("Enregistrer", id="save", variant="primary")
            yield Button("Annuler", id="no")

    def on_mount(self) -> None:
        self.query_one("#path", Input).cursor_blink = bool(getattr(self.app, "cursor_blink", False))
        self.query_one("#path", Input).focus()

    @on(Input.Submitted, "#path")
    @on(Button.Pressed, "#save")
    def save(self) -> None:
        """Return the typed path."""
        value = self.query_one("#path", Input).value.strip()
        if value:
            self.dismiss(value)

    @on(Button.Pressed, "#no")
    def no_pressed(self) -> None:
        """« Annuler »: return nothing."""
        self.action_cancel()


class PrinterModal(Dialog[str]):
    """Choose a printer among those CUPS knows (the default one first)."""

    DEFAULT_CSS = DIALOG_CSS.format(name="PrinterModal")

    def __init__(self, printers: list[str], default: str | None) -> None:
        super().__init__("Imprimer sur :")
        self.printers = printers
        self.default = default

    def compose_body(self) -> ComposeResult:
        """The printers, the default one named so."""
        yield OptionList(
            *[
                Option(literal(name + (" (par défaut)" if name == self.default else "")), id=name)
                for name in self.printers
            ],
            id="printers",
        )

    def on_mount(self) -> None:
        printers = self.query_one("#printers", OptionList)
        if self.default in self.printers:
            printers.highlighted = self.printers.index(self.default)
        printers.focus()

    @on(OptionList.OptionSelected, "#printers")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        """Return the chosen printer."""
        self.dismiss(event.option.id)
