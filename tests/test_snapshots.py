"""Snapshots of every screen at 80x24 (pytest-textual-snapshot); update with --snapshot-update."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from cyclades_tui.services.demo import DEMO_STAFF, seed_demo
from cyclades_tui.services.runtime import connect
from cyclades_tui.services.staff import actor_for
from cyclades_tui.ui.app import CycladesApp
from tests.helpers import FAST_SETTINGS
from tests.ui_helpers import settle

SIZE = (80, 24)


@pytest.fixture
def snapshot_app(tmp_path: Path) -> Iterator[Callable[[bool], CycladesApp]]:
    """A fixed demo school (seeded RNG), so every snapshot is reproducible."""
    db = connect(f"sqlite:///{tmp_path / 'snap.db'}")
    seed_demo(40, seed=11, settings=FAST_SETTINGS)

    def make(logged_in: bool = True) -> CycladesApp:
        return CycladesApp(db_url=None, demo_actor=actor_for(DEMO_STAFF) if logged_in else None,
                           settings=FAST_SETTINGS)

    yield make
    db.close()


def keys_then_settle(*keys: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        if keys:
            await pilot.press(*keys)
        await settle(pilot)
        # The blinking cursor would make snapshots flaky.
        for widget in pilot.app.screen.query("Input"):
            widget.cursor_blink = False  # type: ignore[attr-defined]
        await pilot.pause()

    return run_before


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("home", ()),
        ("generate", ("g",)),
        ("regenerate", ("r",)),
        ("documents", ("d",)),
        ("candidates", ("c",)),
        ("import_bee", ("down", "down", "down", "down", "enter")),
        ("import_csv", ("down", "down", "down", "down", "down", "enter")),
    ],
)
def test_screen_at_80x24(snap_compare: Any, snapshot_app: Callable[[bool], CycladesApp],
                         name: str, keys: tuple[str, ...]) -> None:
    assert snap_compare(snapshot_app(True), terminal_size=SIZE, run_before=keys_then_settle(*keys))


def test_login_at_80x24(snap_compare: Any, snapshot_app: Callable[[bool], CycladesApp]) -> None:
    assert snap_compare(snapshot_app(False), terminal_size=SIZE, run_before=keys_then_settle())
