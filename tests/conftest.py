"""Shared fixtures: a fresh SQLite file or PostgreSQL schema per test, and a CLI runner."""

from __future__ import annotations

import io
import os
import sys
import uuid
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import peewee
import pytest

from cyclades_tui.cli import main
from cyclades_tui.services.runtime import connect

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
PG_SERVER = os.environ.get("CYCLADES_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def example(name: str) -> Path:
    """A sample file of the repository's examples/ folder (the README's sample run uses them)."""
    path = EXAMPLES / name
    if not path.is_file():
        pytest.fail(f"fichier d'exemple introuvable : examples/{name}")
    return path


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """bcrypt at its lowest cost: tests check behaviour; costs have tests of their own."""
    monkeypatch.setenv("CYCLADES_PROVISIONAL_COST", "4")
    monkeypatch.setenv("CYCLADES_CHOSEN_COST", "4")
    monkeypatch.delenv("CYCLADES_DB", raising=False)
    # An empty configuration file: a machine's /etc/cyclades-tui/config.toml stays out of tests.
    monkeypatch.setenv("CYCLADES_CONFIG", os.devnull)


def _pg_available() -> str | None:
    try:
        db = peewee.PostgresqlDatabase("test", user="postgres", host="127.0.0.1", port=5432,
                                       connect_timeout=3)
        db.connect()
        db.close()
        return None
    except peewee.OperationalError as error:
        return str(error).strip().splitlines()[0]


_PG_PROBLEM: list[str | None] = []


def pg_problem() -> str | None:
    """Why PostgreSQL cannot be used (None when it can); probed once per session."""
    if not _PG_PROBLEM:
        _PG_PROBLEM.append(_pg_available())
    return _PG_PROBLEM[0]


def new_pg_schema() -> tuple[str, str]:
    """A fresh schema of its own for one test; returns (url, schema)."""
    problem = pg_problem()
    if problem is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL injoignable sous CI=true : {problem}")
        pytest.skip(f"PostgreSQL injoignable sur 127.0.0.1:5432 ({problem})")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = peewee.PostgresqlDatabase("test", user="postgres", host="127.0.0.1", port=5432)
    admin.execute_sql(f'CREATE SCHEMA "{schema}"')
    admin.close()
    return f"{PG_SERVER}?schema={schema}", schema


def drop_pg_schema(schema: str) -> None:
    """Remove a test schema and everything in it."""
    admin = peewee.PostgresqlDatabase("test", user="postgres", host="127.0.0.1", port=5432)
    admin.execute_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    admin.close()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty, migrated database: a SQLite file, or a PostgreSQL schema."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'cyclades.db'}"
        db = connect(url)
        yield url
        db.close()
        return
    url, schema = new_pg_schema()
    db = connect(url)
    yield url
    db.close()
    drop_pg_schema(schema)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """An empty, migrated PostgreSQL schema only (for PostgreSQL-specific checks)."""
    url, schema = new_pg_schema()
    db = connect(url)
    yield url
    db.close()
    drop_pg_schema(schema)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> Iterator[str]:
    """An empty, migrated SQLite database only (for SQLite-specific checks)."""
    url = f"sqlite:///{tmp_path / 'cyclades.db'}"
    db = connect(url)
    yield url
    db.close()


@dataclass
class CliResult:
    """What one `cyclades-tui` invocation printed and returned."""

    code: int
    out: str
    err: str


class Cli:
    """Runs the real `cyclades-tui` entry point in this process against one database."""

    def __init__(self, url: str) -> None:
        self.url = url

    def __call__(self, *args: str, stdin: str = "") -> CliResult:
        out, err = io.StringIO(), io.StringIO()
        old_stdin = sys.stdin
        sys.stdin = io.StringIO(stdin)
        try:
            with redirect_stdout(out), redirect_stderr(err):
                code = main([*args, "--db", self.url])
        finally:
            sys.stdin = old_stdin
        # The CLI closes its connection; tests reopen the same database for their checks.
        connect(self.url)
        return CliResult(code, out.getvalue(), err.getvalue())


@pytest.fixture
def cli(db_url: str) -> Cli:
    """A CLI runner bound to the test database."""
    return Cli(db_url)
