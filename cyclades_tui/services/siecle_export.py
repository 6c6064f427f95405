"""Reading a SIECLE export (ElevesSansAdresses.xml, or its zip) into its pupils.

The XML is read as it is decompressed, pupil by pupil, within limits that make a hostile
file cheap to refuse; every refusal is in French. What the pupils become (candidates of an
exam) is ``siecle_import``'s; the format is in docs/siecle.md.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from cyclades_tui.domain.errors import DomainError
from cyclades_tui.services.errors import BadInput
from cyclades_tui.services.import_core import read_input
from cyclades_tui.services.siecle_xml import (
    MAX_XML_BYTES,
    printable,
    read_export,
    too_big,
    xml_chunks,
)


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
        family, first = printable(self.family_name, 100), printable(self.first_name, 100)
        if not family:
            return f"{first}, sans nom de famille" if first else "sans nom"
        return f"{family} {first}".strip()

    @property
    def label(self) -> str:
        """How faults name the pupil: ELEVE_ID and name."""
        return f"Élève {printable(self.eleve_id) or 'sans ELEVE_ID'} ({self.name})"

    @property
    def where(self) -> str:
        """The label and the class, for the lists of pupils left aside."""
        return f"{self.label}, {printable(self.division) or 'sans division'}"

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


def _parse_day(raw: str, what: str) -> date:
    """A JJ/MM/AAAA date of the export (a time after it, as some tools add, is ignored)."""
    text = raw.strip()
    try:
        return datetime.strptime(text.split(" ")[0], "%d/%m/%Y").date()
    except ValueError:
        raise DomainError(f"{what} « {text[:30]} » invalide : JJ/MM/AAAA attendu.") from None


def parse_siecle(data: bytes) -> SiecleFile:
    """Read a SIECLE « BEE_ELEVES » export (ISO-8859-1 XML, or the zip around it).

    Any encoding the XML declaration names is read when expat can use it: ISO-8859-1 and
    -15, Windows-1252, UTF-8 (a UTF-8 byte-order mark wins over the declaration), UTF-16.
    """
    if len(data) > MAX_XML_BYTES:
        raise too_big("Fichier")
    reader = read_export(xml_chunks(data))
    parameters = reader.parameters or {}
    uaj = parameters.get("UAJ", "").upper()
    raw_date = parameters.get("DATE_EXPORT", "")
    try:
        export_date = (
            _parse_day(raw_date, "Date d'export (PARAMETRES/DATE_EXPORT)")
            if raw_date
            else date.today()
        )
    except DomainError as error:
        raise BadInput(str(error), [f"Fichier : {error}"]) from None
    pupils = []
    for eleve_id, fields in reader.pupils:
        others = " ".join(x for x in (fields.get("PRENOM2", ""), fields.get("PRENOM3", "")) if x)
        pupils.append(
            SieclePupil(
                eleve_id=eleve_id,
                ine=fields.get("ID_NATIONAL", "").upper(),
                family_name=fields.get("NOM_DE_FAMILLE", ""),
                usage_name=fields.get("NOM_USAGE", ""),
                first_name=fields.get("PRENOM", ""),
                other_first_names=others,
                birth_date=fields.get("DATE_NAISS", ""),
                division=reader.classes.get(eleve_id, ""),
                leaving_date=fields.get("DATE_SORTIE", ""),
            )
        )
    return SiecleFile(uaj=uaj, pupils=pupils, export_date=export_date)


def check_school(export: SiecleFile, uai: str) -> None:
    """Refuse, as bad input, an export that is not the school's or names no school.

    The TUI calls it as soon as the file is read, before any class is chosen.
    """
    if not export.uaj:
        raise BadInput(
            "Cet export SIECLE ne dit pas de quel établissement il vient (PARAMETRES/UAJ "
            "absent ou vide) : import refusé, rien n'a été importé.",
            ["Fichier : PARAMETRES/UAJ absent ou vide"],
        )
    if export.uaj != uai:
        shown = printable(export.uaj, 20)
        raise BadInput(
            f"Cet export SIECLE est celui de l'établissement « {shown} », pas de {uai} : "
            "import refusé, rien n'a été importé.",
            [f"Fichier : PARAMETRES/UAJ {shown} au lieu de {uai}"],
        )


def export_divisions(source: Path | bytes) -> list[str]:
    """The classes of the export's pupils still at school, sorted (for a refusal to list)."""
    return sorted(parse_siecle(read_file(source)).divisions)


def read_file(source: Path | bytes) -> bytes:
    """The bytes of an export given as a path or already read (size-limited)."""
    data = read_input(source, MAX_XML_BYTES)
    if len(data) > MAX_XML_BYTES:
        raise too_big("Fichier")
    return data
