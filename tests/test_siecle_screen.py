"""Issue 16: the SIECLE screen says what an import will change and changes nothing by default.

A lycée export imported as DNB with the classes left as offered used to give 21 lycée pupils
a « DNB Inscrit » candidature. Now no class is ticked, the export is picked in the list of
depot/ files, the check separates four groups, and pupils already candidates for another
exam get a new candidature only after a confirmation naming them. Through Pilot and,
for the keys, through a real pseudo-terminal with the whole sequence written at once.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Button, OptionList, Select, SelectionList

from cyclades_tui.services import schools, staff, staff_login
from cyclades_tui.services.actor import operator
from cyclades_tui.services.db_session import connect
from cyclades_tui.services.siecle_import import import_siecle
from cyclades_tui.store.models import Candidature
from cyclades_tui.ui.app import CycladesApp
from cyclades_tui.ui.screens.siecle_import import SiecleImportScreen
from cyclades_tui.ui.widgets.modals import ConfirmModal
from tests.helpers import FAST_SETTINGS, bea
from tests.siecle_factory import Pupil, export_xml
from tests.terminal import CTRL_G, ENTER, TAB, Terminal
from tests.ui_helpers import read_siecle_export, settle, text_of

UAI = "0392689L"
PASSWORD = "un mot de passe long"
# A lycée: 13 classes, two pupils in each (the pupils of 1BCP1 already BCP candidates).
CLASSES = [
    "1BCP1",
    "1BCP2",
    "1CAP",
    "1G1",
    "1G2",
    "1G3",
    "2CAP",
    "2GT1",
    "2GT2",
    "2GT3",
    "TBCP",
    "TG1",
    "TG2",
]
LYCEE = [
    Pupil(f"{n}", bea(300 + n), f"Nom{n}", f"Prénom{n}", "01/02/2008", division)
    for n, division in enumerate(c for c in CLASSES for _ in range(2))
]


@pytest.fixture
def lycee(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The school (service positioned) with its secretary, its 1BCP1 pupils BCP
    « Pré-inscrit » candidates, and the lycée's export in its depot/."""
    url = f"sqlite:///{tmp_path / 'ecole.db'}"
    db = connect(url)
    schools.add_school(operator(), UAI, "Lycée Pasteur")
    schools.set_service(operator(), UAI, True)
    staff.add_staff(
        operator(), "secretariat", PASSWORD, UAI, settings=FAST_SETTINGS, must_change=False
    )
    depot = tmp_path / "fichiers" / UAI / "depot"
    depot.mkdir(parents=True)
    export = depot / "ElevesSansAdresses.xml"
    export.write_bytes(export_xml(UAI, LYCEE))
    import_siecle(operator(), UAI, export, "BCP", "pre-inscrit", ["1BCP1"])
    yield url, depot
    db.close()


def app_for(url: str) -> CycladesApp:
    return CycladesApp(
        db_url=url, demo_actor=staff_login.actor_for("secretariat"), settings=FAST_SETTINGS
    )


def dnb_candidatures() -> int:
    return Candidature.select().where(Candidature.exam == "DNB").count()


async def test_classes_left_as_offered_import_nothing(lycee: tuple[str, Path]) -> None:
    url, _ = lycee
    async with app_for(url).run_test(size=(80, 24)) as pilot:
        screen = await read_siecle_export(pilot, "ElevesSansAdresses.xml")
        assert screen.query_one("#divisions", SelectionList).selected == []
        screen.query_one("#exam", Select).value = "DNB"
        await pilot.press("ctrl+o", "ctrl+l")
        await settle(pilot)
        assert "Cochez au moins une classe" in text_of(pilot, "#message")
        assert screen.query_one("#import", Button).disabled
    assert dnb_candidatures() == 0


async def test_tab_then_space_ticks_the_first_class(lycee: tuple[str, Path]) -> None:
    url, _ = lycee
    async with app_for(url).run_test(size=(80, 24)) as pilot:
        screen = await read_siecle_export(pilot, "ElevesSansAdresses.xml")
        assert screen.query_one("#exam", Select).has_focus
        await pilot.press("tab", "tab", "space")  # exam -> state -> classes, tick
        await settle(pilot)
        divisions = screen.query_one("#divisions", SelectionList)
        assert divisions.has_focus and divisions.selected == ["1BCP1"]


@pytest.mark.parametrize(("size", "visible"), [((120, 40), 13), ((80, 24), None)])
async def test_class_list_uses_the_height_it_has(
    lycee: tuple[str, Path], size: tuple[int, int], visible: int | None
) -> None:
    url, _ = lycee
    async with app_for(url).run_test(size=size) as pilot:
        screen = await read_siecle_export(pilot, "ElevesSansAdresses.xml")
        divisions = screen.query_one("#divisions", SelectionList)
        divisions.focus()
        await settle(pilot)
        shown = divisions.scrollable_content_region.height
        if visible is not None:
            assert shown >= visible
        else:  # 80x24: some shown, the rest reached by scrolling to the last one
            assert 3 <= shown < 13
            await pilot.press(*["down"] * 12, "space")
            await settle(pilot)
            assert divisions.selected == ["TG2"]
            assert divisions.region.bottom <= size[1] - 3


