"""Staff accounts: creation, login with lock-out after repeated failures, listing,
unlocking, enabling, and each member changing their own password."""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NoReturn

import peewee

from cyclades_tui.domain.errors import DomainError
from cyclades_tui.domain.names import clean_name
from cyclades_tui.domain.passwords import hash_cost, hash_password, verify_password
from cyclades_tui.domain.staff_passwords import MIN_STAFF_PASSWORD, staff_password_problem
from cyclades_tui.services import audit
from cyclades_tui.services.access import require_active, require_manager, require_school
from cyclades_tui.services.actor import ROLE_MANAGER, ROLE_SCHOOL, Actor
from cyclades_tui.services.db_errors import db_errors
from cyclades_tui.services.db_session import write_transaction
from cyclades_tui.services.errors import BadInput, Refused
from cyclades_tui.settings import Settings
from cyclades_tui.store.models import School, Staff, StaffAddressLock, utcnow


def refusal_message(settings: Settings) -> str:
    """The one answer to every refused login.

    It must not tell whether the login exists, is disabled or is locked (the audit trail
    says which), so it states the rule that covers every case.
    """
    return (
        f"Identifiant ou mot de passe incorrect. Après {settings.lockout_attempts} échecs "
        f"de suite, le compte est verrouillé {settings.lockout_minutes} minute(s)."
    )


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
    if _LOGIN_SHAPE.fullmatch(name) is None:
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
        found = Staff.get_or_none(Staff.login == login.strip().lower()) is not None
    if not found:
        raise Refused(f"Compte « {login} » inconnu.")


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
            f"{name} ({role})" + ("" if must_change else " ; mot de passe saisi par son titulaire"),
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
        staff = Staff.get_or_none(Staff.login == login.strip().lower())
        if staff is None:
            raise Refused(f"Compte « {login} » inconnu.")
        Staff.update(
            password_hash=hashed,
            failed_attempts=0,
            locked_until=None,
            must_change_password=must_change,
        ).where(Staff.id == staff.id).execute()
        StaffAddressLock.delete().where(StaffAddressLock.staff == staff.id).execute()
        audit.record(
            actor,
            "staff.reset-password",
            staff.school,
            staff.login + ("" if must_change else " ; mot de passe saisi par son titulaire"),
        )


def change_own_password(actor: Actor, current: str, new: str, *, settings: Settings) -> None:
    """A staff member replaces their own password (the current one is checked first).

    Clears the « must change » flag. A wrong current password is refused without counting
    as a failed login (the session is already open), and audited.
    """
    problem = staff_password_problem(actor.login, new)
    if problem is not None:
        raise BadInput(problem)
    if new == current:
        raise BadInput("Le nouveau mot de passe doit différer de l'actuel.")
    with db_errors():
        staff = Staff.get_or_none(Staff.login == actor.login)
    if staff is None or staff.disabled:
        raise Refused("Compte désactivé ou supprimé : reconnectez-vous.")
    if not verify_password(current, staff.password_hash):
        with db_errors():
            audit.record(
                actor,
                "staff.password",
                staff.school,
                "mot de passe actuel incorrect",
                success=False,
            )
        raise BadInput("Mot de passe actuel incorrect.")
    hashed = hash_password(new, settings.chosen_cost)
    with write_transaction(Staff._meta.database):
        Staff.update(password_hash=hashed, must_change_password=False).where(
            Staff.id == staff.id
        ).execute()
        audit.record(actor, "staff.password", staff.school, "mot de passe changé par son titulaire")


