"""Candidate accounts: status, generation, regeneration, verification and password change.

Hashing is the slow part by design (bcrypt). It runs in a pool of threads, outside any
transaction, and so does the rendering of the PDFs; then accounts, slips and the PDF
documents are written in one short transaction, so that no account can exist whose password
is in no stored document, and no school's write holds the database for the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import peewee

from cyclades_tui.domain.errors import DomainError
from cyclades_tui.domain.exams import ELIGIBLE_STATES, EXAMS, eligibility_rule, parse_state
from cyclades_tui.domain.identifiers import validate_ine
from cyclades_tui.domain.names import clean_name
from cyclades_tui.domain.passwords import (
    MAX_PASSWORD_BYTES,
    PlainPassword,
    generate_password,
    hash_cost,
    hash_password,
    verify_password,
)
from cyclades_tui.services import audit
from cyclades_tui.services.access import require_active, require_school, require_service
from cyclades_tui.services.actor import Actor
from cyclades_tui.services.candidates import (
    CandidatureView,
    eligible_condition,
    eligible_without_account,
    find_by_ine,
    school_homonyms,
)
from cyclades_tui.services.credentials import Progress, assign_logins, hash_all
from cyclades_tui.services.db_errors import db_errors
from cyclades_tui.services.db_session import Statement, compiled, run_compiled, write_transaction
from cyclades_tui.services.documents import DocumentSummary, summary
from cyclades_tui.services.errors import BadInput, Refused
from cyclades_tui.services.faults import checkpoint
from cyclades_tui.services.schools import SchoolInfo, info
from cyclades_tui.settings import Settings
from cyclades_tui.store.models import (
    Account,
    Candidature,
    Document,
    Run,
    School,
    Slip,
    batches,
    tuples,
    utcnow,
)

if TYPE_CHECKING:
    from cyclades_tui.pdf import SlipData

ALL_GENERATED = "Tous les comptes de vos candidats ont été générés."
# « Tous … générés » would be untrue when nobody is eligible: say so, and why.
NO_ELIGIBLE = (
    "Aucun candidat éligible : aucun compte à générer. Importez vos élèves, ou "
    "vérifiez l'état de leurs candidatures dans « Mes candidats »."
)
TITLE_MASS = "Papillons de connexion"
TITLE_ONE = "Papillon de connexion"
MIN_CHOSEN_PASSWORD = 8
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


@dataclass(frozen=True)
class RunResult:
    """Outcome of a generation or regeneration."""

    run_id: int | None
    created: int
    documents: list[DocumentSummary]
    message: str


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of a login check; ``must_change`` when the password is still provisional."""

    ok: bool
    must_change: bool = False


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


def _slip(
    view: CandidatureView, login: str, password: PlainPassword, homonyms: set[int] | None = None
) -> SlipData:
    # The renderer (reportlab) is imported on first use: the TUI starts faster without it.
    from cyclades_tui.pdf import SlipData

    return SlipData(
        login=login,
        password=password,
        family_name=view.family_name,
        usage_name=view.usage_name,
        first_name=view.first_name,
        ine=view.ine,
        exam_code=view.exam,
        exam_label=EXAMS.get(view.exam, view.exam),
        division=view.division,
        # Homonyms of the school are told apart by their date of birth.
        birth_date=view.birth_label if homonyms and view.candidate_id in homonyms else "",
    )


def _new_document(
    school: School, run: Run, actor: Actor, title: str, layout: int, slips: int, data: bytes
) -> Document:
    """The row of a stored PDF (a generation's or a regeneration's), written by its author."""
    document = Document.create(
        school=school,
        run=run,
        title=title,
        layout=layout,
        slips=slips,
        size=len(data),
        type="PDF",
        created_by=actor.login,
        data=data,
    )
    assert isinstance(document, Document)
    return document


def _store_document(
    school: School,
    run: Run,
    actor: Actor,
    title: str,
    layout: int,
    data: bytes,
    accounts: list[tuple[int, int]],
) -> Document:
    document = _new_document(school, run, actor, title, layout, len(accounts), data)
    rows = [
        {"document": document.id, "account": aid, "password_version": version}
        for aid, version in accounts
    ]
    for chunk in batches(rows):
        Slip.insert_many(chunk).execute()
    assert isinstance(document, Document)
    return document


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
        slips.append(_slip(view, login, password, homonyms))
    # The renderer (reportlab) is imported on first use: the TUI starts faster without it.
    from cyclades_tui.pdf import DocumentInfo, render_slips

    doc_info = DocumentInfo(
        title=TITLE_MASS, school_name=school.name, school_uai=school.uai, site_url=settings.site_url
    )
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
        document = _new_document(school, run, actor, TITLE_MASS, layout, len(todo), data)
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


