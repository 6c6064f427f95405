"""« Importer mes élèves depuis la BEE »: a SIECLE export picked in depot/, classes chosen,
exam and state set, checked (what it will change), then imported."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Checkbox, Label, OptionList, Select, SelectionList, Static
from textual.widgets.option_list import Option

from cyclades_tui.domain.exams import EXAMS, State
from cyclades_tui.services import files
from cyclades_tui.services.errors import BadInput, OtherExamCandidates, PupilsWithoutIne
from cyclades_tui.services.files import IncomingFile
from cyclades_tui.services.siecle_export import SiecleFile, check_school, parse_siecle, read_file
from cyclades_tui.services.siecle_import import SiecleReport, import_siecle
from cyclades_tui.ui.actions import ACTIONS, KEY_NAMES, bindings
from cyclades_tui.ui.context import ScreenContext
from cyclades_tui.ui.screens.import_screen import ImportScreen
from cyclades_tui.ui.text import literal
from cyclades_tui.ui.widgets.french_text import FrenchText
from cyclades_tui.ui.widgets.lists import PickList
from cyclades_tui.ui.widgets.modals import CANCELLED, ConfirmModal
from cyclades_tui.ui.widgets.toggles import MarkedCheckbox, MarkedSelectionList
from cyclades_tui.ui.workers import OnFailure, deliver

EXAM_OPTIONS = [(f"{code} — {label}", code) for code, label in EXAMS.items()]
STATE_OPTIONS = [(state.value, state.value) for state in State]
EXPORT_SUFFIXES = (".zip", ".xml")
# How many pupils a confirmation names before « … et N autre(s) ».
NAMED_IN_CONFIRMATION = 5

PICK_HINT = (
    "Choisissez l'export SIECLE dans la liste (↑ ↓ puis Entrée). Absent ? Déposez-le "
    "(.zip ou .xml) dans le dossier depot/ de l'établissement, puis « Actualiser » "
    f"({KEY_NAMES[ACTIONS['reload'].key]})."
)
EMPTY_DEPOT = (
    "Aucun export .zip ou .xml dans le dossier depot/ : déposez-y l'export SIECLE "
    "(ElevesSansAdresses) par SFTP, puis « Actualiser » "
    f"({KEY_NAMES[ACTIONS['reload'].key]})."
)


class SiecleImportScreen(ImportScreen):
    """Pick the export, choose classes (none ticked), exam and state, check, then import."""

    BINDINGS = bindings("check", "import", "reload")

    def __init__(self, ctx: ScreenContext) -> None:
        super().__init__(ctx)
        self.export: SiecleFile | None = None
        self.export_bytes: bytes | None = None  # read once, checked and imported from memory
        self.checked = False
        self.report: SiecleReport | None = None  # the last check

    def compose(self) -> ComposeResult:
        yield from self.compose_banner()
        # Scrolls at 80x24 once classes and faults are listed: the focused field and the
        # buttons stay reachable (Textual scrolls the focused widget into view).
        with VerticalScroll(id="body"):
            yield Static("Importer mes élèves depuis la BEE", classes="heading")
            yield Static(
                "Exports déposés dans depot/ (le plus récent en premier) :", classes="hint"
            )
            yield PickList(id="files")
            with Horizontal(classes="criteria"):
                yield Label("Examen", classes="field-label")
                yield Select(EXAM_OPTIONS, id="exam", prompt="Choisir l'examen")
            with Horizontal(classes="criteria"):
                yield Label("Etat initial", classes="field-label")
                yield Select(
                    STATE_OPTIONS, id="state", value=State.INSCRIT.value, allow_blank=False
                )
            yield MarkedSelectionList(id="divisions")
            yield MarkedCheckbox("Ignorer les élèves sans INE valide", id="skip")
            with Horizontal(classes="buttons"):
                yield Button("Vérifier", id="check")
                yield Button("Importer", id="import", variant="primary", disabled=True)
            yield Static("", id="report")
            yield Static("", id="faults")
        yield FrenchText(PICK_HINT, id="message")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.query_one("#divisions", SelectionList).display = False
        self.query_one("#skip", Checkbox).display = False
        self.query_one("#files", OptionList).focus()
        self.list_files()

    def action_reload(self) -> None:
        """« Actualiser »: list depot/ again (a file dropped by SFTP meanwhile)."""
        self.list_files()

    @work(thread=True, exclusive=True, exit_on_error=False, name="list", group="list")
    def list_files(self) -> None:
        """The exports of the school's depot/, newest first."""
        folder = files.school_folder(self.ctx.files_root, self.session.uai)
        deliver(self, self._listed, files.incoming_files(folder, EXPORT_SUFFIXES))

    def _listed(self, found: list[IncomingFile]) -> None:
        listing = self.query_one("#files", OptionList)
        listing.clear_options()
        listing.add_options([Option(literal(f.label), id=f.name) for f in found])
        if found and listing.has_focus:
            listing.highlighted = 0
        if not found:
            self.show_info(EMPTY_DEPOT)

    @on(PickList.NothingChosen)
    def nothing_chosen(self) -> None:
        """Entrée with no file to pick says what to do."""
        self.show_error(EMPTY_DEPOT)

    @on(OptionList.OptionSelected, "#files")
    def read_export(self, event: OptionList.OptionSelected) -> None:
        """Read the chosen export and list its classes."""
        if event.option.id is not None:
            self.show_info("Lecture de l'export…")
            self.load(event.option.id)

    @work(thread=True, exclusive=True, exit_on_error=False, name="load", group="load")
    def load(self, name: str) -> None:
        """Read the file in the school's folder only and parse it (no database access);
        another school's export is refused here, before classes are offered."""
        folder = files.school_folder(self.ctx.files_root, self.session.uai)
        data = files.read_confined(folder, name)
        export = parse_siecle(read_file(data))  # read_file checks the size
        check_school(export, self.session.uai)
        deliver(self, self._loaded, data, export)

    def failure_responses(self) -> Mapping[str, OnFailure]:
        """A file that could not be read leaves nothing chosen from an earlier one; a check
        or import refused lists its faults; any other failure must be checked again."""
        return {
            "load": OnFailure(undo=self._forget_export),
            "import": OnFailure(undo=self._invalidate, faults=self._faults),
        }

    def _forget_export(self) -> None:
        self.export_bytes, self.export = None, None
        self.query_one("#divisions", SelectionList).display = False
        self.query_one("#faults", Static).update("")
        self.query_one("#files", OptionList).focus()
        self._invalidate()

    def _loaded(self, data: bytes, export: SiecleFile) -> None:
        self.export_bytes, self.export = data, export
        divisions = self.query_one("#divisions", SelectionList)
        divisions.clear_options()
        # None ticked: an import of every class gave lycée pupils a DNB candidature.
        divisions.add_options(
            [
                (literal(f"{name or '(sans division)'} — {count} élève(s)"), name, False)
                for name, count in sorted(export.divisions.items())
            ]
        )
        divisions.display = True
        present = export.present
        without = sum(1 for p in present if not p.ine)
        left = len(export.pupils) - len(present)
        self.show_info(
            f"Export de l'établissement {export.uaj} : {len(present)} élève(s)"
            f", {len(export.divisions)} division(s). Choisissez l'examen, cochez "
            "ses classes (Espace) puis « Vérifier »."
            + (f" {without} élève(s) sans INE." if without else "")
            + (f" {left} élève(s) sorti(s) avant l'export, laissé(s) de côté." if left else "")
        )
        self.query_one("#exam", Select).focus()
        self._invalidate()

    @on(Select.Changed)
    @on(SelectionList.SelectedChanged)
    @on(Checkbox.Changed)
    def _invalidate(self) -> None:
        """Any change of choice must be checked again before importing."""
        self.checked = False
        self.report = None
        self.query_one("#import", Button).disabled = True

    def _choices(self) -> tuple[str, str, list[str], bool] | None:
        exam = self.query_one("#exam", Select)
        if self.export is None or self.export_bytes is None:
            self.show_error("Choisissez d'abord l'export dans la liste des fichiers (Entrée).")
            return None
        if exam.is_blank():
            self.show_error("Choisissez l'examen des élèves importés.")
            return None
        divisions = list(self.query_one("#divisions", SelectionList).selected)
        if not divisions:
            self.show_error("Cochez au moins une classe (Espace) : aucune n'est cochée d'office.")
            return None
        state = str(self.query_one("#state", Select).value)
        return str(exam.value), state, divisions, self.query_one("#skip", Checkbox).value

    @on(Button.Pressed, "#check")
    def action_check(self) -> None:
        """Dry run with the current choices."""
        choices = self._choices()
        if choices is not None and self.export_bytes is not None:
            self.run_import(self.export_bytes, *choices, dry_run=True)

    @on(Button.Pressed, "#import")
    def action_import_file(self) -> None:
        """Import for real, once checked; pupils already candidates for another exam only
        get the new candidature after a confirmation naming them."""
        choices = self._choices()
        if choices is None or self.export_bytes is None:
            return
        if not self.checked or self.report is None:
            self.show_error("Vérifiez d'abord l'import (« Vérifier »).")
            return
        named = self.report.other_exams
        data = self.export_bytes
        if not named:
            self.query_one("#import", Button).disabled = True
            self.run_import(data, *choices, dry_run=False)
            return
        shown = "\n".join(f"- {line}" for line in named[:NAMED_IN_CONFIRMATION])
        more = len(named) - NAMED_IN_CONFIRMATION
        question = (
            f"{len(named)}\u00a0élève(s) déjà candidat(s) à un autre examen "
            f"recevrai(en)t une candidature {choices[0]}\u00a0:\n{shown}"
            + (f"\n… et {more}\u00a0autre(s)." if more > 0 else "")
            + "\nAjouter ces candidatures\u00a0?"
        )

        def confirmed(answer: bool | None) -> None:
            if answer:
                self.query_one("#import", Button).disabled = True
                self.run_import(data, *choices, dry_run=False, other_exams=True)
            else:
                self.show_info(
                    f"{CANCELLED} Rien n'a été importé. Décochez les classes de "
                    "ces élèves, puis « Vérifier »."
                )

        self.app.push_screen(ConfirmModal(question, "Ajouter les candidatures"), confirmed)

    @work(thread=True, exclusive=True, exit_on_error=False, name="import", group="import")
    def run_import(
        self,
        data: bytes,
        exam: str,
        state: str,
        divisions: list[str],
        skip: bool,
        dry_run: bool,
        other_exams: bool = False,
    ) -> None:
        """Check or import; faults (and pupils without INE) are listed in the screen."""
        self.run_service(
            import_siecle,
            data,
            partial(self._reported, dry_run=dry_run),
            exam,
            state,
            divisions,
            skip_invalid_ine=skip,
            dry_run=dry_run,
            other_exams=other_exams,
        )

    def _faults(self, error: BadInput) -> str:
        """List a refused check's or import's faults; the message to show with them."""
        self.query_one("#faults", Static).update(literal("\n".join(error.faults[:200])))
        if isinstance(error, PupilsWithoutIne):
            skip = self.query_one("#skip", Checkbox)
            skip.display = True
            skip.focus()
            return (
                f"{len(error.pupils)} élève(s) sans INE valide : cochez « Ignorer "
                "les élèves sans INE valide » pour importer les autres."
            )
        if isinstance(error, OtherExamCandidates):  # changed since the check: check again
            self._invalidate()
        return error.message

    def _reported(self, report: SiecleReport, dry_run: bool) -> None:
        skipped = f" {len(report.skipped)} élève(s) sans INE ignoré(s)." if report.skipped else ""
        if report.left:
            skipped += f" {len(report.left)} élève(s) sorti(s) laissé(s) de côté."
        aside = report.skipped + report.left
        self.query_one("#faults", Static).update(literal("\n".join(aside[:200])))
        self.query_one("#report", Static).update(literal(_groups(report, dry_run)))
        if dry_run:
            self.checked = True
            self.report = report
            self.query_one("#import", Button).disabled = False
            confirm = (
                f" {len(report.other_exams)} élève(s) déjà candidat(s) à un autre "
                "examen : « Importer » demandera confirmation."
                if report.other_exams
                else ""
            )
            self.show_info(
                f"Vérifié : {report.summary()}.{skipped}{confirm} « Importer » pour importer."
            )
        else:
            self.checked = False
            self.report = None
            self.query_one("#import", Button).disabled = True
            self.show_info(f"Import terminé : {report.summary()}.{skipped}")


def _groups(report: SiecleReport, dry_run: bool) -> str:
    """The four groups of a check (or an import), those already candidates named."""
    verb = "à ajouter" if dry_run else "ajouté(s)"
    lines = [
        f"Nouveaux élèves {verb} : {report.added}",
        f"Nouvelles candidatures d'élèves déjà connus : {report.known_new}",
        *(f"  - {line}" for line in report.other_exams[:200]),
        f"Élèves mis à jour (nom, naissance, classe) : {report.updated_only}",
        f"Élèves inchangés : {report.unchanged}",
    ]
    return "\n".join(lines)
