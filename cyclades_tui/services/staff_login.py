"""Staff login: the password check, and refusals that tell nothing of the account.

Every refused login says the same thing, costs the same bcrypt check and is answered at the
same deadline after the attempt started, whatever its cause; only the audit trail says why.
How failures are counted and accounts locked is in ``staff_lockout``.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from dataclasses import dataclass
from typing import NoReturn

from cyclades_tui.domain.passwords import hash_cost, hash_password, verify_password
from cyclades_tui.domain.staff_passwords import MIN_STAFF_PASSWORD
from cyclades_tui.services import audit
from cyclades_tui.services.access import staff_with_school
from cyclades_tui.services.actor import Actor
from cyclades_tui.services.db_errors import db_errors
from cyclades_tui.services.db_session import write_transaction
from cyclades_tui.services.errors import Refused
from cyclades_tui.services.staff_lockout import (
    client_address,
    forget_failures,
    slot_address,
    take_attempt_slot,
)
from cyclades_tui.settings import Settings
from cyclades_tui.store.models import School, Staff, utcnow

# The shape of a staff login: what the login screen and the audit trail expect of one.
LOGIN_SHAPE = re.compile(r"[a-z0-9][a-z0-9._@-]{0,63}")
# Shorter than any staff password (at least 12 characters): shown whole, it cannot be one.
_SHOWN_WHOLE = MIN_STAFF_PASSWORD - 1

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
class _Attempt:
    """One login attempt: what was typed, under which settings, when and from where."""

    typed: str  # the login as typed, for the audit trail of an unknown one
    name: str  # the login normalised
    password: str
    settings: Settings
    started: float  # time.monotonic() when the attempt started: its refusal deadline
    address: str | None  # the SSH client's, if known

    @property
    def where(self) -> str:
        """« (depuis <address>) » for the audit trail, or nothing."""
        return f" (depuis {self.address})" if self.address else ""


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
    started = time.monotonic()  # first: every refusal's deadline counts from here
    attempt = _Attempt(
        typed=login,
        name=login.strip().lower(),
        password=password,
        settings=settings,
        started=started,
        address=client_address(),
    )
    staff = _enabled_account(attempt)
    counted_under = slot_address(staff, attempt.address, settings)
    locks = take_attempt_slot(staff.id, utcnow(), settings, counted_under)
    if locks is None:
        _refuse_unevaluated(attempt, attempt.name, staff.school, "compte verrouillé")
    _check_password(attempt, staff, locks)
    return _log_in(attempt, staff, counted_under)


def _enabled_account(attempt: _Attempt) -> Staff:
    """The account the attempt names; an unknown or disabled one is refused."""
    staff = staff_with_school(attempt.name)
    if staff is None:
        _refuse_unevaluated(
            attempt, "?", None, f"identifiant inconnu{_attempted_login(attempt.typed)}"
        )
    if staff.disabled:
        _refuse_unevaluated(attempt, attempt.name, staff.school, "compte désactivé")
    return staff


def _check_password(attempt: _Attempt, staff: Staff, locks: bool) -> None:
    """Refuse a wrong password (``locks``: this attempt took the last slot and locked the
    account)."""
    checking = time.monotonic()
    if verify_password(attempt.password, staff.password_hash):
        return
    check = time.monotonic() - checking
    # The attempt keeps its slot; the last slot locked the account when it was taken.
    settings = attempt.settings
    detail = (
        "mot de passe incorrect"
        + (
            f" ; compte verrouillé {settings.lockout_minutes} minute(s) après "
            f"{settings.lockout_attempts} échecs"
            if locks
            else ""
        )
        + attempt.where
    )
    with db_errors():
        audit.record(attempt.name, "login", staff.school, detail, success=False)
    _answer_at(attempt.started, check)
    raise Refused(refusal_message(settings))


def _log_in(attempt: _Attempt, staff: Staff, counted_under: str | None) -> Actor:
    """The right password: the failures counted are forgotten, the hash brought up to the
    staff cost, the login audited; the actor of the session."""
    settings = attempt.settings
    # The staff cost was raised since this hash was made: re-hash now that the password is
    # known to be right (docs/personnel.md promises it). Slow, so outside the transaction.
    upgraded = (
        hash_password(attempt.password, settings.chosen_cost)
        if hash_cost(staff.password_hash) < settings.chosen_cost
        else None
    )
    with write_transaction(Staff._meta.database):
        forget_failures(staff.id, counted_under)
        if upgraded is not None:
            # Only if unchanged meanwhile (a reset or a change made during the check wins).
            Staff.update(password_hash=upgraded).where(
                (Staff.id == staff.id) & (Staff.password_hash == staff.password_hash)
            ).execute()
        audit.record(attempt.name, "login", staff.school, "connexion" + attempt.where)
    return _actor_of(staff)


def _refuse_unevaluated(
    attempt: _Attempt, actor: str, school: School | None, cause: str
) -> NoReturn:
    """Refuse an attempt whose password is not evaluated, as slowly as one that is.

    The bcrypt check against a dummy hash at the staff cost makes the refusal take the
    time of a wrong password; the message is the same; only the audit trail says why
    (``cause``, followed by the client's address).
    """
    checking = time.monotonic()
    verify_password(attempt.password, _dummy_hash(attempt.settings.chosen_cost))
    check = time.monotonic() - checking
    with db_errors():
        audit.record(actor, "login", school, cause + attempt.where, success=False)
    _answer_at(attempt.started, check)
    raise Refused(refusal_message(attempt.settings))


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


def _attempted_login(typed: str) -> str:
    """The login an unknown attempt used, for the audit trail, never a password.

    People type their password in the login field by mistake (or a burst of keys puts it
    there): text without a login's shape (lower case letters, digits, « . _ - @ », no space)
    is not kept, and a longer one, which could be a password, only by its first characters.
    """
    text = typed.strip()
    if LOGIN_SHAPE.fullmatch(text) is None:
        return ""
    if len(text) > _SHOWN_WHOLE:
        return f" : « {text[:4]}… » ({len(text)} caractères)"
    return f" : « {text} »"


def actor_for(login: str) -> Actor:
    """The actor of an existing staff account, without a password (the demo session)."""
    staff = staff_with_school(login)
    if staff is None:
        raise Refused(f"Compte « {login} » inconnu.")
    return _actor_of(staff)


def _actor_of(staff: Staff) -> Actor:
    """The identity a session of ``staff`` acts under."""
    return Actor(
        login=staff.login,
        role=staff.role,
        school_uai=staff.school.uai if staff.school is not None else None,
    )
