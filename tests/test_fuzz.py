"""Fuzzing the importers and the command line: an import or a clear error, never a traceback.

Random and mutated files (wrong encodings, truncated rows, huge fields, NUL bytes, control
characters, ANSI escapes, Rich/Textual markup, right-to-left marks) go through the real
importers into a real database; nothing may be half-written.
"""

from __future__ import annotations

import io
import unicodedata
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cyclades_tui.cli import main
from cyclades_tui.services import schools
from cyclades_tui.services.actor import operator
from cyclades_tui.services.csv_import import import_csv
from cyclades_tui.services.errors import BadInput, ServiceError
from cyclades_tui.services.import_records import ImportReport
from cyclades_tui.services.siecle_import import import_siecle
from cyclades_tui.store.models import Candidate, Candidature
from tests.helpers import HEADER, bea, csv_bytes
from tests.siecle_factory import Pupil, export_xml, export_zip

UAI = "0392689L"
NASTY = [
    "\x00",
    "\x1b[31m",
    "\x1b]0;titre\x07",
    "[bold]",
    "[/]",
    "[link=x]",
    "\u202e",
    "\u200f",
    "\r",
    "\n",
    ";",
    ",",
    '"',
    "\ufeff",
    "é",
    "ß",
    "Ł",
    "\x85",
    "x" * 5000,
    "\t",
    "\\",
]
VALID_ROWS = [f"{bea(i)};Nom{i};;Prénom;;02/02/2010;3A;DNB;Inscrit" for i in range(5)]
FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def school(db_url: str) -> str:
    schools.add_school(operator(), UAI, "Lycée Pasteur")
    return db_url


def mutate(data: bytes, draw: st.DrawFn) -> bytes:
    """Apply a few random edits: flips, cuts, insertions of nasty fragments, re-encoding."""
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "cut", "insert", "encode", "duplicate"]))
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        if kind == "flip":
            data = data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1 :]
        elif kind == "cut":
            data = data[:at]
        elif kind == "insert":
            fragment = draw(st.sampled_from(NASTY)).encode(
                draw(st.sampled_from(["utf-8", "utf-16", "latin-1"])), "replace"
            )
            data = data[:at] + fragment + data[at:]
        elif kind == "encode":
            data = data.decode("utf-8", "replace").encode(
                draw(st.sampled_from(["utf-16", "utf-32", "cp1252", "utf-8-sig"])), "replace"
            )
        else:
            data = data + data[at:]
    return data


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    return mutate(csv_bytes(*VALID_ROWS, header=HEADER), draw)


@st.composite
def siecle_files(draw: st.DrawFn) -> bytes:
    pupils = [
        Pupil(str(i), bea(100 + i), f"Nom{i}", "Prénom", "02/02/2011", "3A") for i in range(3)
    ]
    base = export_zip(UAI, pupils) if draw(st.booleans()) else export_xml(UAI, pupils)
    return mutate(base, draw)


def no_control_characters_stored() -> None:
    for c in Candidate.select():
        for value in (c.family_name, c.usage_name, c.first_name, c.other_first_names, c.division):
            assert not any(unicodedata.category(ch) in ("Cc", "Cf") for ch in value), value


@FUZZ
@given(data=csv_files())
def test_csv_importer_never_crashes_nor_half_writes(school: str, data: bytes) -> None:
    before = (Candidate.select().count(), Candidature.select().count())
    try:
        report = import_csv(operator(), UAI, data)
    except BadInput as error:
        assert error.faults and all(isinstance(f, str) and f for f in error.faults)
        assert (Candidate.select().count(), Candidature.select().count()) == before
        return
    assert isinstance(report, ImportReport)
    no_control_characters_stored()


@FUZZ
@given(data=siecle_files(), skip=st.booleans())
def test_siecle_importer_never_crashes_nor_half_writes(
    school: str, data: bytes, skip: bool
) -> None:
    before = (Candidate.select().count(), Candidature.select().count())
    try:
        import_siecle(operator(), UAI, data, "DNB", "inscrit", skip_invalid_ine=skip)
    except ServiceError as error:
        assert error.message
        assert (Candidate.select().count(), Candidature.select().count()) == before
        return
    no_control_characters_stored()


def test_names_with_escapes_are_refused_with_their_line(school: str) -> None:
    data = csv_bytes(
        VALID_ROWS[0],
        f"{bea(77)};Bob\x1b[2J;;X;;02/02/2010;3A;DNB;Inscrit",
        f"{bea(78)};Ali\u202eZ;;X;;02/02/2010;3A;DNB;Inscrit",
    )
    with pytest.raises(BadInput) as caught:
        import_csv(operator(), UAI, data)
    assert any(
        f.startswith("Ligne 3 : Nom contient un caractère interdit") for f in caught.value.faults
    )
    assert any(
        f.startswith("Ligne 4 : Nom contient un caractère interdit") for f in caught.value.faults
    )
    assert Candidate.select().count() == 0


WORDS = [
    "init",
    "school",
    "add",
    "service",
    "list",
    "on",
    "off",
    "import",
    "accounts",
    "status",
    "generate",
    "regenerate",
    "verify",
    "change-password",
    "documents",
    "export",
    "purge",
    "staff",
    "reset-password",
    "disable",
    "audit",
    "--school",
    UAI,
    "0392689M",
    "--json",
    "--out",
    "--ine",
    "0228191520L",
    "--state",
    "inscrit",
    "--exam",
    "DNB",
    "--division",
    "--yes",
    "--dry-run",
    "--since",
    "--role",
    "gestionnaire",
    "--older-than",
    "-1",
    "0",
    "99999999999999999999",
    "",
    "--",
    "--help",
    "\x1b[31m",
    "[bold]",
    "é",
    "/nonexistent/x.csv",
]
COMMANDS = ["init", "school", "import", "accounts", "documents", "staff", "audit"]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    command=st.sampled_from(COMMANDS),
    rest=st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=12)), max_size=7),
)
def test_cli_with_random_arguments_never_shows_a_traceback(
    school: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    command: str,
    rest: list[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = main([command, *rest, "--db", school])
        except SystemExit as exit_:  # argparse: usage error (2) or --help (0)
            code = int(exit_.code or 0)
    assert code in (0, 1, 2), (command, rest, code)
    assert "Traceback" not in err.getvalue() + out.getvalue()
    assert "Erreur interne inattendue" not in err.getvalue(), (command, rest, err.getvalue())
