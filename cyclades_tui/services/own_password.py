"""A staff member's own password: whether they must change it, and changing it."""

from __future__ import annotations

from cyclades_tui.domain.passwords import hash_password, verify_password
from cyclades_tui.domain.staff_passwords import staff_password_problem
from cyclades_tui.services import audit
from cyclades_tui.services.actor import Actor
from cyclades_tui.services.db_errors import db_errors
from cyclades_tui.services.db_session import write_transaction
from cyclades_tui.services.errors import BadInput, Refused
from cyclades_tui.settings import Settings
from cyclades_tui.store.models import Staff


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
