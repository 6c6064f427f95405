"""Database failures in French, told apart by the driver's code (``DatabaseUnavailable``)."""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import peewee

from cyclades_tui.services.errors import DatabaseUnavailable
from cyclades_tui.store.database import database_proxy

DISK_FULL = (
    "Le disque de la base de données est plein (disque plein) : l'opération n'a pas "
    "abouti et rien n'a été enregistré ; prévenez l'administrateur."
)
BUSY = (
    "La base de données est occupée par un autre traitement depuis trop longtemps ; "
    "réessayez dans un instant."
)
READ_ONLY = "La base de données est en lecture seule : vérifiez les droits du fichier."
CANNOT_OPEN = (
    "Impossible d'ouvrir le fichier de base de données : vérifiez le chemin et les droits."
)
DAMAGED = (
    "La base de données est endommagée (ou le fichier n'est pas une base SQLite) : "
    "restaurez la dernière sauvegarde ; rien n'a été enregistré."
)
UNREACHABLE = (
    "La base de données est injoignable ou la connexion a été perdue ; "
    "vérifiez qu'elle fonctionne puis réessayez."
)
OLD_SCHEMA = (
    "La base de données n'a pas les tables attendues (schéma pas à jour ? lancez "
    "« cyclades-tui init ») ; rien n'a été enregistré."
)
REFUSED = "La base de données a refusé l'opération ; rien n'a été enregistré."

# SQLite's primary result codes (sqlite3.Error.sqlite_errorname, extended codes folded).
_SQLITE = {
    "SQLITE_FULL": DISK_FULL,
    "SQLITE_BUSY": BUSY,
    "SQLITE_LOCKED": BUSY,
    "SQLITE_READONLY": READ_ONLY,
    "SQLITE_CANTOPEN": CANNOT_OPEN,
    "SQLITE_PERM": READ_ONLY,
    "SQLITE_NOTADB": DAMAGED,
    "SQLITE_CORRUPT": DAMAGED,
}
# PostgreSQL's SQLSTATE (psycopg2's pgcode): whole codes first, then their class.
_PGCODE = {
    "53100": DISK_FULL,
    "53300": BUSY,
    "55P03": BUSY,
    "40P01": BUSY,
    "57014": BUSY,
    "25006": READ_ONLY,
    "42P01": OLD_SCHEMA,
    "42703": OLD_SCHEMA,
    "57P01": UNREACHABLE,
    "57P02": UNREACHABLE,
    "57P03": UNREACHABLE,
    "XX001": DAMAGED,
    "XX002": DAMAGED,
}
_PGCLASS = {"08": UNREACHABLE}


def _causes(error: BaseException) -> Iterator[BaseException]:
    """``error``, the driver's error peewee wrapped (its first argument), and what they were
    raised while handling (SQLite's failed rollback after a full disk hides the real cause)."""
    seen: BaseException | None = error
    for _ in range(6):
        if seen is None:
            return
        yield seen
        wrapped = seen.args[0] if seen.args else None
        if isinstance(wrapped, BaseException) and wrapped is not seen:
            yield wrapped
        seen = seen.__cause__ or seen.__context__


def _verdict(error: BaseException) -> str | None:
    """The message a driver's code gives, or None for an error without one."""
    name = getattr(error, "sqlite_errorname", None)
    if isinstance(name, str):
        primary = "_".join(name.split("_")[:2])  # SQLITE_READONLY_DBMOVED -> SQLITE_READONLY
        if primary == "SQLITE_ERROR" and "no such" in str(error):
            return OLD_SCHEMA  # SQLite has no finer code for a missing table or column
        return _SQLITE.get(primary)
    code = getattr(error, "pgcode", None)
    if isinstance(code, str):
        return _PGCODE.get(code) or _PGCLASS.get(code[:2])
    if type(error).__module__.startswith("psycopg2") and type(error).__name__ in (
        "OperationalError",
        "InterfaceError",
    ):
        return UNREACHABLE  # no SQLSTATE: the server was never reached, or the link was cut
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
        return DISK_FULL
    return None


def describe_db_error(error: BaseException) -> str:
    """A French sentence for a database failure, told by the driver's error code (SQLite's
    result code, PostgreSQL's SQLSTATE), never by its wording; no SQL nor driver internals."""
    verdicts = [v for v in map(_verdict, _causes(error)) if v is not None]
    # A full disk wins: it is the cause even when a later error (the rollback) is reported.
    if DISK_FULL in verdicts:
        return DISK_FULL
    if verdicts:
        return verdicts[0]
    return UNREACHABLE if isinstance(error, peewee.InterfaceError) else REFUSED


def _drop_broken_connection() -> None:
    """Forget this thread's connection so that the next query opens a fresh one.

    A PostgreSQL connection cut by the server (restart, network) stays dead; without this,
    every later call would fail although the server is back.
    """
    db = database_proxy.obj
    if db is None or db.in_transaction():
        return  # the enclosing transaction's own handler will come back here
    with suppress(peewee.PeeweeException, OSError):
        db.close()


@contextmanager
def db_errors() -> Iterator[None]:
    """Turn driver errors into DatabaseUnavailable with a French message.

    Every service wraps its database access in this, so that callers see only ServiceError
    subclasses. A ProgrammingError (PostgreSQL's « no such table »: a schema not brought up to
    date) is one too; an IntegrityError is not: the services that race other writers catch it.
    """
    try:
        yield
    except (peewee.IntegrityError, peewee.DataError):
        raise  # the services that race other writers, or check values, handle these
    except (peewee.DatabaseError, peewee.InterfaceError) as error:
        _drop_broken_connection()
        raise DatabaseUnavailable(describe_db_error(error)) from None
