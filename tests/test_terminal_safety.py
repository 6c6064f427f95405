"""No escape reaches a terminal: hostile file values are shown (« \\x1b »), never sent.

The attacks of the issue, reproduced: an Etat cell holding OSC 52 (writes the terminal's
clipboard), OSC 2 (window title) and CSI 2J (wipes the screen), through
`cyclades-tui import … --dry-run` and through « Vérifier » in the TUI (pilot and a real
pseudo-terminal); SIECLE names holding U+202E and U+009B. Property tests: for any string,
what the CLI writes and what the TUI draws hold no control character of the data's.
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rich.segment import Segment
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Input, Static

from cyclades_tui.cli import main
from cyclades_tui.domain.safe_text import has_unsafe, safe_json, safe_text
from cyclades_tui.services import files, schools, staff, staff_login
from cyclades_tui.services.actor import operator
from cyclades_tui.services.db_session import connect
from cyclades_tui.store.models import AuditEvent, Staff
from cyclades_tui.ui.app import CycladesApp
from cyclades_tui.ui.screens.csv_import import CsvImportScreen
from cyclades_tui.ui.text import literal
from cyclades_tui.ui.widgets.virtual_table import VirtualTable
from tests.helpers import FAST_SETTINGS, bea, csv_bytes
from tests.resilience_helpers import ROOT, cli_env
from tests.siecle_factory import Pupil, export_zip
from tests.terminal import Terminal
from tests.ui_helpers import settle

UAI = "0392689L"
PASSWORD = "un mot de passe long"
CLIPBOARD = base64.b64encode(b"rm -rf ~").decode()
OSC52 = f"\x1b]52;c;{CLIPBOARD}\x1b\\"
OSC2 = "\x1b]2;title\x07"
CSI2J = "\x1b[2J"
# What a terminal would obey: none of it may come out of the app.
FOREIGN = [b"\x1b]52", b"\x1b]2;", b"\x1b[2J", b"\xc2\x9b", "\u202e".encode()]
# Characters the gate must stop: C0, DEL, C1, bidi controls, separators, surrogates.
NASTY = st.sampled_from(
    [chr(c) for c in range(0x20)]
    + [chr(c) for c in range(0x7F, 0xA0)]
    + list(
        "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
        "\u2028\u2029\ud800\udfff"
    )
    + [OSC52, OSC2, CSI2J, "[bold]", "é", "Ł", ";", '"']
)
HOSTILE = st.lists(st.one_of(NASTY, st.text(max_size=5)), max_size=12).map("".join)


def attack_csv() -> bytes:
    """Three lines whose Etat (and one Examen) hold the issue's escape sequences."""
    return csv_bytes(
        f'{bea(1)};Roux;;Camille;;09/11/2010;3A;DNB;"{OSC52}"',
        f'{bea(2)};Roux;;Hugo;;09/11/2010;3A;DNB;"{OSC2}"',
        f'{bea(3)};Roux;;Léa;;09/11/2010;3A;"{CSI2J}";Inscrit',
    )


@pytest.fixture
def school_db(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'ecole.db'}"
    db = connect(url)
    schools.add_school(operator(), UAI, "Lycée Pasteur")
    schools.set_service(operator(), UAI, True)
    staff.add_staff(
        operator(), "secretariat", PASSWORD, UAI, settings=FAST_SETTINGS, must_change=False
    )
    yield url
    db.close()


def run_process(url: str, *args: str) -> subprocess.CompletedProcess[bytes]:
    """The real command in its own process: the bytes it writes, undecoded."""
    return subprocess.run(
        [sys.executable, "-m", "cyclades_tui", *args, "--db", url],
        capture_output=True,
        env=cli_env(4, None),
        cwd=ROOT,
        timeout=120,
    )


def test_gate_spells_out_controls() -> None:
    assert safe_text(OSC52) == f"\\x1b]52;c;{CLIPBOARD}\\x1b\\"
    assert safe_text(OSC2) == "\\x1b]2;title\\x07"
    assert safe_text(CSI2J) == "\\x1b[2J"
    assert safe_text("Ab\u202eCd\x9bE\x7f") == "AbU+202ECd\\x9bE\\x7f"
    assert safe_text("a\nb") == "a\\x0ab" and safe_text("a\nb", keep_newlines=True) == "a\nb"
    assert safe_text("Noé Łukasz [bold]") == "Noé Łukasz [bold]"  # nothing else changes
    text = json.dumps({"v": "a\u202eb\x9b\x1b"}, ensure_ascii=False)
    assert json.loads(safe_json(text)) == {"v": "a\u202eb\x9b\x1b"}
    assert not has_unsafe(safe_json(text))


