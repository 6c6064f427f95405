"""Helpers shared by tests, in one place: test modules import from here (or ui_helpers,
terminal…), never from one another; fixtures are in conftest.py.

Reading PDFs back with pdftotext, sample files and CSVs, valid INEs, a school with pupils,
the in-process CLI runner, PostgreSQL test schemas, and polling with a deadline.
"""

from __future__ import annotations

import asyncio
import io
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import peewee
import pytest

from cyclades_tui.cli import main
from cyclades_tui.domain.identifiers import check_letter
from cyclades_tui.services import schools
from cyclades_tui.services.actor import operator
from cyclades_tui.services.csv_import import import_csv
from cyclades_tui.services.db_session import connect
from cyclades_tui.settings import Settings

# What the services and the app receive in tests: bcrypt at its lowest cost (tests check
# behaviour; costs have tests of their own). The CLI reads the environment (conftest).
FAST_SETTINGS = Settings(provisional_cost=4, chosen_cost=4)

# The TUI tests' terminal, the demo staff member's password (demo_url fixture), and the
# schools and password of the admin database (school_db fixture).
SIZE = (80, 24)
STAFF_PASSWORD = "mot-de-passe-du-personnel"
SCHOOL_UAI, OTHER_UAI = "0392689L", "0750001U"
SCHOOL_PASSWORD = "un mot de passe long"

T = TypeVar("T")
# How often wait_until looks again: often enough for a test, rarely enough for a shared machine.
POLL_INTERVAL = 0.02

SLIP_RE = re.compile(r"Votre identifiant de connexion : (\S+)\s+Votre mot de passe \(\*\) : (\S+)")


def pdf_text(path: Path | bytes, tmp: Path | None = None) -> str:
    """The text of a PDF as poppler's pdftotext reads it (not our own code)."""
    if isinstance(path, bytes):
        assert tmp is not None
        target = tmp / "read-back.pdf"
        target.write_bytes(path)
        path = target
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    )
    return done.stdout.decode("utf-8")


def slips_in(text: str) -> list[tuple[str, str]]:
    """(login, password) pairs printed in a slip document's text, in order."""
    return SLIP_RE.findall(text)


HEADER = "INE;Nom;Nom d'usage;Prénom;Autres prénoms;Date de naissance;Division;Examen;Etat"


def csv_bytes(*rows: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    """A candidate CSV made of the header and ``rows``."""
    return ("\n".join([header, *rows]) + "\n").encode(encoding)


EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
PG_SERVER = os.environ.get("CYCLADES_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def example(name: str) -> Path:
    """A sample file of the repository's examples/ folder (CONTRIBUTING's sample run uses them)."""
    path = EXAMPLES / name
    if not path.is_file():
        pytest.fail(f"fichier d'exemple introuvable : examples/{name}")
    return path


def _pg_available() -> str | None:
    try:
        db = peewee.PostgresqlDatabase(
            "test", user="postgres", host="127.0.0.1", port=5432, connect_timeout=3
        )
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


def bea(number: int) -> str:
    """A valid INE-BEA for a number."""
    digits = f"{number:010d}"
    return digits + check_letter(digits)


def sample_uai() -> str:
    """The UAI of the sample CSV's school (examples/candidats-exemple.uai)."""
    return example("candidats-exemple.uai").read_text().strip()


def add_school(cli: Cli, uai: str, name: str = "Lycée Pasteur") -> None:
    """Add a school through the CLI and position its service."""
    assert cli("school", "add", uai, name).code == 0
    assert cli("school", "service", uai, "on").code == 0


def import_sample(cli: Cli) -> str:
    """The sample school with the sample CSV imported; returns its UAI."""
    uai = sample_uai()
    add_school(cli, uai)
    assert cli("import", str(example("candidats-exemple.csv")), "--school", uai).code == 0
    return uai


def school_with_pupils(uai: str, count: int, offset: int = 0, homonyms: int = 0) -> None:
    """A school (service positioned) with ``count`` registered pupils."""
    op = operator()
    schools.add_school(op, uai, f"École {uai}")
    schools.set_service(op, uai, True)
    rows = [f"{bea(offset + i)};Aubin;;Antoine;;02/02/2010;3A;DNB;Inscrit" for i in range(homonyms)]
    rows += [
        f"{bea(offset + homonyms + i)};Nom{i};;Élève;;02/02/2010;3{chr(65 + i % 3)};DNB;Inscrit"
        for i in range(count - homonyms)
    ]
    import_csv(op, uai, csv_bytes(*rows))


def wait_until(
    predicate: Callable[[], T], timeout: float = 20.0, what: str | Callable[[], object] = ""
) -> T:
    """Poll ``predicate`` until it returns a true value, and return that value.

    The one way the tests wait for something (a file, a process, a screen): never a bare
    sleep. At the deadline it fails with ``what``, a text or a function called then to tell
    what was seen instead (the screen, the processes left…).
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise not_in_time(timeout, what)
        time.sleep(POLL_INTERVAL)


async def wait_until_async(
    predicate: Callable[[], T], timeout: float = 20.0, what: str | Callable[[], object] = ""
) -> T:
    """``wait_until`` inside a coroutine (a Textual pilot test): between two looks the event
    loop runs, so the app under test goes on (its timers fire, its messages are handled)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise not_in_time(timeout, what)
        await asyncio.sleep(POLL_INTERVAL)


def not_in_time(timeout: float, what: str | Callable[[], object]) -> AssertionError:
    """The failure of a wait at its deadline, saying what was seen (``what``, or its result)."""
    seen = what() if callable(what) else what
    return AssertionError(f"toujours pas au bout de {timeout} s : {seen}")


def depot(tmp_path: Path) -> Path:
    """The admin school's incoming folder, where the TUI's import prompts read (beside the db)."""
    folder = tmp_path / "fichiers" / SCHOOL_UAI / "depot"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
