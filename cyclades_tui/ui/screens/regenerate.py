"""« Regénérer le mot de passe d'un compte d'un élève »: criteria, candidate, confirmation."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.validation import ValidationResult, Validator
from textual.widgets import Button, Input, Label, Select, Static

from cyclades_tui.domain.errors import DomainError
from cyclades_tui.domain.exams import ELIGIBLE_STATES, fold
from cyclades_tui.domain.identifiers import validate_ine
from cyclades_tui.services import accounts
from cyclades_tui.services.accounts import RunResult
from cyclades_tui.services.candidates import CandidateView
from cyclades_tui.ui.screens.base import ActivityScreen
from cyclades_tui.ui.text import literal
from cyclades_tui.ui.widgets.modals import ConfirmModal

# The states that can give an account: label, and the short form parse_state reads.
STATES = [(s.value, fold(s.value)) for s in ELIGIBLE_STATES]


class IneValidator(Validator):
    """Validates an INE as it is typed, with the domain's own check."""

    def validate(self, value: str) -> ValidationResult:
        try:
            validate_ine(value)
        except DomainError as error:
            return self.failure(str(error))
        return self.success()


class RegenerateScreen(ActivityScreen):
    """New provisional password for one candidate who already has an account."""

    BINDINGS = [
        Binding("ctrl+g", "generate", "Générer", id="generate",
                tooltip="Nouveau mot de passe pour le candidat affiché"),
        Binding("ctrl+r", "report", "Afficher le compte rendu", id="report",
                tooltip="Liste des documents générés"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.candidate: CandidateView | None = None

    def compose(self) -> ComposeResult:
        yield from self.compose_banner()
        yield Static("Regénérer le mot de passe d'un compte d'un élève", classes="heading")
        yield Static("Titre édition : Papillon de connexion", id="edition-title")
        yield Static("Critères de sélection", classes="subheading")
        with Horizontal(classes="criteria"):
            yield Label("Etat", classes="field-label")
            yield Select(STATES, value="inscrit", allow_blank=False, id="state")
        with Horizontal(classes="criteria"):
            yield Label("INE", classes="field-label")
            yield Input(id="ine", placeholder="ex. 0228191520L", max_length=11,
                        validators=[IneValidator()], valid_empty=True)
        yield Static("", id="candidate")
        with Horizontal(classes="buttons"):
            yield Button("Générer", id="generate", variant="primary", disabled=True)
            yield Button("Afficher le compte rendu", id="report")
        yield Static("", id="message")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.query_one("#ine", Input).focus()

    def _criteria(self) -> tuple[str, str]:
        state = self.query_one("#state", Select).value
        return self.query_one("#ine", Input).value.strip().upper(), str(state)

    @on(Input.Changed, "#ine")
    @on(Select.Changed, "#state")
    def criteria_changed(self) -> None:
        """Look the candidate up as soon as the INE is valid."""
        self.candidate = None
        self.query_one("#generate", Button).disabled = True
        ine, state = self._criteria()
        field = self.query_one("#ine", Input)
        result = field.validate(field.value)
        if not ine:
            self.query_one("#candidate", Static).update("")
            self.show_info("")
            return
        if result is not None and not result.is_valid:
            self.query_one("#candidate", Static).update("")
            if len(ine) == 11:
                self.show_error(result.failure_descriptions[0])
            else:
                self.show_info("INE : 11 caractères attendus.")
            return
        self.show_info("Recherche du candidat…")
        self.lookup(ine, state)

    @work(thread=True, exclusive=True, exit_on_error=False, name="lookup", group="lookup")
    def lookup(self, ine: str, state: str) -> None:
        """Find the candidate matching the criteria."""
        view = accounts.find_for_regeneration(self.session.actor, self.session.uai, ine, state)
        self.app.call_from_thread(self._found, view)

    def _found(self, view: CandidateView) -> None:
        self.candidate = view
        self.query_one("#candidate", Static).update(literal(
            f"Candidat : {view.display_name}  ·  INE {view.ine}  ·  classe {view.division}\n"
            f"Examen : {view.exam} — {view.exam_label}  ·  état {view.state}\n"
            f"Compte : {view.login}"))
        self.query_one("#generate", Button).disabled = False
        self.show_info("Candidat trouvé : « Générer » crée un nouveau mot de passe.")

    def worker_failed(self, name: str) -> None:
        if name == "lookup":
            self.query_one("#candidate", Static).update("")

    @on(Button.Pressed, "#generate")
    def action_generate(self) -> None:
        """Ask for confirmation, then regenerate."""
        view = self.candidate
        if view is None:
            self.show_error("Saisissez d'abord l'INE d'un candidat qui a un compte.")
            return
        question = (f"Générer un nouveau mot de passe pour {view.display_name} ({view.login}) ?"
                    "\nL'ancien mot de passe cessera de fonctionner immédiatement.")

        def confirmed(answer: bool | None) -> None:
            if answer:
                self.query_one("#generate", Button).disabled = True
                self.show_info("Génération du papillon…")
                _, state = self._criteria()
                self.regenerate(view.ine, state)

        self.app.push_screen(ConfirmModal(question, "Générer"), confirmed)

    @work(thread=True, exclusive=True, exit_on_error=False, name="regenerate", group="regenerate")
    def regenerate(self, ine: str, state: str) -> None:
        """New password, stored document."""
        result = accounts.regenerate(self.session.actor, self.session.uai, ine, state,
                                     settings=self.cyc.settings)
        self.app.call_from_thread(self._done, result)

    def _done(self, result: RunResult) -> None:
        document = result.documents[0]
        self.show_info(f"{result.message} Document « {document.title} » enregistré "
                       f"(n° {document.id}) : « Afficher le compte rendu » pour l'imprimer.")
        self.query_one("#report", Button).focus()

    @on(Button.Pressed, "#report")
    def report_pressed(self) -> None:
        """The « Afficher le compte rendu » button."""
        self.action_report()
