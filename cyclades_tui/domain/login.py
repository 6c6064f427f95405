"""Candidate logins « prénom.nom »: transliteration, cleaning, length cap and homonym suffixes."""

from __future__ import annotations

import re
from collections.abc import Callable

from anyascii import anyascii

MAX_LOGIN_LENGTH = 40
# Used only when both names transliterate to nothing at all (emoji-only input, say):
# a login must never be empty.
FALLBACK_LOGIN = "candidat"

_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―_]+")
_APOSTROPHES = re.compile(r"['’‘`´ʼ]")
_NOT_ALLOWED = re.compile(r"[^a-z0-9-]")
_DASHES = re.compile(r"-{2,}")


def clean_name_part(name: str) -> str:
    """Turn one name into its login form: ASCII, lower case, ``a-z0-9`` and single hyphens."""
    # Spaces and hyphens become separators before transliteration, because anyascii may
    # itself produce spaces for some scripts and those must become hyphens too.
    ascii_text = anyascii(name)
    ascii_text = _APOSTROPHES.sub("", ascii_text)
    ascii_text = _SEPARATORS.sub("-", ascii_text.lower())
    ascii_text = _NOT_ALLOWED.sub("", ascii_text)
    return _DASHES.sub("-", ascii_text).strip("-")


def login_base(first_name: str, family_name: str, suffix_room: int = 0) -> str:
    """Build the login « prénom.nom » before any homonym suffix.

    ``suffix_room`` characters are kept free at the end so that a homonym suffix still
    fits in 40 characters; the family-name part is cut first.
    """
    first = clean_name_part(first_name)
    family = clean_name_part(family_name)
    limit = MAX_LOGIN_LENGTH - suffix_room
    if first and family:
        # The family-name part is cut first (docs/regles.md); a first name too long to leave
        # room for « .x » is cut too.
        first = first[: max(1, limit - 2)].strip("-")
        family = family[: limit - len(first) - 1].strip("-")
        login = f"{first}.{family}" if family else first
    else:
        login = (family or first)[:limit].strip("-")
    return login or FALLBACK_LOGIN[:limit]


def with_suffix(base: str, rank: int) -> str:
    """The ``rank``-th login of a homonym series: rank 1 is the base, then base2, base3…"""
    return base if rank <= 1 else f"{base}{rank}"


def first_free_login(first_name: str, family_name: str, is_taken: Callable[[str], bool]) -> str:
    """Return the first login of the homonym series that ``is_taken`` reports free."""
    rank = 1
    while True:
        suffix = "" if rank == 1 else str(rank)
        candidate = with_suffix(login_base(first_name, family_name, len(suffix)), rank)
        if not is_taken(candidate):
            return candidate
        rank += 1
