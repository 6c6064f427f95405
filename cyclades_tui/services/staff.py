"""Staff accounts: creation, login with lock-out after repeated failures, listing."""

from __future__ import annotations

import functools
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NoReturn

import peewee

from cyclades_tui.domain.errors import DomainError
from cyclades_tui.domain.names import clean_name
from cyclades_tui.domain.passwords import MAX_PASSWORD_BYTES, hash_password, verify_password
from cyclades_tui.services import audit
from cyclades_tui.services.access import require_active, require_school
from cyclades_tui.services.actor import ROLE_MANAGER, ROLE_SCHOOL, Actor
from cyclades_tui.services.errors import AccessDenied, BadInput, Refused
from cyclades_tui.services.runtime import db_errors, write_transaction
from cyclades_tui.settings import Settings
from cyclades_tui.store.models import School, Staff, utcnow

MIN_STAFF_PASSWORD = 12



def refusal_message(settings: Settings) -> str:
    """The one answer to every refused login.

    It must not tell whether the login exists, is disabled or is locked (the audit trail
    says which), so it states the rule that covers every case.
    """
    return (f"Identifiant ou mot de passe incorrect. Après {settings.lockout_attempts} échecs "
            f"de suite, le compte est verrouillé {settings.lockout_minutes} minute(s).")


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
    require_active(actor, "staff.add")
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
    require_active(actor, "staff.reset-password")
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
    """Check a staff login; ``lockout_attempts`` failures in a row lock the account a while.

    Every refusal says the same thing and costs the same bcrypt check, whatever its cause
    (unknown login, disabled or locked account, wrong password): the answer tells nothing
    of which logins exist. The audit trail records the true cause.

    The lock cannot be raced: before its password is checked, an attempt takes one of the
    account's ``lockout_attempts`` slots by one conditional UPDATE (counted as a failure
    until it succeeds). Attempts made at once, by many processes, can thus evaluate at
    most that many passwords; the others are refused without being evaluated.
    """
    name = login.strip().lower()
    with db_errors():
        staff = Staff.select(Staff, School).join(School, join_type=peewee.JOIN.LEFT_OUTER).where(
            Staff.login == name).first()
    if staff is None:
        _refuse_unevaluated(password, settings, "?", None,
                            f"identifiant inconnu{_attempted_login(login)}")
    now = utcnow()
    if staff.disabled:
        _refuse_unevaluated(password, settings, name, staff.school, "compte désactivé")
    locks = _take_attempt_slot(staff.id, now, settings)
    if locks is None:
        _refuse_unevaluated(password, settings, name, staff.school, "compte verrouillé")
    if not verify_password(password, staff.password_hash):
        # The attempt keeps its slot; the last slot locked the account when it was taken.
        detail = "mot de passe incorrect" + (
            f" ; compte verrouillé {settings.lockout_minutes} minute(s) après "
            f"{settings.lockout_attempts} échecs" if locks else "")
        with db_errors():
            audit.record(name, "login", staff.school, detail, success=False)
        raise Refused(refusal_message(settings))
    with write_transaction(Staff._meta.database):
        Staff.update(failed_attempts=0, locked_until=None).where(Staff.id == staff.id).execute()
        audit.record(name, "login", staff.school, "connexion")
    return Actor(login=staff.login, role=staff.role,
                 school_uai=staff.school.uai if staff.school is not None else None)


def _take_attempt_slot(staff_id: int, now: datetime, settings: Settings) -> bool | None:
    """Reserve one password evaluation for the account: None when it is locked, else
    whether this attempt took the last slot (and so locked the account).

    One transaction holding the row: the database checks the lock and counts the attempt
    atomically (SQLite serialises writers; PostgreSQL re-checks the condition on the row
    once a concurrent update commits), so no two attempts can take the last slot. The last
    slot sets the lock at once, before its password is checked: a process killed during the
    check (a dropped SSH link) cannot leave every slot spent with no lock to expire. A lock
    that has expired starts the count again.
    """
    attempts = max(1, settings.lockout_attempts)
    expired = Staff.locked_until.is_null(False) & (Staff.locked_until <= now)
    with write_transaction(Staff._meta.database):
        taken = Staff.update(
            failed_attempts=peewee.Case(None, [(expired, 1)], Staff.failed_attempts + 1),
            locked_until=None,
        ).where(
            (Staff.id == staff_id)
            & (expired | (Staff.locked_until.is_null() & (Staff.failed_attempts < attempts)))
        ).execute()
        if not taken:
            return None
        locks = Staff.update(
            locked_until=now + timedelta(minutes=settings.lockout_minutes)
        ).where((Staff.id == staff_id) & (Staff.failed_attempts >= attempts)).execute()
    return bool(locks)


def _refuse_unevaluated(
    password: str, settings: Settings, actor: str, school: School | None, cause: str
) -> NoReturn:
    """Refuse an attempt whose password is not evaluated, as slowly as one that is.

    The bcrypt check against a dummy hash at the staff cost makes the refusal take the
    time of a wrong password; the message is the same; only the audit trail says why.
    """
    verify_password(password, _dummy_hash(settings.chosen_cost))
    with db_errors():
        audit.record(actor, "login", school, cause, success=False)
    raise Refused(refusal_message(settings))


@functools.cache
def _dummy_hash(cost: int) -> str:
    """A hash no typed password matches (its secret is random), at ``cost``."""
    return hash_password(secrets.token_urlsafe(32), cost)


_LOGIN_SHAPE = re.compile(r"[a-z0-9][a-z0-9._@-]{0,63}")
# Shorter than any staff password (at least 12 characters): shown whole, it cannot be one.
_SHOWN_WHOLE = MIN_STAFF_PASSWORD - 1


def _attempted_login(typed: str) -> str:
    """The login an unknown attempt used, for the audit trail, never a password.

    People type their password in the login field by mistake (or a burst of keys puts it
    there): text without a login's shape (lower case letters, digits, « . _ - @ », no space)
    is not kept, and a longer one, which could be a password, only by its first characters.
    """
    text = typed.strip()
    if _LOGIN_SHAPE.fullmatch(text) is None:
        return ""
    if len(text) > _SHOWN_WHOLE:
        return f" : « {text[:4]}… » ({len(text)} caractères)"
    return f" : « {text} »"


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
    require_active(actor, "staff.disable")
    with write_transaction(Staff._meta.database):
        staff = Staff.get_or_none(Staff.login == login.strip().lower())
        if staff is None:
            raise Refused(f"Compte « {login} » inconnu.")
        Staff.update(disabled=True).where(Staff.id == staff.id).execute()
        audit.record(actor, "staff.disable", staff.school, staff.login)
