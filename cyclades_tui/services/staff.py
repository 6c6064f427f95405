"""Staff accounts: creation, login with lock-out after repeated failures, listing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import peewee

from cyclades_tui.domain.errors import DomainError
from cyclades_tui.domain.names import clean_name
from cyclades_tui.domain.passwords import MAX_PASSWORD_BYTES, hash_password, verify_password
from cyclades_tui.services import audit
from cyclades_tui.services.actor import ROLE_MANAGER, ROLE_SCHOOL, Actor
from cyclades_tui.services.errors import AccessDenied, BadInput, Refused
from cyclades_tui.services.runtime import db_errors, write_transaction
from cyclades_tui.services.schools import require_school
from cyclades_tui.settings import Settings
from cyclades_tui.store.models import School, Staff, utcnow

MIN_STAFF_PASSWORD = 12
# A hash that no password matches: used to spend the same bcrypt time on unknown logins,
# so response time does not tell which logins exist.
_DUMMY_HASH = "$2b$12$imGD90iuTcsTN4qe8zx4aOPk6hRCwv6Nu3FRdYBiZg0UczAL4joB6"

WRONG_CREDENTIALS = "Identifiant ou mot de passe incorrect."


@dataclass(frozen=True)
class StaffInfo:
    """A staff account as listed."""

    login: str
    role: str
    school: str | None
    disabled: bool


def check_staff_password(password: str) -> str:
    """Return the password if it is acceptable for a staff account, else raise BadInput."""
    if len(password) < MIN_STAFF_PASSWORD:
        raise BadInput(f"Mot de passe trop court : {MIN_STAFF_PASSWORD} caractères au moins.")
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise BadInput(f"Mot de passe trop long : {MAX_PASSWORD_BYTES} octets au plus.")
    return password


def add_staff(
    actor: Actor, login: str, password: str, uai: str | None, role: str = ROLE_SCHOOL,
    *, settings: Settings,
) -> StaffInfo:
    """Create a staff account (school staff need a school; an exam manager has none)."""
    if actor.is_school_staff:
        raise AccessDenied("Seul le gestionnaire des examens peut créer des comptes du personnel.")
    try:
        name = clean_name(login, "Identifiant", required=True).lower()
    except DomainError as error:
        raise BadInput(str(error)) from None
    if role not in (ROLE_SCHOOL, ROLE_MANAGER):
        raise BadInput(f"Rôle « {role} » inconnu : etablissement ou gestionnaire attendu.")
    school: School | None = None
    if role == ROLE_SCHOOL:
        if not uai:
            raise BadInput("Un membre du personnel d'établissement doit avoir un établissement.")
        school = require_school(actor, uai)
    check_staff_password(password)
    hashed = hash_password(password, settings.chosen_cost)  # slow: outside the transaction
    with write_transaction(Staff._meta.database):
        if Staff.get_or_none(Staff.login == name) is not None:
            raise Refused(f"Le compte « {name} » existe déjà.")
        Staff.create(login=name, password_hash=hashed, school=school, role=role)
        audit.record(actor, "staff.add", school, f"{name} ({role})")
    return StaffInfo(login=name, role=role, school=school.uai if school else None,
                     disabled=False)


def set_password(
    actor: Actor, login: str, password: str, *, settings: Settings
) -> None:
    """Give a staff account a new password and unlock it."""
    if actor.is_school_staff:
        raise AccessDenied("Seul le gestionnaire des examens peut réinitialiser un mot de passe.")
    check_staff_password(password)
    hashed = hash_password(password, settings.chosen_cost)
    with write_transaction(Staff._meta.database):
        staff = Staff.get_or_none(Staff.login == login.strip().lower())
        if staff is None:
            raise Refused(f"Compte « {login} » inconnu.")
        Staff.update(password_hash=hashed, failed_attempts=0, locked_until=None).where(
            Staff.id == staff.id).execute()
        audit.record(actor, "staff.reset-password", staff.school, staff.login)


def authenticate(login: str, password: str, *, settings: Settings) -> Actor:
    """Check a staff login; five failures in a row lock the account for a while."""
    name = login.strip().lower()
    with db_errors():
        staff = Staff.select(Staff, School).join(School, join_type=peewee.JOIN.LEFT_OUTER).where(
            Staff.login == name).first()
    if staff is None:
        verify_password(password, _DUMMY_HASH)
        with db_errors():
            # Not the typed text: people type their password in the login field by mistake.
            audit.record("?", "login", None, "identifiant inconnu", success=False)
        raise Refused(WRONG_CREDENTIALS)
    now = utcnow()
    if staff.locked_until is not None and staff.locked_until > now:
        minutes = max(1, int((staff.locked_until - now).total_seconds() // 60) + 1)
        with db_errors():
            audit.record(name, "login", staff.school, "compte verrouillé", success=False)
        raise Refused(
            f"Compte verrouillé après {settings.lockout_attempts} échecs : "
            f"réessayez dans {minutes} minute(s)."
        )
    if staff.disabled:
        raise Refused("Ce compte est désactivé.")
    if not verify_password(password, staff.password_hash):
        # Counted by the database: attempts made in parallel must all count.
        with write_transaction(Staff._meta.database):
            Staff.update(failed_attempts=Staff.failed_attempts + 1).where(
                Staff.id == staff.id).execute()
            failures = Staff.get_by_id(staff.id).failed_attempts
            if failures >= settings.lockout_attempts:
                Staff.update(failed_attempts=0, locked_until=now + timedelta(
                    minutes=settings.lockout_minutes)).where(Staff.id == staff.id).execute()
            audit.record(name, "login", staff.school, "mot de passe incorrect", success=False)
        raise Refused(WRONG_CREDENTIALS)
    with db_errors():
        Staff.update(failed_attempts=0, locked_until=None).where(Staff.id == staff.id).execute()
        audit.record(name, "login", staff.school, "connexion")
    return Actor(login=staff.login, role=staff.role,
                 school_uai=staff.school.uai if staff.school is not None else None)


def actor_for(login: str) -> Actor:
    """The actor of an existing staff account, without a password (the demo session)."""
    with db_errors():
        staff = Staff.select(Staff, School).join(School, join_type=peewee.JOIN.LEFT_OUTER).where(
            Staff.login == login).first()
    if staff is None:
        raise Refused(f"Compte « {login} » inconnu.")
    return Actor(login=staff.login, role=staff.role,
                 school_uai=staff.school.uai if staff.school is not None else None)


def list_staff(actor: Actor) -> list[StaffInfo]:
    """Staff accounts the actor may see."""
    with db_errors():
        query = Staff.select(Staff, School).join(School, join_type=peewee.JOIN.LEFT_OUTER).order_by(
            Staff.login)
        return [
            StaffInfo(login=s.login, role=s.role,
                      school=s.school.uai if s.school is not None else None,
                      disabled=s.disabled)
            for s in query
            if not actor.is_school_staff
            or (s.school is not None and s.school.uai == actor.school_uai)
        ]


def school_name(uai: str | None) -> str:
    """Name of the school ``uai`` (empty when unknown), for headers."""
    if uai is None:
        return ""
    with db_errors():
        school = School.get_or_none(School.uai == uai)
    return school.name if school else ""


def disable(actor: Actor, login: str) -> None:
    """Disable a staff account: it can no longer log in."""
    if actor.is_school_staff:
        raise AccessDenied("Seul le gestionnaire des examens peut désactiver un compte.")
    with write_transaction(Staff._meta.database):
        staff = Staff.get_or_none(Staff.login == login.strip().lower())
        if staff is None:
            raise Refused(f"Compte « {login} » inconnu.")
        Staff.update(disabled=True).where(Staff.id == staff.id).execute()
        audit.record(actor, "staff.disable", staff.school, staff.login)
