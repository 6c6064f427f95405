"""TUI: SIECLE import, staff lock-out, the exam manager's school choice, the journal."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, Select, SelectionList

from cyclades_tui.services import staff_login
from cyclades_tui.services.actor import operator
from cyclades_tui.services.siecle_import import import_siecle
from cyclades_tui.store.models import Candidate, Candidature, School
from cyclades_tui.ui.actions import ACTIONS
from cyclades_tui.ui.app import CycladesApp
from cyclades_tui.ui.screens.home import HomeScreen
from cyclades_tui.ui.screens.journal import JournalScreen
from cyclades_tui.ui.screens.login import LoginScreen
from cyclades_tui.ui.screens.schools import SchoolPickerScreen
from tests.helpers import (
    FAST_SETTINGS,
    OTHER_UAI,
    SCHOOL_PASSWORD,
    SCHOOL_UAI,
    SIZE,
    bea,
    csv_bytes,
    depot,
)
from tests.siecle_factory import Pupil, export_zip
from tests.ui_helpers import read_siecle_export, settle, table_rows, text_of

UAI, OTHER, PASSWORD = SCHOOL_UAI, OTHER_UAI, SCHOOL_PASSWORD
PUPILS = [
    Pupil("1", bea(11), "Lefèvre", "Anaïs", "15/04/2011", "3A"),
    Pupil("2", bea(12), "Dubois", "Hugo", "13/09/2011", "3A"),
    Pupil("3", bea(13), "Garcia", "Noé", "27/09/2011", "3B"),
    Pupil("4", "", "Sansine", "Paul", "01/01/2011", "3B"),
    Pupil("5", bea(15), "Œuvray", "Zoé", "11/03/2011", "TG1"),
]


def snapshot_of_candidates() -> list[tuple[str, ...]]:
    return sorted(
        (
            c.candidate.ine,
            c.candidate.family_name,
            c.candidate.first_name,
            c.candidate.division,
            c.exam,
            c.state,
        )
        for c in Candidature.select(Candidature, Candidate).join(Candidate)
    )


async def log_in(pilot: Pilot[None], login: str, password: str) -> None:
    """Fill the login screen and press Enter in the password field."""
    screen = pilot.app.screen
    screen.query_one("#login", Input).value = login
    screen.query_one("#password", Input).value = password
    screen.query_one("#password", Input).focus()
    await pilot.press("enter")
    await settle(pilot)


def reset_candidates() -> None:
    Candidature.delete().execute()
    Candidate.delete().execute()


async def test_siecle_import_through_the_tui_matches_the_cli(
    school_db: str, tmp_path: Path
) -> None:
    export = depot(tmp_path) / "ElevesSansAdresses.zip"
    export.write_bytes(export_zip(UAI, PUPILS))
    # The CLI's result, through the same service.
    import_siecle(operator(), UAI, export, "DNB", "inscrit", ["3A", "3B"], skip_invalid_ine=True)
    expected = snapshot_of_candidates()
    assert len(expected) == 3
    reset_candidates()

    app = CycladesApp(
        db_url=school_db, demo_actor=staff_login.actor_for("secretariat"), settings=FAST_SETTINGS
    )
    async with app.run_test(size=SIZE) as pilot:
        screen = await read_siecle_export(pilot, export.name)
        divisions = screen.query_one("#divisions", SelectionList)
        assert divisions.selected == []  # nothing ticked by default (issue 16)
        divisions.focus()
        await pilot.press("space", "down", "space")  # 3A, 3B
        await settle(pilot)
        assert sorted(divisions.selected) == ["3A", "3B"]
        screen.query_one("#exam", Select).value = "DNB"
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert "sans INE valide" in text_of(pilot, "#message")
        assert "Élève 4 (Sansine Paul)" in text_of(pilot, "#faults")
        assert Candidate.select().count() == 0
        screen.query_one("#skip", Checkbox).value = True
        await pilot.press("ctrl+l")  # not checked since the last change: refused
        await settle(pilot)
        assert Candidate.select().count() == 0
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert "Vérifié : 3 nouvel(s) élève(s)" in text_of(pilot, "#message")
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert "Import terminé : 3 nouvel(s) élève(s)" in text_of(pilot, "#message")
    assert snapshot_of_candidates() == expected
    # A second import of the same file changes nothing.
    again = import_siecle(
        operator(), UAI, export, "DNB", "inscrit", ["3A", "3B"], skip_invalid_ine=True
    )
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)
    assert snapshot_of_candidates() == expected


async def test_login_screen_says_the_account_is_locked(school_db: str) -> None:
    app = CycladesApp(db_url=school_db, settings=FAST_SETTINGS)
    async with app.run_test(size=SIZE) as pilot:
        for attempt in [*["mauvais"] * 5, PASSWORD]:
            assert isinstance(app.screen, LoginScreen)
            await log_in(pilot, "secretariat", attempt)
        assert isinstance(app.screen, LoginScreen)
        assert "verrouillé" in text_of(pilot, "#message")


async def test_exam_manager_picks_a_school_and_positions_the_service(school_db: str) -> None:
    School.update(service_enabled=False).where(School.uai == OTHER).execute()
    app = CycladesApp(db_url=school_db, settings=FAST_SETTINGS)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, "chef", PASSWORD)
        assert isinstance(app.screen, SchoolPickerScreen)
        await pilot.press("down", ACTIONS["toggle-service"].key)
        await settle(pilot)
        assert School.get(School.uai == OTHER).service_enabled
        assert f"Service positionné pour {OTHER}" in text_of(pilot, "#message")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.session is not None and app.session.uai == OTHER
        await pilot.press("escape")
        assert isinstance(app.screen, SchoolPickerScreen)


async def test_journal_lists_the_day(school_db: str) -> None:
    actor = staff_login.authenticate("secretariat", PASSWORD, settings=FAST_SETTINGS)
    app = CycladesApp(db_url=school_db, demo_actor=actor, settings=FAST_SETTINGS)
    async with app.run_test(size=SIZE) as pilot:
        app.open_activity("journal")
        await settle(pilot)
        assert isinstance(app.screen, JournalScreen)
        rows = table_rows(pilot, "#journal")
        assert rows[0][1] == "secretariat" and rows[0][2] == "Connexion"
        assert any(r[2] == "Service" for r in rows)


async def test_class_boxes_show_their_mark_only_when_ticked(school_db: str, tmp_path: Path) -> None:
    export = depot(tmp_path) / "e.zip"
    export.write_bytes(
        export_zip(
            UAI,
            [
                Pupil("1", bea(41), "Nom", "Un", "01/01/2011", "3A"),
                Pupil("2", bea(42), "Nom", "Deux", "01/01/2011", "3B"),
            ],
        )
    )
    app = CycladesApp(
        db_url=school_db, demo_actor=staff_login.actor_for("secretariat"), settings=FAST_SETTINGS
    )
    async with app.run_test(size=SIZE) as pilot:
        screen = await read_siecle_export(pilot, export.name)
        divisions = screen.query_one("#divisions", SelectionList)
        divisions.select("3A")
        await pilot.pause()
        drawn = {
            line.text[4:].split(" —")[0]: line.text[:3]
            for line in (divisions.render_line(y) for y in range(2))
        }
        # Told apart by their mark, not by colour alone (16-colour consoles, tired eyes).
        assert drawn == {"3A": "▐X▌", "3B": "▐ ▌"}


async def test_division_names_are_shown_literally(school_db: str, tmp_path: Path) -> None:
    export = depot(tmp_path) / "e.zip"
    export.write_bytes(
        export_zip(
            UAI,
            [
                Pupil("1", bea(31), "Nom", "Prénom", "01/01/2011", "3[/B"),
                Pupil("2", bea(32), "Nom", "Autre", "01/01/2011", "[b]3A"),
            ],
        )
    )
    app = CycladesApp(
        db_url=school_db, demo_actor=staff_login.actor_for("secretariat"), settings=FAST_SETTINGS
    )
    async with app.run_test(size=SIZE) as pilot:
        screen = await read_siecle_export(pilot, export.name)
        divisions = screen.query_one("#divisions", SelectionList)
        assert divisions.selected == []
        labels = [str(divisions.get_option_at_index(i).prompt) for i in range(2)]
        assert labels == ["3[/B — 1 élève(s)", "[b]3A — 1 élève(s)"]


async def test_csv_import_previews_then_imports(school_db: str, tmp_path: Path) -> None:
    bad = depot(tmp_path) / "mauvais.csv"
    bad.write_bytes(csv_bytes(f"{bea(41)};Roux;;Camille;;31/02/2010;3A;DNB;Inscrit"))
    good = depot(tmp_path) / "eleves.csv"
    good.write_bytes(
        csv_bytes(*[f"{bea(50 + i)};Nom{i};;Prénom;;02/02/2010;3A;DNB;Inscrit" for i in range(12)])
    )
    app = CycladesApp(
        db_url=school_db, demo_actor=staff_login.actor_for("secretariat"), settings=FAST_SETTINGS
    )
    async with app.run_test(size=SIZE) as pilot:
        app.open_activity("import_csv")
        await settle(pilot)
        await pilot.press(*bad.name, "enter")
        await settle(pilot)
        assert "Ligne 2 : Date de naissance « 31/02/2010 »" in text_of(pilot, "#faults")
        assert app.screen.query_one("#import").disabled
        path = app.screen.query_one("#path", Input)
        path.value = good.name
        await pilot.press("enter")
        await settle(pilot)
        assert len(table_rows(pilot, "#preview")) == 8  # the first rows, before anything
        assert "12 ligne(s), 12 à ajouter" in text_of(pilot, "#message")
        assert Candidate.select().count() == 0
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert "Import terminé : 12 ajouté(s)" in text_of(pilot, "#message")
    assert Candidate.select().count() == 12
