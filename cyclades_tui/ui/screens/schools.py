"""The exam manager's school choice, and positioning of the prerequisite service."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from cyclades_tui.services import schools
from cyclades_tui.services.actor import Actor
from cyclades_tui.services.schools import SchoolInfo
from cyclades_tui.ui.actions import bindings
from cyclades_tui.ui.context import ScreenContext
from cyclades_tui.ui.messages import StartSession
from cyclades_tui.ui.screens.base import BaseScreen
from cyclades_tui.ui.text import literal
from cyclades_tui.ui.widgets.french_text import FrenchText
from cyclades_tui.ui.widgets.lists import PickList
from cyclades_tui.ui.workers import deliver


def _label(school: SchoolInfo) -> str:
    service = "service positionné" if school.service_enabled else "service non positionné"
    return f"{school.uai}  {school.name}  ({service})"


class SchoolPickerScreen(BaseScreen):
    """Pick the school to act for (exam manager), or position its service."""

    BINDINGS = bindings("toggle-service", "logout")
    LOGOUT_QUESTION = "Se déconnecter ?"

    def __init__(self, ctx: ScreenContext, actor: Actor) -> None:
        super().__init__(ctx)
        self.actor = actor
        self.schools: list[SchoolInfo] = []

    def compose(self) -> ComposeResult:
        yield Static(literal(f"Gestionnaire des examens : {self.actor.login}"), id="banner")
        yield Static("Choisissez l'établissement pour lequel agir (Entrée).", classes="heading")
        yield PickList(id="schools")
        yield FrenchText("", id="message")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, name="load", group="load")
    def load(self) -> None:
        """Read the schools."""
        found = schools.list_schools(self.actor)
        deliver(self, self._show, found)

    def _show(self, found: list[SchoolInfo]) -> None:
        self.schools = found
        options = self.query_one("#schools", OptionList)
        highlighted = options.highlighted
        options.clear_options()
        options.add_options([Option(literal(_label(s)), id=s.uai) for s in found])
        if found:
            options.highlighted = min(highlighted or 0, len(found) - 1)
        options.focus()
        if not found:
            self.show_info("Aucun établissement : ajoutez-en avec « cyclades-tui school add ».")

    @on(OptionList.OptionSelected, "#schools")
    def choose(self, event: OptionList.OptionSelected) -> None:
        """Act for the chosen school."""
        school = next(s for s in self.schools if s.uai == event.option.id)
        self.post_message(StartSession(self.actor, school.uai, school.name))

    def action_toggle_service(self) -> None:
        """Position or withdraw the service of the highlighted school."""
        options = self.query_one("#schools", OptionList)
        if options.highlighted is None or not self.schools:
            return
        school = self.schools[options.highlighted]
        self.toggle(school.uai, not school.service_enabled)

    @work(thread=True, exclusive=True, exit_on_error=False, name="toggle", group="toggle")
    def toggle(self, uai: str, enabled: bool) -> None:
        """Change the service, then reload the list."""
        info = schools.set_service(self.actor, uai, enabled)
        word = "positionné" if info.service_enabled else "retiré"
        deliver(self, self.show_info, f"Service {word} pour {info.uai}.")
        deliver(self, self.load)