async def test_check_names_known_pupils_and_import_asks_first(lycee: tuple[str, Path]) -> None:
    url, _ = lycee
    async with app_for(url).run_test(size=(80, 24)) as pilot:
        screen = await read_siecle_export(pilot, "ElevesSansAdresses.xml")
        screen.query_one("#exam", Select).value = "DNB"
        screen.query_one("#divisions", SelectionList).select_all()
        await pilot.press("ctrl+o")
        await settle(pilot)
        report = text_of(pilot, "#report")
        assert "Nouveaux élèves à ajouter : 24" in report
        assert "Nouvelles candidatures d'élèves déjà connus : 2" in report
        assert "Nom0 Prénom0 (INE " in report and "déjà candidat(e) BCP « Pré-inscrit »" in report
        assert "Élèves mis à jour (nom, naissance, classe) : 0" in report
        assert "Élèves inchangés : 0" in report
        assert "demandera confirmation" in text_of(pilot, "#message")
        await pilot.press("ctrl+l")
        await settle(pilot)
        modal = pilot.app.screen
        assert isinstance(modal, ConfirmModal)
        assert "2\u00a0élève(s) déjà candidat(s)" in modal.question
        assert "Nom1 Prénom1" in modal.question
        await pilot.press("escape")
        await settle(pilot)
        assert dnb_candidatures() == 0
        assert "Rien n'a été importé" in text_of(pilot, "#message")
        await pilot.press("ctrl+l")
        await settle(pilot)
        modal = pilot.app.screen
        assert isinstance(modal, ConfirmModal)
        modal.action_confirm()
        await settle(pilot)
        assert isinstance(pilot.app.screen, SiecleImportScreen)
        assert "Import terminé : 24 nouvel(s) élève(s), 2 nouvelle(s)" in text_of(pilot, "#message")
    assert dnb_candidatures() == 26


async def test_files_listed_newest_first_and_empty_depot_says_what_to_do(
    lycee: tuple[str, Path],
) -> None:
    url, depot = lycee
    older = depot / "ancien.zip"
    older.write_bytes(b"PK")
    os.utime(older, (1_700_000_000, 1_700_000_000))
    (depot / "notes.txt").write_bytes(b"pas un export")
    async with app_for(url).run_test(size=(80, 24)) as pilot:
        pilot.app.open_activity("import_siecle")  # type: ignore[attr-defined]
        await settle(pilot)
        files = pilot.app.screen.query_one("#files", OptionList)
        labels = [str(files.get_option_at_index(i).prompt) for i in range(files.option_count)]
        assert len(labels) == 2 and labels[0].startswith("ElevesSansAdresses.xml — ")
        assert labels[1].startswith("ancien.zip — 14/11/2023") and labels[1].endswith("2 o")
        assert files.has_focus and files.highlighted == 0
    for path in depot.iterdir():
        path.unlink()
    async with app_for(url).run_test(size=(80, 24)) as pilot:
        pilot.app.open_activity("import_siecle")  # type: ignore[attr-defined]
        await settle(pilot)
        assert (
            "ElevesSansAdresses.zip" not in pilot.app.screen.query_one("#files").render_line(0).text
        )
        await pilot.press("enter")
        await settle(pilot)
        assert "Aucun export .zip ou .xml dans le dossier depot/" in text_of(pilot, "#message")


def test_tab_space_burst_through_a_terminal(lycee: tuple[str, Path]) -> None:
    url, _ = lycee
    terminal = Terminal.app(
        ["--db", url], env={"CYCLADES_PROVISIONAL_COST": "4", "CYCLADES_CHOSEN_COST": "4"}
    )
    try:
        terminal.wait_for("Connexion du personnel")
        terminal.write(b"secretariat" + TAB + PASSWORD.encode() + ENTER)
        terminal.wait_for("Mon établissement")
        terminal.write(b"c\x02")  # « Mes candidats », then ctrl+b: the BEE import
        terminal.wait_for("ElevesSansAdresses.xml — ")
        terminal.write(ENTER)
        terminal.wait_for("13 division(s)")
        terminal.write(TAB + TAB + b" ")  # state, classes, Space: one write
        screen = terminal.wait_for(lambda s: "X▌ 1BCP1" in s)
        assert "X▌ 1BCP2" not in screen
        terminal.write(CTRL_G)
    finally:
        terminal.close()
