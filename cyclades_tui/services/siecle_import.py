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

import io
import re
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from xml.parsers import expat

from cyclades_tui.domain.errors import DomainError
from cyclades_tui.domain.exams import State, parse_exam, parse_state
from cyclades_tui.domain.identifiers import validate_ine
from cyclades_tui.domain.names import clean_division, clean_name, parse_birth_date
from cyclades_tui.domain.safe_text import safe_text
from cyclades_tui.services.access import require_school
from cyclades_tui.services.actor import Actor
from cyclades_tui.services.csv_import import (
    DEFAULT_MAX_CANDIDATES,
    CandidateRecord,
    ImportReport,
    read_input,
    store_records,
)
from cyclades_tui.services.errors import BadInput, PupilsWithoutIne

# A SIECLE export of a big lycée is a few megabytes; beyond this it is not one.
MAX_XML_BYTES = 64 * 1024 * 1024


UTF8_BOM = b"\xef\xbb\xbf"
# The encoding pseudo-attribute of the XML declaration (bytes: read before any decoding).
_DECLARED_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?\bencoding\s*=\s*(["'])([^"'>]{0,60})\1""")

_CODE = expat.errors.codes  # expat's English message -> its numeric error code
# Expat errors that only happen when the input stops too early: a truncated file.
_TRUNCATION_ERRORS = {
    _CODE[expat.errors.XML_ERROR_NO_ELEMENTS],
    _CODE[expat.errors.XML_ERROR_UNCLOSED_TOKEN],
    _CODE[expat.errors.XML_ERROR_PARTIAL_CHAR],
    _CODE[expat.errors.XML_ERROR_UNCLOSED_CDATA_SECTION],
}
_ENCODING_ERRORS = {
    _CODE[expat.errors.XML_ERROR_UNKNOWN_ENCODING],
    _CODE[expat.errors.XML_ERROR_INCORRECT_ENCODING],
}
# What the other expat errors mean, in French (the parser only speaks English).
_XML_ERRORS_FR = {
    _CODE[expat.errors.XML_ERROR_SYNTAX]: "erreur de syntaxe",
    _CODE[expat.errors.XML_ERROR_INVALID_TOKEN]:
        "caractère ou balise invalide (un « & » ou un « < » non échappé, ou un octet qui ne "
        "correspond pas à l'encodage déclaré)",
    _CODE[expat.errors.XML_ERROR_TAG_MISMATCH]:
        "balise fermante qui ne correspond pas à la balise ouverte",
    _CODE[expat.errors.XML_ERROR_DUPLICATE_ATTRIBUTE]: "attribut en double",
    _CODE[expat.errors.XML_ERROR_JUNK_AFTER_DOC_ELEMENT]: "contenu après la fin du document",
    _CODE[expat.errors.XML_ERROR_UNDEFINED_ENTITY]: "entité inconnue",
    _CODE[expat.errors.XML_ERROR_BAD_CHAR_REF]: "référence à un caractère invalide",
    _CODE[expat.errors.XML_ERROR_MISPLACED_XML_PI]:
        "déclaration XML ailleurs qu'en tête du fichier",
    _CODE[expat.errors.XML_ERROR_XML_DECL]: "déclaration XML mal formée",
    _CODE[expat.errors.XML_ERROR_UNBOUND_PREFIX]: "préfixe d'espace de noms non déclaré",
}


@dataclass(frozen=True)
class SieclePupil:
    """One ELEVE of the export, as read (INE and dates not yet validated)."""

    eleve_id: str
    ine: str
    family_name: str
    usage_name: str
    first_name: str
    other_first_names: str
    birth_date: str
    division: str
    leaving_date: str = ""  # DATE_SORTIE as written (JJ/MM/AAAA), empty when still there

    @property
    def name(self) -> str:
        """Family and first name, saying so when the family name is missing.

        Shown as read, before any check: control characters are spelled out, never sent.
        """
        family, first = _printable(self.family_name, 100), _printable(self.first_name, 100)
        if not family:
            return f"{first}, sans nom de famille" if first else "sans nom"
        return f"{family} {first}".strip()

    @property
    def label(self) -> str:
        """How faults name the pupil: ELEVE_ID and name."""
        return f"Élève {_printable(self.eleve_id) or 'sans ELEVE_ID'} ({self.name})"

    @property
    def where(self) -> str:
        """The label and the class, for the lists of pupils left aside."""
        return f"{self.label}, {_printable(self.division) or 'sans division'}"

    def left_before(self, day: date) -> date | None:
        """The date the pupil left when it is before ``day``; DomainError if unreadable.

        A pupil leaving on the export day itself, or later (a departure already entered),
        is still at school at the export.
        """
        if not self.leaving_date:
            return None
        left = _parse_day(self.leaving_date, "Date de sortie")
        return left if left < day else None


@dataclass
class SiecleFile:
    """What the export holds: its UAJ, its date, its pupils and the classes they are in."""

    uaj: str
    pupils: list[SieclePupil]
    # DATE_EXPORT; when the export has none, the day it is read (pupils are compared to it).
    export_date: date = field(default_factory=date.today)

    def has_left(self, pupil: SieclePupil) -> bool:
        """True when the pupil left before the export (an unreadable date counts as still
        there here: the import reports it as a fault)."""
        try:
            return pupil.left_before(self.export_date) is not None
        except DomainError:
            return False

    @property
    def present(self) -> list[SieclePupil]:
        """The pupils still at school at the export."""
        return [p for p in self.pupils if not self.has_left(p)]

    @property
    def left(self) -> list[SieclePupil]:
        """The pupils who left before the export."""
        return [p for p in self.pupils if self.has_left(p)]

    @property
    def divisions(self) -> Counter[str]:
        """Number of pupils still at school in each class."""
        return Counter(p.division for p in self.present)


@dataclass
class SiecleReport(ImportReport):
    """An import report plus the pupils left aside: without a valid INE, or who left."""

    skipped: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)


def _parse_day(raw: str, what: str) -> date:
    """A JJ/MM/AAAA date of the export (a time after it, as some tools add, is ignored)."""
    text = raw.strip()
    try:
        return datetime.strptime(text.split(" ")[0], "%d/%m/%Y").date()
    except ValueError:
        raise DomainError(f"{what} « {text[:30]} » invalide : JJ/MM/AAAA attendu.") from None


def _printable(text: str, limit: int = 40) -> str:
    """A value of the file fit to be quoted in a message: controls spelled out (``U+202E``)."""
    return safe_text(text[:limit])


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
            NotImplementedError, RuntimeError, ValueError):
        raise BadInput("Archive .zip illisible : elle est incomplète ou endommagée "
                       "(téléchargez de nouveau l'export depuis SIECLE).",
                       ["Fichier : archive .zip illisible"]) from None


