"""Opening the database for a command or a session, transactions, and database errors in French."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

import peewee

from cyclades_tui.services.errors import BadInput, DatabaseUnavailable
from cyclades_tui.store.database import (
    SQLITE_BUSY_TIMEOUT_MS,
    DatabaseUrlError,
    database_proxy,
    is_sqlite,
    open_database,
)
from cyclades_tui.store.migrations import is_current, migrate


def _disk_full(error: BaseException) -> bool:
    """True when ``error``, or an error it was raised while handling, says the disk is full.

    SQLite undoes the transaction itself when the disk fills up; the rollback that follows
    then fails (« cannot rollback - no transaction is active ») and hides the real cause.
    """
    seen: BaseException | None = error
    for _ in range(5):
        if seen is None:
            return False
        text = str(seen).lower()
        # SQLite: « database or disk is full »; PostgreSQL: « could not extend file …: No
        # space left on device » (DiskFull, SQLSTATE 53100), or a disk quota.
        if ("disk is full" in text or "no space left" in text or "quota" in text
                or getattr(seen, "pgcode", None) == "53100"):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def describe_db_error(error: BaseException) -> str:
    """A French sentence for a database failure, without driver internals or SQL."""
    text = str(error).lower()
    if _disk_full(error):
        return ("Le disque de la base de données est plein (disque plein) : l'opération n'a pas "
                "abouti et rien n'a été enregistré ; prévenez l'administrateur.")
    if "locked" in text or "busy" in text:
        return ("La base de données est occupée par un autre traitement depuis trop longtemps ; "
                "réessayez dans un instant.")
    if "readonly" in text or "read-only" in text:
        return "La base de données est en lecture seule : vérifiez les droits du fichier."
    if "unable to open" in text:
        return ("Impossible d'ouvrir le fichier de base de données : "
                "vérifiez le chemin et les droits.")
    if "connect" in text or "server" in text or "closed" in text or "timeout" in text:
        return ("La base de données est injoignable ou la connexion a été perdue ; "
                "vérifiez qu'elle fonctionne puis réessayez.")
    return ("La base de données a refusé l'opération (schéma pas à jour ? lancez "
            "« cyclades-tui init ») ; rien n'a été enregistré.")


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
    except (peewee.OperationalError, peewee.InterfaceError, peewee.ProgrammingError) as error:
        _drop_broken_connection()
        raise DatabaseUnavailable(describe_db_error(error)) from None


def connect(
    url: str | None = None, upgrade: bool = True, busy_ms: int = SQLITE_BUSY_TIMEOUT_MS
) -> peewee.Database:
    """Open the database of ``url``; bring its schema up to date unless told not to."""
    try:
        db = open_database(url, busy_ms)
    except DatabaseUrlError as error:
        raise BadInput(str(error)) from None
    with db_errors():
        db.connect(reuse_if_open=True)
        if upgrade and not is_current(db):
            migrate(db)
    return db


def init_schema(db: peewee.Database) -> list[int]:
    """Create or upgrade the schema; returns the migrations applied (none when up to date)."""
    with db_errors():
        return migrate(db)


@contextmanager
def write_transaction(db: peewee.Database) -> Iterator[Any]:
    """A transaction that takes SQLite's write lock at once.

    A deferred SQLite transaction that reads then writes can fail with « database is locked »
    without waiting when another writer got there first; BEGIN IMMEDIATE waits its turn
    (busy timeout) instead. PostgreSQL needs nothing special.
    """
    with db_errors():
        if is_sqlite(db):
            with db.atomic("IMMEDIATE") as txn:
                yield txn
        else:
            with db.atomic() as txn:
                yield txn


Statement = tuple[str, list[Any]]


def compiled(query: Any) -> Statement:
    """The SQL text and parameters of a Peewee query, built now.

    Peewee builds large statements slowly (tens of microseconds a value): a query built
    before ``write_transaction`` and run inside it with ``run_compiled`` keeps that work out
    of the write lock, which other schools' logins wait for.
    """
    sql, params = query.sql()
    return str(sql), list(params)


def run_compiled(db: peewee.Database, statements: list[Statement],
                 substitute: dict[object, object] | None = None) -> None:
    """Run statements built by ``compiled``; parameters equal to a key of ``substitute``
    (a placeholder for an id known only inside the transaction) are replaced by its value."""
    for sql, params in statements:
        if substitute:
            params = [substitute.get(p, p) if isinstance(p, int) else p for p in params]
        db.execute_sql(sql, params)  # type: ignore[no-untyped-call]
