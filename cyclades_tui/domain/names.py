"""Checks on the names and dates people type or import."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime

from cyclades_tui.domain.errors import DomainError
from cyclades_tui.domain.safe_text import first_unsafe

MAX_NAME_LENGTH = 100


def clean_name(raw: str, field: str, required: bool) -> str:
    """Return a name trimmed and NFC-normalised, or raise DomainError naming ``field``.

    Control characters (C0, C1, escape sequences, NUL, tabs and line breaks) and
    bidirectional controls are refused: they would corrupt terminals and slips, and no real
    name has them. The raw text is checked before spaces are collapsed, since Python counts
    some controls (U+001C to U+001F, U+0085) as spaces; the message spells the character
    out (« \\x1b », « U+202E »), never sends it.
    """
    unsafe = first_unsafe(raw)
    if unsafe is not None:
        raise DomainError(f"{field} contient un caractère interdit ({unsafe}).")
    name = unicodedata.normalize("NFC", " ".join(raw.split()))
    if required and not name:
        raise DomainError(f"{field} manquant.")
    if len(name) > MAX_NAME_LENGTH:
        raise DomainError(f"{field} trop long ({len(name)} caractères, {MAX_NAME_LENGTH} au plus).")
    for char in name:
        category = unicodedata.category(char)
        if category in ("Cc", "Cf", "Cs", "Co", "Cn"):
            raise DomainError(
                f"{field} contient un caractère interdit (U+{ord(char):04X})."
            )
    return name


def parse_birth_date(raw: str) -> date:
    """Parse a JJ/MM/AAAA birth date or raise DomainError."""
    text = raw.strip()
    try:
        parsed = datetime.strptime(text, "%d/%m/%Y").date()
    except ValueError:
        raise DomainError(
            f"Date de naissance « {text} » invalide : JJ/MM/AAAA attendu (date réelle)."
        ) from None
    if not 1900 <= parsed.year <= 2100:
        raise DomainError(f"Date de naissance « {text} » invalide : année hors limites.")
    return parsed


def local_time(stored: datetime) -> datetime:
    """A stored timestamp (naive UTC) in the server's local time, as people read dates."""
    return stored.replace(tzinfo=UTC).astimezone()


def clean_division(raw: str) -> str:
    """Return the class (division) code trimmed, or raise DomainError."""
    if not raw.strip():
        raise DomainError("Division manquante.")  # « division » is feminine: not « manquant »
    return clean_name(raw, "Division", required=True)[:30]