def must_change_password(login: str) -> bool:
    """True when the account's password was set by someone else and not changed since."""
    with db_errors():
        staff = Staff.get_or_none(Staff.login == login)
    return staff is not None and bool(staff.must_change_password)


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
    started = time.monotonic()
    name = login.strip().lower()
    address = client_address()
    where = f" (depuis {address})" if address else ""
    with db_errors():
        staff = (
            Staff.select(Staff, School)
            .join(School, join_type=peewee.JOIN.LEFT_OUTER)
            .where(Staff.login == name)
            .first()
        )
    if staff is None:
        _refuse_unevaluated(
            password,
            settings,
            "?",
            None,
            f"identifiant inconnu{_attempted_login(login)}{where}",
            started,
        )
    now = utcnow()
    if staff.disabled:
        _refuse_unevaluated(
            password, settings, name, staff.school, f"compte désactivé{where}", started
        )
    per_address = staff.role == ROLE_MANAGER and settings.manager_lockout == "per_address"
    slot_address = (address or UNKNOWN_ADDRESS) if per_address else None
    locks = _take_attempt_slot(staff.id, now, settings, slot_address)
    if locks is None:
        _refuse_unevaluated(
            password, settings, name, staff.school, f"compte verrouillé{where}", started
        )
    checking = time.monotonic()
    if not verify_password(password, staff.password_hash):
        check = time.monotonic() - checking
        # The attempt keeps its slot; the last slot locked the account when it was taken.
        detail = (
            "mot de passe incorrect"
            + (
                f" ; compte verrouillé {settings.lockout_minutes} minute(s) après "
                f"{settings.lockout_attempts} échecs"
                if locks
                else ""
            )
            + where
        )
        with db_errors():
            audit.record(name, "login", staff.school, detail, success=False)
        _answer_at(started, check)
        raise Refused(refusal_message(settings))
    # The staff cost was raised since this hash was made: re-hash now that the password is
    # known to be right (docs/personnel.md promises it). Slow, so outside the transaction.
    upgraded = (
        hash_password(password, settings.chosen_cost)
        if hash_cost(staff.password_hash) < settings.chosen_cost
        else None
    )
    with write_transaction(Staff._meta.database):
        Staff.update(failed_attempts=0, locked_until=None).where(Staff.id == staff.id).execute()
        if slot_address is not None:
            StaffAddressLock.delete().where(
                (StaffAddressLock.staff == staff.id) & (StaffAddressLock.address == slot_address)
            ).execute()
        if upgraded is not None:
            # Only if unchanged meanwhile (a reset or a change made during the check wins).
            Staff.update(password_hash=upgraded).where(
                (Staff.id == staff.id) & (Staff.password_hash == staff.password_hash)
            ).execute()
        audit.record(name, "login", staff.school, "connexion" + where)
    return Actor(
        login=staff.login,
        role=staff.role,
        school_uai=staff.school.uai if staff.school is not None else None,
    )


UNKNOWN_ADDRESS = "inconnue"


def client_address(environ: dict[str, str] | None = None) -> str | None:
    """The SSH client's address (first field of ``SSH_CONNECTION``), if it is an IP address.

    Anything else (unset, local session, a forged value) gives None: the audit trail and
    the per-address lock never store text that is not an address.
    """
    env = os.environ if environ is None else environ
    first = env.get("SSH_CONNECTION", "").split(" ", 1)[0].strip()
    if not first:
        return None
    try:
        return str(ipaddress.ip_address(first))
    except ValueError:
        return None


def _take_attempt_slot(
    staff_id: int, now: datetime, settings: Settings, address: str | None = None
) -> bool | None:
    """Reserve one password evaluation for the account: None when it is locked, else
    whether this attempt took the last slot (and so locked the account).

    ``address``: count and lock the account per client address (a row of
    ``StaffAddressLock``, made first if missing) instead of on the account itself.

    One transaction holding the row: the database checks the lock and counts the attempt
    atomically (SQLite serialises writers; PostgreSQL re-checks the condition on the row
    once a concurrent update commits), so no two attempts can take the last slot. The last
    slot sets the lock at once, before its password is checked: a process killed during the
    check (a dropped SSH link) cannot leave every slot spent with no lock to expire. A lock
    that has expired starts the count again.
    """
    attempts = max(1, settings.lockout_attempts)
    model: type[Staff] | type[StaffAddressLock]
    if address is None:
        model, row = Staff, Staff.id == staff_id
    else:
        model = StaffAddressLock
        row = (StaffAddressLock.staff == staff_id) & (StaffAddressLock.address == address)
        with write_transaction(Staff._meta.database):
            # The row every attempt from this address then updates atomically.
            StaffAddressLock.insert(staff=staff_id, address=address).on_conflict_ignore().execute()
    failed, locked = model.failed_attempts, model.locked_until
    expired = locked.is_null(False) & (locked <= now)
    with write_transaction(Staff._meta.database):
        taken = (
            model.update({failed: peewee.Case(None, [(expired, 1)], failed + 1), locked: None})
            .where(row & (expired | (locked.is_null() & (failed < attempts))))
            .execute()
        )
        if not taken:
            return None
        locks = (
            model.update({locked: now + timedelta(minutes=settings.lockout_minutes)})
            .where(row & (failed >= attempts))
            .execute()
        )
    return bool(locks)


