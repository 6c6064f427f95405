"""Keys typed quickly over SSH arrive in one packet: each must still reach its screen and field.

Each test starts the real `cyclades-tui` on a pseudo-terminal (80x24, TERM=xterm-256color),
writes a whole key sequence in ONE write(), and checks what the screen shows afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cyclades_tui.services.actor import operator
from cyclades_tui.services.candidates import list_candidates
from cyclades_tui.services.db_session import connect
from cyclades_tui.services.demo import DEMO_UAI
from tests.helpers import Cli
from tests.terminal import CTRL_G, ENTER, ESC, TAB, Terminal

PASSWORD = "Examens2026!Juin"
DOWN = b"\x1b[B"
UP = b"\x1b[A"
CTRL_P = b"\x10"


@pytest.fixture
def demo_db(sqlite_url: str) -> str:
    """The demo school (300 pupils) in a fresh SQLite file, with a « secretariat » account."""
    cli = Cli(sqlite_url)
    assert cli("demo").code == 0
    added = cli(
        "staff",
        "add",
        "secretariat",
        "--school",
        DEMO_UAI,
        "--keep-password",
        stdin=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert added.code == 0, added.err
    return sqlite_url


@pytest.fixture
def terminals() -> Iterator[list[Terminal]]:
    """Terminals opened by a test, closed after it whatever happens."""
    opened: list[Terminal] = []
    yield opened
    for terminal in opened:
        terminal.close()


def start(terminals: list[Terminal], *args: str) -> Terminal:
    terminal = Terminal.app(
        list(args), env={"CYCLADES_PROVISIONAL_COST": "4", "CYCLADES_CHOSEN_COST": "4"}
    )
    terminals.append(terminal)
    return terminal


def test_login_burst_keeps_the_password_out_of_the_identifier(
    demo_db: str, terminals: list[Terminal]
) -> None:
    term = start(terminals, "--db", demo_db)
    term.wait_for("Connexion du personnel")
    term.write(b"secretariat" + TAB + PASSWORD.encode() + ENTER)
    screen = term.wait_for("Mon établissement")
    assert "secretariat" in screen
    assert PASSWORD not in screen


def test_home_burst_opens_candidates_with_the_filter_typed(
    demo_db: str, terminals: list[Terminal]
) -> None:
    term = start(terminals, "--demo", "--db", demo_db)
    term.wait_for("Mon établissement")
    term.write(b"cNakamura")
    # Every letter reached the filter: one pupil left (a lost letter would leave more).
    term.wait_for(lambda s: "1 candidature(s) affichée(s) sur 300" in s and "Nakamura" in s)


def test_documents_burst_turns_the_page(demo_db: str, terminals: list[Terminal]) -> None:
    cli = Cli(demo_db)
    assert cli("accounts", "generate", "--school", DEMO_UAI).code == 0
    connect(demo_db)
    ine = next(v.ine for v in list_candidates(operator(), DEMO_UAI) if v.login)
    for _ in range(9):  # 2 documents from the generation + 9 = 11: two pages
        assert cli("accounts", "regenerate", "--school", DEMO_UAI, "--ine", ine).code == 0
    term = start(terminals, "--demo", "--db", demo_db)
    term.wait_for("Mon établissement")
    term.write(b"d\x1b[6~")  # d, then PgSuiv (letters are text in that list)
    term.wait_for("Affichage de l'élément 11 à 11 sur 11")


def test_ine_then_ctrl_g_asks_for_confirmation(demo_db: str, terminals: list[Terminal]) -> None:
    cli = Cli(demo_db)
    assert cli("accounts", "generate", "--school", DEMO_UAI).code == 0
    connect(demo_db)
    view = next(
        v for v in list_candidates(operator(), DEMO_UAI) if v.login and v.state == "Inscrit"
    )
    term = start(terminals, "--demo", "--db", demo_db)
    term.wait_for("Mon établissement")
    term.write(b"r" + view.ine.encode() + CTRL_G)
    screen = term.wait_for("Générer un nouveau mot de passe pour")
    assert view.login is not None and view.login in screen


def test_escape_then_a_letter_in_one_packet(demo_db: str, terminals: list[Terminal]) -> None:
    """Échap then `c` arrive as ESC c, which terminals also use for alt+c."""
    term = start(terminals, "--demo", "--db", demo_db)
    term.wait_for("Mon établissement")
    term.write(b"g")
    term.wait_for("Candidats éligibles")
    term.write(ESC + b"c" + b"Nakamura")
    term.wait_for(lambda s: "1 candidature(s) affichée(s) sur 300" in s and "Nakamura" in s)


def test_name_then_ctrl_g_asks_for_confirmation(demo_db: str, terminals: list[Terminal]) -> None:
    """A name search then its look-up both finish before ctrl+g is handled."""
    cli = Cli(demo_db)
    assert cli("accounts", "generate", "--school", DEMO_UAI).code == 0
    term = start(terminals, "--demo", "--db", demo_db)
    term.wait_for("Mon établissement")
    term.write(b"rnakamura" + CTRL_G)
    screen = term.wait_for("Générer un nouveau mot de passe pour")
    assert "Nakamura" in screen


def test_counted_arrows_after_coming_back_on_a_pty(demo_db: str, terminals: list[Terminal]) -> None:
    term = start(terminals, "--demo", "--db", demo_db)
    term.wait_for("Mon établissement")
    term.write(DOWN * 3 + ENTER)  # the 4th line: « Mes candidats »
    term.wait_for("300 candidature(s)")
    term.write(ESC + DOWN * 5 + ENTER)  # back, then the 6th line: « Importer HORS BEE »
    screen = term.wait_for(lambda s: "Importer HORS BEE" in s and "[h] Importer" not in s)
    assert "Import CSV" not in screen
    term.write(ESC + UP * 3 + DOWN * 30 + ENTER)  # stops on the last line, no wrap
    term.wait_for("Mot de passe actuel")


def test_escape_then_ctrl_p_in_one_packet_opens_the_palette_below(
    demo_db: str, terminals: list[Terminal]
) -> None:
    """ESC ctrl+p in one write: Textual read ctrl+p alone (the Échap lost), so the palette
    opened over « Mes candidats » and closing it left the user there."""
    term = start(terminals, "--demo", "--db", demo_db)
    term.wait_for("Mon établissement")
    term.write(b"c")
    term.wait_for("300 candidature(s)")
    term.write(ESC + CTRL_P)
    term.wait_for("Rechercher une commande")
    term.write(ESC)
    screen = term.wait_for(lambda s: "Rechercher une commande" not in s and "[g] Générer" in s)
    assert "Import CSV" not in screen
