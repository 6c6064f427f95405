"""« Générer les comptes Cyclades de mes élèves »: prerequisite, counts, generation, progress."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, ProgressBar, Static

from cyclades_tui.services import account_generation
from cyclades_tui.services.access import SERVICE_MISSING
from cyclades_tui.services.account_generation import AccountStatus
from cyclades_tui.services.candidates import CandidatureView
from cyclades_tui.ui.actions import bindings
from cyclades_tui.ui.context import ScreenContext
from cyclades_tui.ui.generations import (
    GenerationFailed,
    GenerationFinished,
    GenerationProgress,
    ShowsGeneration,
)
from cyclades_tui.ui.screens.base import ActivityScreen
from cyclades_tui.ui.widgets.french_text import FrenchText
from cyclades_tui.ui.widgets.virtual_table import VirtualTable
from cyclades_tui.ui.workers import OnFailure, deliver

PENDING_COLUMNS = [
    ("INE", 11),
    ("Nom", 16),
    ("Prénom", 12),
    ("Classe", 6),
    ("Examen", 6),
    ("Etat", 11),
]
PREREQUISITE_OK = (
    "Pré-requis : le service de gestion des candidats en établissement est "
    "positionné par le gestionnaire des examens."
)


def compose_generate_end(screen: ActivityScreen) -> ComposeResult:
    """« Générer » (off until there is something to do), « Afficher le compte rendu », the
    message line and the footer: the end of both generation screens."""
    with Horizontal(classes="buttons"):
        yield Button("Générer", id="generate", variant="primary", disabled=True)
        yield Button("Afficher le compte rendu", id="report")
    yield FrenchText("", id="message")
    yield from screen.compose_footer()


class GenerateScreen(ActivityScreen, ShowsGeneration):
    """Create the accounts of the eligible candidates who have none.

    The generation is run by the app (it goes on when this screen is left); the screen
    shows its progress and outcome from the messages the app forwards to it.
    """

    BINDINGS = bindings("generate", "report")

    def __init__(self, ctx: ScreenContext) -> None:
        super().__init__(ctx)
        self.status: AccountStatus | None = None

    @property
    def running(self) -> bool:
        """True while this school's generation runs (started here or before)."""
        generation = self.ctx.generations.get(self.session.uai)
        return generation is not None and generation.running

    def compose(self) -> ComposeResult:
        yield from self.compose_banner()
        yield Static("Générer les comptes Cyclades de mes élèves", classes="heading")
        yield Static("", id="prerequisite")
        yield Static("Chargement…", id="counts")
        # Fixed columns, whole or not at all (the INE's 11 characters always); names widen
        # with the terminal.
        yield VirtualTable(PENDING_COLUMNS, id="pending", flexible=(1, 2))
        yield ProgressBar(id="progress", show_eta=False)
        yield from compose_generate_end(self)

    def on_mount(self) -> None:
        self.query_one("#progress", ProgressBar).display = False
        # A generation left running (« Retour ») goes on: show where it stands.
        generation = self.ctx.generations.get(self.session.uai)
        if generation is not None and generation.running:
            self._follow(generation.done, generation.total)
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, name="load", group="load")
    def load(self) -> None:
        """Read the counts and the candidates without an account."""
        status = account_generation.status(self.session.actor, self.session.uai)
        pending = account_generation.pending_candidates(self.session.actor, self.session.uai)
        deliver(self, self._show, status, pending)

    def _show(self, status: AccountStatus, pending: list[CandidatureView]) -> None:
        self.status = status
        prerequisite = self.query_one("#prerequisite", Static)
        if status.school.service_enabled:
            prerequisite.update(PREREQUISITE_OK)
            prerequisite.set_class(False, "error")
        else:
            prerequisite.update(
                "Pré-requis non rempli : le service de gestion des candidats en établissement "
                "n'est pas positionné par le gestionnaire des examens. La génération est "
                "impossible."
            )
            prerequisite.set_class(True, "error")
        counts = (
            f"Candidats éligibles : {status.eligible}  ·  avec compte : "
            f"{status.with_account}  ·  sans compte : {status.without_account}"
        )
        if status.eligible and not status.without_account:
            counts += "\n" + account_generation.ALL_GENERATED
        self.query_one("#counts", Static).update(counts)
        table = self.query_one("#pending", VirtualTable)
        table.set_rows(
            [(v.ine, v.family_name, v.first_name, v.division, v.exam, v.state) for v in pending]
        )
        table.display = bool(pending)
        self.query_one("#generate", Button).disabled = not self._can_generate()

    def _can_generate(self) -> bool:
        return (
            not self.running
            and self.status is not None
            and self.status.school.service_enabled
            and self.status.without_account > 0
        )

    @on(Button.Pressed, "#generate")
    def action_generate(self) -> None:
        """Start the generation (run by the app: it goes on if this screen is left)."""
        if self.running:
            self.show_info(
                "Une génération est déjà en cours pour cet établissement : "
                "attendez qu'elle se termine."
            )
            return
        if not self._can_generate():
            # The prerequisite first, whatever the counts: « all generated » was untrue.
            if self.status is not None and not self.status.school.service_enabled:
                self.show_error(SERVICE_MISSING)
            elif self.status is not None and self.status.eligible == 0:
                self.show_info(account_generation.NO_ELIGIBLE)
            elif self.status is not None and self.status.without_account == 0:
                self.show_info(account_generation.ALL_GENERATED)
            return
        assert self.status is not None
        generation = self.ctx.generations.start(
            self.session.actor, self.session.uai, self.ctx.settings, self.status.without_account
        )
        if generation is None:
            self.show_info(
                "Une génération est déjà en cours pour cet établissement : "
                "attendez qu'elle se termine."
            )
            return
        self._follow(generation.done, generation.total)

    def _follow(self, done: int, total: int) -> None:
        """Show the progress bar where the generation stands (its messages move it on)."""
        self.query_one("#generate", Button).disabled = True
        bar = self.query_one("#progress", ProgressBar)
        bar.update(total=max(total, 1), progress=done)
        bar.display = True
        self.show_info("Génération en cours : hachage des mots de passe…")

    def on_generation_progress(self, message: GenerationProgress) -> None:
        """``done`` of ``total`` passwords hashed; then the accounts are stored."""
        if message.uai != self.session.uai:
            return
        bar = self.query_one("#progress", ProgressBar)
        bar.update(total=max(message.total, 1), progress=message.done)
        if message.total and message.done == message.total:
            self.show_info("Enregistrement des comptes et des papillons…")

    def on_generation_failed(self, message: GenerationFailed) -> None:
        """Nothing was stored: say why, and offer « Générer » again."""
        if message.uai == self.session.uai:
            self.report_failure(message.error, OnFailure(undo=self._generation_failed))

    def _generation_failed(self) -> None:
        self.query_one("#progress", ProgressBar).display = False
        self.query_one("#generate", Button).disabled = not self._can_generate()

    def on_generation_finished(self, message: GenerationFinished) -> None:
        """Accounts and documents stored: say so, and count again."""
        if message.uai != self.session.uai:
            return
        result = message.result
        text = result.message
        if result.documents:
            text += (
                f" {len(result.documents)} documents « {result.documents[0].title} » enregistrés."
            )
        self.show_info(text)
        self.query_one("#report", Button).focus()
        self.load()

    @on(Button.Pressed, "#report")
    def report_pressed(self) -> None:
        """The « Afficher le compte rendu » button."""
        self.action_report()
