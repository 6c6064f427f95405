"""Peewee models: schools, staff, candidates, candidatures, accounts, runs, documents, audit,
and the directory sync state."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, TypeVar

import peewee

from cyclades_tui.store.database import database_proxy


def utcnow() -> datetime:
    """Current UTC time, naive, as every timestamp column stores it."""
    return datetime.now(UTC).replace(tzinfo=None)


def tuples(query: Any) -> list[tuple[Any, ...]]:
    """Rows of a query as plain tuples (the stubs type ``.tuples()`` rows as models)."""
    return list(query.tuples())


_T = TypeVar("_T")

# Rows per INSERT, and values per IN (…) list: far below the bound variables SQLite allows
# (32,766) and small enough that each statement stays quick.
ROWS_PER_STATEMENT = 500


def batches(items: Iterable[_T]) -> Iterator[list[_T]]:
    """``items`` in lists of ROWS_PER_STATEMENT, in order: one statement each."""
    return peewee.chunked(items, ROWS_PER_STATEMENT)


class BaseModel(peewee.Model):
    """Common base binding every model to the database proxy."""

    class Meta:
        database = database_proxy
        legacy_table_names = False


class School(BaseModel):
    """An établissement, identified by its UAI."""

    id = peewee.AutoField()

    uai = peewee.CharField(max_length=8, unique=True)
    name = peewee.CharField(max_length=200)
    # « service de gestion des candidats en établissement » positioned by the exam manager.
    service_enabled = peewee.BooleanField(default=False)
    created_at = peewee.DateTimeField(default=utcnow)


class Staff(BaseModel):
    """A person who logs into cyclades-tui: school staff, or an exam manager (no school)."""

    id = peewee.AutoField()

    login = peewee.CharField(max_length=64, unique=True)
    password_hash = peewee.CharField(max_length=80)
    school = peewee.ForeignKeyField(School, null=True, backref="staff", on_delete="RESTRICT")
    school_id: int | None
    role = peewee.CharField(max_length=20, default="etablissement")
    disabled = peewee.BooleanField(default=False)
    failed_attempts = peewee.IntegerField(default=0)
    locked_until = peewee.DateTimeField(null=True)
    created_at = peewee.DateTimeField(default=utcnow)
    # Set when someone else chose the password (staff add, reset-password): the owner
    # must change it at their next TUI login.
    must_change_password = peewee.BooleanField(default=False)


class StaffAddressLock(BaseModel):
    """Failed attempts and lock of one staff account from one client address
    (``manager_lockout = "per_address"``: an exam manager is locked per address)."""

    id = peewee.AutoField()

    staff = peewee.ForeignKeyField(Staff, backref="address_locks", on_delete="CASCADE")
    staff_id: int
    address = peewee.CharField(max_length=45)
    failed_attempts = peewee.IntegerField(default=0)
    locked_until = peewee.DateTimeField(null=True)

    class Meta:
        indexes = ((("staff", "address"), True),)


class Candidate(BaseModel):
    """A pupil of one school; the INE is national, hence unique across the database."""

    id = peewee.AutoField()

    school = peewee.ForeignKeyField(School, backref="candidates", on_delete="RESTRICT")
    school_id: int
    ine = peewee.CharField(max_length=11, unique=True)
    family_name = peewee.CharField(max_length=100)
    usage_name = peewee.CharField(max_length=100, default="")
    first_name = peewee.CharField(max_length=100, default="")
    other_first_names = peewee.CharField(max_length=200, default="")
    birth_date = peewee.DateField()
    division = peewee.CharField(max_length=30, index=True)
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("school", "division", "family_name"), False),)


class Candidature(BaseModel):
    """One candidate registered for one exam, in one state."""

    id = peewee.AutoField()

    candidate = peewee.ForeignKeyField(Candidate, backref="candidatures", on_delete="CASCADE")
    # The candidate's school again: every screen filters candidatures by school, and an
    # academy holds 300,000 of them (migration 3).
    school = peewee.ForeignKeyField(
        School, backref="candidatures", on_delete="RESTRICT", index=False
    )
    exam = peewee.CharField(max_length=5)
    state = peewee.CharField(max_length=30)

    class Meta:
        indexes = ((("candidate", "exam"), True), (("school", "state", "exam"), False))


class Account(BaseModel):
    """A candidate's login account; only the bcrypt hash of its password is kept."""

    id = peewee.AutoField()

    candidate = peewee.ForeignKeyField(
        Candidate, unique=True, backref="accounts", on_delete="RESTRICT"
    )
    # Logins are unique in the whole database: the publication site is shared.
    login = peewee.CharField(max_length=40, unique=True)
    # « prénom.nom » before any homonym suffix: finding the free suffix is one indexed lookup.
    login_base = peewee.CharField(max_length=40, index=True)
    password_hash = peewee.CharField(max_length=80)
    provisional = peewee.BooleanField(default=True)
    # Bumped at every new password so that a slip knows whether it is still current.
    password_version = peewee.IntegerField(default=1)
    created_at = peewee.DateTimeField(default=utcnow)
    password_changed_at = peewee.DateTimeField(default=utcnow)


