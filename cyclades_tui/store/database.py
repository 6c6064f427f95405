"""Open the database named by a URL (SQLite by default, PostgreSQL for an academy)."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast
from urllib.parse import parse_qs, unquote, urlparse

import peewee
from platformdirs import user_data_dir

# Models bind to this proxy; open_database() points it at the real database.
database_proxy = peewee.DatabaseProxy()

# Milliseconds a writer waits for a locked SQLite file before giving up.
SQLITE_BUSY_TIMEOUT_MS = 15_000


class DatabaseUrlError(ValueError):
    """The database URL cannot be understood; the message is French."""


@dataclass(frozen=True)
class DatabaseUrl:
    """A parsed ``--db`` URL."""

    kind: str  # "sqlite" or "postgresql"
    path: str = ""
    user: str | None = None
    password: str | None = None
    host: str | None = None
    port: int | None = None
    name: str = ""
    schema: str | None = None


def default_url() -> str:
    """The SQLite file in the user's data directory.

    ``--db``, ``CYCLADES_DB`` and the configuration file are resolved by ``settings``, once,
    at start-up; this module reads no environment variable.
    """
    return "sqlite:///" + str(Path(user_data_dir("cyclades-tui")) / "cyclades.db")


def demo_url() -> str:
    """The demo database: a SQLite file of its own in the user's data directory."""
    return "sqlite:///" + str(Path(user_data_dir("cyclades-tui")) / "cyclades-demo.db")


def parse_url(url: str) -> DatabaseUrl:
    """Parse ``sqlite:///path`` or ``postgresql://user@host:port/name[?schema=s]``."""
    try:
        parsed = urlparse(url)
        port = parsed.port if parsed.scheme in ("postgresql", "postgres") else None
    except ValueError:  # « Port could not be cast… », « Invalid IPv6 URL »: said in French
        raise DatabaseUrlError(
            f"URL de base de données « {url} » invalide : hôte ou port illisible (le port est "
            "un nombre de 1 à 65535 ; postgresql://utilisateur@hôte:port/nom attendu)."
        ) from None
    if parsed.scheme == "sqlite":
        # sqlite:///relative.db -> "relative.db"; sqlite:////abs/path.db -> "/abs/path.db"
        path = unquote(url[len("sqlite:///") :]) if url.startswith("sqlite:///") else ""
        if not path:
            raise DatabaseUrlError(
                f"URL de base de données « {url} » invalide : sqlite:///chemin/fichier.db attendu."
            )
        return DatabaseUrl(kind="sqlite", path=path)
    if parsed.scheme in ("postgresql", "postgres"):
        name = parsed.path.lstrip("/")
        if not name:
            raise DatabaseUrlError(
                f"URL de base de données « {url} » invalide : le nom de la base manque "
                "(postgresql://utilisateur@hôte:port/nom)."
            )
        schema = parse_qs(parsed.query).get("schema", [None])[0]
        return DatabaseUrl(
            kind="postgresql",
            user=unquote(parsed.username) if parsed.username else None,
            password=unquote(parsed.password) if parsed.password else None,
            host=parsed.hostname,
            port=port,
            name=name,
            schema=schema,
        )
    raise DatabaseUrlError(
        f"URL de base de données « {url} » non reconnue : sqlite:///… ou postgresql://… attendu."
    )


def _private_file(path: Path) -> None:
    """Create the SQLite file readable by its owner only, before SQLite creates it 0644."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, stat.S_IRUSR | stat.S_IWUSR)
        os.close(fd)


def make_database(url: str, busy_ms: int = SQLITE_BUSY_TIMEOUT_MS) -> peewee.Database:
    """Build (without connecting) the Peewee database for ``url``.

    ``busy_ms``: how long a SQLite writer waits for a locked file (setting ``sqlite_busy_ms``).
    """
    info = parse_url(url)
    if info.kind == "sqlite":
        path = Path(info.path).expanduser()
        _private_file(path)
        return peewee.SqliteDatabase(
            str(path),
            pragmas={
                "journal_mode": "wal",
                "foreign_keys": 1,
                "busy_timeout": busy_ms,
                "synchronous": "normal",
            },
            timeout=busy_ms / 1000,
        )
    params: dict[str, object] = {}
    for key in ("user", "password", "host", "port"):
        value = getattr(info, key)
        if value is not None:
            params[key] = value
    params["connect_timeout"] = 5
    if info.schema:
        params["options"] = f"-c search_path={info.schema}"
    return peewee.PostgresqlDatabase(info.name, **cast(dict[str, Any], params))


def open_database(url: str | None = None, busy_ms: int = SQLITE_BUSY_TIMEOUT_MS) -> peewee.Database:
    """Point the models at the database of ``url`` (or the default) and return it."""
    db = make_database(url or default_url(), busy_ms)
    database_proxy.initialize(db)
    return db


def is_sqlite(db: peewee.Database | peewee.DatabaseProxy) -> bool:
    """True for the embedded SQLite database (behind the models' proxy or not)."""
    if isinstance(db, peewee.DatabaseProxy):
        db = db.obj
    return isinstance(db, peewee.SqliteDatabase)
