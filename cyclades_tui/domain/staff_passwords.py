"""The rules a staff password must meet, the same for the CLI and the screens.

At least ``MIN_STAFF_PASSWORD`` characters, at most 72 bytes (bcrypt), not the login nor
containing it, and not one of the most common passwords (``common_passwords.txt``, compared
without case, also once the digits and symbols people add at the end are taken off:
« Azerty2025! » is « azerty »).
"""

from __future__ import annotations

import functools
from importlib import resources

from cyclades_tui.domain.passwords import MAX_PASSWORD_BYTES

MIN_STAFF_PASSWORD = 12
_TRAILING = "0123456789!?.,;:@#$%&*+=-_ "


@functools.cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, in lower case."""
    text = (
        resources.files("cyclades_tui.domain")
        .joinpath("common_passwords.txt")
        .read_text(encoding="utf-8")
    )
    return frozenset(
        line.strip().lower()
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    )


def staff_password_problem(login: str, password: str) -> str | None:
    """What is wrong with ``password`` for the staff account ``login`` (French), or None."""
    if len(password) < MIN_STAFF_PASSWORD:
        return f"Mot de passe trop court : {MIN_STAFF_PASSWORD} caractères au moins."
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        return f"Mot de passe trop long : {MAX_PASSWORD_BYTES} octets au plus."
    lowered = password.lower()
    name = login.strip().lower()
    if name and name in lowered:
        return "Mot de passe refusé : il contient l'identifiant du compte."
    known = common_passwords()
    if lowered in known or lowered.rstrip(_TRAILING) in known:
        return (
            "Mot de passe refusé : c'est un des mots de passe les plus courants "
            "(essayés en premier par un attaquant)."
        )
    return None
