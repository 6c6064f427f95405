"""Settings: defaults, then a TOML file, then ``CYCLADES_<NAME>`` environment variables.

A session started by ``sshd``'s ForceCommand has almost no environment, so a server's
settings live in a file (``$CYCLADES_CONFIG``, else ``/etc/cyclades-tui/config.toml`` when
present). Every value is read and checked once, when the command starts (see
``load_settings``); a bad one raises ``SettingsError`` naming the setting and where it
came from, and the command line turns it into exit status 2. Nothing reads the
environment later: services and screens receive the ``Settings`` object.
"""

from __future__ import annotations

import errno
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

from platformdirs import user_data_dir

from cyclades_tui.domain.passwords import CHOSEN_COST, PROVISIONAL_COST
from cyclades_tui.os_error_text import os_error_text
from cyclades_tui.store.database import (
    SQLITE_BUSY_TIMEOUT_MS,
    DatabaseUrlError,
    default_url,
    parse_url,
)

CONFIG_ENV = "CYCLADES_CONFIG"
SYSTEM_CONFIG = Path("/etc/cyclades-tui/config.toml")
ENV_PREFIX = "CYCLADES_"
SOURCE_DEFAULT = "défaut"
FILES_FOLDER = "fichiers"


class SettingsError(ValueError):
    """A setting or the configuration file is unusable; the message is French and names it."""


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


# --- checking one value ---------------------------------------------------------------

_TRUE = {"true", "1", "oui", "yes", "on", "vrai"}
_FALSE = {"false", "0", "non", "no", "off", "faux"}


@dataclass(frozen=True)
class _integer:
    """An integer between ``low`` and ``high`` (bounds also shown in docs/reglages.md)."""

    low: int
    high: int

    def __call__(self, raw: object) -> object:
        if isinstance(raw, str):
            text = raw.strip()
            if not re.fullmatch(r"[+-]?\d+", text):
                raise ValueError(f"« {raw} » n'est pas un nombre entier")
            raw = int(text)
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ValueError(f"{_shown(raw)} n'est pas un nombre entier")
        if not self.low <= raw <= self.high:
            raise ValueError(f"{raw} hors des bornes : entre {self.low} et {self.high}")
        return raw


def _choice(*allowed: str) -> Callable[[object], object]:
    def check(raw: object) -> object:
        value = str(raw).strip().lower() if isinstance(raw, str) else raw
        if value not in allowed:
            raise ValueError(f"{_shown(raw)} : {' ou '.join(allowed)} attendu")
        return value

    return check


def _boolean(raw: object) -> object:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
        return raw.strip().lower() in _TRUE
    raise ValueError(f"{_shown(raw)} n'est pas un booléen : true ou false attendu")


def _text(raw: object) -> str:
    if not isinstance(raw, str):
        raise ValueError(f"{_shown(raw)} n'est pas une chaîne de caractères")
    text = raw.strip()
    if not text:
        raise ValueError("valeur vide")
    return text


def _site_url(raw: object) -> object:
    text = _text(raw)
    parsed = urlparse(text)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ValueError(f"« {text} » n'est pas une adresse http:// ou https://")
    return text


def _db_url(raw: object) -> object:
    text = _text(raw)
    try:
        parse_url(text)
    except DatabaseUrlError as error:
        # The message quotes the URL: never show its password.
        raise ValueError(str(error).replace(text, mask_url(text))) from None
    return text


def _folder(raw: object) -> object:
    path = Path(_text(raw)).expanduser()
    if not path.is_absolute():
        raise ValueError(f"« {raw} » n'est pas un chemin absolu")
    return path


def _ldap_url(raw: object) -> object:
    text = _text(raw)
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
        reason = _OS_ERRORS.get(error.errno or 0) or os_error_text(error)
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


def _password_file(raw: object) -> object:
    path = _folder(raw)
    assert isinstance(path, Path)
    read_password_file(path)
    return path


def _dn(raw: object) -> object:
    text = _text(raw)
    if not re.fullmatch(r"[A-Za-z][\w-]*=[^,]+(,\s*[A-Za-z][\w-]*=[^,]+)*", text):
        raise ValueError(f"« {text} » n'est pas un DN (par exemple dc=lycee,dc=fr)")
    return text


def _shown(raw: object) -> str:
    return f"« {raw} »" if isinstance(raw, str) else repr(raw)


