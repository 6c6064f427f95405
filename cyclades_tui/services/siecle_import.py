"""« Importer mes élèves depuis la BEE »: the SIECLE export ElevesSansAdresses.xml (or its zip).

The export says nothing of exams: the user chooses the exam and the initial state, for all
pupils or for some classes (divisions). Pupils without a valid INE cannot be candidates; they
are listed, and skipped only when the user confirms. A pupil already known keeps the state
of their candidature: the chosen state only applies to new candidatures, so importing the
same file again changes nothing. Pupils who left the school before the export (SIECLE keeps
them, with their DATE_SORTIE) are left aside and listed. The format and its rules are in
docs/siecle.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path

from cyclades_tui.domain.errors import DomainError
from cyclades_tui.domain.exams import State, parse_exam, parse_state
from cyclades_tui.domain.identifiers import validate_ine
from cyclades_tui.services.access import require_school
from cyclades_tui.services.actor import Actor
from cyclades_tui.services.errors import BadInput, OtherExamCandidates, PupilsWithoutIne
from cyclades_tui.services.import_core import DEFAULT_MAX_CANDIDATES, store_records
from cyclades_tui.services.import_records import CandidateRecord, ImportReport, check_record
from cyclades_tui.services.siecle_export import (
    SiecleFile,
    SieclePupil,
    check_school,
    parse_siecle,
    read_file,
)

# Re-exported for the CLI, whose refusal of unknown classes lists the export's.
from cyclades_tui.services.siecle_export import export_divisions as export_divisions


@dataclass
class SiecleReport(ImportReport):
    """An import report plus the pupils left aside: without a valid INE, or who left."""

    skipped: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)

    @property
    def other_exams(self) -> list[str]:
        """The new candidatures of pupils already candidates for another exam, one line each,
        naming the exam (and state) they already hold."""
        return [_other_exam_line(record, held) for record, held in self.new_candidatures if held]

    @property
    def known_new(self) -> int:
        """Pupils already known who get a new candidature (for the chosen exam)."""
        return len(self.new_candidatures)

    @property
    def updated_only(self) -> int:
        """Pupils already candidates for this exam whose name, birth date or class changes."""
        return self.updated - len(self.new_candidatures)

    def summary(self) -> str:
        """The four groups, in French: new pupils, new candidatures, updated, unchanged."""
        return (
            f"{self.added} nouvel(s) élève(s), {self.known_new} nouvelle(s) candidature(s) "
            f"d'élève(s) déjà connu(s), {self.updated_only} mis à jour, "
            f"{self.unchanged} inchangé(s)"
        )


def _other_exam_line(record: CandidateRecord, held: dict[str, str]) -> str:
    exams = ", ".join(f"{exam} « {state} »" for exam, state in held.items())
    return (
        f"{record.family_name} {record.first_name} (INE {record.ine}, "
        f"{record.division or 'sans division'}) : déjà candidat(e) {exams}, "
        f"candidature {record.exam} ajoutée"
    ).replace("  ", " ")


def _record(
    pupil: SieclePupil, index: int, exam: str, state: State
) -> tuple[CandidateRecord | None, list[str]]:
    """The pupil as the candidate of ``exam``, checked as a CSV line is: the record, or
    every fault of its fields."""
    text = {
        "ine": pupil.ine,
        "family_name": pupil.family_name,
        "usage_name": pupil.usage_name,
        "first_name": pupil.first_name,
        "other_first_names": pupil.other_first_names,
        "birth_date": pupil.birth_date,
        "division": pupil.division,
        "exam": exam,
        "state": state.value,
    }
    return check_record(index, text)


def _records(
    export: SiecleFile, wanted: set[str] | None, exam_code: str, initial: State
) -> tuple[list[CandidateRecord], list[str], list[str], list[str]]:
    """The candidate records of the export's pupils (of the ``wanted`` classes), and the
    pupils left out, one line each: faults, pupils without a valid INE, pupils who left."""
    records: list[CandidateRecord] = []
    faults: list[str] = []
    skipped: list[str] = []
    left: list[str] = []
    first_with_ine: dict[str, SieclePupil] = {}
    for index, pupil in enumerate(export.pupils, start=1):
        if wanted is not None and pupil.division.upper() not in wanted:
            continue
        try:
            left_on = pupil.left_before(export.export_date)
        except DomainError as error:
            faults.append(f"{pupil.label} : {error}")
            continue
        if left_on is not None:
            # SIECLE keeps the pupils who left during the year: they are not candidates here.
            left.append(f"{pupil.where} : sorti(e) le {left_on:%d/%m/%Y}")
            continue
        try:
            validate_ine(pupil.ine)
        except DomainError as error:
            skipped.append(f"{pupil.where} : {error}")
            continue
        record, pupil_faults = _record(pupil, index, exam_code, initial)
        if record is None:
            faults.extend(f"{pupil.label} : {fault}" for fault in pupil_faults)
            continue
        if record.ine in first_with_ine:
            faults.append(
                f"{pupil.label} : INE {record.ine} déjà porté par "
                f"{first_with_ine[record.ine].label}"
            )
            continue
        first_with_ine[record.ine] = pupil
        records.append(record)
    return records, faults, skipped, left


def import_siecle(
    actor: Actor,
    uai: str,
    source: Path | bytes,
    exam: str,
    state: str,
    divisions: list[str] | None = None,
    skip_invalid_ine: bool = False,
    dry_run: bool = False,
    other_exams: bool = False,
    *,
    max_candidates: int | None = DEFAULT_MAX_CANDIDATES,
) -> SiecleReport:
    """Import the pupils of the export (of ``divisions`` only, when given) as candidates;
    the school may hold ``max_candidates`` pupils at most (those already stored count).

    Giving a pupil already candidate for another exam a second candidature is what an
    import with the wrong classes ticked does: unless ``other_exams`` confirms it, such an
    import raises OtherExamCandidates naming them and writes nothing (a dry run reports
    them in ``SiecleReport.other_exams``).
    """
    school = require_school(actor, uai, "import.siecle")
    exam_code, initial = _exam_and_state(exam, state)
    export = parse_siecle(read_file(source))
    check_school(export, school.uai)
    wanted = _wanted_divisions(export, divisions)
    records, faults, skipped, left = _records(export, wanted, exam_code, initial)
    if skipped and not skip_invalid_ine:
        raise PupilsWithoutIne(
            f"{len(skipped)} élève(s) sans INE valide ne peuvent pas être candidats : "
            "confirmez pour les ignorer, rien n'a été importé.",
            skipped,
        )

    def store(dry: bool, faults: list[str]) -> SiecleReport:
        report = store_records(
            actor,
            school,
            records,
            faults,
            dry,
            origin="siecle",
            keep_existing_state=True,
            max_candidates=max_candidates,
            where=pupil_of,
        )
        return _siecle_report(report, skipped, left)

    if not dry_run and not other_exams:
        # A dry run first: pupils given a second exam are named before anything is written.
        _refuse_other_exams(store(True, list(faults)), exam_code)
    return store(dry_run, faults)


def _exam_and_state(exam: str, state: str) -> tuple[str, State]:
    """The exam code and the initial state chosen, or BadInput listing what is wrong."""
    faults: list[str] = []
    exam_code, initial = "", State.INSCRIT
    try:
        exam_code = parse_exam(exam)
    except DomainError as error:
        faults.append(str(error))
    try:
        initial = parse_state(state)
    except DomainError as error:
        faults.append(str(error))
    if faults:
        raise BadInput(faults[0], faults)
    return exam_code, initial


def _wanted_divisions(export: SiecleFile, divisions: list[str] | None) -> set[str] | None:
    """The classes asked for (upper case), None for all; BadInput if one is not in the export."""
    wanted = {d.strip().upper() for d in divisions} if divisions else None
    if wanted is not None:
        unknown = sorted(wanted - {p.division.upper() for p in export.pupils})
        if unknown:
            raise BadInput(
                f"Division(s) absente(s) de l'export : {', '.join(unknown)}.",
                [f"Division {d} : absente de l'export" for d in unknown],
            )
    return wanted


def _refuse_other_exams(check: SiecleReport, exam_code: str) -> None:
    """Refuse, unconfirmed, an import giving pupils already candidates for another exam a
    candidature for ``exam_code``: naming them is what the dry run ``check`` was for."""
    named = check.other_exams
    if named:
        raise OtherExamCandidates(
            f"{len(named)} élève(s) déjà candidat(s) à un autre examen recevrai(en)t une "
            f"candidature {exam_code} : confirmez pour l'ajouter, rien n'a été importé.",
            named,
        )


def pupil_of(record: CandidateRecord) -> str:
    """How a fault names a record of a SIECLE export: the pupil (an export has no lines)."""
    return f"Élève {record.family_name} {record.first_name}".strip()


def _siecle_report(report: ImportReport, skipped: list[str], left: list[str]) -> SiecleReport:
    """``report`` with the pupils left aside."""
    shared = {f.name: getattr(report, f.name) for f in fields(ImportReport)}
    return SiecleReport(**shared, skipped=skipped, left=left)
