"""What a screen needs from the running TUI, handed to it when the app creates it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cyclades_tui.settings import Settings
from cyclades_tui.ui.generations import Generations
from cyclades_tui.ui.session import UiSession


@dataclass(frozen=True)
class ScreenContext:
    """The settings read at start-up, the folder of the schools' folders, the generations
    and, once a staff member has logged in, the session (a screen lives no longer than the
    session it was made for: logging out closes every screen above the login screen).

    ``files_root`` was resolved once when the app started (``Settings.files_root``): a
    screen finds its school's folder with ``files.school_folder(files_root, uai)``.
    """

    settings: Settings
    files_root: Path
    generations: Generations
    session: UiSession | None = None
