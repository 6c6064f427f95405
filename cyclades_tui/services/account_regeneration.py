"""« Régénérer un mot de passe »: find the candidate, give their account a new provisional
password and store its one-slip PDF."""

from __future__ import annotations

from cyclades_tui.domain.errors import DomainError
from cyclades_tui.domain.exams import ELIGIBLE_STATES, eligibility_rule, parse_state
from cyclades_tui.domain.identifiers import validate_ine
from cyclades_tui.domain.passwords import generate_password, hash_password
from cyclades_tui.services import audit
from cyclades_tui.services.access import require_active, require_school, require_service
from cyclades_tui.services.actor import Actor
from cyclades_tui.services.candidates import CandidatureView, find_by_ine, school_homonyms
from cyclades_tui.services.db_errors import db_errors
from cyclades_tui.services.db_session import write_transaction
from cyclades_tui.services.documents import summary
from cyclades_tui.services.errors import BadInput, Refused
from cyclades_tui.services.slip_documents import (
    TITLE_ONE,
    RunResult,
    document_info,
    new_document,
    slip_data,
)
from cyclades_tui.settings import Settings
from cyclades_tui.store.models import Account, Document, Run, School, Slip, utcnow


def _store_slip(
    school: School, run: Run, actor: Actor, data: bytes, account_id: int, version: int
) -> Document:
    """The one-slip document of a regeneration, and the slip it holds (of that version)."""
    document = new_document(school, run, actor, TITLE_ONE, 1, 1, data)
    Slip.create(document=document, account=account_id, password_version=version)
    return document


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
    from cyclades_tui.pdf import render_slips

    login = str(view.login)
    with db_errors():
        homonym = view.candidate_id in school_homonyms(school)
    slip = slip_data(view, view.exam, login, password, homonym)
    data = render_slips([slip], document_info(TITLE_ONE, school, settings.site_url), 1)
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
        document = _store_slip(school, run, actor, data, account.id, version)
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
