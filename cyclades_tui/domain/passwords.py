"""Provisional passwords and their bcrypt hashes.

A provisional password is 10 characters drawn with ``secrets`` from 64 symbols that have
no look-alikes: 24 lower-case letters, 24 upper-case letters, 8 digits and 8 symbols that
sit on an unshifted or shifted key of both AZERTY and QWERTY keyboards. Strings missing a
class are redrawn, which keeps the draw uniform over the valid passwords: about 52 % of
the 64^10 strings qualify, so each password carries about 59 bits (``entropy_bits()``).
The hyphen is left out on purpose: at the end of a printed line, text extractors and
readers take it for a word break.
"""

from __future__ import annotations

import math
import secrets
from itertools import combinations

import bcrypt

LOWER = "abcdefghijkmnpqrstuvwxyz"  # no l, o
UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I, O
DIGITS = "23456789"  # no 0, 1
SYMBOLS = "!$%&*+=?"
ALPHABET = LOWER + UPPER + DIGITS + SYMBOLS
PASSWORD_LENGTH = 10

# Cost for machine-drawn provisional passwords (58+ bits: offline guessing is out of reach
# even at cost 10) and for passwords chosen by a person (low entropy: slow them down).
PROVISIONAL_COST = 10
CHOSEN_COST = 12
# bcrypt reads at most 72 bytes; bcrypt 5 raises beyond that instead of truncating.
MAX_PASSWORD_BYTES = 72


class PlainPassword(str):
    """A plain password that never shows itself in a repr, a log line or a traceback's locals.

    ``str(p)`` and f-strings still give the password (the slip needs it); ``repr(p)`` does not.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return "'**********'"


def meets_policy(password: str) -> bool:
    """True when ``password`` has the provisional-password shape (length, alphabet, classes)."""
    return (
        len(password) == PASSWORD_LENGTH
        and all(c in ALPHABET for c in password)
        and any(c in LOWER for c in password)
        and any(c in UPPER for c in password)
        and any(c in DIGITS for c in password)
        and any(c in SYMBOLS for c in password)
    )


def entropy_bits() -> float:
    """Exact entropy of a provisional password: log2 of the number of valid passwords.

    Counted by inclusion-exclusion over the four classes that must each appear.
    """
    groups = [LOWER, UPPER, DIGITS, SYMBOLS]
    valid = 0
    for k in range(len(groups) + 1):
        for missing in combinations(groups, k):
            size = len(ALPHABET) - sum(len(g) for g in missing)
            valid += (-1) ** k * size**PASSWORD_LENGTH
    return math.log2(valid)


def generate_password() -> PlainPassword:
    """Draw a new provisional password that meets the policy."""
    while True:
        password = "".join(secrets.choice(ALPHABET) for _ in range(PASSWORD_LENGTH))
        if meets_policy(password):
            return PlainPassword(password)


def hash_password(password: str, cost: int) -> str:
    """Return the bcrypt hash of ``password`` at ``cost`` (work factor 4-31)."""
    data = password.encode("utf-8")
    if len(data) > MAX_PASSWORD_BYTES:
        raise ValueError("mot de passe trop long (72 octets au plus)")
    return bcrypt.hashpw(data, bcrypt.gensalt(rounds=cost)).decode("ascii")


def verify_password(password: str, hashed: str) -> bool:
    """True when ``password`` matches the bcrypt ``hashed``; never raises on bad input."""
    data = password.encode("utf-8")
    if len(data) > MAX_PASSWORD_BYTES:
        return False
    try:
        return bcrypt.checkpw(data, hashed.encode("ascii"))
    except ValueError:
        return False


def hash_cost(hashed: str) -> int:
    """The work factor written in a bcrypt hash (``$2b$10$...`` gives 10)."""
    return int(hashed.split("$")[2])
