"""« Mes candidats »: every candidate of the school, filtered as you type."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.widgets import Input, Static

from cyclades_tui.domain.exams import State, eligibility_word
from cyclades_tui.domain.names import display_name, fold
from cyclades_tui.services.candidates import CandidatureView, list_candidates
from cyclades_tui.ui.actions import bindings
from cyclades_tui.ui.context import ScreenContext
from cyclades_tui.ui.messages import OpenActivity
from cyclades_tui.ui.screens.base import ActivityScreen
from cyclades_tui.ui.widgets.french_text import FrenchText
from cyclades_tui.ui.widgets.virtual_table import VirtualTable
from cyclades_tui.ui.workers import deliver

Row = tuple[str, ...]
# (title, width): at 80 columns names, class, exam, state and account show; the date of
# birth (homonyms) and the INE follow (→ scrolls, or a wider terminal shows them). Names
# and account widen with the terminal.
COLUMNS = [
    ("Nom", 14),
    ("Prénom", 10),
    ("Classe", 6),
    ("Exam", 4),
    ("Etat", 11),
    ("Compte", 21),
    ("Né(e) le", 10),
    ("INE", 11),
]
FLEXIBLE = (0, 1, 5)
# The state as the list shows it (the full words stay searchable).
SHORT_STATES = {"En cours d'inscription": "En cours"}


def account_cell(view: CandidatureView) -> str:
    """The login, or why there is none."""
    if view.login:
        return view.login
    if view.eligible:
        return "— à générer"
    return eligibility_word(view.exam, State(view.state))


def search_key(view: CandidatureView) -> str:
    """What the filter matches: INE, names, class, exam, state and login, folded."""
    return fold(
        " ".join(
            (
                view.ine,
                view.family_name,
                view.usage_name,
                view.first_name,
                view.division,
                view.exam,
                view.state,
                view.login or "",
            )
        )
    )


class CandidatesScreen(ActivityScreen):
    """All candidates with their account status."""

    BINDINGS = bindings("candidates-filter", "table", "import-bee", "import-csv")

    def __init__(self, ctx: ScreenContext) -> None:
        super().__init__(ctx)
        self.rows: list[tuple[str, Row]] = []

    def compose(self) -> ComposeResult:
        yield from self.compose_banner()
        yield Static("Mes candidats", classes="heading")
        # Compact (no border): each keystroke redraws one line, not three (SSH traffic).
        yield Input(
            id="filter", placeholder="Filtrer : nom, prénom, INE, classe, examen…", compact=True
        )
        yield VirtualTable(COLUMNS, id="candidates", flexible=FLEXIBLE)
        yield FrenchText("Chargement…", id="message")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.query_one("#filter", Input).focus()

    @work(thread=True, exclusive=True, exit_on_error=False, name="load", group="load")
    def load(self) -> None:
        """Read every candidature and prepare the rows once (filtering reuses them)."""
        views = list_candidates(self.session.actor, self.session.uai)
        rows = [
            (
                search_key(v),
                (
                    display_name(v.family_name, v.usage_name, ""),
                    v.first_name,
                    v.division,
                    v.exam,
                    SHORT_STATES.get(v.state, v.state),
                    account_cell(v),
                    v.birth_label,
                    v.ine,
                ),
            )
            for v in views
        ]
        deliver(self, self._loaded, rows)

    def _loaded(self, rows: list[tuple[str, Row]]) -> None:
        self.rows = rows
        self.apply_filter(self.query_one("#filter", Input).value)

    @on(Input.Changed, "#filter")
    def filter_changed(self, event: Input.Changed) -> None:
        """Refilter on every keystroke."""
        self.apply_filter(event.value)

    def apply_filter(self, text: str) -> None:
        """Show the rows whose every word of ``text`` appears in the candidate's data."""
        words = [fold(w) for w in text.split()]
        shown = [row for key, row in self.rows if all(w in key for w in words)]
        self.query_one("#candidates", VirtualTable).set_rows(shown)
        total = len({key for key, _ in self.rows})
        self.show_info(
            f"{len(shown)} candidature(s) affichée(s) sur {len(self.rows)}"
            if words
            else f"{len(self.rows)} candidature(s)"
            if total
            else "Aucun candidat : importez vos élèves (« Importer HORS BEE »)."
        )

    @on(Input.Submitted, "#filter")
    def action_focus_table(self) -> None:
        """Move to the list."""
        self.query_one("#candidates", VirtualTable).focus()

    def action_import_csv(self) -> None:
        """Open « Importer HORS BEE » above this list (it reloads on return)."""
        self.post_message(OpenActivity("import_csv", above=True))

    def action_import_siecle(self) -> None:
        """Open « Importer mes élèves depuis la BEE » above this list."""
        self.post_message(OpenActivity("import_siecle", above=True))

    def on_screen_resume(self) -> None:
        """Back from an import: show the new candidates."""
        self.load()

    def action_focus_filter(self) -> None:
        """Move to the filter."""
        self.query_one("#filter", Input).focus()
