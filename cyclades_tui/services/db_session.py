"""Opening the database for a command or a session, and the transactions the services write in."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import peewee

from cyclades_tui.services.db_errors import db_errors
from cyclades_tui.services.errors import BadInput
from cyclades_tui.store.database import (
    SQLITE_BUSY_TIMEOUT_MS,
    DatabaseUrlError,
    is_sqlite,
    open_database,
)
from cyclades_tui.store.migrations import is_current, migrate


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


def run_compiled(
    db: peewee.Database, statements: list[Statement], substitute: dict[object, object] | None = None
) -> None:
    """Run statements built by ``compiled``; parameters equal to a key of ``substitute``
    (a placeholder for an id known only inside the transaction) are replaced by its value."""
    for sql, params in statements:
        if substitute:
            params = [substitute.get(p, p) if isinstance(p, int) else p for p in params]
        db.execute_sql(sql, params)  # type: ignore[no-untyped-call]
