"""« Importer HORS BEE »: the candidate CSV of docs/csv.md; a file with a fault writes nothing."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from cyclades_tui.domain.names import fold
from cyclades_tui.services.access import require_school
from cyclades_tui.services.actor import Actor
from cyclades_tui.services.errors import BadInput
from cyclades_tui.services.import_core import DEFAULT_MAX_CANDIDATES, read_input, store_records
from cyclades_tui.services.import_records import (
    CandidateRecord,
    ImportReport,
    check_record,
    line_of,
)

# Files larger than this are not candidate lists (a big lycée has 3,000 pupils).
MAX_FILE_BYTES = 20 * 1024 * 1024

# Folded header -> field name. fold() drops case, accents and spaces; apostrophes too here.
_COLUMNS = {
    "ine": "ine",
    "nom": "family_name",
    "nomdefamille": "family_name",
    "nomdusage": "usage_name",
    "prenom": "first_name",
    "autresprenoms": "other_first_names",
    "datedenaissance": "birth_date",
    "division": "division",
    "classe": "division",
    "examen": "exam",
    "etat": "state",
}
_REQUIRED = {
    "ine": "INE",
    "family_name": "Nom",
    "first_name": "Prénom",
    "birth_date": "Date de naissance",
    "division": "Division",
    "exam": "Examen",
    "state": "Etat",
}


def decode(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM), else Windows-1252, the two encodings schools send."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # cp1252 leaves five bytes undefined; a file with those is not a text CSV.
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            raise BadInput(
                "Fichier illisible : ni UTF-8 ni Windows-1252.",
                ["Fichier : encodage non reconnu (UTF-8 ou Windows-1252 attendu)"],
            ) from None


def _sniff_delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") >= header.count(",") else ","


def _header_map(header: list[str]) -> dict[str, int]:
    mapping: dict[str, int] = {}
    for index, name in enumerate(header):
        key = _COLUMNS.get(fold(name).replace("'", ""))
        if key is not None and key not in mapping:
            mapping[key] = index
    return mapping


def parse_csv(data: bytes) -> tuple[list[CandidateRecord], list[str]]:
    """Read every line; return the valid records and the faults, each naming its line."""
    if len(data) > MAX_FILE_BYTES:
        return [], [f"Fichier : trop volumineux ({len(data)} octets, 20 Mo au plus)"]
    text = decode(data)
    if "\x00" in text:
        return [], ["Fichier : contient des octets nuls (ce n'est pas un fichier CSV texte)"]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))
    try:
        header = next(reader)
    except StopIteration:
        return [], ["Fichier : vide (une ligne d'en-tête est attendue)"]
    except csv.Error as error:
        return [], [f"Ligne 1 : en-tête illisible ({error})"]
    columns = _header_map(header)
    missing = [label for key, label in _REQUIRED.items() if key not in columns]
    if missing:
        return [], [f"Ligne 1 : colonne(s) manquante(s) : {', '.join(missing)}"]

    records: list[CandidateRecord] = []
    faults: list[str] = []
    seen: dict[str, int] = {}
    line = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            faults.append(f"Ligne {reader.line_num} : ligne illisible ({error})")
            break
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        cells = {key: row[index] for key, index in columns.items() if index < len(row)}
        record, row_faults = check_record(line, cells)
        if record is not None and record.ine in seen:
            row_faults.append(f"INE {record.ine} déjà présent ligne {seen[record.ine]}")
            record = None
        faults.extend(f"Ligne {line} : {fault}" for fault in row_faults)
        if record is not None:
            seen[record.ine] = line
            records.append(record)
    if not records and not faults:
        faults.append("Fichier : aucune ligne de candidat après l'en-tête")
    return records, faults


def import_csv(
    actor: Actor,
    uai: str,
    source: Path | bytes,
    dry_run: bool = False,
    *,
    max_candidates: int | None = DEFAULT_MAX_CANDIDATES,
) -> ImportReport:
    """Import a candidate CSV into school ``uai``: every line valid, or nothing written.

    The school may hold ``max_candidates`` pupils at most (those already stored count).
    """
    school = require_school(actor, uai, "import.csv")
    data = read_input(source, MAX_FILE_BYTES)
    records, faults = parse_csv(data)
    return store_records(
        actor,
        school,
        records,
        faults,
        dry_run,
        origin="csv",
        max_candidates=max_candidates,
        where=line_of,
    )