@given(HOSTILE)
def test_gate_leaves_no_control_for_any_string(value: str) -> None:
    assert not has_unsafe(safe_text(value))
    kept = safe_text(value, keep_newlines=True)
    assert not has_unsafe(kept.replace("\n", ""))


def test_cli_dry_run_sends_no_escape(school_db: str, tmp_path: Path) -> None:
    path = tmp_path / "eleves.csv"
    path.write_bytes(attack_csv())
    result = run_process(school_db, "import", str(path), "--school", UAI, "--dry-run")
    assert result.returncode == 2
    written = result.stdout + result.stderr
    assert b"\x1b" not in written and b"\x07" not in written
    shown = result.stderr.decode()
    # Reported, visibly: the user sees what the file holds.
    assert f"Ligne 2 : Etat « \\x1b]52;c;{CLIPBOARD}\\x1b\\ » inconnu" in shown
    assert "Ligne 3 : Etat « \\x1b]2;title\\x07 » inconnu" in shown
    assert "Ligne 4 : Examen « \\x1b[2J » inconnu" in shown


def test_siecle_names_with_bidi_and_c1_are_refused_and_shown(
    school_db: str, tmp_path: Path
) -> None:
    hostile = [
        Pupil("1", "", "Evil\u202eLIVE", "Bob\x9b2J", "01/01/2011", "3A"),  # « sans INE »
        Pupil("2", bea(21), "Dupont", "Anne", "01/01/2011", "3A"),
    ]
    export = tmp_path / "ElevesSansAdresses.zip"
    export.write_bytes(export_zip(UAI, hostile))
    args = (
        "import",
        str(export),
        "--school",
        UAI,
        "--all-divisions",
        "--exam",
        "DNB",
        "--state",
        "inscrit",
    )
    for extra in ((), ("--yes",)):
        result = run_process(school_db, *args, *extra)
        written = result.stdout + result.stderr
        assert not [s for s in FOREIGN if s in written], written
        assert "EvilU+202ELIVE Bob\\x9b2J" in written.decode()
    refused = [
        Pupil("3", bea(22), "Nom\u202e", "Zoé", "01/01/2011", "3A"),
        Pupil("4", bea(23), "Nom", "Zoé\x9b", "01/01/2011", "3A"),
    ]
    export.write_bytes(export_zip(UAI, refused))
    result = run_process(school_db, *args)
    assert result.returncode == 2
    assert not [s for s in FOREIGN if s in result.stderr]
    assert "Nom contient un caractère interdit (U+202E)" in result.stderr.decode()
    assert "Prénom contient un caractère interdit (\\x9b)" in result.stderr.decode()


def run_main(*args: str, stdin: str = "") -> tuple[int, str]:
    """``main`` in this process (what `cyclades-tui` runs), everything it wrote."""
    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = main(list(args))
    finally:
        sys.stdin = old_stdin
    return code, out.getvalue() + err.getvalue()


@pytest.fixture
def one_school(sqlite_url: str) -> str:
    schools.add_school(operator(), UAI, "Lycée Pasteur")
    return sqlite_url


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=HOSTILE)
@example(value="\ud800")
@example(value=OSC52 + "\u202e\x9b\nLigne 9 : faux")
def test_cli_writes_no_control_for_any_value(value: str, one_school: str, tmp_path: Path) -> None:
    path = tmp_path / "eleves.csv"
    # Files and the database cannot hold a lone surrogate; a command line can.
    stored = value.encode("utf-8", "replace").decode("utf-8")
    # The value in every column a message repeats; quoted, so that it stays one cell.
    cell = '"' + stored.replace('"', '""') + '"'
    path.write_bytes(
        csv_bytes(
            f"{cell};{cell};;{cell};;{cell};{cell};{cell};{cell}",
            f"{bea(5)};Roux;;Camille;;09/11/2010;3A;DNB;{cell}",
        )
    )
    # The same value in the database, as a tampered row would hold it.
    rows = [
        Staff.create(login=stored[:64], password_hash="x"),
        AuditEvent.create(actor=stored[:64], action=stored[:40], detail=stored),
    ]
    written = []
    try:
        for args in (
            ("import", str(path), "--school", UAI, "--dry-run"),
            ("staff", "list"),
            ("audit", "--json"),
            ("audit",),
            ("staff", "disable", value or "x"),
        ):
            _code, text = run_main(*args, "--db", one_school)
            connect(one_school)
            written.append(text)
    finally:
        for row in rows:
            row.delete_instance()
    everything = "".join(written)
    assert written[0] and safe_text(stored) in written[3]  # the value shown, visibly
    assert not has_unsafe(everything.replace("\n", "")), everything


