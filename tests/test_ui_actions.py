"""The key registry (cyclades_tui/ui/actions.py) drives the menu, the footers, the palette and
README's key table; one action has one key; every footer fits 80 columns."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.binding import Binding
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import OptionList

from cyclades_tui.services.actor import operator
from cyclades_tui.services.db_session import connect
from cyclades_tui.services.demo import DEMO_STAFF, seed_demo
from cyclades_tui.services.documents import DocumentSummary
from cyclades_tui.services.staff_login import actor_for
from cyclades_tui.ui.actions import ACTIONS, ACTIVITIES, key_table
from cyclades_tui.ui.app import ACTIVITY_SCREENS, CycladesApp
from cyclades_tui.ui.screen_keys import KEY_TABLE
from cyclades_tui.ui.screens.home import HomeScreen
from cyclades_tui.ui.screens.login import LoginScreen
from cyclades_tui.ui.screens.preview import PreviewScreen
from cyclades_tui.ui.screens.schools import SchoolPickerScreen
from cyclades_tui.ui.widgets.modals import ConfirmModal, PathModal, PrinterModal
from tests.helpers import FAST_SETTINGS
from tests.ui_helpers import settle

README = Path(__file__).resolve().parents[1] / "README.md"
WIDTH = 80
# Every screen class that declares keys, with the registry ids it must use.
SCREENS: list[type[Screen[object]]] = [
    *ACTIVITY_SCREENS.values(),
    HomeScreen,
    LoginScreen,
    PreviewScreen,  # type: ignore[list-item]
    SchoolPickerScreen,
    ConfirmModal,
    PathModal,
    PrinterModal,
]


@pytest.fixture
def demo_url(tmp_path: Path) -> Iterator[str]:
    """A SQLite demo database with a few candidates."""
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    db = connect(url)
    seed_demo(12, seed=3, settings=FAST_SETTINGS)
    yield url
    db.close()


def test_readme_key_table_is_the_registry_s() -> None:
    assert key_table() in README.read_text(encoding="utf-8")


def test_every_screen_key_comes_from_the_registry() -> None:
    for screen in SCREENS:
        for binding in screen.BINDINGS:
            assert isinstance(binding, Binding) and binding.id in ACTIONS, (screen, binding)
            action = ACTIONS[binding.id]
            assert (binding.key, binding.action, binding.description) == (
                action.key,
                action.action,
                action.label,
            ), (screen, binding)


def test_one_key_per_action_and_one_action_per_ctrl_key() -> None:
    """« Afficher le compte rendu » has one key (it was `a` on one screen, ctrl+r on another)
    and a ctrl+ key (usable beside a text field) means the same thing on every screen."""
    keys_of: dict[tuple[str, str], set[str]] = {}
    meaning_of: dict[str, set[tuple[str, str]]] = {}
    for action in ACTIONS.values():
        keys_of.setdefault((action.action, action.label), set()).add(action.key)
        if action.key.startswith("ctrl+") or action.key.startswith("f"):
            meaning_of.setdefault(action.key, set()).add((action.action, action.label))
    synonyms = {("next_page", "Suiv."), ("previous_page", "Préc.")}  # n / PgSuiv, p / PgPréc
    # Two operations under one word: every missing account (`g`, a screen without text
    # field) and one new password (ctrl+g, beside the « INE ou nom » field).
    synonyms.add(("generate", "Générer"))
    assert ACTIONS["generate"].tooltip != ACTIONS["regenerate-one"].tooltip
    assert {k: v for k, v in keys_of.items() if len(v) > 1 and k not in synonyms} == {}
    assert {k: v for k, v in meaning_of.items() if len(v) > 1} == {}
    assert ACTIONS["report"].key == "ctrl+r"
    for screen in SCREENS:
        reports = [b for b in screen.BINDINGS if isinstance(b, Binding) and b.action == "report"]
        assert all(b.key == ACTIONS["report"].key for b in reports), screen


def test_readme_rows_name_every_shown_key() -> None:
    for row in KEY_TABLE:
        for action_id in row.actions:
            assert "{" + action_id + "}" in row.text, (row.screen, action_id)
    shown = {
        b.id
        for screen in SCREENS
        for b in screen.BINDINGS
        if isinstance(b, Binding)
        and b.show
        and screen not in (ConfirmModal, PathModal, PrinterModal, SchoolPickerScreen)
    }
    in_readme = {action_id for row in KEY_TABLE for action_id in row.actions}
    assert shown - in_readme == set()


async def test_menu_and_palette_are_the_registry_s(demo_url: str) -> None:
    app = CycladesApp(db_url=demo_url, demo_actor=actor_for(DEMO_STAFF), settings=FAST_SETTINGS)
    async with app.run_test(size=(WIDTH, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        menu = app.screen.query_one("#menu", OptionList)
        assert [menu.get_option_at_index(i).id for i in range(menu.option_count)] == [
            a.id for a in ACTIVITIES
        ]
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert titles[: len(ACTIVITIES)] == [a.title for a in ACTIVITIES]
        assert set(ACTIVITY_SCREENS) == {a.id for a in ACTIVITIES}


def footer_faults(screen: Screen[object]) -> list[str]:
    """Shown bindings missing from the footer, or drawn (partly) beyond column 80."""
    keys = list(screen.query("FooterKey"))
    shown = " ".join(str(k.render()) for k in keys)
    faults = [
        f"{type(screen).__name__}: {b.description} absent"
        for b in screen.BINDINGS
        if isinstance(b, Binding) and b.show and b.description not in shown
    ]
    faults += [
        f"{type(screen).__name__}: {k.render()} at {k.region}"
        for k in keys
        if k.region.width <= 0 or k.region.right > WIDTH
    ]
    return faults


async def drawn_footer_faults(pilot: Pilot[None], screen: Screen[object]) -> list[str]:
    """``footer_faults`` once the footer has been laid out (Textual recomposes the footer
    after the screen's bindings settle: a key of width 0 is one not drawn yet)."""
    for _ in range(100):
        keys = list(screen.query("FooterKey"))
        if keys and all(k.region.width > 0 for k in keys):
            break
        await pilot.pause()
    return footer_faults(screen)


async def test_every_footer_fits_80_columns(demo_url: str) -> None:
    """Each screen and dialog, not only those with a text field."""
    app = CycladesApp(db_url=demo_url, demo_actor=actor_for(DEMO_STAFF), settings=FAST_SETTINGS)
    faults: list[str] = []
    async with app.run_test(size=(WIDTH, 24)) as pilot:
        await settle(pilot)
        faults += await drawn_footer_faults(pilot, app.screen)  # the home screen
        for key in ACTIVITY_SCREENS:
            app.open_activity(key)
            await settle(pilot)
            assert type(app.screen) is ACTIVITY_SCREENS[key]
            faults += await drawn_footer_faults(pilot, app.screen)
        document = DocumentSummary(
            1, "Papillons de connexion", 1, 0, 0, "pdf", datetime.now(UTC), DEMO_STAFF
        )
        dialogs: list[Screen[object]] = [
            PreviewScreen(app.context(), document, []),
            SchoolPickerScreen(app.context(), operator()),  # type: ignore[list-item]
            ConfirmModal("Confirmer ?", "Oui"),
            PathModal("Enregistrer", "out/"),
            PrinterModal(["salle-prof"], "salle-prof"),
        ]
        for dialog in dialogs:
            app.push_screen(dialog)
            await settle(pilot)
            faults += await drawn_footer_faults(pilot, app.screen)
            app.pop_screen()
            await settle(pilot)
    login = CycladesApp(db_url=demo_url, settings=FAST_SETTINGS)
    async with login.run_test(size=(WIDTH, 24)) as pilot:
        await settle(pilot)
        assert isinstance(login.screen, LoginScreen)
        faults += await drawn_footer_faults(pilot, login.screen)
    assert faults == []
