"""« Générer les comptes »: the counts it shows, and the creation of the missing accounts.

Hashing is the slow part by design (bcrypt). It runs in a pool of threads, outside any
transaction, and so does the rendering of the PDFs; then accounts, slips and the PDF
documents are written in one short transaction, so that no account can exist whose password
is in no stored document, and no school's write holds the database for the others.
"""

from __future__ import annotations

from dataclasses import dataclass

import peewee

from cyclades_tui.domain.passwords import PlainPassword
from cyclades_tui.services import audit
from cyclades_tui.services.access import require_active, require_school, require_service
from cyclades_tui.services.actor import Actor
from cyclades_tui.services.candidates import (
    CandidatureView,
    eligible_condition,
    eligible_without_account,
    school_homonyms,
)
from cyclades_tui.services.credentials import Progress, assign_logins, hash_all
from cyclades_tui.services.db_errors import db_errors
from cyclades_tui.services.db_session import Statement, compiled, run_compiled, write_transaction
from cyclades_tui.services.documents import summary
from cyclades_tui.services.errors import Refused
from cyclades_tui.services.faults import checkpoint
from cyclades_tui.services.schools import SchoolInfo, info
from cyclades_tui.services.slip_documents import (
    TITLE_MASS,
    RunResult,
    document_info,
    new_document,
    slip_data,
)
from cyclades_tui.settings import Settings
from cyclades_tui.store.models import (
    Account,
    Candidature,
    Run,
    School,
    Slip,
    batches,
    tuples,
    utcnow,
)

ALL_GENERATED = "Tous les comptes de vos candidats ont été générés."
# « Tous … générés » would be untrue when nobody is eligible: say so, and why.
NO_ELIGIBLE = (
    "Aucun candidat éligible : aucun compte à générer. Importez vos élèves, ou "
    "vérifiez l'état de leurs candidatures dans « Mes candidats »."
)
# A write that loses a race (a login or an account taken by another process meanwhile)
# is retried with fresh data this many times before giving up.
MAX_WRITE_ATTEMPTS = 5


@dataclass(frozen=True)
class AccountStatus:
    """Counts shown by « Générer les comptes »."""

    school: SchoolInfo
    eligible: int
    with_account: int

    @property
    def without_account(self) -> int:
        """Eligible candidates still without an account."""
        return self.eligible - self.with_account


def status(actor: Actor, uai: str) -> AccountStatus:
    """Eligible candidates of the school, with and without an account."""
    school = require_school(actor, uai)
    with db_errors():
        # One pass over the school's candidatures (index on school, state, exam).
        eligible, with_account = tuples(
            Candidature.select(
                peewee.fn.COUNT(Candidature.candidate.distinct()),
                peewee.fn.COUNT(Account.id.distinct()),
            )
            .join(Account, peewee.JOIN.LEFT_OUTER, on=(Account.candidate == Candidature.candidate))
            .where((Candidature.school == school) & eligible_condition())
        )[0]
    return AccountStatus(school=info(school), eligible=eligible, with_account=with_account)


def pending_candidates(actor: Actor, uai: str) -> list[CandidatureView]:
    """Eligible candidates of the school without an account, as « Générer » would create."""
    school = require_school(actor, uai)
    with db_errors():
        return eligible_without_account(school)


def generate(
    actor: Actor,
    uai: str,
    progress: Progress | None = None,
    *,
    settings: Settings,
) -> RunResult:
    """Create the accounts of the eligible candidates who have none, with their two PDFs.

    The slow parts (hashing, choosing logins, rendering both PDFs) run outside any
    transaction; the write transaction only checks that nothing changed meanwhile and
    inserts the rows, so another school's login never waits behind this one's rendering.
    Accounts and the documents holding their passwords commit together, or not at all.
    """
    school = require_school(actor, uai, "accounts.generate")
    require_service(school)
    with db_errors():
        pending = eligible_without_account(school)
    if not pending:
        done = ALL_GENERATED if status(actor, uai).eligible else NO_ELIGIBLE
        return RunResult(run_id=None, created=0, documents=[], message=done)
    secrets_by_id = hash_all([v.candidate_id for v in pending], settings, progress)
    db = Account._meta.database
    for _attempt in range(MAX_WRITE_ATTEMPTS):
        with db_errors():
            todo = [v for v in eligible_without_account(school) if v.candidate_id in secrets_by_id]
            if not todo:
                return RunResult(run_id=None, created=0, documents=[], message=ALL_GENERATED)
            prepared = _prepare_generation(school, todo, secrets_by_id, settings)
        # The account may have been disabled during the hashing and rendering.
        require_active(actor, "accounts.generate", school)
        try:
            with write_transaction(db):
                if not _still_free(prepared):
                    continue  # another process generated meanwhile: prepare again
                return _write_generation(actor, school, prepared)
        except peewee.IntegrityError:
            # Lost a race on a login or an account with another process: try again with
            # what is still missing. The hashes are kept, nothing was committed.
            continue
    raise Refused("La génération n'a pas pu s'enregistrer (accès concurrents) ; relancez-la.")


