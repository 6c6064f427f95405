"""The Textual application: login, then the « Mon établissement » menu and its activities."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import PurePath
from typing import ClassVar

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.filter import LineFilter
from textual.screen import Screen
from textual.timer import Timer

from cyclades_tui.services import staff
from cyclades_tui.services.actor import Actor
from cyclades_tui.services.runtime import connect
from cyclades_tui.settings import Settings
from cyclades_tui.ui.activities import ACTIVITIES
from cyclades_tui.ui.paths import stylesheets
from cyclades_tui.ui.screens.bee_import import BeeImportScreen
from cyclades_tui.ui.screens.candidates import CandidatesScreen
from cyclades_tui.ui.screens.csv_import import CsvImportScreen
from cyclades_tui.ui.screens.documents import DocumentsScreen
from cyclades_tui.ui.screens.generate import GenerateScreen
from cyclades_tui.ui.screens.home import HomeScreen
from cyclades_tui.ui.screens.journal import JournalScreen
from cyclades_tui.ui.screens.login import LoginScreen
from cyclades_tui.ui.screens.preview import PreviewScreen
from cyclades_tui.ui.screens.regenerate import RegenerateScreen
from cyclades_tui.ui.screens.schools import SchoolPickerScreen
from cyclades_tui.ui.session import UiSession
from cyclades_tui.ui.text import TerminalSafeFilter

# Imported up front (not on first use): opening an activity must not pay for imports.
ACTIVITY_SCREENS: dict[str, Callable[[], Screen[None]]] = {
    "generate": GenerateScreen, "regenerate": RegenerateScreen, "documents": DocumentsScreen,
    "candidates": CandidatesScreen, "import_csv": CsvImportScreen, "import_bee": BeeImportScreen,
    "journal": JournalScreen,
}

class CycladesApp(App[None]):
    """cyclades-tui's TUI; ``session`` is set once a staff member has logged in.

    ``settings`` were read and checked once at start-up; screens pass them to the services.
    """

    TITLE = "cyclades-tui"
    CSS_PATH: ClassVar[list[str | PurePath]] = list(stylesheets())
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quitter", priority=True, id="quit",
                tooltip="Quitter cyclades-tui"),
    ]

    def __init__(
        self, db_url: str | None = None, demo_actor: Actor | None = None, *, settings: Settings,
        idle_logout_seconds: float | None = None,
    ) -> None:
        super().__init__()
        self.db_url = db_url
        self.settings = settings
        self.session: UiSession | None = None
        self._demo_actor = demo_actor
        self._terminal_safe = TerminalSafeFilter()
        # A session left open on a staff-room PC ends after this long without a key
        # (the setting is in minutes; tests pass seconds).
        self.idle_logout_seconds = (idle_logout_seconds if idle_logout_seconds is not None
                                    else settings.idle_logout_minutes * 60.0)
        self._idle_timer: Timer | None = None
        self._idle_recheck: Timer | None = None
        self.idle_checks = 0

    def get_line_filters(self) -> Sequence[LineFilter]:
        """Textual's filters, then the last barrier against control characters."""
        return [*super().get_line_filters(), self._terminal_safe]

    def on_mount(self) -> None:
        """Open on the login screen, or straight on the home screen for the demo."""
        self.set_idle_logout(self.idle_logout_seconds)
        self.push_screen(LoginScreen())
        if self._demo_actor is not None and self._demo_actor.school_uai:
            self.start_session(self._demo_actor, self._demo_actor.school_uai,
                               staff.school_name(self._demo_actor.school_uai))

    def start_session(self, actor: Actor, uai: str, school_name: str) -> None:
        """Work for ``uai`` as ``actor`` and show the home screen."""
        self.session = UiSession(actor=actor, uai=uai, school_name=school_name)
        # Keep the login screen (and an exam manager's school choice) below the home
        # screen: « escape » on the home screen goes back to them.
        while len(self.screen_stack) > 2 and not isinstance(self.screen, SchoolPickerScreen):
            self.pop_screen()
        self.push_screen(HomeScreen())

    def open_activity(self, key: str) -> None:
        """Show one activity screen above the home screen."""
        if self.session is None:
            self.notify("Connectez-vous d'abord.", severity="warning")
            return
        factory = ACTIVITY_SCREENS[key]
        while not isinstance(self.screen, HomeScreen) and len(self.screen_stack) > 2:
            self.pop_screen()
        self.push_screen(factory())

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """The command palette offers every activity, then Textual's own commands.

        Not Textual's « Screenshot »: it writes the screen, revealed passwords included,
        to an SVG file nobody audits.
        """
        if self.session is not None:
            for key, (label, help_text) in ACTIVITIES.items():
                yield SystemCommand(label, help_text, lambda key=key: self.open_activity(key))
        for command in super().get_system_commands(screen):
            if command.title != "Screenshot":
                yield command

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        """Screenshots are disabled: the screen may show passwords."""

    def set_idle_logout(self, seconds: float) -> None:
        """(Re)start the idle countdown with a period of ``seconds`` (0: never log out)."""
        if self._idle_timer is not None:
            self._idle_timer.stop()
            self._idle_timer = None
        self.idle_logout_seconds = seconds
        if seconds > 0:
            self._idle_timer = self.set_interval(seconds, self._idle_elapsed,
                                                 name="idle-logout")

    async def on_event(self, event: events.Event) -> None:
        """Every key pressed restarts the idle countdown."""
        if isinstance(event, events.Key) and self._idle_timer is not None:
            self._idle_timer.reset()
            if self._idle_recheck is not None:
                self._idle_recheck.stop()
                self._idle_recheck = None
        await super().on_event(event)

    def _idle_elapsed(self) -> None:
        """No key for ``idle_logout_seconds``: back to the login screen.

        A running task (a generation above all) finishes first: the check comes back
        until no worker runs, then the session ends.
        """
        self.idle_checks += 1
        self._idle_recheck = None
        if self.session is None and not isinstance(self.screen, SchoolPickerScreen):
            return
        if any(worker.is_running for worker in self.workers):
            # Look again soon, not a whole idle period later.
            self._idle_recheck = self.set_timer(min(1.0, self.idle_logout_seconds),
                                                self._idle_elapsed)
            return
        self.log_out(f"Session fermée après {self.idle_logout_seconds / 60:g} minute(s) sans "
                     "activité : reconnectez-vous.")

    def log_out(self, message: str = "") -> None:
        """End the session: every screen above the login screen closes (with its data)."""
        self.session = None
        for screen in self.screen_stack:
            if isinstance(screen, PreviewScreen):
                screen.forget_passwords()  # at once, not when Textual gets to unmount it
        while len(self.screen_stack) > 2:
            self.pop_screen()
        if isinstance(self.screen, LoginScreen):
            self.screen.reset(message)


def run(db_url: str | None, demo: bool, settings: Settings) -> int:
    """Open the database (the demo one with ``demo``) and run the TUI until the user quits.

    ``db_url`` is an explicit ``--db`` only; otherwise the database is ``settings.db``.
    """
    actor = None
    if demo:
        from cyclades_tui.services.demo import DEMO_STAFF, seed_demo
        from cyclades_tui.store.database import demo_url

        # The demo never goes into $CYCLADES_DB (an academy's real database): only into an
        # explicit --db or the user's own demo file.
        url = db_url or demo_url()
        connect(url, busy_ms=settings.sqlite_busy_ms)
        seed_demo(settings=settings)
        actor = staff.actor_for(DEMO_STAFF)
        db_url = url
    else:
        db_url = settings.db
        connect(db_url, busy_ms=settings.sqlite_busy_ms)
    CycladesApp(db_url=db_url, demo_actor=actor, settings=settings).run()
    return 0
