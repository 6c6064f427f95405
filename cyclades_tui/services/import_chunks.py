"""Writing an import: CHUNK_PUPILS pupils per short write transaction.

A school's import must not hold the write lock that every other school's login waits for
(SQLite has one for the whole file). Everything is read and built before the first
transaction; each transaction checks again, under the lock, that no other import added the
same pupils meanwhile and that the school stays within its pupil limit, then only writes.
``import_core.store_records`` decides whether an import may be written at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NoReturn

import peewee

from cyclades_tui.services import audit
from cyclades_tui.services.actor import Actor
from cyclades_tui.services.db_errors import db_errors
from cyclades_tui.services.db_session import Statement, compiled, run_compiled, write_transaction
from cyclades_tui.services.errors import BadInput, Refused, ServiceError
from cyclades_tui.services.import_records import CandidateRecord, ImportReport
from cyclades_tui.store.models import Candidate, Candidature, School, batches, utcnow

# What the database holds of the pupils of an import, by INE: the candidate and their
# candidatures by exam.
Existing = dict[str, tuple[Candidate, dict[str, Candidature]]]


def too_many(total: int, limit: int) -> str:
    """The refusal of an import that would give a school more than ``limit`` pupils."""
    return (
        f"Import refusé : l'établissement compterait {total} candidats, au-delà de la "
        f"limite de {limit} par établissement (réglage max_candidates_per_school) ; "
        "rien n'a été importé."
    )


def check_limit(school: School, new: int, limit: int | None) -> None:
    """Refuse ``new`` pupils that would take the school over ``limit`` stored pupils."""
    if limit is None:
        return
    stored = Candidate.select().where(Candidate.school == school).count()
    if stored + new > limit:
        raise BadInput(too_many(stored + new, limit), [too_many(stored + new, limit)])


# Pupils written per write transaction. A school's import must not hold the write lock that
# every other school's login waits for (SQLite has one for the whole file): 500 pupils take
# a few milliseconds, 40,000 took seconds.
CHUNK_PUPILS = 500
CLASH_CAUSE = "un autre import a ajouté certains de ces candidats au même moment"
CLASH = f"Un{CLASH_CAUSE[2:]} : rien n'a été importé, relancez l'import."


@dataclass
class _Chunk:
    """The statements of up to CHUNK_PUPILS pupils, built before any write transaction."""

    records: list[CandidateRecord]
    fresh_ines: list[str]
    probe: Statement | None
    inserts: list[Statement]


def _chunks(
    school: School,
    records: list[CandidateRecord],
    existing: Existing,
    report: ImportReport,
) -> list[_Chunk]:
    """Split ``records`` into chunks of CHUNK_PUPILS pupils in file order (every line of a
    pupil in the same chunk, so a pupil is never stored without their candidatures)."""
    by_ine: dict[str, list[CandidateRecord]] = {}
    for record in records:
        by_ine.setdefault(record.ine, []).append(record)
    ines = list(by_ine)
    chunks = []
    with db_errors():
        for pupils in peewee.chunked(ines, CHUNK_PUPILS):
            part = [r for ine in pupils for r in by_ine[ine]]
            fresh = [r for r in part if r.ine not in existing]
            fresh_ines = sorted({r.ine for r in fresh})
            probe = (
                compiled(
                    Candidate.select(Candidate.id).where(Candidate.ine.in_(fresh_ines)).limit(1)
                )
                if fresh_ines
                else None
            )
            chunks.append(_Chunk(part, fresh_ines, probe, _compiled_new(school, fresh, report)))
    return chunks


def write_chunks(
    actor: Actor,
    school: School,
    records: list[CandidateRecord],
    existing: Existing,
    report: ImportReport,
    origin: str,
    keep_existing_state: bool,
    max_candidates: int | None,
) -> None:
    """Write ``records`` (already checked) chunk by chunk, counting them in ``report``.

    Should a later transaction fail (another import adding the same pupils meanwhile, the
    database lost), the pupils of the earlier ones stay stored, each one whole, and the
    error says how many: importing the same file again completes it without duplicates.
    """
    db = Candidate._meta.database
    chunks = _chunks(school, records, existing, report)
    stored = 0  # pupils written by the transactions committed so far
    for index, chunk in enumerate(chunks):
        new_left = sum(len(c.fresh_ines) for c in chunks[index:])
        try:
            _store_chunk(
                db, school, chunk, existing, report, keep_existing_state, new_left, max_candidates
            )
        except ServiceError as error:
            if not stored:
                raise
            total = len(existing) + sum(len(c.fresh_ines) for c in chunks)
            _partial(actor, school, origin, stored, total, error)
        stored += len({r.ine for r in chunk.records})


def _store_chunk(
    db: peewee.Database,
    school: School,
    chunk: _Chunk,
    existing: Existing,
    report: ImportReport,
    keep_existing_state: bool,
    new_left: int,
    max_candidates: int | None,
) -> None:
    """One short write transaction: the chunk's new pupils, checked again under the lock
    (not added by another import meanwhile; the school, counting the ``new_left`` pupils
    still to add, within its limit), and the changes to its known pupils."""
    with write_transaction(db) as txn:
        if (
            chunk.probe is not None
            and db.execute_sql(  # type: ignore[no-untyped-call]
                *chunk.probe
            ).fetchone()
        ):
            txn.rollback()
            raise Refused(CLASH)
        check_limit(school, new_left, max_candidates)
        try:
            with db.atomic():
                run_compiled(db, chunk.inserts)
                for record in chunk.records:
                    if record.ine in existing:
                        apply_record(
                            school, record, existing[record.ine], report, False, keep_existing_state
                        )
        except peewee.IntegrityError:
            # Another import added one of these INEs since they were read (PostgreSQL).
            txn.rollback()
            raise Refused(CLASH) from None


def _partial(
    actor: Actor, school: School, origin: str, stored: int, total: int, error: ServiceError
) -> NoReturn:
    """A chunk failed after others were committed: audit and say what is stored."""
    cause = (
        CLASH_CAUSE + "."
        if error.message == CLASH
        else error.message.replace("rien n'a été importé", "la suite n'a pas été importée")
    )
    summary = (
        f"Import interrompu : les {stored} premiers élèves du fichier (sur {total}) "
        f"sont enregistrés, les autres non. Cause : {cause} Relancez l'import du même "
        "fichier : il complète sans créer de doublon."
    )
    try:
        with write_transaction(Candidate._meta.database):
            audit.record(
                actor,
                f"import.{origin}",
                school,
                f"interrompu : {stored} élève(s) sur {total} enregistré(s)",
                success=False,
            )
    except ServiceError:
        pass  # the database is gone: the message still says what is stored
    raise type(error)(summary) from None


def _compiled_new(
    school: School, records: list[CandidateRecord], report: ImportReport
) -> list[Statement]:
    """The statements creating the candidates and candidatures of ``records`` (none stored
    yet), built outside the transaction; a candidature finds its candidate by INE."""
    seen: dict[str, CandidateRecord] = {}
    for record in records:
        seen.setdefault(record.ine, record)
    rows = [
        {
            "school": school.id,
            "ine": r.ine,
            "family_name": r.family_name,
            "usage_name": r.usage_name,
            "first_name": r.first_name,
            "other_first_names": r.other_first_names,
            "birth_date": r.birth_date,
            "division": r.division,
        }
        for r in seen.values()
    ]
    statements = [compiled(Candidate.insert_many(chunk)) for chunk in batches(rows)]
    groups: dict[tuple[str, str], list[str]] = {}
    for record in records:
        report.added += 1
        ines = groups.setdefault((record.exam, record.state.value), [])
        if record.ine not in ines:
            ines.append(record.ine)
    for (exam, state), ines in groups.items():
        for chunk in batches(ines):
            # One INSERT … SELECT per batch of pupils: the candidate ids are read by INE.
            source = Candidate.select(
                Candidate.id, peewee.Value(school.id), peewee.Value(exam), peewee.Value(state)
            ).where(Candidate.ine.in_(chunk))
            statements.append(
                compiled(
                    Candidature.insert_from(
                        source,
                        [
                            Candidature.candidate,
                            Candidature.school,
                            Candidature.exam,
                            Candidature.state,
                        ],
                    )
                )
            )
    return statements


def existing_candidates(ines: list[str]) -> Existing:
    """The stored candidates of ``ines`` (of any school) and their candidatures."""
    found: Existing = {}
    with db_errors():
        for chunk in batches(ines):
            for candidate in Candidate.select().where(Candidate.ine.in_(chunk)):
                found[candidate.ine] = (candidate, {})
            query = (
                Candidature.select(Candidature, Candidate.ine)
                .join(Candidate)
                .where(Candidate.ine.in_(chunk))
            )
            for candidature in query:
                found[candidature.candidate.ine][1][candidature.exam] = candidature
    return found


def apply_record(
    school: School,
    record: CandidateRecord,
    existing: tuple[Candidate, dict[str, Candidature]] | None,
    report: ImportReport,
    dry_run: bool,
    keep_existing_state: bool = False,
) -> None:
    """Count ``record`` in ``report`` (added, updated or unchanged) and, unless ``dry_run``,
    write it: a new pupil, or what changed of a known one (its state too, unless
    ``keep_existing_state``)."""
    fields = {
        "family_name": record.family_name,
        "usage_name": record.usage_name,
        "first_name": record.first_name,
        "other_first_names": record.other_first_names,
        "birth_date": record.birth_date,
        "division": record.division,
    }
    if existing is None:
        report.added += 1
        if not dry_run:
            candidate = Candidate.create(school=school, ine=record.ine, **fields)
            Candidature.create(
                candidate=candidate, school=school, exam=record.exam, state=record.state.value
            )
        return
    candidate, candidatures = existing
    changed = {k: v for k, v in fields.items() if getattr(candidate, k) != v}
    candidature = candidatures.get(record.exam)
    state_changed = candidature is None or (
        not keep_existing_state and candidature.state != record.state.value
    )
    if not changed and not state_changed:
        report.unchanged += 1
        return
    report.updated += 1
    if candidature is None:
        report.new_candidatures.append(
            (record, {exam: c.state for exam, c in sorted(candidatures.items())})
        )
    if dry_run:
        return
    if changed:
        Candidate.update(updated_at=utcnow(), **changed).where(
            Candidate.id == candidate.id
        ).execute()
    if candidature is None:
        Candidature.create(
            candidate=candidate, school=school, exam=record.exam, state=record.state.value
        )
    elif state_changed:
        Candidature.update(state=record.state.value).where(
            Candidature.id == candidature.id
        ).execute()
