"""« Regénérer le mot de passe d'un compte d'un élève »: criteria, candidate, confirmation."""

from __future__ import annotations

from collections.abc import Mapping

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Input, Label, OptionList, RadioSet, Static
from textual.widgets.option_list import Option

from cyclades_tui.domain.errors import DomainError
from cyclades_tui.domain.exams import ELIGIBLE_STATES
from cyclades_tui.domain.identifiers import validate_ine
from cyclades_tui.domain.names import fold
from cyclades_tui.services import account_regeneration
from cyclades_tui.services.candidates import CandidatureView, find_by_name
from cyclades_tui.services.slip_documents import RunResult
from cyclades_tui.ui.actions import ACTIONS, bindings
from cyclades_tui.ui.context import ScreenContext
from cyclades_tui.ui.screens.base import ActivityScreen
from cyclades_tui.ui.screens.generate import compose_generate_end
from cyclades_tui.ui.text import literal
from cyclades_tui.ui.widgets.lists import PickList
from cyclades_tui.ui.widgets.modals import CANCELLED, ConfirmModal
from cyclades_tui.ui.widgets.toggles import MarkedRadioButton
from cyclades_tui.ui.workers import OnFailure, deliver

# The states that can give an account: label, and the short form parse_state reads.
STATES = [(s.value, fold(s.value)) for s in ELIGIBLE_STATES]
# Most candidates a name search lists (a longer name narrows it).
MAX_MATCHES = 50
# The look-ups of a candidate (by INE, by name): a newer one makes the older stale.
LOOKUP_GROUP = "lookup"


def candidate_line(view: CandidatureView) -> str:
    """One line naming a candidate: enough to tell two homonyms apart."""
    born = f"  ·  né(e) le {view.birth_label}" if view.birth_label else ""
    account = view.login or "sans compte"
    return (
        f"{view.display_name}  ·  {view.division}  ·  INE {view.ine}{born}  ·  "
        f"{view.exam} {view.state}  ·  {account}"
    )