@dataclass(frozen=True)
class _Prepared:
    """A generation ready to be written: its rows and both rendered PDFs."""

    todo: list[CandidatureView]
    rows: list[dict[str, object]]
    pdfs: list[tuple[int, bytes]]
    # Built before the transaction (db_session.compiled): checks, accounts, slips.
    probes: list[Statement]
    accounts: list[Statement]
    slips: list[Statement]


# Stands for the id of a document in slip statements built before the document exists.
_DOCUMENT_PLACEHOLDER = -7_310_001


def _prepare_generation(
    school: School,
    todo: list[CandidatureView],
    secrets_by_id: dict[int, tuple[PlainPassword, str]],
    settings: Settings,
) -> _Prepared:
    """Choose the logins and render both PDFs, outside any transaction."""
    logins = assign_logins(todo)
    homonyms = school_homonyms(school)
    now = utcnow()
    rows: list[dict[str, object]] = []
    slips = []
    for view, (login, base) in zip(todo, logins, strict=True):
        password, hashed = secrets_by_id[view.candidate_id]
        rows.append(
            {
                "candidate": view.candidate_id,
                "login": login,
                "login_base": base,
                "password_hash": hashed,
                "provisional": True,
                "password_version": 1,
                "created_at": now,
                "password_changed_at": now,
            }
        )
        slips.append(slip_data(view, view.exam, login, password, view.candidate_id in homonyms))
    # The renderer (reportlab) is imported on first use: the TUI starts faster without it.
    from cyclades_tui.pdf import render_slips

    doc_info = document_info(TITLE_MASS, school, settings.site_url)
    pdfs = [(layout, render_slips(slips, doc_info, layout)) for layout in (1, 2)]
    ids = [v.candidate_id for v in todo]
    logins_chosen = [str(row["login"]) for row in rows]
    probes = []
    for id_chunk, login_chunk in zip(batches(ids), batches(logins_chosen), strict=True):
        probes.append(
            compiled(Account.select(Account.id).where(Account.candidate.in_(id_chunk)).limit(1))
        )
        probes.append(
            compiled(Account.select(Account.id).where(Account.login.in_(login_chunk)).limit(1))
        )
    account_rows = [compiled(Account.insert_many(chunk)) for chunk in batches(rows)]
    slip_rows = [
        compiled(
            Slip.insert_from(
                Account.select(
                    peewee.Value(_DOCUMENT_PLACEHOLDER), Account.id, peewee.Value(1)
                ).where(Account.candidate.in_(chunk)),
                [Slip.document, Slip.account, Slip.password_version],
            )
        )
        for chunk in batches(ids)
    ]
    return _Prepared(
        todo=todo, rows=rows, pdfs=pdfs, probes=probes, accounts=account_rows, slips=slip_rows
    )


def _still_free(prepared: _Prepared) -> bool:
    """Under the write lock: none of the candidates got an account and none of the chosen
    logins was taken since the generation was prepared (indexed look-ups only)."""
    db = Account._meta.database
    return not any(db.execute_sql(sql, params).fetchone() for sql, params in prepared.probes)


def _write_generation(actor: Actor, school: School, prepared: _Prepared) -> RunResult:
    todo = prepared.todo
    db = Account._meta.database
    run = Run.create(
        school=school,
        kind="generate",
        created_by=actor.login,
        accounts=len(todo),
        created_at=prepared.rows[0]["created_at"],
    )
    run_compiled(db, prepared.accounts)
    checkpoint("generate.accounts-written")
    documents = []
    for layout, data in prepared.pdfs:
        document = new_document(school, run, actor, TITLE_MASS, layout, len(todo), data)
        run_compiled(db, prepared.slips, {_DOCUMENT_PLACEHOLDER: document.id})
        documents.append(document)
    audit.record(actor, "accounts.generate", school, f"{len(todo)} compte(s) créé(s), lot {run.id}")
    checkpoint("generate.before-commit")
    return RunResult(
        run_id=run.id,
        created=len(todo),
        documents=[summary(d) for d in documents],
        message=f"{len(todo)} compte(s) créé(s).",
    )
