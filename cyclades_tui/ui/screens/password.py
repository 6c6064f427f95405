"""« Changer mon mot de passe »: a staff member replaces their own password.

Opened from the menu or the palette at any time, or by itself right after a login with a
password someone else chose (``forced``): there it cannot be skipped, Échap logs out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Footer, Input, Label, Static

from cyclades_tui.domain.staff_passwords import MIN_STAFF_PASSWORD
from cyclades_tui.services import own_password
from cyclades_tui.services.actor import Actor
from cyclades_tui.ui.actions import bindings
from cyclades_tui.ui.context import ScreenContext
from cyclades_tui.ui.messages import LogOut, PasswordChanged
from cyclades_tui.ui.screens.base import BaseScreen
from cyclades_tui.ui.text import literal
from cyclades_tui.ui.widgets.french_text import FrenchText
from cyclades_tui.ui.workers import OnFailure, deliver

FIELDS = ("current", "new", "again")
RULES = (
    f"{MIN_STAFF_PASSWORD} caractères au moins, sans votre identifiant, pas un mot de "
    "passe courant (azerty, motdepasse…)."
)


class PasswordForm(BaseScreen):
    """Current password, then the new one twice; the rules of ``domain.staff_passwords``.

    The two screens below differ by their Échap only.
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings("password-enter")

    class SubmitRequested(Message):
        """Save once the focused field has handled the keys typed before Enter."""

    def __init__(
        self,
        ctx: ScreenContext,
        actor: Actor | None = None,
        *,
        forced: bool = False,
        school_name: str = "",
    ) -> None:
        super().__init__(ctx)
        self.actor = actor if actor is not None else self.session.actor
        self.forced = forced
        self.school_name = school_name
        self.saving = False

    def compose(self) -> ComposeResult:
        with Vertical(id="password-box"):
            yield Static("Changer mon mot de passe", id="password-title")
            yield Static(
                literal(
                    f"{self.actor.login} : le mot de passe a été choisi par quelqu'un d'autre ; "
                    "choisissez le vôtre pour continuer."
                    if self.forced
                    else f"{self.actor.login} : choisissez un nouveau mot de passe."
                ),
                id="password-why",
            )
            yield Label("Mot de passe actuel")
            yield Input(id="current", password=True, compact=True)
            yield Label("Nouveau mot de passe")
            yield Input(id="new", password=True, compact=True)
            yield Label("Nouveau mot de passe (encore)")
            yield Input(id="again", password=True, compact=True)
            yield Static(RULES, classes="hint")
            yield FrenchText("", id="message")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#current", Input).focus()

    def action_enter(self) -> None:
        """Enter moves to the next field; in the last one it saves."""
        focused = self.focused
        ids = [field for field in FIELDS if focused is self.query_one(f"#{field}", Input)]
        if ids and ids[0] != FIELDS[-1]:
            self.set_focus(self.query_one(f"#{FIELDS[FIELDS.index(ids[0]) + 1]}", Input))
            return
        # Through the focused field: handled after the characters queued there.
        (focused or self).post_message(self.SubmitRequested())

    def on_password_form_submit_requested(self, message: SubmitRequested) -> None:
        """The Enter of the last field."""
        message.stop()
        self.submit()

    def submit(self) -> None:
        """Check the two new passwords agree, then change it in a worker (bcrypt is slow)."""
        if self.saving:
            return
        current, new, again = (self.query_one(f"#{f}", Input).value for f in FIELDS)
        if not current or not new:
            self.show_error("Saisissez le mot de passe actuel et le nouveau (deux fois).")
            return
        if new != again:
            self.show_error("Les deux saisies du nouveau mot de passe diffèrent.")
            self.query_one("#again", Input).value = ""
            self.query_one("#new", Input).focus()
            return
        self.saving = True
        self.show_info("Enregistrement…")
        for field in FIELDS:
            self.query_one(f"#{field}", Input).value = ""
        self.change(current, new)

    @work(
        thread=True,
        exclusive=True,
        exit_on_error=False,
        name="change-password",
        group="change-password",
    )
    def change(self, current: str, new: str) -> None:
        """Change the password (the current one is checked by the service)."""
        own_password.change_own_password(self.actor, current, new, settings=self.ctx.settings)
        deliver(self, self._changed)

    def _changed(self) -> None:
        self.saving = False
        self.show_info("Mot de passe changé.")
        self.post_message(PasswordChanged(self.actor, self.school_name, self.forced))

    def failure_responses(self) -> Mapping[str, OnFailure]:
        """A refused change (wrong current password, weak new one): try again."""
        return {"change-password": OnFailure(undo=self._try_again)}

    def _try_again(self) -> None:
        self.saving = False
        self.query_one("#current", Input).focus()


class ChangePasswordScreen(PasswordForm):
    """« Changer mon mot de passe » from the menu or the palette: Échap goes back."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("back")

    def __init__(self, ctx: ScreenContext, actor: Actor | None = None) -> None:
        """``actor``: who is logged in when no school is chosen yet (the session's
        otherwise)."""
        super().__init__(ctx, actor)


class ForcedPasswordScreen(PasswordForm):
    """After a login with a password set by someone else: change it or log out."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("password-logout")

    def __init__(self, ctx: ScreenContext, actor: Actor, school_name: str) -> None:
        super().__init__(ctx, actor, forced=True, school_name=school_name)

    def action_logout_now(self) -> None:
        """Échap: back to the login screen, the password still to be changed."""
        self.post_message(LogOut())

    def action_back(self) -> None:
        """No way past this screen but changing the password: « Retour » logs out too."""
        self.action_logout_now()
