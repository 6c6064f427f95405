"""A SIECLE export is data, not a program: bombs and oversized exports are refused cheaply.

The issue's files are built here: an internal entity of 60 million « A » used 95 times (a 58 KB
zip) and 9 million nested elements (a 61 KB zip). Each goes through the real CLI in a child
process whose peak memory (``ru_maxrss`` from ``wait4``) must stay under 300 MB, and through
« Importer mes élèves depuis la BEE » (Pilot), whose allocations are traced. Each limit of
docs/siecle.md is then passed once and named in the refusal. The time of a refusal is
measured by tests/benchmarks/bench_hostile_files.py, not here.
"""

from __future__ import annotations

import io
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from cyclades_tui.services import schools, staff, staff_login
from cyclades_tui.services.actor import operator
from cyclades_tui.services.db_session import connect
from cyclades_tui.services.errors import BadInput
from cyclades_tui.services.siecle_export import parse_siecle
from cyclades_tui.services.siecle_xml import (
    MAX_DEPTH,
    MAX_ELEMENTS,
    MAX_FIELDS,
    MAX_PUPILS,
    MAX_TEXT,
    MAX_XML_BYTES,
)
from cyclades_tui.store.models import Candidate
from cyclades_tui.ui.app import CycladesApp
from tests.helpers import FAST_SETTINGS, Cli, add_school, bea
from tests.resilience_helpers import ROOT, cli_env
from tests.siecle_factory import Pupil, entity_bomb_zip, export_xml, nesting_bomb_zip
from tests.ui_helpers import read_siecle_export, text_of

UAI = "0392689L"
MAX_MEMORY_KB = 300 * 1024
BOMBS = {
    "entity": (lambda: entity_bomb_zip(UAI), "DOCTYPE ou d'entité XML"),
    "nesting": (nesting_bomb_zip, f"plus de {MAX_DEPTH} niveaux d'éléments imbriqués"),
}


# A child's peak memory (ru_maxrss) starts at its parent's at fork time: a pytest worker that
# already holds hundreds of MB would make any child look that big. A small Python process
# forks the command instead and reports the command's own peak on its last stderr line.
PEAK_LAUNCHER = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.executable, [sys.executable, *sys.argv[1:]])
_pid, status, usage = os.wait4(pid, 0)
sys.stderr.write(f"\\nPEAK_KB {usage.ru_maxrss}\\n")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_child(url: str, *args: str) -> tuple[int, str, str, int]:
    """`cyclades-tui ARGS --db URL` in a child process: status, output, errors, and its
    peak resident memory in kB (its own, measured by a small launcher, not its parent's)."""
    done = subprocess.run(
        [sys.executable, "-c", PEAK_LAUNCHER, "-m", "cyclades_tui", *args, "--db", url],
        capture_output=True,
        env=cli_env(4, None),
        cwd=ROOT,
        check=False,
    )
    err, _, peak = done.stderr.decode().rpartition("\nPEAK_KB ")
    return done.returncode, done.stdout.decode(), err, int(peak)


@pytest.mark.parametrize("bomb", list(BOMBS))
def test_a_bomb_is_refused_by_the_cli_in_little_memory(cli: Cli, tmp_path: Path, bomb: str) -> None:
    add_school(cli, UAI)
    build, cause = BOMBS[bomb]
    path = tmp_path / "ElevesSansAdresses.zip"
    path.write_bytes(build())
    assert path.stat().st_size < 100_000  # a few tens of kB
    code, _out, err, peak_kb = run_child(
        cli.url, "import", str(path), "--school", UAI, "--exam", "DNB", "--state", "inscrit"
    )
    assert code == 2, err
    assert cause in err and "Export refusé" in err
    assert "Traceback" not in err and "MemoryError" not in err
    assert peak_kb < MAX_MEMORY_KB
    assert Candidate.select().count() == 0


def secretariat_bee(tmp_path: Path) -> tuple[Path, CycladesApp]:
    """A school in a SQLite file, its depot/ folder, and the TUI of its secretariat."""
    url = f"sqlite:///{tmp_path / 'ecole.db'}"
    connect(url)
    schools.add_school(operator(), UAI, "Lycée Pasteur")
    schools.set_service(operator(), UAI, True)
    staff.add_staff(operator(), "secretariat", "un mot de passe long", UAI, settings=FAST_SETTINGS)
    depot = tmp_path / "fichiers" / UAI / "depot"
    depot.mkdir(parents=True)
    return depot, CycladesApp(
        db_url=url, demo_actor=staff_login.actor_for("secretariat"), settings=FAST_SETTINGS
    )


