"""Candidate accounts as the publication site uses them: check a password, change it.

Each job has its module: the counts and the generation of « Générer les comptes » in
``account_generation``, « Régénérer » in ``account_regeneration``, what both share (the
slips, their documents, the result of a run) in ``slip_documents``.
"""

from __future__ import annotations

from dataclasses import dataclass

from cyclades_tui.domain.errors import DomainError
from cyclades_tui.domain.names import clean_name
from cyclades_tui.domain.passwords import (
    MAX_PASSWORD_BYTES,
    hash_cost,
    hash_password,
    verify_password,
)
from cyclades_tui.services.db_errors import db_errors
from cyclades_tui.services.errors import BadInput, Refused
from cyclades_tui.settings import Settings
from cyclades_tui.store.models import Account, utcnow

MIN_CHOSEN_PASSWORD = 8


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of a login check; ``must_change`` when the password is still provisional."""

    ok: bool
    must_change: bool = False


def verify(login: str, password: str, *, settings: Settings) -> VerifyResult:
    """Check a candidate's login and password, as the publication site does.

    A correct password whose hash is cheaper than the current setting is re-hashed.
    """
    with db_errors():
        account = Account.get_or_none(Account.login == login.strip().lower())
    if account is None or not verify_password(password, account.password_hash):
        return VerifyResult(ok=False)
    target = settings.provisional_cost if account.provisional else settings.chosen_cost
    if hash_cost(account.password_hash) < target:
        with db_errors():
            Account.update(password_hash=hash_password(password, target)).where(
                (Account.id == account.id) & (Account.password_hash == account.password_hash)
            ).execute()
    return VerifyResult(ok=True, must_change=account.provisional)


def change_password(login: str, current: str, new: str, *, settings: Settings) -> None:
    """Replace a candidate's password by one they chose; the current one must be right."""
    with db_errors():
        account = Account.get_or_none(Account.login == login.strip().lower())
    if account is None or not verify_password(current, account.password_hash):
        raise Refused("Identifiant ou mot de passe incorrect.")
    try:
        chosen = clean_name(new, "Nouveau mot de passe", required=True)
    except DomainError as error:
        raise BadInput(str(error), [str(error)]) from None
    if chosen != new or len(new) < MIN_CHOSEN_PASSWORD:
        raise BadInput(
            f"Nouveau mot de passe refusé : {MIN_CHOSEN_PASSWORD} caractères au moins, "
            "sans espace au début ou à la fin."
        )
    if len(new.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise BadInput(f"Nouveau mot de passe refusé : {MAX_PASSWORD_BYTES} octets au plus.")
    if new == current:
        raise BadInput("Nouveau mot de passe refusé : il doit différer du mot de passe actuel.")
    hashed = hash_password(new, settings.chosen_cost)
    with db_errors():
        # Only if the password verified above is still the current one (no regeneration
        # or other change in between).
        changed = (
            Account.update(
                password_hash=hashed,
                provisional=False,
                password_changed_at=utcnow(),
                password_version=Account.password_version + 1,
            )
            .where((Account.id == account.id) & (Account.password_hash == account.password_hash))
            .execute()
        )
    if not changed:
        raise Refused("Le mot de passe a été changé entre-temps : recommencez avec le nouveau.")