def find_for_regeneration(
    actor: Actor, uai: str, ine: str, state: str | None = None
) -> CandidatureView:
    """The candidate matching the « Critères de sélection », who must already have an account."""
    try:
        code = validate_ine(ine)
        wanted = parse_state(state) if state else None
    except DomainError as error:
        raise BadInput(str(error), [str(error)]) from None
    school = require_school(actor, uai)
    require_service(school)
    if wanted is not None and wanted not in ELIGIBLE_STATES:
        expected = " ou ".join(f"« {s.value} »" for s in ELIGIBLE_STATES)
        raise BadInput(f"Etat : {expected} attendu.")
    with db_errors():
        views = find_by_ine(school, code)
    if not views:
        raise Refused(f"Aucun candidat de votre établissement n'a l'INE {code}.")
    if wanted is not None:
        matching = [v for v in views if v.state == wanted.value]
        if not matching:
            who = f"Le candidat {code} ({views[0].display_name})"
            # Another state may find the pupil (a BCP « Pré-inscrit »): say which to choose;
            # when none would, say why (the eligibility table decides, not a list here).
            other = next((v for v in views if v.eligible), None)
            if other is not None:
                raise Refused(
                    f"{who} n'a pas de candidature à l'état « {wanted.value} » : il "
                    f"est « {other.state} » en {other.exam} : choisissez l'état "
                    f"« {other.state} »."
                )
            found = ", ".join(f"« {v.state} » ({v.exam})" for v in views)
            raise Refused(
                f"{who} n'a pas de candidature à l'état « {wanted.value} » : sa "
                f"candidature {found} n'est pas éligible ({eligibility_rule()})."
            )
        views = matching
    view = views[0]
    if view.login is None:
        if not view.eligible:
            # Generating will never create this account: say why, not « générez d'abord ».
            raise Refused(
                f"Le candidat {code} ({view.display_name}) n'a pas de compte : sa candidature "
                f"« {view.state} » au {view.exam} n'est pas éligible ({eligibility_rule()})."
            )
        raise Refused(
            f"Le candidat {code} ({view.display_name}) n'a pas encore de compte : "
            "générez d'abord les comptes (« Générer »)."
        )
    return view


def regenerate(
    actor: Actor, uai: str, ine: str, state: str | None = None, *, settings: Settings
) -> RunResult:
    """Give the candidate's account a new provisional password and store its one-slip PDF.

    The old password stops working when the transaction commits.
    """
    view = find_for_regeneration(actor, uai, ine, state)
    school = require_school(actor, uai, "accounts.regenerate")
    password = generate_password()
    hashed = hash_password(password, settings.provisional_cost)
    # Rendered before the transaction (the login is known: find_for_regeneration read it).
    from cyclades_tui.pdf import DocumentInfo, render_slips

    login = str(view.login)
    doc_info = DocumentInfo(
        title=TITLE_ONE, school_name=school.name, school_uai=school.uai, site_url=settings.site_url
    )
    with db_errors():
        homonyms = school_homonyms(school)
    data = render_slips([_slip(view, login, password, homonyms)], doc_info, 1)
    require_active(actor, "accounts.regenerate", school)
    db = Account._meta.database
    with write_transaction(db):
        account = Account.get(Account.candidate == view.candidate_id)
        if account.login != login:
            raise Refused("Le compte a changé entre-temps : relancez la régénération.")
        # The increment is done by the database so that two regenerations at once get two
        # different versions: the slip of the one that commits first is then « remplacé ».
        Account.update(
            password_hash=hashed,
            provisional=True,
            password_changed_at=utcnow(),
            password_version=Account.password_version + 1,
        ).where(Account.id == account.id).execute()
        version = Account.get_by_id(account.id).password_version
        run = Run.create(school=school, kind="regenerate", created_by=actor.login, accounts=1)
        document = _store_document(school, run, actor, TITLE_ONE, 1, data, [(account.id, version)])
        audit.record(
            actor,
            "accounts.regenerate",
            school,
            f"INE {view.ine}, identifiant {account.login}, lot {run.id}",
        )
    return RunResult(
        run_id=run.id,
        created=1,
        documents=[summary(document)],
        message=f"Nouveau mot de passe généré pour {account.login}.",
    )


def verify(login: str, password: str, *, settings: Settings) -> VerifyResult:
    """Check a candidate's login and password, as the publication site does.

    A correct password whose hash is cheaper than the current setting is re-hashed.
    """
    with db_errors():
        account = Account.get_or_none(Account.login == login.strip().lower())
    if account is None or not verify_password(password, account.password_hash):
        return VerifyResult(ok=False)
    target = settings.provisional_cost if account.provisional else settings.chosen_cost
    if hash_cost(account.password_hash) < target:
        with db_errors():
            Account.update(password_hash=hash_password(password, target)).where(
                (Account.id == account.id) & (Account.password_hash == account.password_hash)
            ).execute()
    return VerifyResult(ok=True, must_change=account.provisional)


def change_password(login: str, current: str, new: str, *, settings: Settings) -> None:
    """Replace a candidate's password by one they chose; the current one must be right."""
    with db_errors():
        account = Account.get_or_none(Account.login == login.strip().lower())
    if account is None or not verify_password(current, account.password_hash):
        raise Refused("Identifiant ou mot de passe incorrect.")
    try:
        chosen = clean_name(new, "Nouveau mot de passe", required=True)
    except DomainError as error:
        raise BadInput(str(error), [str(error)]) from None
    if chosen != new or len(new) < MIN_CHOSEN_PASSWORD:
        raise BadInput(
            f"Nouveau mot de passe refusé : {MIN_CHOSEN_PASSWORD} caractères au moins, "
            "sans espace au début ou à la fin."
        )
    if len(new.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise BadInput(f"Nouveau mot de passe refusé : {MAX_PASSWORD_BYTES} octets au plus.")
    if new == current:
        raise BadInput("Nouveau mot de passe refusé : il doit différer du mot de passe actuel.")
    hashed = hash_password(new, settings.chosen_cost)
    with db_errors():
        # Only if the password verified above is still the current one (no regeneration
        # or other change in between).
        changed = (
            Account.update(
                password_hash=hashed,
                provisional=False,
                password_changed_at=utcnow(),
                password_version=Account.password_version + 1,
            )
            .where((Account.id == account.id) & (Account.password_hash == account.password_hash))
            .execute()
        )
    if not changed:
        raise Refused("Le mot de passe a été changé entre-temps : recommencez avec le nouveau.")
