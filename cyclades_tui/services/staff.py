"""Staff accounts as the exam manager runs them: creating one, giving it a new password,
listing them with their lock-outs, unlocking, disabling and enabling.

Logging in is in ``staff_login`` (and how failures lock an account in ``staff_lockout``),
a member changing their own password in ``own_password``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import peewee

from cyclades_tui.domain.errors import DomainError
from cyclades_tui.domain.names import clean_name
from cyclades_tui.domain.passwords import hash_password
from cyclades_tui.domain.staff_passwords import staff_password_problem
from cyclades_tui.services import audit
from cyclades_tui.services.access import require_active, require_manager, require_school
from cyclades_tui.services.actor import ROLE_MANAGER, ROLE_SCHOOL, Actor
from cyclades_tui.services.db_errors import db_errors
from cyclades_tui.services.db_session import write_transaction
from cyclades_tui.services.errors import BadInput, Refused
from cyclades_tui.services.staff_lockout import lift_lockout
from cyclades_tui.services.staff_login import (
    LOGIN_SHAPE,
)
from cyclades_tui.settings import Settings
from cyclades_tui.store.models import School, Staff, StaffAddressLock, utcnow


@dataclass(frozen=True)
class StaffLock:
    """A lock-out in force: on the whole account (``address`` None) or, for an exam manager
    locked per address, from one client address."""

    until: datetime
    address: str | None = None


@dataclass(frozen=True)
class StaffInfo:
    """A staff account as listed."""

    login: str
    role: str
    school: str | None
    disabled: bool
    # Lock-outs still in force when listed (an expired lock is not one).
    locks: tuple[StaffLock, ...] = ()
    # Its password was set by someone else and must be changed at the next login.
    must_change: bool = False


def check_staff_password(password: str, login: str = "") -> str:
    """Return the password if it is acceptable for the staff account ``login``, else raise
    BadInput (the rules of ``domain.staff_passwords``, the same everywhere)."""
    problem = staff_password_problem(login, password)
    if problem is not None:
        raise BadInput(problem)
    return password


def _existing(login: str) -> Staff:
    """The staff account ``login`` names (case and spaces around it do not matter), or a
    refusal; inside the caller's ``db_errors`` or transaction."""
    staff = Staff.get_or_none(Staff.login == login.strip().lower())
    if staff is None:
        raise Refused(f"Compte « {login} » inconnu.")
    return staff


def _typed_by_owner(must_change: bool) -> str:
    """What the audit trail adds when the new password was typed by its owner."""
    return "" if must_change else " ; mot de passe saisi par son titulaire"


def _new_staff_target(
    actor: Actor, login: str, uai: str | None, role: str
) -> tuple[str, School | None]:
    """The normalised login and school of a staff account about to be created."""
    require_manager(actor, "peut créer des comptes du personnel")
    require_active(actor, "staff.add")
    try:
        name = clean_name(login, "Identifiant", required=True).lower()
    except DomainError as error:
        raise BadInput(str(error)) from None
    if LOGIN_SHAPE.fullmatch(name) is None:
        # The shape the login screen and the audit trail expect of a login.
        raise BadInput(
            f"Identifiant « {name} » invalide : lettres sans accent, chiffres et "
            "« . _ - @ » seulement, sans espace, 64 caractères au plus, en "
            "commençant par une lettre ou un chiffre."
        )
    if role not in (ROLE_SCHOOL, ROLE_MANAGER):
        raise BadInput(f"Rôle « {role} » inconnu : etablissement ou gestionnaire attendu.")
    school: School | None = None
    if role == ROLE_SCHOOL:
        if not uai:
            raise BadInput("Un membre du personnel d'établissement doit avoir un établissement.")
        school = require_school(actor, uai)
    with db_errors():
        taken = Staff.get_or_none(Staff.login == name) is not None
    if taken:
        raise Refused(f"Le compte « {name} » existe déjà.")
    return name, school


def check_new_staff(actor: Actor, login: str, uai: str | None, role: str = ROLE_SCHOOL) -> None:
    """Refuse now what ``add_staff`` would refuse whatever the password (a taken or invalid
    login, an unknown school): the CLI asks for the password only afterwards."""
    _new_staff_target(actor, login, uai, role)


def check_existing_staff(actor: Actor, login: str) -> None:
    """Refuse an unknown login before a new password is asked for it."""
    require_manager(actor, "peut réinitialiser un mot de passe")
    with db_errors():
        _existing(login)


