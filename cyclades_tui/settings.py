"""Settings: defaults, then a TOML file, then ``CYCLADES_<NAME>`` environment variables.

A session started by ``sshd``'s ForceCommand has almost no environment, so a server's
settings live in a file (``$CYCLADES_CONFIG``, else ``/etc/cyclades-tui/config.toml`` when
present). Every value is read and checked once, when the command starts (see
``load_settings``); a bad one raises ``SettingsError`` naming the setting and where it
came from, and the command line turns it into exit status 2. Nothing reads the
environment later: services and screens receive the ``Settings`` object.

Here: each setting's one declaration (``Settings``) and the order of the sources. How a
setting is declared and written in docs/reglages.md is in ``setting_declaration``; how a
value is checked, in ``setting_checks``; how the file is read, in ``config_file``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path

from platformdirs import user_data_dir

from cyclades_tui import setting_checks as checks
from cyclades_tui.config_file import SettingsError, read_config_file
from cyclades_tui.domain.passwords import CHOSEN_COST, PROVISIONAL_COST
from cyclades_tui.setting_checks import mask_url, read_password_file
from cyclades_tui.setting_declaration import (
    TOML_INTEGER,
    env_var,
    flag,
    integer,
    reglages_markdown,
    setting,
)
from cyclades_tui.store.database import (
    SQLITE_BUSY_TIMEOUT_MS,
    DatabaseUrlError,
    default_url,
    parse_url,
)

__all__ = [
    "CHECKS",
    "NAMES",
    "SOURCE_DEFAULT",
    "LoadedSettings",
    "Settings",
    "SettingsError",
    "config_path",
    "env_var",
    "files_beside",
    "load_settings",
    "load_settings_with_sources",
    "mask_url",
    "read_config_file",
    "read_password_file",
    "settings_markdown",
]

CONFIG_ENV = "CYCLADES_CONFIG"
SYSTEM_CONFIG = Path("/etc/cyclades-tui/config.toml")
SOURCE_DEFAULT = "défaut"
FILES_FOLDER = "fichiers"


def _data_dir() -> Path:
    return Path(user_data_dir("cyclades-tui"))


def _default_workers() -> int:
    return max(1, os.cpu_count() or 1)


def files_beside(db_url: str) -> Path:
    """The default ``files`` folder: beside a SQLite file, else in the user's data directory."""
    try:
        info = parse_url(db_url)
    except DatabaseUrlError:
        return _data_dir() / FILES_FOLDER
    if info.kind == "sqlite":
        return Path(info.path).expanduser().absolute().parent / FILES_FOLDER
    return _data_dir() / FILES_FOLDER


