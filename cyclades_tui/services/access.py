"""Who may act for which school: the checks every service runs before touching a school.

Kept apart from ``schools`` (which records its changes in the audit trail) so that the audit
trail's readers can check access without ``schools`` and ``audit`` importing each other.
"""

from __future__ import annotations

from cyclades_tui.domain.errors import DomainError
from cyclades_tui.domain.identifiers import validate_uai
from cyclades_tui.services.actor import ROLE_OPERATOR, Actor
from cyclades_tui.services.errors import AccessDenied, BadInput, Refused
from cyclades_tui.services.runtime import db_errors
from cyclades_tui.store.models import School, Staff

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


def require_active(actor: Actor) -> None:
    """Refuse a staff member whose account was disabled since they logged in."""
    if actor.role == ROLE_OPERATOR:
        return
    with db_errors():
        row = Staff.get_or_none(Staff.login == actor.login)
    if row is None or row.disabled:
        raise AccessDenied("Ce compte est désactivé : reconnectez-vous avec un compte actif.")


def require_school(actor: Actor, uai: str) -> School:
    """The school ``uai`` if it exists and ``actor`` may act for it; else a clear refusal."""
    code = parse_uai(uai)
    require_active(actor)
    if not actor.may_act_for(code):
        raise AccessDenied(
            f"Accès refusé : votre compte n'est pas rattaché à l'établissement {code}."
        )
    with db_errors():
        school = School.get_or_none(School.uai == code)
    if school is None:
        raise Refused(
            f"Établissement {code} inconnu : ajoutez-le avec « cyclades-tui school add »."
        )
    assert isinstance(school, School)
    return school


def require_service(school: School) -> None:
    """Refuse any account activity while the prerequisite service is not positioned."""
    if not school.service_enabled:
        raise Refused(SERVICE_MISSING)
