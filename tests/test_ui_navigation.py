"""Échap is « Retour », never « Déconnexion »; a generation outlives its screen."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace

import pytest
from textual.widgets import HelpPanel, Input

from cyclades_tui.services import account_generation
from cyclades_tui.services.actor import operator
from cyclades_tui.services.demo import DEMO_UAI
from cyclades_tui.ui.generations import Generation
from cyclades_tui.ui.screens.documents import DocumentsScreen
from cyclades_tui.ui.screens.generate import GenerateScreen
from cyclades_tui.ui.screens.home import HomeScreen
from cyclades_tui.ui.screens.login import LoginScreen
from cyclades_tui.ui.widgets.modals import ConfirmModal
from tests.helpers import FAST_SETTINGS, SIZE, wait_until_async
from tests.ui_helpers import demo_app, settle, text_of


async def test_escape_on_home_does_not_log_out(demo_url: str) -> None:
    app = demo_app(demo_url)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("escape", "escape")
        assert isinstance(app.screen, HomeScreen) and app.session is not None
        assert "ctrl+d" in text_of(pilot, "#message")
        await pilot.press("ctrl+d")
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("escape")  # Échap cancels the dialog
        assert isinstance(app.screen, HomeScreen) and app.session is not None
        await pilot.press("ctrl+d", "enter")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen) and app.session is None
        assert app.screen.query_one("#login", Input).value == ""
        assert app.screen.focused is app.screen.query_one("#login", Input)


async def test_escape_closes_the_keys_panel_first(demo_url: str) -> None:
    app = demo_app(demo_url)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g")
        await settle(pilot)
        app.action_show_help_panel()
        await pilot.pause()
        assert app.screen.query(HelpPanel)
        await pilot.press("escape")
        assert isinstance(app.screen, GenerateScreen) and not app.screen.query(HelpPanel)


async def test_report_opened_from_generate_returns_to_generate(demo_url: str) -> None:
    app = demo_app(demo_url)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g")
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert isinstance(app.screen, DocumentsScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, GenerateScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)


@pytest.fixture
def held_generation(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """Generations pause after their first hash until the test sets the returned event.

    The test decides when the generation may go on: no race between its keys and the
    hashing, whatever the load of the machine.
    """
    release = threading.Event()
    progress = Generation.progress

    def held(self: Generation, done: int, total: int) -> None:
        progress(self, done, total)
        if done >= 1:
            assert release.wait(60), "génération jamais relâchée"

    monkeypatch.setattr(Generation, "progress", held)
    yield release
    release.set()


async def test_generation_goes_on_when_its_screen_is_left(
    demo_url: str, held_generation: threading.Event
) -> None:
    eligible = account_generation.status(operator(), DEMO_UAI).without_account
    assert eligible >= 10
    app = demo_app(demo_url, replace(FAST_SETTINGS, workers=1))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g")
        await settle(pilot)
        await pilot.press("ctrl+g", "escape")
        assert isinstance(app.screen, HomeScreen)
        generation = app.generations[DEMO_UAI]
        assert generation.running
        await pilot.press("g")  # reopened: shows the running generation
        await pilot.pause()
        assert isinstance(app.screen, GenerateScreen)
        assert app.screen.query_one("#progress").display
        await pilot.press("ctrl+g")  # a second one is refused while it runs
        assert "déjà en cours" in text_of(pilot, "#message")
        await pilot.press("ctrl+q")  # quitting asks first
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("escape")
        held_generation.set()
        await wait_until_async(lambda: not generation.running, 30)
        await wait_until_async(lambda: "compte(s) créé(s)" in text_of(pilot, "#message"), 30)
    status = account_generation.status(operator(), DEMO_UAI)
    assert status.without_account == 0 and status.with_account == eligible


async def test_a_generation_ending_after_logout_tells_nobody(
    demo_url: str, held_generation: threading.Event, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = demo_app(demo_url, replace(FAST_SETTINGS, workers=1))
    told: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        monkeypatch.setattr(app, "notify", lambda message, **_: told.append(str(message)))
        await pilot.press("g")
        await settle(pilot)
        await pilot.press("ctrl+g", "escape", "ctrl+d", "enter")
        # Not settle(): it would wait for the generation, which the gate holds.
        await wait_until_async(lambda: isinstance(app.screen, LoginScreen), 30)
        assert app.session is None
        generation = app.generations[DEMO_UAI]
        held_generation.set()
        await wait_until_async(lambda: not generation.running, 30)
        await pilot.pause()
    # The next person at the keyboard (another school, perhaps) learns nothing of it.
    assert generation.result is not None
    assert not [m for m in told if DEMO_UAI in m]


async def test_quitting_during_a_generation_abandons_it_cleanly(
    demo_url: str, held_generation: threading.Event
) -> None:
    app = demo_app(demo_url, replace(FAST_SETTINGS, workers=1))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g")
        await settle(pilot)
        await pilot.press("ctrl+g", "ctrl+q")
        assert isinstance(app.screen, ConfirmModal)
        generation = app.generations[DEMO_UAI]
        await pilot.press("ctrl+y")
        held_generation.set()
        await wait_until_async(lambda: not app.is_running, 30)
    # Hashing stopped at the next hash, long before the end, and nothing was stored.
    assert generation.error is not None and generation.done < generation.total
    assert account_generation.status(operator(), DEMO_UAI).with_account == 0


async def test_text_cursor_is_steady_unless_the_setting_asks(demo_url: str) -> None:
    app = demo_app(demo_url)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await settle(pilot)
        assert app.screen.query_one("#filter", Input).cursor_blink is False
    app = demo_app(demo_url, replace(FAST_SETTINGS, cursor_blink=True))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r")
        await settle(pilot)
        assert app.screen.query_one("#ine", Input).cursor_blink is True


async def test_textual_words_are_french_and_screenshot_is_gone(demo_url: str) -> None:
    from textual.command import CommandPalette
    from textual.widgets import Input as TextInput

    app = demo_app(demo_url)
    async with app.run_test(size=SIZE) as pilot:
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Quitter" in titles and "Déconnexion" in titles
        for english in ("Screenshot", "Theme", "Keys", "Maximize", "Quit"):
            assert english not in titles
        await pilot.press("ctrl+c")  # Textual's « Do you want to quit? Press ctrl+q »
        await pilot.pause()
        notices = [(n.title, n.message) for n in app._notifications]
        assert ("Quitter ?", "Appuyez sur ctrl+q pour quitter cyclades-tui.") in notices
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        assert app.screen.query_one(TextInput).placeholder == "Rechercher une commande…"
        assert app.screen.query_one(TextInput).cursor_blink is False
