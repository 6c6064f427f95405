"""« Importer mes élèves depuis la BEE »: a SIECLE export, classes chosen, exam and state set."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Checkbox, Input, Label, Select, SelectionList, Static

from cyclades_tui.domain.exams import EXAMS, State
from cyclades_tui.services import files
from cyclades_tui.services.errors import BadInput, PupilsWithoutIne
from cyclades_tui.services.siecle_import import (
    SiecleFile,
    SiecleReport,
    check_school,
    import_siecle,
    parse_siecle,
    read_file,
)
from cyclades_tui.ui.actions import bindings
from cyclades_tui.ui.context import ScreenContext
from cyclades_tui.ui.screens.base import ActivityScreen
from cyclades_tui.ui.text import literal
from cyclades_tui.ui.widgets.toggles import MarkedCheckbox, MarkedSelectionList
from cyclades_tui.ui.workers import deliver

EXAM_OPTIONS = [(f"{code} — {label}", code) for code, label in EXAMS.items()]
STATE_OPTIONS = [(state.value, state.value) for state in State]


class BeeImportScreen(ActivityScreen):
    """Read the export, choose classes, exam and initial state, check, then import."""

    BINDINGS = bindings("check", "import")

    def __init__(self, ctx: ScreenContext) -> None:
        super().__init__(ctx)
        self.export: SiecleFile | None = None
        self.path: bytes | None = None  # the export's bytes, read once
        self.checked = False

    def compose(self) -> ComposeResult:
        yield from self.compose_banner()
        # Scrolls at 80x24 once classes and faults are listed: the focused field and the
        # buttons stay reachable (Textual scrolls the focused widget into view).
        with VerticalScroll(id="body"):
            yield Static("Importer mes élèves depuis la BEE", classes="heading")
            with Horizontal(classes="criteria"):
                yield Label("Export", classes="field-label")
                yield Input(id="path", placeholder="ElevesSansAdresses.zip")
            with Horizontal(classes="criteria"):
                yield Label("Examen", classes="field-label")
                yield Select(EXAM_OPTIONS, id="exam", prompt="Choisir l'examen")
            with Horizontal(classes="criteria"):
                yield Label("Etat initial", classes="field-label")
                yield Select(STATE_OPTIONS, id="state", value=State.INSCRIT.value,
                             allow_blank=False)
            yield MarkedSelectionList(id="divisions")
            yield MarkedCheckbox("Ignorer les élèves sans INE valide", id="skip")
            with Horizontal(classes="buttons"):
                yield Button("Vérifier", id="check")
                yield Button("Importer", id="import", variant="primary", disabled=True)
            yield Static("", id="faults")
        yield Static("Export SIECLE (.zip ou .xml) déposé dans depot/ puis Entrée.", id="message")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.query_one("#divisions", SelectionList).display = False
        self.query_one("#skip", Checkbox).display = False
        self.query_one("#path", Input).focus()

    @on(Input.Submitted, "#path")
    def read_export(self) -> None:
        """Read the export and list its classes."""
        raw = self.query_one("#path", Input).value.strip()
        if raw:
            self.show_info("Lecture de l'export…")
            self.load(raw)

    @work(thread=True, exclusive=True, exit_on_error=False, name="load", group="load")
    def load(self, typed: str) -> None:
        """Read the file in the school's folder only and parse it (no database access);
        another school's export is refused here, before classes are offered."""
        folder = files.folder_for(self.ctx.db_url, self.session.uai, self.ctx.settings)
        path = files.read_confined(folder, typed)
        export = parse_siecle(read_file(path))  # read_file checks the size
        check_school(export, self.session.uai)
        deliver(self, self._loaded, path, export)

    def worker_failed(self, name: str) -> None:
        """A file that could not be read leaves nothing chosen from an earlier one."""
        if name == "load":
            self.path, self.export = None, None
            self.query_one("#divisions", SelectionList).display = False
            self.query_one("#faults", Static).update("")
            self.query_one("#path", Input).focus()
            self._invalidate()

    def _loaded(self, path: bytes, export: SiecleFile) -> None:
        self.path, self.export = path, export
        divisions = self.query_one("#divisions", SelectionList)
        divisions.clear_options()
        divisions.add_options([
            (literal(f"{name or '(sans division)'} — {count} élève(s)"), name, True)
            for name, count in sorted(export.divisions.items())
        ])
        divisions.display = True
        present = export.present
        without = sum(1 for p in present if not p.ine)
        left = len(export.pupils) - len(present)
        self.show_info(f"Export de l'établissement {export.uaj} : {len(present)} élève(s)"
                       f", {len(export.divisions)} division(s). Cochez les classes (Espace), "
                       "choisissez l'examen puis « Vérifier »."
                       + (f" {without} élève(s) sans INE." if without else "")
                       + (f" {left} élève(s) sorti(s) avant l'export, laissé(s) de côté."
                          if left else ""))
        self.query_one("#exam", Select).focus()
        self._invalidate()

    @on(Select.Changed)
    @on(SelectionList.SelectedChanged)
    @on(Checkbox.Changed)
    def _invalidate(self) -> None:
        """Any change of choice must be checked again before importing."""
        self.checked = False
        self.query_one("#import", Button).disabled = True

    def _choices(self) -> tuple[str, str, list[str], bool] | None:
        exam = self.query_one("#exam", Select)
        if self.export is None or self.path is None:
            self.show_error("Lisez d'abord un export SIECLE (chemin puis Entrée).")
            return None
        if exam.is_blank():
            self.show_error("Choisissez l'examen des élèves importés.")
            return None
        divisions = list(self.query_one("#divisions", SelectionList).selected)
        if not divisions:
            self.show_error("Cochez au moins une division.")
            return None
        state = str(self.query_one("#state", Select).value)
        return str(exam.value), state, divisions, self.query_one("#skip", Checkbox).value

    @on(Button.Pressed, "#check")
    def action_check(self) -> None:
        """Dry run with the current choices."""
        choices = self._choices()
        if choices is not None and self.path is not None:
            self.run_import(self.path, *choices, dry_run=True)

    @on(Button.Pressed, "#import")
    def action_import_file(self) -> None:
        """Import for real, once checked."""
        choices = self._choices()
        if choices is None or self.path is None:
            return
        if not self.checked:
            self.show_error("Vérifiez d'abord l'import.")
            return
        self.query_one("#import", Button).disabled = True
        self.run_import(self.path, *choices, dry_run=False)

    @work(thread=True, exclusive=True, exit_on_error=False, name="import", group="import")
    def run_import(self, path: bytes, exam: str, state: str, divisions: list[str], skip: bool,
                   dry_run: bool) -> None:
        """Check or import; faults (and pupils without INE) are listed in the screen."""
        try:
            report = import_siecle(self.session.actor, self.session.uai, path, exam, state,
                                   divisions, skip_invalid_ine=skip, dry_run=dry_run,
                                   max_candidates=self.ctx.settings.max_candidates_per_school)
        except BadInput as error:
            deliver(self, self._faults, error)
            return
        deliver(self, self._reported, report, dry_run)

    def _faults(self, error: BadInput) -> None:
        self.query_one("#faults", Static).update(literal("\n".join(error.faults[:200])))
        if isinstance(error, PupilsWithoutIne):
            skip = self.query_one("#skip", Checkbox)
            skip.display = True
            skip.focus()
            self.show_error(f"{len(error.pupils)} élève(s) sans INE valide : cochez « Ignorer "
                            "les élèves sans INE valide » pour importer les autres.")
            return
        self.show_error(error.message)

    def _reported(self, report: SiecleReport, dry_run: bool) -> None:
        skipped = f" {len(report.skipped)} élève(s) sans INE ignoré(s)." if report.skipped else ""
        if report.left:
            skipped += f" {len(report.left)} élève(s) sorti(s) laissé(s) de côté."
        aside = report.skipped + report.left
        self.query_one("#faults", Static).update(literal("\n".join(aside[:200])))
        if dry_run:
            self.checked = True
            self.query_one("#import", Button).disabled = False
            self.show_info(f"Vérifié : {report.added} élève(s) à ajouter, {report.updated} à "
                           f"mettre à jour, {report.unchanged} inchangé(s).{skipped} "
                           "« Importer » pour confirmer.")
        else:
            self.checked = False
            self.show_info(f"Import terminé : {report.added} ajouté(s), {report.updated} mis à "
                           f"jour, {report.unchanged} inchangé(s).{skipped}")
