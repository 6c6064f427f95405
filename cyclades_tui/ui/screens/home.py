"""« Mon établissement »: the menu of activities."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from cyclades_tui.ui.actions import ACTIONS, ACTIVITIES, bindings
from cyclades_tui.ui.messages import LeaveSchool, OpenActivity
from cyclades_tui.ui.screens.base import ActivityScreen
from cyclades_tui.ui.screens.schools import SchoolPickerScreen
from cyclades_tui.ui.text import literal
from cyclades_tui.ui.widgets.french_text import FrenchText
from cyclades_tui.ui.widgets.lists import PickList


class HomeScreen(ActivityScreen):
    """The « Mon établissement » menu."""

    BINDINGS: ClassVar[list[BindingType]] = bindings(
        *[f"open-{activity.id}" for activity in ACTIVITIES if activity.key], "home-back", "logout"
    )

    def compose(self) -> ComposeResult:
        yield from self.compose_banner()
        yield Static("Mon établissement", classes="heading")
        # Every line has its letter; the list stops at both ends (no wrap).
        yield PickList(
            *[
                Option(literal(f"[{activity.key}] {activity.title}"), id=activity.id)
                for activity in ACTIVITIES
            ],
            id="menu",
        )
        yield Static(
            "Flèches et Entrée pour choisir, ou la lettre de l'activité ; "
            f"{ACTIONS['palette'].key} : toutes les commandes.",
            classes="hint",
        )
        yield FrenchText("", id="message")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.query_one("#menu", OptionList).focus()

    def on_screen_resume(self) -> None:
        """Back on the menu (at login, or from an activity): the first line is highlighted,
        so that counted arrow keys land where they were counted from."""
        menu = self.query_one("#menu", OptionList)
        menu.highlighted = 0
        menu.scroll_home(animate=False)

    @on(OptionList.OptionSelected, "#menu")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        """Enter on a menu line opens that activity."""
        if event.option.id:
            self.post_message(OpenActivity(event.option.id))

    def action_open(self, key: str) -> None:
        """Shortcut key of an activity."""
        self.post_message(OpenActivity(key))

    def action_back(self) -> None:
        """« Retour »: an exam manager goes back to the choice of school; school staff stay
        here (the screen below is the login screen: Échap never logs out)."""
        if self.close_panels():
            return
        below = self.app.screen_stack[-2] if len(self.app.screen_stack) > 1 else None
        if isinstance(below, SchoolPickerScreen):
            self.post_message(LeaveSchool())
            return
        self.show_info(f"Vous êtes sur le menu. Pour vous déconnecter : {ACTIONS['logout'].key}.")
