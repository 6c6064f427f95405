"""Who may act for which school: the checks every service runs before touching a school.

Kept apart from ``schools`` (which records its changes in the audit trail) so that the audit
trail's readers can check access without ``schools`` and ``audit`` importing each other.
"""

from __future__ import annotations

import peewee

from cyclades_tui.domain.errors import DomainError
from cyclades_tui.domain.identifiers import validate_uai
from cyclades_tui.services.actor import ROLE_OPERATOR, Actor
from cyclades_tui.services.db_errors import db_errors
from cyclades_tui.services.errors import AccessDenied, BadInput, Refused
from cyclades_tui.store.models import AuditEvent, School, Staff

SERVICE_MISSING = (
    "Le service de gestion des candidats en établissement n'est pas positionné pour cet "
    "établissement : le gestionnaire des examens doit le positionner avant toute activité "
    "sur les comptes."
)


def parse_uai(raw: str) -> str:
    """Validate a UAI given by a user, as a BadInput on failure."""
    try:
        return validate_uai(raw)
    except DomainError as error:
        raise BadInput(str(error), [str(error)]) from None


INACTIVE = "Ce compte est désactivé : reconnectez-vous avec un compte actif."
CHANGED = (
    "Les droits de ce compte ont changé depuis la connexion : reconnectez-vous pour "
    "continuer (rien n'a été fait)."
)


def _refusal(actor: Actor, row: Staff | None) -> str | None:
    """Why the account behind ``actor`` may no longer act, or None when it still may."""
    if row is None or row.disabled:
        return INACTIVE
    school_uai = row.school.uai if row.school is not None else None
    if row.role != actor.role or (actor.is_school_staff and school_uai != actor.school_uai):
        return CHANGED
    return None


def staff_with_school(login: str) -> Staff | None:
    """The staff account ``login`` (already normalised) with its school read in the same
    query, or None when there is none."""
    with db_errors():
        row: Staff | None = (
            Staff.select(Staff, School)
            .join(School, join_type=peewee.JOIN.LEFT_OUTER)
            .where(Staff.login == login)
            .first()
        )
    return row


def require_active(actor: Actor, action: str = "", school: School | None = None) -> None:
    """Refuse, and record the refusal in the audit trail, a staff member whose account was
    deleted, disabled, or given another role or school since they logged in.

    Every service that writes, prints, saves or reveals calls it (directly or through
    ``require_school``) before its first side effect: a right withdrawn is withdrawn at once,
    not at the next login.
    """
    if actor.role == ROLE_OPERATOR:
        return
    with db_errors():
        row = staff_with_school(actor.login)
        reason = _refusal(actor, row)
        if reason is None:
            return
        # Written here rather than through services.audit, which imports this module.
        AuditEvent.create(
            actor=actor.login,
            school=school,
            action="access.refused",
            detail=f"{action or 'action'} : {reason}"[:2000],
            success=False,
        )
    raise AccessDenied(reason)


def require_school(actor: Actor, uai: str, action: str = "") -> School:
    """The school ``uai`` if it exists and ``actor`` (still active) may act for it; else a
    clear refusal."""
    code = parse_uai(uai)
    if not actor.may_act_for(code):
        require_active(actor, action)
        raise AccessDenied(
            f"Accès refusé : votre compte n'est pas rattaché à l'établissement {code}."
        )
    with db_errors():
        school = School.get_or_none(School.uai == code)
    require_active(actor, action, school)
    if school is None:
        raise Refused(
            f"Établissement {code} inconnu : ajoutez-le avec « cyclades-tui school add »."
        )
    assert isinstance(school, School)
    return school


def require_manager(actor: Actor, what: str, opening: str = "Seul") -> None:
    """Refuse school staff what only the exam manager (or the operator) may do: « Seul le
    gestionnaire des examens ``what``. »"""
    if actor.is_school_staff:
        raise AccessDenied(f"{opening} le gestionnaire des examens {what}.")


def require_service(school: School) -> None:
    """Refuse any account activity while the prerequisite service is not positioned."""
    if not school.service_enabled:
        raise Refused(SERVICE_MISSING)
