"""Schools and the « service de gestion des candidats en établissement » prerequisite."""

from __future__ import annotations

from dataclasses import dataclass

from cyclades_tui.domain.safe_text import first_unsafe
from cyclades_tui.services import audit
from cyclades_tui.services.access import parse_uai, require_active, require_manager, require_school
from cyclades_tui.services.actor import Actor
from cyclades_tui.services.db_errors import db_errors
from cyclades_tui.services.db_session import write_transaction
from cyclades_tui.services.errors import BadInput, Refused
from cyclades_tui.store.models import School


@dataclass(frozen=True)
class SchoolInfo:
    """A school as shown to users."""

    uai: str
    name: str
    service_enabled: bool


def info(school: School) -> SchoolInfo:
    """The displayable view of a school row."""
    return SchoolInfo(uai=school.uai, name=school.name, service_enabled=school.service_enabled)


def add_school(actor: Actor, uai: str, name: str) -> SchoolInfo:
    """Create a school (operator or exam manager only)."""
    code = parse_uai(uai)
    require_manager(actor, "peut ajouter un établissement")
    require_active(actor, "school.add")
    unsafe = first_unsafe(name)  # it reaches terminals and slips: no control character
    if unsafe is not None:
        message = f"Le nom de l'établissement contient un caractère interdit ({unsafe})."
        raise BadInput(message, [f"NOM : caractère interdit ({unsafe})"])
    label = " ".join(name.split())
    if not label:
        raise BadInput("Le nom de l'établissement est vide.", ["NOM : vide"])
    with write_transaction(School._meta.database):
        if School.get_or_none(School.uai == code) is not None:
            raise Refused(f"L'établissement {code} existe déjà.")
        school = School.create(uai=code, name=label[:200])
        audit.record(actor, "school.add", school, f"{code} {label}")
    return info(school)


def set_service(actor: Actor, uai: str, enabled: bool) -> SchoolInfo:
    """Position or withdraw the prerequisite service (exam manager or operator only)."""
    require_manager(actor, "peut positionner le service de gestion des candidats en établissement")
    school = require_school(actor, uai, "school.service")
    with write_transaction(School._meta.database):
        School.update(service_enabled=enabled).where(School.id == school.id).execute()
        audit.record(actor, "school.service", school, "positionné" if enabled else "retiré")
    school.service_enabled = enabled
    return info(school)


def list_schools(actor: Actor) -> list[SchoolInfo]:
    """The schools ``actor`` may see, by UAI."""
    with db_errors():
        query = School.select().order_by(School.uai)
        if actor.is_school_staff:
            query = query.where(School.uai == actor.school_uai)
        return [info(s) for s in query]