def _text(element: ET.Element | None, tag: str) -> str:
    if element is None:
        return ""
    found = element.find(tag)
    return (found.text or "").strip() if found is not None else ""


def _declared_encoding(xml: bytes) -> str | None:
    """The encoding named by the XML declaration, if any."""
    found = _DECLARED_ENCODING.match(xml[:300])
    return found.group(2).decode("ascii", "replace") if found else None


def _trust_utf8_bom(xml: bytes) -> bytes:
    """A UTF-8 byte-order mark wins over the declaration, as the XML standard says.

    An editor that re-saves an ISO-8859-1 export as « UTF-8 with BOM » keeps the declaration
    ``encoding="ISO-8859-1"``; expat would then believe the declaration and garble every
    accented letter (« Ã© » for « é »).
    """
    if not xml.startswith(UTF8_BOM):
        return xml
    xml = xml[len(UTF8_BOM):]
    return re.sub(rb"""^(\s*<\?xml[^>]*?\bencoding\s*=\s*)(["'])[^"'>]*(["'])""",
                  rb"\1\2UTF-8\3", xml, count=1)


def _parse_xml(xml: bytes) -> ET.Element:
    """The root element, or BadInput saying in French what is wrong and where."""
    declared = _declared_encoding(xml)
    try:
        return ET.fromstring(xml)
    except ET.ParseError as error:
        line = error.position[0]
        if not xml.strip():
            raise BadInput("Fichier vide : ce n'est pas un export SIECLE.",
                           ["Fichier : vide"]) from None
        if error.code in _TRUNCATION_ERRORS:
            raise BadInput(
                f"Fichier XML tronqué : il s'arrête à la ligne {line} avant la fin de l'export "
                "(copie ou téléchargement incomplet ; téléchargez de nouveau l'export).",
                [f"Fichier : XML tronqué à la ligne {line}"]) from None
        if error.code in _ENCODING_ERRORS:
            raise _bad_encoding(declared) from None
        reason = _XML_ERRORS_FR.get(error.code, "syntaxe XML incorrecte")
        raise BadInput(f"Fichier XML mal formé à la ligne {line} : {reason}.",
                       [f"Fichier : XML mal formé à la ligne {line} ({reason})"]) from None
    # LookupError: an encoding Python does not know (« x-macthai »); ValueError: one expat
    # cannot use (multi-byte ones other than UTF-8 and UTF-16, such as Shift-JIS).
    except (LookupError, ValueError):
        raise _bad_encoding(declared) from None


