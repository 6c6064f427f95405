"""Shared fixtures: a fresh SQLite file or PostgreSQL schema per test, a CLI runner, the
demo and admin databases of the TUI tests. Plain helpers are in tests/helpers.py."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from cyclades_tui.services import schools, staff
from cyclades_tui.services.actor import ROLE_MANAGER, operator
from cyclades_tui.services.db_session import connect
from cyclades_tui.services.demo import DEMO_STAFF, seed_demo
from tests.cups_server import cups  # noqa: F401  # the private cupsd fixture, for every test
from tests.helpers import (
    FAST_SETTINGS,
    OTHER_UAI,
    SCHOOL_PASSWORD,
    SCHOOL_UAI,
    STAFF_PASSWORD,
    Cli,
    drop_pg_schema,
    new_pg_schema,
)


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """bcrypt at its lowest cost: tests check behaviour; costs have tests of their own."""
    monkeypatch.setenv("CYCLADES_PROVISIONAL_COST", "4")
    monkeypatch.setenv("CYCLADES_CHOSEN_COST", "4")
    monkeypatch.delenv("CYCLADES_DB", raising=False)
    # An empty configuration file: a machine's /etc/cyclades-tui/config.toml stays out of tests.
    monkeypatch.setenv("CYCLADES_CONFIG", os.devnull)


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


@pytest.fixture
def cli(db_url: str) -> Cli:
    """A CLI runner bound to the test database."""
    return Cli(db_url)


@pytest.fixture
def demo_url(tmp_path: Path) -> Iterator[str]:
    """A SQLite demo database with 40 candidates and a known staff password."""
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    db = connect(url)
    seed_demo(40, seed=7, settings=FAST_SETTINGS)
    staff.set_password(
        operator(), DEMO_STAFF, STAFF_PASSWORD, settings=FAST_SETTINGS, must_change=False
    )
    yield url
    db.close()


@pytest.fixture
def school_db(tmp_path: Path) -> Iterator[str]:
    """Two schools (service positioned), a secretary of the first and an exam manager."""
    url = f"sqlite:///{tmp_path / 'ecole.db'}"
    db = connect(url)
    for uai in (SCHOOL_UAI, OTHER_UAI):
        schools.add_school(operator(), uai, f"École {uai}")
        schools.set_service(operator(), uai, True)
    staff.add_staff(
        operator(),
        "secretariat",
        SCHOOL_PASSWORD,
        SCHOOL_UAI,
        settings=FAST_SETTINGS,
        must_change=False,
    )
    staff.add_staff(
        operator(),
        "chef",
        SCHOOL_PASSWORD,
        None,
        role=ROLE_MANAGER,
        settings=FAST_SETTINGS,
        must_change=False,
    )
    yield url
    db.close()
