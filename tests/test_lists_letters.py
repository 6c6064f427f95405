"""Issue 16: the menu counts as typed, letters in a list are text, Échap then ctrl+p is kept.

Through Pilot here; through a real pseudo-terminal, each key sequence written at once, in
test_ui_burst.py.
"""

from __future__ import annotations

from textual.widgets import OptionList

from cyclades_tui.services.demo import DEMO_UAI
from cyclades_tui.store.models import AuditEvent, School
from cyclades_tui.ui.actions import ACTIONS, ACTIVITIES
from cyclades_tui.ui.screens.base import BaseScreen
from cyclades_tui.ui.screens.home import HomeScreen
from cyclades_tui.ui.screens.journal import JournalScreen
from cyclades_tui.ui.screens.password import ChangePasswordScreen
from tests.helpers import SIZE
from tests.ui_helpers import demo_app, settle, table_rows


def menu_lines(screen: BaseScreen) -> list[str]:
    menu = screen.query_one("#menu", OptionList)
    return [str(menu.get_option_at_index(i).prompt) for i in range(menu.option_count)]


async def test_every_menu_line_has_its_own_letter(demo_url: str) -> None:
    app = demo_app(demo_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        lines = menu_lines(app.screen)
        assert len(lines) == len(ACTIVITIES)
        keys = [activity.key for activity in ACTIVITIES]
        assert None not in keys and len(set(keys)) == len(keys)
        for line, activity in zip(lines, ACTIVITIES, strict=True):
            assert line == f"[{activity.key}] {activity.title}"
        await pilot.press("j")  # a letter of an entry that had none
        await settle(pilot)
        assert isinstance(app.screen, JournalScreen)


async def test_menu_starts_on_its_first_line_and_does_not_wrap(demo_url: str) -> None:
    app = demo_app(demo_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("up", "enter")  # Up on the first line stays there
        await settle(pilot)
        assert type(app.screen).__name__ == "GenerateScreen"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press(*["down"] * 5, "enter")  # the 6th line, though the 1st was opened
        await settle(pilot)
        assert type(app.screen).__name__ == "CsvImportScreen"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press(*["down"] * 20, "enter")  # Down on the last line stays there
        await settle(pilot)
        assert isinstance(app.screen, ChangePasswordScreen)


async def test_journal_letters_do_not_reload_f5_does(demo_url: str) -> None:
    app = demo_app(demo_url)
    async with app.run_test(size=SIZE) as pilot:
        app.open_activity("journal")
        await settle(pilot)
        before = len(table_rows(pilot, "#journal"))
        AuditEvent.create(
            actor="secretariat",
            action="login",
            detail="ajouté",
            success=True,
            school=School.get(School.uai == DEMO_UAI),
        )
        await pilot.press("a", "z", "r")
        await settle(pilot)
        assert len(table_rows(pilot, "#journal")) == before
        await pilot.press(ACTIONS["reload"].key)
        await settle(pilot)
        assert len(table_rows(pilot, "#journal")) == before + 1


def test_no_single_letter_action_outside_the_menu() -> None:
    """The menu (no text to type there) is the only place a plain letter acts: nothing that
    creates accounts, prints, saves or shows passwords is on a letter."""
    letters = [
        action.id
        for action in ACTIONS.values()
        if len(action.key) == 1 and not action.id.startswith("open-")
    ]
    assert letters == []


async def test_a_double_g_opens_generer_and_creates_nothing(demo_url: str) -> None:
    """`g` twice in one burst (a hurried double press) opened « Générer » and started the
    generation of every account and its passwords' documents; `ctrl+g` does it now."""
    from cyclades_tui.services import account_generation
    from cyclades_tui.services.actor import operator
    from cyclades_tui.ui.screens.generate import GenerateScreen

    before = account_generation.status(operator(), DEMO_UAI)
    assert before.without_account > 0
    app = demo_app(demo_url)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g", "g")
        await settle(pilot)
        assert isinstance(app.screen, GenerateScreen)
        assert account_generation.status(operator(), DEMO_UAI).with_account == before.with_account
        await pilot.press("ctrl+g")
        await settle(pilot)
    assert account_generation.status(operator(), DEMO_UAI).without_account == 0
