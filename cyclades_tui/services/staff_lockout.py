"""The staff lock-out: ``lockout_attempts`` failed logins in a row lock an account for
``lockout_minutes``, on the whole account or, for an exam manager locked per address, from
one client address; and what lifts a lock.

The limits themselves are settings (``lockout_attempts``, ``lockout_minutes``,
``manager_lockout``); this module is how they are counted and enforced.
"""

from __future__ import annotations

import ipaddress
import os
from datetime import datetime, timedelta

import peewee

from cyclades_tui.services.actor import ROLE_MANAGER
from cyclades_tui.services.db_session import write_transaction
from cyclades_tui.settings import Settings
from cyclades_tui.store.models import Staff, StaffAddressLock

# The address an exam manager locked per address is counted under when the client's is not
# known (a local session).
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


def slot_address(staff: Staff, address: str | None, settings: Settings) -> str | None:
    """The address the attempts of ``staff`` from ``address`` are counted under: None when
    they count on the account itself (everyone but an exam manager locked per address)."""
    per_address = staff.role == ROLE_MANAGER and settings.manager_lockout == "per_address"
    return (address or UNKNOWN_ADDRESS) if per_address else None


def take_attempt_slot(
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


def forget_failures(staff_id: int, address: str | None) -> None:
    """After a successful login: the account's count starts again, and so does that of the
    address the attempt was counted under (``address``, if any; other addresses stay locked).

    Runs inside the caller's transaction.
    """
    Staff.update(failed_attempts=0, locked_until=None).where(Staff.id == staff_id).execute()
    if address is not None:
        StaffAddressLock.delete().where(
            (StaffAddressLock.staff == staff_id) & (StaffAddressLock.address == address)
        ).execute()


def lift_lockout(staff_id: int) -> None:
    """Clear every lock and failed-attempt count of the account, per address too (an unlock,
    a new password). Runs inside the caller's transaction."""
    Staff.update(failed_attempts=0, locked_until=None).where(Staff.id == staff_id).execute()
    StaffAddressLock.delete().where(StaffAddressLock.staff == staff_id).execute()
