"""« Importer mes élèves depuis la BEE »: the SIECLE export ElevesSansAdresses.xml (or its zip).

The export says nothing of exams: the user chooses the exam and the initial state, for all
pupils or for some classes (divisions). Pupils without a valid INE cannot be candidates; they
are listed, and skipped only when the user confirms. A pupil already known keeps the state
of their candidature: the chosen state only applies to new candidatures, so importing the
same file again changes nothing.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from cyclades_tui.domain.errors import DomainError
from cyclades_tui.domain.exams import State, parse_exam, parse_state
from cyclades_tui.domain.identifiers import validate_ine
from cyclades_tui.domain.names import clean_division, clean_name, parse_birth_date
from cyclades_tui.services.actor import Actor
from cyclades_tui.services.csv_import import (
    CandidateRecord,
    ImportReport,
    read_input,
    store_records,
)
from cyclades_tui.services.errors import BadInput, Refused
from cyclades_tui.services.schools import require_school

# A SIECLE export of a big lycée is a few megabytes; beyond this it is not one.
MAX_XML_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class SieclePupil:
    """One ELEVE of the export, as read (INE not yet validated)."""

    eleve_id: str
    ine: str
    family_name: str
    usage_name: str
    first_name: str
    other_first_names: str
    birth_date: str
    division: str

    @property
    def label(self) -> str:
        """How faults name the pupil: ELEVE_ID and name."""
        return f"Élève {self.eleve_id} ({self.family_name} {self.first_name})".strip()


@dataclass
class SiecleFile:
    """What the export holds: its UAJ, its pupils and the classes they are in."""

    uaj: str
    pupils: list[SieclePupil]

    @property
    def divisions(self) -> Counter[str]:
        """Number of pupils in each class."""
        return Counter(p.division for p in self.pupils)


@dataclass
class SiecleReport(ImportReport):
    """An import report plus the pupils skipped for want of a valid INE."""

    skipped: list[str] = field(default_factory=list)


def _xml_bytes(data: bytes) -> bytes:
    """The XML itself, taken out of the zip SIECLE delivers when it is one."""
    if data[:4] != b"PK\x03\x04":
        return data
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = [n for n in archive.namelist() if n.lower().endswith(".xml")]
            preferred = [n for n in names if "eleves" in n.lower()] or names
            if not preferred:
                raise BadInput("Archive SIECLE sans fichier XML.",
                               ["Fichier : aucun .xml dans l'archive"])
            info = archive.getinfo(preferred[0])
            # The size in the header may lie (zip bomb): read no more than the limit.
            with archive.open(info) as member:
                xml = member.read(MAX_XML_BYTES + 1)
            if len(xml) > MAX_XML_BYTES:
                raise BadInput("Fichier XML trop volumineux dans l'archive.",
                               [f"Fichier : {info.filename} dépasse {MAX_XML_BYTES} octets"])
            return xml
    # A damaged archive fails in many ways: bad headers, bad deflate data, bad CRC,
    # an unsupported compression method or an encrypted member.
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, zlib.error,
            NotImplementedError, RuntimeError, ValueError) as error:
        raise BadInput(f"Archive illisible : {error}.", [f"Fichier : archive illisible ({error})"]
                       ) from None


def _text(element: ET.Element | None, tag: str) -> str:
    if element is None:
        return ""
    found = element.find(tag)
    return (found.text or "").strip() if found is not None else ""


def parse_siecle(data: bytes) -> SiecleFile:
    """Read a SIECLE « BEE_ELEVES » export (ISO-8859-1 XML, or the zip around it)."""
    xml = _xml_bytes(data)
    if len(xml) > MAX_XML_BYTES:
        raise BadInput("Fichier XML trop volumineux.", ["Fichier : trop volumineux"])
    try:
        root = ET.fromstring(xml)
    # LookupError: an encoding name the prolog declares but Python does not know.
    except (ET.ParseError, LookupError, ValueError) as error:
        raise BadInput(f"Fichier XML invalide : {error}.",
                       [f"Fichier : XML invalide ({error})"]) from None
    if root.tag != "BEE_ELEVES":
        raise BadInput("Ce n'est pas un export SIECLE des élèves (racine BEE_ELEVES attendue).",
                       [f"Fichier : racine « {root.tag[:40]} » au lieu de BEE_ELEVES"])
    uaj = _text(root.find("PARAMETRES"), "UAJ").upper()
    classes: dict[str, str] = {}
    for structures in root.iterfind("DONNEES/STRUCTURES/STRUCTURES_ELEVE"):
        eleve_id = structures.get("ELEVE_ID", "")
        for structure in structures.iterfind("STRUCTURE"):
            if _text(structure, "TYPE_STRUCTURE") == "D":
                classes[eleve_id] = _text(structure, "CODE_STRUCTURE")
    pupils = []
    for eleve in root.iterfind("DONNEES/ELEVES/ELEVE"):
        eleve_id = eleve.get("ELEVE_ID", "")
        others = " ".join(x for x in (_text(eleve, "PRENOM2"), _text(eleve, "PRENOM3")) if x)
        pupils.append(SieclePupil(
            eleve_id=eleve_id, ine=_text(eleve, "ID_NATIONAL").upper(),
            family_name=_text(eleve, "NOM_DE_FAMILLE"), usage_name=_text(eleve, "NOM_USAGE"),
            first_name=_text(eleve, "PRENOM"), other_first_names=others,
            birth_date=_text(eleve, "DATE_NAISS"), division=classes.get(eleve_id, ""),
        ))
    return SiecleFile(uaj=uaj, pupils=pupils)


def _record(pupil: SieclePupil, index: int, exam: str, state: State) -> CandidateRecord:
    return CandidateRecord(
        line=index, ine=validate_ine(pupil.ine),
        family_name=clean_name(pupil.family_name, "Nom", required=True),
        usage_name=clean_name(pupil.usage_name, "Nom d'usage", required=False),
        first_name=clean_name(pupil.first_name, "Prénom", required=False),
        other_first_names=clean_name(pupil.other_first_names, "Autres prénoms", required=False),
        birth_date=parse_birth_date(pupil.birth_date),
        division=clean_division(pupil.division),
        exam=exam, state=state,
    )


def read_file(source: Path | bytes) -> bytes:
    """The bytes of an export given as a path or already read (size-limited)."""
    data = read_input(source, MAX_XML_BYTES)
    if len(data) > MAX_XML_BYTES:
        raise BadInput("Fichier trop volumineux pour un export SIECLE.",
                       ["Fichier : trop volumineux"])
    return data


def import_siecle(
    actor: Actor,
    uai: str,
    source: Path | bytes,
    exam: str,
    state: str,
    divisions: list[str] | None = None,
    skip_invalid_ine: bool = False,
    dry_run: bool = False,
) -> SiecleReport:
    """Import the pupils of the export (of ``divisions`` only, when given) as candidates."""
    school = require_school(actor, uai)
    try:
        exam_code = parse_exam(exam)
        initial = parse_state(state)
    except DomainError as error:
        raise BadInput(str(error), [str(error)]) from None
    export = parse_siecle(read_file(source))
    if export.uaj != school.uai:
        raise Refused(f"Cet export SIECLE est celui de l'établissement « {export.uaj or '?'} », "
                      f"pas de {school.uai} : import refusé.")
    wanted = {d.strip().upper() for d in divisions} if divisions else None
    if wanted is not None:
        unknown = sorted(wanted - {d.upper() for d in export.divisions})
        if unknown:
            raise BadInput(f"Division(s) absente(s) de l'export : {', '.join(unknown)}.",
                           [f"Division {d} : absente de l'export" for d in unknown])
    records: list[CandidateRecord] = []
    faults: list[str] = []
    skipped: list[str] = []
    first_with_ine: dict[str, SieclePupil] = {}
    for index, pupil in enumerate(export.pupils, start=1):
        if wanted is not None and pupil.division.upper() not in wanted:
            continue
        try:
            validate_ine(pupil.ine)
        except DomainError as error:
            skipped.append(f"{pupil.label} : {error}")
            continue
        try:
            record = _record(pupil, index, exam_code, initial)
        except DomainError as error:
            faults.append(f"{pupil.label} : {error}")
            continue
        if record.ine in first_with_ine:
            faults.append(f"{pupil.label} : INE {record.ine} déjà porté par "
                          f"{first_with_ine[record.ine].label}")
            continue
        first_with_ine[record.ine] = pupil
        records.append(record)
    if skipped and not skip_invalid_ine:
        raise BadInput(
            f"{len(skipped)} élève(s) sans INE valide ne peuvent pas être candidats : "
            "confirmez pour les ignorer (--yes), rien n'a été importé.", skipped)
    report = store_records(actor, school, records, faults, dry_run, origin="siecle",
                           keep_existing_state=True)
    return SiecleReport(school=report.school, added=report.added, updated=report.updated,
                        unchanged=report.unchanged, dry_run=report.dry_run,
                        records=report.records, skipped=skipped)
