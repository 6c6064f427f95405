"""The frame every activity screen shares: banner, footer, back key, and worker errors."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import ActiveBinding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, HelpPanel, Input, Static
from textual.worker import Worker, WorkerState

from cyclades_tui.services.errors import BadInput, ServiceError
from cyclades_tui.ui.actions import bindings
from cyclades_tui.ui.context import ScreenContext
from cyclades_tui.ui.messages import LogOut, OpenActivity
from cyclades_tui.ui.session import UiSession
from cyclades_tui.ui.text import literal
from cyclades_tui.ui.widgets.french_text import FrenchText
from cyclades_tui.ui.widgets.modals import CANCELLED, ConfirmModal
from cyclades_tui.ui.workers import JUST_SAY_IT, OnFailure


def friendly_error(error: BaseException | None) -> str:
    """The French sentence shown for a failed background task; never a traceback."""
    if isinstance(error, ServiceError):  # services let no other error type escape
        return error.message
    return (
        f"Erreur inattendue ({type(error).__name__}) : l'opération n'a pas abouti ; "
        "rien n'a été enregistré à moitié."
    )


def apply_cursor_setting(screen: Screen[Any]) -> None:
    """Steady text cursors unless the ``cursor_blink`` setting asks otherwise: a blinking
    cursor redraws twice a second, which over SSH is traffic for nothing."""
    blink = bool(getattr(screen.app, "cursor_blink", False))
    for field in screen.query(Input).results(Input):
        field.cursor_blink = blink


# Footer words of Textual's own widgets, in French (the Select's open list, the text fields).
FRENCH_BINDINGS = {
    "Dismiss menu": "Fermer la liste",
    "Focus Next": "Champ suivant",
    "Focus Previous": "Champ précédent",
    "Copy selected text": "Copier",
    "Quit": "Quitter",
}


class BaseScreen(Screen[None]):
    """A screen of the app with the standard footer and error reporting.

    ``ctx`` is what the screen needs from the running TUI; it asks the app for anything
    else by posting a message (ui/messages.py).
    """

    def __init__(self, ctx: ScreenContext) -> None:
        super().__init__()
        self.ctx = ctx

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """The footer's bindings, Textual's English descriptions put into French."""
        bindings = super().active_bindings
        for key, active in bindings.items():
            french = FRENCH_BINDINGS.get(active.binding.description)
            if french is not None:
                bindings[key] = active._replace(binding=replace(active.binding, description=french))
        return bindings

    def on_mount(self) -> None:
        """Textual calls this as well as a subclass's own ``on_mount``."""
        apply_cursor_setting(self)

    @property
    def session(self) -> UiSession:
        """The logged-in session (every activity screen requires one)."""
        session = self.ctx.session
        assert session is not None, "écran d'activité ouvert sans session"
        return session

    def action_back(self) -> None:
        """« Retour »: close what is open (the keys panel), else go back one screen.

        Never below the home screen: logging out is a key of its own, with a confirmation.
        """
        if self.close_panels():
            return
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()

    def close_panels(self) -> bool:
        """Close the keys panel if it is open; True when something was closed."""
        if self.query(HelpPanel):
            self.app.action_hide_help_panel()
            return True
        return False

    # The question « Déconnexion » asks (a screen may say it shorter).
    LOGOUT_QUESTION = (
        "Se déconnecter ? Il faudra saisir à nouveau votre identifiant et votre mot de passe."
    )

    def action_logout(self) -> None:
        """« Déconnexion », after a confirmation."""

        def confirmed(answer: bool | None) -> None:
            if answer:
                self.post_message(LogOut())
            else:
                self.show_info(CANCELLED)

        # Logging out destroys nothing: « Se déconnecter » is Entrée's default.
        self.app.push_screen(
            ConfirmModal(self.LOGOUT_QUESTION, "Se déconnecter", safe_default=False), confirmed
        )

    def show_error(self, message: str) -> None:
        """Tell the user what went wrong, in the screen's message line (else as a toast)."""
        lines = list(self.query("#message").results(Static))
        for widget in lines:
            _say(widget, message)
            widget.set_class(True, "error")
        if not lines:
            self.notify(message, severity="error", timeout=8)

    def show_info(self, message: str) -> None:
        """Show a neutral message in the screen's message line."""
        for widget in self.query("#message").results(Static):
            _say(widget, message)
            widget.set_class(False, "error")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A background task that failed reports in French; the screen stays usable.

        A task replaced by a newer one, or whose screen closed, is cancelled, not failed:
        its error is never shown.
        """
        if event.state == WorkerState.ERROR:
            response = self.failure_responses().get(event.worker.name, JUST_SAY_IT)
            self.report_failure(event.worker.error, response)

    def failure_responses(self) -> Mapping[str, OnFailure]:
        """Task name -> what this screen does when that task fails, beside the message
        (declared once by the screens that need more than the message)."""
        return {}

    def report_failure(
        self, error: BaseException | None, response: OnFailure = JUST_SAY_IT
    ) -> None:
        """The one place a failed background task (a worker, a generation) is shown."""
        if isinstance(error, BadInput) and response.faults is not None:
            self.show_error(response.faults(error))  # the faults are listed in the screen
            return
        self.show_error(friendly_error(error))
        if response.undo is not None:
            response.undo()


def _say(widget: Static, message: str) -> None:
    """Put ``message`` in a message line, wrapped the French way when the line can."""
    if isinstance(widget, FrenchText):
        widget.set_text(message)
    else:
        widget.update(literal(message))


class ActivityScreen(BaseScreen):
    """An activity of « Mon établissement »: banner with school and staff member on top."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("back")

    def compose_banner(self) -> ComposeResult:
        """The line naming the school and who is logged in."""
        session = self.session
        yield Static(
            literal(f"{session.school_name} ({session.uai})  ·  {session.actor.login}"),
            id="banner",
        )

    def action_report(self) -> None:
        """Open « Afficher le compte rendu » above this screen: « Retour » comes back here."""
        self.post_message(OpenActivity("documents", above=True))

    def compose_footer(self) -> ComposeResult:
        """The footer listing the screen's bindings."""
        # The palette (ctrl+p) is announced on the menu, not here: at 80 columns its footer
        # entry pushed « ctrl+q Quitter » off the edge.
        yield Footer(compact=True, show_command_palette=False)