def _setting(
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


_INTEGER = "un nombre entier (sans guillemets)"
_BOOLEAN = "true ou false"


@dataclass(frozen=True)
class Settings:
    """Every tunable value, each declared once; docs/reglages.md is generated from here."""

    provisional_cost: int = _setting(
        PROVISIONAL_COST,
        check=_integer(4, 31),
        toml=_INTEGER,  # bcrypt accepts 4 to 31
        role="coût bcrypt des mots de passe provisoires",
    )
    chosen_cost: int = _setting(
        CHOSEN_COST,
        check=_integer(4, 31),
        toml=_INTEGER,
        role="coût bcrypt des mots de passe choisis (candidats, personnel)",
    )
    site_url: str = _setting(
        "https://exacyc.orion.education.fr/cyccandidat/",
        check=_site_url,
        role="site candidat imprimé (et en QR code) sur les papillons ; `http://` ou `https://`",
    )
    workers: int = _setting(
        factory=_default_workers,
        check=_integer(1, 256),
        toml=_INTEGER,
        shown="nombre de processeurs",
        role="fils de calcul des hachages",
    )
    lockout_attempts: int = _setting(
        5,
        check=_integer(1, 1000),
        toml=_INTEGER,
        role="échecs de connexion du personnel avant verrouillage",
    )
    lockout_minutes: int = _setting(
        15,
        check=_integer(1, 525_600),
        toml=_INTEGER,  # one year at most
        role="durée du verrouillage, en minutes",
    )
    # « global »: an exam manager's failures lock the account; « per_address »: they lock
    # it for the client address they come from only (lock-out trade-off).
    manager_lockout: str = _setting(
        "global",
        check=_choice("global", "per_address"),
        role="`global` ou `per_address` : le gestionnaire des examens est verrouillé par "
        "adresse du client SSH (compromis expliqué avec les rôles du personnel)",
    )
    db: str = _setting(
        factory=default_url,
        check=_db_url,
        shown="sqlite:///~/.local/share/cyclades-tui/cyclades.db",
        role="URL de la base (`sqlite:///…` ou `postgresql://…`)",
    )
    sqlite_busy_ms: int = _setting(
        SQLITE_BUSY_TIMEOUT_MS,
        check=_integer(0, 3_600_000),
        toml=_INTEGER,
        role="attente maximale d'une base SQLite verrouillée, en millisecondes",
    )
    # None: beside the database the session works on (see ``files_root``).
    files: Path | None = _setting(  # noqa: RUF009 - a field(), with metadata
        None,
        check=_folder,
        shown="dossier `fichiers` à côté du fichier SQLite (sinon dans "
        "`~/.local/share/cyclades-tui/`)",
        role="racine des dossiers d'échange par établissement ; chemin absolu",
    )
    idle_logout_minutes: int = _setting(
        20,
        check=_integer(1, 1440),
        toml=_INTEGER,
        role="l'interface revient à l'écran de connexion après ce temps sans touche "
        "; une génération en cours se termine d'abord",
    )
    cursor_blink: bool = _setting(
        False,
        check=_boolean,
        toml=_BOOLEAN,
        role="curseur clignotant dans l'interface (`true`/`false` ; variable : aussi "
        "`oui`/`non`, `1`/`0`) ; fixe par défaut : un curseur qui clignote envoie des "
        "octets sans arrêt sur la liaison SSH",
    )
    ldap_url: str | None = _setting(
        None,
        check=_ldap_url,
        role="l'annuaire de `accounts ldap-sync` : `ldap://hôte[:port]` ou `ldaps://…`",
    )
    ldap_bind_dn: str | None = _setting(None, check=_dn, role="DN de connexion à l'annuaire")
    # A file holding the bind password (never the password itself in a setting).
    ldap_bind_password_file: Path | None = _setting(  # noqa: RUF009 - a field()
        None,
        check=_password_file,
        role="fichier du mot de passe de l'annuaire (première ligne) ; lisible au démarrage, "
        "son contenu n'est jamais affiché",
    )
    ldap_base_dn: str | None = _setting(
        None, check=_dn, role="DN sous lequel les comptes des candidats sont écrits"
    )
    # Mark provisional accounts with pwdReset (the directory needs the ppolicy overlay).
    ldap_pwdreset: bool = _setting(
        False,
        check=_boolean,
        toml=_BOOLEAN,
        role="marquer les comptes provisoires `pwdReset` (overlay ppolicy de l'annuaire)",
    )
    # Address space each process may use (RLIMIT_AS): a runaway input fails in its process.
    memory_limit_mb: int = _setting(
        1024,
        check=_integer(128, 1_048_576),
        toml=_INTEGER,
        role="mémoire (espace d'adressage, RLIMIT_AS) que chaque processus peut utiliser, en Mo ;"
        " au-delà l'opération s'arrête sur « Mémoire épuisée » sans "
        "toucher aux autres sessions",
    )
    # One school's file must not fill the server (nor hold the database for long).
    max_candidates_per_school: int = _setting(
        5000,
        check=_integer(1, 1_000_000),
        toml=_INTEGER,
        role="élèves qu'un établissement peut compter : un import CSV ou "
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


def env_var(name: str) -> str:
    """The environment variable of a setting: ``CYCLADES_<NAME>``."""
    return ENV_PREFIX + name.upper()


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


CHECKS: dict[str, Callable[[object], object]] = {
    f.name: f.metadata["check"] for f in fields(Settings)
}
# Settings whose TOML value is not a string, and what is expected instead.
_NOT_TEXT: dict[str, str] = {
    f.name: f.metadata["toml"] for f in fields(Settings) if f.metadata["toml"]
}


# --- reading the file -----------------------------------------------------------------

# Reading the file: more precise words than the shared table (os_error_text.py).
_OS_ERRORS = {
    errno.ENOENT: "fichier introuvable",
    errno.EACCES: "lecture non autorisée (droits du fichier)",
    errno.EPERM: "lecture non autorisée (droits du fichier)",
    errno.EISDIR: "c'est un dossier, pas un fichier",
}


def config_path(environ: Mapping[str, str]) -> Path | None:
    """The configuration file to read: ``$CYCLADES_CONFIG``, else the system one if present."""
    named = environ.get(CONFIG_ENV, "").strip()
    if named:
        return Path(named).expanduser()
    return SYSTEM_CONFIG if SYSTEM_CONFIG.exists() else None


def read_config_file(path: Path) -> dict[str, Any]:
    """The TOML table of ``path``; SettingsError naming the file (and line) if unusable."""
    try:
        data = path.read_bytes()
    except OSError as error:
        reason = _OS_ERRORS.get(error.errno or 0) or os_error_text(error)
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
            raise ValueError(f"{_shown(raw)} est entre guillemets : {_NOT_TEXT[name]} attendu")
        return CHECKS[name](raw)
    except ValueError as error:
        # Some reasons end with a full stop already: one, not two.
        raise SettingsError(
            f"Réglage {name} invalide ({source}) : {str(error).rstrip('.')}."
        ) from None


# --- the settings table of docs/reglages.md -------------------------------------------

REGLAGES_HEADER = """# Réglages

Ce tableau est produit par `python -m cyclades_tui.settings --markdown` à partir de la
déclaration des réglages (`cyclades_tui/settings.py`) ; un test vérifie qu'il lui est fidèle.
Chaque clé du fichier de configuration (`$CYCLADES_CONFIG`, sinon
`/etc/cyclades-tui/config.toml`) est le nom du réglage ; la variable `CYCLADES_<NOM>`
l'emporte sur le fichier, et `--db` sur les deux. Dans le fichier, les nombres et booléens
s'écrivent sans guillemets. `cyclades-tui config` affiche chaque valeur effective et sa source.

"""


def _shown_default(item: Any) -> str:
    shown = item.metadata["shown"]
    if shown is not None:
        return str(shown) if " " in str(shown) else f"`{shown}`"
    default = item.default
    if default is None:
        return "non défini"
    if isinstance(default, bool):
        return "`true`" if default else "`false`"
    return f"`{default}`"


def settings_markdown() -> str:
    """docs/reglages.md: one table row per setting, from its declaration."""
    rows = ["| clé | variable | défaut | bornes | rôle |", "| --- | --- | --- | --- | --- |"]
    for item in fields(Settings):
        check = item.metadata["check"]
        bounds = f"{check.low} à {check.high}" if isinstance(check, _integer) else ""
        rows.append(
            f"| `{item.name}` | `{env_var(item.name)}` | {_shown_default(item)} "
            f"| {bounds} | {item.metadata['role']} |"
        )
    return REGLAGES_HEADER + "\n".join(rows) + "\n"


if __name__ == "__main__":  # python -m cyclades_tui.settings --markdown > docs/reglages.md
    import sys

    if sys.argv[1:] != ["--markdown"]:
        sys.exit("usage : python -m cyclades_tui.settings --markdown")
    sys.stdout.write(settings_markdown())
