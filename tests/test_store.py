"""The store: database URLs, SQLite settings, numbered migrations (upgrade of an old schema)."""

from __future__ import annotations

import peewee
import pytest

from cyclades_tui.services import account_generation, schools
from cyclades_tui.services.actor import operator
from cyclades_tui.store.database import DatabaseUrlError, parse_url
from cyclades_tui.store.migrations import MIGRATIONS, applied_versions, migrate
from cyclades_tui.store.models import (
    Candidate,
    Candidature,
    SchemaVersion,
    School,
    Staff,
    StaffAddressLock,
)
from tests.helpers import Cli, bea


def test_urls() -> None:
    assert parse_url("sqlite:///rel.db").path == "rel.db"
    assert parse_url("sqlite:////abs/x.db").path == "/abs/x.db"
    pg = parse_url("postgresql://u:p%40ss@h:6543/base?schema=s1")
    assert (pg.user, pg.password, pg.host, pg.port, pg.name, pg.schema) == (
        "u",
        "p@ss",
        "h",
        6543,
        "base",
        "s1",
    )
    for bad in ("mysql://x/y", "sqlite://", "postgresql://h:5432/"):
        with pytest.raises(DatabaseUrlError):
            parse_url(bad)


def test_sqlite_pragmas(sqlite_url: str) -> None:
    db = Candidate._meta.database
    assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute_sql("PRAGMA busy_timeout").fetchone()[0] == 15000


def test_init_twice_is_harmless(cli: Cli) -> None:
    first = cli("init")
    assert first.code == 0 and "déjà à jour" in first.out
    assert applied_versions(Candidate._meta.database) == {v for v, _ in MIGRATIONS}


def test_upgrade_of_a_version_2_database(cli: Cli) -> None:
    """A database made before migration 3 (no candidature.school_id) is upgraded in place."""
    db = Candidate._meta.database

    class CandidatureV2(peewee.Model):
        """The candidature table as versions 1 and 2 created it."""

        candidate = peewee.ForeignKeyField(Candidate, on_delete="CASCADE")
        exam = peewee.CharField(max_length=5)
        state = peewee.CharField(max_length=30)

        class Meta:
            database = db
            table_name = "candidature"
            indexes = ((("candidate", "exam"), True),)

    db.drop_tables([Candidature])
    db.create_tables([CandidatureV2])
    SchemaVersion.delete().where(SchemaVersion.version == 3).execute()
    school = schools.add_school(operator(), "0392689L", "Lycée")
    schools.set_service(operator(), school.uai, True)
    candidate = Candidate.create(
        school=School.get().id,
        ine=bea(1),
        family_name="Roux",
        first_name="Camille",
        birth_date="2010-11-09",
        division="3A",
    )
    CandidatureV2.create(candidate=candidate, exam="DNB", state="Inscrit")
    assert "school_id" not in {c.name for c in db.get_columns("candidature")}
    result = cli("init")
    assert result.code == 0 and "migrations 3" in result.out
    assert Candidature.get().school_id == candidate.school_id
    assert account_generation.status(operator(), "0392689L").eligible == 1
    assert migrate(db) == []


def test_upgrade_of_a_version_3_database(cli: Cli) -> None:
    """Migration 4 adds staff.must_change_password (false for existing staff, who keep
    logging in as before) and the per-address lock table."""
    db = Staff._meta.database
    sql = db.execute_sql  # type: ignore[attr-defined]
    db.drop_tables([StaffAddressLock])
    sql("ALTER TABLE staff DROP COLUMN must_change_password")
    SchemaVersion.delete().where(SchemaVersion.version == 4).execute()
    sql(
        "INSERT INTO staff (login, password_hash, role, disabled, failed_attempts, created_at)"
        " VALUES ('ancien', 'x', 'gestionnaire', FALSE, 0, CURRENT_TIMESTAMP)"
    )
    assert "must_change_password" not in {c.name for c in db.get_columns("staff")}
    result = cli("init")
    assert result.code == 0 and "migrations 4" in result.out
    assert Staff.get(Staff.login == "ancien").must_change_password is False
    assert db.table_exists("staff_address_lock")
    assert migrate(db) == []


def test_foreign_keys_are_enforced(db_url: str) -> None:
    with pytest.raises(peewee.IntegrityError):
        Candidature.insert(candidate=999999, school=999999, exam="DNB", state="Inscrit").execute()


def test_batches_cut_at_rows_per_statement_in_order() -> None:
    from cyclades_tui.store.models import ROWS_PER_STATEMENT, batches

    sizes = [len(chunk) for chunk in batches(range(2 * ROWS_PER_STATEMENT + 1))]
    assert sizes == [ROWS_PER_STATEMENT, ROWS_PER_STATEMENT, 1]
    assert [x for chunk in batches(iter(range(1001))) for x in chunk] == list(range(1001))
    assert list(batches([])) == []
