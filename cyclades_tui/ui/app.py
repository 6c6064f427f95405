"""The Textual application: login, then the « Mon établissement » menu and its activities."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import PurePath
from typing import ClassVar

from textual.app import SystemCommand
from textual.binding import BindingType
from textual.command import CommandPalette
from textual.driver import Driver
from textual.drivers.linux_driver import LinuxDriver
from textual.filter import LineFilter
from textual.screen import Screen
from textual.widgets import Input

from cyclades_tui.services import staff, staff_login
from cyclades_tui.services.actor import Actor
from cyclades_tui.services.memory import OUT_OF_MEMORY
from cyclades_tui.settings import Settings
from cyclades_tui.ui.actions import ACTIONS, ACTIVITIES, ACTIVITY_BY_ID, bindings
from cyclades_tui.ui.context import ScreenContext
from cyclades_tui.ui.generations import GenerationLifecycle
from cyclades_tui.ui.idle import IdleLogout
from cyclades_tui.ui.key_queue import BurstSafeKeys
from cyclades_tui.ui.messages import (
    ChooseSchool,
    LeaveSchool,
    LogOut,
    MustChangePassword,
    OpenActivity,
    PasswordChanged,
    StartSession,
)
from cyclades_tui.ui.paths import stylesheets
from cyclades_tui.ui.screens.base import BaseScreen
from cyclades_tui.ui.screens.candidates import CandidatesScreen
from cyclades_tui.ui.screens.csv_import import CsvImportScreen
from cyclades_tui.ui.screens.documents import DocumentsScreen
from cyclades_tui.ui.screens.generate import GenerateScreen
from cyclades_tui.ui.screens.home import HomeScreen
from cyclades_tui.ui.screens.journal import JournalScreen
from cyclades_tui.ui.screens.login import LoginScreen
from cyclades_tui.ui.screens.password import ChangePasswordScreen, ForcedPasswordScreen
from cyclades_tui.ui.screens.preview import PreviewScreen
from cyclades_tui.ui.screens.regenerate import RegenerateScreen
from cyclades_tui.ui.screens.schools import SchoolPickerScreen
from cyclades_tui.ui.screens.siecle_import import SiecleImportScreen
from cyclades_tui.ui.session import UiSession
from cyclades_tui.ui.terminal_input import BoundedLinuxDriver, bound_initial_size
from cyclades_tui.ui.text import TerminalSafeFilter
from cyclades_tui.ui.theme import SIXTEEN_COLOURS, few_colours_terminal

# Imported up front (not on first use): opening an activity must not pay for imports.
ACTIVITY_SCREENS: dict[str, Callable[[ScreenContext], Screen[None]]] = {
    "generate": GenerateScreen,
    "regenerate": RegenerateScreen,
    "documents": DocumentsScreen,
    "candidates": CandidatesScreen,
    "import_csv": CsvImportScreen,
    "import_siecle": SiecleImportScreen,
    "journal": JournalScreen,
    "password": ChangePasswordScreen,
}


class OutOfMemory(Exception):
    """Memory ran out in the TUI: Textual shows its text on exit, not a traceback."""

    def __rich__(self) -> str:
        return str(self)


class CycladesApp(IdleLogout, BurstSafeKeys, GenerationLifecycle):
    """cyclades-tui's TUI; ``session`` is set once a staff member has logged in.

    ``settings`` were read and checked once at start-up; screens pass them to the services.
    Their ``db`` is the database in use (already open); ``db_url``, when given, is that
    database instead (tests open one of their own). The folder of the schools' folders is
    resolved from it once, here: screens get it as a path (``ScreenContext.files_root``).
    """

    TITLE = "cyclades-tui"
    CSS_PATH: ClassVar[list[str | PurePath]] = list(stylesheets())
    BINDINGS: ClassVar[list[BindingType]] = bindings("quit", "palette")

    def __init__(
        self,
        db_url: str | None = None,
        demo_actor: Actor | None = None,
        *,
        settings: Settings,
        idle_logout_seconds: float | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings if db_url is None else replace(settings, db=db_url)
        self.files_root = self.settings.files_root()
        self.session: UiSession | None = None
        self._demo_actor = demo_actor
        self._terminal_safe = TerminalSafeFilter()
        # A session left open on a staff-room PC ends after this long without a key
        # (the setting is in minutes; tests pass seconds).
        self.idle_logout_seconds = (
            idle_logout_seconds
            if idle_logout_seconds is not None
            else settings.idle_logout_minutes * 60.0
        )
        # A steady text cursor by default (CYCLADES_CURSOR_BLINK=1 to make it blink).
        self.cursor_blink = settings.cursor_blink

    def get_driver_class(self) -> type[Driver]:
        """Textual's driver for this platform; on Linux, the one with bounded input."""
        found = super().get_driver_class()
        return BoundedLinuxDriver if found is LinuxDriver else found

    def _handle_exception(self, error: Exception) -> None:
        # Textual's one entry for an error a handler or a worker did not catch (no public
        # hook): running out of memory (memory_limit_mb) ends the session with the French
        # message instead of a traceback. Textual prints an error having ``__rich__`` as is.
        if isinstance(error, MemoryError):
            error = OutOfMemory(OUT_OF_MEMORY)
        super()._handle_exception(error)

    def get_line_filters(self) -> Sequence[LineFilter]:
        """Textual's filters, then the last barrier against control characters."""
        return [*super().get_line_filters(), self._terminal_safe]

    def on_mount(self) -> None:
        """Open on the login screen, or straight on the home screen for the demo."""
        if few_colours_terminal():
            self.register_theme(SIXTEEN_COLOURS)
            self.theme = SIXTEEN_COLOURS.name
        self.set_idle_logout(self.idle_logout_seconds)
        # The dummy hash of refused logins, made now: the first refusal of this SSH session
        # then costs one bcrypt check like any other (see staff_login.prepare_login).
        self.run_worker(
            lambda: staff_login.prepare_login(self.settings),
            thread=True,
            group="prepare-login",
            name="prepare-login",
            exit_on_error=False,
        )
        self.push_screen(LoginScreen(self.context()))
        if self._demo_actor is not None and self._demo_actor.school_uai:
            self.start_session(
                self._demo_actor,
                self._demo_actor.school_uai,
                staff.school_name(self._demo_actor.school_uai),
            )

    def context(self) -> ScreenContext:
        """What a screen made now needs: settings, files folder, generations, the session."""
        return ScreenContext(
            settings=self.settings,
            files_root=self.files_root,
            generations=self.generations,
            session=self.session,
        )

    def on_open_activity(self, message: OpenActivity) -> None:
        """A screen asked for an activity (a menu line, a key, « compte rendu »…)."""
        self.open_activity(message.activity, above=message.above)

    def on_start_session(self, message: StartSession) -> None:
        """Logged in (or a school chosen): the home screen."""
        self.start_session(message.actor, message.uai, message.school_name)

    def on_choose_school(self, message: ChooseSchool) -> None:
        """An exam manager logged in: the choice of school."""
        self.push_screen(SchoolPickerScreen(self.context(), message.actor))

    def on_must_change_password(self, message: MustChangePassword) -> None:
        """Logged in with a password someone else set: it must be changed first."""
        self.push_screen(ForcedPasswordScreen(self.context(), message.actor, message.school_name))

    def on_password_changed(self, message: PasswordChanged) -> None:
        """A password changed: after the forced change, the session starts as at login."""
        if not message.forced:
            self.notify("Mot de passe changé.")
            return
        if isinstance(self.screen, ForcedPasswordScreen):
            self.pop_screen()
        actor = message.actor
        if actor.school_uai is not None:
            self.start_session(actor, actor.school_uai, message.school_name)
        else:
            self.push_screen(SchoolPickerScreen(self.context(), actor))

    def on_leave_school(self, message: LeaveSchool) -> None:
        """From the home screen back to the choice of school: the session ends there."""
        self.session = None
        self.pop_screen()

    def on_log_out(self, message: LogOut) -> None:
        """« Déconnexion » confirmed."""
        self.log_out()

    def start_session(self, actor: Actor, uai: str, school_name: str) -> None:
        """Work for ``uai`` as ``actor`` and show the home screen."""
        self.session = UiSession(actor=actor, uai=uai, school_name=school_name)
        # Keep the login screen (and an exam manager's school choice) below the home
        # screen: « escape » on the home screen goes back to them.
        while len(self.screen_stack) > 2 and not isinstance(self.screen, SchoolPickerScreen):
            self.pop_screen()
        self.push_screen(HomeScreen(self.context()))

    def open_activity(self, key: str, above: bool = False) -> None:
        """Show one activity screen above the home screen (``above``: above this screen,
        so that « Retour » comes back to it, as « Afficher le compte rendu » from « Générer »).
        """
        if self.session is None:
            self.notify("Connectez-vous d'abord.", severity="warning")
            return
        factory = ACTIVITY_SCREENS[key]
        if not above:
            while not isinstance(self.screen, HomeScreen) and len(self.screen_stack) > 2:
                self.pop_screen()
        self.push_screen(factory(self.context()))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """The command palette offers every activity, then « Quitter ».

        Textual's own commands are left out: they are in English, and « Screenshot » would
        write the screen (revealed passwords included) to a file; « Theme », « Keys » and
        « Maximize » serve nothing here (the footer lists every key).
        """
        logout = ACTIONS["logout"]
        if self.session is not None:
            for activity in ACTIVITIES:
                yield SystemCommand(
                    activity.title, activity.help, lambda key=activity.id: self.open_activity(key)
                )
            yield SystemCommand(logout.label, logout.tooltip, self._palette_logout)
        elif isinstance(screen, SchoolPickerScreen):
            # Logged in, no school chosen yet (exam manager): no school activity, but their
            # own password is theirs to change here too.
            password, actor = ACTIVITY_BY_ID["password"], screen.actor
            yield SystemCommand(
                password.title,
                password.help,
                lambda: self.push_screen(ChangePasswordScreen(self.context(), actor)),
            )
            yield SystemCommand(logout.label, logout.tooltip, self._palette_logout)
        yield SystemCommand(ACTIONS["quit"].label, ACTIONS["quit"].tooltip, self.action_quit)

    def _palette_logout(self) -> None:
        if isinstance(self.screen, BaseScreen):
            self.screen.action_logout()

    def action_command_palette(self) -> None:
        """The command palette, with a French placeholder."""
        if self.use_command_palette and not isinstance(self.screen, CommandPalette):
            palette = CommandPalette(id="--command-palette", placeholder="Rechercher une commande…")
            self.push_screen(palette)

            def steady_cursor() -> None:
                for field in palette.query(Input).results(Input):
                    field.cursor_blink = self.cursor_blink

            palette.call_after_refresh(steady_cursor)

    def action_help_quit(self) -> None:
        """ctrl+c does not quit (it copies in a field): say which key does, in French."""
        self.notify(
            f"Appuyez sur {ACTIONS['quit'].key} pour quitter cyclades-tui.", title="Quitter ?"
        )

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        """Screenshots are disabled: the screen may show passwords."""

    def idle_elapsed(self) -> None:
        """No key for ``idle_logout_seconds``: back to the login screen.

        A running task (a generation above all) finishes first: the next tick (within a
        second) looks again, until no worker runs, then the session ends.
        """
        self.idle_checks += 1
        if not self.screen_stack:  # the app is closing: nothing left to log out of
            return
        if self.session is None and not isinstance(
            self.screen, SchoolPickerScreen | ForcedPasswordScreen
        ):
            return
        if any(worker.is_running for worker in self.workers):
            return
        self.log_out(
            f"Session fermée après {self.idle_logout_seconds / 60:g} minute(s) sans "
            "activité : reconnectez-vous."
        )

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


def run(settings: Settings, demo_actor: Actor | None = None) -> int:
    """Run the TUI until the user quits, on the database already open (``settings.db``).

    The start-up (opening the database, seeding the demo) is the CLI's (``cli/tui.py``);
    ``demo_actor``: open on the demo school's home screen, logged in as them.
    """
    bound_initial_size(os.environ, sys.__stderr__.fileno() if sys.__stderr__ else 2)
    CycladesApp(demo_actor=demo_actor, settings=settings).run()
    return 0