def add_staff(
    actor: Actor,
    login: str,
    password: str,
    uai: str | None,
    role: str = ROLE_SCHOOL,
    *,
    settings: Settings,
    must_change: bool = True,
) -> StaffInfo:
    """Create a staff account (school staff need a school; an exam manager has none).

    ``must_change``: the password was chosen by someone else (the default), so its owner
    must change it at their first TUI login; False when they typed it themselves.
    """
    name, school = _new_staff_target(actor, login, uai, role)
    check_staff_password(password, name)
    hashed = hash_password(password, settings.chosen_cost)  # slow: outside the transaction
    with write_transaction(Staff._meta.database):
        # Checked again: another process may have taken the login while we hashed.
        if Staff.get_or_none(Staff.login == name) is not None:
            raise Refused(f"Le compte « {name} » existe déjà.")
        Staff.create(
            login=name,
            password_hash=hashed,
            school=school,
            role=role,
            must_change_password=must_change,
        )
        audit.record(
            actor,
            "staff.add",
            school,
            f"{name} ({role})" + _typed_by_owner(must_change),
        )
    return StaffInfo(
        login=name,
        role=role,
        school=school.uai if school else None,
        disabled=False,
        must_change=must_change,
    )


def set_password(
    actor: Actor,
    login: str,
    password: str,
    *,
    settings: Settings,
    must_change: bool = True,
) -> None:
    """Give a staff account a new password and unlock it (``must_change``: as in
    ``add_staff``, its owner changes it at the next login)."""
    require_manager(actor, "peut réinitialiser un mot de passe")
    require_active(actor, "staff.reset-password")
    check_staff_password(password, login)
    hashed = hash_password(password, settings.chosen_cost)
    with write_transaction(Staff._meta.database):
        staff = _existing(login)
        Staff.update(password_hash=hashed, must_change_password=must_change).where(
            Staff.id == staff.id
        ).execute()
        lift_lockout(staff.id)
        audit.record(
            actor,
            "staff.reset-password",
            staff.school,
            staff.login + _typed_by_owner(must_change),
        )


def list_staff(actor: Actor) -> list[StaffInfo]:
    """Staff accounts the actor may see, with their lock-outs in force and whether their
    password must be changed (what the operator needs before ``unlock`` or ``enable``)."""
    now = utcnow()
    with db_errors():
        query = (
            Staff.select(Staff, School)
            .join(School, join_type=peewee.JOIN.LEFT_OUTER)
            .order_by(Staff.login)
        )
        visible = [
            s
            for s in query
            if not actor.is_school_staff
            or (s.school is not None and s.school.uai == actor.school_uai)
        ]
        by_address: dict[int, list[StaffLock]] = {}
        for lock in (
            StaffAddressLock.select()
            .where(StaffAddressLock.locked_until > now)
            .order_by(StaffAddressLock.address)
        ):
            if lock.locked_until is not None:  # always, by the WHERE; says so to mypy
                by_address.setdefault(lock.staff_id, []).append(
                    StaffLock(until=lock.locked_until, address=lock.address)
                )
    return [
        StaffInfo(
            login=s.login,
            role=s.role,
            school=s.school.uai if s.school is not None else None,
            disabled=s.disabled,
            locks=tuple(
                (
                    [StaffLock(until=s.locked_until)]
                    if s.locked_until is not None and s.locked_until > now
                    else []
                )
                + by_address.get(s.id, [])
            ),
            must_change=bool(s.must_change_password),
        )
        for s in visible
    ]


def school_name(uai: str | None) -> str:
    """Name of the school ``uai`` (empty when unknown), for headers."""
    if uai is None:
        return ""
    with db_errors():
        school = School.get_or_none(School.uai == uai)
    return school.name if school else ""


def _change_staff(
    actor: Actor, login: str, action: str, verb: str, change: Callable[[Staff], None]
) -> None:
    """The exam manager's changes to another staff account: rights re-checked before the act,
    the account found by login, ``change`` applied and ``action`` audited in one transaction."""
    require_manager(actor, f"peut {verb} un compte")
    require_active(actor, action)
    with write_transaction(Staff._meta.database):
        staff = _existing(login)
        change(staff)
        audit.record(actor, action, staff.school, staff.login)


def unlock(actor: Actor, login: str) -> None:
    """Lift a lock-out: the lock and the failed-attempt count (per address too) are cleared."""

    _change_staff(
        actor, login, "staff.unlock", "déverrouiller", lambda staff: lift_lockout(staff.id)
    )


def enable(actor: Actor, login: str) -> None:
    """Enable a disabled staff account again (its password is unchanged)."""
    _change_staff(
        actor,
        login,
        "staff.enable",
        "réactiver",
        lambda staff: Staff.update(disabled=False).where(Staff.id == staff.id).execute(),
    )


def disable(actor: Actor, login: str) -> None:
    """Disable a staff account: it can no longer log in."""
    _change_staff(
        actor,
        login,
        "staff.disable",
        "désactiver",
        lambda staff: Staff.update(disabled=True).where(Staff.id == staff.id).execute(),
    )
