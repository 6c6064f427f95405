"""Every state fits 80x24: the SIECLE screen scrolls so that its buttons stay reachable."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Button, Select, SelectionList

from cyclades_tui.services import staff_login
from cyclades_tui.ui.app import CycladesApp
from tests.helpers import FAST_SETTINGS, SIZE, bea, depot
from tests.helpers import SCHOOL_UAI as UAI
from tests.siecle_factory import Pupil, export_zip
from tests.ui_helpers import read_siecle_export, settle, text_of


async def test_siecle_buttons_reachable_after_a_check_with_many_faults(
    school_db: str, tmp_path: Path
) -> None:
    pupils = [
        Pupil(
            str(n),
            bea(100 + n) if n % 2 else "",
            f"Nom{n}",
            "Prénom",
            "01/01/2011",
            f"3{chr(65 + n % 8)}",
        )
        for n in range(40)
    ]
    export = depot(tmp_path) / "ElevesSansAdresses.zip"  # the school's incoming folder
    export.write_bytes(export_zip(UAI, pupils))
    app = CycladesApp(
        db_url=school_db, demo_actor=staff_login.actor_for("secretariat"), settings=FAST_SETTINGS
    )
    async with app.run_test(size=SIZE) as pilot:
        screen = await read_siecle_export(pilot, export.name)
        screen.query_one("#exam", Select).value = "DNB"
        screen.query_one("#divisions", SelectionList).select_all()
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert "sans INE valide" in text_of(pilot, "#message")
        for button_id in ("#check", "#import"):
            button = screen.query_one(button_id, Button)
            button.focus()
            await pilot.pause()
            region = button.region
            # On screen, above the message line and the footer.
            assert region.height > 0 and region.y >= 0 and region.bottom <= SIZE[1] - 3, (
                button_id,
                region,
            )


async def test_linux_console_gets_the_16_colour_theme(
    school_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TERM", "linux")
    app = CycladesApp(
        db_url=school_db, demo_actor=staff_login.actor_for("secretariat"), settings=FAST_SETTINGS
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == "cyclades-16"
        variables = app.theme_variables
        # Titles and footer keys are not painted red like errors.
        assert "red" not in variables["accent"] and "red" not in variables["footer-key-foreground"]
        assert "red" in variables["error"]
    monkeypatch.setenv("TERM", "xterm-256color")
    app = CycladesApp(
        db_url=school_db, demo_actor=staff_login.actor_for("secretariat"), settings=FAST_SETTINGS
    )
    async with app.run_test(size=SIZE):
        assert app.theme != "cyclades-16"


async def test_ticked_and_unticked_marks_differ(school_db: str) -> None:
    from textual.widgets import RadioSet

    from cyclades_tui.ui.widgets.toggles import MarkedRadioButton

    app = CycladesApp(
        db_url=school_db, demo_actor=staff_login.actor_for("secretariat"), settings=FAST_SETTINGS
    )
    async with app.run_test(size=SIZE) as pilot:
        app.open_activity("regenerate")
        await settle(pilot)
        inscrit, pre = app.screen.query(MarkedRadioButton).results(MarkedRadioButton)
        assert "●" in str(inscrit.render()) and "●" not in str(pre.render())
        app.screen.query_one("#state", RadioSet).focus()
        await pilot.press("right", "enter")
        await settle(pilot)
        assert pre.value and "●" in str(pre.render()) and "●" not in str(inscrit.render())


async def test_open_select_list_says_fermer_in_french(school_db: str) -> None:
    from textual.widgets import Footer

    app = CycladesApp(
        db_url=school_db, demo_actor=staff_login.actor_for("secretariat"), settings=FAST_SETTINGS
    )
    async with app.run_test(size=SIZE) as pilot:
        app.open_activity("import_siecle")
        await settle(pilot)
        app.screen.query_one("#exam", Select).focus()
        await pilot.press("enter")  # opens the list of exams
        await settle(pilot)
        descriptions = {a.binding.description for a in app.screen.active_bindings.values()}
        assert "Fermer la liste" in descriptions and "Dismiss menu" not in descriptions
        assert app.screen.query_one(Footer) is not None
