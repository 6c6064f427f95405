"""The import core: validated candidate records in, candidates and candidatures stored.

CSV (``csv_import``), SIECLE (``siecle_import``) and the demo (``demo``) are siblings: each
reads its own format into :class:`~import_records.CandidateRecord` (CSV and SIECLE check
the fields with ``import_records.check_record``), and this module knows none of them. It
refuses an import with any fault, an INE of another school or a school over its pupil limit,
then has ``import_chunks`` write it. How a fault names its record (a CSV line, a SIECLE
pupil) is the caller's ``where``; the audit action is ``import.<origin>``.
"""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path

from cyclades_tui.services import audit
from cyclades_tui.services.actor import Actor
from cyclades_tui.services.db_errors import db_errors
from cyclades_tui.services.db_session import write_transaction
from cyclades_tui.services.errors import BadInput
from cyclades_tui.services.files import unreadable
from cyclades_tui.services.import_chunks import (
    Existing,
    apply_record,
    check_limit,
    existing_candidates,
    too_many,
    write_chunks,
)
from cyclades_tui.services.import_records import CandidateRecord, ImportReport
from cyclades_tui.settings import Settings
from cyclades_tui.store.models import Candidate, School

# The pupils a school may hold (setting max_candidates_per_school).
DEFAULT_MAX_CANDIDATES = Settings().max_candidates_per_school


def read_input(source: Path | bytes, limit: int) -> bytes:
    """The bytes of an import file, refusing what is not a regular file or is too large.

    At most ``limit + 1`` bytes are read, so that /dev/zero or a huge file cannot exhaust
    the server's memory (the size check then reports it).
    """
    if isinstance(source, bytes):
        return source
    try:
        info = source.stat()
        if not stat.S_ISREG(info.st_mode):
            raise BadInput(f"« {source} » n'est pas un fichier.", [f"Fichier : {source}"])
        with source.open("rb") as handle:
            return handle.read(limit + 1)
    except OSError as error:
        raise unreadable(source, error) from None


def store_records(
    actor: Actor,
    school: School,
    records: list[CandidateRecord],
    faults: list[str],
    dry_run: bool,
    origin: str,
    keep_existing_state: bool = False,
    max_candidates: int | None = None,
    *,
    where: Callable[[CandidateRecord], str],
) -> ImportReport:
    """Write validated records, after checking INEs against other schools and the school's
    pupil limit (``max_candidates``, None for none).

    A file with any fault writes nothing: it is read and checked whole before the first
    write. The records are then written CHUNK_PUPILS pupils per write transaction
    (``import_chunks``), so that other schools never wait long for the lock; an import
    interrupted after some of them says how many are stored, and importing the same file
    again completes it (an import adds or updates, never doubles).

    With ``keep_existing_state`` an existing candidature keeps its state (SIECLE imports
    give only an initial state); otherwise the file's state wins (CSV imports).
    ``where`` names a record in a fault (« Ligne 12 », « Élève MARTIN Léa »); ``origin``
    names the import in the audit trail (``import.csv``).
    """
    report = ImportReport(school=school.uai, dry_run=dry_run, records=records)
    existing = _checked_existing(school, records, faults, max_candidates, where)
    if dry_run:
        for record in records:
            apply_record(
                school, record, existing.get(record.ine), report, True, keep_existing_state
            )
        return report
    write_chunks(
        actor, school, records, existing, report, origin, keep_existing_state, max_candidates
    )
    with write_transaction(Candidate._meta.database):
        audit.record(
            actor,
            f"import.{origin}",
            school,
            f"{report.added} ajouté(s), {report.updated} mis à jour, "
            f"{report.unchanged} inchangé(s)",
        )
    return report


def _checked_existing(
    school: School,
    records: list[CandidateRecord],
    faults: list[str],
    max_candidates: int | None,
    where: Callable[[CandidateRecord], str],
) -> Existing:
    """The stored candidates of ``records`` by INE, once the import is known to be allowed:
    no fault, no INE of another school, the school within its limit; else BadInput."""
    if max_candidates is not None and len({r.ine for r in records}) > max_candidates:
        # Refused before any transaction: the file alone is over the limit.
        raise BadInput(too_many(len({r.ine for r in records}), max_candidates))
    # Read and build everything before taking the write lock (INEs never change school,
    # and new INEs are checked again under the lock): the transactions only write.
    existing = existing_candidates([r.ine for r in records])
    for record in records:
        found = existing.get(record.ine)
        if found is not None and found[0].school_id != school.id:
            faults.append(f"{where(record)} : INE {record.ine} appartient à un autre établissement")
    if faults:
        raise BadInput(f"Import refusé : {len(faults)} erreur(s), rien n'a été importé.", faults)
    with db_errors():
        check_limit(school, len({r.ine for r in records if r.ine not in existing}), max_candidates)
    return existing