class Run(BaseModel):
    """One generation or regeneration: who, when, how many accounts."""

    id = peewee.AutoField()

    school = peewee.ForeignKeyField(School, backref="runs", on_delete="RESTRICT")
    kind = peewee.CharField(max_length=20)  # "generate" | "regenerate"
    created_by = peewee.CharField(max_length=64)
    created_at = peewee.DateTimeField(default=utcnow)
    accounts = peewee.IntegerField(default=0)


class Document(BaseModel):
    """A generated PDF, stored in the database so that several servers can share it."""

    id = peewee.AutoField()

    school = peewee.ForeignKeyField(School, backref="documents", on_delete="RESTRICT")
    school_id: int
    run = peewee.ForeignKeyField(Run, backref="documents", on_delete="RESTRICT")
    title = peewee.CharField(max_length=200)
    layout = peewee.IntegerField()
    slips = peewee.IntegerField()
    size = peewee.IntegerField()
    type = peewee.CharField(max_length=10, default="PDF")
    created_by = peewee.CharField(max_length=64)
    created_at = peewee.DateTimeField(default=utcnow)
    data = peewee.BlobField()

    class Meta:
        indexes = ((("school", "created_at"), False),)


class Slip(BaseModel):
    """Which password version of which account a document prints."""

    id = peewee.AutoField()

    document = peewee.ForeignKeyField(Document, backref="slip_rows", on_delete="CASCADE")
    account = peewee.ForeignKeyField(Account, backref="slips", on_delete="RESTRICT")
    password_version = peewee.IntegerField()


class AuditEvent(BaseModel):
    """Who did what, when, for which school; never a password."""

    id = peewee.AutoField()

    at = peewee.DateTimeField(default=utcnow, index=True)
    actor = peewee.CharField(max_length=64)
    school = peewee.ForeignKeyField(School, null=True, backref="audit", on_delete="RESTRICT")
    school_id: int | None
    action = peewee.CharField(max_length=40)
    detail = peewee.TextField(default="")
    success = peewee.BooleanField(default=True)

    class Meta:
        indexes = ((("school", "at"), False),)


class DirectorySync(BaseModel):
    """What the last LDAP sync wrote for one account (migration 5).

    ``password_version`` is the account's version written to the directory and
    ``directory_password`` the exact ``userPassword`` value written: an account whose version
    moved since is rewritten; a directory value that differs from it was changed on the site
    (by the candidate) and is never put back. Recorded only once the directory write succeeded.
    """

    account = peewee.ForeignKeyField(
        Account, primary_key=True, backref="directory_sync", on_delete="CASCADE"
    )
    account_id: int
    password_version = peewee.IntegerField()
    directory_password = peewee.CharField(max_length=120)
    synced_at = peewee.DateTimeField(default=utcnow)


class SchemaVersion(BaseModel):
    """The migrations already applied to this database."""

    version = peewee.IntegerField(primary_key=True)
    applied_at = peewee.DateTimeField(default=utcnow)


ALL_MODELS: list[type[BaseModel]] = [
    School,
    Staff,
    StaffAddressLock,
    Candidate,
    Candidature,
    Account,
    Run,
    Document,
    Slip,
    AuditEvent,
    DirectorySync,
]
