"""Checks on the names and dates people type or import."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime

from cyclades_tui.domain.errors import DomainError
from cyclades_tui.domain.safe_text import first_unsafe

MAX_NAME_LENGTH = 100

# Letters that Unicode decomposition leaves alone but that French alphabetical order treats
# as their base letters (ß needs nothing: casefold already makes it « ss »).
_FOLD_EXTRA = str.maketrans(
    {"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "ħ": "h", "ı": "i"}
)


def fold(text: str) -> str:
    """Lower-case, accent-free, ligature-free, space-free form of ``text``.

    The one comparison form: homonyms, search, print order and the labels typed on the
    command line all compare through it, so that « Cœur » and « coeur » are one name
    everywhere.
    """
    decomposed = unicodedata.normalize(
        "NFKD", text.replace("’", "'").casefold().translate(_FOLD_EXTRA)
    )
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(bare.split())


def display_name(family_name: str, usage_name: str, first_name: str) -> str:
    """« NOM (usage) Prénom » as lists, slips and documents show a pupil."""
    usage = f" ({usage_name})" if usage_name else ""
    return f"{family_name}{usage} {first_name}".strip()


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
            raise DomainError(f"{field} contient un caractère interdit (U+{ord(char):04X}).")
    return name


# Letters that draw nothing (Hangul fillers) and blanks that are not spaces (Braille blank):
# a name made of them looks empty on a slip.
_INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# Accents a letter may carry as combining marks (NFC leaves some: n̈); more is not a name.
MAX_MARKS = 3


def _is_latin_letter(char: str) -> bool:
    # Unicode names every Latin letter « LATIN … » (É, Ł, ễ, Ș, œ, ß, æ); Python's
    # unicodedata has no Script property, and the name is exactly what is needed here.
    return unicodedata.name(char, "").startswith("LATIN ")


def check_latin_name(name: str, field: str) -> None:
    """Refuse, naming ``field``, a person's name that is not written in the Latin script.

    Slips must be readable and two candidates must not look alike: « Аlice » (Cyrillic А)
    beside « Alice » would print identical slips, a name in Chinese prints an empty
    « Candidat : » with the slips' font, and a name of invisible characters (U+3164,
    U+2800, U+FFA0) gives the login « candidat ». Every letter must be a Latin one (accents
    and ligatures included: É, Ł, ễ, Ș, œ, ß, æ), with at most three combining accents;
    spaces, apostrophes, hyphens and other signs are left to the other checks.
    """
    marks = 0
    base_latin = False
    latin_letters = 0
    for char in name:
        category = unicodedata.category(char)
        if char in _INVISIBLE:
            raise DomainError(f"{field} contient un caractère invisible (U+{ord(char):04X}).")
        if category.startswith("L"):
            if not _is_latin_letter(char):
                described = unicodedata.name(char, "lettre sans nom")
                raise DomainError(
                    f"{field} « {name[:40]} » : lettre hors de l'alphabet latin "
                    f"(U+{ord(char):04X} {described}) ; un nom s'écrit en alphabet latin, "
                    "accents compris."
                )
            base_latin, marks = True, 0
            latin_letters += 1
        elif category.startswith("M"):
            marks += 1
            if not base_latin or marks > MAX_MARKS:
                raise DomainError(
                    f"{field} « {name[:40]} » : accent isolé ou accumulé (U+{ord(char):04X})."
                )
        else:
            base_latin, marks = False, 0
    if name and not latin_letters:
        raise DomainError(f"{field} « {name[:40]} » : aucune lettre de l'alphabet latin.")


def clean_person_name(raw: str, field: str, required: bool) -> str:
    """A person's name as imported (CSV or SIECLE): ``clean_name``, then Latin script only
    (``check_latin_name``)."""
    name = clean_name(raw, field, required)
    check_latin_name(name, field)
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
