"""What every import reads: candidate records, checked field by field, and the report.

CSV (``csv_import``) and SIECLE (``siecle_import``) read their formats into the text of
each field and hand it to :func:`check_record`, so both check the same fields the same
way: every fault of a record is listed (none kept back for a second try), each naming its
field, and the caller says which line or pupil it was. The demo builds its records itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

from cyclades_tui.domain.errors import DomainError
from cyclades_tui.domain.exams import State, parse_exam, parse_state
from cyclades_tui.domain.identifiers import validate_ine
from cyclades_tui.domain.names import clean_division, clean_person_name, parse_birth_date


@dataclass(frozen=True)
class CandidateRecord:
    """One valid candidate line, ready to store."""

    line: int
    ine: str
    family_name: str
    usage_name: str
    first_name: str
    other_first_names: str
    birth_date: date
    division: str
    exam: str
    state: State


@dataclass
class ImportReport:
    """What an import did (or would do, for a dry run)."""

    school: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    records: list[CandidateRecord] = field(default_factory=list)
    # New candidatures for candidates already known (counted in ``updated`` too): each
    # record with the exams and states the candidate already holds.
    new_candidatures: list[tuple[CandidateRecord, dict[str, str]]] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Number of candidate lines read."""
        return self.added + self.updated + self.unchanged


# Each field of a record and how its text is checked, in the order its faults are listed.
FIELD_CHECKS: Mapping[str, Callable[[str], object]] = {
    "ine": validate_ine,
    "family_name": lambda text: clean_person_name(text, "Nom", required=True),
    "usage_name": lambda text: clean_person_name(text, "Nom d'usage", required=False),
    "first_name": lambda text: clean_person_name(text, "Prénom", required=False),
    "other_first_names": lambda text: clean_person_name(text, "Autres prénoms", required=False),
    "birth_date": parse_birth_date,
    "division": clean_division,
    "exam": parse_exam,
    "state": parse_state,
}


def check_record(line: int, text: Mapping[str, str]) -> tuple[CandidateRecord | None, list[str]]:
    """The record numbered ``line`` made of ``text`` (field -> text as read, a missing field
    is empty), or None and every fault of its fields, in the order of FIELD_CHECKS."""
    values: dict[str, object] = {}
    faults: list[str] = []
    for key, check in FIELD_CHECKS.items():
        try:
            values[key] = check(text.get(key, ""))
        except DomainError as error:
            faults.append(str(error))
    if faults:
        return None, faults
    return CandidateRecord(line=line, **values), []  # type: ignore[arg-type]


def line_of(record: CandidateRecord) -> str:
    """How a fault names a record numbered by its line (a CSV file; the demo's records)."""
    return f"Ligne {record.line}"