@pytest.mark.parametrize("bomb", list(BOMBS))
async def test_a_bomb_is_refused_by_the_bee_screen(tmp_path: Path, bomb: str) -> None:
    depot, app = secretariat_bee(tmp_path)
    build, cause = BOMBS[bomb]
    (depot / "bombe.zip").write_bytes(build())
    async with app.run_test(size=(80, 24)) as pilot:
        tracemalloc.start()
        try:
            await read_siecle_export(pilot, "bombe.zip")
            _now, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        message = text_of(pilot, "#message")
        assert cause in message and "Export refusé" in message
        assert "MemoryError" not in message
        # The file itself is read into memory (58 KB); the XML is never held whole.
        assert peak < 50 * 1024 * 1024
    assert Candidate.select().count() == 0


def test_a_doctype_alone_is_refused() -> None:
    data = export_xml(UAI, [Pupil("1", bea(1), "Un", "A", "01/01/2011", "3A")])
    with_doctype = data.replace(b"<BEE_ELEVES", b"<!DOCTYPE BEE_ELEVES>\n<BEE_ELEVES", 1)
    with pytest.raises(BadInput, match="DOCTYPE ou d'entité XML à la ligne 2"):
        parse_siecle(with_doctype)
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><BEE_ELEVES>&b;</BEE_ELEVES>'
    )
    with pytest.raises(BadInput, match="DOCTYPE ou d'entité XML"):
        parse_siecle(laughs)


def _xml(body: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<BEE_ELEVES><PARAMETRES><UAJ>{UAI}'
        f"</UAJ></PARAMETRES><DONNEES><ELEVES>{body}</ELEVES></DONNEES></BEE_ELEVES>"
    ).encode()


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


PUPIL = '<ELEVE ELEVE_ID="1"><NOM_DE_FAMILLE>Un</NOM_DE_FAMILLE></ELEVE>'
LIMITS = {
    "depth": (
        _xml("<a>" * MAX_DEPTH + "</a>" * MAX_DEPTH),
        f"plus de {MAX_DEPTH} niveaux d'éléments imbriqués",
    ),
    "pupils": (_xml(PUPIL * (MAX_PUPILS + 1)), f"plus de {MAX_PUPILS} élèves (ELEVE)"),
    "fields": (
        _xml('<ELEVE ELEVE_ID="1">' + "<X>1</X>" * (MAX_FIELDS + 1) + "</ELEVE>"),
        f"plus de {MAX_FIELDS} champs dans un élément ELEVE",
    ),
    "text": (
        _xml(
            f'<ELEVE ELEVE_ID="1"><NOM_DE_FAMILLE>{"A" * (MAX_TEXT + 1)}</NOM_DE_FAMILLE></ELEVE>'
        ),
        f"une valeur de plus de {MAX_TEXT} caractères (élément NOM_DE_FAMILLE)",
    ),
    "elements": (_xml("<E/>" * MAX_ELEMENTS), f"plus de {MAX_ELEMENTS} éléments"),
    "uncompressed size": (
        _zip({"ElevesSansAdresses.xml": _xml(f"<!--{' ' * MAX_XML_BYTES}-->")}),
        "décompressé trop volumineux : plus de 32 Mo",
    ),
    "file size": (_xml(" " * MAX_XML_BYTES), "Fichier trop volumineux : plus de 32 Mo"),
    "two members": (
        _zip({"ElevesSansAdresses.xml": _xml(PUPIL), "autre.xml": _xml(PUPIL)}),
        "un seul fichier XML (ElevesSansAdresses.xml), elle en contient 2",
    ),
    "no xml": (_zip({"ElevesSansAdresses.txt": _xml(PUPIL)}), "Archive SIECLE sans fichier XML"),
}


@pytest.mark.parametrize("limit", list(LIMITS))
def test_each_limit_is_named_in_the_refusal(limit: str) -> None:
    data, named = LIMITS[limit]
    with pytest.raises(BadInput) as refused:
        parse_siecle(data)
    assert named in refused.value.message
    assert refused.value.faults


def test_just_under_the_limits_is_read() -> None:
    deep = _xml(
        f'<ELEVE ELEVE_ID="1"><NOM_DE_FAMILLE>{"A" * MAX_TEXT}</NOM_DE_FAMILLE>'
        + "<X>1</X>" * (MAX_FIELDS - 1)
        + "</ELEVE>"
    )
    export = parse_siecle(deep)
    assert export.pupils[0].family_name == "A" * MAX_TEXT
    many = parse_siecle(_xml(PUPIL * MAX_PUPILS))
    assert len(many.pupils) == MAX_PUPILS