class RegenerateScreen(ActivityScreen):
    """New provisional password for one candidate who already has an account."""

    BINDINGS = bindings("regenerate-one", "report")

    def __init__(self, ctx: ScreenContext) -> None:
        super().__init__(ctx)
        self.candidate: CandidatureView | None = None
        self.matches: list[CandidatureView] = []
        # What the last look-up was asked for: an older look-up's answer is dropped.
        self._asked: tuple[str, str] | None = None

    def compose(self) -> ComposeResult:
        yield from self.compose_banner()
        yield Static("Regénérer le mot de passe d'un compte d'un élève", classes="heading")
        yield Static("Titre édition : Papillon de connexion", id="edition-title")
        yield Static("Critères de sélection", classes="subheading")
        with Horizontal(classes="criteria", id="state-row"):
            yield Label("Etat", classes="field-label")
            with RadioSet(id="state"):
                for index, (label, key) in enumerate(STATES):
                    yield MarkedRadioButton(label, value=index == 0, id=key)
        with Horizontal(classes="criteria"):
            yield Label("INE ou nom", classes="field-label")
            yield Input(id="ine", placeholder="ex. 0228191520L, ou Martin Inès")
        yield PickList(id="matches")
        yield Static("", id="candidate")
        yield from compose_generate_end(self)

    def on_mount(self) -> None:
        self.query_one("#matches", OptionList).display = False
        self.query_one("#ine", Input).focus()

    def _state(self) -> str:
        pressed = self.query_one("#state", RadioSet).pressed_button
        return pressed.id if pressed is not None and pressed.id else STATES[0][1]

    def _criteria(self) -> tuple[str, str]:
        return self.query_one("#ine", Input).value.strip(), self._state()

    def _clear(self) -> None:
        self.candidate = None
        self.query_one("#generate", Button).disabled = True
        self.query_one("#candidate", Static).update("")

    @on(Input.Changed, "#ine")
    @on(RadioSet.Changed, "#state")
    def criteria_changed(self) -> None:
        """Look the candidate up as soon as the INE is valid, or the name long enough."""
        self._clear()
        text, state = self._criteria()
        self._asked = (text, state)
        # An earlier look-up is stale now: cancelled, its answer or failure is never shown.
        self.workers.cancel_group(self, LOOKUP_GROUP)
        matches = self.query_one("#matches", OptionList)
        if not text:
            matches.display = False
            self.show_info("")
            return
        if text[0].isdigit():  # an INE: checked as it is typed
            matches.display = False
            ine = text.upper()
            if len(ine) < 11:
                self.show_info("INE : 11 caractères attendus.")
                return
            try:
                validate_ine(ine)
            except DomainError as error:
                self.show_error(str(error))
                return
            self.show_info("Recherche du candidat…")
            self.lookup(text, ine, state)
            return
        if len(text) < 2:
            matches.display = False
            self.show_info("Saisissez au moins deux lettres du nom, ou l'INE.")
            return
        self.show_info("Recherche…")
        self.search(text, state)

    @work(thread=True, exclusive=True, exit_on_error=False, name="lookup", group=LOOKUP_GROUP)
    def lookup(self, asked: str, ine: str, state: str) -> None:
        """Find the candidate matching the criteria (the answer names the real obstacle)."""
        view = account_regeneration.find_for_regeneration(
            self.session.actor, self.session.uai, ine, state
        )
        deliver(self, self._answered, (asked, state), view)

    @work(thread=True, exclusive=True, exit_on_error=False, name="search", group=LOOKUP_GROUP)
    def search(self, text: str, state: str) -> None:
        """Candidates whose name contains what was typed."""
        found = find_by_name(self.session.actor, self.session.uai, text)
        deliver(self, self._listed, (text, state), found)

    def failure_responses(self) -> Mapping[str, OnFailure]:
        """A look-up that failed (no such candidate, no account…) leaves none chosen."""
        return {"lookup": OnFailure(undo=self._clear), "search": OnFailure(undo=self._clear)}

    def _listed(self, asked: tuple[str, str], found: list[CandidatureView]) -> None:
        if asked != self._asked:
            return  # the criteria changed while searching
        matches = self.query_one("#matches", OptionList)
        self.matches = found[:MAX_MATCHES]
        matches.clear_options()
        if not found:
            matches.display = False
            self.show_error(
                f"Aucun candidat de votre établissement ne correspond à « {asked[0]} »."
            )
            return
        if len(found) == 1:
            matches.display = False
            self.show_info("Recherche du candidat…")
            self.lookup(asked[0], found[0].ine, asked[1])
            return
        matches.add_options(
            [Option(literal(candidate_line(v)), id=str(i)) for i, v in enumerate(self.matches)]
        )
        # The first pupil is highlighted: Tab then Entrée picks it (nothing happened before).
        matches.highlighted = 0
        matches.display = True
        more = f" (les {MAX_MATCHES} premiers)" if len(found) > MAX_MATCHES else ""
        self.show_info(
            f"{len(found)} candidats correspondent{more} : Tab puis flèches et Entrée pour choisir."
        )

    @on(OptionList.OptionSelected, "#matches")
    def match_chosen(self, event: OptionList.OptionSelected) -> None:
        """One of several homonyms chosen: check it can be regenerated."""
        view = self.matches[int(event.option.id or 0)]
        text, state = self._criteria()
        self._clear()
        self.show_info("Recherche du candidat…")
        self.lookup(text, view.ine, state)

    def _answered(self, asked: tuple[str, str], view: CandidatureView) -> None:
        if asked != self._asked:
            return  # a stale answer: the INE or the state changed while it was looked up
        self.candidate = view
        self.query_one("#candidate", Static).update(
            literal(
                f"Candidat : {view.display_name}  ·  INE {view.ine}  ·  classe {view.division}"
                + (f"  ·  né(e) le {view.birth_label}" if view.birth_label else "")
                + f"\nExamen : {view.exam} — {view.exam_label}  ·  état {view.state}\n"
                f"Compte : {view.login}"
            )
        )
        self.query_one("#generate", Button).disabled = False
        self.show_info(
            f"Candidat trouvé : « Générer » ({ACTIONS['regenerate-one'].key}) crée "
            "un nouveau mot de passe."
        )

    @on(Button.Pressed, "#generate")
    def action_generate(self) -> None:
        """Ask for confirmation, then regenerate."""
        view = self.candidate
        if view is None:
            self.show_error("Saisissez d'abord l'INE ou le nom d'un candidat qui a un compte.")
            return
        born = f", né(e) le {view.birth_label}" if view.birth_label else ""
        question = (
            f"Générer un nouveau mot de passe pour {view.display_name} ({view.login}) ?"
            f"\nClasse {view.division}, INE {view.ine}{born}."
            "\nL'ancien mot de passe cessera de fonctionner immédiatement."
        )

        def confirmed(answer: bool | None) -> None:
            if answer:
                self.query_one("#generate", Button).disabled = True
                self.show_info("Génération du papillon…")
                self.regenerate(view.ine, self._state())
            else:
                self.show_info(CANCELLED)

        self.app.push_screen(ConfirmModal(question, "Générer"), confirmed)

    @work(thread=True, exclusive=True, exit_on_error=False, name="regenerate", group="regenerate")
    def regenerate(self, ine: str, state: str) -> None:
        """New password, stored document."""
        result = account_regeneration.regenerate(
            self.session.actor, self.session.uai, ine, state, settings=self.ctx.settings
        )
        deliver(self, self._done, result)

    def _done(self, result: RunResult) -> None:
        document = result.documents[0]
        self.show_info(
            f"{result.message} Document « {document.title} » enregistré "
            f"(n° {document.id}) : « Afficher le compte rendu » pour l'imprimer."
        )
        self.query_one("#report", Button).focus()

    @on(Button.Pressed, "#report")
    def report_pressed(self) -> None:
        """The « Afficher le compte rendu » button."""
        self.action_report()