@dataclass(frozen=True)
class Settings:
    """Every tunable value, each declared once; docs/reglages.md is generated from here.

    ``integer(default, low, high, role)`` and ``flag(default, role)`` are the short forms of
    ``setting`` for numbers and booleans.
    """

    # bcrypt accepts a cost of 4 to 31.
    provisional_cost: int = integer(
        PROVISIONAL_COST, 4, 31, "coût bcrypt des mots de passe provisoires"
    )
    chosen_cost: int = integer(
        CHOSEN_COST, 4, 31, "coût bcrypt des mots de passe choisis (candidats, personnel)"
    )
    site_url: str = setting(
        "https://exacyc.orion.education.fr/cyccandidat/",
        check=checks.site_url,
        role="site candidat imprimé (et en QR code) sur les papillons ; `http://` ou `https://`",
    )
    workers: int = setting(
        factory=_default_workers,
        check=checks.Integer(1, 256),
        toml=TOML_INTEGER,
        shown="nombre de processeurs",
        role="fils de calcul des hachages",
    )
    lockout_attempts: int = integer(
        5, 1, 1000, "échecs de connexion du personnel avant verrouillage"
    )
    # One year at most.
    lockout_minutes: int = integer(15, 1, 525_600, "durée du verrouillage, en minutes")
    # « global »: an exam manager's failures lock the account; « per_address »: they lock
    # it for the client address they come from only (lock-out trade-off).
    manager_lockout: str = setting(
        "global",
        check=checks.choice("global", "per_address"),
        role="`global` ou `per_address` : le gestionnaire des examens est verrouillé par "
        "adresse du client SSH (compromis expliqué avec les rôles du personnel)",
    )
    db: str = setting(
        factory=default_url,
        check=checks.db_url,
        shown="sqlite:///~/.local/share/cyclades-tui/cyclades.db",
        role="URL de la base (`sqlite:///…` ou `postgresql://…`)",
    )
    sqlite_busy_ms: int = integer(
        SQLITE_BUSY_TIMEOUT_MS,
        0,
        3_600_000,
        "attente maximale d'une base SQLite verrouillée, en millisecondes",
    )
    # None: beside the database the session works on (see ``files_root``).
    files: Path | None = setting(  # noqa: RUF009 - a field(), with metadata
        None,
        check=checks.folder,
        shown="dossier `fichiers` à côté du fichier SQLite (sinon dans "
        "`~/.local/share/cyclades-tui/`)",
        role="racine des dossiers d'échange par établissement ; chemin absolu",
    )
    idle_logout_minutes: int = integer(
        20,
        1,
        1440,
        "l'interface revient à l'écran de connexion après ce temps sans touche "
        "; une génération en cours se termine d'abord",
    )
    cursor_blink: bool = flag(
        False,
        "curseur clignotant dans l'interface (`true`/`false` ; variable : aussi "
        "`oui`/`non`, `1`/`0`) ; fixe par défaut : un curseur qui clignote envoie des "
        "octets sans arrêt sur la liaison SSH",
    )
    ldap_url: str | None = setting(
        None,
        check=checks.ldap_url,
        role="l'annuaire de `accounts ldap-sync` : `ldap://hôte[:port]` ou `ldaps://…`",
    )
    ldap_bind_dn: str | None = setting(None, check=checks.dn, role="DN de connexion à l'annuaire")
    # A file holding the bind password (never the password itself in a setting).
    ldap_bind_password_file: Path | None = setting(  # noqa: RUF009 - a field()
        None,
        check=checks.password_file,
        role="fichier du mot de passe de l'annuaire (première ligne) ; lisible au démarrage, "
        "son contenu n'est jamais affiché",
    )
    ldap_base_dn: str | None = setting(
        None, check=checks.dn, role="DN sous lequel les comptes des candidats sont écrits"
    )
    # Mark provisional accounts with pwdReset (the directory needs the ppolicy overlay).
    ldap_pwdreset: bool = flag(
        False, "marquer les comptes provisoires `pwdReset` (overlay ppolicy de l'annuaire)"
    )
    # Address space each process may use (RLIMIT_AS): a runaway input fails in its process.
    memory_limit_mb: int = integer(
        1024,
        128,
        1_048_576,
        "mémoire (espace d'adressage, RLIMIT_AS) que chaque processus peut utiliser, en Mo ;"
        " au-delà l'opération s'arrête sur « Mémoire épuisée » sans "
        "toucher aux autres sessions",
    )
    # One school's file must not fill the server (nor hold the database for long).
    max_candidates_per_school: int = integer(
        5000,
        1,
        1_000_000,
        "élèves qu'un établissement peut compter : un import CSV ou "
        "SIECLE qui dépasserait la limite, élèves déjà enregistrés compris, est refusé "
        "en entier",
    )

    def files_root(self) -> Path:
        """The folder of the schools' folders: ``files``, else beside ``db``.

        ``db`` is the database in use: the TUI's start-up puts the demo's there (its files
        go beside it), and ``cyclades-tui config`` shows this same folder.
        """
        return self.files if self.files is not None else files_beside(self.db)


NAMES: tuple[str, ...] = tuple(f.name for f in fields(Settings))


