"""What a screen needs from the running TUI, handed to it when the app creates it."""

from __future__ import annotations

from dataclasses import dataclass

from cyclades_tui.settings import Settings
from cyclades_tui.ui.generations import Generations
from cyclades_tui.ui.session import UiSession


@dataclass(frozen=True)
class ScreenContext:
    """The settings read at start-up, the database, the generations and, once a staff member
    has logged in, the session (a screen lives no longer than the session it was made for:
    logging out closes every screen above the login screen)."""

    settings: Settings
    db_url: str | None
    generations: Generations
    session: UiSession | None = None
