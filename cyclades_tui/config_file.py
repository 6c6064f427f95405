"""The TOML configuration file: read, decoded and parsed; each fault told in French with the
file's name (and the line, when there is one)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from cyclades_tui.os_error_text import os_error_text
from cyclades_tui.setting_checks import READ_ERRORS


class SettingsError(ValueError):
    """A setting or the configuration file is unusable; the message is French and names it."""


def read_config_file(path: Path) -> dict[str, Any]:
    """The TOML table of ``path``; SettingsError naming the file (and line) if unusable."""
    try:
        data = path.read_bytes()
    except OSError as error:
        reason = READ_ERRORS.get(error.errno or 0) or os_error_text(error)
        raise SettingsError(f"Fichier de configuration {path} illisible : {reason}.") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise SettingsError(
            f"Fichier de configuration {path}, ligne {line} : texte non UTF-8."
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        found = re.search(r"line (\d+), column (\d+)", str(error))
        where = f", ligne {found[1]}, colonne {found[2]}" if found else ""
        raise SettingsError(
            f"Fichier de configuration {path}{where} : syntaxe TOML invalide "
            "(attendu : nom = valeur ; texte entre guillemets, nombre ou true/false)."
        ) from None