@dataclass(frozen=True)
class LoadedSettings:
    """The effective settings, where each came from, and the file read (if any)."""

    settings: Settings
    sources: dict[str, str]
    config_file: Path | None

    def display_value(self, name: str) -> str:
        """The value as ``cyclades-tui config`` prints it: secrets masked."""
        value = getattr(self.settings, name)
        if name == "db":
            return mask_url(str(value))
        if name == "files" and value is None:
            return str(self.settings.files_root())
        if value is None:
            return "(non défini)"
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)


CHECKS: dict[str, Callable[[object], object]] = {
    f.name: f.metadata["check"] for f in fields(Settings)
}
# Settings whose TOML value is not a string, and what is expected instead.
_NOT_TEXT: dict[str, str] = {
    f.name: f.metadata["toml"] for f in fields(Settings) if f.metadata["toml"]
}


def config_path(environ: Mapping[str, str]) -> Path | None:
    """The configuration file to read: ``$CYCLADES_CONFIG``, else the system one if present."""
    named = environ.get(CONFIG_ENV, "").strip()
    if named:
        return Path(named).expanduser()
    return SYSTEM_CONFIG if SYSTEM_CONFIG.exists() else None


# --- all together ---------------------------------------------------------------------


def load_settings(
    environ: Mapping[str, str] | None = None, db_override: str | None = None
) -> Settings:
    """The effective settings (see ``load_settings_with_sources``).

    Called once, by the command line at start-up; services and screens receive the result.
    """
    return load_settings_with_sources(environ, db_override).settings


def load_settings_with_sources(
    environ: Mapping[str, str] | None = None, db_override: str | None = None
) -> LoadedSettings:
    """Defaults, overridden by the file, by the environment, then by ``--db``; all checked.

    Raises SettingsError (French, naming the setting and its source) on the first bad value.
    """
    env = os.environ if environ is None else environ
    path = config_path(env)
    values: dict[str, object] = {}
    sources: dict[str, str] = {}
    if path is not None:
        table = read_config_file(path)
        for key, raw in table.items():
            if key not in CHECKS:
                raise SettingsError(
                    f"Fichier de configuration {path} : réglage « {key} » inconnu "
                    f"(réglages possibles : {', '.join(NAMES)})."
                )
            values[key] = _checked(key, raw, f"fichier {path}", typed=True)
            sources[key] = f"fichier {path}"
    for name in NAMES:
        raw_env = env.get(env_var(name), "")
        if raw_env.strip():
            values[name] = _checked(name, raw_env, f"environnement {env_var(name)}")
            sources[name] = f"environnement {env_var(name)}"
    if db_override is not None:
        values["db"] = _checked("db", db_override, "ligne de commande --db")
        sources["db"] = "ligne de commande --db"
    settings = replace(Settings(), **values)  # type: ignore[arg-type]
    return LoadedSettings(
        settings=settings,
        sources={name: sources.get(name, SOURCE_DEFAULT) for name in NAMES},
        config_file=path,
    )


def _checked(name: str, raw: object, source: str, typed: bool = False) -> object:
    """``raw`` checked by the setting's rule; ``typed``: a TOML value, whose type must fit."""
    try:
        if typed and isinstance(raw, str) and name in _NOT_TEXT:
            # TOML has numbers and booleans: « workers = "4" » is a mistake worth naming.
            raise ValueError(
                f"{checks.quoted(raw)} est entre guillemets : {_NOT_TEXT[name]} attendu"
            )
        return CHECKS[name](raw)
    except ValueError as error:
        # Some reasons end with a full stop already: one, not two.
        raise SettingsError(
            f"Réglage {name} invalide ({source}) : {str(error).rstrip('.')}."
        ) from None


def settings_markdown() -> str:
    """docs/reglages.md: one table row per setting, from its declaration."""
    return reglages_markdown(fields(Settings))


if __name__ == "__main__":  # python -m cyclades_tui.settings --markdown > docs/reglages.md
    import sys

    if sys.argv[1:] != ["--markdown"]:
        sys.exit("usage : python -m cyclades_tui.settings --markdown")
    sys.stdout.write(settings_markdown())
