"""Generations run by the app, not by a screen: they go on when « Générer » is left.

The screen shows the progress of its school's generation whenever it is (re)opened, and a
second generation for the same school is refused while one runs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from cyclades_tui.services.accounts import RunResult
from cyclades_tui.services.actor import Actor


class GenerationCancelled(Exception):
    """Raised from the progress callback to abandon a generation before anything is stored."""


@dataclass
class Generation:
    """Where one school's generation stands; written by its thread, read by the screens."""

    uai: str
    done: int = 0
    total: int = 0
    result: RunResult | None = None
    error: BaseException | None = None
    finished: threading.Event = field(default_factory=threading.Event)
    cancelled: bool = False

    @property
    def running(self) -> bool:
        """True until the accounts and documents are stored (or the generation failed)."""
        return not self.finished.is_set()

    def progress(self, done: int, total: int) -> None:
        """The hashing callback: plain assignments, read by the screen's timer."""
        if self.cancelled:
            raise GenerationCancelled
        self.done, self.total = done, total


class Generations(dict[str, Generation]):
    """UAI -> its generation (the running one, or the last one of this session).

    ``starter`` (the app's) runs a generation in a worker: screens start one through
    :meth:`start` without knowing the app.
    """

    def __init__(self, starter: Callable[[Actor, str], Generation | None]) -> None:
        super().__init__()
        self._starter = starter

    def start(self, actor: Actor, uai: str) -> Generation | None:
        """Generate ``uai``'s missing accounts in a thread; None while one already runs."""
        return self._starter(actor, uai)
