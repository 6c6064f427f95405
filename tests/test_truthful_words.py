"""Issue 16: words that tell the truth (« Générer » without the service, Regénérer's states)."""

from __future__ import annotations

from pathlib import Path

from cyclades_tui.domain.exams import ELIGIBLE_EXAMS_BY_STATE, State, eligibility_rule
from cyclades_tui.services import schools, staff, staff_login
from cyclades_tui.services.access import SERVICE_MISSING
from cyclades_tui.services.actor import operator
from cyclades_tui.services.db_session import connect
from cyclades_tui.ui.app import CycladesApp
from cyclades_tui.ui.screens.generate import GenerateScreen
from tests.helpers import FAST_SETTINGS, Cli, add_school, bea, csv_bytes
from tests.ui_helpers import settle, text_of

UAI = "0392689L"


def test_generate_without_the_service_says_so_whatever_the_counts(cli: Cli) -> None:
    assert cli("school", "add", UAI, "Lycée Pasteur").code == 0
    refused = cli("accounts", "generate", "--school", UAI)
    assert refused.code == 1 and "n'est pas positionné" in refused.err
    assert "Tous les comptes" not in refused.out + refused.err


def test_generate_with_nobody_eligible_does_not_say_all_generated(cli: Cli) -> None:
    add_school(cli, UAI)
    done = cli("accounts", "generate", "--school", UAI)
    assert done.code == 0 and "Aucun candidat éligible" in done.out
    assert "Tous les comptes" not in done.out


async def test_generate_screen_gives_the_prerequisite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ecole.db'}"
    db = connect(url)
    schools.add_school(operator(), UAI, "Lycée Pasteur")  # service not positioned
    staff.add_staff(operator(), "secretariat", "un mot de passe long", UAI, settings=FAST_SETTINGS)
    app = CycladesApp(
        db_url=url, demo_actor=staff_login.actor_for("secretariat"), settings=FAST_SETTINGS
    )
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_activity("generate")
        await settle(pilot)
        assert isinstance(app.screen, GenerateScreen)
        await pilot.press("ctrl+g")
        await settle(pilot)
        message = text_of(pilot, "#message")
        assert "Tous les comptes" not in message
        assert " ".join(SERVICE_MISSING.split()) in " ".join(message.split())
    db.close()


def test_regenerate_says_which_state_finds_the_pupil(cli: Cli, tmp_path: Path) -> None:
    add_school(cli, UAI)
    rows = [
        f"{bea(1)};Martin;;Léa;;02/02/2008;TBCP;BCP;Pré-inscrit",
        f"{bea(2)};Petit;;Tom;;03/03/2008;TG1;BGT;Pré-inscrit",
    ]
    path = tmp_path / "c.csv"
    path.write_bytes(csv_bytes(*rows))
    assert cli("import", str(path), "--school", UAI).code == 0
    assert cli("accounts", "generate", "--school", UAI).code == 0
    bcp = cli("accounts", "regenerate", "--school", UAI, "--ine", bea(1), "--state", "inscrit")
    assert bcp.code == 1
    assert "est « Pré-inscrit » en BCP : choisissez l'état « Pré-inscrit »" in bcp.err
    bgt = cli("accounts", "regenerate", "--school", UAI, "--ine", bea(2), "--state", "inscrit")
    assert bgt.code == 1
    assert "choisissez" not in bgt.err and "n'est pas éligible" in bgt.err
    assert eligibility_rule() in bgt.err


def test_the_rule_in_words_comes_from_the_table() -> None:
    rule = eligibility_rule()
    for exam in ELIGIBLE_EXAMS_BY_STATE[State.PRE_INSCRIT]:
        assert exam in rule
    assert "BGT" not in rule and "DNB" not in rule
