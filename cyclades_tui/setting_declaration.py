"""How a setting is declared, and how its declaration becomes a row of docs/reglages.md.

A declaration is a dataclass field of ``settings.Settings`` whose metadata hold the check
(type and bounds, ``setting_checks``), the French role, and what a TOML value must be when
it is not a string; the docs/reglages.md table is written from these fields alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import Field, field
from typing import Any

from cyclades_tui import setting_checks as checks

ENV_PREFIX = "CYCLADES_"
TOML_INTEGER = "un nombre entier (sans guillemets)"
TOML_BOOLEAN = "true ou false"


def env_var(name: str) -> str:
    """The environment variable of a setting: ``CYCLADES_<NAME>``."""
    return ENV_PREFIX + name.upper()


def setting(
    default: Any = None,
    *,
    check: Callable[[object], object],
    role: str,
    shown: str | None = None,
    toml: str | None = None,
    factory: Callable[[], Any] | None = None,
) -> Any:
    """One setting's whole declaration: default, check (type and bounds), French role.

    ``shown`` is the default as docs/reglages.md writes it (else the default itself);
    ``toml`` names what a TOML value must be when it is not a string.
    """
    meta = {"check": check, "role": role, "shown": shown, "toml": toml}
    if factory is not None:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


def integer(default: int, low: int, high: int, role: str) -> Any:
    """An integer setting from ``low`` to ``high``, written without quotes in the file."""
    return setting(default, check=checks.Integer(low, high), toml=TOML_INTEGER, role=role)


def flag(default: bool, role: str) -> Any:
    """A true/false setting, written without quotes in the file."""
    return setting(default, check=checks.boolean, toml=TOML_BOOLEAN, role=role)


# --- the settings table of docs/reglages.md -------------------------------------------

REGLAGES_HEADER = """# Réglages

Ce tableau est produit par `python -m cyclades_tui.settings --markdown` à partir de la
déclaration des réglages (`cyclades_tui/settings.py`) ; un test vérifie qu'il lui est fidèle.
Chaque clé du fichier de configuration (`$CYCLADES_CONFIG`, sinon
`/etc/cyclades-tui/config.toml`) est le nom du réglage ; la variable `CYCLADES_<NOM>`
l'emporte sur le fichier, et `--db` sur les deux. Dans le fichier, les nombres et booléens
s'écrivent sans guillemets. `cyclades-tui config` affiche chaque valeur effective et sa source.

"""


def _shown_default(item: Field[Any]) -> str:
    shown = item.metadata["shown"]
    if shown is not None:
        return str(shown) if " " in str(shown) else f"`{shown}`"
    default = item.default
    if default is None:
        return "non défini"
    if isinstance(default, bool):
        return "`true`" if default else "`false`"
    return f"`{default}`"


def reglages_markdown(declarations: Iterable[Field[Any]]) -> str:
    """docs/reglages.md: its header, then one table row per declared setting."""
    rows = ["| clé | variable | défaut | bornes | rôle |", "| --- | --- | --- | --- | --- |"]
    for item in declarations:
        check = item.metadata["check"]
        bounds = f"{check.low} à {check.high}" if isinstance(check, checks.Integer) else ""
        rows.append(
            f"| `{item.name}` | `{env_var(item.name)}` | {_shown_default(item)} "
            f"| {bounds} | {item.metadata['role']} |"
        )
    return REGLAGES_HEADER + "\n".join(rows) + "\n"
