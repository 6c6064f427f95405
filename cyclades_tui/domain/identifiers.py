"""UAI (school) and INE (pupil) identifiers: formats and check characters."""

from __future__ import annotations

import re
from enum import StrEnum

from cyclades_tui.domain.errors import DomainError

# The 23 letters used as check characters by the Ministry (no I, O, Q).
CHECK_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"

_UAI_RE = re.compile(r"\d{7}[A-Z]", re.ASCII)
_BEA_RE = re.compile(r"^\d{10}[A-HJ-NPR-Z]$", re.ASCII)
_RNIE_RE = re.compile(r"^\d{9}[A-HJK]{2}$", re.ASCII)
_BASE36_RE = re.compile(r"^[0-9A-Z]{10}\d$", re.ASCII)
_SIFA_RE = re.compile(r"^\d{4}A\d{5}[A-HJ-NPR-Z]$", re.ASCII)


class IneKind(StrEnum):
    """The INE families CYCLADES accepts."""

    BEA = "INE-BEA"
    RNIE = "INE-RNIE"
    BASE36 = "INE-Base36"
    SIFA = "INE-SIFA"


def check_letter(digits: str) -> str:
    """The Ministry's check letter of ``digits`` (a UAI's seven, an INE-BEA's ten)."""
    return CHECK_LETTERS[int(digits) % 23]


def has_uai_form(text: str) -> bool:
    """True when ``text`` is seven ASCII digits and an upper-case letter (check letter not
    verified): the form that makes a UAI safe as a folder name."""
    return _UAI_RE.fullmatch(text) is not None


def validate_uai(raw: str) -> str:
    """Return the UAI trimmed and in upper case, or raise DomainError saying why it is wrong."""
    uai = raw.strip().upper()
    if not has_uai_form(uai):
        raise DomainError(
            f"UAI « {raw.strip()} » invalide : 7 chiffres suivis d'une lettre sont attendus."
        )
    expected = check_letter(uai[:7])
    if uai[7] != expected:
        raise DomainError(
            f"UAI « {uai} » invalide : la lettre de contrôle devrait être « {expected} »."
        )
    return uai


def _base36(char: str) -> int:
    return int(char, 36)


def base36_check_digit(first_ten: str) -> str:
    """INE-Base36 check digit: last digit of 6 x (sum of chars 1-9) + char 10, in base 36."""
    total = 6 * sum(_base36(c) for c in first_ten[:9]) + _base36(first_ten[9])
    return str(total % 10)


def _require_check(ine: str, expected: str, what: str) -> None:
    """Refuse an eleven-character INE whose last character is not ``expected``."""
    if ine[10] != expected:
        raise DomainError(
            f"INE « {ine} » invalide : {what} de contrôle devrait être « {expected} »."
        )


def ine_kind(raw: str) -> IneKind:
    """Return which INE family a valid INE belongs to, or raise DomainError saying why it is wrong.

    The families are tried from the most specific check to the least: a string of eleven
    digits could only be Base36; ten digits and a letter is BEA (or SIFA when its fifth
    character is an A, which a BEA cannot have).
    """
    ine = raw.strip().upper()
    if not ine:
        raise DomainError("INE manquant.")
    if _SIFA_RE.match(ine):
        return IneKind.SIFA
    if _BEA_RE.match(ine):
        _require_check(ine, check_letter(ine[:10]), "la lettre")
        return IneKind.BEA
    if _RNIE_RE.match(ine):
        return IneKind.RNIE
    if _BASE36_RE.match(ine):
        _require_check(ine, base36_check_digit(ine[:10]), "le chiffre")
        return IneKind.BASE36
    raise DomainError(
        f"INE « {raw.strip()} » invalide : format non reconnu "
        "(INE-BEA, INE-RNIE, INE-Base36 ou INE-SIFA attendu)."
    )


def validate_ine(raw: str) -> str:
    """Return the INE trimmed and in upper case, or raise DomainError saying why it is wrong."""
    ine_kind(raw)
    return raw.strip().upper()
