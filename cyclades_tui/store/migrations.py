"""Numbered schema migrations; ``migrate()`` applies the missing ones and is idempotent."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import peewee

from cyclades_tui.store.database import is_sqlite
from cyclades_tui.store.models import ALL_MODELS, DirectorySync, SchemaVersion, StaffAddressLock


def _v1_initial(db: peewee.Database) -> None:
    db.create_tables(ALL_MODELS, safe=True)


def _v2_lookup_indexes(db: peewee.Database) -> None:
    # Lookups by school that every screen and command makes (an academy holds 200 schools).
    sql = cast(Any, db).execute_sql  # untyped in peewee's stubs
    sql("CREATE INDEX IF NOT EXISTS slip_account_version ON slip (account_id)")
    sql("CREATE INDEX IF NOT EXISTS candidate_school_name ON candidate (school_id, family_name)")


def _v3_candidature_school(db: peewee.Database) -> None:
    # Databases made before version 3 lack candidature.school_id; newer ones have it from
    # version 1 (which creates the current tables), hence the check.
    sql = cast(Any, db).execute_sql
    columns = {column.name for column in db.get_columns("candidature")}
    if "school_id" not in columns:
        sql("ALTER TABLE candidature ADD COLUMN school_id INTEGER REFERENCES school (id)")
        sql(
            "UPDATE candidature SET school_id = (SELECT c.school_id FROM candidate c "
            "WHERE c.id = candidature.candidate_id)"
        )
    sql(
        "CREATE INDEX IF NOT EXISTS candidature_school_id_state_exam "
        "ON candidature (school_id, state, exam)"
    )


def _v4_staff_password_and_address_locks(db: peewee.Database) -> None:
    # Version 1 creates the current tables: the column and table may exist already.
    sql = cast(Any, db).execute_sql
    columns = {column.name for column in db.get_columns("staff")}
    if "must_change_password" not in columns:
        sql("ALTER TABLE staff ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE")
    db.create_tables([StaffAddressLock], safe=True)


# What a candidate site reads (Moodle « External database », a read-only PostgreSQL role):
# one row per account, nothing else of the schema. must_change is the provisional flag.
CANDIDATE_ACCOUNTS_VIEW = (
    "candidate_accounts AS SELECT a.login AS login, a.password_hash AS password_hash, "
    "a.provisional AS must_change, s.uai AS uai, c.ine AS ine, c.family_name AS last_name, "
    "c.first_name AS first_name, a.created_at AS created_at "
    "FROM account a JOIN candidate c ON c.id = a.candidate_id "
    "JOIN school s ON s.id = c.school_id"
)


def _v5_candidate_site(db: peewee.Database) -> None:
    # The directory sync state (version 1 creates it on newer databases, hence safe=True)
    # and the read-only view of the accounts.
    db.create_tables([DirectorySync], safe=True)
    sql = cast(Any, db).execute_sql
    if is_sqlite(db):
        sql(f"CREATE VIEW IF NOT EXISTS {CANDIDATE_ACCOUNTS_VIEW}")
    else:
        sql(f"CREATE OR REPLACE VIEW {CANDIDATE_ACCOUNTS_VIEW}")


MIGRATIONS: list[tuple[int, Callable[[peewee.Database], None]]] = [
    (1, _v1_initial),
    (2, _v2_lookup_indexes),
    (3, _v3_candidature_school),
    (4, _v4_staff_password_and_address_locks),
    (5, _v5_candidate_site),
]

LATEST = MIGRATIONS[-1][0]


def applied_versions(db: peewee.Database) -> set[int]:
    """Versions already recorded in the database (empty for a new database)."""
    if not db.table_exists("schema_version"):
        return set()
    return {row.version for row in SchemaVersion.select()}


def migrate(db: peewee.Database) -> list[int]:
    """Apply every missing migration, each in its own transaction; return those applied."""
    db.create_tables([SchemaVersion], safe=True)
    done = applied_versions(db)
    applied: list[int] = []
    for version, step in MIGRATIONS:
        if version in done:
            continue
        with db.atomic():
            step(db)
            # A concurrent `init` may have applied it meanwhile: insert-or-ignore keeps both happy.
            SchemaVersion.insert(version=version).on_conflict_ignore().execute()
        applied.append(version)
    return applied


def is_current(db: peewee.Database) -> bool:
    """True when every migration has been applied."""
    return applied_versions(db) >= {v for v, _ in MIGRATIONS}
