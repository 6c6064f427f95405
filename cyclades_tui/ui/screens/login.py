"""Staff login: identifier and password checked against the staff accounts (bcrypt)."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Button, Footer, Input, Label, Static

from cyclades_tui.services import staff
from cyclades_tui.services.actor import Actor
from cyclades_tui.ui.screens.base import BaseScreen


class LoginScreen(BaseScreen):
    """The first screen: « Connexion du personnel »."""

    BINDINGS = []  # nothing to go back to

    def compose(self) -> ComposeResult:
        with Vertical(id="login-box"):
            yield Static("cyclades-tui", id="login-title")
            yield Static("Connexion du personnel de l'établissement", id="login-subtitle")
            yield Label("Identifiant")
            yield Input(id="login", placeholder="identifiant")
            yield Label("Mot de passe")
            yield Input(id="password", password=True, placeholder="mot de passe")
            yield Button("Se connecter", id="connect", variant="primary")
            yield Static("", id="message")
        yield Footer()

    @on(Input.Submitted, "#login")
    def next_field(self) -> None:
        """Enter in the identifier field moves to the password."""
        self.query_one("#password", Input).focus()

    @on(Input.Submitted, "#password")
    @on(Button.Pressed, "#connect")
    def submit(self) -> None:
        """Check the credentials in a worker: bcrypt at cost 12 takes a quarter of a second."""
        login = self.query_one("#login", Input).value
        password_input = self.query_one("#password", Input)
        if not login.strip() or not password_input.value:
            self.show_error("Saisissez votre identifiant et votre mot de passe.")
            return
        self.query_one("#connect", Button).disabled = True
        self.show_info("Vérification…")
        self.authenticate(login, password_input.value)
        password_input.value = ""

    @work(thread=True, exclusive=True, exit_on_error=False, name="authenticate")
    def authenticate(self, login: str, password: str) -> None:
        """Check the password; on success open the home screen (or the school choice)."""
        actor = staff.authenticate(login, password)
        name = staff.school_name(actor.school_uai)
        self.app.call_from_thread(self._logged_in, actor, name)

    def _logged_in(self, actor: Actor, school_name: str) -> None:
        self.query_one("#connect", Button).disabled = False
        self.show_info("")
        if actor.school_uai is not None:
            self.cyc.start_session(actor, actor.school_uai, school_name)
            return
        from cyclades_tui.ui.screens.schools import SchoolPickerScreen

        self.app.push_screen(SchoolPickerScreen(actor))

    def worker_failed(self, name: str) -> None:
        self.query_one("#connect", Button).disabled = False
        self.query_one("#password", Input).focus()
