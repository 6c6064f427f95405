"""Staff login: identifier and password checked against the staff accounts (bcrypt)."""

from __future__ import annotations

from collections.abc import Mapping

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Button, Footer, Input, Label, Static

from cyclades_tui.services import own_password, staff, staff_login
from cyclades_tui.services.actor import Actor
from cyclades_tui.ui.actions import bindings
from cyclades_tui.ui.context import ScreenContext
from cyclades_tui.ui.messages import ChooseSchool, MustChangePassword, StartSession
from cyclades_tui.ui.screens.base import BaseScreen
from cyclades_tui.ui.widgets.french_text import FrenchText
from cyclades_tui.ui.workers import OnFailure, deliver


class LoginScreen(BaseScreen):
    """The first screen: « Connexion du personnel »."""

    # Enter is the screen's own (priority) binding, not the fields' « submitted » message:
    # the focus then moves while the key is handled, so a password typed straight after
    # the login (type-ahead over SSH) lands in the password field.
    BINDINGS = bindings("connect")

    def compose(self) -> ComposeResult:
        with Vertical(id="login-box"):
            yield Static("cyclades-tui", id="login-title")
            yield Static("Connexion du personnel de l'établissement", id="login-subtitle")
            yield Label("Identifiant")
            yield Input(id="login", placeholder="identifiant")
            yield Label("Mot de passe")
            yield Input(id="password", password=True, placeholder="mot de passe")
            yield Button("Se connecter", id="connect", variant="primary")
            yield FrenchText("", id="message")
        yield Footer()

    def __init__(self, ctx: ScreenContext) -> None:
        super().__init__(ctx)
        # One attempt at a time: Enter typed while a password is being checked is ignored
        # (a burst of Enter must not start attempts in parallel).
        self.checking = False

    def reset(self, message: str = "") -> None:
        """Empty both fields after a logout (the identifier field has the focus) and say why
        the session ended when it was not the user's doing (idle logout)."""
        self.query_one("#password", Input).value = ""
        login = self.query_one("#login", Input)
        login.value = ""
        login.focus()
        self.show_info(message)

    class SubmitRequested(Message):
        """Log in once the focused field has handled the keys typed before Enter."""

    def action_enter(self) -> None:
        """Enter in the identifier field moves to the password; elsewhere it logs in."""
        if self.focused is self.query_one("#login", Input):
            self.set_focus(self.query_one("#password", Input))
        else:
            # Posted through the focused field, so that it is handled after the characters
            # already queued there: the password is complete when it is read.
            (self.focused or self).post_message(self.SubmitRequested())

    def on_login_screen_submit_requested(self, message: SubmitRequested) -> None:
        """The Enter of the password field (or of the button)."""
        message.stop()
        self.submit()

    @on(Button.Pressed, "#connect")
    def submit(self) -> None:
        """Check the credentials in a worker: bcrypt at cost 12 takes a quarter of a second."""
        if self.checking:
            return
        login = self.query_one("#login", Input).value
        password_input = self.query_one("#password", Input)
        if not login.strip() or not password_input.value:
            self.show_error("Saisissez votre identifiant et votre mot de passe.")
            return
        self.checking = True
        self.query_one("#connect", Button).disabled = True
        self.show_info("Vérification…")
        self.authenticate(login, password_input.value)
        password_input.value = ""

    @work(
        thread=True, exclusive=True, exit_on_error=False, name="authenticate", group="authenticate"
    )
    def authenticate(self, login: str, password: str) -> None:
        """Check the password; on success open the home screen (or the school choice)."""
        actor = staff_login.authenticate(login, password, settings=self.ctx.settings)
        name = staff.school_name(actor.school_uai)
        deliver(self, self._logged_in, actor, name, own_password.must_change_password(actor.login))

    def _logged_in(self, actor: Actor, school_name: str, must_change: bool = False) -> None:
        self.checking = False
        self.query_one("#connect", Button).disabled = False
        self.show_info("")
        if must_change:
            self.post_message(MustChangePassword(actor, school_name))
            return
        if actor.school_uai is not None:
            self.post_message(StartSession(actor, actor.school_uai, school_name))
            return
        self.post_message(ChooseSchool(actor))

    def failure_responses(self) -> Mapping[str, OnFailure]:
        """A refused or failed login: the form can be used again."""
        return {"authenticate": OnFailure(undo=self._try_again)}

    def _try_again(self) -> None:
        self.checking = False
        self.query_one("#connect", Button).disabled = False
        self.query_one("#password", Input).focus()
