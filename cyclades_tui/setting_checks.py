"""How one setting's raw value is checked: each check returns the value, converted, or
raises ``ValueError`` with the French reason (``settings`` names the setting and its source).

A raw value is a TOML value from the configuration file or a string from the environment;
the declarations in ``settings.py`` say which check each setting goes through.
"""

from __future__ import annotations

import errno
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from cyclades_tui.os_error_text import os_error_text
from cyclades_tui.store.database import DatabaseUrlError, parse_url

# Reading a file (this password file, the configuration file): more precise words than
# the shared table (os_error_text.py).
READ_ERRORS = {
    errno.ENOENT: "fichier introuvable",
    errno.EACCES: "lecture non autorisée (droits du fichier)",
    errno.EPERM: "lecture non autorisée (droits du fichier)",
    errno.EISDIR: "c'est un dossier, pas un fichier",
}

_TRUE = {"true", "1", "oui", "yes", "on", "vrai"}
_FALSE = {"false", "0", "non", "no", "off", "faux"}


@dataclass(frozen=True)
class Integer:
    """An integer between ``low`` and ``high`` (bounds also shown in docs/reglages.md)."""

    low: int
    high: int

    def __call__(self, raw: object) -> object:
        """The integer ``raw`` (a string of digits, or a TOML number) within the bounds."""
        if isinstance(raw, str):
            text = raw.strip()
            if not re.fullmatch(r"[+-]?\d+", text):
                raise ValueError(f"« {raw} » n'est pas un nombre entier")
            raw = int(text)
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ValueError(f"{quoted(raw)} n'est pas un nombre entier")
        if not self.low <= raw <= self.high:
            raise ValueError(f"{raw} hors des bornes : entre {self.low} et {self.high}")
        return raw


def choice(*allowed: str) -> Callable[[object], object]:
    """A check accepting one of ``allowed`` (case ignored in a string)."""

    def check(raw: object) -> object:
        value = str(raw).strip().lower() if isinstance(raw, str) else raw
        if value not in allowed:
            raise ValueError(f"{quoted(raw)} : {' ou '.join(allowed)} attendu")
        return value

    return check


def boolean(raw: object) -> object:
    """A TOML boolean, or a string: true/false, oui/non, 1/0, yes/no, on/off, vrai/faux."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
        return raw.strip().lower() in _TRUE
    raise ValueError(f"{quoted(raw)} n'est pas un booléen : true ou false attendu")


def nonempty_text(raw: object) -> str:
    """A string, stripped, not empty."""
    if not isinstance(raw, str):
        raise ValueError(f"{quoted(raw)} n'est pas une chaîne de caractères")
    text = raw.strip()
    if not text:
        raise ValueError("valeur vide")
    return text


def site_url(raw: object) -> object:
    """An ``http://`` or ``https://`` address with a host."""
    text = nonempty_text(raw)
    parsed = urlparse(text)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ValueError(f"« {text} » n'est pas une adresse http:// ou https://")
    return text


def db_url(raw: object) -> object:
    """A database URL the store can open (``sqlite:///…``, ``postgresql://…``)."""
    text = nonempty_text(raw)
    try:
        parse_url(text)
    except DatabaseUrlError as error:
        # The message quotes the URL: never show its password.
        raise ValueError(str(error).replace(text, mask_url(text))) from None
    return text


def folder(raw: object) -> object:
    """An absolute path (``~`` expanded), as a ``Path``."""
    path = Path(nonempty_text(raw)).expanduser()
    if not path.is_absolute():
        raise ValueError(f"« {raw} » n'est pas un chemin absolu")
    return path


def ldap_url(raw: object) -> object:
    """An ``ldap://`` or ``ldaps://`` address with a host, and no password in it."""
    text = nonempty_text(raw)
    try:
        parsed = urlparse(text)
        parsed.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise ValueError(f"« {mask_url(text)} » : hôte ou port illisible") from None
    if parsed.scheme not in ("ldap", "ldaps") or not parsed.hostname:
        raise ValueError(
            f"« {mask_url(text)} » n'est pas une adresse ldap://hôte[:port] ou ldaps://hôte[:port]"
        )
    if parsed.password is not None:
        raise ValueError("pas de mot de passe dans l'adresse : ldap_bind_password_file")
    return text


# A bind password file is a line or two; anything bigger is not one.
MAX_PASSWORD_FILE = 4096


def read_password_file(path: Path) -> str:
    """The bind password held in ``path`` (first line); ValueError in French if unusable.

    Used when the settings are checked (the file must be readable then) and when the
    directory is reached; the password itself is never shown.
    """
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_PASSWORD_FILE + 1)
    except OSError as error:
        reason = READ_ERRORS.get(error.errno or 0) or os_error_text(error)
        raise ValueError(f"fichier {path} illisible : {reason}") from None
    if len(data) > MAX_PASSWORD_FILE:
        raise ValueError(f"fichier {path} trop grand pour un mot de passe")
    try:
        lines = data.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        raise ValueError(f"fichier {path} : texte non UTF-8") from None
    if not lines or not lines[0]:
        raise ValueError(f"fichier {path} vide : le mot de passe est attendu sur la première ligne")
    return lines[0]


def password_file(raw: object) -> object:
    """An absolute path to a readable password file (read now, its content not kept)."""
    path = folder(raw)
    assert isinstance(path, Path)
    read_password_file(path)
    return path


def dn(raw: object) -> object:
    """An LDAP distinguished name such as ``dc=lycee,dc=fr``."""
    text = nonempty_text(raw)
    if not re.fullmatch(r"[A-Za-z][\w-]*=[^,]+(,\s*[A-Za-z][\w-]*=[^,]+)*", text):
        raise ValueError(f"« {text} » n'est pas un DN (par exemple dc=lycee,dc=fr)")
    return text


def quoted(raw: object) -> str:
    """``raw`` as a message quotes it: « text » for a string, its repr otherwise."""
    return f"« {raw} »" if isinstance(raw, str) else repr(raw)


def mask_url(url: str) -> str:
    """The URL with its password (if any) replaced by ``***``; everything after ``://``
    when the URL does not parse (a password may be in it)."""
    try:
        parsed = urlparse(url)
        password, port = parsed.password, parsed.port
    except ValueError:
        scheme, separator, _ = url.partition("://")
        return f"{scheme}://***" if separator else "***"
    if password is None:
        return url
    host = parsed.hostname or ""
    if ":" in host:  # an IPv6 address keeps its brackets
        host = f"[{host}]"
    if port is not None:
        host += f":{port}"
    user = parsed.username or ""
    return urlunparse(parsed._replace(netloc=f"{user}:***@{host}"))