def _bad_encoding(declared: str | None) -> BadInput:
    name = _printable(declared or "?")
    return BadInput(
        f"Encodage « {name} » non pris en charge : enregistrez l'export en ISO-8859-1 (celui de "
        "SIECLE), ISO-8859-15, Windows-1252 ou UTF-8.",
        [f"Fichier : encodage « {name} » non pris en charge"])


def parse_siecle(data: bytes) -> SiecleFile:
    """Read a SIECLE « BEE_ELEVES » export (ISO-8859-1 XML, or the zip around it).

    Any encoding the XML declaration names is read when expat can use it: ISO-8859-1 and
    -15, Windows-1252, UTF-8 (a UTF-8 byte-order mark wins over the declaration), UTF-16.
    """
    xml = _xml_bytes(data)
    if len(xml) > MAX_XML_BYTES:
        raise BadInput("Fichier XML trop volumineux.", ["Fichier : trop volumineux"])
    root = _parse_xml(_trust_utf8_bom(xml))
    if root.tag != "BEE_ELEVES":
        raise BadInput("Ce n'est pas un export SIECLE des élèves (racine BEE_ELEVES attendue).",
                       [f"Fichier : racine « {_printable(root.tag)} » au lieu de BEE_ELEVES"])
    parameters = root.find("PARAMETRES")
    uaj = _text(parameters, "UAJ").upper()
    raw_date = _text(parameters, "DATE_EXPORT")
    try:
        export_date = (_parse_day(raw_date, "Date d'export (PARAMETRES/DATE_EXPORT)")
                       if raw_date else date.today())
    except DomainError as error:
        raise BadInput(str(error), [f"Fichier : {error}"]) from None
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
            leaving_date=_text(eleve, "DATE_SORTIE"),
        ))
    return SiecleFile(uaj=uaj, pupils=pupils, export_date=export_date)


def check_school(export: SiecleFile, uai: str) -> None:
    """Refuse, as bad input, an export that is not the school's or names no school.

    The TUI calls it as soon as the file is read, before any class is chosen.
    """
    if not export.uaj:
        raise BadInput(
            "Cet export SIECLE ne dit pas de quel établissement il vient (PARAMETRES/UAJ "
            "absent ou vide) : import refusé, rien n'a été importé.",
            ["Fichier : PARAMETRES/UAJ absent ou vide"])
    if export.uaj != uai:
        shown = _printable(export.uaj, 20)
        raise BadInput(
            f"Cet export SIECLE est celui de l'établissement « {shown} », pas de {uai} : "
            "import refusé, rien n'a été importé.",
            [f"Fichier : PARAMETRES/UAJ {shown} au lieu de {uai}"])


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
    *,
    max_candidates: int | None = DEFAULT_MAX_CANDIDATES,
) -> SiecleReport:
    """Import the pupils of the export (of ``divisions`` only, when given) as candidates;
    the school may hold ``max_candidates`` pupils at most (those already stored count)."""
    school = require_school(actor, uai, "import.siecle")
    try:
        exam_code = parse_exam(exam)
        initial = parse_state(state)
    except DomainError as error:
        raise BadInput(str(error), [str(error)]) from None
    export = parse_siecle(read_file(source))
    check_school(export, school.uai)
    wanted = {d.strip().upper() for d in divisions} if divisions else None
    if wanted is not None:
        unknown = sorted(wanted - {p.division.upper() for p in export.pupils})
        if unknown:
            raise BadInput(f"Division(s) absente(s) de l'export : {', '.join(unknown)}.",
                           [f"Division {d} : absente de l'export" for d in unknown])
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
        raise PupilsWithoutIne(
            f"{len(skipped)} élève(s) sans INE valide ne peuvent pas être candidats : "
            "confirmez pour les ignorer, rien n'a été importé.", skipped)
    report = store_records(actor, school, records, faults, dry_run, origin="siecle",
                           keep_existing_state=True, max_candidates=max_candidates)
    return SiecleReport(school=report.school, added=report.added, updated=report.updated,
                        unchanged=report.unchanged, dry_run=report.dry_run,
                        records=report.records, skipped=skipped, left=left)