class ShowScreen(Screen[None]):
    """Every way the screens draw a value: literal(), a raw Static, tables, an input."""

    def __init__(self, values: list[str]) -> None:
        super().__init__()
        self.values = values

    def compose(self) -> ComposeResult:
        for value in self.values:
            yield Static(literal(value))
            yield Static(value, markup=False)  # not through literal(): the app's last barrier
        yield Input(value="".join(self.values))
        yield VirtualTable([("Nom", 20), ("Prénom", 20)], id="virtual")

    def on_mount(self) -> None:
        self.query_one(VirtualTable).set_rows([(v, v) for v in self.values])


def drawn_segments(app: CycladesApp) -> list[Segment]:
    """What the compositor sends to the terminal for the current screen."""
    return [segment for strip in app.screen._compositor.render_strips() for segment in strip]


def assert_nothing_foreign(app: CycladesApp) -> str:
    text = "".join(s.text for s in drawn_segments(app) if not s.control)
    assert not has_unsafe(text), repr(text)
    return text


@settings(max_examples=12, deadline=None)
@given(st.lists(HOSTILE, min_size=1, max_size=4))
def test_tui_draws_no_control_for_any_value(values: list[str]) -> None:
    async def scenario() -> None:
        app = CycladesApp(settings=FAST_SETTINGS)
        async with app.run_test(size=(80, 24)) as pilot:
            await app.push_screen(ShowScreen(values))
            app.notify(values[0], markup=False)
            await pilot.pause()
            assert_nothing_foreign(app)

    asyncio.run(scenario())


def school_depot(school_db: str) -> Path:
    """Where the TUI's import prompts read: the school's incoming folder."""
    root = replace(FAST_SETTINGS, db=school_db).files_root()
    return files.school_folder(root, UAI) / files.INCOMING


async def test_check_in_the_tui_shows_the_escapes(school_db: str) -> None:
    path = school_depot(school_db) / "eleves.csv"
    path.write_bytes(attack_csv())
    app = CycladesApp(
        db_url=school_db, demo_actor=staff_login.actor_for("secretariat"), settings=FAST_SETTINGS
    )
    async with app.run_test(size=(100, 40)) as pilot:
        app.open_activity("import_csv")
        await settle(pilot)
        assert isinstance(app.screen, CsvImportScreen)
        await pilot.press(*path.name, "enter")
        await settle(pilot)
        drawn = assert_nothing_foreign(app)
        assert "Etat « \\x1b]52;c;" in drawn and "\\x1b[2J" in drawn


def test_check_in_a_real_terminal_sends_no_escape(school_db: str) -> None:
    path = school_depot(school_db) / "eleves.csv"
    path.write_bytes(attack_csv())
    tui = Terminal.app(["--db", school_db], env=cli_env(4, None))
    try:
        tui.wait_for("Connexion du personnel", 60)
        tui.write(f"secretariat\r{PASSWORD}\r".encode())
        tui.wait_for("Mon établissement", 60)
        tui.write(b"c")  # « Mes candidats », then ctrl+n: « Importer HORS BEE »
        tui.wait_for("Mes candidats", 60)
        tui.write(b"\x0e")
        tui.wait_for("déposé dans depot/", 60)
        tui.write(path.name.encode() + b"\r")
        tui.wait_for("inconnu", 60)
    finally:
        tui.quit()
    output = tui.output
    assert not [s for s in FOREIGN if s in output]
    assert b"\\x1b]52" in output  # shown as text


def test_school_name_with_an_escape_is_refused_and_shown(sqlite_url: str) -> None:
    code, text = run_main("school", "add", "0750001U", f"Lycée{OSC2}", "--db", sqlite_url)
    connect(sqlite_url)
    assert code == 2
    assert "caractère interdit (\\x1b)" in text and "\x1b" not in text
    assert schools.list_schools(operator()) == []
