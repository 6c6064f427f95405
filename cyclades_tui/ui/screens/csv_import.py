"""« Importer HORS BEE »: choose a CSV, see a preview and every error, then confirm."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Input, Label, Static

from cyclades_tui.domain.exams import eligibility_word
from cyclades_tui.services import files
from cyclades_tui.services.csv_import import import_csv
from cyclades_tui.services.errors import BadInput
from cyclades_tui.services.import_records import ImportReport
from cyclades_tui.ui.actions import ACTIONS, bindings
from cyclades_tui.ui.context import ScreenContext
from cyclades_tui.ui.screens.import_screen import ImportScreen
from cyclades_tui.ui.text import literal
from cyclades_tui.ui.widgets.french_text import FrenchText
from cyclades_tui.ui.widgets.virtual_table import VirtualTable, widest
from cyclades_tui.ui.workers import OnFailure

PREVIEW_ROWS = 8
CHECK_KEY = ACTIONS["check"].key
# Exam, state and eligibility before birth date and INE: they show at 80 columns.
TITLES = ("Ligne", "Nom", "Prénom", "Classe", "Examen", "Etat", "Compte", "Naissance", "INE")


class CsvImportScreen(ImportScreen):
    """Check a candidate CSV (dry run), show what it holds, import it on confirmation."""

    BINDINGS = bindings("check", "import")

    def __init__(self, ctx: ScreenContext) -> None:
        super().__init__(ctx)
        # The bytes checked and previewed: « Importer » imports these, not the file again
        # (it may have been replaced over SFTP since).
        self.checked: bytes | None = None
        self.failed = False  # the last check found errors

    def compose(self) -> ComposeResult:
        yield from self.compose_banner()
        yield Static("Importer HORS BEE", classes="heading")
        with Horizontal(classes="criteria"):
            yield Label("Fichier CSV", classes="field-label")
            yield Input(id="path", placeholder="eleves.csv")
        yield VirtualTable(widest(TITLES, []), id="preview", zebra=False)
        yield Static("", id="faults")
        with Horizontal(classes="buttons"):
            yield Button("Vérifier", id="check")
            yield Button("Importer", id="import", variant="primary", disabled=True)
        yield FrenchText(
            "Nom du fichier déposé dans depot/ puis Entrée pour le vérifier.", id="message"
        )
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.query_one("#preview", VirtualTable).display = False
        self.query_one("#path", Input).focus()

    @on(Input.Changed, "#path")
    def path_changed(self) -> None:
        """A new path must be checked again before importing."""
        self.checked = None
        self.failed = False
        self.query_one("#import", Button).disabled = True

    @on(Input.Submitted, "#path")
    @on(Button.Pressed, "#check")
    def action_check(self) -> None:
        """Dry-run the import: nothing is written."""
        raw = self.query_one("#path", Input).value.strip()
        if not raw:
            self.show_error("Saisissez le chemin du fichier CSV.")
            return
        self.show_info("Vérification…")
        self.check(raw)

    @work(thread=True, exclusive=True, exit_on_error=False, name="check", group="check")
    def check(self, path: str) -> None:
        """Read (in the school's folder only) and validate every line."""
        folder = files.school_folder(self.ctx.files_root, self.session.uai)
        data = files.read_confined(folder, path)
        self.run_service(import_csv, data, partial(self._checked, data), dry_run=True)

    def failure_responses(self) -> Mapping[str, OnFailure]:
        """A file refused (check or import) lists every fault in the screen."""
        return {"check": OnFailure(faults=self._faults), "import": OnFailure(faults=self._faults)}

    def _faults(self, error: BadInput) -> str:
        """List the file's faults; the message to show with them."""
        self.failed = True
        self.query_one("#preview", VirtualTable).display = False
        self.query_one("#faults", Static).update(literal("\n".join(error.faults[:200])))
        return error.message

    def _checked(self, data: bytes, report: ImportReport) -> None:
        rows: list[tuple[str, ...]] = [
            (
                str(r.line),
                r.family_name,
                r.first_name,
                r.division,
                r.exam,
                r.state.value,
                eligibility_word(r.exam, r.state),
                f"{r.birth_date:%d/%m/%Y}",
                r.ine,
            )
            for r in report.records[:PREVIEW_ROWS]
        ]
        table = self.query_one("#preview", VirtualTable)
        table.set_columns(widest(TITLES, rows))
        table.cursor = 0
        table.set_rows(rows)
        table.display = True
        self.query_one("#faults", Static).update("")
        self.checked = data
        self.failed = False
        self.query_one("#import", Button).disabled = False
        self.show_info(
            f"Fichier valide : {report.total} ligne(s), {report.added} à ajouter, "
            f"{report.updated} à mettre à jour, {report.unchanged} inchangée(s). "
            "« Importer » pour confirmer."
        )

    @on(Button.Pressed, "#import")
    def action_import_file(self) -> None:
        """Import the checked file."""
        if self.checked is None:
            self.show_error(
                "Le fichier contient des erreurs (listées ci-dessus) : rien n'est "
                f"importé ; corrigez-le puis vérifiez-le à nouveau ({CHECK_KEY})."
                if self.failed
                else f"Vérifiez d'abord le fichier ({CHECK_KEY})."
            )
            return
        self.query_one("#import", Button).disabled = True
        self.run_import(self.checked)

    @work(thread=True, exclusive=True, exit_on_error=False, name="import", group="import")
    def run_import(self, data: bytes) -> None:
        """Import for real, all or nothing, the bytes that were checked."""
        self.run_service(import_csv, data, self._imported)

    def _imported(self, report: ImportReport) -> None:
        self.show_info(
            f"Import terminé : {report.added} ajouté(s), "
            f"{report.updated} mis à jour, {report.unchanged} inchangé(s)."
        )