def _refuse_unevaluated(
    password: str,
    settings: Settings,
    actor: str,
    school: School | None,
    cause: str,
    started: float,
) -> NoReturn:
    """Refuse an attempt whose password is not evaluated, as slowly as one that is.

    The bcrypt check against a dummy hash at the staff cost makes the refusal take the
    time of a wrong password; the message is the same; only the audit trail says why.
    """
    checking = time.monotonic()
    verify_password(password, _dummy_hash(settings.chosen_cost))
    check = time.monotonic() - checking
    with db_errors():
        audit.record(actor, "login", school, cause, success=False)
    _answer_at(started, check)
    raise Refused(refusal_message(settings))


# Every refusal is answered at a deadline after the attempt started: REFUSAL_CHECKS times
# its own bcrypt check, plus REFUSAL_MARGIN seconds. The one bcrypt check is the same for
# every cause, but the database work is not: an unknown or disabled login writes one audit
# row, a locked one also tries to take an attempt slot, a wrong password takes it (a
# committed UPDATE: one more journal sync on SQLite). That measured 10–20 % apart under
# load. The deadline absorbs that work (it fits in the half check and the margin) and scales
# with the machine's load as the check does; an attempt slower than the deadline (a stalled
# database) is answered when done.
REFUSAL_CHECKS = 1.5
REFUSAL_MARGIN = 0.15


def _answer_at(started: float, check: float) -> None:
    """Wait until the refusal deadline of an attempt started at ``started`` (monotonic
    seconds) whose bcrypt check took ``check`` seconds."""
    left = started + REFUSAL_CHECKS * check + REFUSAL_MARGIN - time.monotonic()
    if left > 0:
        time.sleep(left)  # a response-time floor, not synchronisation


_dummy_hashes: dict[int, str] = {}
_dummy_lock = threading.Lock()


def _dummy_hash(cost: int) -> str:
    """A hash no typed password matches (its secret is random), at ``cost``.

    Made once per process; ``prepare_login`` makes it before the first attempt, so that
    the first refusal of a new SSH session is not slower than a wrong password.
    """
    with _dummy_lock:
        if cost not in _dummy_hashes:
            _dummy_hashes[cost] = hash_password(secrets.token_urlsafe(32), cost)
        return _dummy_hashes[cost]


def prepare_login(settings: Settings) -> None:
    """Make the dummy hash of the staff cost now (the TUI calls it in a thread at start,
    before the login screen takes a password)."""
    _dummy_hash(settings.chosen_cost)


def dummy_hash_ready(cost: int) -> bool:
    """True once the dummy hash of ``cost`` exists in this process."""
    with _dummy_lock:
        return cost in _dummy_hashes


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
        staff = (
            Staff.select(Staff, School)
            .join(School, join_type=peewee.JOIN.LEFT_OUTER)
            .where(Staff.login == login)
            .first()
        )
    if staff is None:
        raise Refused(f"Compte « {login} » inconnu.")
    return Actor(
        login=staff.login,
        role=staff.role,
        school_uai=staff.school.uai if staff.school is not None else None,
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
        staff = Staff.get_or_none(Staff.login == login.strip().lower())
        if staff is None:
            raise Refused(f"Compte « {login} » inconnu.")
        change(staff)
        audit.record(actor, action, staff.school, staff.login)


def unlock(actor: Actor, login: str) -> None:
    """Lift a lock-out: the lock and the failed-attempt count (per address too) are cleared."""

    def clear(staff: Staff) -> None:
        Staff.update(failed_attempts=0, locked_until=None).where(Staff.id == staff.id).execute()
        StaffAddressLock.delete().where(StaffAddressLock.staff == staff.id).execute()

    _change_staff(actor, login, "staff.unlock", "déverrouiller", clear)


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
