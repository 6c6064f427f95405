"""Helpers to drive the real app with Textual's pilot, waiting on workers (never on sleeps)."""

from __future__ import annotations

import contextlib

from textual.pilot import Pilot
from textual.widgets import OptionList, Static
from textual.worker import WorkerFailed

from cyclades_tui.services.demo import DEMO_STAFF
from cyclades_tui.services.staff_login import actor_for
from cyclades_tui.settings import Settings
from cyclades_tui.ui.app import CycladesApp
from cyclades_tui.ui.screens.siecle_import import SiecleImportScreen
from cyclades_tui.ui.widgets.french_text import FrenchText
from cyclades_tui.ui.widgets.virtual_table import VirtualTable
from tests.helpers import FAST_SETTINGS


async def settle(pilot: Pilot[None]) -> None:
    """Wait until typed keys are handed over, every worker has finished and the messages
    they posted are handled."""
    pending = getattr(pilot.app, "input_pending", False)
    for _ in range(50):
        # A worker failing as expected (a refused login…) is reported by its screen.
        with contextlib.suppress(WorkerFailed):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        pending = getattr(pilot.app, "input_pending", False)
        if not pending and not any(w.is_running for w in pilot.app.workers):
            return


def text_of(pilot: Pilot[None], selector: str) -> str:
    """The plain text a Static shows (a message line's whole text, before wrapping)."""
    widget = pilot.app.screen.query_one(selector, Static)
    if isinstance(widget, FrenchText):
        return widget.text
    return str(widget.render())


def table_rows(pilot: Pilot[None], selector: str) -> list[list[str]]:
    """Every row of a list (a VirtualTable) as plain strings."""
    return [list(row) for row in pilot.app.screen.query_one(selector, VirtualTable).rows]


def table_titles(pilot: Pilot[None], selector: str) -> list[str]:
    """The headings of a list's columns (a VirtualTable), in their order."""
    return [title for title, _ in pilot.app.screen.query_one(selector, VirtualTable).columns]


def demo_app(url: str, settings: Settings = FAST_SETTINGS) -> CycladesApp:
    """The app on the demo database (demo_url fixture), logged in as the demo staff member."""
    return CycladesApp(db_url=url, demo_actor=actor_for(DEMO_STAFF), settings=settings)


async def read_siecle_export(pilot: Pilot[None], name: str) -> SiecleImportScreen:
    """Open « Importer mes élèves depuis la BEE » and read ``name`` from the school's depot/."""
    app = pilot.app
    assert isinstance(app, CycladesApp)
    app.open_activity("import_siecle")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, SiecleImportScreen)
    await pick_siecle_file(pilot, screen, name)
    return screen


async def pick_siecle_file(pilot: Pilot[None], screen: SiecleImportScreen, name: str) -> None:
    """Choose ``name`` in the BEE screen's list of depot/ files by the keyboard."""
    files = screen.query_one("#files", OptionList)
    names = [files.get_option_at_index(i).id for i in range(files.option_count)]
    assert name in names, names
    files.focus()
    await pilot.pause()
    # Focused, the list has its first (newest) file highlighted: ↓ to the file, Entrée.
    files.highlighted = 0
    await pilot.press(*["down"] * names.index(name), "enter")
    await settle(pilot)
